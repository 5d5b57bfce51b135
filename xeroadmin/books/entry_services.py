"""Entering money spent or received on a bank account, and manual journals: through Xero first
with an Idempotency-Key, then the mirror from Xero's answer, the activity feed and a note in
the record's Xero history. Xero's refusals come back beside the fields and lines they name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from xeroadmin.accounts.models import User
from xeroadmin.books.kinds import BY_KEY
from xeroadmin.books.mirror_documents import documents_upsert
from xeroadmin.books.models import Account, Document
from xeroadmin.books.services import (
    Written,
    line_body,
    new_key,
    record_activity,
    rejected,
    write_note,
)
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant
from xeroadmin.xero.errors import XeroError, XeroValidationError

BANK_FIELDS = {
    "contact": "Contact",
    "date": "Date",
    "reference": "Reference",
    "bank_account": "BankAccount",
}
JOURNAL_FIELDS = {"narration": "Narration", "date": "Date"}


def bank_accounts(*, tenant: Tenant) -> list[Account]:
    """The organisation's active bank accounts."""
    return list(
        Account.objects.filter(tenant=tenant, type="BANK", status="ACTIVE").order_by("code")
    )


def _saved(tenant: Tenant, key: str, answer: Any) -> Document:
    kind = BY_KEY[key]
    found = documents_upsert(tenant, kind, (answer or {}).get(kind.resource) or [])
    if not found:
        raise XeroError(f"Xero's answer held no {kind.singular.lower()}.")
    return Document.objects.get(pk=next(iter(found.values())))


def bank_editable(document: Document) -> bool:
    """Whether a bank transaction can be changed here: spend or receive money, entered and
    not yet reconciled (Xero refuses the rest)."""
    return (
        document.type in ("SPEND", "RECEIVE")
        and document.status == "AUTHORISED"
        and not document.is_reconciled
    )


def bank_transaction_save(
    *,
    tenant: Tenant,
    actor: User,
    header: dict[str, Any],
    lines: list[dict[str, Any]],
    document: Document | None = None,
    seen: Any = None,
) -> Written[Document]:
    """Money spent from, or received into, a bank account, line by line (tracking too); or
    such a transaction, not yet reconciled, changed (never over a change made in Xero)."""
    from xeroadmin.books.services import check_unchanged

    if header["type"] not in ("SPEND", "RECEIVE"):
        raise ValidationError({"type": "Choose spend or receive money."})
    if document is not None and not bank_editable(document):
        raise ValidationError("Only spend or receive money not yet reconciled can be changed.")
    body = {
        "Type": header["type"],
        "Contact": {"ContactID": header["contact"]},
        "BankAccount": {"AccountID": header["bank_account"]},
        "Date": header["date"].isoformat(),
        "Reference": header.get("reference") or "",
        "LineAmountTypes": header["line_amount_types"],
        "LineItems": [line_body(line) for line in lines],
    }
    client = tenant_client(tenant, purpose="write")
    try:
        if document is None:
            answer = client.put(
                "BankTransactions", {"BankTransactions": [body]}, idempotency_key=new_key()
            )
        else:
            path = f"BankTransactions/{document.xero_id}"
            kind = BY_KEY["bank_transaction"]
            check_unchanged(
                client, tenant, path, kind.resource, seen, lambda t, r: documents_upsert(t, kind, r)
            )
            body["BankTransactionID"] = document.xero_id
            answer = client.post(path, {"BankTransactions": [body]}, idempotency_key=new_key())
    except XeroValidationError as error:
        raise rejected(error, BANK_FIELDS) from None
    saved = _saved(tenant, "bank_transaction", answer)
    what = "Spend money" if saved.type == "SPEND" else "Receive money"
    direction = "to" if saved.type == "SPEND" else "from"
    verb = "entered" if document is None else "changed"
    record_activity(
        tenant,
        actor,
        "bank_transaction",
        "created" if document is None else "edited",
        f"{what} of {saved.currency_code} {saved.total:,.2f} {direction} {saved.contact_name} "
        f"{verb} by {actor.email}",
        saved,
    )
    write_note(client, tenant, f"BankTransactions/{saved.xero_id}", verb.capitalize(), actor)
    return Written(saved, [str(w) for w in client.waits])


def journal_balance(lines: list[dict[str, Any]]) -> tuple[Decimal, Decimal]:
    """(debits, credits) of a journal's lines, each line a debit or a credit."""
    debits = sum((line.get("debit") or Decimal(0) for line in lines), Decimal(0))
    credits = sum((line.get("credit") or Decimal(0) for line in lines), Decimal(0))
    return debits, credits


def manual_journal_create(
    *, tenant: Tenant, actor: User, header: dict[str, Any], lines: list[dict[str, Any]], post: bool
) -> Written[Document]:
    """A manual journal, saved as a draft or posted; to be posted its debits must equal its
    credits (checked here first, as Xero checks)."""
    debits, credits = journal_balance(lines)
    if post and debits != credits:
        raise ValidationError(
            f"Debits ({debits:,.2f}) and credits ({credits:,.2f}) must be equal to post it."
        )
    if len(lines) < 2:
        raise ValidationError("A journal needs at least two lines.")
    body = {
        "Narration": header["narration"],
        "Date": header["date"].isoformat(),
        "LineAmountTypes": "NoTax",
        "Status": "POSTED" if post else "DRAFT",
        "JournalLines": [
            {
                "AccountCode": line["account_code"],
                "Description": line.get("description") or "",
                "LineAmount": str((line.get("debit") or 0) - (line.get("credit") or 0)),
                **({"Tracking": line["tracking"]} if line.get("tracking") else {}),
            }
            for line in lines
        ],
    }
    client = tenant_client(tenant, purpose="write")
    try:
        answer = client.put("ManualJournals", {"ManualJournals": [body]}, idempotency_key=new_key())
    except XeroValidationError as error:
        raise rejected(error, JOURNAL_FIELDS) from None
    saved = _saved(tenant, "manual_journal", answer)
    record_activity(
        tenant,
        actor,
        "manual_journal",
        "posted" if post else "created",
        f"Manual journal “{saved.reference}” of {saved.currency_code or tenant.base_currency} "
        f"{saved.total:,.2f} {'posted' if post else 'saved as a draft'} by {actor.email}",
        saved,
    )
    write_note(client, tenant, f"ManualJournals/{saved.xero_id}", "Entered", actor)
    return Written(saved, [str(w) for w in client.waits])


# What each editable kind sends, and the statuses in which Xero lets it be changed.
EDITABLE = {"credit_note": {"DRAFT", "SUBMITTED"}, "quote": {"DRAFT", "SENT"}}
DOCUMENT_FIELDS = {
    "contact": "Contact",
    "date": "Date",
    "due_date": "ExpiryDate",
    "reference": "Reference",
    "title": "Title",
    "currency_code": "CurrencyCode",
}


def document_save(
    *,
    tenant: Tenant,
    kind_key: str,
    document: Document | None,
    actor: User,
    header: dict[str, Any],
    lines: list[dict[str, Any]],
    seen: Any = None,
) -> Written[Document]:
    """A new draft credit note or quote, or one still editable changed (never over a change
    made in Xero since it was opened)."""
    from xeroadmin.books.services import check_unchanged

    kind = BY_KEY[kind_key]
    if document is not None and document.status not in EDITABLE[kind_key]:
        raise ValidationError(
            f"A {document.status.lower()} {kind.singular.lower()} cannot be changed here."
        )
    quote = kind_key == "quote"
    amounts = header["line_amount_types"]
    body: dict[str, Any] = {
        "Contact": {"ContactID": header["contact"]},
        "Date": header["date"].isoformat(),
        "Reference": header.get("reference") or "",
        "CurrencyCode": header["currency_code"],
        # Quotes spell it in capitals (OAS-ACC schemas.QuoteLineAmountTypes).
        "LineAmountTypes": amounts.upper() if quote else amounts,
        "LineItems": [line_body(line) for line in lines],
    }
    if quote:
        body["Title"] = header.get("title") or ""
        if header.get("due_date"):
            body["ExpiryDate"] = header["due_date"].isoformat()
    else:
        body["Type"] = header["type"]
    client = tenant_client(tenant, purpose="write")
    try:
        if document is None:
            body["Status"] = "DRAFT"
            answer = client.put(
                kind.resource,
                {kind.resource: [body]},
                idempotency_key=new_key(),
                params={"unitdp": "4"},
            )
        else:
            path = f"{kind.resource}/{document.xero_id}"
            check_unchanged(
                client, tenant, path, kind.resource, seen, lambda t, r: documents_upsert(t, kind, r)
            )
            answer = client.post(
                path,
                {kind.resource: [{kind.id_field: document.xero_id, **body}]},
                idempotency_key=new_key(),
                params={"unitdp": "4"},
            )
    except XeroValidationError as error:
        raise rejected(error, DOCUMENT_FIELDS) from None
    saved = _saved(tenant, kind_key, answer)
    verb = "created" if document is None else "edited"
    record_activity(
        tenant,
        actor,
        kind_key,
        verb,
        f"{kind.singular} {saved.number} for {saved.contact_name} {verb} by {actor.email}",
        saved,
    )
    write_note(client, tenant, f"{kind.resource}/{saved.xero_id}", verb.capitalize(), actor)
    return Written(saved, [str(w) for w in client.waits])
