"""Turning Xero's JSON into mirror rows: bulk upserts keyed by (tenant, Xero id).

Used by the sync, by writes (the mirror is updated from Xero's answer) and by webhooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from xeroadmin.books.models import (
    Account,
    Contact,
    Currency,
    Invoice,
    InvoiceLine,
    Item,
    Mirrored,
    Payment,
    TaxRate,
)
from xeroadmin.connections.models import Tenant
from xeroadmin.xero.dates import parse_date, parse_datetime

M = TypeVar("M", bound=models.Model)
Record = dict[str, Any]
COMMON = ["updated_utc", "raw", "synced_at"]


def money(value: Any) -> Decimal:
    """A decimal from Xero's JSON number, exact to the cent it was written with."""
    if value is None or value == "":
        return Decimal("0")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal("0")


def _id(value: Any) -> str:
    return str(value or "").lower()


def _text(value: Any, limit: int) -> str:
    return str(value or "")[:limit]


def _date(value: Any) -> date | None:
    return parse_date(value)


def _updated(record: Record) -> datetime | None:
    return parse_datetime(record.get("UpdatedDateUTC"))


def _upsert(
    model: type[M], tenant: Tenant, rows: list[dict[str, Any]], fields: list[str]
) -> dict[str, int]:
    """Insert or update rows by (tenant, xero_id); returns {xero_id: pk} for them."""
    if not rows:
        return {}
    now = timezone.now()
    objects = [model(tenant=tenant, synced_at=now, **row) for row in rows]
    model._default_manager.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["tenant", "xero_id"],
        update_fields=fields + COMMON,
        batch_size=500,
    )
    ids = [row["xero_id"] for row in rows]
    found: dict[str, int] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        found.update(
            model._default_manager.filter(tenant=tenant, xero_id__in=chunk).values_list(
                "xero_id", "pk"
            )
        )
    return found


def contacts_upsert(tenant: Tenant, records: Iterable[Record]) -> dict[str, int]:
    rows = [
        {
            "xero_id": _id(r.get("ContactID")),
            "name": _text(r.get("Name"), 255),
            "first_name": _text(r.get("FirstName"), 255),
            "last_name": _text(r.get("LastName"), 255),
            "email": _text(r.get("EmailAddress"), 255),
            "contact_number": _text(r.get("ContactNumber"), 50),
            "status": _text(r.get("ContactStatus") or "ACTIVE", 20),
            "is_customer": bool(r.get("IsCustomer")),
            "is_supplier": bool(r.get("IsSupplier")),
            "updated_utc": _updated(r),
            "raw": r,
        }
        for r in records
        if r.get("ContactID")
    ]
    fields = ["name", "first_name", "last_name", "email", "contact_number", "status"]
    return _upsert(Contact, tenant, rows, [*fields, "is_customer", "is_supplier"])


def items_upsert(tenant: Tenant, records: Iterable[Record]) -> dict[str, int]:
    rows = []
    for r in records:
        if not r.get("ItemID"):
            continue
        sales = r.get("SalesDetails") or {}
        rows.append(
            {
                "xero_id": _id(r.get("ItemID")),
                "code": _text(r.get("Code"), 30),
                "name": _text(r.get("Name"), 50),
                "description": _text(r.get("Description"), 4000),
                "unit_price": money(sales["UnitPrice"])
                if sales.get("UnitPrice") is not None
                else None,
                "account_code": _text(sales.get("AccountCode"), 10),
                "tax_type": _text(sales.get("TaxType"), 50),
                "is_sold": bool(r.get("IsSold", True)),
                "is_purchased": bool(r.get("IsPurchased")),
                "updated_utc": _updated(r),
                "raw": r,
            }
        )
    fields = ["code", "name", "description", "unit_price", "account_code", "tax_type"]
    return _upsert(Item, tenant, rows, [*fields, "is_sold", "is_purchased"])


def accounts_upsert(tenant: Tenant, records: Iterable[Record]) -> dict[str, int]:
    rows = [
        {
            "xero_id": _id(r.get("AccountID")),
            "code": _text(r.get("Code"), 10),
            "name": _text(r.get("Name"), 150),
            "type": _text(r.get("Type"), 30),
            "account_class": _text(r.get("Class"), 20),
            "status": _text(r.get("Status") or "ACTIVE", 20),
            "tax_type": _text(r.get("TaxType"), 50),
            "enable_payments": bool(r.get("EnablePaymentsToAccount")) or r.get("Type") == "BANK",
            "system_account": _text(r.get("SystemAccount"), 50),
            "updated_utc": _updated(r),
            "raw": r,
        }
        for r in records
        if r.get("AccountID")
    ]
    fields = ["code", "name", "type", "account_class", "status", "tax_type"]
    return _upsert(Account, tenant, rows, [*fields, "enable_payments", "system_account"])


def invoices_upsert(tenant: Tenant, records: Iterable[Record]) -> dict[str, int]:
    """Invoices, with their lines when Xero sent them (paged lists and single reads do)."""
    records = [r for r in records if r.get("InvoiceID")]
    contact_ids = {_id((r.get("Contact") or {}).get("ContactID")) for r in records}
    contacts = dict(
        Contact.objects.filter(tenant=tenant, xero_id__in=contact_ids).values_list("xero_id", "pk")
    )
    rows = []
    for r in records:
        contact = r.get("Contact") or {}
        raw = {k: v for k, v in r.items() if k not in ("LineItems", "Payments")}
        rows.append(
            {
                "xero_id": _id(r["InvoiceID"]),
                "type": _text(r.get("Type"), 10),
                "number": _text(r.get("InvoiceNumber"), 255),
                "reference": _text(r.get("Reference"), 255),
                "contact_id": contacts.get(_id(contact.get("ContactID"))),
                "contact_xero_id": _id(contact.get("ContactID")),
                "contact_name": _text(contact.get("Name"), 255),
                "date": _date(r.get("Date")),
                "due_date": _date(r.get("DueDate")),
                "status": _text(r.get("Status"), 20),
                "line_amount_types": _text(r.get("LineAmountTypes"), 20),
                "currency_code": _text(r.get("CurrencyCode"), 3),
                "subtotal": money(r.get("SubTotal")),
                "total_tax": money(r.get("TotalTax")),
                "total": money(r.get("Total")),
                "amount_due": money(r.get("AmountDue")),
                "amount_paid": money(r.get("AmountPaid")),
                "amount_credited": money(r.get("AmountCredited")),
                "sent_to_contact": bool(r.get("SentToContact")),
                "has_attachments": bool(r.get("HasAttachments")),
                "fully_paid_on": _date(r.get("FullyPaidOnDate")),
                "updated_utc": _updated(r),
                "raw": raw,
            }
        )
    fields = (
        [name for name in rows[0] if name not in ("xero_id", "updated_utc", "raw")] if rows else []
    )
    with transaction.atomic():
        found = _upsert(Invoice, tenant, rows, fields)
        with_lines = [r for r in records if isinstance(r.get("LineItems"), list)]
        if with_lines:
            pks = [found[_id(r["InvoiceID"])] for r in with_lines]
            InvoiceLine.objects.filter(invoice_id__in=pks).delete()
            InvoiceLine.objects.bulk_create(
                [
                    _line(found[_id(r["InvoiceID"])], position, line)
                    for r in with_lines
                    for position, line in enumerate(r["LineItems"])
                    if isinstance(line, dict)
                ],
                batch_size=1000,
            )
    return found


def _line(invoice_pk: int, position: int, line: Record) -> InvoiceLine:
    discount = line.get("DiscountRate")
    return InvoiceLine(
        invoice_id=invoice_pk,
        position=position,
        line_item_id=_id(line.get("LineItemID")),
        description=_text(line.get("Description"), 4000),
        quantity=money(line.get("Quantity")),
        unit_amount=money(line.get("UnitAmount")),
        item_code=_text(line.get("ItemCode"), 30),
        account_code=_text(line.get("AccountCode"), 10),
        tax_type=_text(line.get("TaxType"), 50),
        tax_amount=money(line.get("TaxAmount")),
        line_amount=money(line.get("LineAmount")),
        discount_rate=money(discount) if discount not in (None, "") else None,
    )


def payments_upsert(tenant: Tenant, records: Iterable[Record]) -> dict[str, int]:
    records = [r for r in records if r.get("PaymentID")]
    invoice_ids = {_id((r.get("Invoice") or {}).get("InvoiceID")) for r in records}
    invoices = dict(
        Invoice.objects.filter(tenant=tenant, xero_id__in=invoice_ids).values_list("xero_id", "pk")
    )
    rows = []
    for r in records:
        invoice = _id((r.get("Invoice") or {}).get("InvoiceID"))
        account = r.get("Account") or {}
        rows.append(
            {
                "xero_id": _id(r["PaymentID"]),
                "invoice_id": invoices.get(invoice),
                "invoice_xero_id": invoice,
                "date": _date(r.get("Date")),
                "amount": money(r.get("Amount")),
                "reference": _text(r.get("Reference"), 255),
                "status": _text(r.get("Status") or "AUTHORISED", 20),
                "payment_type": _text(r.get("PaymentType"), 30),
                "account_code": _text(account.get("Code"), 10),
                "account_name": _text(account.get("Name"), 150),
                "is_reconciled": bool(r.get("IsReconciled")),
                "updated_utc": _updated(r),
                "raw": r,
            }
        )
    fields = (
        [name for name in rows[0] if name not in ("xero_id", "updated_utc", "raw")] if rows else []
    )
    return _upsert(Payment, tenant, rows, fields)


def tax_rates_replace(tenant: Tenant, records: Iterable[Record]) -> int:
    """The organisation's tax rates, replacing what was there (the list is always complete)."""
    rows = [
        TaxRate(
            tenant=tenant,
            tax_type=_text(r.get("TaxType"), 50),
            name=_text(r.get("Name"), 100),
            rate=money(r.get("EffectiveRate", r.get("DisplayTaxRate"))),
            status=_text(r.get("Status"), 20),
            raw=r,
        )
        for r in records
        if r.get("TaxType")
    ]
    with transaction.atomic():
        TaxRate.objects.filter(tenant=tenant).delete()
        TaxRate.objects.bulk_create(rows)
    return len(rows)


def currencies_replace(tenant: Tenant, records: Iterable[Record]) -> int:
    rows = [
        Currency(
            tenant=tenant,
            code=_text(r.get("Code"), 3),
            description=_text(r.get("Description"), 100),
        )
        for r in records
        if r.get("Code")
    ]
    with transaction.atomic():
        Currency.objects.filter(tenant=tenant).delete()
        Currency.objects.bulk_create(rows)
    return len(rows)


def remove_missing(model: type[Mirrored], tenant: Tenant, present: Iterable[str]) -> int:
    """Delete mirror rows Xero no longer lists (items and accounts deleted in Xero)."""
    keep = set(present)
    gone = [
        pk
        for pk, xero_id in model._default_manager.filter(tenant=tenant).values_list("pk", "xero_id")
        if xero_id not in keep
    ]
    if gone:
        model._default_manager.filter(pk__in=gone).delete()
    return len(gone)
