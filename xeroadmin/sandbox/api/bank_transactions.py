"""Bank transactions: money spent or received on a bank account, line by line like an invoice
(`SPEND`, `RECEIVE`), or paid ahead of invoices (`*-PREPAYMENT`) or beyond them
(`*-OVERPAYMENT`), which makes a prepayment or overpayment to allocate later. Transfers between
bank accounts show here as `SPEND-TRANSFER` and `RECEIVE-TRANSFER` but are made through
`/BankTransfers`. A transaction is deleted with `{"Status": "DELETED"}`, not once reconciled.

Source: OAS-ACC /BankTransactions, schemas.BankTransaction (Type and Status enums).
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
    write_collection,
    write_record,
)
from xeroadmin.sandbox.api.documents import bank_account, document_body
from xeroadmin.sandbox.api.records import attachments_of, history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import msdate, new_id, validation_error
from xeroadmin.sandbox.serialize import plain
from xeroadmin.sandbox.state import Org

TYPES = {
    "SPEND",
    "RECEIVE",
    "SPEND-PREPAYMENT",
    "RECEIVE-PREPAYMENT",
    "SPEND-OVERPAYMENT",
    "RECEIVE-OVERPAYMENT",
}
TRANSFER_TYPES = {"SPEND-TRANSFER", "RECEIVE-TRANSFER"}
BANK_SCOPES = (
    {
        "accounting.banktransactions",
        "accounting.banktransactions.read",
        "accounting.transactions",
        "accounting.transactions.read",
    },
    {"accounting.banktransactions", "accounting.transactions"},
)
# What a prepayment or overpayment made by a transaction is kept as: (Org attribute, id field,
# webhook category). Xero sends PREPAYMENT and OVERPAYMENT events (XERO_FACTS section 4).
CREDITS = {
    "PREPAYMENT": ("prepayments", "PrepaymentID", "PREPAYMENT"),
    "OVERPAYMENT": ("overpayments", "OverpaymentID", "OVERPAYMENT"),
}


def _credit_kind(kind: str) -> tuple[str, str, str] | None:
    return CREDITS.get(kind.split("-", 1)[1]) if "-" in kind else None


def bank_transaction_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    kind = str(item.get("Type") or "") if existing is None else existing["Type"]
    if existing is None and kind in TRANSFER_TYPES:
        raise validation_error(["Transfers between bank accounts are made with /BankTransfers."])
    if existing is None and kind not in TYPES:
        raise validation_error([f"Type must be one of {', '.join(sorted(TYPES))}."])
    if existing is not None:
        _check_change(org, existing, item)
        if item.get("Status") == "DELETED":
            return _delete(call, existing)
    record = (
        dict(existing)
        if existing
        else {
            "BankTransactionID": new_id(),
            "Type": kind,
            "Reference": "",
            "LineAmountTypes": "Exclusive",
            "LineItems": [],
            "IsReconciled": False,
            "Status": "AUTHORISED",
            "CurrencyCode": org.currency,
            "Date": call.now.date(),
            "HasAttachments": False,
        }
    )
    if existing is None or "BankAccount" in item:
        account = bank_account(org, item.get("BankAccount"), "BankAccount", errors)
        if account is not None:
            record["BankAccountID"] = account["AccountID"]
            if existing is None and "CurrencyCode" not in item:
                record["CurrencyCode"] = account.get("CurrencyCode") or org.currency
    invoice_type = "ACCREC" if kind.startswith("RECEIVE") else "ACCPAY"
    document_body(
        call, record, item, new=existing is None, invoice_type=invoice_type, errors=errors
    )
    if "IsReconciled" in item:
        record["IsReconciled"] = bool(item["IsReconciled"])
    if not record["LineItems"]:
        errors.append("A bank transaction must have at least one line item.")
    if errors:
        raise validation_error(errors)
    books.invoice_totals(org, record)
    if record["Total"] <= 0 and _credit_kind(kind):
        raise validation_error(["A prepayment or overpayment must be for more than zero."])
    record["UpdatedDateUTC"] = call.now
    org.bank_transactions[record["BankTransactionID"]] = record
    if existing is None and _credit_kind(kind):
        _make_credit(call, record)
    add_history(
        call,
        record["BankTransactionID"],
        "Created" if existing is None else "Edited",
        f"{_words(kind)} of {record['Total']:.2f} {'entered' if existing is None else 'edited'}.",
    )
    return record


def _words(kind: str) -> str:
    return {
        "SPEND": "Spend money",
        "RECEIVE": "Receive money",
        "SPEND-PREPAYMENT": "Prepayment made",
        "RECEIVE-PREPAYMENT": "Prepayment received",
        "SPEND-OVERPAYMENT": "Overpayment made",
        "RECEIVE-OVERPAYMENT": "Overpayment received",
        "SPEND-TRANSFER": "Transfer out",
        "RECEIVE-TRANSFER": "Transfer in",
    }[kind]


def _check_change(org: Org, existing: dict[str, Any], item: dict[str, Any]) -> None:
    if existing["Status"] != "AUTHORISED":
        raise validation_error([f"This bank transaction has been {existing['Status'].lower()}."])
    if existing["Type"] in TRANSFER_TYPES:
        raise validation_error(["A transfer's bank transactions cannot be changed."])
    if "Status" in item and item["Status"] not in ("AUTHORISED", "DELETED"):
        raise validation_error(["A bank transaction can only be AUTHORISED or DELETED."])
    if existing.get("IsReconciled") and (
        item.get("Status") == "DELETED" or any(k in item for k in ("LineItems", "BankAccount"))
    ):
        raise validation_error(
            ["This bank transaction has been reconciled and cannot be changed or deleted."]
        )
    credit = _credit_kind(existing["Type"])
    if credit and any(
        k in item for k in ("LineItems", "Contact", "CurrencyCode", "BankAccount", "Date")
    ):
        raise validation_error(
            ["A prepayment or overpayment cannot be changed: delete it and enter it again."]
        )
    if credit and item.get("Status") == "DELETED":
        collection, id_field, _ = credit
        made = getattr(org, collection).get(existing.get(id_field) or "")
        if made is not None and books.allocations_of(org, made[id_field]):
            raise validation_error(
                ["This prepayment or overpayment has been allocated: remove its allocations first."]
            )


def _delete(call: Call, existing: dict[str, Any]) -> dict[str, Any]:
    record = {**existing, "Status": "DELETED", "UpdatedDateUTC": call.now}
    call.org.bank_transactions[record["BankTransactionID"]] = record
    credit = _credit_kind(record["Type"])
    if credit:
        collection, id_field, category = credit
        records = getattr(call.org, collection)
        if record.get(id_field) in records:
            records[record[id_field]] = {
                **records[record[id_field]],
                "Status": "VOIDED",
                "AmountDue": Decimal(0),
                "UpdatedDateUTC": call.now,
            }
            call.events.append((category, "UPDATE", record[id_field]))
    add_history(call, record["BankTransactionID"], "Deleted", f"{_words(record['Type'])} deleted.")
    return record


def _make_credit(call: Call, txn: dict[str, Any]) -> None:
    """The prepayment or overpayment a transaction makes, to be allocated to invoices."""
    credit = _credit_kind(txn["Type"])
    assert credit is not None
    collection, id_field, category = credit
    made = {
        id_field: new_id(),
        "Type": txn["Type"],
        "Contact": dict(txn["Contact"]),
        "Date": txn["Date"],
        "Status": "AUTHORISED",
        "LineAmountTypes": txn["LineAmountTypes"],
        "LineItems": [dict(line) for line in txn["LineItems"]],
        "Reference": txn.get("Reference") or "",
        "CurrencyCode": txn["CurrencyCode"],
        "CurrencyRate": txn.get("CurrencyRate", Decimal(1)),
        "AmountPaid": Decimal(0),
        "AmountCredited": Decimal(0),
        "BankTransactionID": txn["BankTransactionID"],
        "HasAttachments": False,
        "UpdatedDateUTC": call.now,
    }
    books.invoice_totals(call.org, made)
    getattr(call.org, collection)[made[id_field]] = made
    txn[id_field] = made[id_field]
    call.events.append((category, "CREATE", made[id_field]))
    add_history(call, made[id_field], "Created", f"{_words(txn['Type'])}: {made['Total']:.2f}.")


def render(org: Org, record: dict[str, Any], unitdp: int = 2) -> dict[str, Any]:
    bank = org.accounts.get(record["BankAccountID"], {})
    out: dict[str, Any] = {
        "BankTransactionID": record["BankTransactionID"],
        "Type": record["Type"],
        "Contact": dict(record.get("Contact") or {}),
        "BankAccount": {
            "AccountID": record["BankAccountID"],
            "Code": bank.get("Code"),
            "Name": bank.get("Name"),
        },
        "IsReconciled": record.get("IsReconciled", False),
        "Date": msdate(record["Date"]),
        "Reference": record.get("Reference") or "",
        "CurrencyCode": record["CurrencyCode"],
        "CurrencyRate": Decimal(record.get("CurrencyRate", 1)),
        "Status": record["Status"],
        "LineAmountTypes": record["LineAmountTypes"],
        "LineItems": [plain(line, unitdp) for line in record["LineItems"]],
        "SubTotal": Decimal(record["SubTotal"]),
        "TotalTax": Decimal(record["TotalTax"]),
        "Total": Decimal(record["Total"]),
        "HasAttachments": record.get("HasAttachments", False),
        "UpdatedDateUTC": msdate(record["UpdatedDateUTC"]),
    }
    for id_field in ("PrepaymentID", "OverpaymentID"):
        if record.get(id_field):
            out[id_field] = record[id_field]
    return out


def _render(call: Call) -> Any:
    return lambda record: render(call.org, record, call.unit_places())


def _list(call: Call) -> Reply:
    records, pagination = list_records(
        call,
        list(call.org.bank_transactions.values()),
        default_order="UpdatedDateUTC ASC",
        paged=True,
    )
    return envelope(call, "BankTransactions", [_render(call)(r) for r in records], pagination)


def _write(call: Call) -> Reply:
    found = call.org.bank_transactions
    return write_collection(
        call,
        "BankTransactions",
        bank_transaction_apply,
        _render(call),
        lambda item: found.get(str(item.get("BankTransactionID", "")).lower()),
    )


register(
    Resource(
        "BankTransactions",
        BANK_SCOPES,
        list=_list,
        create=_write,
        save=_write,
        find=lambda call, key: find_record(
            call.org.bank_transactions, "BankTransactionID", key, "BankTransactionID"
        ),
        get=lambda call, record: envelope(call, "BankTransactions", [_render(call)(record)]),
        update=lambda call, record: write_record(
            call, "BankTransactions", record, bank_transaction_apply, _render(call)
        ),
        sub={
            "history": history_of("BankTransactionID"),
            "attachments": attachments_of("BankTransactionID"),
        },
    )
)
