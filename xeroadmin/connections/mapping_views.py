"""The connections page's mapping table: searchable and paged, a client picker per row,
suggestions in tiers, and the mapping exported to CSV and imported back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.activity.selectors import activity_list
from xeroadmin.connections import clients as xero_clients
from xeroadmin.connections import mapping, selectors, services
from xeroadmin.connections.access import tenant_for
from xeroadmin.connections.forms import ConnectForm, MappingForm, MappingImportForm
from xeroadmin.connections.models import Tenant, XeroApp
from xeroadmin.lib.csvs import csv_response
from xeroadmin.lib.forms import add_errors
from xeroadmin.lib.lists import list_tabs
from xeroadmin.tenancy.access import WorkspaceRequest, workspace_membership
from xeroadmin.tenancy.models import Client, Membership, Role
from xeroadmin.xero.endpoints import SCOPE_REASONS

PAGE_SIZE = 50
VIEWS = [("", "All"), ("unmapped", "Unmapped"), ("attention", "Needs attention")]
OPTIONS_SHOWN = 15


ATTENTION = [Tenant.Status.NEEDS_RECONNECT, Tenant.Status.REMOVED_IN_XERO]
# What a row shows; the rest of an organisation's columns, and its grant (whose tokens would
# be decrypted once a row), stay unread.
ROW_FIELDS = (
    "workspace_id",
    "name",
    "tenant_id",
    "status",
    "client__name",
    "tax_number",
    "email",
    "last_error",
    "grant_id",
)


def _filtered(membership: Membership, q: str, view: str) -> tuple[Any, dict[str, int]]:
    tenants = Tenant.objects.filter(workspace=membership.workspace)
    if q:
        tenants = tenants.filter(mapping.search_filter(q))
    counts = tenants.aggregate(
        all=Count("pk"),
        unmapped=Count("pk", filter=Q(client__isnull=True)),
        attention=Count("pk", filter=Q(status__in=ATTENTION)),
    )
    counts[""] = counts.pop("all")
    if view == "unmapped":
        tenants = tenants.filter(client__isnull=True)
    elif view == "attention":
        tenants = tenants.filter(status__in=ATTENTION)
    rows = (
        tenants.select_related("client")
        .only(*ROW_FIELDS)
        .annotate(app_client_id=F("grant__client_id"))
        .order_by("name", "pk")
    )
    return rows, counts


def _table_context(
    request: WorkspaceRequest,
    membership: Membership,
    values: Any,
    form: MappingForm | None = None,
    highlight: set[str] | None = None,
) -> dict[str, Any]:
    """One page of the mapping table, filtered by `values` (q, view, page)."""
    workspace = membership.workspace
    q = (values.get("q") or "").strip()[:100]
    view = values.get("view", "")
    view = view if view in dict(VIEWS) else ""
    tenants, counts = _filtered(membership, q, view)
    new = [int(pk) for pk in (highlight or set()) if pk.isdigit()]
    if new:
        # Organisations just connected come first, wherever their names sort.
        first = Case(When(pk__in=new, then=Value(0)), default=Value(1), output_field=IntegerField())
        tenants = tenants.order_by(first, "name", "pk")
    paginator = Paginator(tenants, PAGE_SIZE)
    paginator.__dict__["count"] = counts[view]  # Paginator.count is a cached property
    page = paginator.get_page(values.get("page"))
    rows = list(page.object_list)
    found = mapping.suggestions(workspace=workspace, tenants=rows)
    if form is None:
        form = _mapping_form(membership, rows, found)
    query = {key: values.get(key) for key in ("q", "view") if values.get(key)}
    return {
        "page": page,
        "form": form,
        "suggestions": found,
        "calls_left": selectors.calls_left_today(rows),
        "duplicates": selectors.duplicate_names(rows),
        "filters": {"q": q, "view": view},
        "query": urlencode(query),
        "highlight": highlight or set(),
        "total": counts[""] if not q else Tenant.objects.filter(workspace=workspace).count(),
        "exact_count": sum(1 for s in found.values() if s is not None and s.exact),
        **list_tabs(request, "view", VIEWS, counts, form_id="mapping-filters"),
    }


def _mapping_form(
    membership: Membership, rows: list[Tenant], found: dict[int, Any], data: Any = None
) -> MappingForm:
    def find(text: str) -> Client | None:
        clients = Client.objects.filter(workspace=membership.workspace)
        if text.isdigit():
            return clients.filter(pk=int(text)).first()
        return clients.filter(name__iexact=text).first()

    return MappingForm(
        data,
        tenants=rows,
        suggestions=found,
        find=find,
    )


def _page_context(request: WorkspaceRequest, membership: Membership) -> dict[str, Any]:
    workspace = membership.workspace
    apps = [a for a in selectors.app_list(workspace=workspace) if a.kind == XeroApp.Kind.WEB]
    default_app = xero_clients.default_app_configured()
    scopes = services.app_scopes(None)
    highlight = {pk for pk in request.GET.get("connected", "").split(",") if pk}
    return {
        **_table_context(request, membership, request.GET, highlight=highlight),
        "connect_form": ConnectForm(apps=apps, default_app=default_app),
        "can_connect": default_app or bool(apps),
        "scopes": [(scope, SCOPE_REASONS.get(scope, "")) for scope in scopes],
        "activity": _recent_activity(membership),
    }


def _recent_activity(membership: Membership) -> list[Any]:
    events = activity_list(workspace=membership.workspace)
    return list(events.filter(category__in=["connection", "mapping", "app"])[:10])


@login_required
@require_GET
def tenant_list(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    if request.htmx and request.htmx.target == "mapping-table":
        context = _table_context(request, membership, request.GET)
        return render(request, "connections/tenant_list.html#mapping-table", context)
    return render(request, "connections/tenant_list.html", _page_context(request, membership))


@login_required
@require_POST
def mapping_save(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Save the rows of one page of the table (the page's filters come with them)."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    workspace = membership.workspace
    pks = [int(pk) for pk in request.POST.getlist("row") if pk.isdigit()][: PAGE_SIZE * 2]
    rows = list(selectors.tenant_list(workspace=workspace).filter(pk__in=pks))
    found = mapping.suggestions(workspace=workspace, tenants=rows)
    form = _mapping_form(membership, rows, found, request.POST)
    kept: MappingForm | None = form
    if not rows:
        messages.warning(request, "There was nothing to save on that page; reload it.")
        kept = None
    elif form.is_valid():
        try:
            changed = mapping.mapping_save(
                workspace=workspace, actor=request.user, choices=form.choices()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            count = len(changed)
            messages.success(
                request,
                f"Mapping saved: {count} organisation{'s' if count != 1 else ''} changed."
                if count
                else "Mapping saved; nothing had changed.",
            )
            kept = None
    if not request.htmx:
        if kept is None:
            return redirect(_back(ws, request.POST))
        context = _page_context(request, membership) | _table_context(
            request, membership, request.POST, form=kept
        )
        return render(request, "connections/tenant_list.html", context, status=400)
    context = _table_context(request, membership, request.POST, form=kept)
    context["activity"] = _recent_activity(membership)
    return render(request, "connections/tenant_list.html#mapping-table", context)


def _back(ws: int, values: Any) -> str:
    query = urlencode({k: values.get(k) for k in ("q", "view", "page") if values.get(k)})
    return reverse("connections:tenant-list", args=[ws]) + (f"?{query}" if query else "")


@login_required
@require_POST
def mapping_accept_exact(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Map every unmapped organisation whose suggested client is an exact match."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    changed = mapping.accept_exact(workspace=membership.workspace, actor=request.user)
    count = len(changed)
    if count:
        messages.success(
            request, f"Mapped {count} organisation{'s' if count != 1 else ''} to exact matches."
        )
    else:
        messages.info(request, "No unmapped organisation has an exact match.")
    return redirect(_back(ws, request.POST))


@login_required
@require_GET
def client_options(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """What a row's client picker offers for the text typed: matching clients, a new client
    named after the organisation, and "not mapped"."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    tenant = tenant_for(membership, tenant_pk)
    query = request.GET.get(f"client-{tenant.pk}", "")[:100].strip()
    clients = Client.objects.filter(workspace=membership.workspace)
    suggestion = mapping.suggestions(workspace=membership.workspace, tenants=[tenant]).get(
        tenant.pk
    )
    if query:
        found = list(clients.filter(name__icontains=query)[:OPTIONS_SHOWN])
    else:
        found = [suggestion.client] if suggestion else []
        found += [c for c in clients[:OPTIONS_SHOWN] if c not in found]
    options = [(str(c.pk), c.name, c.external_ref) for c in found]
    # A new client named after the organisation, unless one already has that name.
    if not (suggestion and suggestion.exact and suggestion.reason == "same name"):
        options.append((mapping.NEW_CLIENT, f"New client “{tenant.name}”", "created on save"))
    options.append((mapping.NOT_MAPPED, "Not mapped", ""))
    context = {"listbox": f"client-options-{tenant.pk}", "options": options, "query": query}
    return render(request, "partials/combobox_options.html", context)


@login_required
@require_GET
def mapping_export(request: WorkspaceRequest, ws: int) -> StreamingHttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    stamp = timezone.localdate().isoformat()
    return csv_response(
        f"xero-mapping-{stamp}.csv",
        mapping.CSV_HEADER,
        mapping.export_rows(workspace=membership.workspace),
    )


@login_required
@require_http_methods(["GET", "POST"])
def mapping_import(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Upload a CSV and see what it would change; then import it, all rows or none."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    workspace = membership.workspace
    form = MappingImportForm()
    plan, text = None, ""
    if request.method == "POST" and request.POST.get("confirm"):
        text = request.POST.get("text", "")[: mapping.CSV_MAX_BYTES + 1]
        plan = mapping.import_apply(workspace=workspace, actor=request.user, text=text)
        if plan.ok:
            changed = len(plan.changes)
            messages.success(
                request,
                f"Mapping imported: {changed} organisation{'s' if changed != 1 else ''} changed."
                if changed
                else "Mapping imported; nothing had changed.",
            )
            return redirect("connections:tenant-list", ws=ws)
        messages.error(request, "Nothing was imported: the file has errors (below).")
    elif request.method == "POST":
        form = MappingImportForm(request.POST, request.FILES)
        if form.is_valid():
            text = form.cleaned_data["file"]
            plan = mapping.import_plan(workspace=workspace, text=text)
            form = MappingImportForm()
    status = 400 if request.method == "POST" and (plan is None or not plan.ok) else 200
    context = {"form": form, "plan": plan, "text": text}
    return render(request, "connections/mapping_import.html", context, status=status)
