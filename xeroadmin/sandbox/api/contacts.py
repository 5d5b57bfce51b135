"""Contacts: listed (searched, paged, archived ones on request), created, edited, with history
and attachments."""

from __future__ import annotations

import re
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
from xeroadmin.sandbox.api.records import attachments_of, history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import new_id, validation_error

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def contact_apply(
    call: Call, existing: dict[str, Any] | None, item: dict[str, Any]
) -> dict[str, Any]:
    org = call.org
    errors: list[str] = []
    name = string_field(item, "Name", 255, errors)
    number = string_field(item, "ContactNumber", 50, errors)
    email = string_field(item, "EmailAddress", 255, errors)
    for key in ("FirstName", "LastName"):
        string_field(item, key, 255, errors)
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
    add_history(
        call,
        record["ContactID"],
        "Created" if existing is None else "Updated",
        f"Contact {'created' if existing is None else 'updated'}: {record['Name']}",
    )
    return record


def _list(call: Call) -> Reply:
    records = list(call.org.contacts.values())
    ids = {i.lower() for i in call.arg_list("IDs")}
    if ids:
        records = [c for c in records if c["ContactID"] in ids]
    if not call.arg_bool("includeArchived"):
        records = [c for c in records if c["ContactStatus"] != "ARCHIVED"]
    term = (call.arg("searchTerm") or "").lower()
    if term:
        fields = ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
        records = [c for c in records if any(term in (c.get(f) or "").lower() for f in fields)]
    records, pagination = list_records(call, records, default_order="Name", paged=True)
    summary = call.arg_bool("summaryOnly")
    body = [serialize.contact(call.org, c, summary=summary) for c in records]
    return envelope(call, "Contacts", body, pagination)


def _existing(call: Call, item: dict[str, Any]) -> dict[str, Any] | None:
    """The contact a POSTed element names, by ContactID or ContactNumber."""
    key = item.get("ContactID") or item.get("ContactNumber")
    if not isinstance(key, str):
        return None
    found = next(
        (c for c in call.org.contacts.values() if key in (c["ContactID"], c.get("ContactNumber"))),
        None,
    )
    if found is None and item.get("ContactID"):
        raise validation_error([f"Contact with ID {key} could not be found."])
    return found


def _write(call: Call) -> Reply:
    return write_collection(
        call, "Contacts", contact_apply, _render(call), lambda item: _existing(call, item)
    )


def _render(call: Call) -> Any:
    return lambda record: serialize.contact(call.org, record)


register(
    Resource(
        "Contacts",
        ({"accounting.contacts", "accounting.contacts.read"}, {"accounting.contacts"}),
        list=_list,
        create=_write,
        save=_write,
        find=lambda call, key: find_record(call.org.contacts, "ContactNumber", key, "ContactID"),
        get=lambda call, record: envelope(
            call, "Contacts", [serialize.contact(call.org, record, full=True)]
        ),
        update=lambda call, record: write_record(
            call, "Contacts", record, contact_apply, _render(call)
        ),
        sub={"history": history_of("ContactID"), "attachments": attachments_of("ContactID")},
    )
)
