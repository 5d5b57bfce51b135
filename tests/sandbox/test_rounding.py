"""Xero's rounding (certification checkpoint "Rounding"): without `unitdp=4` a unit amount is
rounded to 2 decimals and the line computed from the rounded price; with it, 4 are kept. The
sandbox's totals equal an independent computation of those rules, and the product's editor
(which always sends `unitdp=4`) shows the totals the sandbox saves, to the cent."""

from __future__ import annotations

import functools
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.helpers import Xero, client_for
from xeroadmin.lib import exactjson

RATES = {"OUTPUT2": Decimal(15), "ZERORATED": Decimal(0)}  # the first organisation's (NZ)


def half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def xero_totals(lines: list[dict], amounts: str, unitdp: int) -> dict[str, Decimal]:
    """Xero's arithmetic, written out apart from the sandbox's: per line, price rounded to
    `unitdp`, the amount to the cent, tax per line to the cent."""
    subtotal = tax = Decimal(0)
    for line in lines:
        price = half_up(line["UnitAmount"], unitdp)
        gross = line["Quantity"] * price
        if line.get("DiscountRate"):
            gross = gross * (100 - line["DiscountRate"]) / 100
        amount = half_up(gross, 2)
        rate = Decimal(0) if amounts == "NoTax" else RATES[line["TaxType"]]
        if amounts == "Inclusive":
            line_tax = half_up(amount - amount / (1 + rate / 100), 2)
            subtotal += amount - line_tax
        else:
            line_tax = half_up(amount * rate / 100, 2)
            subtotal += amount
        tax += line_tax
    return {"SubTotal": subtotal, "TotalTax": tax, "Total": subtotal + tax}


@pytest.fixture
def xero(xero_sandbox) -> Xero:
    """The first organisation, its rate limits off: hypothesis writes fast. (Per test, so that
    its token is issued at the test's own time, under --clock too.)"""
    xero_sandbox.sandbox.limits.enabled = False
    return client_for(xero_sandbox.url)


def contact_id(xero: Xero) -> str:
    return _contact_id(xero.base, xero.token, xero.tenant)


@functools.cache
def _contact_id(base: str, token: str, tenant: str) -> str:
    body = Xero(base, token, tenant).get(
        "Contacts", params={"where": 'ContactStatus=="ACTIVE"', "page": 1}
    )
    return body.json()["Contacts"][0]["ContactID"]


def saved(xero: Xero, lines: list[dict], amounts: str, unitdp: bool) -> dict:
    body = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id(xero)},
        "Date": "2026-11-01",
        "DueDate": "2026-11-30",
        "LineAmountTypes": amounts,
        "LineItems": [{"Description": "Line", "AccountCode": "200", **line} for line in lines],
    }
    answer = xero.call(
        "PUT",
        "Invoices",
        params={"unitdp": "4"} if unitdp else None,
        data=exactjson.dumps({"Invoices": [body]}),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    return json.loads(answer.text, parse_float=Decimal)["Invoices"][0]


prices = st.decimals(min_value=0, max_value=99999, places=4, allow_nan=False)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=500, places=4, allow_nan=False)
line = st.fixed_dictionaries(
    {"Quantity": quantities, "UnitAmount": prices, "TaxType": st.sampled_from(sorted(RATES))},
    optional={"DiscountRate": st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)},
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(line, min_size=1, max_size=4),
    amounts=st.sampled_from(["Exclusive", "Inclusive", "NoTax"]),
    unitdp=st.booleans(),
)
def test_the_sandbox_rounds_as_xero_does(xero: Xero, lines, amounts, unitdp) -> None:
    invoice = saved(xero, lines, amounts, unitdp)
    expected = xero_totals(lines, amounts, 4 if unitdp else 2)
    assert {k: invoice[k] for k in expected} == expected
    for sent, kept in zip(lines, invoice["LineItems"], strict=True):
        assert kept["UnitAmount"] == half_up(sent["UnitAmount"], 4 if unitdp else 2)


def test_the_checkpoints_own_example(xero: Xero) -> None:
    lines = [{"Quantity": Decimal(3), "UnitAmount": Decimal("10.1234"), "TaxType": "ZERORATED"}]
    assert saved(xero, lines, "NoTax", unitdp=False)["Total"] == Decimal("30.36")
    assert saved(xero, lines, "NoTax", unitdp=True)["Total"] == Decimal("30.37")
