"""The record kinds beyond invoices in the product: mirrored by sync, listed and shown, credit
allocated to invoices from either side, guarded status changes, and an accepted quote turned
into an invoice. Every write goes through the sandbox over HTTP."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import Cast
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.kinds import KINDS
from xeroadmin.books.models import Account, Allocation, Document, Invoice
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def url(cast: Cast, books: Tenant, name: str, *args: object) -> str:
    return reverse(f"books:{name}", args=[cast.workspace.pk, books.pk, *args])


def test_sync_mirrors_every_kind_as_xero_has_it(xero, books: Tenant) -> None:
    org = xero.sandbox.state.orgs[books.tenant_id]
    sources = {
        "credit_note": org.credit_notes,
        "quote": org.quotes,
        "bank_transaction": org.bank_transactions,
        "manual_journal": org.manual_journals,
        "prepayment": org.prepayments,
        "overpayment": org.overpayments,
    }
    for kind in KINDS:
        mirrored = Document.objects.filter(tenant=books, kind=kind.key)
        assert mirrored.count() == len(sources[kind.key]), kind.key
    allocated = next(n for n in org.credit_notes.values() if n["Status"] == "PAID")
    note = Document.objects.get(tenant=books, xero_id=allocated["CreditNoteID"])
    assert note.remaining == 0
    allocation = Allocation.objects.get(source=note)
    assert allocation.invoice is not None
    assert allocation.invoice.amount_credited == allocation.amount
    journal = Document.objects.get(tenant=books, kind="manual_journal")
    assert journal.lines.count() == 2
    assert journal.total == sum(
        line.line_amount for line in journal.lines.all() if line.line_amount > 0
    )


def test_every_kind_has_its_list_and_pages(as_viewer, cast: Cast, books: Tenant) -> None:
    for kind in KINDS:
        prefix = kind.slug[:-1]
        listing = as_viewer.get(url(cast, books, f"{prefix}-list"))
        assert listing.status_code == 200, kind.key
        assert kind.plural.encode() in listing.content
        document = Document.objects.filter(tenant=books, kind=kind.key).first()
        assert document is not None, kind.key
        page = as_viewer.get(url(cast, books, f"{prefix}-detail", document.pk))
        assert page.status_code == 200
        assert b"Left to allocate" in page.content or not kind.credit
        # A viewer is shown no button that would change anything.
        assert b'id="action-' not in page.content
        assert b'id="allocate-button"' not in page.content
    # Filters: the table alone for htmx, a status tab, a search, a type.
    spend = as_viewer.get(
        url(cast, books, "bank-transaction-list"),
        {"type": "SPEND", "q": ""},
        headers={"HX-Request": "true", "HX-Target": "document-table"},
    )
    assert spend.status_code == 200
    assert b"<html" not in spend.content
    assert b"Spend money" in spend.content
    assert b"Receive money</td>" not in spend.content
    bad = as_viewer.get(url(cast, books, "quote-list"), {"from": "yesterday"})
    assert b"Some filters were not understood" in bad.content
    # A document of one kind is not found under another's path.
    quote = Document.objects.filter(tenant=books, kind="quote").first()
    assert quote is not None
    assert as_viewer.get(url(cast, books, "credit-note-detail", quote.pk)).status_code == 404


def owing(books: Tenant, contact_xero_id: str) -> list[Invoice]:
    return list(
        Invoice.objects.filter(
            tenant=books,
            contact_xero_id=contact_xero_id,
            type="ACCREC",
            status="AUTHORISED",
            amount_due__gt=0,
        )
    )


def credit_note_for_two_invoices(xero, books: Tenant, cast: Cast) -> tuple[Document, list[Invoice]]:
    """An approved credit note of a contact who owes on two invoices (made in the sandbox,
    then synced as Xero would be)."""
    from tests.books.test_sync import run

    org = xero.sandbox.state.orgs[books.tenant_id]
    customer = next(
        c["ContactID"]
        for c in org.contacts.values()
        if len(
            [
                i
                for i in org.invoices.values()
                if i["Contact"]["ContactID"] == c["ContactID"]
                and i["Type"] == "ACCREC"
                and i["Status"] == "AUTHORISED"
                and i["AmountDue"] > 0
            ]
        )
        >= 2
    )
    from tests.sandbox.helpers import BOOKS_SCOPES, client_for

    client = client_for(xero.url, scope=BOOKS_SCOPES)
    made = client.put(
        "CreditNotes",
        {
            "Type": "ACCRECCREDIT",
            "Contact": {"ContactID": customer},
            "Status": "AUTHORISED",
            "LineAmountTypes": "NoTax",
            "LineItems": [
                {"Description": "Goodwill", "UnitAmount": "500.00", "AccountCode": "200"}
            ],
        },
    )
    assert made.status_code == 200, made.text
    run(books, actor=cast.finance.user)  # "Refresh now": everything is read
    note = Document.objects.get(tenant=books, xero_id=made.json()["CreditNotes"][0]["CreditNoteID"])
    return note, owing(books, customer)[:2]


def test_a_credit_note_is_allocated_to_two_invoices(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    note, (first, second) = credit_note_for_two_invoices(xero, books, cast)
    page = as_finance.get(url(cast, books, "credit-note-detail", note.pk))
    assert b'id="allocate-button"' in page.content
    amounts = {f"amount-{first.pk}": "10.00", f"amount-{second.pk}": "15.50"}
    done = as_finance.post(
        url(cast, books, "credit-note-allocate", note.pk),
        {
            **amounts,
            "date": first.date.isoformat() if first.date else "",
            "seen": note.updated_utc.isoformat() if note.updated_utc else "",
        },
        follow=True,
    )
    assert b"Allocated. 474.50 is left to allocate." in done.content
    note.refresh_from_db()
    assert note.remaining == Decimal("474.50")
    assert note.allocations.count() == 2
    first_before = first.amount_due
    first.refresh_from_db()
    assert first.amount_due == first_before - Decimal("10.00")
    assert first.amount_credited >= Decimal("10.00")
    source = xero.sandbox.state.orgs[books.tenant_id].invoices[first.xero_id]
    assert source["AmountDue"] == first.amount_due
    # The feed says it in words.
    said = ActivityEvent.objects.filter(tenant=books, action="allocated").values_list(
        "summary", flat=True
    )
    assert (
        f"Credit note {note.number} for {note.contact_name} allocated to {first.number}: NZD 10.00"
        in said
    )
    # The invoice shows the credit applied; taking it back makes it owe again.
    invoice_page = as_finance.get(url(cast, books, "invoice-detail", first.pk))
    assert b"Credit applied" in invoice_page.content
    allocation = note.allocations.get(invoice=first)
    taken = as_finance.post(
        url(cast, books, "credit-note-unallocate", note.pk),
        {"allocation": allocation.xero_id},
        follow=True,
    )
    assert b"Allocation removed" in taken.content
    first.refresh_from_db()
    assert first.amount_due == first_before


def test_allocating_too_much_is_refused_and_keeps_the_input(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    note, (first, second) = credit_note_for_two_invoices(xero, books, cast)
    too_much = {
        f"amount-{first.pk}": str(first.amount_due + 1),
        "date": "2026-11-30",
    }
    refused = as_finance.post(url(cast, books, "credit-note-allocate", note.pk), too_much)
    assert refused.status_code == 422
    assert f"owes {first.amount_due:,.2f}".encode() in refused.content
    assert f'value="{first.amount_due + 1}"'.encode() in refused.content  # kept
    all_of_it = {
        f"amount-{first.pk}": str(min(first.amount_due, Decimal(400))),
        f"amount-{second.pk}": str(min(second.amount_due, Decimal(400))),
        "date": "2026-11-30",
    }
    if min(first.amount_due, Decimal(400)) + min(second.amount_due, Decimal(400)) > 500:
        over = as_finance.post(url(cast, books, "credit-note-allocate", note.pk), all_of_it)
        assert over.status_code == 422
        assert b"more than the 500.00 left to allocate" in over.content
    nothing = as_finance.post(
        url(cast, books, "credit-note-allocate", note.pk), {"date": "2026-11-30"}
    )
    assert nothing.status_code == 422
    assert b"Enter an amount against at least one invoice." in nothing.content
    note.refresh_from_db()
    assert note.remaining == Decimal("500.00")


def test_credit_is_applied_from_the_invoices_side(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    note, (first, _) = credit_note_for_two_invoices(xero, books, cast)
    page = as_finance.get(url(cast, books, "invoice-detail", first.pk))
    assert b"Apply credit" in page.content
    due = first.amount_due
    share = min(due, Decimal("20.00"))
    done = as_finance.post(
        url(cast, books, "invoice-credit", first.pk),
        {f"amount-{note.pk}": str(share), "date": "2026-11-30"},
        follow=True,
    )
    assert b"Credit applied" in done.content
    first.refresh_from_db()
    assert first.amount_due == due - share
    note.refresh_from_db()
    assert note.remaining == Decimal("500.00") - share


def test_an_accepted_quote_becomes_a_draft_invoice(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    quote = Document.objects.filter(tenant=books, kind="quote", status="SENT").first()
    assert quote is not None
    page = as_finance.get(url(cast, books, "quote-detail", quote.pk))
    assert b'id="action-accept"' in page.content
    assert b'id="quote-invoice"' not in page.content  # only once accepted
    stamp = quote.updated_utc.isoformat() if quote.updated_utc else ""
    accepted = as_finance.post(
        url(cast, books, "quote-action", quote.pk), {"action": "accept", "seen": stamp}, follow=True
    )
    assert b"is now accepted" in accepted.content
    assert b'id="quote-invoice"' in accepted.content
    invoiced = as_finance.post(url(cast, books, "quote-invoice", quote.pk), follow=True)
    assert b"here is the draft" in invoiced.content
    invoice = Invoice.objects.get(tenant=books, reference=quote.number)
    assert invoice.status == "DRAFT"
    assert invoice.total == quote.total
    assert [line.description for line in invoice.lines.all()] == [
        line.description for line in quote.lines.all()
    ]
    quote.refresh_from_db()
    assert quote.status == "INVOICED"
    assert xero.sandbox.state.orgs[books.tenant_id].quotes[quote.xero_id]["Status"] == "INVOICED"
    again = as_finance.post(url(cast, books, "quote-invoice", quote.pk), follow=True)
    assert b"Only an accepted quote can be invoiced." in again.content


def test_status_changes_are_guarded_and_checked_against_xero(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    draft = Document.objects.get(tenant=books, kind="credit_note", status="DRAFT")
    stale = "2000-01-01T00:00:00+00:00"
    conflict = as_finance.post(
        url(cast, books, "credit-note-action", draft.pk),
        {"action": "approve", "seen": stale},
        follow=True,
    )
    assert b"was changed in Xero" in conflict.content
    draft.refresh_from_db()
    assert draft.status == "DRAFT"
    wrong = as_finance.post(
        url(cast, books, "credit-note-action", draft.pk), {"action": "void"}, follow=True
    )
    assert b"Only approved credit not yet allocated can be voided." in wrong.content
    approved = as_finance.post(
        url(cast, books, "credit-note-action", draft.pk), {"action": "approve"}, follow=True
    )
    assert b"is now to allocate" in approved.content
    journal = Document.objects.get(tenant=books, kind="manual_journal")
    voided = as_finance.post(
        url(cast, books, "manual-journal-action", journal.pk), {"action": "void"}, follow=True
    )
    assert b"is now voided" in voided.content
    assert (
        xero.sandbox.state.orgs[books.tenant_id].manual_journals[journal.xero_id]["Status"]
        == "VOIDED"
    )


def test_viewers_change_nothing(as_viewer, cast: Cast, books: Tenant) -> None:
    quote = Document.objects.filter(tenant=books, kind="quote").first()
    assert quote is not None
    for name in ("quote-action", "quote-invoice"):
        assert (
            as_viewer.post(url(cast, books, name, quote.pk), {"action": "accept"}).status_code
            == 403
        )


def test_bills_have_their_own_tab_and_editor(as_finance, cast: Cast, books: Tenant) -> None:
    listing = as_finance.get(url(cast, books, "bill-list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert 'aria-current="page">Bills</a>' in page
    bills = Invoice.objects.filter(tenant=books, type="ACCPAY").count()
    assert f"{bills} invoice" in page
    assert 'name="filter" value="type=ACCPAY"' in page  # "Preview all" takes bills only
    editor = as_finance.get(url(cast, books, "bill-create")).content.decode()
    assert "New draft bill" in editor
    assert '<option value="ACCPAY" selected>' in editor
    purchases = Account.objects.filter(
        tenant=books, type__in=("DIRECTCOSTS", "EXPENSE")
    ).values_list("code", flat=True)
    chosen = re.search(
        r'name="line-0-account_code"[^>]*>.*?<option value="(\d+)" selected', editor, re.S
    )
    assert chosen is not None
    assert chosen.group(1) in purchases
