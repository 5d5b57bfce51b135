"""The editor of credit notes and quotes: the invoice editor's lines (items, accounts, tax,
tracking, live totals) under a head of their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from xeroadmin.books import document_selectors, drafts, entry_services, selectors
from xeroadmin.books.entry_forms import DocumentHeaderForm
from xeroadmin.books.kinds import BY_KEY
from xeroadmin.books.models import Document
from xeroadmin.books.views.entries import editor_data, send
from xeroadmin.books.views.invoice_editor import saved_lines
from xeroadmin.books.views.shared import Books, Refusal, books_for, status
from xeroadmin.tenancy.access import WorkspaceRequest
from xeroadmin.tenancy.models import Role


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str) -> HttpResponse:
    return _editor(books_for(request, ws, tenant_pk, read_role=Role.FINANCE), kind, None)


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, document_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    document = document_selectors.document_get(
        tenant=books.tenant, kind=BY_KEY[kind], pk=document_pk
    )
    return _editor(books, kind, document)


def _editor(books: Books, key: str, document: Document | None) -> HttpResponse:
    if key not in entry_services.EDITABLE:
        raise Http404("Not edited here.")
    spec = BY_KEY[key]
    request, tenant = books.request, books.tenant
    if not tenant.is_connected:
        messages.error(request, f"{tenant.name} is not connected, so its books are read-only.")
        return books.redirect(spec.page("list"))
    if document is not None and document.status not in entry_services.EDITABLE[key]:
        word = document.status.lower()
        messages.error(request, f"A {word} {spec.singular.lower()} cannot be edited.")
        return books.redirect(spec.page("detail"), document.pk)
    data = request.POST if request.method == "POST" else None
    header = DocumentHeaderForm(
        data,
        quote=key == "quote",
        initial=_initial(tenant.base_currency, document),
        contacts=lambda xero_id, name: selectors.contacts_named(
            tenant=tenant, xero_id=xero_id, name=name
        ),
        currencies=selectors.currencies(tenant=tenant),
        options_url=books.url("contact-options"),
    )
    line_kind = str(
        (data.get("type") if data is not None else None) or header.initial.get("type") or "ACCREC"
    )
    lines = drafts.line_forms(tenant, data, saved_lines(document), kind=line_kind)
    written = None
    if data is not None:
        written = send(header, lines, lambda: entry_services.document_save(
            tenant=tenant,
            kind_key=key,
            document=document,
            actor=books.actor,
            header=header.cleaned_data,
            lines=[line.cleaned_data for line in lines],
            seen=header.cleaned_data.get("seen"),
        ))  # fmt: skip
    if written is not None and not isinstance(written, Refusal):
        messages.success(request, "Draft saved in Xero.")
        return books.redirect(spec.page("detail"), written.record.pk)
    noun = spec.singular.lower()
    list_url = books.url(spec.page("list"))
    amounts = str(
        (data.get("line_amount_types") if data is not None else None)
        or header.initial.get("line_amount_types")
        or "Exclusive"
    )
    context = books.page(
        editor={
            "title": f"Edit {document}" if document else f"New {noun}",
            "list_label": spec.plural,
            "list_url": list_url,
            "here": str(document) if document else f"New {noun}",
            "heading": f"Edit {noun} {document.number}" if document else f"New draft {noun}",
            "submit": "Save draft in Xero",
            "cancel_url": books.url(spec.page("detail"), document.pk) if document else list_url,
        },
        header=header,
        lines=lines,
        next_index=max([int(str(line.prefix)[5:]) for line in lines] + [-1]) + 1,
        max_lines=drafts.MAX_LINES,
        totals=drafts.totals(tenant, editor_data(request, lines), amounts),
    )
    return render(request, "books/invoice_editor.html", context, status=status(written))


def _initial(currency: str, document: Document | None) -> dict[str, Any]:
    if document is None:
        today = timezone.localdate()
        return {
            "type": "ACCRECCREDIT",
            "date": today,
            "due_date": today + timedelta(days=30),
            "currency_code": currency,
            "line_amount_types": "Exclusive",
        }
    # A quote keeps its title in Xero's record (the reference column holds it when it has no
    # reference of its own).
    title = (document.raw or {}).get("Title") or ""
    amounts = {"EXCLUSIVE": "Exclusive", "INCLUSIVE": "Inclusive", "NOTAX": "NoTax"}
    return {
        "type": document.type,
        "contact": document.contact_xero_id,
        "contact_name": document.contact_name,
        "date": document.date,
        "due_date": document.due_date,
        "title": title,
        "reference": "" if title and document.reference == title else document.reference,
        "currency_code": document.currency_code or currency,
        "line_amount_types": amounts.get(document.line_amount_types.upper(), "Exclusive"),
        "seen": document.updated_utc.isoformat() if document.updated_utc else "",
    }
