"""Xero's bookkeeping rules: line arithmetic and tax, invoice status transitions, payments."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xeroadmin.sandbox.core import cents
from xeroadmin.sandbox.state import Org

ZERO = Decimal("0.00")

# Which statuses an invoice may move to from each status (PAID is set by payments only).
TRANSITIONS: dict[str, set[str]] = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"SUBMITTED", "AUTHORISED", "DRAFT", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": {"PAID"},
    "VOIDED": {"VOIDED"},
    "DELETED": {"DELETED"},
}
EDITABLE = {"DRAFT", "SUBMITTED", "AUTHORISED"}
INVOICE_TYPES = {"ACCREC", "ACCPAY"}
LINE_AMOUNT_TYPES = {"Exclusive", "Inclusive", "NoTax"}


# Units of each currency a US dollar bought on the sandbox's day 0; each day's rate moves around
# these, the same for a given day whatever the seed (Xero's own comes from XE.com's day rate).
PER_USD = {
    "USD": Decimal("1"),
    "NZD": Decimal("1.70"),
    "AUD": Decimal("1.52"),
    "GBP": Decimal("0.79"),
    "EUR": Decimal("0.92"),
}


def day_rate(base: str, currency: str, day: date) -> Decimal:
    """How much `currency` one unit of `base` buys on `day`: Xero's `CurrencyRate`, used when
    the client sends none ("If no rate is specified, the XE.com day rate is used": OAS-ACC
    schemas.Invoice.CurrencyRate). Deterministic, moving a little day by day."""
    if currency == base:
        return Decimal(1)
    pair = sum(ord(c) for c in base + currency)
    wobble = Decimal(1) + Decimal(round(0.02 * math.sin(day.toordinal() / 7 + pair), 6))
    rate = PER_USD.get(currency, Decimal(1)) / PER_USD.get(base, Decimal(1)) * wobble
    return rate.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def line_totals(org: Org, line: dict[str, Any], amount_types: str) -> None:
    """Fill a line's LineAmount and TaxAmount from quantity, unit amount, discount and tax."""
    quantity = line.get("Quantity", Decimal(1))
    unit = line.get("UnitAmount", ZERO)
    gross = quantity * unit
    discount = line.get("DiscountRate")
    if discount:
        gross = gross * (Decimal(100) - discount) / Decimal(100)
    line_amount = cents(gross)
    rate = ZERO
    if amount_types != "NoTax":
        tax = org.tax_rate(line.get("TaxType"))
        rate = tax["EffectiveRate"] if tax else ZERO
    if amount_types == "Inclusive":
        tax_amount = cents(line_amount - line_amount / (Decimal(1) + rate / Decimal(100)))
    else:
        tax_amount = cents(line_amount * rate / Decimal(100))
    line["LineAmount"] = line_amount
    line["TaxAmount"] = tax_amount


def invoice_totals(org: Org, invoice: dict[str, Any]) -> None:
    """Fill SubTotal, TotalTax, Total and AmountDue from the lines and the payments applied."""
    amount_types = invoice.get("LineAmountTypes", "Exclusive")
    subtotal = total_tax = ZERO
    for line in invoice["LineItems"]:
        line_totals(org, line, amount_types)
        subtotal += line["LineAmount"]
        total_tax += line["TaxAmount"]
    if amount_types == "Inclusive":
        subtotal -= total_tax
    invoice["SubTotal"] = subtotal
    invoice["TotalTax"] = total_tax
    invoice["Total"] = subtotal + total_tax
    invoice["AmountDue"] = (
        ZERO
        if invoice.get("Status") in ("VOIDED", "DELETED")
        else invoice["Total"]
        - invoice.get("AmountPaid", ZERO)
        - invoice.get("AmountCredited", ZERO)
    )


def apply_payment(org: Org, invoice: dict[str, Any], amount: Decimal, when: datetime) -> None:
    """Apply (or, with a negative amount, withdraw) a payment; PAID follows the amount due."""
    settle(org, invoice, "AmountPaid", amount, when)


def settle(org: Org, document: dict[str, Any], field: str, amount: Decimal, when: datetime) -> None:
    """Add `amount` (negative to take it back) to a document's AmountPaid or AmountCredited:
    an invoice is PAID once nothing is due, and a credit note, prepayment or overpayment once
    nothing remains to allocate; taking money back makes it AUTHORISED again."""
    document[field] = document.get(field, ZERO) + amount
    invoice_totals(org, document)
    if document["AmountDue"] <= ZERO and document["Status"] == "AUTHORISED":
        document["Status"] = "PAID"
        document["FullyPaidOnDate"] = when.date()
    elif document["AmountDue"] > ZERO and document["Status"] == "PAID":
        document["Status"] = "AUTHORISED"
        document["FullyPaidOnDate"] = None
    document["UpdatedDateUTC"] = when


def allocations_of(org: Org, document_id: str) -> list[dict[str, Any]]:
    """The live allocations to or from a document (an invoice, or what credits it)."""
    return [
        a
        for a in org.allocations.values()
        if not a.get("IsDeleted") and document_id in (a["InvoiceID"], a["SourceID"])
    ]


def add_payment(org: Org, invoice: dict[str, Any], payment: dict[str, Any]) -> None:
    """Store a payment and index it on its invoice (so reading an invoice never scans them all)."""
    org.payments[payment["PaymentID"]] = payment
    invoice["_PaymentIDs"] = [*invoice.get("_PaymentIDs", ()), payment["PaymentID"]]


def payments_of(org: Org, invoice_id: str) -> list[dict[str, Any]]:
    """The live payments applied to an invoice."""
    invoice = org.invoices.get(invoice_id, {})
    found = (org.payments[p] for p in invoice.get("_PaymentIDs", ()))
    return [p for p in found if p["Status"] == "AUTHORISED"]


def transition_error(current: str, wanted: str) -> str | None:
    """Xero's message for a status change that is not allowed, or None."""
    if wanted in TRANSITIONS.get(current, set()):
        return None
    if current == "PAID":
        return "This document cannot be edited as it has a payment or credit note allocated to it."
    if current in ("VOIDED", "DELETED"):
        return f"This invoice has been {current.lower()} and cannot be edited."
    if wanted == "VOIDED":
        return "Only AUTHORISED invoices may be voided; delete a DRAFT or SUBMITTED one instead."
    if wanted == "DELETED":
        return "Only DRAFT or SUBMITTED invoices may be deleted; void an AUTHORISED one instead."
    return f"Invoice not of valid status for modification: {current} to {wanted}."
