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
    assert "INV-0005" in body
    assert "INV-0006" in body
    assert "INV-0003" not in body


def page_tabs(client, url: str, **query: str) -> tuple[dict[str, int], str]:
    body = client.get(url, query).content.decode()
    found = re.findall(r'data-value="(\w*)"[^>]*>([^<]+) <span class="count">(\d+)</span>', body)
    return {label.strip(): int(count) for _, label, count in found}, body


def test_every_list_has_the_same_tabs_search_and_pager(as_finance, cast: Cast, org: Tenant):
    mirror.contacts_upsert(
        org,
        [
            {
                "ContactID": "k-1",
                "Name": "Kauri Ltd",
                "IsCustomer": True,
                "ContactStatus": "ACTIVE",
            },
            {
                "ContactID": "k-2",
                "Name": "Kauri Supply",
                "IsSupplier": True,
                "ContactStatus": "ACTIVE",
            },
            {
                "ContactID": "k-3",
                "Name": "Old Kauri",
                "IsCustomer": True,
                "ContactStatus": "ARCHIVED",
            },
            *(
                {
                    "ContactID": f"n-{n}",
                    "Name": f"Nikau {n:02d}",
                    "IsCustomer": True,
                    "ContactStatus": "ACTIVE",
                }
                for n in range(60)
            ),
        ],
    )
    contacts = reverse("books:contact-list", args=[cast.workspace.pk, org.pk])
    counts, body = page_tabs(as_finance, contacts, q="kauri", kind="suppliers")
    assert counts == {"Everyone": 2, "Customers": 1, "Suppliers": 1}
    assert "Kauri Supply" in body
    assert "Kauri Ltd" not in body
    counts, _ = page_tabs(as_finance, contacts, q="kauri", archived="on")
    assert counts["Customers"] == 2
    _, body = page_tabs(as_finance, contacts, kind="customers")
    assert "Next 11 →" in body
    assert "1–50 of 61" in body  # noqa: RUF001 (the pager's en dash)
    assert "kind=customers&amp;page=2" in body

    mirror.items_upsert(
        org,
        [
            {"ItemID": "i-1", "Code": "HOUR", "Name": "Hourly work", "IsSold": True},
            {
                "ItemID": "i-2",
                "Code": "PAPER",
                "Name": "Paper",
                "IsSold": False,
                "IsPurchased": True,
            },
            {
                "ItemID": "i-3",
                "Code": "BOOK",
                "Name": "Bookkeeping hour",
                "IsSold": True,
                "IsPurchased": True,
            },
        ],
    )
    items = reverse("books:item-list", args=[cast.workspace.pk, org.pk])
    counts, body = page_tabs(as_finance, items, q="hour")
    assert counts == {"All": 2, "Sold": 2, "Purchased": 1}
    counts, body = page_tabs(as_finance, items, q="hour", kind="purchased")
    assert "BOOK" in body
    assert "HOUR</a>" not in body
    partial = as_finance.get(
        items, {"q": "paper"}, headers={"HX-Request": "true", "HX-Target": "item-table"}
    )
    assert b'id="item-table"' in partial.content
    assert b"<html" not in partial.content


def test_the_payment_list_counts_its_tabs_within_the_dates(as_finance, cast: Cast, org: Tenant):
    mirror.payments_upsert(
        org,
        [
            {
                "PaymentID": "p-1",
                "Date": "2026-03-01",
                "Amount": 5,
                "Status": "AUTHORISED",
                "Invoice": {"InvoiceID": "inv-3"},
            },
            {
                "PaymentID": "p-2",
                "Date": "2026-05-01",
                "Amount": 5,
                "Status": "DELETED",
                "Invoice": {"InvoiceID": "inv-3"},
            },
            {
                "PaymentID": "p-3",
                "Date": "2026-06-01",
                "Amount": 7,
                "Status": "AUTHORISED",
                "Invoice": {"InvoiceID": "inv-4"},
            },
        ],
    )
    payments = reverse("books:payment-list", args=[cast.workspace.pk, org.pk])
    counts, _ = page_tabs(as_finance, payments)
    assert counts == {"All": 3, "Applied": 2, "Reversed": 1}
    counts, body = page_tabs(as_finance, payments, **{"from": "2026-04-01", "status": "AUTHORISED"})
    assert counts == {"All": 2, "Applied": 1, "Reversed": 1}
    assert "Dates · set" in body
    assert "1 payment" in body
