"""Bank transfers: money moved between two of the organisation's bank accounts, shown on each
as a bank transaction (`SPEND-TRANSFER` on the one it leaves, `RECEIVE-TRANSFER` on the one it
reaches). Source: OAS-ACC /BankTransfers, schemas.BankTransfer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xeroadmin.sandbox.api.bank_transactions import BANK_SCOPES
from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    add_history,
    batch,
    body_list,
    envelope,
    find_record,
    list_records,
    string_field,
)
from xeroadmin.sandbox.api.documents import bank_account
from xeroadmin.sandbox.api.records import attachments_of, history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import InputError, money, msdate, new_id, parse_date, validation_error
from xeroadmin.sandbox.state import Org


def transfer_create(call: Call, item: dict[str, Any]) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    source = bank_account(org, item.get("FromBankAccount"), "FromBankAccount", errors)
    target = bank_account(org, item.get("ToBankAccount"), "ToBankAccount", errors)
    amount = None
    try:
        amount = money(item.get("Amount"), "Amount")
        day = parse_date(item.get("Date"), "Date") or call.now.date()
    except InputError as error:
        errors.append(str(error))
        day = call.now.date()
    reference = string_field(item, "Reference", 255, errors) or ""
    if amount is not None and amount <= 0:
        errors.append("Amount must be greater than zero.")
    if source and target and source["AccountID"] == target["AccountID"]:
        errors.append("The bank accounts of a transfer must be different.")
    if source and target and source.get("CurrencyCode") != target.get("CurrencyCode"):
        errors.append("Both bank accounts of a transfer must be in the same currency here.")
    if errors or source is None or target is None or amount is None:
        raise validation_error(errors)
    transfer = {
        "BankTransferID": new_id(),
        "FromAccountID": source["AccountID"],
        "ToAccountID": target["AccountID"],
        "Amount": amount,
        "Date": day,
        "Reference": reference,
        "CurrencyRate": Decimal(1),
        "Status": "AUTHORISED",
        "FromIsReconciled": bool(item.get("FromIsReconciled", False)),
        "ToIsReconciled": bool(item.get("ToIsReconciled", False)),
        "HasAttachments": False,
        "CreatedDateUTC": call.now,
    }
    for side, kind, account in (
        ("From", "SPEND-TRANSFER", source),
        ("To", "RECEIVE-TRANSFER", target),
    ):
        txn_id = new_id()
        transfer[f"{side}BankTransactionID"] = txn_id
        org.bank_transactions[txn_id] = {
            "BankTransactionID": txn_id,
            "Type": kind,
            "BankAccountID": account["AccountID"],
            "Contact": {},
            "Date": day,
            "Reference": reference,
            "IsReconciled": transfer[f"{side}IsReconciled"],
            "Status": "AUTHORISED",
            "CurrencyCode": account.get("CurrencyCode") or org.currency,
            "CurrencyRate": Decimal(1),
            "LineAmountTypes": "NoTax",
            "LineItems": [],
            "SubTotal": amount,
            "TotalTax": Decimal(0),
            "Total": amount,
            "UpdatedDateUTC": call.now,
        }
    org.bank_transfers[transfer["BankTransferID"]] = transfer
    add_history(
        call,
        transfer["BankTransferID"],
        "Created",
        f"{amount:.2f} transferred from {source['Name']} to {target['Name']}.",
    )
    return transfer


def render(org: Org, transfer: dict[str, Any]) -> dict[str, Any]:
    def account(account_id: str) -> dict[str, Any]:
        found = org.accounts.get(account_id, {})
        return {"AccountID": account_id, "Code": found.get("Code"), "Name": found.get("Name")}

    return {
        "BankTransferID": transfer["BankTransferID"],
        "FromBankAccount": account(transfer["FromAccountID"]),
        "ToBankAccount": account(transfer["ToAccountID"]),
        "Amount": transfer["Amount"],
        "Date": msdate(transfer["Date"]),
        "CurrencyRate": transfer["CurrencyRate"],
        "FromBankTransactionID": transfer["FromBankTransactionID"],
        "ToBankTransactionID": transfer["ToBankTransactionID"],
        "FromIsReconciled": transfer["FromIsReconciled"],
        "ToIsReconciled": transfer["ToIsReconciled"],
        "Reference": transfer["Reference"],
        "HasAttachments": transfer.get("HasAttachments", False),
        "CreatedDateUTC": msdate(transfer["CreatedDateUTC"]),
        "Status": transfer["Status"],
    }


def _list(call: Call) -> Reply:
    # Transfers change only when made: If-Modified-Since reads their creation.
    records = [
        dict(t, UpdatedDateUTC=t["CreatedDateUTC"]) for t in call.org.bank_transfers.values()
    ]
    records, _ = list_records(call, records, default_order="CreatedDateUTC ASC", paged=False)
    return envelope(call, "BankTransfers", [render(call.org, t) for t in records])


def _create(call: Call) -> Reply:
    return batch(
        call,
        "BankTransfers",
        body_list(call, "BankTransfers"),
        lambda item: transfer_create(call, item),
        lambda transfer: render(call.org, transfer),
    )


register(
    Resource(
        "BankTransfers",
        BANK_SCOPES,
        list=_list,
        create=_create,
        save=_create,
        find=lambda call, key: find_record(
            call.org.bank_transfers, "BankTransferID", key, "BankTransferID"
        ),
        get=lambda call, transfer: envelope(call, "BankTransfers", [render(call.org, transfer)]),
        sub={
            "history": history_of("BankTransferID"),
            "attachments": attachments_of("BankTransferID"),
        },
    )
)
