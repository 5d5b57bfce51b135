"""Entering money spent or received on a bank account (on the invoice editor's lines, with
their live totals) and manual journals (a debit or a credit per line, balanced to post)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from xeroadmin.books import document_selectors, drafts, entry_services, selectors
from xeroadmin.books.entry_forms import BankTransactionForm, JournalForm, JournalLineForm
from xeroadmin.books.kinds import BY_KEY
from xeroadmin.books.models import Document
from xeroadmin.books.views.invoice_editor import saved_lines
from xeroadmin.books.views.shared import Books, Refusal, books_for, status, submit
from xeroadmin.tenancy.access import WorkspaceRequest
from xeroadmin.tenancy.models import Role

JOURNAL_ROWS = 4  # rows a new journal starts with (blank ones are left out)


def _writable(books: Books, back: str) -> HttpResponse | None:
    if not books.tenant.is_connected:
        name = books.tenant.name
        messages.error(books.request, f"{name} is not connected, so its books are read-only.")
        return books.redirect(back)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def bank_transaction_create(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    return _bank_editor(books_for(request, ws, tenant_pk, read_role=Role.FINANCE), None)


@login_required
@require_http_methods(["GET", "POST"])
def bank_transaction_edit(
    request: WorkspaceRequest, ws: int, tenant_pk: int, document_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    kind = BY_KEY["bank_transaction"]
    document = document_selectors.document_get(tenant=books.tenant, kind=kind, pk=document_pk)
    if not entry_services.bank_editable(document):
        messages.error(request, "Only spend or receive money not yet reconciled can be changed.")
        return books.redirect("bank-transaction-detail", document.pk)
    return _bank_editor(books, document)


def _bank_editor(books: Books, document: Document | None) -> HttpResponse:
    request = books.request
    closed = _writable(books, "bank-transaction-list")
    if closed is not None:
        return closed
    tenant = books.tenant
    data = request.POST if request.method == "POST" else None
    accounts = entry_services.bank_accounts(tenant=tenant)
    header = BankTransactionForm(
        data,
        initial=_bank_initial(document, accounts),
        contacts=lambda xero_id, name: selectors.contacts_named(
            tenant=tenant, xero_id=xero_id, name=name
        ),
        accounts=accounts,
        options_url=books.url("contact-options"),
    )
    kind = str(data.get("type") or "SPEND") if data is not None else "SPEND"
    lines = drafts.line_forms(tenant, data, saved_lines(document), kind=kind)
    written = send(header, lines, lambda: entry_services.bank_transaction_save(
        tenant=tenant,
        actor=books.actor,
        header=header.cleaned_data,
        lines=[line.cleaned_data for line in lines],
        document=document,
        seen=header.cleaned_data.get("seen"),
    )) if data is not None else None  # fmt: skip
    if written is not None and not isinstance(written, Refusal):
        messages.success(request, "Entered in Xero." if document is None else "Changed in Xero.")
        return books.redirect("bank-transaction-detail", written.record.pk)
    list_url = books.url("bank-transaction-list")
    amounts = str(data.get("line_amount_types") or "Exclusive") if data is not None else "Exclusive"
    heading = "Spend or receive money" if document is None else "Change this transaction"
    context = books.page(
        editor={
            "title": heading,
            "list_label": "Bank transactions",
            "list_url": list_url,
            "here": "New" if document is None else "Change",
            "heading": heading,
            "submit": "Enter in Xero" if document is None else "Save in Xero",
            "cancel_url": list_url
            if document is None
            else books.url("bank-transaction-detail", document.pk),
        },
        header=header,
        lines=lines,
        next_index=max([int(str(line.prefix)[5:]) for line in lines] + [-1]) + 1,
        max_lines=drafts.MAX_LINES,
        totals=drafts.totals(tenant, editor_data(request, lines), amounts),
    )
    return render(request, "books/invoice_editor.html", context, status=status(written))


def _bank_initial(document: Document | None, accounts: list[Any]) -> dict[str, Any]:
    if document is None:
        return {"type": "SPEND", "date": timezone.localdate(), "line_amount_types": "Exclusive"}
    bank = next((a.xero_id for a in accounts if a.code == document.bank_account_code), "")
    return {
        "type": document.type,
        "bank_account": bank,
        "contact": document.contact_xero_id,
        "contact_name": document.contact_name,
        "date": document.date,
        "reference": document.reference,
        "line_amount_types": document.line_amount_types or "Exclusive",
        "seen": document.updated_utc.isoformat() if document.updated_utc else "",
    }


def send(header: Any, lines: list[Any], save: Any) -> Any:
    """Send when the head and every line are valid; None when nothing was sent."""
    valid = header.is_valid() & all([line.is_valid() for line in lines])
    if not lines:
        header.add_error(None, "Add at least one line.")
        return None
    if not valid:
        return None
    return submit(header, save, lines=lines)


def editor_data(request: WorkspaceRequest, lines: list[Any]) -> QueryDict:
    """What an editor's totals are worked out from: the posted form, or the initial values."""
    if request.method == "POST":
        return request.POST
    data = QueryDict(mutable=True)
    for line in lines:
        for name, value in line.initial.items():
            data[f"{line.prefix}-{name}"] = "" if value is None else str(value)
    return data


def _journal_choices(books: Books) -> dict[str, Any]:
    choices = drafts.line_choices(books.tenant)
    accounts = [a for a in drafts.journal_accounts(books.tenant)]
    return {
        "accounts": [(a.code, f"{a.code} · {a.name}") for a in accounts],
        "tracking": choices["tracking"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def manual_journal_create(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    closed = _writable(books, "manual-journal-list")
    if closed is not None:
        return closed
    data = request.POST if request.method == "POST" else None
    choices = _journal_choices(books)
    header = JournalForm(data, initial={"date": timezone.localdate()})
    if data is not None:
        rows = [
            JournalLineForm(data, prefix=f"line-{n}", choices=choices)
            for n in drafts.line_indexes(data)
        ]
        lines = [row for row in rows if not row.is_blank()]
    else:
        lines = rows = [
            JournalLineForm(prefix=f"line-{n}", choices=choices) for n in range(JOURNAL_ROWS)
        ]
    written = None
    if data is not None:
        post = data.get("post") == "1"
        written = send(header, lines, lambda: entry_services.manual_journal_create(
            tenant=books.tenant,
            actor=books.actor,
            header=header.cleaned_data,
            lines=[line.cleaned_data for line in lines],
            post=post,
        ))  # fmt: skip
    if written is not None and not isinstance(written, Refusal):
        word = "Posted" if written.record.status == "POSTED" else "Saved as a draft"
        messages.success(request, f"{word} in Xero.")
        return books.redirect("manual-journal-detail", written.record.pk)
    context = books.page(
        header=header,
        lines=rows,
        next_index=max([int(str(line.prefix)[5:]) for line in rows] + [-1]) + 1,
        sums=_sums(lines),
    )
    return render(request, "books/journal_editor.html", context, status=status(written))


def _sums(lines: list[JournalLineForm]) -> dict[str, Any]:
    """The journal's debits and credits as entered (rows that did not validate count 0)."""
    found = [row.cleaned_data for row in lines if hasattr(row, "cleaned_data")]
    debits = sum((row.get("debit") or 0 for row in found), 0)
    credits = sum((row.get("credit") or 0 for row in found), 0)
    return {"debits": debits, "credits": credits, "balanced": debits == credits}


@login_required
@require_GET
def journal_line(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """One more row of the journal editor."""
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE, switcher=False)
    try:
        index = max(int(request.GET.get("index", "0")), 0)
    except ValueError:
        index = 0
    line = JournalLineForm(prefix=f"line-{index}", choices=_journal_choices(books))
    context = {"line": line, "organisation": books.tenant, "next_index": index + 1, "adding": True}
    return render(request, "books/journal_editor.html#journal-row", context)
