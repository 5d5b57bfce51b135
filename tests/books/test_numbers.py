"""Xero's numbers are read as decimals, never floats; one the mirror cannot hold is flagged,
never a page that always fails."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from tests.books.test_sync import run
from xeroadmin.books.models import Invoice, InvoiceLine
from xeroadmin.sandbox.books import invoice_totals

pytestmark = pytest.mark.django_db


def edit_in_xero(xero, books, quantity: str, price: str) -> dict:
    """An authorised invoice's first line changed in Xero, as someone there would."""
    org = xero.sandbox.state.orgs[books.tenant_id]
    invoice = next(i for i in org.invoices.values() if i["Status"] == "DRAFT")
    invoice["LineItems"] = invoice["LineItems"][:1]
    invoice["LineItems"][0]["Quantity"] = Decimal(quantity)
    invoice["LineItems"][0]["UnitAmount"] = Decimal(price)
    invoice_totals(org, invoice)
    invoice["UpdatedDateUTC"] = xero.sandbox.state.clock.now() + timedelta(seconds=2)
    xero.sandbox.state.clock.advance(3)
    return invoice


def test_a_price_with_four_decimals_and_fourteen_digits_comes_back_exact(
    as_viewer, xero, cast, books
) -> None:
    source = edit_in_xero(xero, books, "1", "99999999999999.9999")
    run(books, "full")
    invoice = Invoice.objects.get(tenant=books, xero_id=source["InvoiceID"])
    line = InvoiceLine.objects.get(invoice=invoice)
    if connection.vendor == "sqlite":
        # A double holds 15 significant digits: the line is flagged rather than rounded.
        assert "more digits than can be kept" in invoice.problem
        assert line.unit_amount == 0
    else:
        assert line.unit_amount == Decimal("99999999999999.9999")
        assert invoice.total == source["Total"]
        assert invoice.problem == ""
    exact = edit_in_xero(xero, books, "3", "10.1234")
    run(books, "full")
    kept = Invoice.objects.get(tenant=books, xero_id=exact["InvoiceID"])
    assert InvoiceLine.objects.get(invoice=kept).unit_amount == Decimal("10.1234")
    assert kept.problem == ""
    page = as_viewer.get(
        reverse("books:invoice-detail", args=[cast.workspace.pk, books.pk, invoice.pk])
    )
    assert page.status_code == 200


def test_a_number_beyond_the_columns_is_flagged_and_the_page_still_opens(
    as_viewer, xero, cast, books
) -> None:
    source = edit_in_xero(xero, books, "9999", "99999999999999.9999")
    run(books, "full")
    invoice = Invoice.objects.get(tenant=books, xero_id=source["InvoiceID"])
    assert "larger than can be kept" in invoice.problem
    assert invoice.raw["LineItems"][0]["UnitAmount"] in ("99999999999999.9999", 99999999999999.9999)
    for _ in range(2):
        page = as_viewer.get(
            reverse("books:invoice-detail", args=[cast.workspace.pk, books.pk, invoice.pk])
        )
        assert page.status_code == 200
        assert b"beyond what can be kept here" in page.content
    listing = as_viewer.get(reverse("books:invoice-list", args=[cast.workspace.pk, books.pk]))
    assert listing.status_code == 200


def test_the_sandbox_writes_decimals_exactly(xero) -> None:
    from xeroadmin.sandbox.core import dumps, loads

    body = {"UnitAmount": Decimal("99999999999999.9999"), "Rate": Decimal("0.000001")}
    assert dumps(body) == '{"UnitAmount": 99999999999999.9999, "Rate": 0.000001}'
    assert loads(dumps(body)) == body
