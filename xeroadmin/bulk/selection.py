"""Choosing the records a bulk job acts on, and the guards that say which of them it may.

Records are chosen by ticking rows (invoices, contacts, or needs-attention findings), by an
organisation's invoice list filter, or by a filter across organisations. Whatever the source,
only the organisations the member may see are searched, and a job takes at most MAX_ROWS.
The guards are the single actions' own, read from the mirror; they run at the preview and
again just before each batch is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from xeroadmin.books import selectors
from xeroadmin.books.access import organisation_list
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.books.services import email_guard, invoice_guard
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.money import money
from xeroadmin.portfolio.findings import queue
from xeroadmin.portfolio.models import RECORD_OF
from xeroadmin.tenancy.models import Membership

MAX_ROWS = 5000
INVOICE_ACTIONS = ("approve", "void", "delete", "email", "note")
CONTACT_ACTIONS = ("archive",)


@dataclass(frozen=True)
class Chosen:
    """One record a job would act on, as the mirror has it."""

    tenant_id: int
    record_pk: int
    xero_id: str
    label: str
    amount: Decimal | None
    currency: str
    seen: datetime | None
    refusal: str | None


class TooMany(Exception):
    pass


def _invoices(membership: Membership) -> QuerySet[Invoice]:
    return Invoice.objects.filter(tenant__in=organisation_list(membership).values("pk"))


def _contacts(membership: Membership) -> QuerySet[Contact]:
    return Contact.objects.filter(tenant__in=organisation_list(membership).values("pk"))


def by_ticks(membership: Membership, kind: str, pks: list[int]) -> QuerySet[Any]:
    """The ticked invoices or contacts, of organisations the member may see."""
    return (_contacts if kind == "contact" else _invoices)(membership).filter(pk__in=pks)


def by_findings(membership: Membership, kind: str, finding_ids: list[int]) -> QuerySet[Any]:
    """The invoices or contacts the ticked findings are about."""
    wanted = [k for k, record in RECORD_OF.items() if record == kind]
    pairs = (
        queue(membership)
        .filter(pk__in=finding_ids, kind__in=wanted)
        .values_list("tenant_id", "subject")
    )
    records: QuerySet[Any] = (_contacts if kind == "contact" else _invoices)(membership)
    wanted_records = Q(pk__in=[])
    for tenant_id, subject in pairs:
        wanted_records |= Q(tenant_id=tenant_id, xero_id=subject)
    return records.filter(wanted_records)


def by_list_filter(tenant: Tenant, filters: selectors.InvoiceFilters) -> QuerySet[Invoice]:
    """Every invoice an organisation's list shows with these filters (all pages)."""
    return selectors.invoices_matching(tenant=tenant, filters=filters)


@dataclass(frozen=True)
class Across:
    """A filter over every organisation the member may see (the bulk page's)."""

    status: str = ""
    type: str = ""
    client: int | None = None
    tenant: int | None = None
    older_than: int | None = None  # dated more than this many days ago
    overdue_by: int | None = None  # due more than this many days ago, still owing
    min_amount: Decimal | None = None

    def words(self) -> str:
        """The filter in words, for the job's title."""
        parts = [
            {
                "DRAFT": "Drafts",
                "SUBMITTED": "Awaiting approval",
                "AUTHORISED": "Awaiting payment",
            }.get(self.status, "Invoices")
        ]
        if self.type:
            parts.append("(bills)" if self.type == Invoice.Type.BILL else "(sales)")
        if self.older_than is not None:
            parts.append(f"dated over {self.older_than} days ago")
        if self.overdue_by is not None:
            parts.append(f"overdue by over {self.overdue_by} days")
        if self.min_amount is not None:
            parts.append(f"of {self.min_amount:,} or more")
        return " ".join(parts)


def by_filter(membership: Membership, across: Across) -> QuerySet[Invoice]:
    invoices = _invoices(membership)
    today = timezone.localdate()
    if across.status:
        invoices = invoices.filter(status=across.status)
    if across.type:
        invoices = invoices.filter(type=across.type)
    if across.client is not None:
        invoices = invoices.filter(tenant__client_id=across.client)
    if across.tenant is not None:
        invoices = invoices.filter(tenant_id=across.tenant)
    if across.older_than is not None:
        invoices = invoices.filter(date__lt=today - timedelta(days=across.older_than))
    if across.overdue_by is not None:
        invoices = invoices.filter(
            status="AUTHORISED",
            amount_due__gt=0,
            due_date__lt=today - timedelta(days=across.overdue_by),
        )
    if across.min_amount is not None:
        invoices = invoices.filter(total__gte=across.min_amount)
    return invoices


def chosen(records: QuerySet[Any], action: str) -> list[Chosen]:
    """The records as a job's rows, each with the reason it would be refused (or None)."""
    if records.model is Contact:
        rows = records.order_by("tenant_id", "name", "pk").values_list(
            "tenant_id", "pk", "xero_id", "name", "status", "updated_utc"
        )[: MAX_ROWS + 1]
        found = [
            Chosen(t, pk, xero_id, name, None, "", seen, contact_refusal(action, status))
            for t, pk, xero_id, name, status, seen in rows
        ]
    else:
        invoices = records.order_by("tenant_id", "date", "pk").only(*INVOICE_FIELDS)
        found = [
            Chosen(
                i.tenant_id,
                i.pk,
                i.xero_id,
                invoice_label(i),
                i.total,
                i.currency_code,
                i.updated_utc,
                invoice_refusal(action, i),
            )
            for i in invoices[: MAX_ROWS + 1]
        ]
    if len(found) > MAX_ROWS:
        raise TooMany(
            f"A job takes at most {MAX_ROWS:,} records; narrow the choice (by client, say)."
        )
    return found


INVOICE_FIELDS = (
    "tenant_id",
    "xero_id",
    "type",
    "number",
    "contact_name",
    "status",
    "total",
    "amount_paid",
    "currency_code",
    "updated_utc",
)


def invoice_label(invoice: Invoice) -> str:
    what = "Bill" if invoice.type == Invoice.Type.BILL else "Invoice"
    number = invoice.number or "(draft)"
    return (
        f"{what} {number} · {invoice.contact_name} · {money(invoice.total, invoice.currency_code)}"
    )


def invoice_refusal(action: str, invoice: Invoice) -> str | None:
    """Why the single action would be refused on this invoice, or None."""
    if action in ("approve", "void", "delete"):
        return invoice_guard(invoice, action)
    if action == "email":
        return email_guard(invoice)
    if action == "note":
        return None
    return "This action is for contacts, not invoices."


def contact_refusal(action: str, status: str) -> str | None:
    if action != "archive":
        return "This action is for invoices, not contacts."
    if status != "ACTIVE":
        return f"Only an active contact can be archived; this one is {status.lower()}."
    return None


def changed_since(seen: datetime | None, now_seen: datetime | None) -> str | None:
    """The refusal for a record changed in Xero after it was chosen, or None."""
    if seen is None or now_seen is None or now_seen <= seen:
        return None
    return (
        f"Changed in Xero at {now_seen:%d %b %Y %H:%M} UTC, after it was chosen; "
        "choose it again to include it."
    )
