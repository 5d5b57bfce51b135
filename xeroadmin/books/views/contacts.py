"""Contacts: the list with search as you type, one contact (edited inline), a new one, and
archiving."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.books import selectors, services
from xeroadmin.books.forms import CONTACT_GROUPS, ContactForm
from xeroadmin.books.models import Contact
from xeroadmin.books.views.records import attachments_context, history_context
from xeroadmin.books.views.shared import (
    Books,
    Refusal,
    act,
    books_for,
    list_response,
    paged,
    status,
    submit,
)
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.lists import list_tabs
from xeroadmin.tenancy.access import WorkspaceRequest
from xeroadmin.tenancy.models import Role

CONTACT_TABS = (("", "Everyone"), ("customers", "Customers"), ("suppliers", "Suppliers"))


def contact_of(tenant: Tenant, contact_pk: int) -> Contact:
    return get_object_or_404(Contact, pk=contact_pk, tenant=tenant)


@login_required
@require_GET
def contact_list(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    q = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")
    archived = request.GET.get("archived") == "on"
    counts = selectors.contact_counts(tenant=books.tenant, q=q, archived=archived)
    contacts = selectors.contact_list(tenant=books.tenant, q=q, kind=kind, archived=archived)
    page, query = paged(request, contacts, count=counts.get(kind if kind in counts else "", 0))
    context = books.page(
        page=page,
        q=q,
        kind=kind,
        archived=archived,
        query=query,
        can_write=books.can_write,
        **list_tabs(request, "kind", CONTACT_TABS, counts, form_id="contact-filters"),
    )
    return list_response(request, "books/contact_list.html", "contact-table", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_detail(
    request: WorkspaceRequest, ws: int, tenant_pk: int, contact_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    contact = contact_of(books.tenant, contact_pk)
    form = ContactForm(request.POST or None, initial=ContactForm.initial_for(contact))
    saved = _save(books, contact, form) if request.method == "POST" and form.is_valid() else None
    if saved is not None and not isinstance(saved, Refusal):
        messages.success(request, "Contact saved in Xero.")
        return books.redirect("contact-detail", contact.pk)
    context = (
        books.page()
        | history_context(books, "contacts", contact)
        | attachments_context(books, "contacts", contact)
        | {
            "contact": contact,
            "form": form,
            "balances": selectors.contact_balances(contact=contact),
            "invoices": selectors.contact_invoices(contact=contact),
            "contact_lines": _contact_lines(contact),
            "can_write": books.can_write,
        }
    )
    return render(request, "books/contact_detail.html", context, status=status(saved))


def _save(books: Books, contact: Contact, form: ContactForm) -> Any:
    return submit(
        form,
        lambda: services.contact_save(
            tenant=books.tenant,
            contact=contact,
            actor=books.actor,
            data=form.details(),
            addresses=form.addresses(),
            phones=form.phones(),
            seen=form.cleaned_data["seen"],
        ),
    )


def _contact_lines(contact: Contact) -> list[tuple[str, str]]:
    """The contact's addresses and phone numbers as (label, one line of text)."""
    initial = ContactForm.initial_for(contact)
    lines = []
    for prefix, legend, parts in CONTACT_GROUPS:
        text = " ".join(initial.get(f"{prefix}_{part}", "") for _, part, _, _ in parts).strip()
        if text:
            lines.append((legend, " ".join(text.split())))
    return lines


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    form = ContactForm(request.POST or None)
    written = None
    if request.method == "POST" and form.is_valid():
        written = submit(
            form,
            lambda: services.contact_save(
                tenant=books.tenant,
                contact=None,
                actor=books.actor,
                data=form.details(),
                addresses=form.addresses(),
                phones=form.phones(),
            ),
        )
        if not isinstance(written, Refusal):
            messages.success(request, "Contact created in Xero.")
            return books.redirect("contact-detail", written.record.pk)
    context = books.page(form=form)
    return render(request, "books/contact_create.html", context, status=status(written))


@login_required
@require_POST
def contact_archive(
    request: WorkspaceRequest, ws: int, tenant_pk: int, contact_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, switcher=False)
    contact = contact_of(books.tenant, contact_pk)
    archive = request.POST.get("archive") != "0"
    done = act(
        request,
        lambda: services.contact_archive(
            tenant=books.tenant, contact=contact, actor=books.actor, archive=archive
        ),
        doing="archive it" if archive else "restore it",
    )
    if not isinstance(done, Refusal):
        messages.success(request, f"{contact.name} is {'archived' if archive else 'active again'}.")
    return books.redirect("contact-detail", contact.pk)
