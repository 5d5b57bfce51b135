"""Tracking categories and their options: listed (active ones unless `includeArchived`),
created, renamed, archived and restored, deleted while nothing uses them.

Xero lets an organisation have two active tracking categories; a name is unique among an
organisation's categories, and an option's among its category's. A category or option that a
document's line uses is archived rather than deleted. Shapes: OAS-ACC `TrackingCategory`,
`TrackingOption`, and the `/TrackingCategories` paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xeroadmin.sandbox.api.common import (
    Call,
    Reply,
    body_list,
    envelope,
    list_records,
    method_not_allowed,
    string_field,
)
from xeroadmin.sandbox.api.router import SETTINGS, Resource, register
from xeroadmin.sandbox.core import new_id, not_found, validation_error

ACTIVE_LIMIT = 2
STATUSES = ("ACTIVE", "ARCHIVED")


def _render(category: dict[str, Any], *, archived: bool = True) -> dict[str, Any]:
    options = [
        dict(option)
        for option in category["Options"]
        if option["Status"] != "DELETED" and (archived or option["Status"] == "ACTIVE")
    ]
    return {
        "TrackingCategoryID": category["TrackingCategoryID"],
        "Name": category["Name"],
        "Status": category["Status"],
        "Options": options,
    }


def _living(call: Call) -> Iterator[dict[str, Any]]:
    return (c for c in call.org.tracking.values() if c["Status"] != "DELETED")


def _in_use(call: Call, category_id: str, option_id: str | None = None) -> bool:
    """Whether a document's line is tracked by the category (or by one of its options)."""
    org = call.org
    for documents in (org.invoices, org.credit_notes):
        for document in documents.values():
            for line in document.get("LineItems") or []:
                for tracked in line.get("Tracking") or []:
                    if str(tracked.get("TrackingCategoryID", "")).lower() != category_id:
                        continue
                    if option_id is None or (
                        str(tracked.get("TrackingOptionID", "")).lower() == option_id
                    ):
                        return True
    return False


def _list(call: Call) -> Reply:
    archived = call.arg_bool("includeArchived", default=False)
    records = [
        _render(c, archived=archived) for c in _living(call) if archived or c["Status"] == "ACTIVE"
    ]
    found, _ = list_records(call, records, default_order="Name", paged=False)
    return envelope(call, "TrackingCategories", found)


def _name(call: Call, item: dict[str, Any], errors: list[str], *, required: bool) -> str | None:
    name = string_field(item, "Name", 100, errors)
    if name is not None:
        name = name.strip()
    if required and not name:
        errors.append("Name must be provided.")
    return name


def _check_active(call: Call, category: dict[str, Any] | None, errors: list[str]) -> None:
    active = [c for c in _living(call) if c["Status"] == "ACTIVE" and c is not category]
    if len(active) >= ACTIVE_LIMIT:
        errors.append(
            f"An organisation can have at most {ACTIVE_LIMIT} active tracking categories; "
            "archive one first."
        )


def _create(call: Call) -> Reply:
    item = body_list(call, "TrackingCategories")[0]
    errors: list[str] = []
    name = _name(call, item, errors, required=True)
    if name and any(c["Name"].lower() == name.lower() for c in _living(call)):
        errors.append(f"A tracking category named '{name}' already exists.")
    _check_active(call, None, errors)
    if errors:
        raise validation_error(errors)
    category_id = new_id()
    category: dict[str, Any] = {
        "TrackingCategoryID": category_id,
        "Name": name,
        "Status": "ACTIVE",
        "Options": [],
    }
    call.org.tracking[category_id] = category
    return envelope(call, "TrackingCategories", [_render(category)])


def _find(call: Call, value: str) -> dict[str, Any]:
    category = call.org.tracking.get(value.lower())
    if category is None or category["Status"] == "DELETED":
        raise not_found()
    return category


def _get(call: Call, category: dict[str, Any]) -> Reply:
    return envelope(call, "TrackingCategories", [_render(category)])


def _update(call: Call, category: dict[str, Any]) -> Reply:
    item = body_list(call, "TrackingCategories")[0]
    errors: list[str] = []
    name = _name(call, item, errors, required=False)
    if name == "":
        errors.append("Name must be provided.")
    if name and any(c is not category and c["Name"].lower() == name.lower() for c in _living(call)):
        errors.append(f"A tracking category named '{name}' already exists.")
    status = item.get("Status")
    if status is not None and status not in STATUSES:
        errors.append("Status must be ACTIVE or ARCHIVED.")
    if status == "ACTIVE" and category["Status"] != "ACTIVE":
        _check_active(call, category, errors)
    if errors:
        raise validation_error(errors)
    # A changed copy under the same key: a failed batch elsewhere can roll back by mapping.
    changed = {**category, "Options": list(category["Options"])}
    if name:
        changed["Name"] = name
    if status:
        changed["Status"] = status
    call.org.tracking[category["TrackingCategoryID"]] = changed
    return envelope(call, "TrackingCategories", [_render(changed)])


def _delete(call: Call, category: dict[str, Any]) -> Reply:
    if _in_use(call, category["TrackingCategoryID"]):
        raise validation_error(
            ["This tracking category is used on transactions and cannot be deleted; archive it."]
        )
    gone = {**category, "Status": "DELETED"}
    call.org.tracking[category["TrackingCategoryID"]] = gone
    return envelope(call, "TrackingCategories", [_render(gone)])


def _options(call: Call, category: dict[str, Any]) -> Reply:
    """`/TrackingCategories/{id}/Options` (PUT: add) and `/Options/{id}` (POST: rename or
    archive; DELETE)."""
    rest = call.segments[3:]
    if not rest:
        if call.method != "PUT":
            raise method_not_allowed()
        return _option_add(call, category)
    if len(rest) > 1:
        raise not_found()
    option = next(
        (
            o
            for o in category["Options"]
            if o["TrackingOptionID"] == rest[0].lower() and o["Status"] != "DELETED"
        ),
        None,
    )
    if option is None:
        raise not_found()
    if call.method == "POST":
        return _option_update(call, category, option)
    if call.method == "DELETE":
        return _option_delete(call, category, option)
    raise method_not_allowed()


def _option_name_taken(category: dict[str, Any], name: str, option: dict[str, Any] | None) -> bool:
    return any(
        o is not option and o["Status"] != "DELETED" and o["Name"].lower() == name.lower()
        for o in category["Options"]
    )


def _option_add(call: Call, category: dict[str, Any]) -> Reply:
    items = body_list(call, "Options")
    errors: list[str] = []
    made: list[dict[str, Any]] = []
    names: set[str] = set()
    for item in items:
        name = _name(call, item, errors, required=True)
        if not name:
            continue
        if _option_name_taken(category, name, None) or name.lower() in names:
            errors.append(f"A tracking option named '{name}' already exists in {category['Name']}.")
        names.add(name.lower())
        made.append(
            {
                "TrackingOptionID": new_id(),
                "Name": name,
                "Status": "ACTIVE",
            }
        )
    if errors:
        raise validation_error(errors)
    changed = {**category, "Options": [*category["Options"], *made]}
    call.org.tracking[category["TrackingCategoryID"]] = changed
    return envelope(call, "Options", [dict(o) for o in made])


def _option_update(call: Call, category: dict[str, Any], option: dict[str, Any]) -> Reply:
    item = body_list(call, "Options")[0]
    errors: list[str] = []
    name = _name(call, item, errors, required=False)
    if name == "":
        errors.append("Name must be provided.")
    if name and _option_name_taken(category, name, option):
        errors.append(f"A tracking option named '{name}' already exists in {category['Name']}.")
    status = item.get("Status")
    if status is not None and status not in STATUSES:
        errors.append("Status must be ACTIVE or ARCHIVED.")
    if errors:
        raise validation_error(errors)
    updated = {
        **option,
        **({"Name": name} if name else {}),
        **({"Status": status} if status else {}),
    }
    _replace_option(call, category, option, updated)
    return envelope(call, "Options", [dict(updated)])


def _option_delete(call: Call, category: dict[str, Any], option: dict[str, Any]) -> Reply:
    if _in_use(call, category["TrackingCategoryID"], option["TrackingOptionID"]):
        raise validation_error(
            ["This tracking option is used on transactions and cannot be deleted; archive it."]
        )
    gone = {**option, "Status": "DELETED"}
    _replace_option(call, category, option, gone)
    return envelope(call, "Options", [dict(gone)])


def _replace_option(
    call: Call, category: dict[str, Any], option: dict[str, Any], new: dict[str, Any]
) -> None:
    options = [new if o is option else o for o in category["Options"]]
    call.org.tracking[category["TrackingCategoryID"]] = {**category, "Options": options}


register(
    Resource(
        "TrackingCategories",
        SETTINGS,
        list=_list,
        create=_create,
        find=_find,
        get=_get,
        update=_update,
        delete=_delete,
        sub={"options": _options},
    )
)
