"""Pages where an admin connects Xero organisations, maps them to clients and disconnects them."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.activity.selectors import activity_list
from xeroadmin.connections import clients as xero_clients
from xeroadmin.connections import selectors, services, usage
from xeroadmin.connections.access import app_for, tenant_for
from xeroadmin.connections.certification import CHECKPOINTS
from xeroadmin.connections.forms import (
    ConnectForm,
    CustomConnectionForm,
    DisconnectForm,
    XeroAppForm,
)
from xeroadmin.connections.models import Tenant, XeroApp
from xeroadmin.connections.signals import organisation_connected
from xeroadmin.lib.forms import add_errors
from xeroadmin.tenancy.access import WorkspaceRequest, workspace_membership
from xeroadmin.tenancy.models import Membership, Role
from xeroadmin.xero.errors import XeroError
from xeroadmin.xero.plans import PLANS, WARN_AT

# Consents started in this session and not yet finished, by state; they expire after a while.
PENDING_KEY = "xero_consents"
PENDING_TTL = 15 * 60
PENDING_MAX = 5


@login_required
@require_POST
def connect(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    apps = list(XeroApp.objects.filter(workspace=membership.workspace, kind=XeroApp.Kind.WEB))
    form = ConnectForm(request.POST, apps=apps, default_app=xero_clients.default_app_configured())
    if not form.is_valid():
        messages.error(request, "Choose the Xero app to connect with.")
        return redirect("connections:tenant-list", ws=ws)
    app = next((a for a in apps if str(a.pk) == form.cleaned_data["app"]), None)
    if app is None and usage.at_cap():
        # Refused here, before Xero's consent page: the plan's cap would refuse it there.
        plan = usage.plan()
        messages.error(
            request,
            f"This deployment's Xero app is on Xero's {plan.name} plan, which allows "
            f"{plan.connections} connected organisations, and all are in use. Disconnect one "
            "you no longer need, or move the app to a bigger plan in Xero's developer portal.",
        )
        return redirect("connections:tenant-list", ws=ws)
    try:
        authorization = services.connect_start(app=app)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("connections:tenant-list", ws=ws)
    now = time.time()
    pending = {
        state: entry
        for state, entry in request.session.get(PENDING_KEY, {}).items()
        if entry["at"] > now - PENDING_TTL
    }
    pending[authorization.state] = {
        "ws": ws,
        "app": app.pk if app else None,
        "verifier": authorization.verifier,
        "redirect_uri": services.redirect_uri(),
        "at": now,
    }
    newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-PENDING_MAX:]
    request.session[PENDING_KEY] = dict(newest)
    return redirect(authorization.url)


@login_required
@require_GET
def callback(request: WorkspaceRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY, {})
    # Popped before anything else: a state is good for one return only.
    entry = pending.pop(request.GET.get("state", ""), None)
    request.session[PENDING_KEY] = pending
    if entry is None or entry["at"] < time.time() - PENDING_TTL:
        messages.error(
            request,
            "That return from Xero does not match a connection started here, or it expired. "
            "Nothing was connected; please start again.",
        )
        return redirect("home")
    ws = entry["ws"]
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    back = redirect("connections:tenant-list", ws=ws)
    error = request.GET.get("error")
    if error or not request.GET.get("code"):
        if error == "access_denied":
            messages.warning(request, "Xero access was not granted, so nothing was connected.")
        else:
            detail = request.GET.get("error_description") or error or "no authorisation code"
            messages.error(request, f"Xero could not connect ({detail}). Nothing was connected.")
        return back
    app = None
    if entry["app"] is not None:
        app = XeroApp.objects.filter(pk=entry["app"], workspace=membership.workspace).first()
        if app is None:
            messages.error(request, "The Xero app used for this connection was removed meanwhile.")
            return back
    try:
        result = services.connect_finish(
            workspace=membership.workspace,
            actor=request.user,
            app=app,
            code=request.GET["code"],
            redirect_uri=entry["redirect_uri"],
            verifier=entry["verifier"],
        )
    except (XeroError, ValidationError) as failure:
        text = failure.message if isinstance(failure, XeroError) else " ".join(failure.messages)
        messages.error(request, f"Connecting to Xero failed: {text}")
        return back
    for tenant in result.tenants:
        organisation_connected.send(Tenant, tenant=tenant, actor=request.user)
    messages.success(request, _connected_message(result))
    ids = ",".join(str(t.pk) for t in result.tenants)
    return redirect(reverse("connections:tenant-list", args=[ws]) + f"?connected={ids}")


def _connected_message(result: services.ConnectResult) -> str:
    parts = []
    if result.created:
        names = ", ".join(t.name for t in result.created)
        parts.append(f"Connected {names}.")
    if result.relinked:
        names = ", ".join(t.name for t in result.relinked)
        parts.append(f"Reconnected {names}.")
    if result.created:
        parts.append(
            "Map it to a client below, or connect another organisation."
            if len(result.created) == 1
            else "Map each to a client below."
        )
    return " ".join(parts)


@login_required
@require_GET
def tenant_detail(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    tenant = tenant_for(membership, tenant_pk)
    context = {
        "tenant": tenant,
        "health": selectors.tenant_health(tenant),
        "activity": activity_list(workspace=membership.workspace, tenant_id=tenant.pk)[:20],
    }
    return render(request, "connections/tenant_detail.html", context)


@login_required
@require_POST
def tenant_check(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    tenant = tenant_for(membership, tenant_pk)
    try:
        xero_clients.tenant_check(tenant=tenant)
    except XeroError as error:
        messages.error(request, f"Could not reach Xero: {error.message}")
    else:
        if tenant.is_connected:
            messages.success(request, f"{tenant.name} is connected; its details were refreshed.")
        else:
            messages.warning(request, f"{tenant.name}: {tenant.get_status_display().lower()}.")
    return redirect("connections:tenant-detail", ws=ws, tenant_pk=tenant.pk)


@login_required
@require_POST
def workspace_check(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    checked = xero_clients.workspace_check(workspace=membership.workspace)
    attention = [t.name for t in checked if not t.is_connected]
    if attention:
        messages.warning(request, "Needs attention: " + ", ".join(attention) + ".")
    else:
        count = len(checked)
        messages.success(
            request, f"Checked {count} organisation{'' if count == 1 else 's'} with Xero."
        )
    return redirect("connections:tenant-list", ws=ws)


@login_required
@require_http_methods(["GET", "POST"])
def tenant_disconnect(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    tenant = tenant_for(membership, tenant_pk)
    form = DisconnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        purge = form.cleaned_data["books"] == "purge"
        try:
            services.tenant_disconnect(tenant=tenant, actor=request.user, purge=purge)
        except XeroError as error:
            messages.error(request, f"Xero could not disconnect {tenant.name}: {error.message}")
            return redirect("connections:tenant-detail", ws=ws, tenant_pk=tenant_pk)
        messages.success(request, f"{tenant.name} is disconnected.")
        return redirect("connections:tenant-list", ws=ws)
    others = Tenant.objects.filter(grant=tenant.grant, status=Tenant.Status.CONNECTED)
    context = {
        "tenant": tenant,
        "form": form,
        "last_of_grant": tenant.grant is not None and not others.exclude(pk=tenant.pk).exists(),
    }
    return render(request, "connections/tenant_disconnect.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def app_list(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    form = XeroAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.xero_app_create(
                workspace=membership.workspace, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Xero app “{app.name}” added. Now connect with it.")
            return redirect("connections:app-detail", ws=ws, app_id=app.pk)
    return render(request, "connections/app_list.html", _apps_context(membership, form))


def _apps_context(membership: Membership, form: XeroAppForm) -> dict[str, Any]:
    return {
        "apps": selectors.app_list(workspace=membership.workspace),
        "form": form,
        "custom_form": CustomConnectionForm(),
        "default_app": xero_clients.default_app_configured(),
        "redirect_uri": services.redirect_uri(),
        "default_webhook_url": services.webhook_url(None),
    }


@login_required
@require_http_methods(["GET", "POST"])
def app_detail(request: WorkspaceRequest, ws: int, app_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    app = app_for(membership, app_id)
    initial = {"name": app.name, "scopes": app.scopes}
    form = XeroAppForm(request.POST or None, initial=initial, app=app)
    if request.method == "POST" and form.is_valid():
        services.xero_app_update(app=app, actor=request.user, **form.cleaned_data)
        messages.success(request, "Xero app saved.")
        return redirect("connections:app-detail", ws=ws, app_id=app.pk)
    context = {
        "app": app,
        "form": form,
        "redirect_uri": services.redirect_uri(),
        "webhook_url": services.webhook_url(app),
        "scopes": services.app_scopes(app),
        "tenants": Tenant.objects.filter(grant__app=app).order_by("name"),
    }
    return render(request, "connections/app_detail.html", context)


@login_required
@require_POST
def app_delete(request: WorkspaceRequest, ws: int, app_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    app = app_for(membership, app_id)
    try:
        services.xero_app_delete(app=app, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("connections:app-detail", ws=ws, app_id=app.pk)
    messages.success(request, f"Xero app “{app.name}” removed.")
    return redirect("connections:app-list", ws=ws)


@login_required
@require_POST
def custom_create(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    form = CustomConnectionForm(request.POST)
    if form.is_valid():
        try:
            tenant = services.custom_connection_create(
                workspace=membership.workspace, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        except XeroError as error:
            form.add_error(None, f"Xero could not be reached: {error.message}")
        else:
            organisation_connected.send(Tenant, tenant=tenant, actor=request.user)
            messages.success(request, f"{tenant.name} is connected through its Custom Connection.")
            url = reverse("connections:tenant-list", args=[ws])
            return redirect(f"{url}?connected={tenant.pk}")
    context = _apps_context(membership, XeroAppForm()) | {"custom_form": form}
    return render(request, "connections/app_list.html", context)


@login_required
@require_GET
def usage_page(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Xero's plan limits and how much of them this workspace's organisations use."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    tenants = list(
        Tenant.objects.filter(workspace=membership.workspace, status=Tenant.Status.CONNECTED)
        .select_related("grant", "grant__app")
        .order_by("name", "pk")
    )
    rows = usage.organisation_usage(tenants)
    rows.sort(key=lambda row: (-row.calls_share, -row.bytes_month, row.tenant.name))
    plan = usage.plan()
    used = usage.connections_used()
    default_bytes = usage.month_bytes(settings.XERO_CLIENT_ID) if settings.XERO_CLIENT_ID else 0
    own_apps = [
        {
            "app": app,
            "connections": usage.connections_used(app.client_id),
            "bytes_month": usage.month_bytes(app.client_id),
        }
        for app in XeroApp.objects.filter(workspace=membership.workspace)
    ]
    context = {
        "plan": plan,
        "plans": PLANS.values(),
        "connections_used": used,
        "connections_share": used / plan.connections if plan.connections else 0,
        "month_bytes": default_bytes,
        "month_share": default_bytes / plan.monthly_bytes if plan.monthly_bytes else 0,
        "warn_at": WARN_AT,
        "rows": rows,
        "warned": [row for row in rows if row.warn],
        "daily_limit": settings.XERO_DAILY_LIMIT,
        "own_apps": own_apps,
    }
    return render(request, "connections/usage.html", context)


def _checkpoint_url(name: str, ws: int) -> str:
    """A checkpoint's page: the account pages take no workspace; the others take this one."""
    if not name:
        return ""
    return reverse(name) if name.startswith("account_") else reverse(name, args=[ws])


@login_required
@require_GET
def certification(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Xero's certification checkpoints, each with how it is met and the page that meets it."""
    workspace_membership(request, ws, role=Role.ADMIN)
    rows = [(point, _checkpoint_url(point.page, ws)) for point in CHECKPOINTS]
    context = {"rows": rows, "plan": usage.plan(), "connections_used": usage.connections_used()}
    return render(request, "connections/certification.html", context)
