"""The one router of the Accounting API: a path below `/api.xro/2.0/` to a resource's handler.

Every resource is the same shape: its collection (`GET` lists, `PUT` creates, `POST` creates or
updates), one record by id or secondary key (`GET`, `POST` updates, `DELETE`), and named
sub-resources of a record (`History`, `Attachments`, `Email`, `PDF`, ...). A resource module
registers a `Resource` saying which of these it has; anything else is 404 or 405 as Xero
answers. Adding a resource is one module and one `register` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xeroadmin.sandbox.api.common import Call, Reply, method_not_allowed
from xeroadmin.sandbox.core import not_found, problem

Record = dict[str, Any]
CollectionHandler = Callable[[Call], Reply]
RecordHandler = Callable[[Call, Record], Reply]

SETTINGS = ({"accounting.settings", "accounting.settings.read"}, {"accounting.settings"})
ATTACHMENT_SCOPES = (
    {"accounting.attachments", "accounting.attachments.read"},
    {"accounting.attachments"},
)


@dataclass(frozen=True)
class Resource:
    """One resource: its name in the path, the scopes that read and write it, and its handlers
    (None where Xero has no such operation)."""

    name: str
    scopes: tuple[set[str], set[str]]  # (read, write): granular scopes first, then broad ones
    list: CollectionHandler | None = None
    create: CollectionHandler | None = None  # PUT on the collection
    save: CollectionHandler | None = None  # POST on the collection: create or update
    find: Callable[[Call, str], Record] | None = None  # one record from its path segment
    get: RecordHandler | None = None
    update: RecordHandler | None = None  # POST on a record
    delete: RecordHandler | None = None
    sub: dict[str, RecordHandler] = field(default_factory=dict)  # lower-case name: handler


ROUTES: dict[str, Resource] = {}


def register(resource: Resource, *aliases: str) -> Resource:
    for name in (resource.name, *aliases):
        ROUTES[name.lower()] = resource
    return resource


def dispatch(call: Call) -> Reply:
    resource = ROUTES.get(call.segments[0].lower()) if call.segments else None
    if resource is None:
        raise not_found("The resource you're looking for cannot be found")
    if len(call.segments) == 1:
        collection = {"GET": resource.list, "PUT": resource.create, "POST": resource.save}
        return _run(collection.get(call.method), call)
    if resource.find is None:
        raise not_found()
    record = resource.find(call, call.segments[1])
    if len(call.segments) > 2:
        sub = resource.sub.get(call.segments[2].lower())
        if sub is None:
            raise not_found()
        return sub(call, record)
    handlers = {"GET": resource.get, "POST": resource.update, "DELETE": resource.delete}
    handler = handlers.get(call.method)
    if handler is None:
        raise method_not_allowed()
    return handler(call, record)


def _run(handler: CollectionHandler | None, call: Call) -> Reply:
    if handler is None:
        raise method_not_allowed()
    return handler(call)


def knows(name: str) -> bool:
    return name.lower() in ROUTES


def check_scope(resource: str, segments: list[str], method: str, granted: set[str]) -> None:
    """401 AuthorizationUnsuccessful when the token's scopes do not cover the call."""
    is_attachment = len(segments) > 2 and segments[2].lower() == "attachments"
    read, write = ATTACHMENT_SCOPES if is_attachment else ROUTES[resource.lower()].scopes
    allowed = read if method == "GET" else write
    if not granted & allowed:
        raise problem(401, "Unauthorized", "AuthorizationUnsuccessful")
