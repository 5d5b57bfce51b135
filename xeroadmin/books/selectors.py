"""Reads of the mirror, each scoped by organisation, with a constant number of queries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from xeroadmin.books import mirror
from xeroadmin.books.models import (
    Account,
    Contact,
    Currency,
    Invoice,
    InvoiceLine,
    Item,
    Payment,
    SyncJob,
    TaxRate,
    TrackingOption,
)
from xeroadmin.connections.models import Tenant

if TYPE_CHECKING:
    from django_stubs_ext import ValuesQuerySet

OPEN = ("AUTHORISED",)
SORTS = {
    "date": ("date", "pk"),
    "-date": ("-date", "-pk"),
    "due": ("due_date", "pk"),
    "-due": ("-due_date", "-pk"),
    "number": ("number", "pk"),
    "-number": ("-number", "-pk"),
    "total": ("total", "pk"),
    "-total": ("-total", "-pk"),
    "due_amount": ("amount_due", "pk"),
    "-due_amount": ("-amount_due", "-pk"),
    "contact": ("contact_name", "pk"),
    "-contact": ("-contact_name", "-pk"),
}


@dataclass
class InvoiceFilters:
    status: str = ""
    type: str = ""
    contact: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    q: str = ""
    sort: str = "-date"
    # Outstanding on `as_of` (today when None) and in this ageing bucket (see AGEING).
    age: str = ""
    as_of: date | None = None
    tracking: str = ""  # a tracking option's Xero id: invoices with a line tracked to it

    @property
    def any_dates(self) -> bool:
        return any((self.date_from, self.date_to, self.due_from, self.due_to))


# Ageing buckets by days past due on the "as of" day: (key, label, first day, last day).
AGEING = (
    ("current", "Current", None, 0),
    ("1-30", "1\u201330 days", 1, 30),
    ("31-60", "31\u201360 days", 31, 60),
    ("61-90", "61\u201390 days", 61, 90),
    ("90+", "Over 90 days", 91, None),
)
# Besides the buckets: everything outstanding, and everything past due.
AGE_FILTERS = {"all": "Outstanding", "overdue": "Overdue", **{k: v for k, v, _, _ in AGEING}}


def due_range(key: str, as_of: date) -> Q:
    """The invoices whose due date puts them in ageing bucket `key` on `as_of` (no due date is
    current)."""
    if key == "all":
        return Q()
    if key == "overdue":
        return Q(due_date__lt=as_of)
    _, _, first, last = next(bucket for bucket in AGEING if bucket[0] == key)
    test = Q()
    if first is not None:
        test &= Q(due_date__lte=as_of - timedelta(days=first))
    if last is not None:
        test &= Q(due_date__gte=as_of - timedelta(days=last))
    return test | Q(due_date=None) if first is None else test


def outstanding_on(invoices: QuerySet[Invoice], as_of: date) -> QuerySet[Invoice]:
    """The approved invoices dated by `as_of` with money owed on it, annotated with `owed`:
    what was owed that day, in the invoice's currency. Today that is the amount due; on an
    earlier day it is the amount due now plus the payments made since (so an invoice paid
    since counts, as it was then)."""
    if as_of >= timezone.localdate():
        return invoices.filter(status__in=OPEN).annotate(owed=F("amount_due"))
    later = (
        Payment.objects.filter(invoice=OuterRef("pk"), status="AUTHORISED", date__gt=as_of)
        .order_by()
        .values("invoice")
        .annotate(paid=Sum("amount"))
        .values("paid")
    )
    owed = F("amount_due") + Coalesce(Subquery(later), Value(Decimal("0")))
    candidates = invoices.filter(status__in=(*OPEN, "PAID"), date__lte=as_of)
    return candidates.annotate(owed=ExpressionWrapper(owed, output_field=DecimalField())).filter(
        owed__gt=0
    )


CENT = Decimal("0.01")


Day = date  # the row's `date` field would hide the type inside the class


class InvoiceRow(NamedTuple):
    """One row of the invoice list: only the columns the page shows."""

    pk: int
    type: str
    number: str
    reference: str
    contact_name: str
    date: Day
    due_date: Day | None
    status: str
    currency_code: str
    total: Decimal
    amount_due: Decimal


def invoice_list(*, tenant: Tenant, filters: InvoiceFilters) -> ValuesQuerySet[Invoice, InvoiceRow]:
    """The organisation's invoices, filtered and sorted; every filter uses an index.

    Performance: rows are plain named tuples of `InvoiceRow`'s columns, not model instances (a
    list page only reads them, and building 50 models was a noticeable part of its time; see
    `make bench BENCH=invoice_list`, which measures this page against the client list).
    """
    invoices = invoices_matching(tenant=tenant, filters=filters)
    ordered = invoices.order_by(*SORTS.get(filters.sort, SORTS["-date"]))
    rows = ordered.values_list(*InvoiceRow._fields, named=True)
    return cast("ValuesQuerySet[Invoice, InvoiceRow]", rows)


def invoices_matching(*, tenant: Tenant, filters: InvoiceFilters) -> QuerySet[Invoice]:
    """The organisation's invoices that pass every filter (unsorted)."""
    if filters.q:
        # The search's subquery is already the tenant's; starting from it lets the database
        # look the matches up by id instead of walking every invoice in date order.
        invoices = Invoice.objects.filter(pk__in=_search(tenant, filters.q))
    else:
        invoices = Invoice.objects.filter(tenant=tenant)
    if filters.status:
        invoices = invoices.filter(status=filters.status)
    if filters.type:
        invoices = invoices.filter(type=filters.type)
    if filters.contact:
        invoices = invoices.filter(contact_id=filters.contact)
    if filters.date_from:
        invoices = invoices.filter(date__gte=filters.date_from)
    if filters.date_to:
        invoices = invoices.filter(date__lte=filters.date_to)
    if filters.due_from:
        invoices = invoices.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        invoices = invoices.filter(due_date__lte=filters.due_to)
    if filters.overdue:
        invoices = invoices.filter(status__in=OPEN, due_date__lt=timezone.localdate())
    if filters.age in AGE_FILTERS:
        as_of = filters.as_of or timezone.localdate()
        invoices = outstanding_on(invoices, as_of).filter(due_range(filters.age, as_of))
    if filters.tracking:
        # A line keeps its tracking as Xero's JSON, option ids included: two entries at most.
        lines = InvoiceLine.objects.filter(
            invoice__tenant=tenant, tracking__icontains=filters.tracking.lower()
        )
        invoices = invoices.filter(pk__in=lines.values("invoice_id"))
    return invoices


def status_counts(*, tenant: Tenant, filters: InvoiceFilters) -> dict[str, int]:
    """How many invoices each status tab would show with the other filters as they are
    ({"": all, "DRAFT": n, ...}): one grouped count, the status tab itself left out so that
    every tab says what choosing it would give.

    Performance: counting 100,000 invoices took twice as long as the rest of the page, so the
    counts are kept in the cache under the organisation's invoice version (it goes up with
    every write to its invoices, `mirror.invoices_changed`) and the other filters: moving
    between tabs and pages counts nothing again. `make bench BENCH=invoice_list` measures the
    page both ways.
    """
    others = replace(filters, status="", sort="")
    signature = hashlib.sha256(repr(others).encode()).hexdigest()[:24]
    today = timezone.localdate().isoformat() if filters.overdue or filters.age else ""
    key = f"books:status-counts:{tenant.pk}:{mirror.invoices_version(tenant)}:{today}:{signature}"
    counts = cache.get(key)
    if counts is None:
        rows = (
            invoices_matching(tenant=tenant, filters=others)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        counts = dict(rows)
        cache.set(key, counts, timeout=3600)
    return {"": sum(counts.values()), **counts}


def _search(tenant: Tenant, text: str) -> RawSQL:
    """Search as you type: the ids of invoices whose number or reference starts with the text,
    or whose contact's name contains it.

    Three indexed lookups joined by UNION (number and reference by their lower-case indexes;
    contacts are few), so that a search stays fast over 100,000 invoices instead of the planner
    scanning them in date order.
    """
    term = text.strip().lower()
    like = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if connection.vendor == "sqlite":
        # A range on the lower-case index; LIKE would not use it there.
        starts, params = "{col} >= %s AND {col} < %s", [term, term + chr(0x10FFFF)]
    else:
        starts, params = "{col} LIKE %s ESCAPE '\\'", [like + "%"]
    invoice = Invoice._meta.db_table
    contact = Contact._meta.db_table
    number = starts.format(col="LOWER(number)")
    reference = starts.format(col="LOWER(reference)")
    sql = (
        f"SELECT id FROM {invoice} WHERE tenant_id = %s AND {number} "  # noqa: S608
        f"UNION SELECT id FROM {invoice} WHERE tenant_id = %s AND {reference} "
        # The contacts are the tenant's, so their invoices need no tenant test (and the
        # contact index is then the one used).
        f"UNION SELECT id FROM {invoice} WHERE contact_id IN "
        f"(SELECT id FROM {contact} WHERE tenant_id = %s AND LOWER(name) LIKE %s ESCAPE '\\')"
    )
    # Only table names (from the models) are formatted in; every value is a parameter.
    return RawSQL(sql, (tenant.pk, *params, tenant.pk, *params, tenant.pk, f"%{like}%"))  # noqa: S611


def page_totals(invoices: list[Any]) -> dict[str, Any]:
    """The sums of the rows shown, by currency (a page can mix them)."""
    by_currency: dict[str, dict[str, Decimal]] = {}
    for invoice in invoices:
        sums = by_currency.setdefault(
            invoice.currency_code, {"total": Decimal("0"), "due": Decimal("0")}
        )
        sums["total"] += invoice.total
        sums["due"] += invoice.amount_due
    return by_currency


def organisation_summary(*, tenant: Tenant) -> dict[str, Any]:
    """Sales and bills outstanding and overdue (count and amount, in the base currency).

    A foreign-currency invoice counts at its amount due divided by its rate, rounded to the
    cent as Xero rounds each document's base amount. Those few are summed here in Decimals; the
    rest in the database, where no division (and so no float, on SQLite) is involved."""
    today = timezone.localdate()
    open_invoices = Invoice.objects.filter(tenant=tenant, status__in=OPEN).order_by()
    sales, bills = Q(type=Invoice.Type.SALES), Q(type=Invoice.Type.BILL)
    late = Q(due_date__lt=today)
    numbers = open_invoices.aggregate(
        sales_count=Count("pk", filter=sales),
        sales_overdue_count=Count("pk", filter=sales & late),
        bills_count=Count("pk", filter=bills),
        bills_overdue_count=Count("pk", filter=bills & late),
    )
    base = open_invoices.filter(currency_rate=1).aggregate(
        sales_due=Sum("amount_due", filter=sales),
        sales_overdue=Sum("amount_due", filter=sales & late),
        bills_due=Sum("amount_due", filter=bills),
        bills_overdue=Sum("amount_due", filter=bills & late),
    )
    summary = {k: v or Decimal("0") for k, v in (numbers | base).items()}
    foreign = open_invoices.exclude(currency_rate=1).values_list(
        "type", "due_date", "amount_due", "currency_rate"
    )
    for kind, due_date, amount_due, rate in foreign:
        amount = (amount_due / rate).quantize(CENT, ROUND_HALF_UP) if rate else amount_due
        prefix = "sales" if kind == Invoice.Type.SALES else "bills"
        summary[f"{prefix}_due"] += amount
        if due_date is not None and due_date < today:
            summary[f"{prefix}_overdue"] += amount
    return summary


def oldest_overdue(*, tenant: Tenant, limit: int = 5) -> QuerySet[Invoice]:
    return Invoice.objects.filter(
        tenant=tenant,
        status__in=OPEN,
        type=Invoice.Type.SALES,
        due_date__lt=timezone.localdate(),
    ).order_by("due_date", "pk")[:limit]


@dataclass
class SyncView:
    job: SyncJob | None
    active: bool
    label: str


def sync_state(*, tenant: Tenant) -> SyncView:
    """The organisation's latest sync, in words: "Syncing invoices: 3,000 of 20,000"."""
    from xeroadmin.books.sync import BY_NAME

    job = SyncJob.objects.filter(tenant=tenant).order_by("-created_at", "-pk").first()
    if job is None:
        return SyncView(None, False, "Not synced yet")
    if job.status == SyncJob.Status.QUEUED:
        return SyncView(job, True, "Sync queued")
    if job.status == SyncJob.Status.RUNNING:
        progress = job.progress.get(job.resource) or {}
        label = BY_NAME[job.resource].label if job.resource in BY_NAME else "books"
        done, total = progress.get("done"), progress.get("total")
        if total:
            return SyncView(job, True, f"Syncing {label}: {done or 0:,} of {total:,}")
        return SyncView(job, True, f"Syncing {label}")
    if job.status == SyncJob.Status.FAILED:
        return SyncView(job, False, f"Last sync failed: {job.error}")
    return SyncView(job, False, "Up to date")


CONTACT_KINDS = {"customers": Q(is_customer=True), "suppliers": Q(is_supplier=True)}


def _contacts(tenant: Tenant, q: str, archived: bool) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(tenant=tenant)
    if not archived:
        contacts = contacts.filter(status="ACTIVE")
    if q.strip():
        term = q.strip()
        contacts = contacts.filter(Q(name__icontains=term) | Q(email__icontains=term))
    return contacts


def contact_list(
    *, tenant: Tenant, q: str = "", kind: str = "", archived: bool = False
) -> QuerySet[Contact]:
    """The organisation's contacts: search by name or e-mail, customers or suppliers."""
    contacts = _contacts(tenant, q, archived)
    if kind in CONTACT_KINDS:
        contacts = contacts.filter(CONTACT_KINDS[kind])
    return contacts.order_by("name", "pk")


def contact_counts(*, tenant: Tenant, q: str = "", archived: bool = False) -> dict[str, int]:
    """How many contacts each of the list's tabs (everyone, customers, suppliers) would show
    with the search and the archived filter as they are: one query."""
    found = _contacts(tenant, q, archived).aggregate(
        everyone=Count("pk"),
        **{kind: Count("pk", filter=test) for kind, test in CONTACT_KINDS.items()},
    )
    return {"": found.pop("everyone"), **found}


def contact_balances(*, contact: Contact) -> dict[str, Decimal]:
    """What the contact owes and is owed: outstanding and overdue, sales and bills."""
    today = timezone.localdate()
    open_invoices = Invoice.objects.filter(contact=contact, status__in=OPEN)
    numbers = open_invoices.order_by().aggregate(
        receivable=Sum("amount_due", filter=Q(type=Invoice.Type.SALES)),
        receivable_overdue=Sum("amount_due", filter=Q(type=Invoice.Type.SALES, due_date__lt=today)),
        payable=Sum("amount_due", filter=Q(type=Invoice.Type.BILL)),
        payable_overdue=Sum("amount_due", filter=Q(type=Invoice.Type.BILL, due_date__lt=today)),
    )
    return {key: value or Decimal("0") for key, value in numbers.items()}


def contact_invoices(*, contact: Contact, limit: int = 20) -> QuerySet[Invoice]:
    """The contact's latest invoices and bills, with only the columns its page shows.

    The column list (`only`) keeps the wide columns (the raw Xero record) out of a page that
    shows 20 rows; no benchmark measures this page yet."""
    return (
        Invoice.objects.filter(contact=contact)
        .order_by("-date", "-pk")
        .only(
            "pk",
            "number",
            "type",
            "date",
            "due_date",
            "status",
            "currency_code",
            "total",
            "amount_due",
            "reference",
            "contact_name",
            "tenant_id",
        )[:limit]
    )


ITEM_KINDS = {"sold": Q(is_sold=True), "purchased": Q(is_purchased=True)}


def _items(tenant: Tenant, q: str) -> QuerySet[Item]:
    items = Item.objects.filter(tenant=tenant)
    if q.strip():
        term = q.strip()
        items = items.filter(Q(code__icontains=term) | Q(name__icontains=term))
    return items


def item_list(*, tenant: Tenant, q: str = "", kind: str = "") -> QuerySet[Item]:
    """The organisation's items by code: search by code or name, sold or purchased ones."""
    items = _items(tenant, q)
    if kind in ITEM_KINDS:
        items = items.filter(ITEM_KINDS[kind])
    return items.order_by("code", "pk")


def item_counts(*, tenant: Tenant, q: str = "") -> dict[str, int]:
    """How many items each of the list's tabs would show with the search as it is."""
    found = _items(tenant, q).aggregate(
        everything=Count("pk"),
        **{kind: Count("pk", filter=test) for kind, test in ITEM_KINDS.items()},
    )
    return {"": found.pop("everything"), **found}


def account_groups(*, tenant: Tenant, labels: dict[str, str]) -> dict[str, list[Account]]:
    """The chart of accounts (deleted ones left out) by type, named by `labels`, in code order."""
    groups: dict[str, list[Account]] = {}
    accounts = Account.objects.filter(tenant=tenant).exclude(status="DELETED")
    for account in accounts.order_by("type", "code"):
        groups.setdefault(labels.get(account.type, account.type), []).append(account)
    return groups


def active_accounts(*, tenant: Tenant) -> list[Account]:
    return list(Account.objects.filter(tenant=tenant, status="ACTIVE"))


def tax_rates(*, tenant: Tenant) -> list[TaxRate]:
    return list(TaxRate.objects.filter(tenant=tenant))


PICKER_SIZE = 20


class PickedContact(NamedTuple):
    xero_id: str
    name: str
    email: str


def contact_options(*, tenant: Tenant, q: str, kind: str = "") -> list[PickedContact]:
    """What the contact picker offers for the text typed: the active contacts whose name
    starts with it, then those whose name or e-mail contains it, customers first on a sales
    invoice and suppliers first on a bill; at most `PICKER_SIZE`.

    Performance (`make bench BENCH=contact_picker`, 10,000 contacts): a few letters usually
    start enough names to fill the list, and those come from the (tenant, lower(name)) index
    alone; otherwise one pass over the tenant's active contacts finds both kinds at once.
    """
    term = " ".join(q.split()).lower()
    active = Contact.objects.filter(tenant=tenant, status="ACTIVE")
    fields = ("xero_id", "name", "email", "is_customer", "is_supplier")
    if term:
        starting = _name_starts(active, term).order_by("key", "pk")
        rows = list(starting.values_list(*fields)[:PICKER_SIZE])
        if len(rows) < PICKER_SIZE:
            found = active.filter(Q(name__icontains=term) | Q(email__icontains=term))
            found = found.annotate(key=Lower("name"))
            starts = Case(When(key__startswith=term, then=0), default=1)
            ordered = found.annotate(starts=starts).order_by("starts", "key", "pk")
            rows = list(ordered.values_list(*fields)[:PICKER_SIZE])
    else:
        by_name = active.annotate(key=Lower("name")).order_by("key", "pk")
        rows = list(by_name.values_list(*fields)[:PICKER_SIZE])
    if kind:
        # Stable: within each group the names keep their order.
        rows.sort(key=lambda row: not row[4 if kind == Invoice.Type.BILL else 3])
    return [PickedContact(*row[:3]) for row in rows]


def _name_starts(contacts: QuerySet[Contact], term: str) -> QuerySet[Contact]:
    """Contacts whose name starts with `term` (lower case), with `key`, the lower-case name."""
    named = contacts.annotate(key=Lower("name"))
    if connection.vendor == "sqlite":
        # A range on the lower-case index; LIKE would not use it there.
        return named.filter(key__gte=term, key__lt=term + chr(0x10FFFF))
    return named.filter(key__startswith=term)


def contacts_named(*, tenant: Tenant, xero_id: str, name: str) -> list[tuple[str, str]]:
    """The active contact with that id, or else those with exactly that name (any case), as
    (id, name): how the invoice editor checks the picker's choice or a name typed in full."""
    active = Contact.objects.filter(tenant=tenant, status="ACTIVE")
    if xero_id:
        found = list(active.filter(xero_id=xero_id).values_list("xero_id", "name"))
        if found:
            return found
    if not name.strip():
        return []
    named = active.annotate(key=Lower("name")).filter(key=" ".join(name.split()).lower())
    return list(named.values_list("xero_id", "name")[:2])


def currencies(*, tenant: Tenant) -> list[Currency]:
    return list(Currency.objects.filter(tenant=tenant))


def _payments(tenant: Tenant, filters: dict[str, Any]) -> QuerySet[Payment]:
    payments = Payment.objects.filter(tenant=tenant)
    if "date_from" in filters:
        payments = payments.filter(date__gte=filters["date_from"])
    if "date_to" in filters:
        payments = payments.filter(date__lte=filters["date_to"])
    return payments


def payment_list(*, tenant: Tenant, filters: dict[str, Any]) -> QuerySet[Payment]:
    """The organisation's payments, newest first, by status and date range."""
    payments = _payments(tenant, filters).select_related("invoice")
    if "status" in filters:
        payments = payments.filter(status=filters["status"])
    return payments.order_by("-date", "-pk")


def payment_counts(*, tenant: Tenant, filters: dict[str, Any]) -> dict[str, int]:
    """How many payments each status tab would show with the dates as they are."""
    counts = dict(
        _payments(tenant, filters).order_by().values_list("status").annotate(n=Count("pk"))
    )
    return {"": sum(counts.values()), **counts}


@dataclass
class Names:
    """What a page shows for the codes it holds: accounts and tax rates by name, the code
    secondary ("200 · Sales", "GST on Income 15%"), as Xero shows them."""

    accounts: dict[str, str]
    tax_rates: dict[str, str]

    def account(self, code: str | None) -> str:
        return self.accounts.get(code or "", code or "")

    def tax_rate(self, tax_type: str | None) -> str:
        return self.tax_rates.get(tax_type or "", tax_type or "")


def names(*, tenant: Tenant) -> Names:
    accounts = Account.objects.filter(tenant=tenant).exclude(code="")
    return Names(
        accounts={a.code: str(a) for a in accounts.only("code", "name")},
        tax_rates={t.tax_type: str(t) for t in TaxRate.objects.filter(tenant=tenant)},
    )


def tracking_options(tenant: Tenant) -> list[tuple[str, str]]:
    """(option id, "Category: Option") of the organisation's tracking, for list filters."""
    options = TrackingOption.objects.filter(category__tenant=tenant).select_related("category")
    return [(o.xero_id, f"{o.category.name}: {o.name}") for o in options]
