"""What a record carries beside its fields: its history and notes, and its attachments. Each
is a panel loaded after the record's page, from the mirror of Xero's answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.books import panels, services
from xeroadmin.books.forms import AttachmentForm, NoteForm
from xeroadmin.books.history import history_lines
from xeroadmin.books.kinds import KINDS
from xeroadmin.books.models import Contact, Document, Invoice, Item, RecordPanel
from xeroadmin.books.refusals import Refusal, refusal
from xeroadmin.books.views.shared import Books, act, books_for, submit
from xeroadmin.tenancy.access import WorkspaceRequest

# The records that have History and Notes in Xero: model, Xero path, detail page.
HISTORY_KINDS: dict[str, tuple[type[Model], str, str]] = {
    "invoices": (Invoice, "Invoices", "invoice-detail"),
    "contacts": (Contact, "Contacts", "contact-detail"),
    "items": (Item, "Items", "item-detail"),
    **{kind.slug: (Document, kind.resource, kind.page("detail")) for kind in KINDS},
}
# Xero has no attachments on items, payments, prepayments or overpayments.
ATTACHMENT_KINDS = {
    "invoices",
    "contacts",
    *(kind.slug for kind in KINDS if kind.key not in ("prepayment", "overpayment")),
}
# Which Document kind each of those paths holds.
DOCUMENT_KINDS = {kind.slug: kind.key for kind in KINDS}


class Record:
    """A record of one of HISTORY_KINDS, with its path in Xero and its page here."""

    def __init__(self, books: Books, kind: str, record_pk: int, *, files: bool = False) -> None:
        if kind not in HISTORY_KINDS or (files and kind not in ATTACHMENT_KINDS):
            raise Http404("No such record.")
        model, prefix, self.detail = HISTORY_KINDS[kind]
        self.books, self.kind = books, kind
        scope = {"kind": DOCUMENT_KINDS[kind]} if kind in DOCUMENT_KINDS else {}
        record: Any = get_object_or_404(model, pk=record_pk, tenant=books.tenant, **scope)
        self.record = record
        self.path = f"{prefix}/{record.xero_id}"

    def back(self, anchor: str) -> HttpResponse:
        return self.books.redirect(self.detail, self.record.pk, anchor=anchor)

    def panel(self, panel: str) -> dict[str, Any]:
        """A panel's list for its partial, or the problem that kept it from loading."""
        try:
            listing = panels.panel_get(
                tenant=self.books.tenant,
                record_path=self.path,
                record=self.record,
                panel=panel,
                refresh=self.books.request.GET.get("refresh") == "1",
            )
        except Exception as error:
            found = refusal(error, "load it")
            if found is None:
                raise
            # A read: the panel says why, in place of its list.
            return {"records": [], "problem": found.message, "loaded": True}
        return {"records": listing.entries, "fetched_at": listing.fetched_at, "loaded": True}


def history_context(books: Books, kind: str, record: Any) -> dict[str, Any]:
    """What a page needs to show a record's history box (loaded from Xero after the page)."""
    return {
        "history_url": books.url("record-history", kind, record.pk),
        "note_url": books.url("record-note", kind, record.pk),
        "can_note": books.can_write,
    }


def attachments_context(books: Books, kind: str, record: Any) -> dict[str, Any]:
    return {
        "attachments_url": books.url("record-attachments", kind, record.pk),
        "attachment_file_url": books.url("record-attachment", kind, record.pk),
        "can_attach": books.can_write,
    }


@login_required
@require_GET
def record_history(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, record_pk: int
) -> HttpResponse:
    """History and notes, as kept in the mirror (fetched when the record changed, or on
    `?refresh=1`)."""
    found = Record(books_for(request, ws, tenant_pk, switcher=False), kind, record_pk)
    panel = found.panel(RecordPanel.Panel.HISTORY)
    panel["records"] = history_lines(panel["records"])  # each event once, by its real author
    context = history_context(found.books, kind, found.record) | panel
    return render(request, "books/partials/record_history.html", context)


@login_required
@require_POST
def record_note(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, record_pk: int
) -> HttpResponse:
    found = Record(books_for(request, ws, tenant_pk, switcher=False), kind, record_pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        done = submit(
            form,
            lambda: services.note_add(
                tenant=found.books.tenant,
                record_path=found.path,
                record=found.record,
                text=form.cleaned_data["note"],
                actor=found.books.actor,
            ),
            doing="add it",
        )
        if not isinstance(done, Refusal):
            messages.success(request, "Note added in Xero.")
    for problem in [*form.errors.get("note", []), *form.non_field_errors()]:
        messages.error(request, problem)
    return found.back("#history")


@login_required
@require_http_methods(["GET", "POST"])
def record_attachments(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, record_pk: int
) -> HttpResponse:
    """GET: a record's attachments, from Xero (loaded after the page). POST: upload one."""
    books = books_for(request, ws, tenant_pk, switcher=False)
    found = Record(books, kind, record_pk, files=True)
    if request.method == "POST":
        _upload(found, AttachmentForm(request.POST, request.FILES))
        return found.back("#attachments")
    context = (
        attachments_context(books, kind, found.record)
        | found.panel(RecordPanel.Panel.ATTACHMENTS)
        | {"attachment_form": AttachmentForm()}
    )
    return render(request, "books/partials/record_attachments.html", context)


def _upload(found: Record, form: AttachmentForm) -> None:
    request = found.books.request
    if form.is_valid():
        upload = form.cleaned_data["file"]
        done = submit(
            form,
            lambda: services.attachment_upload(
                tenant=found.books.tenant,
                record_path=found.path,
                record=found.record,
                name=upload.name,
                data=upload.read(services.MAX_ATTACHMENT + 1),
                content_type=upload.content_type or "",
                actor=found.books.actor,
            ),
            doing="attach it",
        )
        if not isinstance(done, Refusal):
            messages.success(request, f"{upload.name} attached in Xero.")
    for problem in [*form.errors.get("file", []), *form.non_field_errors()]:
        messages.error(request, problem)


@login_required
@require_GET
def record_attachment(
    request: WorkspaceRequest, ws: int, tenant_pk: int, kind: str, record_pk: int
) -> HttpResponse:
    """One attachment (`?name=`), downloaded from Xero."""
    books = books_for(request, ws, tenant_pk, switcher=False)
    found = Record(books, kind, record_pk, files=True)
    got = act(
        request,
        lambda: services.attachment_download(
            tenant=books.tenant,
            record_path=found.path,
            record=found.record,
            name=request.GET.get("name", ""),
        ),
        doing="send it",
    )
    if isinstance(got, Refusal):
        return found.back("#attachments")
    data, content_type, name = got
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=name) or "attachment"
    )
    return response
