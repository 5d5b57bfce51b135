"""Money spent from a bank account (tracked), and manual journals, entered here and written to
the sandbox over HTTP: refusals beside their fields, input kept, nothing half written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.books.test_sync import run
from tests.conftest import Cast
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.models import Account, Contact, Document
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def url(cast: Cast, books: Tenant, name: str, *args: object) -> str:
    return reverse(f"books:{name}", args=[cast.workspace.pk, books.pk, *args])


def test_spend_money_with_tracking(as_finance, xero, cast: Cast, books: Tenant) -> None:
    client = tenant_client(books)
    region = client.put("TrackingCategories", {"Name": "Region"})["TrackingCategories"][0]
    options = client.put(
        f"TrackingCategories/{region['TrackingCategoryID']}/Options", {"Name": "North"}
    )["Options"]
    run(books, "full")
    page = as_finance.get(url(cast, books, "bank-transaction-create"))
    assert page.status_code == 200
    assert b"Spend or receive money" in page.content
    assert b'name="line-0-tracking_0"' in page.content
    supplier = Contact.objects.filter(tenant=books, status="ACTIVE", is_supplier=True).first()
    bank = Account.objects.get(tenant=books, code="090")
    expense = Account.objects.get(tenant=books, code="453")
    posted = {
        "type": "SPEND",
        "bank_account": bank.xero_id,
        "contact": supplier.xero_id if supplier else "",
        "contact_name": supplier.name if supplier else "",
        "date": "2026-11-20",
        "reference": "Paper and toner",
        "line_amount_types": "Exclusive",
        "line-0-description": "Paper",
        "line-0-quantity": "2",
        "line-0-unit_amount": "45.50",
        "line-0-account_code": expense.code,
        "line-0-tax_type": expense.tax_type,
        "line-0-tracking_0": options[0]["TrackingOptionID"],
    }
    done = as_finance.post(url(cast, books, "bank-transaction-create"), posted, follow=True)
    assert b"Entered in Xero." in done.content
    txn = Document.objects.get(tenant=books, kind="bank_transaction", reference="Paper and toner")
    assert txn.type == "SPEND"
    assert txn.subtotal == Decimal("91.00")
    assert txn.bank_account_code == "090"
    source = xero.sandbox.state.orgs[books.tenant_id].bank_transactions[txn.xero_id]
    assert source["LineItems"][0]["Tracking"][0]["Option"] == "North"
    assert b"Region: North" in done.content  # the line's tracking, on its page
    event = ActivityEvent.objects.get(tenant=books, category="bank_transaction")
    assert event.summary.startswith("Spend money of ")
    # No contact: said beside the field, the lines as typed, nothing sent.
    before = len(xero.sandbox.state.orgs[books.tenant_id].bank_transactions)
    refused = as_finance.post(
        url(cast, books, "bank-transaction-create"),
        posted | {"contact": "", "contact_name": ""},
    )
    assert refused.status_code == 200
    assert b"Choose a contact." in refused.content
    assert b'value="45.50"' in refused.content
    assert len(xero.sandbox.state.orgs[books.tenant_id].bank_transactions) == before


def test_a_manual_journal_is_posted_when_it_balances(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    address = url(cast, books, "manual-journal-create")
    page = as_finance.get(address).content.decode()
    assert 'name="line-3-debit"' in page  # four rows to start with
    assert "610 · Accounts Receivable" not in page  # moved by invoices, not journals
    lines = {
        "narration": "Accrued rent",
        "date": "2026-11-30",
        "line-0-account_code": "469",
        "line-0-description": "November rent",
        "line-0-debit": "1200.00",
        "line-1-account_code": "880",
        "line-1-credit": "1100.00",
        "post": "1",
    }
    lopsided = as_finance.post(address, lines)
    assert lopsided.status_code == 422
    assert b"Debits (1,200.00) and credits (1,100.00) must be equal to post it." in lopsided.content
    assert b'value="1100.00"' in lopsided.content
    both = as_finance.post(address, lines | {"line-0-credit": "5"})
    assert b"A line is a debit or a credit, not both." in both.content
    posted = as_finance.post(address, lines | {"line-1-credit": "1200.00"}, follow=True)
    assert b"Posted in Xero." in posted.content
    journal = Document.objects.get(tenant=books, kind="manual_journal", reference="Accrued rent")
    assert journal.status == "POSTED"
    assert journal.total == Decimal("1200.00")
    source = xero.sandbox.state.orgs[books.tenant_id].manual_journals[journal.xero_id]
    assert [line["LineAmount"] for line in source["JournalLines"]] == [
        Decimal("1200.00"),
        Decimal("-1200.00"),
    ]
    draft = as_finance.post(
        address, lines | {"narration": "Draft accrual", "post": "0"}, follow=True
    )
    assert b"Saved as a draft in Xero." in draft.content
    row = as_finance.get(url(cast, books, "manual-journal-line"), {"index": "7"})
    assert b'name="line-7-debit"' in row.content


def test_entering_is_for_finance_and_connected_organisations(
    as_viewer, as_finance, cast: Cast, books: Tenant
) -> None:
    assert as_viewer.get(url(cast, books, "bank-transaction-create")).status_code == 403
    assert as_viewer.get(url(cast, books, "manual-journal-create")).status_code == 403
    Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.DISCONNECTED)
    closed = as_finance.get(url(cast, books, "manual-journal-create"), follow=True)
    assert b"is not connected, so its books are read-only" in closed.content


def test_credit_notes_and_quotes_are_drafted_and_edited_here(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    customer = Contact.objects.filter(tenant=books, status="ACTIVE", is_customer=True).first()
    assert customer is not None
    sales = Account.objects.get(tenant=books, code="200")
    lines = {
        "line-0-description": "Returned chair",
        "line-0-quantity": "1",
        "line-0-unit_amount": "120",
        "line-0-account_code": "200",
        "line-0-tax_type": sales.tax_type,
    }
    head = {
        "contact": customer.xero_id,
        "contact_name": customer.name,
        "date": "2026-11-20",
        "reference": "RMA-7",
        "currency_code": books.base_currency or "NZD",
        "line_amount_types": "Exclusive",
    }
    page = as_finance.get(url(cast, books, "credit-note-create"))
    assert b"New draft credit note" in page.content
    made = as_finance.post(
        url(cast, books, "credit-note-create"), head | lines | {"type": "ACCRECCREDIT"}, follow=True
    )
    assert b"Draft saved in Xero." in made.content
    note = Document.objects.get(tenant=books, kind="credit_note", reference="RMA-7")
    assert (note.status, note.subtotal) == ("DRAFT", Decimal("120.00"))
    source = xero.sandbox.state.orgs[books.tenant_id].credit_notes[note.xero_id]
    assert source["Contact"]["ContactID"] == customer.xero_id
    # Edited while a draft; the form keeps what was saved.
    edit = url(cast, books, "credit-note-edit", note.pk)
    form = as_finance.get(edit).content.decode()
    assert 'value="RMA-7"' in form
    changed = as_finance.post(
        edit,
        head
        | lines
        | {
            "type": "ACCRECCREDIT",
            "line-0-unit_amount": "150",
            "seen": note.updated_utc.isoformat() if note.updated_utc else "",
        },
        follow=True,
    )
    assert b"Draft saved in Xero." in changed.content
    note.refresh_from_db()
    assert note.subtotal == Decimal("150.00")
    # A quote: its title and expiry, amounts in Xero's capitals.
    quote_head = head | {"title": "New chairs", "due_date": "2026-12-20", "reference": "Q-chairs"}
    quoted = as_finance.post(
        url(cast, books, "quote-create"),
        quote_head | lines | {"line_amount_types": "NoTax"},
        follow=True,
    )
    assert b"Draft saved in Xero." in quoted.content
    quote = Document.objects.get(tenant=books, kind="quote", reference="Q-chairs")
    source = xero.sandbox.state.orgs[books.tenant_id].quotes[quote.xero_id]
    assert (source["Title"], source["LineAmountTypes"]) == ("New chairs", "NoTax")
    assert quote.total == Decimal("120.00")
    early = as_finance.post(
        url(cast, books, "quote-create"), quote_head | lines | {"due_date": "2026-11-01"}
    )
    assert b"A quote cannot expire before its date." in early.content
    # Once approved, a credit note is no longer edited here.
    as_finance.post(url(cast, books, "credit-note-action", note.pk), {"action": "approve"})
    closed = as_finance.get(edit, follow=True)
    assert b"cannot be edited" in closed.content


def test_a_bank_transaction_is_changed_until_it_is_reconciled(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    txn = Document.objects.filter(
        tenant=books, kind="bank_transaction", type="SPEND", is_reconciled=False
    ).first()
    assert txn is not None
    page = as_finance.get(url(cast, books, "bank-transaction-detail", txn.pk))
    assert b'id="edit-document"' in page.content
    form = as_finance.get(url(cast, books, "bank-transaction-edit", txn.pk)).content.decode()
    assert "Change this transaction" in form
    line = txn.lines.get()
    bank = Account.objects.get(tenant=books, code="090")
    posted = {
        "type": "SPEND",
        "bank_account": bank.xero_id,
        "contact": txn.contact_xero_id,
        "contact_name": txn.contact_name,
        "date": txn.date.isoformat() if txn.date else "2026-11-20",
        "reference": "Corrected",
        "line_amount_types": "NoTax",
        "seen": txn.updated_utc.isoformat() if txn.updated_utc else "",
        "line-0-description": line.description,
        "line-0-quantity": "1",
        "line-0-unit_amount": "77.00",
        "line-0-account_code": line.account_code,
        "line-0-tax_type": line.tax_type,
    }
    done = as_finance.post(url(cast, books, "bank-transaction-edit", txn.pk), posted, follow=True)
    assert b"Changed in Xero." in done.content
    txn.refresh_from_db()
    assert (txn.reference, txn.total) == ("Corrected", Decimal("77.00"))
    assert xero.sandbox.state.orgs[books.tenant_id].bank_transactions[txn.xero_id][
        "Total"
    ] == Decimal("77.00")
    Document.objects.filter(pk=txn.pk).update(is_reconciled=True)
    refused = as_finance.get(url(cast, books, "bank-transaction-edit", txn.pk), follow=True)
    assert b"not yet reconciled can be changed" in refused.content
