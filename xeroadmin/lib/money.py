"""Money as people read it: one helper, always with its currency, the same everywhere (lists,
details, the editor, the feed).

Babel (CLDR) decides each currency's symbol, where it goes and how many decimals it has. The
deployment's `MONEY_LOCALE` (en_GB by default) names every dollar (NZ$, A$, US$), which a
practice looking after organisations in several countries needs. A long list formats hundreds
of amounts, so Babel is asked once per currency for its shape, and the digits are written
directly; a property test holds the result equal to Babel's own `format_currency`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
)
from django.conf import settings

SAMPLE = Decimal("1234.5")


@dataclass(frozen=True)
class _Shape:
    prefix: str  # what comes before the digits ("NZ$"), for positive amounts
    suffix: str
    negative_prefix: str
    negative_suffix: str
    group: str
    decimal: str
    digits: int  # the currency's usual decimals (2; 0 for yen)


@functools.lru_cache(maxsize=256)
def _shape(currency: str, locale: str) -> _Shape:
    """How `locale` writes amounts of `currency`, read off Babel's formatting of a sample."""
    digits = get_currency_precision(currency)
    plain = format_currency(SAMPLE, currency, locale=locale)
    negative = format_currency(-SAMPLE, currency, locale=locale)
    number = f"{SAMPLE.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN):,.{digits}f}"
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    shown = number.replace(",", "\0").replace(".", decimal).replace("\0", group)
    start, end = plain.index(shown), negative.index(shown)
    return _Shape(
        prefix=plain[:start],
        suffix=plain[start + len(shown) :],
        negative_prefix=negative[:end],
        negative_suffix=negative[end + len(shown) :],
        group=group,
        decimal=decimal,
        digits=digits,
    )


def money(value: Any, currency: str, *, places: int | None = None) -> str:
    """`value` in `currency` as the locale writes it: `NZ$1,234.50`, `-£3.00`. `places` keeps
    more decimals where the amount has them (unit prices, up to 4). Blank for no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not currency:
        return f"{amount:,.2f}"
    shape = _shape(currency.upper(), settings.MONEY_LOCALE)
    digits = shape.digits
    if places is not None and places > digits:
        # Only the decimals it really has, between the currency's and `places`.
        exponent = amount.normalize().as_tuple().exponent
        needed = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        digits = min(max(digits, needed), places)
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    text = f"{abs(rounded):,.{digits}f}"
    if shape.group != "," or shape.decimal != ".":
        text = text.replace(",", "\0").replace(".", shape.decimal).replace("\0", shape.group)
    if rounded < 0:
        return f"{shape.negative_prefix}{text}{shape.negative_suffix}"
    return f"{shape.prefix}{text}{shape.suffix}"
