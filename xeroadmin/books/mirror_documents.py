"""The other record kinds into the mirror (credit notes, quotes, bank transactions, manual
journals, prepayments, overpayments): one bulk upsert, as for invoices, with each document's
lines and, for credit, its allocations to invoices."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from xeroadmin.books import mirror
from xeroadmin.books.kinds import BY_KEY, Kind
from xeroadmin.books.mirror import COMMON, Fits, Record, Upserted
from xeroadmin.books.models import Allocation, Contact, Document, DocumentLine, Invoice
from xeroadmin.connections.models import Tenant

# What every document's columns hold (the rest of Xero's record is kept as raw JSON).
MODELLED = frozenset(
    {
        "Type", "Reference", "Contact", "Date", "DateString", "DueDate", "ExpiryDate",
        "ExpiryDateString", "Status", "LineAmountTypes", "CurrencyCode", "CurrencyRate",
        "SubTotal", "TotalTax", "Total", "RemainingCredit", "BankAccount", "IsReconciled",
        "HasAttachments", "UpdatedDateUTC", "UpdatedDateUTCString", "LineItems",
        "JournalLines", "Allocations", "Narration", "BankTransactionID", "CreditNoteID",
        "QuoteID", "ManualJournalID", "PrepaymentID", "OverpaymentID", "CreditNoteNumber",
        "QuoteNumber",
    }
)  # fmt: skip


def upsert_for(key: str) -> Callable[[Tenant, Iterable[Record]], Upserted]:
    """The upsert of one kind (what the sync, writes and webhooks call)."""
    kind = BY_KEY[key]
    return lambda tenant, records: documents_upsert(tenant, kind, records)


def documents_upsert(tenant: Tenant, kind: Kind, records: Iterable[Record]) -> Upserted:
    """Documents of one kind, with their lines (and allocations) when Xero sent them."""
    records = [r for r in records if r.get(kind.id_field)]
    contacts = mirror.pks(
        Contact,
        tenant,
        {mirror.xero_id((r.get("Contact") or {}).get("ContactID")) for r in records},
    )
    rows, lines, allocations = [], {}, {}
    for r in records:
        fits = Fits()
        key = mirror.xero_id(r[kind.id_field])
        raw_lines = r.get(kind.lines_field)
        if isinstance(raw_lines, list):
            lines[key] = [
                _line(kind, n, line, fits)
                for n, line in enumerate(raw_lines)
                if isinstance(line, dict)
            ]
        if kind.credit and isinstance(r.get("Allocations"), list):
            allocations[key] = [a for a in r["Allocations"] if isinstance(a, dict)]
        rows.append(_row(kind, r, fits, contacts))
    fields = [name for name in rows[0] if name not in ("xero_id", *COMMON)] if rows else []
    with transaction.atomic():
        found = mirror.upsert(Document, tenant, rows, fields)
        if lines:
            DocumentLine.objects.filter(document_id__in=[found[i] for i in lines]).delete()
            mirror.insert(
                DocumentLine,
                [{"document": found[i], **line} for i, of in lines.items() for line in of],
            )
        if allocations:
            _allocations_replace(tenant, found, allocations)
        if rows:
            mirror.invoices_changed(tenant)  # the books' version: reports read afresh
    return found


def _row(kind: Kind, r: Record, fits: Fits, contacts: dict[str, int]) -> dict[str, Any]:
    contact = r.get("Contact") or {}
    bank = r.get("BankAccount") or {}
    # A journal has no total: its size is its debits.
    journal = kind.key == Document.Kind.MANUAL_JOURNAL
    total = _debits(r, fits) if journal else fits(r.get("Total"), "Total")
    reference = r.get("Narration") if journal else r.get("Reference")
    if kind.key == Document.Kind.QUOTE and not reference:
        reference = r.get("Title")
    contact_id = mirror.xero_id(contact.get("ContactID"))
    return {
        "xero_id": mirror.xero_id(r[kind.id_field]),
        "kind": kind.key,
        "type": mirror.text(r.get("Type"), 30),
        "number": mirror.text(r.get(kind.number_field), 255) if kind.number_field else "",
        "reference": mirror.text(reference, 255),
        "contact": contacts.get(contact_id),
        "contact_xero_id": contact_id,
        "contact_name": mirror.text(contact.get("Name"), 255),
        "date": mirror.day(r.get("Date")),
        "due_date": mirror.day(r.get("ExpiryDate") or r.get("DueDate")),
        "status": mirror.text(r.get("Status"), 20),
        "line_amount_types": mirror.text(r.get("LineAmountTypes"), 20),
        "currency_code": mirror.text(r.get("CurrencyCode"), 3),
        "currency_rate": fits(r.get("CurrencyRate"), "CurrencyRate", places=6) or 1,
        "subtotal": fits(r.get("SubTotal"), "SubTotal"),
        "total_tax": fits(r.get("TotalTax"), "TotalTax"),
        "total": total,
        "remaining": fits(r.get("RemainingCredit"), "RemainingCredit") if kind.credit else 0,
        "bank_account_code": mirror.text(bank.get("Code"), 10),
        "bank_account_name": mirror.text(bank.get("Name"), 150),
        "is_reconciled": bool(r.get("IsReconciled")),
        "has_attachments": bool(r.get("HasAttachments")),
        "problem": fits.text(),
        "updated_utc": mirror.updated(r),
        "raw": mirror.rest(r, MODELLED) if not fits.problems else dict(r),
    }


def _debits(r: Record, fits: Fits) -> Decimal:
    amounts = [
        fits(line.get("LineAmount"), "LineAmount")
        for line in r.get("JournalLines") or []
        if isinstance(line, dict)
    ]
    return sum((a for a in amounts if a > 0), Decimal(0))


def _line(kind: Kind, position: int, line: Record, fits: Fits) -> dict[str, Any]:
    if kind.lines_field == "LineItems":
        return mirror.line_row(position, line, fits)
    # A journal line: an account and an amount (debits positive), no quantity or price.
    return mirror.line_row(
        position,
        {**line, "Quantity": 1, "UnitAmount": line.get("LineAmount")},
        fits,
    )


def _allocations_replace(
    tenant: Tenant, found: dict[str, int], allocations: dict[str, list[Record]]
) -> None:
    """Each credit's allocations as Xero now lists them (deleted ones are not listed)."""
    invoice_ids = {
        mirror.xero_id((a.get("Invoice") or {}).get("InvoiceID"))
        for of in allocations.values()
        for a in of
    }
    invoices = mirror.pks(Invoice, tenant, invoice_ids)
    Allocation.objects.filter(source_id__in=[found[k] for k in allocations]).delete()
    rows = []
    for key, of in allocations.items():
        for a in of:
            if not a.get("AllocationID") or a.get("IsDeleted"):
                continue
            fits = Fits()
            invoice = mirror.xero_id((a.get("Invoice") or {}).get("InvoiceID"))
            rows.append(
                Allocation(
                    tenant=tenant,
                    xero_id=mirror.xero_id(a["AllocationID"]),
                    source_id=found[key],
                    invoice_id=invoices.get(invoice),
                    invoice_xero_id=invoice,
                    amount=fits(a.get("Amount"), "Amount"),
                    date=mirror.day(a.get("Date")),
                )
            )
    Allocation.objects.bulk_create(rows, ignore_conflicts=True)
