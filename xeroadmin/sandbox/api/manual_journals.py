"""Manual journals: lines of debits (positive) and credits (negative) that must balance, saved as
a DRAFT, then POSTED to the ledger, and VOIDED (or a draft DELETED).

Source: OAS-ACC /ManualJournals, schemas.ManualJournal (Status enum) and
schemas.ManualJournalLine ("LineAmount: total for line. Debits are positive, credits are
negative value").
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
from xeroadmin.sandbox.api.documents import line_tracking
from xeroadmin.sandbox.api.records import attachments_of, history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import InputError, money, msdate, new_id, parse_date, validation_error
from xeroadmin.sandbox.serialize import plain
from xeroadmin.sandbox.state import Org

TRANSITIONS = {
    "DRAFT": {"DRAFT", "POSTED", "DELETED"},
    "POSTED": {"POSTED", "VOIDED"},
    "VOIDED": {"VOIDED"},
    "DELETED": {"DELETED"},
}
JOURNAL_SCOPES = (
    {
        "accounting.manualjournals",
        "accounting.manualjournals.read",
        "accounting.transactions",
        "accounting.transactions.read",
    },
    {"accounting.manualjournals", "accounting.transactions"},
)
ZERO = Decimal("0.00")
# Receivables and payables are moved by invoices, credit notes and payments only.
LOCKED = {"DEBTORS", "CREDITORS"}


def journal_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    current = existing["Status"] if existing else "DRAFT"
    wanted = item.get("Status", current)
    if wanted not in TRANSITIONS:
        raise validation_error(["Status must be DRAFT, POSTED, VOIDED or DELETED."])
    if wanted not in TRANSITIONS[current]:
        raise validation_error(
            [f"A {current} manual journal cannot be made {wanted}."]
            if current != "POSTED"
            else ["A posted manual journal can only be voided."]
        )
    if current == "POSTED" and any(k in item for k in ("JournalLines", "Date", "LineAmountTypes")):
        raise validation_error(["A posted manual journal cannot be changed; void it instead."])
    record = (
        dict(existing)
        if existing
        else {
            "ManualJournalID": new_id(),
            "Narration": "",
            "JournalLines": [],
            "Date": call.now.date(),
            "LineAmountTypes": "NoTax",
            "ShowOnCashBasisReports": True,
            "HasAttachments": False,
        }
    )
    narration = string_field(item, "Narration", 4000, errors)
    if narration is not None:
        record["Narration"] = narration.strip()
    if not record["Narration"]:
        errors.append("Narration is required for a manual journal.")
    try:
        if "Date" in item:
            record["Date"] = parse_date(item["Date"], "Date") or call.now.date()
    except InputError as error:
        errors.append(str(error))
    if "LineAmountTypes" in item:
        if item["LineAmountTypes"] not in books.LINE_AMOUNT_TYPES:
            errors.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
        else:
            record["LineAmountTypes"] = item["LineAmountTypes"]
    if "ShowOnCashBasisReports" in item:
        record["ShowOnCashBasisReports"] = bool(item["ShowOnCashBasisReports"])
    if "JournalLines" in item:
        record["JournalLines"] = _lines(call, item["JournalLines"], record, errors)
    if wanted == "POSTED" and not errors:
        _check_balanced(record, errors)
    if errors:
        raise validation_error(errors)
    record["Status"] = wanted
    record["UpdatedDateUTC"] = call.now
    org.manual_journals[record["ManualJournalID"]] = record
    verb = {"POSTED": "Posted", "VOIDED": "Voided", "DELETED": "Deleted"}.get(wanted)
    changed = existing is None or existing["Status"] != wanted
    add_history(
        call,
        record["ManualJournalID"],
        "Created" if existing is None else (verb if changed and verb else "Edited"),
        f"Manual journal {'created' if existing is None else (verb or 'edited').lower()}: "
        f"{record['Narration'][:80]}",
    )
    return record


def _lines(call: Call, raw: Any, record: dict[str, Any], errors: list[str]) -> list[dict[str, Any]]:
    org = call.org
    if not isinstance(raw, list):
        errors.append("JournalLines must be an array.")
        return []
    lines = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors.append(f"Journal line {position} must be an object.")
            continue
        account = None
        if item.get("AccountID"):
            account = org.accounts.get(str(item["AccountID"]).lower())
        elif item.get("AccountCode"):
            account = org.account_by_code(str(item["AccountCode"]))
        if account is None or account["Status"] != "ACTIVE":
            errors.append(
                f"Journal line {position}: an active AccountCode or AccountID is required."
            )
            continue
        if account.get("SystemAccount") in LOCKED:
            errors.append(
                f"Journal line {position}: {account['Name']} is moved by invoices, credit notes "
                "and payments only, not by manual journals."
            )
            continue
        try:
            amount = money(item.get("LineAmount"), f"Journal line {position} LineAmount")
        except InputError as error:
            errors.append(str(error))
            continue
        line: dict[str, Any] = {
            "AccountID": account["AccountID"],
            "AccountCode": account.get("Code"),
            "Description": str(item.get("Description") or "")[:4000],
            "LineAmount": amount,
            "TaxType": item.get("TaxType") or ("NONE" if org.tax_rate("NONE") else ""),
            "Tracking": [],
            "IsBlank": False,
        }
        if "Tracking" in item:
            line["Tracking"] = line_tracking(call, item["Tracking"], position, errors)
        tax = ZERO
        if record["LineAmountTypes"] != "NoTax" and item.get("TaxType"):
            rate = org.tax_rate(item["TaxType"])
            if rate is None:
                errors.append(f"The TaxType code '{item['TaxType']}' does not exist.")
                continue
            probe = {"Quantity": Decimal(1), "UnitAmount": abs(amount), "TaxType": item["TaxType"]}
            books.line_totals(org, probe, record["LineAmountTypes"])
            tax = probe["TaxAmount"] if amount >= 0 else -probe["TaxAmount"]
        line["TaxAmount"] = tax
        lines.append(line)
    return lines


def _check_balanced(record: dict[str, Any], errors: list[str]) -> None:
    lines = record["JournalLines"]
    if len(lines) < 2:
        errors.append("A manual journal needs at least two lines to be posted.")
        return
    exclusive = record["LineAmountTypes"] == "Exclusive"
    gross = [line["LineAmount"] + (line["TaxAmount"] if exclusive else 0) for line in lines]
    debits = sum((g for g in gross if g > 0), Decimal(0))
    credits = -sum((g for g in gross if g < 0), Decimal(0))
    if debits != credits:
        errors.append(
            f"The total debits ({debits:.2f}) must equal the total credits ({credits:.2f})."
        )


def render(org: Org, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "ManualJournalID": record["ManualJournalID"],
        "Narration": record["Narration"],
        "Date": msdate(record["Date"]),
        "Status": record["Status"],
        "LineAmountTypes": record["LineAmountTypes"],
        "ShowOnCashBasisReports": record.get("ShowOnCashBasisReports", True),
        "HasAttachments": record.get("HasAttachments", False),
        "UpdatedDateUTC": msdate(record["UpdatedDateUTC"]),
        "JournalLines": [plain(line) for line in record["JournalLines"]],
    }


def _list(call: Call) -> Reply:
    records, pagination = list_records(
        call,
        list(call.org.manual_journals.values()),
        default_order="UpdatedDateUTC ASC",
        paged=True,
    )
    return envelope(call, "ManualJournals", [render(call.org, r) for r in records], pagination)


def _write(call: Call) -> Reply:
    found = call.org.manual_journals
    return write_collection(
        call,
        "ManualJournals",
        journal_apply,
        lambda record: render(call.org, record),
        lambda item: found.get(str(item.get("ManualJournalID", "")).lower()),
    )


register(
    Resource(
        "ManualJournals",
        JOURNAL_SCOPES,
        list=_list,
        create=_write,
        save=_write,
        find=lambda call, key: find_record(
            call.org.manual_journals, "ManualJournalID", key, "ManualJournalID"
        ),
        get=lambda call, record: envelope(call, "ManualJournals", [render(call.org, record)]),
        update=lambda call, record: write_record(
            call, "ManualJournals", record, journal_apply, lambda r: render(call.org, r)
        ),
        sub={
            "history": history_of("ManualJournalID"),
            "attachments": attachments_of("ManualJournalID"),
        },
    )
)
