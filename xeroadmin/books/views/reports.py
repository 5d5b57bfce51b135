"""Reports: profit and loss, balance sheet, trial balance and bank summary as Xero computes
them (read through the governed client, kept a while), aged receivables and payables from the
mirror (drilling into a contact's invoices), each exported to CSV and Excel."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xeroadmin.books import reports
from xeroadmin.books.models import Invoice
from xeroadmin.books.refusals import refusal
from xeroadmin.books.report_forms import FORMS, AgedForm
from xeroadmin.books.views.shared import Books, books_for
from xeroadmin.tenancy.access import WorkspaceRequest

AGED = {
    "aged-receivables": (Invoice.Type.SALES, "Aged receivables"),
    "aged-payables": (Invoice.Type.BILL, "Aged payables"),
}


@login_required
@require_GET
def report_index(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    listed = [(spec.title, books.url("report", spec.slug)) for spec in reports.SPECS]
    listed += [(title, books.url("report-aged", slug)) for slug, (_, title) in AGED.items()]
    return render(request, "books/report_index.html", books.page(listed=listed))


@login_required
@require_GET
def report_page(request: WorkspaceRequest, ws: int, tenant_pk: int, report: str) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    spec = reports.BY_SLUG.get(report)
    if spec is None:
        raise Http404("No such report.")
    form = FORMS[report](request.GET)
    try:
        result = reports.report_read(tenant=books.tenant, spec=spec, params=form.params())
    except Exception as error:
        found = refusal(error, "read the report")
        if found is None:
            raise
        context = books.page(spec=spec, form=form, problem=found.message)
        return render(request, "books/report.html", context, status=found.status)
    download = _download(request, result, report)
    if download is not None:
        return download
    context = books.page(
        spec=spec,
        form=form,
        report=result,
        chart=_chart(report, result),
        currency=books.tenant.base_currency,
    )
    return render(request, "books/report.html", context)


def _chart(report: str, result: reports.Report) -> dict[str, Any] | None:
    """Net profit column by column, oldest first, for profit and loss over several periods."""
    line = result.line("Net Profit")
    if report != "profit-and-loss" or line is None or len(result.columns) < 2:
        return None
    labels = list(reversed(result.columns))
    values = list(reversed(line.numbers))
    found, zero = reports.bars(labels, values)
    return {"bars": found, "zero": zero, "label": "Net profit"}


def _download(request: WorkspaceRequest, result: reports.Report, name: str) -> HttpResponse | None:
    kind = request.GET.get("format")
    if kind == "csv":
        response = HttpResponse(reports.to_csv(result), content_type="text/csv; charset=utf-8")
    elif kind == "xlsx":
        response = HttpResponse(
            reports.to_xlsx(result),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return None
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@login_required
@require_GET
def report_aged(request: WorkspaceRequest, ws: int, tenant_pk: int, side: str) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    if side not in AGED:
        raise Http404("No such report.")
    invoice_type, title = AGED[side]
    form = AgedForm(request.GET)
    day = form.day()
    rows = reports.aged(tenant=books.tenant, side=invoice_type, as_of=day)
    result = reports.aged_report(rows, title=title, as_of=day)
    download = _download(request, result, side)
    if download is not None:
        return download
    context = books.page(
        title=title,
        form=form,
        as_of=day,
        rows=rows,
        report=result,
        currency=books.tenant.base_currency,
        invoices_url=_invoices_url(books, invoice_type),
    )
    return render(request, "books/report_aged.html", context)


def _invoices_url(books: Books, invoice_type: str) -> str:
    return books.url("invoice-list") + f"?type={invoice_type}&age=all"
