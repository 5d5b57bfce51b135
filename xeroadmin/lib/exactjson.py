"""JSON whose fractional numbers are Decimals both ways: money never passes through a float."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

# A Decimal is encoded as this marked string and then unmarked into a bare number: the
# standard encoder only writes numbers from floats, which cannot hold 99999999999999.9999.
_MARK = "\u0001dec:"
_MARKED = re.compile(r'"\\u0001dec:(-?[0-9.]+)"')


def _decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a number JSON can carry")
        return f"{_MARK}{value:f}"
    return str(value)  # dates, ids: as their text


def dumps(value: Any, **options: Any) -> str:
    """JSON text with each Decimal written exactly, as a number."""
    return _MARKED.sub(r"\1", json.dumps(value, default=_decimal, **options))


def loads(text: str | bytes) -> Any:
    """The value of JSON text, each fractional number a Decimal."""
    return json.loads(text, parse_float=Decimal)
