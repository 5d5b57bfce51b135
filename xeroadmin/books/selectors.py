"""Reads of the mirror, each scoped by organisation, with a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from xeroadmin.books.models import Invoice, SyncJob
from xeroadmin.connections.models import Tenant

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


def invoice_list(*, tenant: Tenant, filters: InvoiceFilters) -> QuerySet[Invoice]:
    """The organisation's invoices, filtered and sorted; every filter uses an index."""
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
    if filters.q:
        term = filters.q.strip()
        invoices = invoices.filter(
            Q(number__icontains=term)
            | Q(reference__icontains=term)
            | Q(contact_name__icontains=term)
        )
    return invoices.order_by(*SORTS.get(filters.sort, SORTS["-date"])).only(
        "pk",
        "xero_id",
        "type",
        "number",
        "reference",
        "contact_name",
        "contact_id",
        "date",
        "due_date",
        "status",
        "currency_code",
        "total",
        "amount_due",
        "tenant_id",
    )


def invoice_totals(invoices: QuerySet[Invoice]) -> dict[str, Any]:
    """Count and sums of what a filtered list holds (all pages, not just the one shown)."""
    totals = invoices.order_by().aggregate(
        count=Count("pk"), total=Sum("total"), due=Sum("amount_due")
    )
    return {
        "count": totals["count"] or 0,
        "total": totals["total"] or Decimal("0"),
        "due": totals["due"] or Decimal("0"),
    }


def organisation_summary(*, tenant: Tenant) -> dict[str, Any]:
    """Sales and bills outstanding and overdue (count and amount, in the base currency)."""
    today = timezone.localdate()
    base = Invoice.objects.filter(tenant=tenant, status__in=OPEN)
    numbers = base.order_by().aggregate(
        sales_count=Count("pk", filter=Q(type=Invoice.Type.SALES)),
        sales_due=Sum("amount_due", filter=Q(type=Invoice.Type.SALES)),
        sales_overdue_count=Count("pk", filter=Q(type=Invoice.Type.SALES, due_date__lt=today)),
        sales_overdue=Sum("amount_due", filter=Q(type=Invoice.Type.SALES, due_date__lt=today)),
        bills_count=Count("pk", filter=Q(type=Invoice.Type.BILL)),
        bills_due=Sum("amount_due", filter=Q(type=Invoice.Type.BILL)),
        bills_overdue_count=Count("pk", filter=Q(type=Invoice.Type.BILL, due_date__lt=today)),
        bills_overdue=Sum("amount_due", filter=Q(type=Invoice.Type.BILL, due_date__lt=today)),
    )
    return {key: value if value is not None else Decimal("0") for key, value in numbers.items()}


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
