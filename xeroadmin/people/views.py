"""Who can reach each client's Xero: pages over every organisation's users (admins only)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xeroadmin.connections.access import tenant_for
from xeroadmin.lib.csvs import csv_response
from xeroadmin.lib.lists import list_tabs
from xeroadmin.people import selectors, services
from xeroadmin.people.forms import ChangesForm, PracticeDomainsForm
from xeroadmin.people.models import UsersRead, XeroUser
from xeroadmin.tenancy import services as tenancy
from xeroadmin.tenancy.access import WorkspaceRequest, workspace_membership
from xeroadmin.tenancy.models import Role
from xeroadmin.xero.errors import XeroError

PAGE_SIZE = 50
VIEWS = [
    ("", "People"),
    ("outside", "Outside the practice"),
    ("unreached", "No practice member"),
    ("changes", "Changes"),
]
CHANGES_DAYS = 7
COUNTS_KEPT = 600
EVER = datetime(2000, 1, 1, tzinfo=UTC)


@login_required
@require_GET
def audit(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    workspace = membership.workspace
    view = request.GET.get("view", "")
    view = view if view in dict(VIEWS) else ""
    q = request.GET.get("q", "").strip()[:100]
    domains = selectors.practice_domains(workspace)
    changes_form = ChangesForm(request.GET or None)
    since_day = (
        changes_form.cleaned_data.get("since") if changes_form.is_valid() else None
    ) or timezone.localdate() - timedelta(days=CHANGES_DAYS)
    since = timezone.make_aware(datetime.combine(since_day, time.min))
    lists: dict[str, Any] = {
        "": selectors.people(workspace, q=q),
        "outside": selectors.outsiders(workspace, domains),
        "unreached": selectors.without_practice(workspace, domains),
        "changes": selectors.changes(workspace, since=since),
    }
    reading = selectors.reading(workspace)
    # The tab counts change only when users are read (or organisations come and go): kept
    # under what was read, and when.
    version = f"{reading['connected']}:{reading['read']}:{reading['last_read']}"
    parts = f"{version}|{','.join(domains)}|{since_day}|{q}"
    key = f"people-counts:{workspace.pk}:{hashlib.sha256(parts.encode()).hexdigest()[:32]}"
    counts = cache.get(key)
    if not isinstance(counts, dict):
        counts = {name: rows.count() for name, rows in lists.items()}
        cache.set(key, counts, COUNTS_KEPT)
    paginator = Paginator(lists[view], PAGE_SIZE)
    paginator.__dict__["count"] = counts[view]  # Paginator.count is a cached property
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "view": view,
        "page": page,
        "query": query.urlencode(),
        "filters": {"q": q, "view": view},
        "domains": domains,
        "domains_form": PracticeDomainsForm(initial={"domains": ", ".join(domains)}),
        "changes_form": changes_form,
        "since": since_day,
        "reading": reading,
        **list_tabs(request, "view", VIEWS, counts, form_id="people-filters"),
    }
    if request.htmx and request.htmx.target == "people-table":
        return render(request, "people/audit.html#people-table", context)
    return render(request, "people/audit.html", context)


@login_required
@require_POST
def domains_save(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    form = PracticeDomainsForm(request.POST)
    if form.is_valid():
        tenancy.workspace_practice_domains(
            workspace=membership.workspace, domains=form.cleaned_data["domains"]
        )
        messages.success(request, "Practice domains saved.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors["domains"]))
    return redirect(reverse("people:audit", args=[ws]) + "?view=outside")


def _person(request: WorkspaceRequest, ws: int) -> tuple[Any, str, list[XeroUser]]:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    email = request.GET.get("email", "").strip().lower()[:254]
    if not email:
        raise Http404("Whose access?")
    return membership, email, list(selectors.person_access(membership.workspace, email))


@login_required
@require_GET
def person(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Every organisation a person can reach, with their role in each."""
    membership, email, rows = _person(request, ws)
    domains = selectors.practice_domains(membership.workspace)
    context = {
        "email": email,
        "rows": rows,
        "name": next((r.name for r in rows if r.name), ""),
        "outside": not any(email.endswith(f"@{d}") for d in domains),
        # Each row links to its organisation: the path's start, reversed once (42 rows).
        "organisation_base": reverse("people:organisation", args=[ws, 0]).removesuffix("0/"),
        "history": selectors.changes(membership.workspace, since=EVER).filter(email=email)[:50],
    }
    return render(request, "people/person.html", context)


@login_required
@require_GET
def leaver_report(request: WorkspaceRequest, ws: int) -> StreamingHttpResponse:
    """Every organisation to remove a person from, as CSV."""
    _, email, rows = _person(request, ws)
    header = [
        "organisation",
        "tenant_id",
        "short_code",
        "client",
        "email",
        "name",
        "role",
        "subscriber",
        "seen_since",
    ]
    lines = (
        [
            r.tenant.name,
            r.tenant.tenant_id,
            r.tenant.short_code,
            r.tenant.client.name if r.tenant.client else "",
            r.email,
            r.name,
            r.get_role_display(),
            "yes" if r.is_subscriber else "no",
            r.first_seen_at.date().isoformat(),
        ]
        for r in rows
    )
    slug = "".join(ch if ch.isalnum() else "-" for ch in email)
    return csv_response(f"leaver-{slug}.csv", header, lines)


@login_required
@require_GET
def organisation(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """An organisation's users, and what changed among them."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    tenant = tenant_for(membership, tenant_pk)
    domains = selectors.practice_domains(membership.workspace)
    users = list(XeroUser.objects.filter(tenant=tenant, removed_at__isnull=True))
    for user in users:
        user.outside = not any(user.email.endswith(f"@{d}") for d in domains)  # type: ignore[attr-defined]
    context = {
        "tenant": tenant,
        "users": users,
        "state": UsersRead.objects.filter(tenant=tenant).first(),
        "history": tenant.xero_user_changes.all()[:50],
    }
    return render(request, "people/organisation.html", context)


@login_required
@require_POST
def organisation_refresh(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """Read the organisation's users again now (not more than once in a few minutes)."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    tenant = tenant_for(membership, tenant_pk)
    try:
        result = services.users_read(tenant=tenant, refresh=True)
    except XeroError as error:
        messages.error(request, f"Xero could not list {tenant.name}'s users: {error.message}")
    else:
        if result is None:
            messages.info(request, "Its users were read a moment ago; nothing to read yet.")
        elif result.changes:
            messages.success(request, f"Read {result.users} users: {result.changes} changed.")
        else:
            messages.success(request, f"Read {result.users} users; nothing changed.")
    return redirect("people:organisation", ws=ws, tenant_pk=tenant.pk)
