"""Payments: the list, one payment, and recording or reversing one from its invoice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from xeroadmin.books import selectors, services
from xeroadmin.books.forms import PaymentFilterForm
from xeroadmin.books.models import Payment
from xeroadmin.books.views.invoices import invoice_of, invoice_page, payment_form_for
from xeroadmin.books.views.shared import (
    Refusal,
    act,
    books_for,
    list_response,
    paged,
    say_waits,
    status,
    submit,
)
from xeroadmin.books.words import status_word
from xeroadmin.lib.lists import list_tabs
from xeroadmin.tenancy.access import WorkspaceRequest

PAYMENT_TABS = (("", "All"), ("AUTHORISED", "Applied"), ("DELETED", "Reversed"))


@login_required
@require_GET
def payment_list(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    form = PaymentFilterForm.from_query(request.GET)
    filters = form.filters()
    counts = selectors.payment_counts(tenant=books.tenant, filters=filters)
    payments = selectors.payment_list(tenant=books.tenant, filters=filters)
    page, query = paged(request, payments, count=counts.get(filters.get("status", ""), 0))
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    context = books.page(
        page=page,
        query=query,
        form=form,
        date_fields=[("from", "From", date_from), ("to", "To", date_to)],
        any_dates=bool(date_from or date_to),
        can_write=books.can_write,
        **list_tabs(request, "status", PAYMENT_TABS, counts, form_id="payment-filters"),
    )
    return list_response(request, "books/payment_list.html", "payment-table", context)


@login_required
@require_GET
def payment_detail(
    request: WorkspaceRequest, ws: int, tenant_pk: int, payment_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    payment = get_object_or_404(
        Payment.objects.select_related("invoice"), pk=payment_pk, tenant=books.tenant
    )
    context = books.page(payment=payment, can_write=books.can_write)
    return render(request, "books/payment_detail.html", context)


@login_required
@require_POST
def payment_create(
    request: WorkspaceRequest, ws: int, tenant_pk: int, invoice_pk: int
) -> HttpResponse:
    """Record a payment against the invoice; on refusal, the invoice again with the input."""
    books = books_for(request, ws, tenant_pk)
    invoice = invoice_of(books.tenant, invoice_pk)
    form = payment_form_for(books.tenant, invoice, request.POST)
    if form is None:
        messages.error(request, "This invoice is not awaiting payment.")
        return books.redirect("invoice-detail", invoice.pk)
    written = None
    if form.is_valid():
        data = form.cleaned_data
        written = submit(
            form,
            lambda: services.payment_record(
                tenant=books.tenant,
                invoice=invoice,
                actor=books.actor,
                account_xero_id=data["account"],
                paid_on=data["paid_on"],
                amount=data["amount"],
                reference=data["reference"],
            ),
            doing="record it",
        )
        if not isinstance(written, Refusal):
            say_waits(request, written)
            now = status_word(written.record.status).lower()
            messages.success(request, f"Payment recorded; the invoice is {now}.")
            return books.redirect("invoice-detail", invoice.pk)
    # Back to the page with the user's input and the reasons beside it.
    return invoice_page(books, invoice, payment_form=form, status=status(written))


@login_required
@require_POST
def payment_reverse(
    request: WorkspaceRequest, ws: int, tenant_pk: int, payment_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, switcher=False)
    payment = get_object_or_404(
        Payment.objects.select_related("invoice"), pk=payment_pk, tenant=books.tenant
    )
    written = act(
        request,
        lambda: services.payment_reverse(tenant=books.tenant, payment=payment, actor=books.actor),
        doing="reverse it",
    )
    if not isinstance(written, Refusal):
        now = status_word(written.record.status).lower()
        messages.success(request, f"Payment reversed; the invoice is {now} again.")
    if payment.invoice_id:
        return books.redirect("invoice-detail", payment.invoice_id)
    return books.redirect("invoice-list")
