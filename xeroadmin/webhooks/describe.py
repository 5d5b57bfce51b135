"""What changed, in words a person reads: computed from the mirror before and after."""

from __future__ import annotations

from datetime import date
from typing import Any

from xeroadmin.books.models import Contact, Document, Invoice
from xeroadmin.books.words import status_word
from xeroadmin.lib.money import money

INVOICE_FIELDS = (
    "number", "type", "status", "contact_name", "total", "amount_due", "currency_code",
    "due_date", "reference", "updated_utc",
)  # fmt: skip
CONTACT_FIELDS = (
    "name", "first_name", "last_name", "email", "contact_number", "status", "updated_utc",
)  # fmt: skip

Snapshot = dict[str, Any]


def snapshots(model: type[Invoice] | type[Contact], tenant_pk: int, ids: list[str]) -> dict:
    """{xero_id: the fields we describe} for the mirror's copies of these records."""
    fields = INVOICE_FIELDS if model is Invoice else (*CONTACT_FIELDS, "raw")
    rows = model.objects.filter(tenant_id=tenant_pk, xero_id__in=ids).values(
        "xero_id", "pk", "synced_at", *fields
    )
    found = {}
    for row in rows:
        if model is Contact:
            raw = row.pop("raw") or {}
            row["places"] = (raw.get("Addresses"), raw.get("Phones"))
        found[row.pop("xero_id")] = row
    return found


def amount(value: Any, currency: str = "") -> str:
    """An amount as every page writes it (`lib.money`)."""
    if value is None:
        return "—"
    return money(value, currency)


def _day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "none"


def invoice_summary(before: Snapshot | None, after: Snapshot, verb: str) -> tuple[str, list[str]]:
    """("Invoice INV-0042 for Acme Ltd was updated in Xero: Awaiting payment → Paid, NZ$1,200.00",
    the changes); no changes means nothing a person would notice changed."""
    bill = after["type"] == Invoice.Type.BILL
    title = ("Bill" if bill else "Invoice") + (f" {after['number']}" if after["number"] else "")
    party = f" {'from' if bill else 'for'} {after['contact_name']}" if after["contact_name"] else ""
    total = amount(after["total"], after["currency_code"])
    if before is None:
        changes = [f"{status_word(after['status'])}, {total}"]
        return f"{title}{party} was created in Xero: {changes[0]}", changes
    changes = []
    if before["status"] != after["status"]:
        changes.append(f"{status_word(before['status'])} → {status_word(after['status'])}, {total}")
    if before["total"] != after["total"]:
        changes.append(f"total {amount(before['total'], before['currency_code'])} → {total}")
    if before["amount_due"] != after["amount_due"] and before["status"] == after["status"]:
        changes.append(f"{amount(after['amount_due'], after['currency_code'])} now due")
    if before["due_date"] != after["due_date"]:
        changes.append(f"due {_day(before['due_date'])} → {_day(after['due_date'])}")
    if before["reference"] != after["reference"]:
        changes.append(f"reference “{before['reference']}” → “{after['reference']}”")
    if before["contact_name"] != after["contact_name"]:
        changes.append(f"contact {before['contact_name']} → {after['contact_name']}")
    if before["number"] != after["number"] and before["number"]:
        changes.append(f"number {before['number']} → {after['number']}")
    if not changes and before["updated_utc"] != after["updated_utc"]:
        changes.append("details changed")
    return f"{title}{party} was {verb} in Xero: {', '.join(changes)}", changes


def contact_summary(before: Snapshot | None, after: Snapshot, verb: str) -> tuple[str, list[str]]:
    title = f"Contact {after['name']}"
    if before is None:
        return f"{title} was created in Xero", ["created"]
    changes = []
    if before["status"] != after["status"]:
        changes.append("archived" if after["status"] == "ARCHIVED" else "restored")
    if before["name"] != after["name"]:
        changes.append(f"renamed from {before['name']}")
    for field, label in (
        ("email", "e-mail"),
        ("first_name", "first name"),
        ("last_name", "last name"),
        ("contact_number", "contact number"),
    ):
        if before[field] != after[field]:
            changes.append(f"{label} “{before[field]}” → “{after[field]}”")
    if before["places"] != after["places"]:
        changes.append("addresses or phone numbers changed")
    if not changes and before["updated_utc"] != after["updated_utc"]:
        changes.append("details changed")
    return f"{title} was {verb} in Xero: {', '.join(changes)}", changes


def credit_snapshots(tenant_pk: int, ids: list[str]) -> dict[str, Snapshot]:
    """{xero_id: status, remaining and {allocation id: (invoice number, amount)}} of the
    mirror's copies of these credit notes, prepayments or overpayments."""
    rows = Document.objects.filter(tenant_id=tenant_pk, xero_id__in=ids).prefetch_related(
        "allocations__invoice"
    )
    return {
        row.xero_id: {
            "status": row.status,
            "remaining": row.remaining,
            "allocations": {
                a.xero_id: (a.invoice.number if a.invoice else "an invoice", a.amount)
                for a in row.allocations.all()
            },
        }
        for row in rows
    }


def credit_summary(
    label: str,
    record: dict[str, Any] | None,
    before: Snapshot | None,
    after: Snapshot | None,
    event: Any,
    verb: str,
) -> str:
    """In words: "Credit note CN-0012 for Acme allocated to INV-0042: $120.00" when it was
    allocated since our copy, else what it now is; from the event alone when Xero returned
    nothing."""
    if not record:
        data = event.data or {}
        side = {"ACCRECCREDIT": "sales ", "ACCPAYCREDIT": "purchase "}.get(
            str(data.get("Type")), ""
        )
        status = f": {status_word(data['Status'])}" if data.get("Status") else ""
        return f"A {side}{label.lower()} was {verb} in Xero{status}"
    number = record.get("CreditNoteNumber") or ""
    title = f"{label} {number}".strip()
    contact = (record.get("Contact") or {}).get("Name")
    party = f" for {contact}" if contact else ""
    currency = str(record.get("CurrencyCode") or "")
    had = (before or {}).get("allocations", {})
    # The invoice's number as Xero's answer gives it (the invoice may not be mirrored yet).
    named = {
        str(a.get("AllocationID") or "").lower(): str(
            (a.get("Invoice") or {}).get("InvoiceNumber") or ""
        )
        for a in record.get("Allocations") or []
        if isinstance(a, dict)
    }
    new = [
        (named.get(k) or v[0], v[1])
        for k, v in (after or {}).get("allocations", {}).items()
        if k not in had
    ]
    if new:
        to = " and ".join(f"{number_}: {amount(value, currency)}" for number_, value in new)
        return f"{title}{party} allocated to {to}"
    gone = [v for k, v in had.items() if k not in (after or {}).get("allocations", {})]
    if gone:
        back = " and ".join(f"{number_}: {amount(value, currency)}" for number_, value in gone)
        return f"{title}{party}: allocation taken back from {back}"
    total = amount(record.get("Total"), currency)
    return f"{title}{party} was {verb} in Xero: {status_word(record.get('Status'), 'credit_note')}, {total}"
