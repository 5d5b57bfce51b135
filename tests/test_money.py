"""Money is written as Babel (CLDR) writes it, for every currency the sandbox and Xero use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from xeroadmin.lib.money import money

CURRENCIES = ["NZD", "AUD", "GBP", "USD", "EUR", "CAD", "SGD", "ZAR", "JPY", "CHF", "INR"]
LOCALES = ["en_GB", "en_NZ", "en_AU", "en_US", "de_DE", "fr_FR"]
amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False
)


@settings(max_examples=300, deadline=None)
@given(amount=amounts, currency=st.sampled_from(CURRENCIES), locale=st.sampled_from(LOCALES))
def test_it_writes_what_babel_writes(amount: Decimal, currency: str, locale: str) -> None:
    from babel.numbers import get_currency_precision
    from django.test import override_settings

    digits = get_currency_precision(currency)
    if amount.quantize(Decimal(1).scaleb(-digits)) == 0:
        amount = abs(amount)  # one difference, on purpose: never "-NZ$0.00"
    with override_settings(MONEY_LOCALE=locale):
        assert money(amount, currency) == format_currency(amount, currency, locale=locale)


@settings(max_examples=200, deadline=None)
@given(amount=amounts, currency=st.sampled_from(["NZD", "USD", "GBP"]))
def test_unit_prices_keep_up_to_four_decimals(amount: Decimal, currency: str) -> None:
    kept = amount.normalize()
    if kept.quantize(Decimal("0.0001")) == 0:
        return  # zero: see above
    assert money(amount, currency, places=4) == format_currency(
        kept, currency, locale="en_GB", decimal_quantization=False
    )


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (Decimal("805"), "NZD", "NZ$805.00"),
        (Decimal("28.75"), "USD", "US$28.75"),
        (Decimal("-3"), "GBP", "-£3.00"),
        (Decimal("1234567.891"), "AUD", "A$1,234,567.89"),
        (Decimal("10.1234"), "NZD", "NZ$10.12"),
        (None, "NZD", ""),
    ],
)
def test_it_names_every_dollar(value: Decimal | None, currency: str, shown: str) -> None:
    assert money(value, currency) == shown


def test_a_unit_price_shows_the_decimals_it_has() -> None:
    assert money(Decimal("10.1234"), "NZD", places=4) == "NZ$10.1234"
    assert money(Decimal("10.5"), "NZD", places=4) == "NZ$10.50"
