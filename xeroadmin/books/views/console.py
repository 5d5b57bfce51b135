"""The raw request console: an admin's direct line to the organisation's Accounting API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from xeroadmin.books import services
from xeroadmin.books.forms import RawRequestForm
from xeroadmin.books.views.shared import Refusal, books_for, status, submit
from xeroadmin.tenancy.access import WorkspaceRequest
from xeroadmin.tenancy.models import Role


@login_required
@require_http_methods(["GET", "POST"])
def raw_console(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.ADMIN, write_role=Role.ADMIN)
    form = RawRequestForm(request.POST or None, initial={"method": "GET", "path": "Organisation"})
    answer = None
    if request.method == "POST" and form.is_valid():
        if not books.tenant.is_connected:
            form.add_error(None, f"{books.tenant.name} is not connected.")
        else:
            answer = submit(
                form,
                lambda: services.raw_request(
                    tenant=books.tenant, actor=books.actor, **form.cleaned_data
                ),
                doing="answer",
            )
    context = books.page(form=form, answer=None if isinstance(answer, Refusal) else answer)
    return render(request, "books/raw_console.html", context, status=status(answer))
