"""Writes to the other record kinds: allocating credit to invoices (from either side), a credit
note's, quote's or journal's status, turning an accepted quote into an invoice, and entering
bank transactions and manual journals. As for invoices: through Xero first with an
Idempotency-Key, refusing to overwrite a change made in Xero since the page was loaded, then
the mirror from Xero's answer, the activity feed, and a note in the record's Xero history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from xeroadmin.accounts.models import User
from xeroadmin.books import mirror
from xeroadmin.books.document_selectors import credit_side
from xeroadmin.books.kinds import BY_KEY, Kind
from xeroadmin.books.mirror_documents import documents_upsert
from xeroadmin.books.models import Document, Invoice
from xeroadmin.books.services import (
    Written,
    check_unchanged,
    new_key,
    record_activity,
    write_note,
)
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant
from xeroadmin.xero.client import XeroClient
from xeroadmin.xero.errors import XeroError


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}".strip()


def _refresh(client: XeroClient, tenant: Tenant, kind: Kind, xero_id: str) -> Document:
    """The document as Xero has it now, into the mirror."""
    body = client.get(f"{kind.resource}/{xero_id}") or {}
    found = documents_upsert(tenant, kind, body.get(kind.resource) or [])
    if not found:
        raise XeroError(f"Xero's answer held no {kind.singular.lower()}.")
    return Document.objects.get(pk=next(iter(found.values())))


def _refresh_invoices(client: XeroClient, tenant: Tenant, xero_ids: list[str]) -> None:
    if xero_ids:
        body = client.get("Invoices", {"IDs": ",".join(xero_ids)}) or {}
        mirror.invoices_upsert(tenant, body.get("Invoices") or [])


def _answered(tenant: Tenant, kind: Kind, answer: Any) -> Document:
    records = (answer or {}).get(kind.resource) or []
    found = documents_upsert(tenant, kind, records)
    if not found:
        raise XeroError(f"Xero's answer held no {kind.singular.lower()}.")
    return Document.objects.get(pk=next(iter(found.values())))


def _label(document: Document) -> str:
    kind = BY_KEY[document.kind]
    return f"{kind.singular} {document.number}".strip() if document.number else kind.singular


# ------------------------------------------------------------------ allocating credit


@dataclass(frozen=True)
class Share:
    """Part of a credit to apply to one invoice."""

    invoice: Invoice
    amount: Decimal


def credit_guard(document: Document) -> str | None:
    """Why this credit cannot be allocated now, or None."""
    if document.kind not in (k.key for k in BY_KEY.values() if k.credit):
        return "Only credit notes, prepayments and overpayments are allocated to invoices."
    if document.status != "AUTHORISED":
        return f"Only approved credit with some left can be allocated; this is {document.status.lower()}."
    if document.remaining <= 0:
        return "Nothing of this credit is left to allocate."
    return None


def credit_allocate(
    *,
    tenant: Tenant,
    document: Document,
    shares: list[Share],
    actor: User,
    on: date,
    seen: datetime | None = None,
) -> Written[Document]:
    """Apply parts of a credit note, prepayment or overpayment to invoices of its contact, in
    one call; every share at most what its invoice owes, all of them at most what is left."""
    reason = credit_guard(document)
    if reason:
        raise ValidationError(reason)
    shares = [s for s in shares if s.amount]
    if not shares:
        raise ValidationError("Enter an amount against at least one invoice.")
    for share in shares:
        invoice = share.invoice
        if share.amount < 0:
            raise ValidationError("Amounts to allocate must be more than zero.")
        if invoice.contact_xero_id != document.contact_xero_id or invoice.type != credit_side(
            document
        ):
            raise ValidationError(f"{invoice.number} is not an invoice this credit can settle.")
        if share.amount > invoice.amount_due:
            raise ValidationError(
                f"{invoice.number} owes {invoice.amount_due:,.2f}: allocate at most that."
            )
    total = sum((s.amount for s in shares), Decimal(0))
    if total > document.remaining:
        raise ValidationError(
            f"That is {total:,.2f} in all, more than the {document.remaining:,.2f} left to allocate."
        )
    kind = BY_KEY[document.kind]
    client = tenant_client(tenant, purpose="write")
    path = f"{kind.resource}/{document.xero_id}"
    check_unchanged(
        client, tenant, path, kind.resource, seen, lambda t, r: documents_upsert(t, kind, r)
    )
    client.put(
        f"{path}/Allocations",
        {
            "Allocations": [
                {
                    "Invoice": {"InvoiceID": s.invoice.xero_id},
                    "Amount": str(s.amount),
                    "Date": on.isoformat(),
                }
                for s in shares
            ]
        },
        idempotency_key=new_key(),
    )
    updated = _refresh(client, tenant, kind, document.xero_id)
    _refresh_invoices(client, tenant, [s.invoice.xero_id for s in shares])
    for share in shares:
        record_activity(
            tenant,
            actor,
            kind.key,
            "allocated",
            f"{_label(updated)} for {updated.contact_name} allocated to "
            f"{share.invoice.number}: {_money(share.amount, updated.currency_code)}",
            updated,
        )
    write_note(client, tenant, path, f"Allocated {_money(total, updated.currency_code)}", actor)
    return Written(updated, [str(w) for w in client.waits])


def allocation_remove(
    *, tenant: Tenant, document: Document, allocation_xero_id: str, actor: User
) -> Written[Document]:
    """Take an allocation back: the invoice owes it again and the credit has it to give."""
    allocation = document.allocations.filter(xero_id=allocation_xero_id).first()
    if allocation is None:
        raise ValidationError("That allocation is no longer there.")
    kind = BY_KEY[document.kind]
    client = tenant_client(tenant, purpose="write")
    path = f"{kind.resource}/{document.xero_id}"
    client.delete(f"{path}/Allocations/{allocation.xero_id}")
    updated = _refresh(client, tenant, kind, document.xero_id)
    _refresh_invoices(client, tenant, [allocation.invoice_xero_id])
    number = allocation.invoice.number if allocation.invoice else "an invoice"
    record_activity(
        tenant,
        actor,
        kind.key,
        "unallocated",
        f"{_money(allocation.amount, updated.currency_code)} of {_label(updated)} taken back "
        f"from {number} by {actor.email}",
        updated,
    )
    write_note(client, tenant, path, "Allocation removed", actor)
    return Written(updated, [str(w) for w in client.waits])


# ------------------------------------------------------------------ statuses


# What each action sets, from which statuses, on which kinds; and Xero's reason otherwise.
STATUS_ACTIONS: dict[tuple[str, str], tuple[str, set[str], str]] = {
    ("credit_note", "approve"): ("AUTHORISED", {"DRAFT", "SUBMITTED"}, "Only a draft can be approved."),
    ("credit_note", "void"): ("VOIDED", {"AUTHORISED"}, "Only approved credit not yet allocated can be voided."),
    ("credit_note", "delete"): ("DELETED", {"DRAFT", "SUBMITTED"}, "Only a draft can be deleted."),
    ("quote", "send"): ("SENT", {"DRAFT"}, "Only a draft quote can be marked sent."),
    ("quote", "accept"): ("ACCEPTED", {"SENT"}, "Only a sent quote can be accepted."),
    ("quote", "decline"): ("DECLINED", {"SENT"}, "Only a sent quote can be declined."),
    ("quote", "delete"): ("DELETED", {"DRAFT", "SENT"}, "Only a draft or sent quote can be deleted."),
    ("manual_journal", "post"): ("POSTED", {"DRAFT"}, "Only a draft journal can be posted."),
    ("manual_journal", "void"): ("VOIDED", {"POSTED"}, "Only a posted journal can be voided."),
    ("manual_journal", "delete"): ("DELETED", {"DRAFT"}, "Only a draft journal can be deleted."),
    ("bank_transaction", "delete"): ("DELETED", {"AUTHORISED"}, "This transaction is already deleted."),
}  # fmt: skip
VERBS = {
    "approve": "approved",
    "void": "voided",
    "delete": "deleted",
    "send": "marked sent",
    "accept": "accepted",
    "decline": "declined",
    "post": "posted",
}


def actions_for(document: Document) -> list[str]:
    """The status actions that apply to this document now."""
    return [
        action
        for (kind, action) in STATUS_ACTIONS
        if kind == document.kind and status_guard(document, action) is None
    ]


def status_guard(document: Document, action: str) -> str | None:
    """Why the action is not allowed on this document (Xero's rule), or None."""
    rule = STATUS_ACTIONS.get((document.kind, action))
    if rule is None:
        return "That cannot be done to this record."
    _, allowed, reason = rule
    if document.status not in allowed:
        return f"{reason} This one is {document.status.lower()}."
    if (
        action == "void"
        and document.kind == Document.Kind.CREDIT_NOTE
        and document.allocations.exists()
    ):
        return "This credit note has been allocated: remove its allocations before voiding it."
    if action == "delete" and document.kind == Document.Kind.BANK_TRANSACTION:
        if document.is_reconciled:
            return "This transaction has been reconciled and cannot be deleted."
        if document.type.endswith("-TRANSFER"):
            return "A transfer's transactions cannot be deleted here."
    return None


def document_status(
    *, tenant: Tenant, document: Document, action: str, actor: User, seen: datetime | None
) -> Written[Document]:
    """Approve, send, accept, decline, post, void or delete a document in Xero, guarded."""
    reason = status_guard(document, action)
    if reason:
        raise ValidationError(reason)
    kind = BY_KEY[document.kind]
    status = STATUS_ACTIONS[(document.kind, action)][0]
    client = tenant_client(tenant, purpose="write")
    path = f"{kind.resource}/{document.xero_id}"
    check_unchanged(
        client, tenant, path, kind.resource, seen, lambda t, r: documents_upsert(t, kind, r)
    )
    answer = client.post(
        path,
        {kind.resource: [{kind.id_field: document.xero_id, "Status": status}]},
        idempotency_key=new_key(),
    )
    updated = _answered(tenant, kind, answer)
    who = f" for {updated.contact_name}" if updated.contact_name else ""
    record_activity(
        tenant,
        actor,
        kind.key,
        action,
        f"{_label(updated)}{who} {VERBS[action]} by {actor.email}",
        updated,
    )
    write_note(client, tenant, path, VERBS[action].capitalize(), actor)
    return Written(updated, [str(w) for w in client.waits])


# ------------------------------------------------------------------ quotes into invoices


def quote_invoice(*, tenant: Tenant, quote: Document, actor: User) -> Written[Invoice]:
    """Turn an accepted quote into a draft invoice with the quote's lines, then mark the quote
    invoiced (Xero has no call that does both: its own app does these two steps)."""
    if quote.kind != Document.Kind.QUOTE or quote.status != "ACCEPTED":
        raise ValidationError("Only an accepted quote can be invoiced.")
    lines = list(quote.lines.all())
    if not lines:
        raise ValidationError("This quote has no lines to invoice.")
    client = tenant_client(tenant, purpose="write")
    invoice_body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"ContactID": quote.contact_xero_id},
        "Status": "DRAFT",
        "Reference": quote.number,
        "LineAmountTypes": _invoice_amount_types(quote.line_amount_types),
        "CurrencyCode": quote.currency_code,
        "LineItems": [_line_body(line) for line in lines],
    }
    answer = client.put(
        "Invoices",
        {"Invoices": [invoice_body]},
        idempotency_key=f"quote-invoice-{quote.xero_id}",
        params={"unitdp": "4"},
    )
    found = mirror.invoices_upsert(tenant, (answer or {}).get("Invoices") or [])
    if not found:
        raise XeroError("Xero's answer held no invoice.")
    invoice = Invoice.objects.get(pk=next(iter(found.values())))
    kind = BY_KEY[Document.Kind.QUOTE]
    marked = client.post(
        f"Quotes/{quote.xero_id}",
        {"Quotes": [{"QuoteID": quote.xero_id, "Status": "INVOICED"}]},
        idempotency_key=new_key(),
    )
    _answered(tenant, kind, marked)
    record_activity(
        tenant,
        actor,
        "quote",
        "invoiced",
        f"Quote {quote.number} for {quote.contact_name} invoiced as a draft by {actor.email}",
        invoice,
    )
    write_note(client, tenant, f"Quotes/{quote.xero_id}", "Invoiced", actor)
    return Written(invoice, [str(w) for w in client.waits])


def _invoice_amount_types(value: str) -> str:
    """A quote's EXCLUSIVE as an invoice's Exclusive (OAS-ACC QuoteLineAmountTypes)."""
    return {"EXCLUSIVE": "Exclusive", "INCLUSIVE": "Inclusive", "NOTAX": "NoTax"}.get(
        value.upper(), "Exclusive"
    )


def _line_body(line: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Description": line.description,
        "Quantity": str(line.quantity),
        "UnitAmount": str(line.unit_amount),
    }
    for field, key in (
        ("item_code", "ItemCode"),
        ("account_code", "AccountCode"),
        ("tax_type", "TaxType"),
    ):
        if getattr(line, field):
            body[key] = getattr(line, field)
    if line.discount_rate:
        body["DiscountRate"] = str(line.discount_rate)
    if line.tracking:
        body["Tracking"] = [
            {
                "TrackingCategoryID": t["TrackingCategoryID"],
                "TrackingOptionID": t["TrackingOptionID"],
            }
            for t in line.tracking
        ]
    return body


def invoice_credit(
    *,
    tenant: Tenant,
    invoice: Invoice,
    shares: list[tuple[Document, Decimal]],
    actor: User,
    on: date,
) -> Written[Invoice]:
    """From the invoice's side: apply some of each of the contact's credits to it, at most
    what it owes in all (one allocation call per credit)."""
    shares = [(credit, amount) for credit, amount in shares if amount]
    if not shares:
        raise ValidationError("Enter an amount against at least one credit.")
    total = sum((amount for _, amount in shares), Decimal(0))
    if total > invoice.amount_due:
        raise ValidationError(
            f"That is {total:,.2f} in all, more than the {invoice.amount_due:,.2f} it owes."
        )
    waits: list[str] = []
    for credit, amount in shares:
        if amount > credit.remaining:
            raise ValidationError(
                f"{_label(credit)} has {credit.remaining:,.2f} left: allocate at most that."
            )
        written = credit_allocate(
            tenant=tenant, document=credit, shares=[Share(invoice, amount)], actor=actor, on=on
        )
        waits += written.waits
        invoice = Invoice.objects.get(pk=invoice.pk)
    return Written(invoice, waits)
