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


def test_the_line_editor_tracks_each_line_and_lists_filter_by_it(
    as_finance: HttpClient, xero, cast: Cast, books: Tenant
) -> None:
    from tests.books.test_invoice_editor import header

    client = tenant_client(books)
    region = client.put("TrackingCategories", {"Name": "Region"})["TrackingCategories"][0]
    path = f"TrackingCategories/{region['TrackingCategoryID']}/Options"
    options = client.put(path, {"Options": [{"Name": "North"}, {"Name": "South"}]})["Options"]
    south = next(o for o in options if o["Name"] == "South")
    run(books, "full")
    editor = reverse("books:invoice-create", args=[cast.workspace.pk, books.pk])
    page = as_finance.get(editor).content.decode()
    assert 'name="line-0-tracking_0"' in page
    assert ">South</option>" in page
    posted = header(books) | {
        "line-0-description": "Survey",
        "line-0-quantity": "1",
        "line-0-unit_amount": "80",
        "line-0-account_code": "200",
        "line-0-tax_type": "NONE" if "NONE" in page else "OUTPUT2",
        "line-0-tracking_0": south["TrackingOptionID"],
    }
    saved = as_finance.post(editor, posted)
    assert saved.status_code == 302, saved.content[:2000]
    invoice = Invoice.objects.get(pk=int(saved["Location"].rstrip("/").rsplit("/", 1)[1]))
    source = xero.sandbox.state.orgs[books.tenant_id].invoices[invoice.xero_id]
    assert [t["Option"] for t in source["LineItems"][0]["Tracking"]] == ["South"]
    # Editing keeps the choice.
    edit = reverse("books:invoice-edit", args=[cast.workspace.pk, books.pk, invoice.pk])
    again = as_finance.get(edit).content.decode()
    assert f'<option value="{south["TrackingOptionID"]}" selected>South</option>' in again
    # The invoice list filters by tracking.
    listing = as_finance.get(
        reverse("books:invoice-list", args=[cast.workspace.pk, books.pk]),
        {"tracking": south["TrackingOptionID"]},
    )
    assert listing.status_code == 200
    shown = listing.content.decode()
    assert invoice.number in shown
    assert "Region: South" in shown  # the filter, chosen
