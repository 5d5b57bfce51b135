"""Items: what an organisation sells and buys, with prices to `unitdp` places."""

from __future__ import annotations

from typing import Any

from xeroadmin.sandbox import serialize
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
from xeroadmin.sandbox.api.records import history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import InputError, money, new_id, validation_error


def item_apply(call: Call, existing: dict[str, Any] | None, item: dict[str, Any]) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    code = string_field(item, "Code", 30, errors)
    string_field(item, "Name", 50, errors)
    string_field(item, "Description", 4000, errors)
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
    add_history(
        call,
        record["ItemID"],
        "Created" if existing is None else "Updated",
        f"Item {record['Code']} {'created' if existing is None else 'updated'}",
    )
    return record


def _render(call: Call) -> Any:
    return lambda record: serialize.item(record, call.unit_places())


def _list(call: Call) -> Reply:
    records, _ = list_records(
        call, list(call.org.items.values()), default_order="Code", paged=False
    )
    return envelope(call, "Items", [_render(call)(i) for i in records])


def _existing(call: Call, item: dict[str, Any]) -> dict[str, Any] | None:
    """The item a POSTed element names, by ItemID or Code."""
    key = item.get("ItemID") or item.get("Code")
    return next((i for i in call.org.items.values() if key in (i["ItemID"], i["Code"])), None)


def _write(call: Call) -> Reply:
    return write_collection(
        call, "Items", item_apply, _render(call), lambda item: _existing(call, item)
    )


def _delete(call: Call, record: dict[str, Any]) -> Reply:
    if record.get("IsTrackedAsInventory") and record.get("QuantityOnHand"):
        raise validation_error(["This tracked item has stock on hand and cannot be deleted."])
    del call.org.items[record["ItemID"]]
    return Reply(204)


register(
    Resource(
        "Items",
        (
            {
                "accounting.settings",
                "accounting.settings.read",
                "accounting.invoices",
                "accounting.invoices.read",
            },
            {"accounting.settings", "accounting.invoices"},
        ),
        list=_list,
        create=_write,
        save=_write,
        find=lambda call, key: find_record(call.org.items, "Code", key, "ItemID"),
        get=lambda call, record: envelope(call, "Items", [_render(call)(record)]),
        update=lambda call, record: write_record(call, "Items", record, item_apply, _render(call)),
        delete=_delete,
        sub={"history": history_of("ItemID")},
    )
)
