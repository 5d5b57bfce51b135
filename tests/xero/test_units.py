"""Xero's dates, the plain-HTTP rule, error messages and scope sets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from xeroadmin.xero import endpoints
from xeroadmin.xero.dates import format_datetime, parse_date, parse_datetime
from xeroadmin.xero.errors import XeroRateLimited, XeroValidationError, field_for


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/Date(1592956800000+0000)/", datetime(2020, 6, 24, tzinfo=UTC)),
        ("/Date(1592956800000)/", datetime(2020, 6, 24, tzinfo=UTC)),
        ("/Date(1592956800000+1200)/", datetime(2020, 6, 24, tzinfo=UTC)),
        ("2019-12-07T18:46:19.5165400", datetime(2019, 12, 7, 18, 46, 19, 516540, tzinfo=UTC)),
        ("2024-06-21T01:15:39.902", datetime(2024, 6, 21, 1, 15, 39, 902000, tzinfo=UTC)),
        ("2024-06-21T13:15:39+12:00", datetime(2024, 6, 21, 1, 15, 39, tzinfo=UTC)),
        ("2024-06-21", datetime(2024, 6, 21, tzinfo=UTC)),
        ("", None),
        ("not a date", None),
        ("2024-02-30", None),
        (None, None),
        (12, None),
    ],
)
def test_it_parses_every_date_xero_writes(value, expected) -> None:
    assert parse_datetime(value) == expected


def test_it_writes_dates_as_xero_reads_them() -> None:
    assert format_datetime(datetime(2026, 3, 1, 9, 5, tzinfo=UTC)) == "2026-03-01T09:05:00"
    assert parse_date("/Date(1592956800000+0000)/") == date(2020, 6, 24)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8765", "http://localhost:9000/x", "http://[::1]:80", "https://api.xero.com"],
)
def test_it_allows_https_and_loopback_http(url: str) -> None:
    endpoints.check_transport(url)


@pytest.mark.parametrize("url", ["http://api.xero.com", "http://10.0.0.5:8765", "ftp://127.0.0.1"])
def test_it_refuses_plain_http_anywhere_else(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        endpoints.check_transport(url)


def test_it_names_scope_sets_and_explicit_scopes() -> None:
    assert "accounting.invoices" in endpoints.scopes("granular")
    assert "accounting.transactions" in endpoints.scopes("broad")
    assert endpoints.scopes("openid accounting.contacts") == ["openid", "accounting.contacts"]


def test_it_reads_validation_errors_per_element_line_and_field() -> None:
    error = XeroValidationError.from_body(
        {
            "Type": "ValidationException",
            "Elements": [
                {"ValidationErrors": []},
                {
                    "ValidationErrors": [{"Message": "Email address must be valid."}],
                    "LineItems": [
                        {},
                        {"ValidationErrors": [{"Message": "Account code 'X' is not valid."}]},
                    ],
                },
            ],
        }
    )
    (element,) = error.elements
    assert element.index == 1
    assert element.fields == {"EmailAddress": ["Email address must be valid."]}
    assert element.lines == {1: ["Account code 'X' is not valid."]}
    assert error.messages == [
        "Email address must be valid.",
        "Line 2: Account code 'X' is not valid.",
    ]
    assert field_for("Something unrelated happened") is None
    assert XeroValidationError.from_body("<html>").messages == []
    assert XeroValidationError.from_body({"Message": "Bad request"}).messages == ["Bad request"]


def test_it_says_how_long_to_wait_in_words() -> None:
    assert str(XeroRateLimited("minute", 12.2)) == (
        "Xero asked us to wait 12 s (60 calls a minute per organisation)."
    )
    assert "3 h 0 min" in str(XeroRateLimited("day", 3 * 3600))
