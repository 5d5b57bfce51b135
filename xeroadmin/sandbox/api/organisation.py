"""The organisation itself, its currencies and its tax rates: read-only settings."""

from __future__ import annotations

from typing import NoReturn

from xeroadmin.sandbox import serialize
from xeroadmin.sandbox.api.common import Call, Reply, envelope, list_records
from xeroadmin.sandbox.api.router import SETTINGS, Resource, register
from xeroadmin.sandbox.core import validation_error


def organisation(call: Call) -> Reply:
    return envelope(call, "Organisations", [serialize.organisation(call.org)])


def currencies(call: Call) -> Reply:
    return envelope(call, "Currencies", [dict(c) for c in call.org.currencies])


def read_only(what: str) -> NoReturn:
    raise validation_error([f"{what} can only be read here."])


def tax_rates(call: Call) -> Reply:
    records, _ = list_records(call, list(call.org.tax_rates), default_order="Name", paged=False)
    return envelope(call, "TaxRates", [serialize.tax_rate(r) for r in records])


# The plural answers too: the community client pyxero asks for /Organisations (pyxero issue #17
# and pull request #75).
register(Resource("Organisation", SETTINGS, list=organisation), "Organisations")
register(
    Resource(
        "Currencies",
        SETTINGS,
        list=currencies,
        create=lambda call: read_only("Currencies"),
        save=lambda call: read_only("Currencies"),
    )
)
register(
    Resource(
        "TaxRates",
        SETTINGS,
        list=tax_rates,
        create=lambda call: read_only("Tax rates"),
        save=lambda call: read_only("Tax rates"),
    )
)
