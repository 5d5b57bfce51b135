"""Statuses in Xero's words, one way everywhere."""

from __future__ import annotations

from xeroadmin.books.forms import STATUS_TABS
from xeroadmin.books.words import status_word


def test_statuses_read_as_a_bookkeeper_reads_them() -> None:
    assert status_word("AUTHORISED") == "Awaiting payment"
    assert status_word("SUBMITTED") == "Awaiting approval"
    assert status_word("AUTHORISED", "payment") == "Applied"
    assert status_word("ARCHIVED", "record") == "Archived"
    assert status_word("SOMETHING_NEW") == "Something new"  # never hidden, never shouted
    assert status_word(None) == ""


def test_the_list_tabs_use_the_same_words() -> None:
    assert dict(STATUS_TABS)["AUTHORISED"] == status_word("AUTHORISED")


def test_accounts_and_tax_rates_are_shown_by_name(as_viewer, cast, books) -> None:
    """ "200 · Sales" and "GST on Income 15%", never a bare 200 or OUTPUT2."""
    from django.urls import reverse

    from xeroadmin.books.models import Account, Invoice, InvoiceLine, Item, TaxRate

    line = InvoiceLine.objects.filter(invoice__tenant=books).exclude(tax_type="").first()
    assert line is not None
    account = Account.objects.get(tenant=books, code=line.account_code)
    rate = TaxRate.objects.get(tenant=books, tax_type=line.tax_type)
    assert str(account) == f"{account.code} · {account.name}"
    assert "0000%" not in str(rate)
    invoice: Invoice = line.invoice
    args = [cast.workspace.pk, books.pk]
    page = as_viewer.get(reverse("books:invoice-detail", args=[*args, invoice.pk]))
    body = page.content.decode()
    assert f">{account.code} · {account.name}<" in body.replace("&#x27;", "'")
    assert f">{rate}<" in body
    item = Item.objects.filter(tenant=books).exclude(account_code="").first()
    assert item is not None
    items = as_viewer.get(reverse("books:item-list", args=args)).content.decode()
    assert str(Account.objects.get(tenant=books, code=item.account_code)) in items
