"""Quotes: a sales offer that is drafted, sent, then accepted or declined, and once accepted
invoiced (the client makes the invoice from the quote's lines and marks the quote INVOICED).

Source: OAS-ACC /Quotes (its query filters), schemas.Quote and schemas.QuoteStatusCodes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import books
from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    add_history,
    envelope,
    find_record,
    list_records,
    string_field,
    write_collection,
    write_record,
)
from xeroadmin.sandbox.api.documents import document_body
from xeroadmin.sandbox.api.invoices import INVOICE_SCOPES
from xeroadmin.sandbox.api.records import attachments_of, history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import (
    InputError,
    iso_date_string,
    msdate,
    new_id,
    parse_date,
    validation_error,
)
from xeroadmin.sandbox.pdf import invoice_pdf
from xeroadmin.sandbox.serialize import plain

TRANSITIONS = {
    "DRAFT": {"DRAFT", "SENT", "DELETED"},
    "SENT": {"SENT", "DRAFT", "ACCEPTED", "DECLINED", "DELETED"},
    "ACCEPTED": {"ACCEPTED", "SENT", "INVOICED"},
    "DECLINED": {"DECLINED", "SENT"},
    "INVOICED": {"INVOICED"},
    "DELETED": {"DELETED"},
}
EDITABLE = {"DRAFT", "SENT"}


def quote_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    current = existing["Status"] if existing else "DRAFT"
    wanted = item.get("Status", current)
    if wanted not in TRANSITIONS:
        raise validation_error([f"Status must be one of {', '.join(TRANSITIONS)}."])
    if wanted not in TRANSITIONS[current]:
        raise validation_error([f"This quote is {current}; it cannot be made {wanted}."])
    content = ("LineItems", "Contact", "CurrencyCode", "LineAmountTypes", "Date", "ExpiryDate")
    if existing is not None and current not in EDITABLE and any(k in item for k in content):
        raise validation_error([f"This quote is {current} and cannot be changed."])
    record = (
        dict(existing)
        if existing
        else {
            "QuoteID": new_id(),
            "QuoteNumber": "",
            "Reference": "",
            "Title": "",
            "Summary": "",
            "Terms": "",
            "LineAmountTypes": "Exclusive",
            "LineItems": [],
            "AmountPaid": Decimal(0),
            "AmountCredited": Decimal(0),
            "CurrencyCode": org.currency,
            "Date": call.now.date(),
            "ExpiryDate": None,
        }
    )
    # Quotes spell how amounts treat tax in capitals (OAS-ACC schemas.QuoteLineAmountTypes);
    # either spelling is read, and the same rules as invoices apply.
    spelled = {t.upper(): t for t in books.LINE_AMOUNT_TYPES}
    if isinstance(item.get("LineAmountTypes"), str):
        item = {**item, "LineAmountTypes": spelled.get(item["LineAmountTypes"].upper(), "?")}
    document_body(call, record, item, new=existing is None, invoice_type="ACCREC", errors=errors)
    try:
        if "ExpiryDate" in item:
            record["ExpiryDate"] = parse_date(item["ExpiryDate"], "ExpiryDate")
    except InputError as error:
        errors.append(str(error))
    if record["ExpiryDate"] is not None and record["ExpiryDate"] < record["Date"]:
        errors.append("The expiry date cannot be before the quote date.")
    for key, limit in (("Title", 100), ("Summary", 3000), ("Terms", 4000)):
        value = string_field(item, key, limit, errors)
        if value is not None:
            record[key] = value
    if not record["LineItems"] and wanted != "DELETED":
        errors.append("A quote must have at least one line item.")
    if errors:
        raise validation_error(errors)
    if not record["QuoteNumber"]:
        record["QuoteNumber"] = item.get("QuoteNumber") or f"QU-{len(org.quotes) + 1:04d}"
    record["Status"] = wanted
    books.invoice_totals(org, record)
    record["TotalDiscount"] = sum(
        (
            (line["Quantity"] * line["UnitAmount"] - line["LineAmount"])
            for line in record["LineItems"]
        ),
        Decimal(0),
    ).quantize(Decimal("0.01"))
    record["UpdatedDateUTC"] = call.now
    org.quotes[record["QuoteID"]] = record
    changed = existing is not None and current != wanted
    add_history(
        call,
        record["QuoteID"],
        "Created" if existing is None else (wanted.title() if changed else "Edited"),
        f"{record['QuoteNumber']} "
        + (
            "created."
            if existing is None
            else (f"marked {wanted.lower()}." if changed else "edited.")
        ),
    )
    return record


def render(record: dict[str, Any], unitdp: int = 2) -> dict[str, Any]:
    out = {
        "QuoteID": record["QuoteID"],
        "QuoteNumber": record["QuoteNumber"],
        "Reference": record.get("Reference") or "",
        "Terms": record.get("Terms") or "",
        "Contact": dict(record["Contact"]),
        "LineItems": [plain(line, unitdp) for line in record["LineItems"]],
        "Date": msdate(record["Date"]),
        "DateString": iso_date_string(record["Date"]),
        "Status": record["Status"],
        "CurrencyCode": record["CurrencyCode"],
        "CurrencyRate": Decimal(record.get("CurrencyRate", 1)),
        "SubTotal": Decimal(record["SubTotal"]),
        "TotalTax": Decimal(record["TotalTax"]),
        "Total": Decimal(record["Total"]),
        "TotalDiscount": Decimal(record.get("TotalDiscount", 0)),
        "Title": record.get("Title") or "",
        "Summary": record.get("Summary") or "",
        "UpdatedDateUTC": msdate(record["UpdatedDateUTC"]),
        "LineAmountTypes": record["LineAmountTypes"].upper(),
    }
    if record.get("ExpiryDate"):
        out["ExpiryDate"] = msdate(record["ExpiryDate"])
        out["ExpiryDateString"] = iso_date_string(record["ExpiryDate"])
    return out


def _list(call: Call) -> Reply:
    records = list(call.org.quotes.values())
    try:
        bounds = {
            name: parse_date(call.arg(name), name)
            for name in ("DateFrom", "DateTo", "ExpiryDateFrom", "ExpiryDateTo")
        }
    except InputError as error:
        raise validation_error([str(error)]) from None
    for name, key, later in (
        ("DateFrom", "Date", True),
        ("DateTo", "Date", False),
        ("ExpiryDateFrom", "ExpiryDate", True),
        ("ExpiryDateTo", "ExpiryDate", False),
    ):
        bound = bounds[name]
        if bound is not None:
            records = [
                r
                for r in records
                if r.get(key) is not None and (r[key] >= bound if later else r[key] <= bound)
            ]
    for arg, test in (
        ("ContactID", lambda r, v: r["Contact"]["ContactID"] == v.lower()),
        ("Status", lambda r, v: r["Status"] == v.upper()),
        ("QuoteNumber", lambda r, v: r["QuoteNumber"] == v),
    ):
        value = call.arg(arg)
        if value:
            records = [r for r in records if test(r, value)]
    # Quotes take no pageSize: a page is 100 (OAS-ACC getQuotes parameters).
    records, pagination = list_records(
        call, records, default_order="UpdatedDateUTC ASC", paged=True, page_size=100
    )
    return envelope(call, "Quotes", [render(r, call.unit_places()) for r in records], pagination)


def _write(call: Call) -> Reply:
    found = call.org.quotes
    return write_collection(
        call,
        "Quotes",
        quote_apply,
        lambda record: render(record, call.unit_places()),
        lambda item: found.get(str(item.get("QuoteID", "")).lower()),
    )


def _pdf(call: Call, record: dict[str, Any]) -> Reply:
    document = {**record, "Type": "QUOTE", "InvoiceNumber": record["QuoteNumber"]}
    return Reply(200, invoice_pdf(call.org, document), content_type="application/pdf")


register(
    Resource(
        "Quotes",
        INVOICE_SCOPES,
        list=_list,
        create=_write,
        save=_write,
        find=lambda call, key: find_record(call.org.quotes, "QuoteNumber", key, "QuoteID"),
        get=lambda call, record: (
            _pdf(call, record)
            if "application/pdf" in call.headers.get("accept", "")
            else envelope(call, "Quotes", [render(record, call.unit_places())])
        ),
        update=lambda call, record: write_record(
            call, "Quotes", record, quote_apply, lambda r: render(r, call.unit_places())
        ),
        sub={
            "history": history_of("QuoteID"),
            "attachments": attachments_of("QuoteID"),
            "pdf": _pdf,
        },
    )
)
