"""Guarded status changes go through Xero, then the mirror, the feed and Xero's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.conftest import Cast
from tests.connections.helpers import control
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.models import Invoice
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def act(client, cast: Cast, invoice: Invoice, action: str, seen: str | None = None):
    url = reverse("books:invoice-action", args=[cast.workspace.pk, invoice.tenant_id, invoice.pk])
    assert invoice.updated_utc is not None
    stamp = seen if seen is not None else invoice.updated_utc.isoformat()
    return client.post(url, {"action": action, "seen": stamp}, follow=True)


def test_it_approves_a_draft_through_xero(as_finance, xero, cast: Cast, books: Tenant) -> None:
    draft = Invoice.objects.filter(tenant=books, status="DRAFT").first()
    assert draft is not None
    page = act(as_finance, cast, draft, "approve")
    assert b"is now awaiting payment" in page.content
    draft.refresh_from_db()
    assert draft.status == "AUTHORISED"
    source = xero.sandbox.state.orgs[books.tenant_id].invoices[draft.xero_id]
    assert source["Status"] == "AUTHORISED"
    event = ActivityEvent.objects.get(tenant=books, action="approve")
    assert event.actor == cast.finance.user
    notes = [h for h in xero.sandbox.state.orgs[books.tenant_id].history.get(draft.xero_id, [])]
    assert any("in xeroadmin by finance@example.com" in str(n) for n in notes)


def test_it_refuses_to_void_an_invoice_with_payments(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    paid = Invoice.objects.filter(tenant=books, status="AUTHORISED", amount_paid__gt=0).first()
    assert paid is not None
    page = act(as_finance, cast, paid, "void")
    assert b"Payments have been applied to this invoice" in page.content
    paid.refresh_from_db()
    assert paid.status == "AUTHORISED"
    detail = as_finance.get(
        reverse("books:invoice-detail", args=[cast.workspace.pk, books.pk, paid.pk])
    )
    assert b'id="action-void"' not in detail.content  # only the actions that apply are offered
    assert b"To void it, reverse its payments first." in detail.content


def test_it_warns_before_overwriting_a_change_made_in_xero(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    draft = Invoice.objects.filter(tenant=books, status="DRAFT").first()
    assert draft is not None
    control(xero.url, "clock", {"advance": 60})
    source = xero.sandbox.state.orgs[books.tenant_id].invoices[draft.xero_id]
    source["Reference"] = "Changed in Xero"
    source["UpdatedDateUTC"] = xero.sandbox.state.clock.now()
    assert draft.updated_utc is not None
    loaded = draft.updated_utc - timedelta(seconds=1)
    page = act(as_finance, cast, draft, "approve", seen=loaded.isoformat())
    assert b"was changed in Xero" in page.content
    assert source["Status"] == "DRAFT"
    draft.refresh_from_db()
    assert draft.reference == "Changed in Xero"  # the mirror shows the new version


def test_viewers_see_no_controls_and_cannot_act(as_viewer, cast: Cast, books: Tenant) -> None:
    draft = Invoice.objects.filter(tenant=books, status="DRAFT").first()
    assert draft is not None
    detail = as_viewer.get(
        reverse("books:invoice-detail", args=[cast.workspace.pk, books.pk, draft.pk])
    )
    assert detail.status_code == 200
    assert b"action-approve" not in detail.content
    url = reverse("books:invoice-action", args=[cast.workspace.pk, books.pk, draft.pk])
    assert as_viewer.post(url, {"action": "approve"}).status_code == 403


def test_it_reads_history_live(as_viewer, cast: Cast, books: Tenant) -> None:
    invoice = Invoice.objects.filter(tenant=books).first()
    assert invoice is not None
    url = reverse(
        "books:record-history", args=[cast.workspace.pk, books.pk, "invoices", invoice.pk]
    )
    answer = as_viewer.get(url, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert b'id="history"' in answer.content
    assert b"<html" not in answer.content


def detail(cast: Cast, invoice: Invoice) -> str:
    return reverse("books:invoice-detail", args=[cast.workspace.pk, invoice.tenant_id, invoice.pk])


def test_it_records_and_reverses_a_payment(as_finance, xero, cast: Cast, books: Tenant) -> None:
    invoice = Invoice.objects.filter(tenant=books, status="AUTHORISED", amount_paid=0).first()
    assert invoice is not None
    page = as_finance.get(detail(cast, invoice))
    assert b"Record a payment" in page.content
    from xeroadmin.books.services import payment_accounts

    account = payment_accounts(tenant=books)[0]
    url = reverse("books:payment-create", args=[cast.workspace.pk, books.pk, invoice.pk])
    # More than is due: refused beside the field, the input kept.
    too_much = as_finance.post(
        url,
        {
            "account": account.xero_id,
            "paid_on": "2026-11-20",
            "amount": str(invoice.amount_due + 1),
            "reference": "Keep me",
        },
    )
    assert too_much.status_code == 200
    assert b"Ensure this value is less than or equal to" in too_much.content
    assert b'value="Keep me"' in too_much.content
    paid = as_finance.post(
        url,
        {
            "account": account.xero_id,
            "paid_on": "2026-11-20",
            "amount": str(invoice.amount_due),
            "reference": "Full",
        },
        follow=True,
    )
    assert b"the invoice is paid" in paid.content
    invoice.refresh_from_db()
    assert invoice.status == "PAID"
    assert invoice.amount_due == 0
    payment = invoice.payments.get(reference="Full")
    reverse_url = reverse("books:payment-reverse", args=[cast.workspace.pk, books.pk, payment.pk])
    back = as_finance.post(reverse_url, follow=True)
    assert b"the invoice is awaiting payment again" in back.content
    invoice.refresh_from_db()
    assert invoice.status == "AUTHORISED"
    payment.refresh_from_db()
    assert payment.status == "DELETED"
    assert ActivityEvent.objects.filter(tenant=books, category="payment").count() == 2


def test_it_emails_only_sendable_sales_invoices(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    draft = Invoice.objects.filter(tenant=books, status="DRAFT", type="ACCREC").first()
    assert draft is not None
    refused = act(as_finance, cast, draft, "email")
    assert b"cannot be e-mailed; approve it first" in refused.content
    org = xero.sandbox.state.orgs[books.tenant_id]
    with_email = {c for c, record in org.contacts.items() if record.get("EmailAddress")}
    candidates = Invoice.objects.filter(tenant=books, status="AUTHORISED", type="ACCREC")
    sendable = next(i for i in candidates if i.contact_xero_id in with_email)
    sent = act(as_finance, cast, sendable, "email")
    assert b"Xero is e-mailing invoice" in sent.content
    assert org.invoices[sendable.xero_id]["SentToContact"] is True
    sendable.refresh_from_db()
    assert sendable.sent_to_contact
    assert ActivityEvent.objects.filter(tenant=books, action="emailed").count() == 1
    # Xero's own refusal (no address) comes back as its message.
    silent = next((i for i in candidates if i.contact_xero_id not in with_email), None)
    if silent is not None:
        refused_by_xero = act(as_finance, cast, silent, "email")
        assert b"has no email address" in refused_by_xero.content


def test_a_record_page_offers_only_what_applies(as_finance, cast: Cast, books: Tenant) -> None:
    """One primary action; the rest in "More"; destructive ones confirm what Xero will do."""
    draft = Invoice.objects.filter(tenant=books, status="DRAFT").first()
    assert draft is not None
    page = as_finance.get(
        reverse("books:invoice-detail", args=[cast.workspace.pk, books.pk, draft.pk])
    ).content.decode()
    assert 'id="action-approve"' in page
    assert 'id="action-delete"' in page
    assert "Xero removes the draft from its lists" in page
    assert 'id="action-void"' not in page  # a draft is deleted, not voided
    assert "disabled" not in page.split('<details class="menu more-menu"')[1].split("</details>")[0]
