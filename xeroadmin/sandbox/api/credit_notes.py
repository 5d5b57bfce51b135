"""Credit notes: the invoice rules for lines, totals, currency and statuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import books, serialize
from xeroadmin.sandbox.api import allocations
from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    add_history,
    envelope,
    find_record,
    list_records,
    write_collection,
    write_record,
)
from xeroadmin.sandbox.api.documents import document_body
from xeroadmin.sandbox.api.invoices import INVOICE_SCOPES
from xeroadmin.sandbox.api.records import attachments_of, history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import new_id, validation_error
from xeroadmin.sandbox.pdf import invoice_pdf

CREDIT_TYPES = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}


def credit_note_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    """Create or update a credit note: the invoice rules for lines, totals and statuses."""
    org = call.org
    errors: list[str] = []
    credit_type = item.get("Type") if existing is None else existing["Type"]
    if credit_type not in CREDIT_TYPES:
        raise validation_error(["Credit note Type must be ACCRECCREDIT or ACCPAYCREDIT."])
    current = existing["Status"] if existing else "DRAFT"
    wanted = item.get("Status", current)
    if wanted not in books.TRANSITIONS or wanted == "PAID":
        raise validation_error([f"Status {wanted} cannot be set on a credit note."])
    if existing is not None:
        message = books.transition_error(current, wanted)
        if message:
            raise validation_error([message])
        allocated = books.allocations_of(org, existing["CreditNoteID"])
        changes_content = any(
            k in item for k in ("LineItems", "Contact", "CurrencyCode", "LineAmountTypes")
        )
        if allocated and (wanted == "VOIDED" or changes_content):
            raise validation_error(
                [
                    "This credit note has been allocated to invoices: remove the allocations "
                    "before changing or voiding it."
                ]
            )
    record = (
        dict(existing)
        if existing
        else {
            "CreditNoteID": new_id(),
            "Type": credit_type,
            "CreditNoteNumber": "",
            "Reference": "",
            "LineAmountTypes": "Exclusive",
            "LineItems": [],
            "AmountPaid": Decimal(0),
            "AmountCredited": Decimal(0),
            "CurrencyCode": org.currency,
            "Date": call.now.date(),
        }
    )
    document_body(
        call,
        record,
        item,
        new=existing is None,
        invoice_type=CREDIT_TYPES[str(credit_type)],
        errors=errors,
    )
    if wanted in ("SUBMITTED", "AUTHORISED") and not record["LineItems"]:
        errors.append("Credit notes must have at least one line item before they can be approved.")
    if errors:
        raise validation_error(errors)
    if not record["CreditNoteNumber"]:
        record["CreditNoteNumber"] = (
            item.get("CreditNoteNumber") or f"CN-{len(org.credit_notes) + 1:04d}"
        )
    record["Status"] = wanted
    books.invoice_totals(org, record)
    record["UpdatedDateUTC"] = call.now
    org.credit_notes[record["CreditNoteID"]] = record
    call.events.append(
        ("CREDITNOTE", "CREATE" if existing is None else "UPDATE", record["CreditNoteID"])
    )
    add_history(
        call,
        record["CreditNoteID"],
        "Created" if existing is None else "Edited",
        f"{record['CreditNoteNumber']} {'created' if existing is None else 'edited'}.",
    )
    return record


def _render(call: Call) -> Any:
    def one(record: dict[str, Any]) -> dict[str, Any]:
        out = serialize.credit_note(record, call.unit_places())
        out["Allocations"] = [
            allocations.render(call.org, allocations.CREDIT_NOTE, a)
            for a in books.allocations_of(call.org, record["CreditNoteID"])
        ]
        return out

    return one


def _list(call: Call) -> Reply:
    records, pagination = list_records(
        call, list(call.org.credit_notes.values()), default_order="UpdatedDateUTC ASC", paged=True
    )
    return envelope(call, "CreditNotes", [_render(call)(r) for r in records], pagination)


def _write(call: Call) -> Reply:
    notes = call.org.credit_notes
    return write_collection(
        call,
        "CreditNotes",
        credit_note_apply,
        _render(call),
        lambda item: notes.get(str(item.get("CreditNoteID", "")).lower()),
    )


def _get(call: Call, record: dict[str, Any]) -> Reply:
    # Xero answers a document as PDF when that is what the client accepts (OAS-ACC
    # getCreditNoteAsPdf, the same path with Accept: application/pdf).
    if "application/pdf" in call.headers.get("accept", ""):
        return Reply(200, invoice_pdf(call.org, record), content_type="application/pdf")
    return envelope(call, "CreditNotes", [_render(call)(record)])


# Credit notes are transactions: the invoices' scopes read and write them.
register(
    Resource(
        "CreditNotes",
        INVOICE_SCOPES,
        list=_list,
        create=_write,
        save=_write,
        find=lambda call, key: find_record(
            call.org.credit_notes, "CreditNoteNumber", key, "CreditNoteID"
        ),
        get=_get,
        update=lambda call, record: write_record(
            call, "CreditNotes", record, credit_note_apply, _render(call)
        ),
        sub={
            "history": history_of("CreditNoteID"),
            "attachments": attachments_of("CreditNoteID"),
            "allocations": allocations.sub(allocations.CREDIT_NOTE),
            "pdf": lambda call, record: Reply(
                200, invoice_pdf(call.org, record), content_type="application/pdf"
            ),
        },
    )
)
