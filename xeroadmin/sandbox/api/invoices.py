"""Invoices and bills: created, edited, approved, voided, deleted as drafts, e-mailed, shared
online and printed, with Xero's status rules, totals and numbering."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import books, serialize
from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    add_history,
    envelope,
    find_record,
    list_records,
    method_not_allowed,
    string_field,
    write_collection,
    write_record,
)
from xeroadmin.sandbox.api.documents import (
    document_contact,
    document_currency,
    document_lines,
    document_terms,
)
from xeroadmin.sandbox.api.records import attachments_of, history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import InputError, new_id, parse_date, validation_error
from xeroadmin.sandbox.pdf import invoice_pdf
from xeroadmin.sandbox.state import Org

DAILY_EMAILS = 1000
INVOICE_SCOPES = (
    {
        "accounting.invoices",
        "accounting.invoices.read",
        "accounting.transactions",
        "accounting.transactions.read",
    },
    {"accounting.invoices", "accounting.transactions"},
)
VERBS = {
    "AUTHORISED": "Approved",
    "VOIDED": "Voided",
    "DELETED": "Deleted",
    "SUBMITTED": "Submitted",
    "DRAFT": "Redrafted",
}


def invoice_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    """Create an invoice from `item`, or apply `item` to `existing`, as Xero would."""
    org = call.org
    invoice_type = item.get("Type") if existing is None else existing["Type"]
    current, wanted = _status_change(org, existing, item, invoice_type)
    record = dict(existing) if existing else _new_invoice(call, str(invoice_type))
    errors: list[str] = []
    _apply_fields(call, record, item, str(invoice_type), errors)
    _check_number(org, record, errors)
    if wanted in ("SUBMITTED", "AUTHORISED"):
        _check_ready(record, errors)
    if errors:
        raise validation_error(errors)
    if invoice_type == "ACCREC" and not record["InvoiceNumber"]:
        record["InvoiceNumber"] = org.next_invoice_number()
    record["Status"] = wanted
    books.invoice_totals(org, record)
    if record["Total"] < 0 and wanted == "AUTHORISED":
        raise validation_error(["The invoice total cannot be negative."])
    record["UpdatedDateUTC"] = call.now
    org.invoices[record["InvoiceID"]] = record
    call.events.append(("INVOICE", "CREATE" if existing is None else "UPDATE", record["InvoiceID"]))
    _note_change(call, record, existing, current, wanted)
    return record


def _status_change(
    org: Org, existing: dict[str, Any] | None, item: dict[str, Any], invoice_type: Any
) -> tuple[str, str]:
    """(current, wanted) status, refused as Xero refuses: a type that cannot be, a transition
    Xero does not allow, PAID by hand, and changes to an invoice with payments."""
    if existing is None and invoice_type not in books.INVOICE_TYPES:
        raise validation_error(["Invoice Type must be ACCREC or ACCPAY."])
    if existing is not None and "Type" in item and item["Type"] != existing["Type"]:
        raise validation_error(["The invoice type cannot be changed."])
    current = existing["Status"] if existing else "DRAFT"
    wanted = item.get("Status", current if existing else "DRAFT")
    if wanted not in books.TRANSITIONS:
        raise validation_error([f"Status must be one of {', '.join(books.TRANSITIONS)}."])
    if wanted == "PAID" and current != "PAID":
        raise validation_error(
            ["An invoice becomes PAID when payments cover it; record a payment instead."]
        )
    if existing is None:
        return current, wanted
    message = books.transition_error(current, wanted)
    if message:
        raise validation_error([message])
    paid = books.payments_of(org, existing["InvoiceID"]) or books.allocations_of(
        org, existing["InvoiceID"]
    )
    changes_content = any(
        k in item for k in ("LineItems", "Contact", "CurrencyCode", "LineAmountTypes")
    )
    if paid and (wanted == "VOIDED" or changes_content):
        raise validation_error(
            [
                "This document cannot be edited as it has a payment or credit note allocated to it."
                if changes_content
                else "Payments or credits have been applied to this invoice: remove them before voiding it."
            ]
        )
    return current, wanted


def _new_invoice(call: Call, invoice_type: str) -> dict[str, Any]:
    return {
        "InvoiceID": new_id(),
        "Type": invoice_type,
        "InvoiceNumber": "",
        "Reference": "",
        "LineAmountTypes": "Exclusive",
        "LineItems": [],
        "AmountPaid": Decimal(0),
        "AmountCredited": Decimal(0),
        "CurrencyCode": call.org.currency,
        "CurrencyRate": Decimal(1),
        "SentToContact": False,
        "HasAttachments": False,
        "FullyPaidOnDate": None,
        "CreatedByClientID": call.client_id,
        "Date": call.now.date(),
        "DueDate": None,
    }


def _apply_fields(
    call: Call, record: dict[str, Any], item: dict[str, Any], invoice_type: str, errors: list[str]
) -> None:
    """The element's fields onto the record; what is wrong goes to `errors`."""
    org = call.org
    if "Contact" in item or "Contact" not in record:
        contact = document_contact(call, item.get("Contact"), errors)
        if contact is not None:
            record["Contact"] = {"ContactID": contact["ContactID"], "Name": contact["Name"]}
            flag = "IsCustomer" if invoice_type == "ACCREC" else "IsSupplier"
            if not contact.get(flag):
                org.contacts[contact["ContactID"]] = {**contact, flag: True}
    try:
        if "Date" in item:
            record["Date"] = parse_date(item["Date"], "Date") or call.now.date()
        if "DueDate" in item:
            record["DueDate"] = parse_date(item["DueDate"], "DueDate")
    except InputError as error:
        errors.append(str(error))
    document_terms(record, item, errors)
    document_currency(call, record, item, errors)
    if "LineItems" in item:
        record["LineItems"] = document_lines(
            call, item["LineItems"], invoice_type, errors, record["LineItems"]
        )
    number = string_field(item, "InvoiceNumber", 255, errors)
    if number is not None:
        record["InvoiceNumber"] = number


def _check_number(org: Org, record: dict[str, Any], errors: list[str]) -> None:
    """A sales invoice's number is unique in the organisation (bills' numbers need not be)."""
    if record["Type"] != "ACCREC" or not record["InvoiceNumber"]:
        return
    number = record["InvoiceNumber"].lower()
    if any(
        i["Type"] == "ACCREC"
        and i["InvoiceID"] != record["InvoiceID"]
        and i["InvoiceNumber"].lower() == number
        for i in org.invoices.values()
    ):
        errors.append("Invoice # must be unique.")


def _check_ready(record: dict[str, Any], errors: list[str]) -> None:
    """What an invoice needs before it is submitted or approved."""
    if not record["LineItems"]:
        errors.append("Invoices must have at least one line item before they can be approved.")
    if record.get("DueDate") is None:
        errors.append("Due Date is required for invoices that are submitted or approved.")
    if any(not line.get("AccountCode") for line in record["LineItems"]):
        errors.append(
            "Account code must be specified for each line item before the invoice is approved."
        )


def _note_change(
    call: Call, record: dict[str, Any], existing: Any, current: str, wanted: str
) -> None:
    label = record["InvoiceNumber"] or "Bill"
    if existing is None:
        total = f"{record['Total']:.2f}"
        details = f"{label} to {record['Contact']['Name']} for {total}."
        add_history(call, record["InvoiceID"], "Created", details)
    elif current != wanted:
        verb = VERBS[wanted]
        add_history(call, record["InvoiceID"], verb, f"{label} {verb.lower()}.")
    else:
        add_history(call, record["InvoiceID"], "Edited", f"{label} edited.")


def _render(call: Call) -> Any:
    return lambda record: serialize.invoice(call.org, record, unitdp=call.unit_places())


def _existing(call: Call, item: dict[str, Any]) -> dict[str, Any] | None:
    """The invoice a POSTed element names, by InvoiceID or InvoiceNumber."""
    key = item.get("InvoiceID") or item.get("InvoiceNumber")
    if not isinstance(key, str):
        return None
    invoices = call.org.invoices
    found = invoices.get(key.lower()) or next(
        (i for i in invoices.values() if i["InvoiceNumber"] == key), None
    )
    if found is None and item.get("InvoiceID"):
        raise validation_error([f"Invoice with ID {key} could not be found."])
    return found


def _write(call: Call) -> Reply:
    return write_collection(
        call, "Invoices", invoice_apply, _render(call), lambda item: _existing(call, item)
    )


def _pdf(call: Call, record: dict[str, Any]) -> Reply:
    return Reply(200, invoice_pdf(call.org, record), content_type="application/pdf")


def _get(call: Call, record: dict[str, Any]) -> Reply:
    # The same path answers a PDF to a client that accepts one (OAS-ACC getInvoiceAsPdf).
    if "application/pdf" in call.headers.get("accept", ""):
        return _pdf(call, record)
    return envelope(call, "Invoices", [_render(call)(record)])


def _list(call: Call) -> Reply:
    org = call.org
    records = list(org.invoices.values())
    ids = {i.lower() for i in call.arg_list("IDs")}
    if ids:
        records = [r for r in records if r["InvoiceID"] in ids]
    numbers = set(call.arg_list("InvoiceNumbers"))
    if numbers:
        records = [r for r in records if r["InvoiceNumber"] in numbers]
    contact_ids = {i.lower() for i in call.arg_list("ContactIDs")}
    if contact_ids:
        records = [r for r in records if r["Contact"]["ContactID"] in contact_ids]
    statuses = {s.upper() for s in call.arg_list("Statuses")}
    if statuses:
        records = [r for r in records if r["Status"] in statuses]
    if call.arg_bool("createdByMyApp"):
        records = [r for r in records if r.get("CreatedByClientID") == call.client_id]
    term = (call.arg("searchTerm") or "").lower()
    if term:
        records = [
            r
            for r in records
            if term in r["InvoiceNumber"].lower() or term in (r.get("Reference") or "").lower()
        ]
    summary = call.arg_bool("summaryOnly")
    if summary and call.arg("page") is None:
        call.args["page"] = "1"  # summaryOnly always pages
    records, pagination = list_records(
        call, records, default_order="UpdatedDateUTC ASC", paged=True
    )
    # An unpaged list carries no line items; a paged one (or one by id) does.
    with_lines = pagination is not None and not summary
    body = [
        serialize.invoice(org, r, lines=with_lines, summary=summary, unitdp=call.unit_places())
        for r in records
    ]
    return envelope(call, "Invoices", body, pagination)


def _invoice_email(call: Call, record: dict[str, Any]) -> Reply:
    if call.method != "POST":
        raise method_not_allowed()
    org = call.org
    errors: list[str] = []
    if record["Type"] != "ACCREC":
        errors.append("Only sales invoices (ACCREC) can be emailed.")
    elif record["Status"] not in ("AUTHORISED", "PAID"):
        errors.append(
            f"Invoices with a status of {record['Status']} cannot be emailed; approve it first."
        )
    contact = org.contacts.get(record["Contact"]["ContactID"], {})
    if not contact.get("EmailAddress"):
        errors.append(f"The contact {record['Contact']['Name']} has no email address.")
    if org.emails_sent_today >= DAILY_EMAILS:
        errors.append("The daily limit of invoice emails for this organisation has been reached.")
    if errors:
        raise validation_error(errors)
    org.emails_sent_today += 1
    record["SentToContact"] = True
    record["UpdatedDateUTC"] = call.now
    call.events.append(("INVOICE", "UPDATE", record["InvoiceID"]))
    add_history(
        call,
        record["InvoiceID"],
        "Sent",
        f"{record['InvoiceNumber']} sent to {contact['EmailAddress']}.",
    )
    return Reply(204)


def _online_invoice(call: Call, record: dict[str, Any]) -> Reply:
    if call.method != "GET":
        raise method_not_allowed()
    if record["Type"] != "ACCREC":
        raise validation_error(["Online invoices are only available for sales invoices (ACCREC)."])
    if record["Status"] in ("DRAFT", "DELETED"):
        raise validation_error(
            [f"An online invoice is not available for an invoice with status {record['Status']}."]
        )
    url = f"{call.base_url}/_sandbox/online/{call.org.id}/{record['InvoiceID']}"
    return envelope(call, "OnlineInvoices", [{"OnlineInvoiceUrl": url}])


register(
    Resource(
        "Invoices",
        INVOICE_SCOPES,
        list=_list,
        create=_write,
        save=_write,
        find=lambda call, key: find_record(call.org.invoices, "InvoiceNumber", key, "InvoiceID"),
        get=_get,
        update=lambda call, record: write_record(
            call, "Invoices", record, invoice_apply, _render(call)
        ),
        sub={
            "history": history_of("InvoiceID"),
            "attachments": attachments_of("InvoiceID"),
            "email": _invoice_email,
            "onlineinvoice": _online_invoice,
            "pdf": _pdf,
        },
    )
)
