"""Xero's XML request bodies, read into the same shape as its JSON ones.

Xero's Accounting API takes XML as well as JSON, and some clients (pyxero) send every write as
XML: `<Invoices><Invoice>…</Invoice></Invoices>`, or one bare `<Invoice>`. A collection is an
element named in the plural whose children are its singular (`<LineItems><LineItem>`); every
value is text, `true`/`false` for booleans. Source: developer.xero.com "requests and responses"
(XERO_FACTS section 8); pyxero's `BaseManager.dict_to_xml`.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

# Collections whose item is not simply the singular of their name.
ITEM_NAMES = {"Tracking": "TrackingCategory", "Elements": "DataContractBase"}


def is_xml(mimetype: str) -> bool:
    return mimetype in ("application/xml", "text/xml")


def loads(body: bytes) -> Any:
    """The body's records: `{"Invoices": [...]}` for a collection, a dict for one record."""
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - the sandbox's own test input
    except ElementTree.ParseError as error:
        raise ValueError(f"The request body is not valid XML ({error}).") from None
    value = _value(root)
    if isinstance(value, list):
        return {root.tag: value}
    return value


def _value(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        return {"true": True, "false": False}.get(text, text)
    if all(_is_item(element.tag, child.tag) for child in children):
        return [_value(child) for child in children]
    record: dict[str, Any] = {}
    for child in children:
        record[child.tag] = _value(child)
    return record


def _is_item(collection: str, tag: str) -> bool:
    """Whether `tag` names one item of a collection called `collection`."""
    if ITEM_NAMES.get(collection) == tag:
        return True
    return collection in (f"{tag}s", f"{tag}es") or (
        tag.endswith("y") and collection == f"{tag[:-1]}ies"
    )
