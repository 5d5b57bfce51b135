"""Foreign currencies as Xero keeps them: a rate the client sends is kept, else the day's; the
organisation's outstanding and overdue figures in its base currency are exact, to the cent."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from tests.books.test_sync import run
from tests.sandbox.helpers import Xero, client_for
from xeroadmin.books import selectors
from xeroadmin.lib import exactjson
from xeroadmin.sandbox.books import day_rate

pytestmark = pytest.mark.django_db


def sandbox_for(xero, books) -> Xero:
    client = client_for(xero.url)
    assert client.tenant == books.tenant_id
    return client


def put(client: Xero, path: str, key: str, record: dict) -> dict:
    answer = client.call(
        "PUT",
        path,
        data=exactjson.dumps({key: [record]}),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    return json.loads(answer.text, parse_float=Decimal)[key][0]


def invoice(
    client: Xero, currency: str, amount: str, *, due: date, rate: str | None = None
) -> dict:
    contact = client.get("Contacts", params={"page": 1}).json()["Contacts"][0]["ContactID"]
    body = {
        "Type": "ACCREC",
        "Status": "AUTHORISED",
        "Contact": {"ContactID": contact},
        "Date": (due - timedelta(days=30)).isoformat(),
        "DueDate": due.isoformat(),
        "CurrencyCode": currency,
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {"Description": "Work", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}
        ],
    }
    if rate:
        body["CurrencyRate"] = rate
    return put(client, "Invoices", "Invoices", body)


def test_a_sent_rate_is_kept_and_else_the_days_rate_is_used(xero, books) -> None:
    client = sandbox_for(xero, books)
    due = date(2026, 6, 30)
    kept = invoice(client, "USD", "100.00", due=due, rate="0.612345")
    assert kept["CurrencyRate"] == Decimal("0.612345")
    dated = invoice(client, "EUR", "100.00", due=due)
    assert dated["CurrencyRate"] == day_rate("NZD", "EUR", date(2026, 5, 31))
    later = invoice(client, "EUR", "100.00", due=due + timedelta(days=40))
    assert later["CurrencyRate"] != dated["CurrencyRate"]  # the rate moves day by day
    assert invoice(client, "NZD", "100.00", due=due)["CurrencyRate"] == 1
    # Credit notes keep the same rules, and answer with the rate they were saved with.
    contact = kept["Contact"]["ContactID"]
    for sent, wanted in (("0.7", Decimal("0.7")), (None, day_rate("NZD", "GBP", due))):
        body = {
            "Type": "ACCRECCREDIT",
            "Contact": {"ContactID": contact},
            "Date": due.isoformat(),
            "CurrencyCode": "GBP",
            "LineItems": [
                {"Description": "Back", "Quantity": 1, "UnitAmount": "5", "AccountCode": "200"}
            ],
        }
        if sent:
            body["CurrencyRate"] = sent
        credit = put(client, "CreditNotes", "CreditNotes", body)
        assert credit["CurrencyRate"] == wanted
        again = client.get(f"CreditNotes/{credit['CreditNoteID']}").text
        assert json.loads(again, parse_float=Decimal)["CreditNotes"][0]["CurrencyRate"] == wanted


def test_outstanding_and_overdue_in_the_base_currency_are_exact(xero, books) -> None:
    client = sandbox_for(xero, books)
    past, future = (
        timezone.localdate() - timedelta(days=10),
        timezone.localdate() + timedelta(days=20),
    )
    made = [
        invoice(client, "USD", "1000.00", due=past, rate="0.613"),
        invoice(client, "EUR", "333.33", due=past),
        invoice(client, "GBP", "777.77", due=future, rate="0.4567"),
        invoice(client, "USD", "10.01", due=future),
    ]
    bank = next(a for a in client.get("Accounts").json()["Accounts"] if a["Type"] == "BANK")
    for record, paid in ((made[0], "250.55"), (made[2], "100.01")):  # part payments
        put(
            client,
            "Payments",
            "Payments",
            {
                "Invoice": {"InvoiceID": record["InvoiceID"]},
                "Account": {"AccountID": bank["AccountID"]},
                "Amount": paid,
                "Date": timezone.localdate().isoformat(),
            },
        )
    run(books, "full")
    org = xero.sandbox.state.orgs[books.tenant_id]
    expected = {"sales_due": Decimal(0), "sales_overdue": Decimal(0)}
    for source in org.invoices.values():
        if source["Type"] != "ACCREC" or source["Status"] != "AUTHORISED":
            continue
        base = (source["AmountDue"] / source["CurrencyRate"]).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        expected["sales_due"] += base
        if source["DueDate"] and source["DueDate"] < timezone.localdate():
            expected["sales_overdue"] += base
    summary = selectors.organisation_summary(tenant=books)
    assert {k: summary[k] for k in expected} == expected
    currencies = {
        i["CurrencyCode"] for i in org.invoices.values() if i["CurrencyCode"] != org.currency
    }
    assert currencies >= {"USD", "EUR", "GBP"}


def test_every_page_writes_money_in_its_currency(as_viewer, cast, books) -> None:
    """One helper everywhere: the list, the detail page and the editor's totals name the
    currency (NZ$ and US$ told apart), never a bare number beside a code."""
    from django.urls import reverse

    from xeroadmin.books.models import Invoice
    from xeroadmin.lib.money import money

    invoice = Invoice.objects.filter(tenant=books, type="ACCREC").exclude(total=0).first()
    assert invoice is not None
    Invoice.objects.filter(pk=invoice.pk).update(currency_code="USD")
    args = [cast.workspace.pk, books.pk]
    listing = as_viewer.get(reverse("books:invoice-list", args=args), {"q": invoice.number})
    assert money(invoice.total, "USD") in listing.content.decode()
    assert money(invoice.total, "USD").startswith("US$")
    detail = as_viewer.get(reverse("books:invoice-detail", args=[*args, invoice.pk]))
    assert money(invoice.total, "USD") in detail.content.decode()
    home = as_viewer.get(reverse("books:organisation-home", args=args)).content.decode()
    assert "NZ$" in home
