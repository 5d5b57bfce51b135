"""The invoice list's status tabs say how many invoices each would show, with the other
filters as they are, and the counts follow every change to the organisation's invoices."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import Cast
from xeroadmin.books import mirror
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def invoice(n: int, status: str, kind: str = "ACCREC", due: str = "2099-01-01") -> dict:
    return {
        "InvoiceID": f"inv-{n}",
        "Type": kind,
        "InvoiceNumber": f"INV-{n:04d}",
        "Contact": {"ContactID": "c-1", "Name": "Acme"},
        "Date": "2026-01-01",
        "DueDate": due,
        "Status": status,
        "CurrencyCode": "NZD",
        "Total": 10,
        "AmountDue": 10 if status == "AUTHORISED" else 0,
    }


@pytest.fixture
def org(cast: Cast) -> Tenant:
    tenant = Tenant.objects.create(workspace=cast.workspace, tenant_id="count-org", name="Count")
    mirror.invoices_upsert(
        tenant,
        [
            invoice(1, "DRAFT"),
            invoice(2, "DRAFT", "ACCPAY"),
            invoice(3, "AUTHORISED"),
            invoice(4, "AUTHORISED", due="2000-01-01"),
            invoice(5, "PAID"),
            invoice(6, "PAID"),
            invoice(7, "VOIDED", "ACCPAY"),
        ],
    )
    return tenant


def tabs(client, cast: Cast, org: Tenant, **query: str) -> dict[str, int]:
    url = reverse("books:invoice-list", args=[cast.workspace.pk, org.pk])
    body = client.get(url, query).content.decode()
    found = re.findall(r'data-value="(\w*)"[^>]*>([^<]+) <span class="count">(\d+)</span>', body)
    return {label.strip(): int(count) for _, label, count in found}


def test_each_tab_counts_what_it_would_show(as_finance, cast: Cast, org: Tenant) -> None:
    assert tabs(as_finance, cast, org) == {
        "All": 7,
        "Draft": 2,
        "Awaiting approval": 0,
        "Awaiting payment": 2,
        "Paid": 2,
        "Voided": 1,
        "Deleted": 0,
    }


def test_the_counts_keep_the_other_filters_and_ignore_the_tab_chosen(
    as_finance, cast: Cast, org: Tenant
) -> None:
    bills = tabs(as_finance, cast, org, type="ACCPAY", status="PAID")
    assert (bills["All"], bills["Draft"], bills["Voided"], bills["Paid"]) == (2, 1, 1, 0)
    overdue = tabs(as_finance, cast, org, overdue="on", status="DRAFT")
    assert (overdue["All"], overdue["Awaiting payment"], overdue["Draft"]) == (1, 1, 0)
    searched = tabs(as_finance, cast, org, q="INV-000")
    assert searched["All"] == 7


def test_the_counts_follow_a_change_to_the_invoices(as_finance, cast: Cast, org: Tenant) -> None:
    assert tabs(as_finance, cast, org)["Paid"] == 2  # counted, and kept
    mirror.invoices_upsert(org, [invoice(3, "PAID"), invoice(8, "DRAFT")])
    after = tabs(as_finance, cast, org)
    assert (after["All"], after["Paid"], after["Awaiting payment"], after["Draft"]) == (8, 3, 1, 3)


def test_the_pager_counts_the_same_rows_as_the_tab(as_finance, cast: Cast, org: Tenant) -> None:
    url = reverse("books:invoice-list", args=[cast.workspace.pk, org.pk])
    body = as_finance.get(url, {"status": "PAID"}).content.decode()
    assert "2 invoices" in body
    assert "INV-0005" in body and "INV-0006" in body and "INV-0003" not in body
