"""Prepayments and overpayments: made by `*-PREPAYMENT` and `*-OVERPAYMENT` bank transactions,
read here, and allocated to the contact's invoices. Source: OAS-ACC /Prepayments,
/Overpayments, schemas.Prepayment and schemas.Overpayment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xeroadmin.sandbox import books
from xeroadmin.sandbox.api import allocations
from xeroadmin.sandbox.api.common import Call, Reply, envelope, find_record, list_records
from xeroadmin.sandbox.api.records import history_of
from xeroadmin.sandbox.api.router import Resource, register
from xeroadmin.sandbox.core import iso_utc_string, msdate
from xeroadmin.sandbox.serialize import plain
from xeroadmin.sandbox.state import Org

PAYMENT_SCOPES = (
    {
        "accounting.payments",
        "accounting.payments.read",
        "accounting.transactions",
        "accounting.transactions.read",
    },
    {"accounting.payments", "accounting.transactions"},
)


def render(org: Org, kind: allocations.Kind, record: dict[str, Any]) -> dict[str, Any]:
    return {
        kind.id_field: record[kind.id_field],
        "Type": record["Type"],
        "Contact": dict(record["Contact"]),
        "Date": msdate(record["Date"]),
        "Status": record["Status"],
        "LineAmountTypes": record["LineAmountTypes"],
        "LineItems": [plain(line) for line in record["LineItems"]],
        "SubTotal": Decimal(record["SubTotal"]),
        "TotalTax": Decimal(record["TotalTax"]),
        "Total": Decimal(record["Total"]),
        "Reference": record.get("Reference") or "",
        "UpdatedDateUTC": msdate(record["UpdatedDateUTC"]),
        "UpdatedDateUTCString": iso_utc_string(record["UpdatedDateUTC"]),
        "CurrencyCode": record["CurrencyCode"],
        "CurrencyRate": Decimal(record.get("CurrencyRate", 1)),
        "RemainingCredit": Decimal(record["AmountDue"]),
        "AppliedAmount": Decimal(record.get("AmountCredited", 0)),
        "HasAttachments": record.get("HasAttachments", False),
        "Allocations": [
            allocations.render(org, kind, a)
            for a in books.allocations_of(org, record[kind.id_field])
        ],
    }


def _resource(name: str, kind: allocations.Kind) -> Resource:
    def listing(call: Call) -> Reply:
        records, pagination = list_records(
            call,
            list(kind.records(call.org).values()),
            default_order="UpdatedDateUTC ASC",
            paged=True,
        )
        return envelope(call, name, [render(call.org, kind, r) for r in records], pagination)

    return Resource(
        name,
        PAYMENT_SCOPES,
        list=listing,
        find=lambda call, key: find_record(
            kind.records(call.org), kind.id_field, key, kind.id_field
        ),
        get=lambda call, record: envelope(call, name, [render(call.org, kind, record)]),
        sub={"history": history_of(kind.id_field), "allocations": allocations.sub(kind)},
    )


register(_resource("Prepayments", allocations.PREPAYMENT))
register(_resource("Overpayments", allocations.OVERPAYMENT))
