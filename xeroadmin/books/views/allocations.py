"""Allocating credit to invoices, from the credit's page (a credit note, prepayment or
overpayment against some of its contact's invoices) or from the invoice's (some of each of
the contact's credits), and taking an allocation back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from xeroadmin.books import document_selectors as selectors
from xeroadmin.books import document_services as services
from xeroadmin.books.document_forms import credit_form_for, share_form_for
from xeroadmin.books.kinds import BY_KEY
from xeroadmin.books.views.documents import document_page
from xeroadmin.books.views.shared import (
    Refusal,
    act,
    books_for,
    say_waits,
    status,
    submit,
)
from xeroadmin.tenancy.access import WorkspaceRequest


@login_required
@require_POST
def credit_allocate(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, document_pk: int
) -> HttpResponse:
    """Allocate this credit to some of the contact's invoices, an amount against each."""
    books = books_for(request, ws, tenant_pk)
    spec = BY_KEY[kind]
    document = selectors.document_get(tenant=books.tenant, kind=spec, pk=document_pk)
    form = share_form_for(books.tenant, document, request.POST)
    if form is None:
        messages.error(request, services.credit_guard(document) or "No invoice can take it.")
        return books.redirect(spec.page("detail"), document.pk)
    if not form.is_valid():
        return document_page(books, document, share_form=form, code=422)
    written = submit(
        form,
        lambda: services.credit_allocate(
            tenant=books.tenant,
            document=document,
            shares=[services.Share(invoice, amount) for invoice, amount in form.amounts()],  # type: ignore[arg-type]
            actor=books.actor,
            on=form.cleaned_data["date"],
            seen=form.cleaned_data["seen"],
        ),
        doing="allocate it",
    )
    if isinstance(written, Refusal):
        return document_page(books, document, share_form=form, code=status(written))
    say_waits(request, written)
    left = written.record.remaining
    messages.success(
        request,
        f"Allocated. {left:,.2f} is left to allocate." if left else "Allocated in full.",
    )
    return books.redirect(spec.page("detail"), document.pk)


@login_required
@require_POST
def allocation_remove(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, document_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, switcher=False)
    spec = BY_KEY[kind]
    document = selectors.document_get(tenant=books.tenant, kind=spec, pk=document_pk)
    written = act(
        request,
        lambda: services.allocation_remove(
            tenant=books.tenant,
            document=document,
            allocation_xero_id=request.POST.get("allocation", ""),
            actor=books.actor,
        ),
        doing="take it back",
    )
    if not isinstance(written, Refusal):
        messages.success(request, "Allocation removed: the invoice owes it again.")
    return books.redirect(spec.page("detail"), document.pk)


@login_required
@require_POST
def invoice_credit(
    request: WorkspaceRequest, ws: int, tenant_pk: int, invoice_pk: int
) -> HttpResponse:
    """Apply some of the contact's credit notes, prepayments or overpayments to an invoice."""
    from xeroadmin.books.views.invoices import invoice_of, invoice_page

    books = books_for(request, ws, tenant_pk)
    invoice = invoice_of(books.tenant, invoice_pk)
    form = credit_form_for(books.tenant, invoice, request.POST)
    if form is None:
        messages.error(request, "This invoice has no credit that can be applied to it.")
        return books.redirect("invoice-detail", invoice.pk)
    if not form.is_valid():
        return invoice_page(books, invoice, credit_form=form, status=422)
    written = submit(
        form,
        lambda: services.invoice_credit(
            tenant=books.tenant,
            invoice=invoice,
            shares=form.amounts(),  # type: ignore[arg-type]
            actor=books.actor,
            on=form.cleaned_data["date"],
        ),
        doing="apply it",
    )
    if isinstance(written, Refusal):
        return invoice_page(books, invoice, credit_form=form, status=status(written))
    say_waits(request, written)
    due = written.record.amount_due
    messages.success(
        request,
        f"Credit applied. {due:,.2f} is still due."
        if due
        else "Credit applied: nothing is due now.",
    )
    return books.redirect("invoice-detail", invoice.pk)
