"""Tracking categories mirrored (archived ones too), and each invoice line's tracking kept and
shown on the invoice's page."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from tests.books.test_sync import run
from tests.conftest import Cast
from xeroadmin.books.models import Invoice, TrackingCategory
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def test_categories_and_line_tracking_are_mirrored_and_shown(
    as_finance: HttpClient, cast: Cast, books: Tenant
) -> None:
    xero = tenant_client(books)
    region = xero.put("TrackingCategories", {"Name": "Region"})["TrackingCategories"][0]
    path = f"TrackingCategories/{region['TrackingCategoryID']}"
    xero.put(path + "/Options", {"Options": [{"Name": "North"}, {"Name": "South"}]})
    old = xero.put("TrackingCategories", {"Name": "Old project"})["TrackingCategories"][0]
    xero.post(f"TrackingCategories/{old['TrackingCategoryID']}", {"Status": "ARCHIVED"})
    contact = Invoice.objects.filter(tenant=books).exclude(contact_xero_id="")[0].contact_xero_id
    made = xero.put(
        "Invoices",
        {
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": contact},
                    "LineItems": [
                        {
                            "Description": "Survey",
                            "Quantity": 1,
                            "UnitAmount": 100,
                            "AccountCode": "200",
                            "Tracking": [{"Name": "Region", "Option": "North"}],
                        }
                    ],
                }
            ]
        },
    )["Invoices"][0]
    run(books, "full")
    categories = {c.name: c for c in TrackingCategory.objects.filter(tenant=books)}
    assert {name: c.status for name, c in categories.items()} == {
        "Region": "ACTIVE",
        "Old project": "ARCHIVED",
    }
    assert [o.name for o in categories["Region"].options.all()] == ["North", "South"]
    invoice = Invoice.objects.get(tenant=books, xero_id=made["InvoiceID"])
    line = invoice.lines.get()
    assert [(t["Name"], t["Option"]) for t in line.tracking] == [("Region", "North")]
    page = as_finance.get(
        reverse("books:invoice-detail", args=[cast.workspace.pk, books.pk, invoice.pk])
    )
    assert "Region: North" in page.content.decode()
