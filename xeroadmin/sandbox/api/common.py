"""What every resource of the Accounting API shares: the request (`Call`), the answer (`Reply`
and Xero's envelope), lists as Xero filters, orders and pages them, batches of writes as Xero
applies them (all or nothing unless `summarizeErrors=false`), and small field checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xeroadmin.sandbox.core import (
    XeroError,
    msdate,
    new_id,
    not_found,
    parse_modified_since,
    validation_error,
)
from xeroadmin.sandbox.query import apply_order, compile_where, path_getter
from xeroadmin.sandbox.state import Org

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100


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


def list_records(
    call: Call,
    records: list[dict[str, Any]],
    *,
    default_order: str,
    paged: bool,
    page_size: int | None = None,
) -> tuple[list[dict[str, Any]], dict[str, int] | None]:
    """Apply If-Modified-Since, where, order and paging the way Xero does (`page_size` where
    the endpoint takes no pageSize and answers that many a page)."""
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
        size = page_size or call.arg_int("pageSize") or DEFAULT_PAGE_SIZE
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


def body_list(call: Call, key: str) -> list[dict[str, Any]]:
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


def batch(
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


_COLLECTIONS = (
    "contacts",
    "items",
    "invoices",
    "payments",
    "credit_notes",
    "accounts",
    "history",
    "tracking",
    "allocations",
    "bank_transactions",
    "bank_transfers",
    "manual_journals",
    "quotes",
    "prepayments",
    "overpayments",
)


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


def add_history(call: Call, record_id: str, changes: str, details: str) -> None:
    entry = {"Changes": changes, "DateUTC": call.now, "User": call.app_name, "Details": details}
    call.org.history[record_id] = [*call.org.history.get(record_id, ()), entry]


def string_field(
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


def find_record(
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


def method_not_allowed() -> XeroError:
    return XeroError(
        405,
        {
            "Title": "Method Not Allowed",
            "Status": 405,
            "Detail": "The method is not supported for this resource.",
        },
    )


Apply = Callable[[Call, dict[str, Any] | None, dict[str, Any]], dict[str, Any]]
Render = Callable[[dict[str, Any]], dict[str, Any]]


def write_collection(
    call: Call,
    key: str,
    apply: Apply,
    render: Render,
    existing: Callable[[dict[str, Any]], dict[str, Any] | None],
) -> Reply:
    """A write to a collection: PUT creates every element; POST updates each element that
    `existing` finds and creates the others (Xero's create-or-update)."""

    def one(item: dict[str, Any]) -> dict[str, Any]:
        found = existing(item) if call.method == "POST" else None
        return apply(call, found, item)

    return batch(call, key, body_list(call, key), one, render)


def write_record(
    call: Call, key: str, record: dict[str, Any], apply: Apply, render: Render
) -> Reply:
    """A POST to one record: its body's first element updates it."""
    return batch(
        call, key, body_list(call, key)[:1], lambda item: apply(call, record, item), render
    )
