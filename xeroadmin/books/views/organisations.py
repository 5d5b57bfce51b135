"""The organisations a member may see, and each one's home, activity and refresh."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from xeroadmin.activity.feeds import feed_response
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.selectors import activity_list
from xeroadmin.books import selectors
from xeroadmin.books.access import organisation_list
from xeroadmin.books.sync import sync_request
from xeroadmin.books.views.shared import books_for, header_context
from xeroadmin.tenancy.access import WorkspaceRequest, workspace_membership


@login_required
@require_GET
def organisation_list_view(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    organisations = list(organisation_list(membership))
    return render(request, "books/organisation_list.html", {"organisations": organisations})


@login_required
@require_GET
def organisation_home(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    context = books.page(
        summary=selectors.organisation_summary(tenant=books.tenant),
        overdue=selectors.oldest_overdue(tenant=books.tenant),
        sync=selectors.sync_state(tenant=books.tenant),
        activity=activity_list(workspace=books.membership.workspace, tenant_id=books.tenant.pk)[
            :10
        ],
    )
    return render(request, "books/organisation_home.html", context)


@login_required
@require_GET
def organisation_activity(
    request: WorkspaceRequest, ws: int, tenant_pk: int
) -> HttpResponse | StreamingHttpResponse:
    """The organisation's feed: its webhooks, edits here, syncs and connection events."""
    books = books_for(request, ws, tenant_pk)
    return feed_response(
        request,
        ActivityEvent.objects.filter(workspace_id=ws, tenant=books.tenant),
        membership=books.membership,
        template="books/organisation_activity.html",
        context=header_context(books),
        clients=None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_sync(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """GET: the sync state (polled while a sync runs). POST: "Refresh now"."""
    books = books_for(request, ws, tenant_pk, switcher=False)
    tenant = books.tenant
    if request.method == "POST":
        if not tenant.is_connected:
            messages.error(request, f"{tenant.name} is not connected, so it cannot be refreshed.")
        else:
            sync_request(tenant=tenant, actor=books.actor)
            messages.success(request, "Refresh started; new data appears as it arrives.")
        if not request.htmx:
            return books.redirect("organisation-home")
    context = {"organisation": tenant, "sync": selectors.sync_state(tenant=tenant), "oob": True}
    return render(request, "books/organisation_home.html#sync-state", context)
