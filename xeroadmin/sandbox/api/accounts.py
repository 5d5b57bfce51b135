"""The chart of accounts: added one at a time, edited, archived, deleted when never used."""

from __future__ import annotations

from typing import Any

from xeroadmin.sandbox import serialize
from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    body_list,
    envelope,
    list_records,
    string_field,
)
from xeroadmin.sandbox.api.records import attachments_of
from xeroadmin.sandbox.api.router import SETTINGS, Resource, register
from xeroadmin.sandbox.core import new_id, not_found, validation_error
from xeroadmin.sandbox.state import Org

ACCOUNT_TYPES = {
    "BANK",
    "CURRENT",
    "CURRLIAB",
    "DEPRECIATN",
    "DIRECTCOSTS",
    "EQUITY",
    "EXPENSE",
    "FIXED",
    "INVENTORY",
    "LIABILITY",
    "NONCURRENT",
    "OTHERINCOME",
    "OVERHEADS",
    "PREPAYMENT",
    "REVENUE",
    "SALES",
    "TERMLIAB",
}
ACCOUNT_CLASS = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "DEPRECIATN": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "EQUITY": "EQUITY",
    "OTHERINCOME": "REVENUE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
}


def _account_used(org: Org, account: dict[str, Any]) -> bool:
    code = account.get("Code")
    if any(p["AccountID"] == account["AccountID"] for p in org.payments.values()):
        return True
    return any(
        line.get("AccountCode") == code
        for invoice in org.invoices.values()
        for line in invoice["LineItems"]
    )


def account_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    record = (
        dict(existing)
        if existing
        else {
            "AccountID": new_id(),
            "Status": "ACTIVE",
            "Description": "",
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": False,
            "HasAttachments": False,
            "AddToWatchlist": False,
            "SystemAccount": None,
            "ReportingCode": None,
            "BankAccountNumber": None,
            "BankAccountType": None,
            "CurrencyCode": None,
        }
    )
    code = string_field(item, "Code", 10, errors)
    name = string_field(item, "Name", 150, errors)
    if existing is None:
        if not code:
            errors.append("Please enter a unique Code.")
        if not name:
            errors.append("Please enter a Name.")
        if item.get("Type") not in ACCOUNT_TYPES:
            errors.append(f"Account Type must be one of {', '.join(sorted(ACCOUNT_TYPES))}.")
    elif "Type" in item and item["Type"] != existing["Type"]:
        errors.append("The account type cannot be changed.")
    live = [a for a in org.accounts.values() if a["Status"] != "DELETED" and a is not existing]
    if code and any((a.get("Code") or "").lower() == code.lower() for a in live):
        errors.append(f"Please enter a unique Code. '{code}' is already in use.")
    if name and any(a["Name"].lower() == name.lower() for a in live):
        errors.append(f"Please enter a unique Name. '{name}' is already in use.")
    tax_type = item.get("TaxType")
    if tax_type is not None and org.tax_rate(tax_type) is None:
        errors.append(
            f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction."
        )
    status = item.get("Status")
    if status is not None:
        if status not in ("ACTIVE", "ARCHIVED"):
            errors.append("Status must be ACTIVE or ARCHIVED.")
        elif status == "ARCHIVED" and record.get("SystemAccount"):
            errors.append("System accounts cannot be archived.")
    if record.get("Type") == "BANK" and existing is None and not item.get("BankAccountNumber"):
        pass  # Xero accepts a bank account without a number here.
    if errors:
        raise validation_error(errors)
    for key in (
        "Code",
        "Name",
        "Description",
        "TaxType",
        "Status",
        "EnablePaymentsToAccount",
        "ShowInExpenseClaims",
        "BankAccountNumber",
        "BankAccountType",
        "CurrencyCode",
        "ReportingCode",
        "AddToWatchlist",
    ):
        if key in item:
            record[key] = item[key]
    if existing is None:
        record["Type"] = item["Type"]
        record["Class"] = ACCOUNT_CLASS[item["Type"]]
        record.setdefault(
            "TaxType", "NONE" if org.tax_rate("NONE") else org.tax_rates[-1]["TaxType"]
        )
        if record.get("TaxType") is None:
            record["TaxType"] = "NONE"
    record["UpdatedDateUTC"] = call.now
    org.accounts[record["AccountID"]] = record
    return record


def _list(call: Call) -> Reply:
    live = [a for a in call.org.accounts.values() if a["Status"] != "DELETED"]
    records, _ = list_records(call, live, default_order="Code", paged=False)
    return envelope(call, "Accounts", [serialize.account(a) for a in records])


def _create(call: Call) -> Reply:
    items = body_list(call, "Accounts")
    if len(items) > 1:
        raise validation_error(["You can only add accounts one at a time."])
    record = account_apply(call, None, items[0])
    return envelope(call, "Accounts", [serialize.account(record)])


def _find(call: Call, key: str) -> dict[str, Any]:
    found = call.org.accounts.get(key.lower()) or call.org.accounts.get(key)
    if found is None or found["Status"] == "DELETED":
        raise not_found()
    return found


def _update(call: Call, record: dict[str, Any]) -> Reply:
    record = account_apply(call, record, body_list(call, "Accounts")[0])
    return envelope(call, "Accounts", [serialize.account(record)])


def _delete(call: Call, record: dict[str, Any]) -> Reply:
    if record.get("SystemAccount"):
        raise validation_error(["System accounts cannot be deleted."])
    if _account_used(call.org, record):
        raise validation_error(
            [
                "This account has been used in transactions and cannot be deleted. Archive it instead."
            ]
        )
    record["Status"] = "DELETED"
    record["UpdatedDateUTC"] = call.now
    return envelope(call, "Accounts", [serialize.account(record)])


register(
    Resource(
        "Accounts",
        SETTINGS,
        list=_list,
        create=_create,
        find=_find,
        get=lambda call, record: envelope(call, "Accounts", [serialize.account(record)]),
        update=_update,
        delete=_delete,
        sub={"attachments": attachments_of("AccountID")},
    )
)
