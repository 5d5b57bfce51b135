"""Payments: recorded against an approved invoice (in its currency, at the client's rate or
the day's), and reversed by `{"Status": "DELETED"}`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import books, serialize
from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    add_history,
    batch,
    body_list,
    envelope,
    list_records,
)
from xeroadmin.sandbox.api.documents import payment_rate
from xeroadmin.sandbox.api.records import history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import (
    InputError,
    money,
    new_id,
    not_found,
    parse_date,
    validation_error,
)


def payment_create(call: Call, item: dict[str, Any]) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    raw_invoice = item.get("Invoice")
    invoice = None
    if isinstance(raw_invoice, dict):
        key = raw_invoice.get("InvoiceID") or raw_invoice.get("InvoiceNumber")
        if isinstance(key, str):
            invoice = org.invoices.get(key.lower()) or next(
                (i for i in org.invoices.values() if i["InvoiceNumber"] == key), None
            )
    if invoice is None:
        errors.append("Invoice could not be found. Specify an existing InvoiceID or InvoiceNumber.")
    raw_account = item.get("Account")
    account = None
    if isinstance(raw_account, dict):
        if raw_account.get("AccountID"):
            account = org.accounts.get(str(raw_account["AccountID"]).lower())
        elif raw_account.get("Code"):
            account = org.account_by_code(str(raw_account["Code"]))
    if account is None or account["Status"] != "ACTIVE":
        errors.append("Account could not be found. Specify an existing AccountID or Code.")
    elif account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
        errors.append(
            f"Account {account['Code']} does not accept payments: use a bank account or one with payments enabled."
        )
    amount = None
    try:
        amount = money(item.get("Amount"), "Amount")
        paid_on = parse_date(item.get("Date"), "Date") or call.now.date()
    except InputError as error:
        errors.append(str(error))
        paid_on = call.now.date()
    if amount is not None and amount <= 0:
        errors.append("Payment amount must be greater than zero.")
    if invoice is not None:
        if invoice["Status"] != "AUTHORISED":
            errors.append(
                f"Payments can only be made against AUTHORISED invoices; this one is {invoice['Status']}."
            )
        elif amount is not None and amount > invoice["AmountDue"]:
            errors.append(
                f"Payment amount exceeds the amount outstanding on this document ({invoice['AmountDue']:.2f})."
            )
    # The client's rate, else the day's for the payment date (OAS-ACC schemas.Payment).
    rate = payment_rate(org, invoice, item, paid_on, errors) if invoice else Decimal(1)
    if errors:
        raise validation_error(errors)
    if invoice is None or account is None or amount is None:  # unreachable: errors were raised
        raise validation_error(["The payment could not be read."])
    payment = {
        "PaymentID": new_id(),
        "InvoiceID": invoice["InvoiceID"],
        "AccountID": account["AccountID"],
        "Date": paid_on,
        "Amount": amount,
        "Reference": str(item.get("Reference") or ""),
        "Status": "AUTHORISED",
        "PaymentType": "ACCRECPAYMENT" if invoice["Type"] == "ACCREC" else "ACCPAYPAYMENT",
        "CurrencyRate": rate,
        "IsReconciled": bool(item.get("IsReconciled", False)),
        "UpdatedDateUTC": call.now,
    }
    invoice = org.invoices[invoice["InvoiceID"]] = dict(invoice)
    books.add_payment(org, invoice, payment)
    books.apply_payment(org, invoice, amount, call.now)
    call.events.append(("INVOICE", "UPDATE", invoice["InvoiceID"]))
    add_history(call, invoice["InvoiceID"], "Paid", f"Payment of {amount:.2f} received.")
    add_history(
        call,
        payment["PaymentID"],
        "Created",
        f"Payment of {amount:.2f} for {invoice['InvoiceNumber']}.",
    )
    return payment


def _payment_delete(call: Call, payment: dict[str, Any]) -> dict[str, Any]:
    org = call.org
    body = call.json_body
    if (
        isinstance(body, dict)
        and "Payments" in body
        and isinstance(body["Payments"], list)
        and body["Payments"]
    ):
        body = body["Payments"][0]
    if not isinstance(body, dict) or body.get("Status") != "DELETED":
        raise validation_error(
            ['A payment can only be changed by reversing it: send {"Status": "DELETED"}.']
        )
    if payment["Status"] == "DELETED":
        raise validation_error(["This payment has already been deleted."])
    invoice = org.invoices[payment["InvoiceID"]] = dict(org.invoices[payment["InvoiceID"]])
    payment = org.payments[payment["PaymentID"]] = {
        **payment,
        "Status": "DELETED",
        "UpdatedDateUTC": call.now,
    }
    books.apply_payment(org, invoice, -payment["Amount"], call.now)
    call.events.append(("INVOICE", "UPDATE", invoice["InvoiceID"]))
    add_history(
        call,
        invoice["InvoiceID"],
        "Payment deleted",
        f"Payment of {payment['Amount']:.2f} removed.",
    )
    add_history(call, payment["PaymentID"], "Deleted", "Payment reversed.")
    return payment


def _render(call: Call) -> Any:
    return lambda payment: serialize.payment(call.org, payment)


def _list(call: Call) -> Reply:
    records = [dict(p, Invoice={"InvoiceID": p["InvoiceID"]}) for p in call.org.payments.values()]
    records, pagination = list_records(
        call, records, default_order="UpdatedDateUTC ASC", paged=True
    )
    return envelope(call, "Payments", [_render(call)(p) for p in records], pagination)


def _create(call: Call) -> Reply:
    elements = body_list(call, "Payments")
    if call.method == "POST" and len(elements) > 1:
        raise validation_error(["POST /Payments creates a single payment; use PUT for several."])
    return batch(call, "Payments", elements, lambda i: payment_create(call, i), _render(call))


def _find(call: Call, key: str) -> dict[str, Any]:
    payment = call.org.payments.get(key.lower()) or call.org.payments.get(key)
    if payment is None:
        raise not_found()
    return payment


register(
    Resource(
        "Payments",
        (
            {
                "accounting.payments",
                "accounting.payments.read",
                "accounting.transactions",
                "accounting.transactions.read",
            },
            {"accounting.payments", "accounting.transactions"},
        ),
        list=_list,
        create=_create,
        save=_create,
        find=_find,
        get=lambda call, payment: envelope(call, "Payments", [_render(call)(payment)]),
        update=lambda call, payment: envelope(
            call, "Payments", [_render(call)(_payment_delete(call, payment))]
        ),
        sub={"history": history_of("PaymentID")},
    )
)
