"""Xero's dates: `/Date(1592956800000+0000)/` in the Accounting API, ISO 8601 without a zone in
the identity API, and plain `YYYY-MM-DD` when writing."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_datetime(value: object) -> datetime | None:
    """An aware UTC datetime from any date Xero writes, or None for empty or unreadable values."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _parse(value.strip())


@functools.lru_cache(maxsize=8192)
def _parse(text: str) -> datetime | None:
    # Cached: a sync reads the same few hundred invoice and due dates thousands of times.
    try:
        return _parse_checked(text)
    except OverflowError:
        return None  # a date outside the years Python (and the database) can hold


def _parse_checked(text: str) -> datetime | None:
    match = _MS_DATE.match(text)
    if match:
        # The milliseconds are UTC; the offset only says which zone the value was meant in.
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match.group(1)))
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def parse_date(value: object) -> date | None:
    """The calendar date of a Xero date value (Xero's dates are midnight UTC)."""
    moment = parse_datetime(value)
    return moment.date() if moment else None


def format_datetime(value: datetime) -> str:
    """A moment as Xero accepts it (`If-Modified-Since`, `where` filters): UTC, no zone suffix."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
