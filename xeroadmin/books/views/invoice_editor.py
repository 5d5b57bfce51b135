"""The draft editor: a new invoice or bill, or a draft edited, with its lines and totals
recomputed as the user types."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.books import drafts, selectors, services
from xeroadmin.books.forms import InvoiceHeaderForm, InvoiceLineForm
from xeroadmin.books.models import Invoice, TrackingCategory
from xeroadmin.books.views.invoices import invoice_of
from xeroadmin.books.views.shared import Books, Refusal, books_for, status, submit
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.access import WorkspaceRequest
from xeroadmin.tenancy.models import Role


@login_required
@require_http_methods(["GET", "POST"])
def invoice_create(
    request: WorkspaceRequest, ws: int, tenant_pk: int, bills: bool = False
) -> HttpResponse:
    """A new sales invoice, or (from the Bills tab) a new bill: a supplier, purchase accounts."""
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    return _editor(books, None, kind=Invoice.Type.BILL if bills else Invoice.Type.SALES)


@login_required
@require_http_methods(["GET", "POST"])
def invoice_edit(
    request: WorkspaceRequest, ws: int, tenant_pk: int, invoice_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    return _editor(books, invoice_of(books.tenant, invoice_pk))


def _editor(books: Books, invoice: Invoice | None, kind: str = Invoice.Type.SALES) -> HttpResponse:
    request, tenant = books.request, books.tenant
    if not tenant.is_connected:
        messages.error(request, f"{tenant.name} is not connected, so its books are read-only.")
        return books.redirect("invoice-list")
    if invoice is not None and invoice.status not in services.EDITABLE:
        messages.error(request, f"A {invoice.status.lower()} invoice cannot be edited.")
        return books.redirect("invoice-detail", invoice.pk)
    data = request.POST if request.method == "POST" else None
    header = InvoiceHeaderForm(
        data,
        initial=_header_initial(tenant, invoice, kind),
        contacts=lambda xero_id, name: selectors.contacts_named(
            tenant=tenant, xero_id=xero_id, name=name
        ),
        currencies=selectors.currencies(tenant=tenant),
        options_url=books.url("contact-options"),
    )
    kind = str(header.initial.get("type") or "")
    lines = drafts.line_forms(tenant, data, saved_lines(invoice), kind=kind)
    written = _save(books, invoice, header, lines) if data is not None else None
    if written is not None and not isinstance(written, Refusal):
        messages.success(request, "Draft saved in Xero.")
        return books.redirect("invoice-detail", written.record.pk)
    posted = data.get("line_amount_types") if data is not None else None
    amounts = str(posted or header.initial.get("line_amount_types") or "Exclusive")
    bill = (invoice.type if invoice else kind) == Invoice.Type.BILL
    noun = "bill" if bill else "invoice"
    list_url = books.url("bill-list" if bill else "invoice-list")
    context = books.page(
        editor={
            "title": f"Edit {invoice.number or 'draft'}" if invoice else f"New {noun}",
            "list_label": "Bills" if bill else "Invoices",
            "list_url": list_url,
            "here": (invoice.number or "Draft") if invoice else f"New {noun}",
            "heading": f"Edit draft {invoice.number}" if invoice else f"New draft {noun}",
            "submit": "Save draft in Xero",
            "cancel_url": books.url("invoice-detail", invoice.pk) if invoice else list_url,
        },
        invoice=invoice,
        header=header,
        lines=lines,
        next_index=max([int(str(line.prefix)[5:]) for line in lines] + [-1]) + 1,
        max_lines=drafts.MAX_LINES,
        totals=drafts.totals(tenant, _editor_data(request, lines), amounts),
    )
    return render(request, "books/invoice_editor.html", context, status=status(written))


def _save(
    books: Books, invoice: Invoice | None, header: InvoiceHeaderForm, lines: list[Any]
) -> Any:
    """Send the draft when the header and every line are valid; None when nothing was sent."""
    valid = header.is_valid() & all([line.is_valid() for line in lines])
    if not lines:
        header.add_error(None, "Add at least one line.")
        return None
    if len(lines) > drafts.MAX_LINES:
        header.add_error(
            None,
            f"A document can have at most {drafts.MAX_LINES} lines here; this one has "
            f"{len(lines)}. Nothing was sent; remove some lines or split it in two.",
        )
        return None
    if not valid:
        return None
    return submit(
        header,
        lambda: services.invoice_save(
            tenant=books.tenant,
            invoice=invoice,
            actor=books.actor,
            header=header.cleaned_data,
            lines=[line.cleaned_data for line in lines],
            seen=header.cleaned_data.get("seen"),
        ),
        lines=lines,
    )


def _header_initial(tenant: Tenant, invoice: Invoice | None, kind: str) -> dict[str, Any]:
    if invoice is None:
        today = timezone.localdate()
        return {
            "type": kind,
            "date": today,
            "due_date": today + timedelta(days=14),
            "currency_code": tenant.base_currency,
            "line_amount_types": "Exclusive",
        }
    return {
        "type": invoice.type,
        "contact": invoice.contact_xero_id,
        "contact_name": invoice.contact_name,
        "date": invoice.date,
        "due_date": invoice.due_date,
        "reference": invoice.reference,
        "currency_code": invoice.currency_code,
        "line_amount_types": invoice.line_amount_types or "Exclusive",
        "seen": invoice.updated_utc.isoformat() if invoice.updated_utc else "",
    }


def tracking_initial(tenant_pk: int, tracking: list[dict[str, Any]]) -> dict[str, str]:
    """A saved line's tracking as the editor's fields (`tracking_0`, `tracking_1`), in the
    order the editor lists the organisation's active categories."""
    order = list(
        TrackingCategory.objects.filter(tenant_id=tenant_pk, status="ACTIVE").values_list(
            "xero_id", flat=True
        )
    )[:2]
    chosen = {t.get("TrackingCategoryID"): t.get("TrackingOptionID") for t in tracking}
    return {
        f"tracking_{n}": str(chosen[category])
        for n, category in enumerate(order)
        if chosen.get(category)
    }


def saved_lines(record: Any) -> list[dict[str, Any]] | None:
    """A saved invoice's or document's lines as the line editor's first rows (None for a new
    one, which starts with one blank line)."""
    if record is None:
        return None
    return [
        {
            "item_code": line.item_code,
            "description": line.description,
            "quantity": line.quantity.normalize(),
            "unit_amount": line.unit_amount.normalize(),
            "account_code": line.account_code,
            "tax_type": line.tax_type,
            **tracking_initial(record.tenant_id, line.tracking),
        }
        for line in record.lines.all()
    ] or None


def _editor_data(request: WorkspaceRequest, lines: list[Any]) -> QueryDict:
    """What the totals are computed from: the posted form, or the initial values."""
    if request.method == "POST":
        return request.POST
    data = QueryDict(mutable=True)
    for line in lines:
        for name, value in line.initial.items():
            data[f"{line.prefix}-{name}"] = "" if value is None else str(value)
    return data


@login_required
@require_GET
def invoice_line(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """A row of the line editor: a new one (`index`), or one filled from a picked item, or one
    whose account changed (kept as typed, with a tax rate the account can take)."""
    tenant = books_for(request, ws, tenant_pk, read_role=Role.FINANCE, switcher=False).tenant
    try:
        index = max(int(request.GET.get("index", "0")), 0)
    except ValueError:
        index = 0
    prefix = f"line-{index}"
    code = request.GET.get(f"{prefix}-item_code", "")
    if request.GET.get("changed") == "account":
        initial = drafts.account_changed(tenant, request.GET, prefix)
    elif code:
        initial = drafts.item_defaults(tenant, code)
        # Keep what the user already typed where the item has nothing to say.
        for name in ("quantity", "description"):
            typed = request.GET.get(f"{prefix}-{name}")
            if typed and not (name == "description" and initial.get("description")):
                initial[name] = typed
    else:
        initial = drafts.line_defaults(tenant, request.GET.get("type"))
    line = InvoiceLineForm(prefix=prefix, initial=initial, choices=drafts.line_choices(tenant))
    context = {
        "line": line,
        "organisation": tenant,
        "next_index": index + 1,
        "adding": not code and request.GET.get("changed") != "account",
    }
    response = render(request, "books/invoice_editor.html#line-row", context)
    # The totals listen for this once the row is in place (the line's amount and the totals
    # follow a picked item; listening for the rows' own swaps would also hear the totals'
    # answer updating each line's amount, and ask again without end).
    response["HX-Trigger-After-Settle"] = "lines-changed"
    return response


@login_required
@require_GET
def contact_options(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """What the editor's contact picker offers for the text typed (`contact_name`)."""
    tenant = books_for(request, ws, tenant_pk, read_role=Role.FINANCE, switcher=False).tenant
    query = request.GET.get("contact_name", "")[:100]
    found = selectors.contact_options(tenant=tenant, q=query, kind=request.GET.get("type", ""))
    context = {
        "listbox": "contact-options",
        "options": [(c.xero_id, c.name, c.email) for c in found],
        "query": query.strip(),
    }
    return render(request, "partials/combobox_options.html", context)


@login_required
@require_POST
def invoice_totals(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """The editor's totals, recomputed as the user types."""
    tenant = books_for(request, ws, tenant_pk, switcher=False).tenant
    amounts = request.POST.get("line_amount_types", "Exclusive")
    totals = drafts.totals(tenant, request.POST, amounts)
    context = {"totals": totals, "organisation": tenant, "oob": True}
    return render(request, "books/invoice_editor.html#invoice-totals", context)
