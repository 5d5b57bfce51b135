"""Clock, Xero's date formats, money and the errors the sandbox answers with."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


class Clock:
    """Real time plus an offset that the control API can move forward."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def today(self) -> date:
        return self.now().date()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


# A Decimal is written into JSON as this marked string, then unmarked into a bare number: the
# standard library's encoder would otherwise need a float, which cannot hold 99999999999999.9999
# (Xero's amounts are decimals, and clients parse them as such).
_DECIMAL_MARK = "\u0001dec:"
_MARKED = re.compile(r'"\\u0001dec:(-?[0-9.]+)"')


def _exact(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a number JSON can carry")
        return f"{_DECIMAL_MARK}{value:f}"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(body: Any) -> str:
    """JSON with every Decimal written exactly, as a number."""
    return _MARKED.sub(r"\1", json.dumps(body, default=_exact))


def loads(text: str | bytes) -> Any:
    """JSON with every fractional number read exactly, as a Decimal."""
    return json.loads(text, parse_float=Decimal)


def new_id() -> str:
    return str(uuid.uuid4())


def msdate(value: datetime | date | None) -> str | None:
    """Xero's `/Date(ms+0000)/`; a date is midnight UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return f"/Date({int(value.timestamp() * 1000)}+0000)/"


def iso_date_string(value: date | None) -> str | None:
    """The companion `DateString`: `2019-03-07T00:00:00`."""
    return None if value is None else f"{value.isoformat()}T00:00:00"


def iso_utc_string(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_MSDATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


class InputError(ValueError):
    """A value in a request that cannot be read; becomes a validation error."""


def parse_date(value: Any, field: str) -> date | None:
    """A date from a request: `YYYY-MM-DD`, an ISO datetime, or `/Date(ms)/`."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(f"{field} must be a date string such as 2026-11-21.")
    match = _MSDATE.match(value)
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, tz=UTC).date()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f"{field} is not a valid date: {value!r}.") from None


def parse_modified_since(value: str | None) -> datetime | None:
    """The If-Modified-Since header: ISO 8601 (with or without zone) or an HTTP date."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def money(value: Any, field: str, *, places: int = 2) -> Decimal:
    """A decimal amount from a request, rounded half-up to `places`."""
    if isinstance(value, bool) or value is None:
        raise InputError(f"{field} must be a number.")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InputError(f"{field} must be a number, not {value!r}.") from None
    if not amount.is_finite():
        raise InputError(f"{field} must be a finite number.")
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def days(n: int) -> timedelta:
    return timedelta(days=n)


class XeroError(Exception):
    """An HTTP error in Xero's own shape."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def problem(status: int, title: str, detail: str) -> XeroError:
    """Xero's 401/403/404-style problem body."""
    return XeroError(
        status,
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": new_id(),
            "Extensions": {},
        },
    )


def validation_error(
    messages: list[str], elements: list[dict[str, Any]] | None = None
) -> XeroError:
    """Xero's 400 ValidationException body."""
    if elements is None:
        elements = [{"ValidationErrors": [{"Message": m} for m in messages]}]
    return XeroError(
        400,
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": elements,
        },
    )


def not_found(detail: str = "The resource you're looking for cannot be found") -> XeroError:
    """Xero's 404 is a plain-text body, not JSON. Source: Xero-OpenAPI issue #163 (XERO_FACTS
    section 8)."""
    return XeroError(404, {PLAIN_TEXT: detail})


# A body under this key is answered as plain text.
PLAIN_TEXT = "_text"
