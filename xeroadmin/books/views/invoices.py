"""Invoices and bills: the list, one invoice with its guarded actions, its PDF and online page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xeroadmin.books import selectors, services
from xeroadmin.books.document_forms import ShareForm, credit_form_for
from xeroadmin.books.forms import STATUS_TABS, InvoiceFilterForm, PaymentForm, seen_at
from xeroadmin.books.models import Invoice
from xeroadmin.books.selectors import tracking_options
from xeroadmin.books.views.records import attachments_context, history_context
from xeroadmin.books.views.shared import (
    Books,
    Refusal,
    act,
    books_for,
    list_response,
    paged,
    say_waits,
)
from xeroadmin.books.words import status_word
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.lists import list_tabs
from xeroadmin.tenancy.access import WorkspaceRequest

ACTIONS = (("approve", "Approve"), ("void", "Void"), ("delete", "Delete draft"))
# What a bulk job can do to the invoices ticked in the list (notes need their text: the bulk
# jobs page takes them).
BULK_ACTIONS = (
    ("approve", "Approve"),
    ("email", "E-mail"),
    ("void", "Void"),
    ("delete", "Delete drafts"),
)


@login_required
@require_GET
def invoice_list(
    request: WorkspaceRequest, ws: int, tenant_pk: int, bills: bool = False
) -> HttpResponse:
    """Invoices and bills, or (the Bills tab) bills alone, so that nobody has to know that a
    bill is an ACCPAY invoice."""
    books = books_for(request, ws, tenant_pk)
    asked = request.GET.copy()
    if bills:
        asked["type"] = Invoice.Type.BILL
    form = InvoiceFilterForm(asked, tracking=tracking_options(books.tenant))
    filters = form.filters()
    counts = selectors.status_counts(tenant=books.tenant, filters=filters)
    rows = selectors.invoice_list(tenant=books.tenant, filters=filters)
    page, _ = paged(request, rows, count=counts.get(filters.status, 0))
    # The list's filters as applied (the Bills tab's type included): what the pager keeps and
    # what "Preview all N" chooses by.
    applied = asked.copy()
    applied.pop("page", None)
    query = applied.urlencode()
    sort_query, unaged = request.GET.copy(), request.GET.copy()
    for params, names in ((sort_query, ("page", "sort")), (unaged, ("page", "age", "as_of"))):
        for name in names:
            params.pop(name, None)
    context = books.page(
        form=form,
        filters=filters,
        date_fields=form.date_fields(filters),
        page=page,
        totals=selectors.page_totals(list(page.object_list)),
        query=query,
        sort_query=sort_query.urlencode(),
        age_label=selectors.AGE_FILTERS.get(filters.age, ""),
        unaged_query=unaged.urlencode(),
        sorts=selectors.SORTS,
        can_pick=books.can_write,
        bulk_actions=BULK_ACTIONS,
        bills=bills,
        new_url=books.url("bill-create" if bills else "invoice-create"),
        **list_tabs(request, "status", STATUS_TABS, counts, form_id="invoice-filters"),
    )
    return list_response(request, "books/invoice_list.html", "invoice-table", context)


def invoice_of(tenant: Tenant, invoice_pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("contact").prefetch_related(
            "lines", "payments", "allocations__source"
        ),
        pk=invoice_pk,
        tenant=tenant,
    )


@login_required
@require_GET
def invoice_detail(
    request: WorkspaceRequest, ws: int, tenant_pk: int, invoice_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    return invoice_page(books, invoice_of(books.tenant, invoice_pk))


def invoice_page(
    books: Books,
    invoice: Invoice,
    *,
    payment_form: PaymentForm | None = None,
    credit_form: ShareForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """One invoice: its lines, payments, credit applied, actions, history and attachments."""

    guards = {action: services.invoice_guard(invoice, action) for action, _ in ACTIONS}
    context = (
        books.page()
        | history_context(books, "invoices", invoice)
        | attachments_context(books, "invoices", invoice)
        | {
            "invoice": invoice,
            # Only what applies: one primary action, the rest in a menu (no disabled buttons).
            "available": {
                "approve": guards["approve"] is None,
                "edit": invoice.status in services.EDITABLE,
            },
            "destructive": _destructive(invoice, guards),
            "void_note": _void_note(invoice, guards),
            "email_reason": _email_reason(invoice),
            "names": selectors.names(tenant=books.tenant),
            "can_write": books.can_write,
            "payment_form": payment_form or payment_form_for(books.tenant, invoice),
            "credit_form": credit_form or credit_form_for(books.tenant, invoice),
        }
    )
    return render(books.request, "books/invoice_detail.html", context, status=status)


def _destructive(invoice: Invoice, guards: dict[str, str | None]) -> list[tuple[str, str, str]]:
    """(action, label, what the confirmation says will happen in Xero) for those that apply."""
    number = invoice.number or "this draft"
    questions = {
        "void": (
            "Void",
            f"Void {number} in Xero? Xero keeps it, marked voided, and it no longer counts as "
            "owed. A voided invoice cannot be approved again.",
        ),
        "delete": (
            "Delete draft",
            f"Delete {number} in Xero? Xero removes the draft from its lists; this cannot be "
            "undone.",
        ),
    }
    return [(a, *questions[a]) for a in ("void", "delete") if guards[a] is None]


def _void_note(invoice: Invoice, guards: dict[str, str | None]) -> str:
    """Why an approved invoice cannot be voided, when the reason is one the user can act on."""
    if invoice.status == "AUTHORISED" and guards["void"]:
        return "To void it, reverse its payments first."
    return ""


def _email_reason(invoice: Invoice) -> str:
    if invoice.type != Invoice.Type.SALES:
        return "Bills are not e-mailed."
    if invoice.status not in ("SUBMITTED", "AUTHORISED", "PAID"):
        return "Approve it before e-mailing it."
    return ""


def payment_form_for(tenant: Tenant, invoice: Invoice, data: object = None) -> PaymentForm | None:
    """The form that records a payment, when the invoice is awaiting one."""
    if invoice.status != "AUTHORISED" or invoice.amount_due <= 0:
        return None
    accounts = services.payment_accounts(tenant=tenant)
    initial = {"paid_on": timezone.localdate(), "amount": invoice.amount_due}
    return PaymentForm(data, initial=initial, accounts=accounts, due=invoice.amount_due)


@login_required
@require_POST
def invoice_action(
    request: WorkspaceRequest, ws: int, tenant_pk: int, invoice_pk: int
) -> HttpResponse:
    """Approve, void, delete a draft, or e-mail: each guarded, each said in the messages."""
    books = books_for(request, ws, tenant_pk, switcher=False)
    invoice = invoice_of(books.tenant, invoice_pk)
    action = request.POST.get("action", "")
    if action == "email":
        written = act(
            request,
            lambda: services.invoice_email(tenant=books.tenant, invoice=invoice, actor=books.actor),
            doing="e-mail it",
        )
    else:
        written = act(
            request,
            lambda: services.invoice_action(
                tenant=books.tenant,
                invoice=invoice,
                action=action,
                actor=books.actor,
                seen=seen_at(request.POST.get("seen")),
            ),
        )
    if not isinstance(written, Refusal):
        say_waits(request, written)
        number = written.record.number or "(draft)"
        if action == "email":
            messages.success(request, f"Xero is e-mailing invoice {number}.")
        else:
            word = status_word(written.record.status).lower()
            messages.success(request, f"Invoice {number} is now {word}.")
    return books.redirect("invoice-detail", invoice.pk)


@login_required
@require_GET
def invoice_file(
    request: WorkspaceRequest, ws: int, tenant_pk: int, invoice_pk: int, kind: str
) -> HttpResponse:
    """The invoice's PDF, or its online invoice page."""
    if kind not in ("pdf", "online"):
        raise Http404("No such document.")
    books = books_for(request, ws, tenant_pk, switcher=False)
    invoice = invoice_of(books.tenant, invoice_pk)
    if kind == "pdf":
        data = act(
            request,
            lambda: services.invoice_pdf(tenant=books.tenant, invoice=invoice),
            doing="send it",
        )
        if isinstance(data, Refusal):
            return books.redirect("invoice-detail", invoice.pk)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.number or "invoice"}.pdf"'
        return response
    url = act(
        request,
        lambda: services.invoice_online_url(tenant=books.tenant, invoice=invoice),
        doing="send it",
    )
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return redirect(url)
    if not isinstance(url, Refusal):
        messages.error(request, "Xero gave no online invoice link.")
    return books.redirect("invoice-detail", invoice.pk)
