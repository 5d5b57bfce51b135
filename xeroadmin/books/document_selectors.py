"""Reads of the other record kinds (credit notes, quotes, bank transactions, manual journals,
prepayments, overpayments), each scoped by organisation, with a constant number of queries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from xeroadmin.books.kinds import Kind
from xeroadmin.books.mirror import invoices_version
from xeroadmin.books.models import Document, DocumentLine, Invoice
from xeroadmin.connections.models import Tenant

SORTS = {
    "date": ("date", "pk"),
    "-date": ("-date", "-pk"),
    "number": ("number", "pk"),
    "-number": ("-number", "-pk"),
    "total": ("total", "pk"),
    "-total": ("-total", "-pk"),
    "contact": ("contact_name", "pk"),
    "-contact": ("-contact_name", "-pk"),
}
# Credit is applied to invoices of its own side: a customer's to sales, a supplier's to bills.
RECEIVABLE_CREDIT = ("ACCRECCREDIT", "RECEIVE-PREPAYMENT", "RECEIVE-OVERPAYMENT")
PAYABLE_CREDIT = ("ACCPAYCREDIT", "SPEND-PREPAYMENT", "SPEND-OVERPAYMENT")
CREDIT_KINDS = (Document.Kind.CREDIT_NOTE, Document.Kind.PREPAYMENT, Document.Kind.OVERPAYMENT)


@dataclass
class DocumentFilters:
    status: str = ""
    type: str = ""
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    tracking: str = ""  # a tracking option's Xero id: documents with a line tracked to it
    sort: str = "-date"


def _filtered(tenant: Tenant, kind: Kind, filters: DocumentFilters) -> QuerySet[Document]:
    rows = Document.objects.filter(tenant=tenant, kind=kind.key)
    if filters.type:
        rows = rows.filter(type=filters.type)
    if filters.date_from:
        rows = rows.filter(date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(date__lte=filters.date_to)
    if filters.q:
        text = filters.q.strip()
        rows = rows.filter(
            Q(number__icontains=text)
            | Q(reference__icontains=text)
            | Q(contact_name__icontains=text)
        )
    if filters.tracking:
        # A line keeps its tracking as Xero's JSON, option ids included: two entries at most.
        lines = DocumentLine.objects.filter(
            document__tenant=tenant,
            document__kind=kind.key,
            tracking__icontains=filters.tracking.lower(),
        )
        rows = rows.filter(pk__in=lines.values("document_id"))
    return rows


def document_list(*, tenant: Tenant, kind: Kind, filters: DocumentFilters) -> QuerySet[Document]:
    """One kind's documents, filtered and sorted (a page of it is what a list shows)."""
    rows = _filtered(tenant, kind, filters)
    if filters.status:
        rows = rows.filter(status=filters.status)
    # A list shows none of Xero's record as kept whole (`raw`): not read.
    return rows.defer("raw").order_by(*SORTS.get(filters.sort, SORTS["-date"]))


def document_counts(*, tenant: Tenant, kind: Kind, filters: DocumentFilters) -> dict[str, int]:
    """How many documents each status tab would show with the other filters kept ("" is all).

    Performance: a grouped count of 100,000 bank transactions took twenty times a trivial
    page, so the counts are kept in the cache under the organisation's books version (it goes
    up with every write to its mirror, `mirror.invoices_changed`) and the other filters, as the
    invoice list's are (`make bench BENCH=document_list`).
    """
    others = replace(filters, status="", sort="")
    signature = hashlib.sha256(repr(others).encode()).hexdigest()[:24]
    key = f"books:document-counts:{tenant.pk}:{kind.key}:{invoices_version(tenant)}:{signature}"
    found = cache.get(key)
    if found is None:
        found = dict(
            _filtered(tenant, kind, others)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        cache.set(key, found, timeout=3600)
    return {"": sum(found.values()), **found}


def document_totals(rows: list[Document]) -> dict[str, Decimal]:
    """What a page of documents adds up to, by currency."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.currency_code] = totals.get(row.currency_code, Decimal(0)) + row.total
    return totals


def document_get(*, tenant: Tenant, kind: Kind, pk: int) -> Document:
    """One document with its lines and allocations (404 unless it is this kind, here)."""
    return get_object_or_404(
        Document.objects.select_related("contact").prefetch_related(
            "lines", "allocations__invoice"
        ),
        pk=pk,
        tenant=tenant,
        kind=kind.key,
    )


def credit_side(document: Document) -> str:
    """The invoice type a credit applies to: ACCREC for a customer's, ACCPAY for a supplier's."""
    return Invoice.Type.SALES if document.type in RECEIVABLE_CREDIT else Invoice.Type.BILL


def invoices_to_credit(*, tenant: Tenant, document: Document) -> QuerySet[Invoice]:
    """The invoices a credit can be allocated to: the same contact's, of its side and currency,
    approved and owing."""
    return Invoice.objects.filter(
        tenant=tenant,
        contact_xero_id=document.contact_xero_id,
        type=credit_side(document),
        currency_code=document.currency_code,
        status="AUTHORISED",
        amount_due__gt=0,
    ).order_by("due_date", "date", "pk")


def credits_for(*, tenant: Tenant, invoice: Invoice) -> QuerySet[Document]:
    """The credit that can be allocated to an invoice: credit notes, prepayments and
    overpayments of its contact, side and currency with some left."""
    sides = RECEIVABLE_CREDIT if invoice.type == Invoice.Type.SALES else PAYABLE_CREDIT
    return Document.objects.filter(
        tenant=tenant,
        kind__in=CREDIT_KINDS,
        contact_xero_id=invoice.contact_xero_id,
        type__in=sides,
        currency_code=invoice.currency_code,
        status="AUTHORISED",
        remaining__gt=0,
    ).order_by("date", "pk")


def credit_left(*, tenant: Tenant, types: tuple[str, ...]) -> dict[str, Decimal]:
    """Unallocated credit of these types (a customer's or a supplier's) by contact Xero id."""
    rows = (
        Document.objects.filter(
            tenant=tenant, kind__in=CREDIT_KINDS, status="AUTHORISED", type__in=types
        )
        .values("contact_xero_id")
        .annotate(left=Sum("remaining"))
    )
    return {row["contact_xero_id"]: row["left"] or Decimal(0) for row in rows}
