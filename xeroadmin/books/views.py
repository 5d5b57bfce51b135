"""The books pages: per organisation, server-rendered, with htmx partials for live parts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from xeroadmin.activity.selectors import activity_list
from xeroadmin.books import selectors
from xeroadmin.books.access import organisation_for, organisation_list
from xeroadmin.books.forms import STATUS_TABS, InvoiceFilterForm
from xeroadmin.books.sync import sync_request
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.http import HtmxHttpRequest
from xeroadmin.tenancy.access import workspace_membership
from xeroadmin.tenancy.models import Membership, Role

PAGE_SIZE = 50
# Pages that exist for every organisation, so the switcher can keep the user on them.
SWITCHABLE = {"organisation-home", "invoice-list"}


def _organisation(membership: Membership, tenant_pk: int) -> tuple[Tenant, list[Tenant]]:
    """The organisation asked for (404 unless the member may see it) and all those the member
    may see (for the switcher), in one query."""
    organisations = list(organisation_list(membership))
    tenant = next((t for t in organisations if t.pk == tenant_pk), None)
    if tenant is None:
        raise Http404("No such organisation.")
    return tenant, organisations


def _org_context(
    request: HttpRequest, membership: Membership, tenant: Tenant, organisations: list[Tenant]
) -> dict[str, Any]:
    """The organisation header: which one this is, and the switcher to the others."""
    match = request.resolver_match
    name = match.url_name if match and match.url_name in SWITCHABLE else "organisation-home"
    query = request.GET.urlencode() if name != "organisation-home" else ""
    switch = []
    for other in organisations:
        try:
            url = reverse(f"books:{name}", args=[membership.workspace_id, other.pk])
        except NoReverseMatch:  # pragma: no cover - every switchable page takes these two
            url = reverse("books:organisation-home", args=[membership.workspace_id, other.pk])
        switch.append((other, url + (f"?{query}" if query and other.pk != tenant.pk else "")))
    return {"organisation": tenant, "switch": switch, "read_only": not tenant.is_connected}


@login_required
@require_GET
def organisation_list_view(request: HttpRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    organisations = list(organisation_list(membership))
    return render(request, "books/organisation_list.html", {"organisations": organisations})


@login_required
@require_GET
def organisation_home(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    context = _org_context(request, membership, tenant, organisations) | {
        "summary": selectors.organisation_summary(tenant=tenant),
        "overdue": selectors.oldest_overdue(tenant=tenant),
        "sync": selectors.sync_state(tenant=tenant),
        "activity": activity_list(workspace=membership.workspace, tenant_id=tenant.pk)[:10],
    }
    return render(request, "books/organisation_home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_sync(request: HtmxHttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """GET: the sync state (polled while a sync runs). POST: "Refresh now"."""
    role = Role.FINANCE if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    tenant = organisation_for(membership, tenant_pk)
    if request.method == "POST":
        if not tenant.is_connected:
            messages.error(request, f"{tenant.name} is not connected, so it cannot be refreshed.")
        else:
            sync_request(tenant=tenant, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, "Refresh started; new data appears as it arrives.")
        if not request.htmx:
            return redirect("books:organisation-home", ws=ws, tenant_pk=tenant.pk)
    context = {"organisation": tenant, "sync": selectors.sync_state(tenant=tenant), "oob": True}
    return render(request, "books/organisation_home.html#sync-state", context)


@login_required
@require_GET
def invoice_list(request: HtmxHttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    form = InvoiceFilterForm(request.GET)
    filters = form.filters()
    invoices = selectors.invoice_list(tenant=tenant, filters=filters)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status_query, sort_query = query.copy(), query.copy()
    status_query.pop("status", None)
    sort_query.pop("sort", None)
    context = _org_context(request, membership, tenant, organisations) | {
        "form": form,
        "filters": filters,
        "page": page,
        "totals": selectors.page_totals(list(page.object_list)),
        "tabs": STATUS_TABS,
        "query": query.urlencode(),
        "status_query": status_query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sorts": selectors.SORTS,
    }
    if request.htmx and request.htmx.target == "invoice-table":
        return render(request, "books/invoice_list.html#invoice-table", context)
    return render(request, "books/invoice_list.html", context)
