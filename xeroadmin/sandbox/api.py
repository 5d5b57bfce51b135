"""The Accounting API (`/api.xro/2.0/...`): Organisation, Currencies, TaxRates, Accounts,
Contacts, Items, Invoices, Payments, History and notes, Attachments, Email, OnlineInvoice, PDF."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from xeroadmin.sandbox import books, serialize
from xeroadmin.sandbox.core import (
    InputError,
    XeroError,
    money,
    msdate,
    new_id,
    not_found,
    parse_date,
    parse_modified_since,
    problem,
    validation_error,
)
from xeroadmin.sandbox.pdf import invoice_pdf
from xeroadmin.sandbox.query import apply_order, compile_where, path_getter
from xeroadmin.sandbox.state import Org

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_NOTE = 2500
DAILY_EMAILS = 1000
_BAD_FILENAME = re.compile(r'[<>:"/\\|?*\x00+]')


@dataclass
class Call:
    """One API request, already authenticated and routed to an organisation."""

    org: Org
    method: str
    segments: list[str]  # the path below /api.xro/2.0/, e.g. ["Invoices", "<id>", "History"]
    args: dict[str, str]
    headers: dict[str, str]
    body: bytes
    client_id: str
    app_name: str
    now: datetime
    base_url: str
    json_body: Any = None
    # (category, event type, resource id): what webhooks will announce.
    events: list[tuple[str, str, str]] = field(default_factory=list)

    def arg_bool(self, name: str, default: bool = False) -> bool:
        value = self.arg(name)
        if value is None:
            return default
        return value.lower() in ("true", "1", "yes")

    def arg(self, name: str) -> str | None:
        """A query argument; Xero's names are case-insensitive."""
        lowered = name.lower()
        return next((v for k, v in self.args.items() if k.lower() == lowered), None)

    def unit_places(self) -> int:
        """Decimal places of unit amounts and prices in this request: 4 with `unitdp=4`, else
        Xero rounds them to 2 and computes line amounts from the rounded price (10.1234 x 3 is
        30.36, not 30.37). Source: OAS-ACC parameter `unitdp`; certification checkpoint
        "Rounding" (XERO_FACTS section 8)."""
        return 4 if self.arg("unitdp") == "4" else 2

    def arg_int(self, name: str) -> int | None:
        value = self.arg(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError:
            raise validation_error([f"{name} must be a whole number."]) from None

    def arg_list(self, name: str) -> list[str]:
        value = self.arg(name)
        return [v.strip() for v in value.split(",") if v.strip()] if value else []


@dataclass
class Reply:
    status: int
    body: Any = None  # dict for JSON, bytes for files, None for empty
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def envelope(
    call: Call, key: str, records: list[Any], pagination: dict[str, int] | None = None
) -> Reply:
    body: dict[str, Any] = {
        "Id": new_id(),
        "Status": "OK",
        "ProviderName": call.app_name,
        "DateTimeUTC": msdate(call.now),
    }
    if pagination is not None:
        body["pagination"] = pagination
    body[key] = records
    return Reply(200, body)


# ----------------------------------------------------------------- list helpers


def _list(
    call: Call,
    records: list[dict[str, Any]],
    *,
    default_order: str,
    paged: bool,
) -> tuple[list[dict[str, Any]], dict[str, int] | None]:
    """Apply If-Modified-Since, where, order and paging the way Xero does."""
    since = parse_modified_since(call.headers.get("if-modified-since"))
    if since is not None:
        # Records with no change marker (tax rates, currencies) ignore the header, as Xero does.
        records = [r for r in records if "UpdatedDateUTC" not in r or r["UpdatedDateUTC"] > since]
    where = call.arg("where")
    if where:
        predicate = compile_where(where)
        records = [r for r in records if predicate(r, path_getter)]
    records = apply_order(records, call.arg("order") or default_order)
    pagination = None
    page = call.arg_int("page") if paged else None
    if page is not None:
        size = call.arg_int("pageSize") or DEFAULT_PAGE_SIZE
        size = max(1, min(size, MAX_PAGE_SIZE))
        page = max(page, 1)
        count = len(records)
        pagination = {
            "page": page,
            "pageSize": size,
            "pageCount": (count + size - 1) // size,
            "itemCount": count,
        }
        records = records[(page - 1) * size : page * size]
    return records, pagination


def _body_list(call: Call, key: str) -> list[dict[str, Any]]:
    """The records in a request body: `{"Key": [...]}` or one bare record."""
    body = call.json_body
    if isinstance(body, dict) and key in body:
        items = body[key]
    elif isinstance(body, dict):
        items = [body]
    else:
        raise validation_error([f"The request body must be a JSON object with a {key} array."])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise validation_error([f"{key} must be an array of objects."])
    if not items:
        raise validation_error([f"{key} must contain at least one element."])
    return items


def _summarize(call: Call) -> bool:
    # Xero summarises errors (one 400 for the whole batch) unless told otherwise.
    return call.arg_bool("summarizeErrors", default=True)


def _batch(
    call: Call,
    key: str,
    items: list[dict[str, Any]],
    apply: Callable[[dict[str, Any]], dict[str, Any]],
    render: Callable[[dict[str, Any]], dict[str, Any]],
) -> Reply:
    """Apply each element; all-or-nothing when summarising errors, else per-element status."""
    org = call.org
    snapshot = _snapshot(org) if _summarize(call) else None
    results: list[dict[str, Any]] = []
    failures = 0
    events_before = len(call.events)
    for item in items:
        try:
            record = apply(item)
        except XeroError as error:
            failures += 1
            messages = [
                v["Message"]
                for element in error.body.get("Elements", [])
                for v in element.get("ValidationErrors", [])
            ] or [str(error.body.get("Detail", "Invalid element"))]
            results.append(
                {
                    **{k: v for k, v in item.items() if isinstance(v, str | int | float | bool)},
                    "StatusAttributeString": "ERROR",
                    "ValidationErrors": [{"Message": m} for m in messages],
                }
            )
        else:
            results.append({**render(record), "StatusAttributeString": "OK"})
    if failures and snapshot is not None:
        _restore(org, snapshot)
        del call.events[events_before:]
        raise validation_error([], elements=[r for r in results])
    if snapshot is None:
        return envelope(call, key, results)
    return envelope(
        call, key, [{k: v for k, v in r.items() if k != "StatusAttributeString"} for r in results]
    )


_COLLECTIONS = ("contacts", "items", "invoices", "payments", "credit_notes", "accounts", "history")


def _snapshot(org: Org) -> dict[str, Any]:
    """What a failed summarised batch restores.

    Writes never change a stored record in place: they store a changed copy under the same
    key. So copying each collection's mapping (not its records) is enough to roll back, and
    costs pointers only, however large the organisation.
    """
    return {name: dict(getattr(org, name)) for name in _COLLECTIONS} | {
        "invoice_seq": org.invoice_seq
    }


def _restore(org: Org, snapshot: dict[str, Any]) -> None:
    for name, value in snapshot.items():
        setattr(org, name, value)


def _history(call: Call, record_id: str, changes: str, details: str) -> None:
    entry = {"Changes": changes, "DateUTC": call.now, "User": call.app_name, "Details": details}
    call.org.history[record_id] = [*call.org.history.get(record_id, ()), entry]


def _string(
    item: dict[str, Any], key: str, limit: int, errors: list[str], label: str | None = None
) -> str | None:
    if key not in item or item[key] is None:
        return None
    value = item[key]
    if not isinstance(value, str):
        errors.append(f"{label or key} must be text.")
        return None
    if len(value) > limit:
        errors.append(f"{label or key} must be no longer than {limit} characters.")
    return value


def _find(
    records: dict[str, dict[str, Any]], key: str, value: str, id_field: str
) -> dict[str, Any]:
    """A record by id, or by a secondary key (ContactNumber, InvoiceNumber, Item Code)."""
    record = records.get(value) or records.get(value.lower())
    if record is None:
        lowered = value.lower()
        record = next((r for r in records.values() if r.get(id_field, "").lower() == lowered), None)
    if record is None:
        record = next((r for r in records.values() if (r.get(key) or "") == value), None)
    if record is None:
        raise not_found()
    return record


# ----------------------------------------------------------------- organisation, currencies, tax


def organisation(call: Call) -> Reply:
    if len(call.segments) > 1:
        raise not_found()
    return envelope(call, "Organisations", [serialize.organisation(call.org)])


def currencies(call: Call) -> Reply:
    if call.method != "GET":
        raise validation_error(["Currencies can only be read here."])
    return envelope(call, "Currencies", [dict(c) for c in call.org.currencies])


def tax_rates(call: Call) -> Reply:
    if call.method != "GET":
        raise validation_error(["Tax rates can only be read here."])
    records, _ = _list(call, list(call.org.tax_rates), default_order="Name", paged=False)
    return envelope(call, "TaxRates", [serialize.tax_rate(r) for r in records])


# ----------------------------------------------------------------- accounts

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


def _account_apply(
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
    code = _string(item, "Code", 10, errors)
    name = _string(item, "Name", 150, errors)
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


def accounts(call: Call) -> Reply:
    org, seg = call.org, call.segments
    if len(seg) == 1:
        if call.method == "GET":
            live = [a for a in org.accounts.values() if a["Status"] != "DELETED"]
            records, _ = _list(call, live, default_order="Code", paged=False)
            return envelope(call, "Accounts", [serialize.account(a) for a in records])
        if call.method == "PUT":
            items = _body_list(call, "Accounts")
            if len(items) > 1:
                raise validation_error(["You can only add accounts one at a time."])
            record = _account_apply(call, None, items[0])
            return envelope(call, "Accounts", [serialize.account(record)])
        raise _method()
    found = org.accounts.get(seg[1].lower()) or org.accounts.get(seg[1])
    if found is None or found["Status"] == "DELETED":
        raise not_found()
    record = found
    if len(seg) > 2 and seg[2].lower() == "attachments":
        return attachments(call, record["AccountID"], record)
    if len(seg) > 2:
        raise not_found()
    if call.method == "GET":
        return envelope(call, "Accounts", [serialize.account(record)])
    if call.method == "POST":
        items = _body_list(call, "Accounts")
        record = _account_apply(call, record, items[0])
        return envelope(call, "Accounts", [serialize.account(record)])
    if call.method == "DELETE":
        if record.get("SystemAccount"):
            raise validation_error(["System accounts cannot be deleted."])
        if _account_used(org, record):
            raise validation_error(
                [
                    "This account has been used in transactions and cannot be deleted. Archive it instead."
                ]
            )
        record["Status"] = "DELETED"
        record["UpdatedDateUTC"] = call.now
        return envelope(call, "Accounts", [serialize.account(record)])
    raise _method()


# ----------------------------------------------------------------- contacts

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _contact_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    name = _string(item, "Name", 255, errors)
    number = _string(item, "ContactNumber", 50, errors)
    email = _string(item, "EmailAddress", 255, errors)
    for key in ("FirstName", "LastName"):
        _string(item, key, 255, errors)
    if existing is None and not name:
        errors.append("The contact name must be provided.")
    if name:
        clash = next(
            (
                c
                for c in org.contacts.values()
                if c is not existing
                and c["ContactStatus"] == "ACTIVE"
                and c["Name"].lower() == name.lower()
            ),
            None,
        )
        if clash:
            errors.append(
                f"The contact name {name} is already assigned to another contact. "
                "The contact name must be unique across all active contacts."
            )
    if number and any(
        c is not existing and c.get("ContactNumber") == number for c in org.contacts.values()
    ):
        errors.append(f"The contact number {number} is already assigned to another contact.")
    if email and not _EMAIL.match(email):
        errors.append("Email address must be valid.")
    status = item.get("ContactStatus")
    if status is not None and status not in ("ACTIVE", "ARCHIVED"):
        errors.append("ContactStatus must be ACTIVE or ARCHIVED.")
    if status == "ARCHIVED" and existing is not None:
        owing = any(
            i["Contact"]["ContactID"] == existing["ContactID"] and i["Status"] == "AUTHORISED"
            for i in org.invoices.values()
        )
        if owing:
            errors.append("This contact cannot be archived as it has outstanding invoices.")
    for key in ("Addresses", "Phones"):
        if key in item and not (
            isinstance(item[key], list) and all(isinstance(x, dict) for x in item[key])
        ):
            errors.append(f"{key} must be an array of objects.")
    currency = item.get("DefaultCurrency")
    if currency and currency not in {c["Code"] for c in org.currencies}:
        errors.append(f"Organisation is not subscribed to currency {currency}")
    if errors:
        raise validation_error(errors)
    record = (
        dict(existing)
        if existing
        else {
            "ContactID": new_id(),
            "ContactStatus": "ACTIVE",
            "IsSupplier": False,
            "IsCustomer": False,
            "Addresses": [],
            "Phones": [],
            "HasAttachments": False,
            "EmailAddress": "",
            "FirstName": "",
            "LastName": "",
            "DefaultCurrency": org.currency,
        }
    )
    for key in (
        "Name",
        "ContactNumber",
        "AccountNumber",
        "FirstName",
        "LastName",
        "EmailAddress",
        "Addresses",
        "Phones",
        "TaxNumber",
        "DefaultCurrency",
        "ContactStatus",
        "Website",
        "BankAccountDetails",
    ):
        if key in item:
            record[key] = item[key]
    record["UpdatedDateUTC"] = call.now
    org.contacts[record["ContactID"]] = record
    if existing is not None and existing.get("Name") != record["Name"]:
        for invoice_id, invoice in org.invoices.items():
            if invoice["Contact"]["ContactID"] == record["ContactID"]:
                contact_ref = {**invoice["Contact"], "Name": record["Name"]}
                org.invoices[invoice_id] = {**invoice, "Contact": contact_ref}
    call.events.append(("CONTACT", "CREATE" if existing is None else "UPDATE", record["ContactID"]))
    _history(
        call,
        record["ContactID"],
        "Created" if existing is None else "Updated",
        f"Contact {'created' if existing is None else 'updated'}: {record['Name']}",
    )
    return record


def contacts(call: Call) -> Reply:
    org, seg = call.org, call.segments
    render = lambda c: serialize.contact(org, c)  # noqa: E731
    if len(seg) == 1:
        if call.method == "GET":
            records = list(org.contacts.values())
            ids = {i.lower() for i in call.arg_list("IDs")}
            if ids:
                records = [c for c in records if c["ContactID"] in ids]
            if not call.arg_bool("includeArchived"):
                records = [c for c in records if c["ContactStatus"] != "ARCHIVED"]
            term = (call.arg("searchTerm") or "").lower()
            if term:
                fields = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
                records = [
                    c for c in records if any(term in (c.get(f) or "").lower() for f in fields)
                ]
            records, pagination = _list(call, records, default_order="Name", paged=True)
            summary = call.arg_bool("summaryOnly")
            return envelope(
                call,
                "Contacts",
                [serialize.contact(org, c, summary=summary) for c in records],
                pagination,
            )
        if call.method in ("PUT", "POST"):
            items = _body_list(call, "Contacts")

            def apply(item: dict[str, Any]) -> dict[str, Any]:
                existing = None
                if call.method == "POST":
                    key = item.get("ContactID") or item.get("ContactNumber")
                    if isinstance(key, str):
                        existing = next(
                            (
                                c
                                for c in org.contacts.values()
                                if key in (c["ContactID"], c.get("ContactNumber"))
                            ),
                            None,
                        )
                        if existing is None and item.get("ContactID"):
                            raise validation_error([f"Contact with ID {key} could not be found."])
                return _contact_apply(call, existing, item)

            return _batch(call, "Contacts", items, apply, render)
        raise _method()
    record = _find(org.contacts, "ContactNumber", seg[1], "ContactID")
    if len(seg) > 2:
        sub = seg[2].lower()
        if sub == "history":
            return history(call, record["ContactID"])
        if sub == "attachments":
            return attachments(call, record["ContactID"], record)
        raise not_found()
    if call.method == "GET":
        return envelope(call, "Contacts", [serialize.contact(org, record, full=True)])
    if call.method == "POST":
        items = _body_list(call, "Contacts")
        return _batch(
            call, "Contacts", items[:1], lambda item: _contact_apply(call, record, item), render
        )
    raise _method()


# ----------------------------------------------------------------- items


def _item_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    code = _string(item, "Code", 30, errors)
    _string(item, "Name", 50, errors)
    _string(item, "Description", 4000, errors)
    if existing is None and not code:
        errors.append("Item code must be provided.")
    if code and any(
        i is not existing and i["Code"].lower() == code.lower() for i in org.items.values()
    ):
        errors.append(f"Item code '{code}' already exists.")
    details_out: dict[str, Any] = {}
    for key in ("SalesDetails", "PurchaseDetails"):
        details = item.get(key)
        if details is None:
            continue
        if not isinstance(details, dict):
            errors.append(f"{key} must be an object.")
            continue
        clean: dict[str, Any] = {}
        if details.get("UnitPrice") is not None:
            try:
                clean["UnitPrice"] = money(
                    details["UnitPrice"], f"{key}.UnitPrice", places=call.unit_places()
                )
            except InputError as error:
                errors.append(str(error))
        account_code = details.get("AccountCode")
        if account_code:
            account = org.account_by_code(account_code)
            if account is None or account["Status"] != "ACTIVE":
                errors.append(f"Account code '{account_code}' is not a valid code for this item.")
            clean["AccountCode"] = account_code
        tax_type = details.get("TaxType")
        if tax_type:
            if org.tax_rate(tax_type) is None:
                errors.append(
                    f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction."
                )
            clean["TaxType"] = tax_type
        details_out[key] = clean
    if errors:
        raise validation_error(errors)
    record = (
        dict(existing)
        if existing
        else {
            "ItemID": new_id(),
            "IsSold": True,
            "IsPurchased": True,
            "IsTrackedAsInventory": False,
            "Description": "",
            "PurchaseDescription": "",
            "SalesDetails": {},
            "PurchaseDetails": {},
        }
    )
    for key in ("Code", "Name", "Description", "PurchaseDescription", "IsSold", "IsPurchased"):
        if key in item:
            record[key] = item[key]
    record.setdefault("Name", record["Code"])
    record.update(details_out)
    record["UpdatedDateUTC"] = call.now
    org.items[record["ItemID"]] = record
    _history(
        call,
        record["ItemID"],
        "Created" if existing is None else "Updated",
        f"Item {record['Code']} {'created' if existing is None else 'updated'}",
    )
    return record


def items(call: Call) -> Reply:
    org, seg = call.org, call.segments
    unitdp = 4 if call.arg("unitdp") == "4" else 2
    render = lambda i: serialize.item(i, unitdp)  # noqa: E731
    if len(seg) == 1:
        if call.method == "GET":
            records, _ = _list(call, list(org.items.values()), default_order="Code", paged=False)
            return envelope(call, "Items", [render(i) for i in records])
        if call.method in ("PUT", "POST"):
            body_items = _body_list(call, "Items")

            def apply(item: dict[str, Any]) -> dict[str, Any]:
                existing = None
                if call.method == "POST":
                    key = item.get("ItemID") or item.get("Code")
                    existing = next(
                        (i for i in org.items.values() if key in (i["ItemID"], i["Code"])), None
                    )
                return _item_apply(call, existing, item)

            return _batch(call, "Items", body_items, apply, render)
        raise _method()
    record = _find(org.items, "Code", seg[1], "ItemID")
    if len(seg) > 2:
        if seg[2].lower() == "history":
            return history(call, record["ItemID"])
        raise not_found()
    if call.method == "GET":
        return envelope(call, "Items", [render(record)])
    if call.method == "POST":
        body_items = _body_list(call, "Items")
        return _batch(
            call, "Items", body_items[:1], lambda item: _item_apply(call, record, item), render
        )
    if call.method == "DELETE":
        if record.get("IsTrackedAsInventory") and record.get("QuantityOnHand"):
            raise validation_error(["This tracked item has stock on hand and cannot be deleted."])
        del org.items[record["ItemID"]]
        return Reply(204)
    raise _method()


# ----------------------------------------------------------------- invoices


def _invoice_lines(
    call: Call, raw: Any, invoice_type: str, errors: list[str], old: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    org = call.org
    if not isinstance(raw, list):
        errors.append("LineItems must be an array.")
        return []
    previous = {line["LineItemID"]: line for line in old}
    places = call.unit_places()
    lines = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors.append(f"Line {position} must be an object.")
            continue
        line = dict(previous.get(item.get("LineItemID") or "", {})) or {
            "LineItemID": new_id(),
            "Tracking": [],
        }
        code = item.get("ItemCode")
        if code:
            product = next((i for i in org.items.values() if i["Code"] == code), None)
            if product is None:
                errors.append(f"Item code '{code}' is not valid.")
            else:
                details = (
                    product["SalesDetails"]
                    if invoice_type == "ACCREC"
                    else product["PurchaseDetails"]
                )
                line.setdefault("Description", product.get("Description") or product["Name"])
                if "UnitPrice" in details:
                    line.setdefault(
                        "UnitAmount", money(details["UnitPrice"], "UnitPrice", places=places)
                    )
                if "AccountCode" in details:
                    line.setdefault("AccountCode", details["AccountCode"])
                if "TaxType" in details:
                    line.setdefault("TaxType", details["TaxType"])
                line["ItemCode"] = code
        for key in ("Description", "AccountCode", "TaxType"):
            if key in item:
                line[key] = item[key]
        try:
            if "Quantity" in item:
                line["Quantity"] = money(item["Quantity"], f"Line {position} Quantity", places=4)
            if "UnitAmount" in item:
                line["UnitAmount"] = money(
                    item["UnitAmount"], f"Line {position} UnitAmount", places=places
                )
            if item.get("DiscountRate") is not None:
                line["DiscountRate"] = money(item["DiscountRate"], f"Line {position} DiscountRate")
        except InputError as error:
            errors.append(str(error))
            continue
        line.setdefault("Quantity", Decimal(1))
        line.setdefault("UnitAmount", Decimal(0))
        if not line.get("Description") and not line.get("ItemCode"):
            errors.append("Description needs to be specified for each line item.")
        account = org.account_by_code(line.get("AccountCode")) if line.get("AccountCode") else None
        # Lines are never coded to a bank account: money moves through one by payments.
        # Message as Xero words it (Xero-NetStandard issue #364).
        if line.get("AccountCode") and (
            account is None or account["Status"] != "ACTIVE" or account["Type"] == "BANK"
        ):
            errors.append(
                f"Account code '{line['AccountCode']}' is not a valid code for this document."
            )
            account = None
        if account is not None and not line.get("TaxType"):
            line["TaxType"] = account["TaxType"]
        rate = org.tax_rate(line["TaxType"]) if line.get("TaxType") else None
        if line.get("TaxType") and rate is None:
            errors.append(
                f"The TaxType code '{line['TaxType']}' does not exist or cannot be used for this type of transaction."
            )
        elif rate is not None and account is not None and not _tax_fits(rate, account):
            # A rate applies only to the account classes it says (CanApplyToRevenue and the
            # like; OAS-ACC schemas.TaxRate). Message as Xero words it (Xero-Java issue #336).
            errors.append(
                f"The TaxType code '{line['TaxType']}' cannot be used with account code "
                f"'{account['Code']}'."
            )
        lines.append(line)
    return lines


ACCOUNT_CLASS_FLAGS = {
    "REVENUE": "CanApplyToRevenue",
    "EXPENSE": "CanApplyToExpenses",
    "ASSET": "CanApplyToAssets",
    "LIABILITY": "CanApplyToLiabilities",
    "EQUITY": "CanApplyToEquity",
}


def _tax_fits(rate: dict[str, Any], account: dict[str, Any]) -> bool:
    """Whether a tax rate may be used on a line coded to this account (by its class)."""
    flag = ACCOUNT_CLASS_FLAGS.get(str(account.get("Class") or ""))
    return flag is None or rate.get(flag, True) is not False


def _payment_rate(
    org: Any, invoice: dict[str, Any], item: dict[str, Any], day: Any, errors: list[str]
) -> Decimal:
    code = invoice.get("CurrencyCode") or org.currency
    if code == org.currency:
        return Decimal(1)
    sent = item.get("CurrencyRate")
    if sent not in (None, "", 0):
        try:
            rate = money(sent, "CurrencyRate", places=6)
        except InputError as error:
            errors.append(str(error))
            return Decimal(1)
        if rate > 0:
            return rate
        errors.append("CurrencyRate must be greater than zero.")
    return books.day_rate(org.currency, code, day)


def _document_currency(
    call: Call, record: dict[str, Any], item: dict[str, Any], errors: list[str]
) -> None:
    """A document's currency and rate: the rate the client sends is kept; without one, a
    foreign-currency document takes the day's rate for its date, and the base currency 1.
    Source: OAS-ACC schemas.Invoice.CurrencyRate (XERO_FACTS section 8)."""
    org = call.org
    if "CurrencyCode" in item:
        if item["CurrencyCode"] not in {c["Code"] for c in org.currencies}:
            errors.append(f"Organisation is not subscribed to currency {item['CurrencyCode']}")
            return
        record["CurrencyCode"] = item["CurrencyCode"]
    code = record.get("CurrencyCode") or org.currency
    sent = item.get("CurrencyRate")
    if code == org.currency:
        record["CurrencyRate"] = Decimal(1)
    elif sent not in (None, "", 0):
        try:
            rate = money(sent, "CurrencyRate", places=6)
        except InputError as error:
            errors.append(str(error))
            return
        if rate <= 0:
            errors.append("CurrencyRate must be greater than zero.")
            return
        record["CurrencyRate"] = rate
    elif "CurrencyCode" in item or "Date" in item or not record.get("CurrencyRate"):
        record["CurrencyRate"] = books.day_rate(org.currency, code, record["Date"])


def _invoice_contact(call: Call, raw: Any, errors: list[str]) -> dict[str, Any] | None:
    org = call.org
    if not isinstance(raw, dict):
        errors.append("A Contact must be specified for this type of transaction.")
        return None
    if raw.get("ContactID"):
        contact = org.contacts.get(str(raw["ContactID"]).lower()) or org.contacts.get(
            str(raw["ContactID"])
        )
        if contact is None:
            errors.append(f"Contact with ID {raw['ContactID']} could not be found.")
            return None
    elif raw.get("ContactNumber"):
        contact = next(
            (c for c in org.contacts.values() if c.get("ContactNumber") == raw["ContactNumber"]),
            None,
        )
        if contact is None:
            errors.append(f"Contact with number {raw['ContactNumber']} could not be found.")
            return None
    elif isinstance(raw.get("Name"), str) and raw["Name"].strip():
        contact = next(
            (
                c
                for c in org.contacts.values()
                if c["Name"].lower() == raw["Name"].strip().lower()
                and c["ContactStatus"] == "ACTIVE"
            ),
            None,
        )
        if contact is None:
            # As in Xero: an unknown name creates the contact.
            contact = _contact_apply(call, None, {"Name": raw["Name"].strip()})
    else:
        errors.append("A Contact must be specified for this type of transaction.")
        return None
    if contact["ContactStatus"] == "ARCHIVED":
        errors.append(f"The contact {contact['Name']} is archived and cannot be used.")
    return contact


def _invoice_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    invoice_type = item.get("Type") if existing is None else existing["Type"]
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
    if existing is not None:
        message = books.transition_error(current, wanted)
        if message:
            raise validation_error([message])
        paid = books.payments_of(org, existing["InvoiceID"])
        changes_content = any(
            k in item for k in ("LineItems", "Contact", "CurrencyCode", "LineAmountTypes")
        )
        if paid and (wanted == "VOIDED" or changes_content):
            raise validation_error(
                [
                    "This document cannot be edited as it has a payment or credit note allocated to it."
                    if changes_content
                    else "Payments have been applied to this invoice: remove them before voiding it."
                ]
            )
    record = (
        dict(existing)
        if existing
        else {
            "InvoiceID": new_id(),
            "Type": invoice_type,
            "InvoiceNumber": "",
            "Reference": "",
            "LineAmountTypes": "Exclusive",
            "LineItems": [],
            "AmountPaid": Decimal(0),
            "AmountCredited": Decimal(0),
            "CurrencyCode": org.currency,
            "CurrencyRate": Decimal(1),
            "SentToContact": False,
            "HasAttachments": False,
            "FullyPaidOnDate": None,
            "CreatedByClientID": call.client_id,
            "Date": call.now.date(),
            "DueDate": None,
        }
    )
    if existing is None or "Contact" in item:
        contact = _invoice_contact(call, item.get("Contact"), errors)
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
    reference = _string(item, "Reference", 255, errors)
    if reference is not None:
        record["Reference"] = reference
    if "LineAmountTypes" in item:
        if item["LineAmountTypes"] not in books.LINE_AMOUNT_TYPES:
            errors.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
        else:
            record["LineAmountTypes"] = item["LineAmountTypes"]
    _document_currency(call, record, item, errors)
    if "LineItems" in item:
        record["LineItems"] = _invoice_lines(
            call, item["LineItems"], str(invoice_type), errors, record["LineItems"]
        )
    number = _string(item, "InvoiceNumber", 255, errors)
    if number is not None:
        record["InvoiceNumber"] = number
    if invoice_type == "ACCREC" and record["InvoiceNumber"]:
        clash = next(
            (
                i
                for i in org.invoices.values()
                if i["Type"] == "ACCREC"
                and i["InvoiceID"] != record["InvoiceID"]
                and i["InvoiceNumber"].lower() == record["InvoiceNumber"].lower()
            ),
            None,
        )
        if clash:
            errors.append("Invoice # must be unique.")
    if wanted in ("SUBMITTED", "AUTHORISED"):
        if not record["LineItems"]:
            errors.append("Invoices must have at least one line item before they can be approved.")
        if record.get("DueDate") is None:
            errors.append("Due Date is required for invoices that are submitted or approved.")
        for line in record["LineItems"]:
            if not line.get("AccountCode"):
                errors.append(
                    "Account code must be specified for each line item before the invoice is approved."
                )
                break
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
    label = record["InvoiceNumber"] or "Bill"
    if existing is None:
        _history(
            call,
            record["InvoiceID"],
            "Created",
            f"{label} to {record['Contact']['Name']} for {record['Total']:.2f}.",
        )
    elif current != wanted:
        verb = {
            "AUTHORISED": "Approved",
            "VOIDED": "Voided",
            "DELETED": "Deleted",
            "SUBMITTED": "Submitted",
            "DRAFT": "Redrafted",
        }[wanted]
        _history(call, record["InvoiceID"], verb, f"{label} {verb.lower()}.")
    else:
        _history(call, record["InvoiceID"], "Edited", f"{label} edited.")
    return record


def invoices(call: Call) -> Reply:
    org, seg = call.org, call.segments
    unitdp = 4 if call.arg("unitdp") == "4" else 2
    render = lambda i: serialize.invoice(org, i, unitdp=unitdp)  # noqa: E731
    if len(seg) == 1:
        if call.method == "GET":
            return _invoice_list(call, unitdp)
        if call.method in ("PUT", "POST"):
            body_items = _body_list(call, "Invoices")

            def apply(item: dict[str, Any]) -> dict[str, Any]:
                existing = None
                if call.method == "POST":
                    key = item.get("InvoiceID") or item.get("InvoiceNumber")
                    if isinstance(key, str):
                        existing = org.invoices.get(key.lower()) or next(
                            (i for i in org.invoices.values() if i["InvoiceNumber"] == key), None
                        )
                        if existing is None and item.get("InvoiceID"):
                            raise validation_error([f"Invoice with ID {key} could not be found."])
                return _invoice_apply(call, existing, item)

            return _batch(call, "Invoices", body_items, apply, render)
        raise _method()
    record = _find(org.invoices, "InvoiceNumber", seg[1], "InvoiceID")
    if len(seg) > 2:
        sub = seg[2].lower()
        if sub == "history":
            return history(call, record["InvoiceID"])
        if sub == "attachments":
            return attachments(call, record["InvoiceID"], record)
        if sub == "email":
            return _invoice_email(call, record)
        if sub == "onlineinvoice":
            return _online_invoice(call, record)
        if sub == "pdf":
            return Reply(200, invoice_pdf(org, record), content_type="application/pdf")
        raise not_found()
    if call.method == "GET":
        if "application/pdf" in call.headers.get("accept", ""):
            return Reply(200, invoice_pdf(org, record), content_type="application/pdf")
        return envelope(call, "Invoices", [render(record)])
    if call.method == "POST":
        body_items = _body_list(call, "Invoices")
        return _batch(
            call,
            "Invoices",
            body_items[:1],
            lambda item: _invoice_apply(call, record, item),
            render,
        )
    raise _method()


def _invoice_list(call: Call, unitdp: int) -> Reply:
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
    records, pagination = _list(call, records, default_order="UpdatedDateUTC ASC", paged=True)
    # An unpaged list carries no line items; a paged one (or one by id) does.
    with_lines = pagination is not None and not summary
    body = [
        serialize.invoice(org, r, lines=with_lines, summary=summary, unitdp=unitdp) for r in records
    ]
    return envelope(call, "Invoices", body, pagination)


def _invoice_email(call: Call, record: dict[str, Any]) -> Reply:
    if call.method != "POST":
        raise _method()
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
    _history(
        call,
        record["InvoiceID"],
        "Sent",
        f"{record['InvoiceNumber']} sent to {contact['EmailAddress']}.",
    )
    return Reply(204)


def _online_invoice(call: Call, record: dict[str, Any]) -> Reply:
    if call.method != "GET":
        raise _method()
    if record["Type"] != "ACCREC":
        raise validation_error(["Online invoices are only available for sales invoices (ACCREC)."])
    if record["Status"] in ("DRAFT", "DELETED"):
        raise validation_error(
            [f"An online invoice is not available for an invoice with status {record['Status']}."]
        )
    url = f"{call.base_url}/_sandbox/online/{call.org.id}/{record['InvoiceID']}"
    return envelope(call, "OnlineInvoices", [{"OnlineInvoiceUrl": url}])


# ----------------------------------------------------------------- payments


def _payment_create(call: Call, item: dict[str, Any]) -> dict[str, Any]:
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
    rate = _payment_rate(org, invoice, item, paid_on, errors) if invoice else Decimal(1)
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
    _history(call, invoice["InvoiceID"], "Paid", f"Payment of {amount:.2f} received.")
    _history(
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
    _history(
        call,
        invoice["InvoiceID"],
        "Payment deleted",
        f"Payment of {payment['Amount']:.2f} removed.",
    )
    _history(call, payment["PaymentID"], "Deleted", "Payment reversed.")
    return payment


def payments(call: Call) -> Reply:
    org, seg = call.org, call.segments
    render = lambda p: serialize.payment(org, p)  # noqa: E731
    if len(seg) == 1:
        if call.method == "GET":
            records = [
                dict(p, Invoice={"InvoiceID": p["InvoiceID"]}) for p in org.payments.values()
            ]
            records, pagination = _list(
                call, records, default_order="UpdatedDateUTC ASC", paged=True
            )
            return envelope(call, "Payments", [render(p) for p in records], pagination)
        if call.method == "PUT":
            return _batch(
                call,
                "Payments",
                _body_list(call, "Payments"),
                lambda i: _payment_create(call, i),
                render,
            )
        if call.method == "POST":
            body_items = _body_list(call, "Payments")
            if len(body_items) > 1:
                raise validation_error(
                    ["POST /Payments creates a single payment; use PUT for several."]
                )
            return _batch(call, "Payments", body_items, lambda i: _payment_create(call, i), render)
        raise _method()
    payment = org.payments.get(seg[1].lower()) or org.payments.get(seg[1])
    if payment is None:
        raise not_found()
    if len(seg) > 2:
        if seg[2].lower() == "history":
            return history(call, payment["PaymentID"])
        raise not_found()
    if call.method == "GET":
        return envelope(call, "Payments", [render(payment)])
    if call.method == "POST":
        return envelope(call, "Payments", [render(_payment_delete(call, payment))])
    raise _method()


# ----------------------------------------------------------------- history and attachments


def history(call: Call, record_id: str) -> Reply:
    records = call.org.history.get(record_id, [])
    if call.method == "GET":
        shown = records or [
            {
                "Changes": "Created",
                "DateUTC": call.org.created,
                "User": "System Generated",
                "Details": "Created.",
            }
        ]
        return envelope(call, "HistoryRecords", [_history_out(r) for r in reversed(shown)])
    if call.method in ("PUT", "POST"):
        notes = _body_list(call, "HistoryRecords")
        added = []
        for note in notes:
            details = note.get("Details")
            if not isinstance(details, str) or not details.strip():
                raise validation_error(["Details must be provided for a history note."])
            if len(details) > MAX_NOTE:
                raise validation_error([f"Details must be {MAX_NOTE} characters or fewer."])
            added.append(
                {
                    "Changes": "Note",
                    "DateUTC": call.now,
                    "User": "System Generated",
                    "Details": details,
                }
            )
        call.org.history[record_id] = [*records, *added]
        return envelope(call, "HistoryRecords", [_history_out(r) for r in added])
    raise _method()


def _history_out(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "Changes": record["Changes"],
        "DateUTCString": record["DateUTC"].strftime("%Y-%m-%dT%H:%M:%S"),
        "DateUTC": msdate(record["DateUTC"]),
        "User": record["User"],
        "Details": record["Details"],
    }


def attachments(call: Call, record_id: str, record: dict[str, Any]) -> Reply:
    org, seg = call.org, call.segments
    files = org.attachments.setdefault(record_id, [])
    resource = seg[0]
    if len(seg) == 3:
        if call.method != "GET":
            raise _method()
        return envelope(
            call, "Attachments", [_attachment_out(call, resource, record_id, f) for f in files]
        )
    name = seg[3]
    if call.method == "GET":
        found = next(
            (f for f in files if f["AttachmentID"] == name.lower() or f["FileName"] == name), None
        )
        if found is None:
            raise not_found()
        # The file's own type when the client accepts it, else octet-stream (the contract's).
        accepted = call.headers.get("accept", "")
        mime = found["MimeType"] if found["MimeType"] in accepted else "application/octet-stream"
        return Reply(
            200,
            found["Data"],
            content_type=mime,
            headers={"Content-Disposition": _disposition(found["FileName"])},
        )
    if call.method not in ("PUT", "POST"):
        raise _method()
    if _BAD_FILENAME.search(name) or not name.strip():
        raise validation_error(['The file name may not contain < > : " / \\ | ? * or +.'])
    if len(call.body) > MAX_ATTACHMENT_BYTES:
        raise XeroError(
            413,
            {
                "Title": "Request Entity Too Large",
                "Status": 413,
                "Detail": "Attachments may be at most 10 MB.",
            },
        )
    if not call.body:
        raise validation_error(["The attachment is empty."])
    existing = next((f for f in files if f["FileName"] == name), None)
    if existing is None and len(files) >= MAX_ATTACHMENTS:
        raise validation_error([f"A document can have at most {MAX_ATTACHMENTS} attachments."])
    mime = call.headers.get("content-type") or "application/octet-stream"
    if mime.startswith("application/json"):
        mime = "application/octet-stream"
    entry = existing or {"AttachmentID": new_id(), "FileName": name}
    entry.update(
        Data=call.body,
        MimeType=mime,
        ContentLength=len(call.body),
        IncludeOnline=call.arg_bool("IncludeOnline"),
    )
    if existing is None:
        files.append(entry)
    record["HasAttachments"] = True
    return envelope(call, "Attachments", [_attachment_out(call, resource, record_id, entry)])


def _disposition(name: str) -> str:
    """`attachment` with the file's name for every client: an ASCII stand-in in `filename` and
    the name itself in RFC 5987's `filename*` (headers carry Latin-1 only)."""
    plain = "".join(c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _attachment_out(
    call: Call, resource: str, record_id: str, entry: dict[str, Any]
) -> dict[str, Any]:
    return {
        "AttachmentID": entry["AttachmentID"],
        "FileName": entry["FileName"],
        "Url": f"{call.base_url}/api.xro/2.0/{resource}/{record_id}/Attachments/"
        + quote(entry["FileName"], safe=""),
        "MimeType": entry["MimeType"],
        "ContentLength": entry["ContentLength"],
        "IncludeOnline": entry.get("IncludeOnline", False),
    }


def _method() -> XeroError:
    return XeroError(
        405,
        {
            "Title": "Method Not Allowed",
            "Status": 405,
            "Detail": "The method is not supported for this resource.",
        },
    )


# ----------------------------------------------------------------- credit notes

CREDIT_TYPES = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}


def _credit_note_apply(
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
    if existing is None or "Contact" in item:
        contact = _invoice_contact(call, item.get("Contact"), errors)
        if contact is not None:
            record["Contact"] = {"ContactID": contact["ContactID"], "Name": contact["Name"]}
    try:
        if "Date" in item:
            record["Date"] = parse_date(item["Date"], "Date") or call.now.date()
    except InputError as error:
        errors.append(str(error))
    _document_currency(call, record, item, errors)
    if "LineItems" in item:
        record["LineItems"] = _invoice_lines(
            call, item["LineItems"], CREDIT_TYPES[str(credit_type)], errors, record["LineItems"]
        )
    reference = _string(item, "Reference", 255, errors)
    if reference is not None:
        record["Reference"] = reference
    if "LineAmountTypes" in item:
        # As on invoices: a credit note's lines are tax exclusive, inclusive or without tax.
        # Source: OAS-ACC schemas.CreditNote.LineAmountTypes.
        if item["LineAmountTypes"] not in books.LINE_AMOUNT_TYPES:
            errors.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
        else:
            record["LineAmountTypes"] = item["LineAmountTypes"]
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
    _history(
        call,
        record["CreditNoteID"],
        "Created" if existing is None else "Edited",
        f"{record['CreditNoteNumber']} {'created' if existing is None else 'edited'}.",
    )
    return record


def credit_notes(call: Call) -> Reply:
    org, seg = call.org, call.segments
    render = lambda r: serialize.credit_note(r, call.unit_places())  # noqa: E731
    if len(seg) == 1:
        if call.method == "GET":
            records, pagination = _list(
                call,
                list(org.credit_notes.values()),
                default_order="UpdatedDateUTC ASC",
                paged=True,
            )
            return envelope(call, "CreditNotes", [render(r) for r in records], pagination)
        if call.method in ("PUT", "POST"):
            body_items = _body_list(call, "CreditNotes")

            def apply(item: dict[str, Any]) -> dict[str, Any]:
                existing = org.credit_notes.get(str(item.get("CreditNoteID", "")).lower())
                if call.method == "PUT":
                    existing = None
                return _credit_note_apply(call, existing, item)

            return _batch(call, "CreditNotes", body_items, apply, render)
        raise _method()
    record = _find(org.credit_notes, "CreditNoteNumber", seg[1], "CreditNoteID")
    if len(seg) > 2:
        if seg[2].lower() == "history":
            return history(call, record["CreditNoteID"])
        raise not_found()
    if call.method == "GET":
        # Xero answers a document as PDF when that is what the client accepts (OAS-ACC
        # getCreditNoteAsPdf, the same path with Accept: application/pdf).
        if "application/pdf" in call.headers.get("accept", ""):
            return Reply(200, invoice_pdf(org, record), content_type="application/pdf")
        return envelope(call, "CreditNotes", [render(record)])
    if call.method == "POST":
        body_items = _body_list(call, "CreditNotes")
        return _batch(
            call,
            "CreditNotes",
            body_items[:1],
            lambda item: _credit_note_apply(call, record, item),
            render,
        )
    raise _method()


# ----------------------------------------------------------------- routing and scopes

HANDLERS: dict[str, Callable[[Call], Reply]] = {
    "organisation": organisation,
    # The plural answers too: the community client pyxero asks for /Organisations (pyxero
    # issue #17 and pull request #75).
    "organisations": organisation,
    "currencies": currencies,
    "taxrates": tax_rates,
    "accounts": accounts,
    "contacts": contacts,
    "items": items,
    "invoices": invoices,
    "payments": payments,
    "creditnotes": credit_notes,
}

# The scopes that allow reading or writing each resource: granular first, then broad.
SCOPES: dict[str, tuple[set[str], set[str]]] = {
    "organisation": ({"accounting.settings", "accounting.settings.read"}, {"accounting.settings"}),
    "organisations": ({"accounting.settings", "accounting.settings.read"}, {"accounting.settings"}),
    "currencies": ({"accounting.settings", "accounting.settings.read"}, {"accounting.settings"}),
    "taxrates": ({"accounting.settings", "accounting.settings.read"}, {"accounting.settings"}),
    "accounts": ({"accounting.settings", "accounting.settings.read"}, {"accounting.settings"}),
    "items": (
        {
            "accounting.settings",
            "accounting.settings.read",
            "accounting.invoices",
            "accounting.invoices.read",
        },
        {"accounting.settings", "accounting.invoices"},
    ),
    "contacts": ({"accounting.contacts", "accounting.contacts.read"}, {"accounting.contacts"}),
    "invoices": (
        {
            "accounting.invoices",
            "accounting.invoices.read",
            "accounting.transactions",
            "accounting.transactions.read",
        },
        {"accounting.invoices", "accounting.transactions"},
    ),
    "payments": (
        {
            "accounting.payments",
            "accounting.payments.read",
            "accounting.transactions",
            "accounting.transactions.read",
        },
        {"accounting.payments", "accounting.transactions"},
    ),
}
ATTACHMENT_SCOPES = (
    {"accounting.attachments", "accounting.attachments.read"},
    {"accounting.attachments"},
)


def check_scope(resource: str, segments: list[str], method: str, granted: set[str]) -> None:
    """401 AuthorizationUnsuccessful when the token's scopes do not cover the call."""
    is_attachment = len(segments) > 2 and segments[2].lower() == "attachments"
    read, write = ATTACHMENT_SCOPES if is_attachment else SCOPES[resource]
    allowed = read if method == "GET" else write
    if not granted & allowed:
        raise problem(401, "Unauthorized", "AuthorizationUnsuccessful")


def dispatch(call: Call) -> Reply:
    resource = call.segments[0].lower() if call.segments else ""
    handler = HANDLERS.get(resource)
    if handler is None:
        raise not_found("The resource you're looking for cannot be found")
    return handler(call)
