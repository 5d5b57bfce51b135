"""Xero's XML: request bodies read into the same shape as its JSON ones, and answers written
for clients that do not ask for JSON.

Xero's Accounting API takes XML as well as JSON, and some clients (pyxero) send every write as
XML: `<Invoices><Invoice>…</Invoice></Invoices>`, or one bare `<Invoice>`. A collection is an
element named in the plural whose children are its singular (`<LineItems><LineItem>`); every
value is text, `true`/`false` for booleans. Source: developer.xero.com "requests and responses"
(XERO_FACTS section 8); pyxero's `BaseManager.dict_to_xml`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
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


def wants_xml(accept: str) -> bool:
    """Xero answers XML unless the client asks for JSON: XML is its default."""
    return "application/json" not in accept.lower()


def dumps(body: dict[str, Any], *, status: int) -> bytes:
    """An answer as Xero's XML: `<Response>` around a success's fields, `<ApiException>` around
    an error's; a collection's items named in the singular; dates as ISO date-times."""
    root = ElementTree.Element("Response" if status < 400 else "ApiException")
    _fill(root, body)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                continue
            _fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, list):
        name = _singular(element.tag)
        for item in value:
            _fill(ElementTree.SubElement(element, name), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _text(value)


def _singular(collection: str) -> str:
    for name, item in ITEM_NAMES.items():
        if collection == name:
            return item
    if collection.endswith("ies"):
        return collection[:-3] + "y"
    if collection.endswith(("sses", "xes")):
        return collection[:-2]
    return collection[:-1] if collection.endswith("s") else collection


def _text(value: Any) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    match = MS_DATE.match(text)
    if match:
        moment = datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return text


MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
