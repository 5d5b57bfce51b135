"""Credit notes, quotes, bank transactions, manual journals, prepayments and overpayments: one
list and one detail page for every kind (`books/kinds.py` says what differs), their guarded
status changes, allocating credit to invoices, and invoicing an accepted quote."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from xeroadmin.books import document_selectors as selectors
from xeroadmin.books import document_services as services
from xeroadmin.books.document_forms import DocumentFilterForm, ShareForm, share_form_for
from xeroadmin.books.entry_services import EDITABLE, bank_editable
from xeroadmin.books.forms import seen_at
from xeroadmin.books.kinds import BY_KEY, Kind
from xeroadmin.books.models import Document
from xeroadmin.books.selectors import tracking_options as selectors_tracking
from xeroadmin.books.views.records import attachments_context, history_context
from xeroadmin.books.views.shared import (
    CREDIT_PAGES,
    Books,
    Refusal,
    act,
    books_for,
    list_response,
    paged,
    say_waits,
)
from xeroadmin.books.words import status_word
from xeroadmin.lib.lists import list_tabs
from xeroadmin.lib.templatetags.display import day
from xeroadmin.tenancy.access import WorkspaceRequest

# The record kinds whose History (and attachments) Xero keeps, by their kind.
HISTORY = {
    "credit_note",
    "quote",
    "bank_transaction",
    "manual_journal",
    "prepayment",
    "overpayment",
}
FILES = {"credit_note", "quote", "bank_transaction", "manual_journal"}


@login_required
@require_GET
def document_list(request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    spec = BY_KEY[kind]
    form = DocumentFilterForm(request.GET, kind=spec, options=selectors_tracking(books.tenant))
    filters = form.filters()
    counts = selectors.document_counts(tenant=books.tenant, kind=spec, filters=filters)
    rows = selectors.document_list(tenant=books.tenant, kind=spec, filters=filters)
    page, query = paged(request, rows, count=counts.get(filters.status, 0))
    sort_query = request.GET.copy()
    for name in ("page", "sort"):
        sort_query.pop(name, None)
    context = books.page(
        kind=spec,
        form=form,
        filters=filters,
        page=page,
        query=query,
        sort_query=sort_query.urlencode(),
        totals=selectors.document_totals(list(page.object_list)),
        any_filters=any(
            (filters.type, filters.q, filters.date_from, filters.date_to, filters.tracking)
        ),
        date_fields=[("from", "From", filters.date_from), ("to", "To", filters.date_to)],
        can_write=books.can_write,
        siblings=[
            (label, books.url(name), name == spec.page("list")) for label, name in CREDIT_PAGES
        ]
        if spec.credit
        else [],
        **list_tabs(request, "status", spec.tabs, counts, form_id="document-filters"),
    )
    return list_response(request, "books/document_list.html", "document-table", context)


@login_required
@require_GET
def document_detail(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, document_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    document = selectors.document_get(tenant=books.tenant, kind=BY_KEY[kind], pk=document_pk)
    return document_page(books, document)


def document_page(
    books: Books, document: Document, *, share_form: ShareForm | None = None, code: int = 200
) -> HttpResponse:
    """One document: its lines, allocations, actions, history and attachments."""
    spec = BY_KEY[document.kind]
    slug = spec.slug
    context = books.page(
        kind=spec,
        document=document,
        # What the breadcrumb calls it: its number, or its date (bank transactions have none).
        crumb=document.number or day(document.date),
        actions=services.actions_for(document) if books.can_write else [],
        questions=_questions(document),
        share_form=share_form or share_form_for(books.tenant, document),
        editable=document.status in EDITABLE.get(document.kind, ())
        or (document.kind == Document.Kind.BANK_TRANSACTION and bank_editable(document)),
        can_write=books.can_write,
    )
    if document.kind in HISTORY:
        context |= history_context(books, slug, document)
    if document.kind in FILES:
        context |= attachments_context(books, slug, document)
    return render(books.request, "books/document_detail.html", context, status=code)


def _questions(document: Document) -> dict[str, str]:
    """What the confirmation of each destructive action says will happen in Xero."""
    name = str(document)
    return {
        "void": f"Void {name} in Xero? Xero keeps it, marked voided; it cannot be undone.",
        "delete": f"Delete {name} in Xero? This cannot be undone.",
        "decline": f"Mark {name} declined?",
    }


@login_required
@require_POST
def document_action(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, document_pk: int
) -> HttpResponse:
    """Approve, send, accept, decline, post, void or delete: each guarded, each said."""
    books = books_for(request, ws, tenant_pk, switcher=False)
    spec = BY_KEY[kind]
    document = selectors.document_get(tenant=books.tenant, kind=spec, pk=document_pk)
    action = request.POST.get("action", "")
    written = act(
        request,
        lambda: services.document_status(
            tenant=books.tenant,
            document=document,
            action=action,
            actor=books.actor,
            seen=seen_at(request.POST.get("seen")),
        ),
    )
    if not isinstance(written, Refusal):
        say_waits(request, written)
        word = status_word(written.record.status, written.record.kind).lower()
        messages.success(request, f"{_name(spec, written.record)} is now {word}.")
    return books.redirect(spec.page("detail"), document.pk)


def _name(spec: Kind, document: Document) -> str:
    return f"{spec.singular} {document.number}".strip()


@login_required
@require_POST
def quote_invoice(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, document_pk: int
) -> HttpResponse:
    """Make a draft invoice of an accepted quote's lines, and mark the quote invoiced."""
    books = books_for(request, ws, tenant_pk, switcher=False)
    spec = BY_KEY[kind]
    quote = selectors.document_get(tenant=books.tenant, kind=spec, pk=document_pk)
    written = act(
        request,
        lambda: services.quote_invoice(tenant=books.tenant, quote=quote, actor=books.actor),
        doing="invoice it",
    )
    if isinstance(written, Refusal):
        return books.redirect("quote-detail", quote.pk)
    say_waits(request, written)
    messages.success(
        request, f"Quote {quote.number} is invoiced: here is the draft, ready to check and approve."
    )
    return books.redirect("invoice-detail", written.record.pk)
