"""Turning Xero's JSON into mirror rows: bulk upserts keyed by (tenant, Xero id).

Used by the sync, by writes (the mirror is updated from Xero's answer) and by webhooks.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from xeroadmin.books.models import (
    Account,
    BooksVersion,
    Contact,
    Currency,
    Invoice,
    InvoiceLine,
    Item,
    Mirrored,
    Payment,
    TaxRate,
    TrackingCategory,
    TrackingOption,
)
from xeroadmin.books.signals import books_changed, changes_wanted, records_changed
from xeroadmin.connections.clients import tenant_details_update
from xeroadmin.connections.models import Tenant
from xeroadmin.xero.dates import parse_date, parse_datetime

M = TypeVar("M", bound=models.Model)
Record = dict[str, Any]
COMMON = ["updated_utc", "raw", "synced_at", "problem"]


@functools.cache
def _significant_digits() -> int:
    """Digits a decimal column keeps exactly: SQLite keeps a decimal as a double (only 15
    significant digits come back as they went in); PostgreSQL's numeric keeps them all (0).
    Asked once: `connection.vendor` goes through a thread-local proxy, and a Fits is made for
    every record a sync stores (bench/sync_bank.py)."""
    return 15 if connection.vendor == "sqlite" else 0


class Fits:
    """Reads one record's numbers into the columns that keep them, noting each that does not
    fit (too large, not a number): such a value is kept as 0 and the record is flagged.

    Called for every amount a sync stores (bench/sync.py), so the usual case (a Decimal well
    within its column) costs two comparisons and a quantize."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.significant = _significant_digits()

    def __call__(self, value: Any, name: str, *, digits: int = 18, places: int = 2) -> Decimal:
        if value is None or value == "":
            return ZERO
        try:
            # Xero's JSON is parsed to Decimals; str() keeps any other number exact too.
            number = value if type(value) is Decimal else Decimal(str(value))
            number = number.quantize(QUANTUM[places], ROUND_HALF_UP)
            size = abs(number)
            if size < BELOW[self.significant or digits, places]:
                return number
        except (InvalidOperation, ValueError):  # not a number, or beyond any precision
            return self._refuse(name, value)
        # Rare: near a column's edge, so count exactly (a NaN lands here too).
        if not number.is_finite() or size >= BELOW[digits, places]:
            return self._refuse(name, value, "is larger than can be kept here")
        if self.significant and len(number.normalize().as_tuple().digits) > self.significant:
            return self._refuse(name, value, "has more digits than can be kept here")
        return number

    def _refuse(self, name: str, value: Any, why: str = "is not a number") -> Decimal:
        self.problems.append(f"{name} {str(value)[:30]} {why}")
        return ZERO

    def text(self) -> str:
        return "; ".join(self.problems)[:255]


# 10 ** -places, and what a number of `places` decimals must stay below to fit `digits`.
QUANTUM = {places: Decimal(10) ** -places for places in range(7)}
BELOW = {
    (digits, places): Decimal(10) ** (digits - places)
    for digits in range(1, 19)
    for places in range(7)
}


ZERO = Decimal("0")


def xero_id(value: Any) -> str:
    return str(value or "").lower()


def text(value: Any, limit: int) -> str:
    return str(value or "")[:limit]


def day(value: Any) -> date | None:
    return parse_date(value)


def updated(record: Record) -> datetime | None:
    return parse_datetime(record.get("UpdatedDateUTC"))


class Upserted(dict[str, int]):
    """{xero_id: pk} of the rows written, and the newest `UpdatedDateUTC` among them."""

    newest: datetime | None = None


def rest(record: Record, modelled: frozenset[str]) -> Record:
    """The fields of a record that have no column of their own (kept as raw JSON); usually
    none, found by one set difference (bench/sync.py, bench/sync_bank.py)."""
    extra = record.keys() - modelled
    return {k: record[k] for k in extra} if extra else {}


INVOICE_COLUMNS = frozenset(
    {
        "InvoiceID", "Type", "InvoiceNumber", "Reference", "Date", "DateString", "DueDate",
        "DueDateString", "Status", "LineAmountTypes", "CurrencyCode", "SubTotal", "TotalTax",
        "Total", "AmountDue", "AmountPaid", "AmountCredited", "SentToContact", "HasAttachments",
        "CurrencyRate",
        "FullyPaidOnDate", "UpdatedDateUTC", "UpdatedDateUTCString", "LineItems", "Payments",
    }
)  # fmt: skip
CONTACT_COLUMNS = frozenset(
    {
        "ContactID", "Name", "FirstName", "LastName", "EmailAddress", "ContactNumber",
        "ContactStatus", "IsCustomer", "IsSupplier", "UpdatedDateUTC",
    }
)  # fmt: skip
PAYMENT_COLUMNS = frozenset(
    {
        "PaymentID", "Date", "Amount", "Reference", "Status", "PaymentType", "IsReconciled",
        "UpdatedDateUTC", "Invoice", "Account",
    }
)  # fmt: skip


def pks(model: type[models.Model], tenant: Tenant, xero_ids: Iterable[str]) -> dict[str, int]:
    """{xero_id: pk} for the mirror rows of these Xero ids (plain SQL: called per page)."""
    wanted = [i for i in set(xero_ids) if i]
    table = connection.ops.quote_name(model._meta.db_table)
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT xero_id, id FROM {table} WHERE tenant_id = %s AND xero_id IN ({marks})",  # noqa: S608
                [tenant.pk, *chunk],
            )
            found.update(cursor.fetchall())
    return found


def upsert(
    model: type[M], tenant: Tenant, rows: list[dict[str, Any]], fields: list[str]
) -> Upserted:
    """Insert or update rows by (tenant, xero_id); returns {xero_id: pk} for them.

    Performance: a sync writes tens of thousands of rows, so this is one `INSERT ... ON CONFLICT
    DO UPDATE` run with executemany, the values adapted once per column rather than per field
    object (`make bench BENCH=sync` measures the initial sync against bare fetching; keep its
    ratio when changing this).
    """
    if not rows:
        return Upserted()
    now = timezone.now()
    columns = ["tenant", "xero_id", *fields, *COMMON]
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    names = [connection.ops.quote_name(_column(model, c)) for c in columns]
    marks = [_placeholder(meta.get_field(c)) for c in columns]
    adapt = [_adapter(meta.get_field(c)) for c in columns]
    updates = ", ".join(f"{n} = excluded.{n}" for n in names[2:])
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(marks)}) "  # noqa: S608
        f"ON CONFLICT ({names[0]}, {names[1]}) DO UPDATE SET {updates}"
    )
    converted = [(i, f) for i, f in enumerate(adapt) if f is not None]
    values = []
    for row in rows:
        row = {"problem": "", **row, "tenant": tenant.pk, "synced_at": now}
        value = [row.get(c) for c in columns]
        for index, convert in converted:
            value[index] = convert(value[index])
        values.append(value)
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
    found = Upserted(pks(model, tenant, (row["xero_id"] for row in rows)))
    stamps = [row["updated_utc"] for row in rows if row.get("updated_utc")]
    found.newest = max(stamps) if stamps else None
    return found


def insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Plain bulk insert through executemany (invoice lines): as `_upsert`, for the same
    benchmark (`make bench BENCH=sync`)."""
    if not rows:
        return
    meta = model._meta
    columns = list(rows[0])
    table = connection.ops.quote_name(meta.db_table)
    names = [connection.ops.quote_name(_column(model, c)) for c in columns]
    marks = [_placeholder(meta.get_field(c)) for c in columns]
    adapt = [_adapter(meta.get_field(c)) for c in columns]
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(marks)})"  # noqa: S608
    converted = [(i, f) for i, f in enumerate(adapt) if f is not None]
    values = []
    for row in rows:
        value = [row[c] for c in columns]
        for index, convert in converted:
            value[index] = convert(value[index])
        values.append(value)
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def _placeholder(field: Any) -> str:
    if isinstance(field, models.JSONField) and connection.vendor == "postgresql":
        return "%s::jsonb"
    return "%s"


def _json(value: Any) -> str:
    """A JSON column's value as text; most are empty (a record whose every field has a column
    of its own, a line with no tracking), and writing those costs nothing (bench/sync_bank.py)."""
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, default=str)


def _adapter(field: Any) -> Any:
    """How one column's Python values become database parameters."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":
            # What Django writes for an aware datetime there: naive UTC, as text.
            return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None  # passed as it is


def contacts_upsert(tenant: Tenant, records: Iterable[Record]) -> Upserted:
    rows = [
        {
            "xero_id": xero_id(r.get("ContactID")),
            "name": text(r.get("Name"), 255),
            "first_name": text(r.get("FirstName"), 255),
            "last_name": text(r.get("LastName"), 255),
            "email": text(r.get("EmailAddress"), 255),
            "contact_number": text(r.get("ContactNumber"), 50),
            "status": text(r.get("ContactStatus") or "ACTIVE", 20),
            "is_customer": bool(r.get("IsCustomer")),
            "is_supplier": bool(r.get("IsSupplier")),
            "updated_utc": updated(r),
            "raw": rest(r, CONTACT_COLUMNS),
        }
        for r in records
        if r.get("ContactID")
    ]
    fields = ["name", "first_name", "last_name", "email", "contact_number", "status"]
    if rows:
        books_changed.send(sender=Contact, tenant=tenant)
    before = _before(Contact, tenant, [str(row["xero_id"]) for row in rows], "raw")
    found = upsert(Contact, tenant, rows, [*fields, "is_customer", "is_supplier"])
    if before is not None:
        changes = []
        for row in rows:
            had = before.get(str(row["xero_id"]))
            if had is not None and had[0] == row["updated_utc"]:
                continue
            bank_changed = had is not None and _bank(had[2]) != _bank(row["raw"])
            changes.append(_change(row, found, had, bank_changed=bank_changed))
        _tell(tenant, "contact", changes)
    return found


def _before(
    model: type[Invoice] | type[Contact], tenant: Tenant, ids: list[str], *extra: str
) -> dict[str, tuple[Any, ...]] | None:
    """{xero_id: (updated_utc, status, *extra)} of these records before a write, when someone
    wants to know what the write changes; None when nobody does (it costs a query), and during
    an organisation's first sync (it fills the mirror: nothing in it is news)."""
    if not ids or tenant.last_synced_at is None:
        return None
    if not any(answer for _, answer in changes_wanted.send(sender=model, tenant=tenant)):
        return None
    found: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 900):  # as `_pks`: within any SQLite's variable limit
        rows = model.objects.filter(tenant=tenant, xero_id__in=ids[start : start + 900])
        for xero_id, *rest in rows.values_list("xero_id", "updated_utc", "status", *extra):
            found[xero_id] = tuple(rest)
    return found


def _bank(raw: Any) -> str:
    return str((raw or {}).get("BankAccountDetails") or "") if isinstance(raw, dict) else ""


def _change(
    row: dict[str, Any], found: Upserted, had: tuple[Any, ...] | None, *, bank_changed: bool = False
) -> dict[str, Any]:
    return {
        "xero_id": row["xero_id"],
        "pk": found.get(row["xero_id"]),
        "created": had is None,
        "status_from": had[1] if had is not None else "",
        "status_to": row["status"],
        "bank_changed": bank_changed,
    }


def _tell(tenant: Tenant, kind: str, changes: list[dict[str, Any]]) -> None:
    if changes:
        records_changed.send(sender=Tenant, tenant=tenant, kind=kind, changes=changes)


def items_upsert(tenant: Tenant, records: Iterable[Record]) -> Upserted:
    rows = []
    for r in records:
        if not r.get("ItemID"):
            continue
        sales = r.get("SalesDetails") or {}
        fits = Fits()
        price = sales.get("UnitPrice")
        rows.append(
            {
                "xero_id": xero_id(r.get("ItemID")),
                "code": text(r.get("Code"), 30),
                "name": text(r.get("Name"), 50),
                "description": text(r.get("Description"), 4000),
                "unit_price": None if price is None else fits(price, "UnitPrice", places=4),
                "account_code": text(sales.get("AccountCode"), 10),
                "tax_type": text(sales.get("TaxType"), 50),
                "is_sold": bool(r.get("IsSold", True)),
                "is_purchased": bool(r.get("IsPurchased")),
                "problem": fits.text(),
                "updated_utc": updated(r),
                "raw": r,
            }
        )
    fields = ["code", "name", "description", "unit_price", "account_code", "tax_type"]
    return upsert(Item, tenant, rows, [*fields, "is_sold", "is_purchased"])


def accounts_upsert(tenant: Tenant, records: Iterable[Record]) -> Upserted:
    rows = [
        {
            "xero_id": xero_id(r.get("AccountID")),
            "code": text(r.get("Code"), 10),
            "name": text(r.get("Name"), 150),
            "type": text(r.get("Type"), 30),
            "account_class": text(r.get("Class"), 20),
            "status": text(r.get("Status") or "ACTIVE", 20),
            "tax_type": text(r.get("TaxType"), 50),
            "enable_payments": bool(r.get("EnablePaymentsToAccount")) or r.get("Type") == "BANK",
            "system_account": text(r.get("SystemAccount"), 50),
            "updated_utc": updated(r),
            "raw": r,
        }
        for r in records
        if r.get("AccountID")
    ]
    fields = ["code", "name", "type", "account_class", "status", "tax_type"]
    return upsert(Account, tenant, rows, [*fields, "enable_payments", "system_account"])


def invoices_upsert(tenant: Tenant, records: Iterable[Record]) -> Upserted:
    """Invoices, with their lines when Xero sent them (paged lists and single reads do)."""
    records = [r for r in records if r.get("InvoiceID")]
    contact_ids = {xero_id((r.get("Contact") or {}).get("ContactID")) for r in records}
    contacts = pks(Contact, tenant, contact_ids)
    rows = []
    lines: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        contact = r.get("Contact") or {}
        fits = Fits()
        if isinstance(r.get("LineItems"), list):
            lines[xero_id(r["InvoiceID"])] = [
                line_row(position, line, fits)
                for position, line in enumerate(r["LineItems"])
                if isinstance(line, dict)
            ]
        # A record whose numbers do not all fit keeps every field of Xero's in `raw`.
        raw = rest(r, INVOICE_COLUMNS) if not fits.problems else dict(r)
        if set(contact) <= {"ContactID", "Name"} and not fits.problems:
            raw.pop("Contact", None)  # nothing beyond what the columns hold
        rows.append(
            {
                "xero_id": xero_id(r["InvoiceID"]),
                "type": text(r.get("Type"), 10),
                "number": text(r.get("InvoiceNumber"), 255),
                "reference": text(r.get("Reference"), 255),
                "contact": contacts.get(xero_id(contact.get("ContactID"))),
                "contact_xero_id": xero_id(contact.get("ContactID")),
                "contact_name": text(contact.get("Name"), 255),
                "date": day(r.get("Date")),
                "due_date": day(r.get("DueDate")),
                "status": text(r.get("Status"), 20),
                "line_amount_types": text(r.get("LineAmountTypes"), 20),
                "currency_code": text(r.get("CurrencyCode"), 3),
                "currency_rate": fits(r.get("CurrencyRate"), "CurrencyRate", places=6) or 1,
                "subtotal": fits(r.get("SubTotal"), "SubTotal"),
                "total_tax": fits(r.get("TotalTax"), "TotalTax"),
                "total": fits(r.get("Total"), "Total"),
                "amount_due": fits(r.get("AmountDue"), "AmountDue"),
                "amount_paid": fits(r.get("AmountPaid"), "AmountPaid"),
                "amount_credited": fits(r.get("AmountCredited"), "AmountCredited"),
                "sent_to_contact": bool(r.get("SentToContact")),
                "has_attachments": bool(r.get("HasAttachments")),
                "fully_paid_on": day(r.get("FullyPaidOnDate")),
                "problem": fits.text(),
                "updated_utc": updated(r),
                "raw": raw,
            }
        )
    fields = [name for name in rows[0] if name not in ("xero_id", *COMMON)] if rows else []
    before = _before(Invoice, tenant, [str(row["xero_id"]) for row in rows])
    with transaction.atomic():
        found = upsert(Invoice, tenant, rows, fields)
        if before is not None:
            _tell(
                tenant,
                "invoice",
                [
                    _change(row, found, had)
                    for row in rows
                    if (had := before.get(str(row["xero_id"]))) is None
                    or had[0] != row["updated_utc"]
                    or had[1] != row["status"]
                ],
            )
        if rows:
            invoices_changed(tenant)
        if lines:
            InvoiceLine.objects.filter(invoice_id__in=[found[i] for i in lines]).delete()
            insert(
                InvoiceLine,
                [{"invoice": found[i], **line} for i, rows_of in lines.items() for line in rows_of],
            )
    return found


def invoices_version(tenant: Tenant) -> int:
    """A number that changes whenever the organisation's invoices or payments in the mirror
    change: what is worked out from them (the list's tab counts, the portfolio's figures) can
    be kept under it."""
    return invoices_versions([tenant])[tenant.pk]


def invoices_versions(tenants: Iterable[Tenant]) -> dict[int, int]:
    """`invoices_version` of many organisations, in one query."""
    pks = [tenant.pk for tenant in tenants]
    rows = BooksVersion.objects.filter(tenant_id__in=pks).values_list("tenant_id", "invoices")
    found: dict[int, int] = {tenant: version for tenant, version in rows}
    return {pk: found.get(pk, 0) for pk in pks}


def with_invoices_version(tenants: QuerySet[Tenant]) -> QuerySet[Tenant]:
    """`tenants` annotated with `invoices_version` (0 before any write), in the same query."""
    version = BooksVersion.objects.filter(tenant=OuterRef("pk")).values("invoices")[:1]
    return tenants.annotate(invoices_version=Coalesce(Subquery(version), Value(0)))


def invoices_changed(tenant: Tenant) -> None:
    """The next version, written with the change (inside its transaction: a reader sees the
    old rows with the old version or the new rows with the new one)."""
    books_changed.send(sender=BooksVersion, tenant=tenant)
    row = BooksVersion.objects.filter(tenant=tenant)
    if not row.update(invoices=F("invoices") + 1):
        # The first write: make the row (another writer may just have), then count this one.
        BooksVersion.objects.bulk_create([BooksVersion(tenant=tenant)], ignore_conflicts=True)
        row.update(invoices=F("invoices") + 1)


def line_row(position: int, line: Record, fits: Fits) -> dict[str, Any]:
    discount = line.get("DiscountRate")
    return {
        "position": position,
        "line_item_id": xero_id(line.get("LineItemID")),
        "description": text(line.get("Description"), 4000),
        "quantity": fits(line.get("Quantity"), "Quantity", places=4),
        "unit_amount": fits(line.get("UnitAmount"), "UnitAmount", places=4),
        "item_code": text(line.get("ItemCode"), 30),
        "account_code": text(line.get("AccountCode"), 10),
        "tax_type": text(line.get("TaxType"), 50),
        "tax_amount": fits(line.get("TaxAmount"), "TaxAmount"),
        "line_amount": fits(line.get("LineAmount"), "LineAmount"),
        "discount_rate": None
        if discount in (None, "")
        else fits(discount, "DiscountRate", digits=9, places=4),
        "tracking": [
            {
                "Name": text(t.get("Name"), 100),
                "Option": text(t.get("Option"), 100),
                "TrackingCategoryID": xero_id(t.get("TrackingCategoryID")),
                "TrackingOptionID": xero_id(t.get("TrackingOptionID")),
            }
            for t in (line.get("Tracking") or [])[:2]
            if isinstance(t, dict)
        ],
    }


def payments_upsert(tenant: Tenant, records: Iterable[Record]) -> Upserted:
    records = [r for r in records if r.get("PaymentID")]
    invoice_ids = {xero_id((r.get("Invoice") or {}).get("InvoiceID")) for r in records}
    invoices = pks(Invoice, tenant, invoice_ids)
    rows = []
    for r in records:
        invoice = xero_id((r.get("Invoice") or {}).get("InvoiceID"))
        account = r.get("Account") or {}
        fits = Fits()
        rows.append(
            {
                "xero_id": xero_id(r["PaymentID"]),
                "invoice": invoices.get(invoice),
                "invoice_xero_id": invoice,
                "date": day(r.get("Date")),
                "amount": fits(r.get("Amount"), "Amount"),
                "reference": text(r.get("Reference"), 255),
                "status": text(r.get("Status") or "AUTHORISED", 20),
                "payment_type": text(r.get("PaymentType"), 30),
                "account_code": text(account.get("Code"), 10),
                "account_name": text(account.get("Name"), 150),
                "is_reconciled": bool(r.get("IsReconciled")),
                "problem": fits.text(),
                "updated_utc": updated(r),
                "raw": rest(r, PAYMENT_COLUMNS) if not fits.problems else dict(r),
            }
        )
    fields = [name for name in rows[0] if name not in ("xero_id", *COMMON)] if rows else []
    if rows:
        invoices_changed(tenant)  # what was owed on a past day counts the payments made since
    return upsert(Payment, tenant, rows, fields)


def tax_rates_replace(tenant: Tenant, records: Iterable[Record]) -> int:
    """The organisation's tax rates, replacing what was there (the list is always complete)."""
    rows = [
        TaxRate(
            tenant=tenant,
            tax_type=text(r.get("TaxType"), 50),
            name=text(r.get("Name"), 100),
            rate=Fits()(
                r.get("EffectiveRate", r.get("DisplayTaxRate")), "Rate", digits=9, places=4
            ),
            status=text(r.get("Status"), 20),
            raw=r,
        )
        for r in records
        if r.get("TaxType")
    ]
    with transaction.atomic():
        TaxRate.objects.filter(tenant=tenant).delete()
        TaxRate.objects.bulk_create(rows)
    return len(rows)


def tracking_replace(tenant: Tenant, records: Iterable[Record]) -> int:
    """The organisation's tracking categories and their options, archived ones included,
    replacing what was there (Xero always gives the whole list)."""
    categories = [r for r in records if r.get("TrackingCategoryID")]
    with transaction.atomic():
        TrackingCategory.objects.filter(tenant=tenant).delete()
        made = TrackingCategory.objects.bulk_create(
            [
                TrackingCategory(
                    tenant=tenant,
                    xero_id=xero_id(r["TrackingCategoryID"]),
                    name=text(r.get("Name"), 100),
                    status=text(r.get("Status"), 20),
                )
                for r in categories
            ]
        )
        options = []
        for category, record in zip(made, categories, strict=True):
            for option in record.get("Options") or []:
                if isinstance(option, dict) and option.get("TrackingOptionID"):
                    options.append(
                        TrackingOption(
                            category=category,
                            xero_id=xero_id(option["TrackingOptionID"]),
                            name=text(option.get("Name"), 100),
                            status=text(option.get("Status"), 20),
                        )
                    )
        TrackingOption.objects.bulk_create(options)
    return len(made)


def currencies_replace(tenant: Tenant, records: Iterable[Record]) -> int:
    rows = [
        Currency(
            tenant=tenant,
            code=text(r.get("Code"), 3),
            description=text(r.get("Description"), 100),
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


def organisation_update(tenant: Tenant, records: Iterable[Record]) -> int:
    """The organisation's own details (name, short code, country, base currency) on the tenant."""
    details = next((r for r in records if isinstance(r, dict)), None)
    if details is None:
        return 0
    tenant_details_update(tenant=tenant, details=details)
    return 1
