"""What changed, in words a person reads: computed from the mirror before and after."""

from __future__ import annotations

from datetime import date
from typing import Any

from xeroadmin.books.models import Contact, Invoice
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


def credit_note_summary(record: dict[str, Any] | None, event: Any, verb: str) -> str:
    """From the credit note Xero returned, else from what the event carried."""
    if record:
        number = record.get("CreditNoteNumber")
        title = f"Credit note {number}" if number else "A credit note"
        contact = (record.get("Contact") or {}).get("Name")
        party = f" for {contact}" if contact else ""
        total = amount(record.get("Total"), str(record.get("CurrencyCode") or ""))
        return f"{title}{party} was {verb} in Xero: {status_word(record.get('Status'))}, {total}"
    data = event.data or {}
    kind = {"ACCRECCREDIT": "sales", "ACCPAYCREDIT": "purchase"}.get(str(data.get("Type")), "")
    status = f": {status_word(data['Status'])}" if data.get("Status") else ""
    return f"A {kind + ' ' if kind else ''}credit note was {verb} in Xero{status}"
