"""Sign up with Xero: one consent signs the person up (or in), makes their workspace and
connects the organisation they chose on Xero's consent page, landing on the mapping table."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from xeroadmin.accounts import xero_signin
from xeroadmin.connections import services
from xeroadmin.connections.models import Tenant
from xeroadmin.connections.signals import organisation_connected
from xeroadmin.tenancy import services as tenancy
from xeroadmin.tenancy.access import WorkspaceRequest
from xeroadmin.tenancy.models import Membership, Role
from xeroadmin.xero.errors import XeroError


@require_POST
def signup_start(request: HttpRequest) -> HttpResponse:
    """The "Sign up with Xero" button: to Xero's consent for identity and an organisation."""
    if not (settings.XERO_CLIENT_ID and settings.XERO_CLIENT_SECRET):
        raise Http404("This deployment has no Xero app of its own.")
    scopes = ["openid", "profile", "email", *services.app_scopes(None)]
    scopes = list(dict.fromkeys(scopes))
    return xero_signin.signup_redirect(request, scopes, reverse("connections:xero-welcome"))


@login_required
@require_GET
def welcome(request: WorkspaceRequest) -> HttpResponse:
    """Where "Sign up with Xero" lands once signed in: the workspace (theirs, or a new one
    named after the organisation) with the organisation connected, on the mapping table."""
    tokens = xero_signin.take_signup_tokens(request)
    if tokens is None:
        messages.warning(
            request,
            "You are signed in, but Xero's consent could not be used to connect an "
            "organisation (it expired, or was used already). Connect one from your workspace.",
        )
        return redirect("home")
    membership = (
        Membership.objects.filter(user=request.user, role__in=[Role.OWNER, Role.ADMIN])
        .select_related("workspace")
        .order_by("-pk")
        .first()
    )
    try:
        granted = services.consent_connections(tokens)
        if not granted:
            raise ValidationError("Xero granted access to no organisation.")
        name = granted[0].tenant_name or "My practice"
        workspace = (
            membership.workspace
            if membership
            else tenancy.workspace_create(user=request.user, name=name[:100])
        )
        result = services.connect_with_tokens(
            workspace=workspace, actor=request.user, app=None, tokens=tokens, granted=granted
        )
    except (XeroError, ValidationError) as failure:
        text = failure.message if isinstance(failure, XeroError) else " ".join(failure.messages)
        messages.error(request, f"You are signed in, but connecting to Xero failed: {text}")
        return redirect("home")
    for tenant in result.tenants:
        organisation_connected.send(Tenant, tenant=tenant, actor=request.user)
    names = ", ".join(t.name for t in result.tenants)
    messages.success(request, f"Welcome. {names} is connected; map it to a client below.")
    ids = ",".join(str(t.pk) for t in result.tenants)
    url = reverse("connections:tenant-list", args=[workspace.pk])
    return redirect(f"{url}?connected={ids}")
