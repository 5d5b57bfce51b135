"""Connecting Xero organisations, mapping and disconnecting them (their tokens and the calls
made for them are `clients`).

Calls to Xero happen outside database transactions (a slow Xero must not hold locks), except
the token refresh, which is serialised on the grant's row on purpose: Xero rotates refresh
tokens, so two processes refreshing at once would break the connection.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.services import activity_record
from xeroadmin.connections import usage
from xeroadmin.connections.clients import (
    app_credentials,
    grant_access_token,
)
from xeroadmin.connections.models import Grant, Tenant, XeroApp
from xeroadmin.tenancy.models import Workspace
from xeroadmin.xero import endpoints, oauth
from xeroadmin.xero.errors import (
    XeroConnectionRevoked,
    XeroError,
    XeroNotFound,
    XeroOAuthError,
)

logger = logging.getLogger(__name__)

CONNECTION = ActivityEvent.Category.CONNECTION


# ------------------------------------------------------------------ apps and credentials


def app_scopes(app: XeroApp | None) -> list[str]:
    """The scopes a consent through this app asks for."""
    return endpoints.scopes(app.scopes if app is not None and app.scopes else None)


def redirect_uri() -> str:
    """The one callback URL to register in every Xero app used with this deployment."""
    return settings.SITE_URL + reverse("connections:callback")


def webhook_url(app: XeroApp | None) -> str:
    """Where Xero should deliver this app's webhooks."""
    if app is None:
        return settings.SITE_URL + "/webhooks/xero/"
    return settings.SITE_URL + f"/webhooks/xero/{app.webhook_token}/"


def xero_app_create(
    *,
    workspace: Workspace,
    actor: User,
    name: str,
    client_id: str,
    client_secret: str,
    webhook_key: str = "",
    scopes: str = "",
) -> XeroApp:
    """Add a workspace's own Xero web app."""
    client_id = client_id.strip()
    if XeroApp.objects.filter(workspace=workspace, client_id=client_id).exists():
        raise ValidationError(
            {"client_id": "This workspace already has an app with this client id."}
        )
    with transaction.atomic():
        app = XeroApp.objects.create(
            workspace=workspace,
            kind=XeroApp.Kind.WEB,
            name=name.strip(),
            client_id=client_id,
            client_secret=client_secret.strip(),
            webhook_key=webhook_key.strip(),
            scopes=scopes.strip(),
            created_by=actor,
        )
        activity_record(
            workspace=workspace,
            category=ActivityEvent.Category.APP,
            action="added",
            summary=f"Xero app “{app.name}” added by {actor.email}",
            actor=actor,
        )
    return app


def xero_app_update(
    *,
    app: XeroApp,
    actor: User,
    name: str,
    client_secret: str = "",
    webhook_key: str = "",
    scopes: str = "",
) -> XeroApp:
    """Rename an app or replace its secrets; a blank secret keeps the stored one."""
    app.name = name.strip()
    app.scopes = scopes.strip()
    fields = ["name", "scopes"]
    if client_secret.strip():
        app.client_secret = client_secret.strip()
        fields.append("client_secret")
    if webhook_key.strip():
        app.webhook_key = webhook_key.strip()
        fields.append("webhook_key")
    with transaction.atomic():
        app.save(update_fields=fields)
        activity_record(
            workspace=app.workspace,
            category=ActivityEvent.Category.APP,
            action="changed",
            summary=f"Xero app “{app.name}” changed by {actor.email}",
            actor=actor,
        )
    return app


def xero_app_delete(*, app: XeroApp, actor: User) -> None:
    """Remove an app; refused while organisations are still connected through it."""
    if Tenant.objects.filter(grant__app=app, status=Tenant.Status.CONNECTED).exists():
        raise ValidationError(
            "Organisations are still connected through this app; disconnect them first."
        )
    with transaction.atomic():
        activity_record(
            workspace=app.workspace,
            category=ActivityEvent.Category.APP,
            action="removed",
            summary=f"Xero app “{app.name}” removed by {actor.email}",
            actor=actor,
        )
        app.delete()


# ------------------------------------------------------------------ connecting


def connect_start(*, app: XeroApp | None) -> oauth.Authorization:
    """Where to send the admin for Xero's consent (several organisations can be ticked there)."""
    return oauth.authorization_start(
        app_credentials(app), redirect_uri=redirect_uri(), scopes=app_scopes(app)
    )


@dataclass
class ConnectResult:
    created: list[Tenant] = field(default_factory=list)
    relinked: list[Tenant] = field(default_factory=list)

    @property
    def tenants(self) -> list[Tenant]:
        return self.created + self.relinked


def connect_finish(
    *,
    workspace: Workspace,
    actor: User,
    app: XeroApp | None,
    code: str,
    redirect_uri: str,
    verifier: str,
) -> ConnectResult:
    """Finish a consent: trade the code for tokens and link each organisation it granted."""
    credentials = app_credentials(app)
    tokens = oauth.exchange_code(
        credentials, code=code, redirect_uri=redirect_uri, verifier=verifier
    )
    return connect_with_tokens(workspace=workspace, actor=actor, app=app, tokens=tokens)


def consent_connections(tokens: oauth.TokenSet) -> list[oauth.XeroConnection]:
    """The organisations of this consent only; earlier ones of the same user stay as they are."""
    return oauth.connections(tokens.access_token, auth_event_id=tokens.auth_event_id or None)


def connect_with_tokens(
    *,
    workspace: Workspace,
    actor: User,
    app: XeroApp | None,
    tokens: oauth.TokenSet,
    granted: list[oauth.XeroConnection] | None = None,
) -> ConnectResult:
    """Link each organisation a consent granted (`granted`, else asked of Xero), given its
    tokens: a consent made here, or the one of "Sign up with Xero"."""
    if granted is None:
        granted = consent_connections(tokens)
    if app is None and granted:
        # The plan's cap on connections, held here before Xero's own.
        try:
            usage.connection_room(adding=[c.tenant_id for c in granted])
        except ValidationError:
            _consent_undo(tokens, granted)
            raise
    if not granted:
        raise ValidationError("Xero granted access to no organisation. Nothing was connected.")
    with transaction.atomic():
        grant = _grant_upsert(
            workspace=workspace, actor=actor, app=app, tokens=tokens, kind=Grant.Kind.OAUTH
        )
        result = ConnectResult()
        for connection in granted:
            tenant, created = _tenant_link(grant=grant, connection=connection, actor=actor)
            (result.created if created else result.relinked).append(tenant)
    return result


def _consent_undo(tokens: oauth.TokenSet, granted: list[oauth.XeroConnection]) -> None:
    """Take back, in Xero, the connections of a consent refused here that were new (so that
    Xero's count of the app's connections stays what it was)."""
    known = set(
        Tenant.objects.filter(
            status=Tenant.Status.CONNECTED, tenant_id__in=[c.tenant_id for c in granted]
        ).values_list("tenant_id", flat=True)
    )
    for connection in granted:
        if connection.tenant_id in known or not connection.id:
            continue
        try:
            oauth.disconnect(tokens.access_token, connection.id)
        except XeroError as error:
            logger.info("Could not take back connection %s: %s", connection.id, error)


def _grant_upsert(
    *,
    workspace: Workspace,
    actor: User,
    app: XeroApp | None,
    tokens: oauth.TokenSet,
    kind: str,
) -> Grant:
    """One grant per Xero user and app: a second consent by the same user renews it."""
    client_id = app.client_id if app is not None else settings.XERO_CLIENT_ID
    grant = None
    if kind == Grant.Kind.CUSTOM:
        grant = Grant.objects.select_for_update().filter(app=app, kind=kind).first()
    elif tokens.xero_user_id:
        grant = (
            Grant.objects.select_for_update()
            .filter(
                workspace=workspace,
                client_id=client_id,
                xero_user_id=tokens.xero_user_id,
                kind=kind,
            )
            .first()
        )
    grant = grant or Grant(
        workspace=workspace, app=app, kind=kind, client_id=client_id, created_by=actor
    )
    grant.app = app
    grant.xero_user_id = tokens.xero_user_id if kind == Grant.Kind.OAUTH else ""
    grant.xero_user_email = str(tokens.identity.get("email") or grant.xero_user_email)
    grant.access_token = tokens.access_token
    grant.refresh_token = tokens.refresh_token
    grant.expires_at = tokens.expires_at
    grant.scopes = " ".join(tokens.scopes)
    grant.status, grant.status_detail = Grant.Status.ACTIVE, ""
    grant.auth_event_id = tokens.auth_event_id
    grant.last_refreshed_at = timezone.now()
    grant.save()
    return grant


def _tenant_link(
    *, grant: Grant, connection: oauth.XeroConnection, actor: User
) -> tuple[Tenant, bool]:
    """Create the tenant, or re-link the one already known by its tenant id (never by name)."""
    workspace = grant.workspace
    now = timezone.now()
    tenant = (
        Tenant.objects.select_for_update()
        .filter(workspace=workspace, tenant_id=connection.tenant_id)
        .first()
    )
    created = tenant is None
    tenant = tenant or Tenant(workspace=workspace, tenant_id=connection.tenant_id)
    tenant.grant = grant
    tenant.connection_id = connection.id
    tenant.auth_event_id = connection.auth_event_id
    tenant.tenant_type = connection.tenant_type or tenant.tenant_type
    tenant.name = connection.tenant_name or tenant.name or connection.tenant_id
    tenant.status = Tenant.Status.CONNECTED
    tenant.connected_at = now
    tenant.disconnected_at = None
    tenant.last_error, tenant.last_error_at = "", None
    tenant.last_checked_at = now
    tenant.save()
    verb = "connected" if created else "reconnected"
    how = " as a Custom Connection" if grant.kind == Grant.Kind.CUSTOM else ""
    activity_record(
        workspace=workspace,
        tenant=tenant,
        category=CONNECTION,
        action=verb,
        summary=f"{tenant.name} {verb}{how} by {actor.email}",
        actor=actor,
        data={"tenant_id": tenant.tenant_id, "auth_event_id": connection.auth_event_id},
    )
    return tenant, created


def custom_connection_create(
    *, workspace: Workspace, actor: User, name: str, client_id: str, client_secret: str
) -> Tenant:
    """Connect the one organisation of a Custom Connection (client credentials)."""
    client_id, client_secret = client_id.strip(), client_secret.strip()
    credentials = oauth.AppCredentials(client_id, client_secret)
    try:
        tokens = oauth.client_credentials(credentials)
        granted = oauth.connections(tokens.access_token)
    except XeroOAuthError as error:
        raise ValidationError(
            {"client_secret": f"{error.message} Check the client id and secret."}
        ) from None
    if not granted:
        raise ValidationError("Xero's Custom Connection reaches no organisation yet.")
    existing = XeroApp.objects.filter(workspace=workspace, client_id=client_id).first()
    with transaction.atomic():
        app = existing or XeroApp(workspace=workspace, client_id=client_id, created_by=actor)
        app.kind = XeroApp.Kind.CUSTOM
        app.name = name.strip() or granted[0].tenant_name or "Custom Connection"
        app.client_secret = client_secret
        app.save()
        grant = _grant_upsert(
            workspace=workspace, actor=actor, app=app, tokens=tokens, kind=Grant.Kind.CUSTOM
        )
        tenant, _ = _tenant_link(grant=grant, connection=granted[0], actor=actor)
    return tenant


# ------------------------------------------------------------------ disconnecting


def tenant_disconnect(*, tenant: Tenant, actor: User, purge: bool = False) -> None:
    """Disconnect one organisation in Xero (by its connection id); revoke the grant with its
    last organisation. Keep the tenant (and its mirrored data, read-only) or purge it."""
    grant = tenant.grant
    if grant is not None and grant.status == Grant.Status.ACTIVE:
        _disconnect_in_xero(tenant, grant)
    name = tenant.name
    with transaction.atomic():
        activity_record(
            workspace=tenant.workspace_id,
            tenant=None if purge else tenant,
            client=tenant.client,
            category=CONNECTION,
            action="disconnected",
            summary=f"{name} disconnected by {actor.email}"
            + (" (its data was purged)" if purge else " (its data is kept, read-only)"),
            actor=actor,
            data={"tenant_id": tenant.tenant_id, "purged": purge},
        )
        if purge:
            tenant.delete()
        else:
            tenant.status = Tenant.Status.DISCONNECTED
            tenant.disconnected_at = timezone.now()
            tenant.grant = None
            tenant.save(update_fields=["status", "disconnected_at", "grant", "updated_at"])
        others = Tenant.objects.filter(grant=grant, status=Tenant.Status.CONNECTED)
        if grant is not None and not others.exclude(pk=tenant.pk).exists():
            # Its last organisation went, and with it the grant (revoked in Xero above).
            grant.status = Grant.Status.REVOKED
            grant.status_detail = "Disconnected by an admin."
            grant.access_token, grant.refresh_token = "", ""
            grant.save()


def _disconnect_in_xero(tenant: Tenant, grant: Grant) -> None:
    others = grant.tenants.exclude(pk=tenant.pk).filter(status=Tenant.Status.CONNECTED).exists()
    try:
        if grant.kind == Grant.Kind.CUSTOM:
            return  # a Custom Connection is ended in Xero's developer portal; we forget its token
        token = grant_access_token(grant_id=grant.pk)
        if tenant.connection_id and tenant.status == Tenant.Status.CONNECTED:
            with contextlib.suppress(XeroNotFound):  # already gone in Xero
                oauth.disconnect(token, tenant.connection_id)
        if not others:
            oauth.revoke(app_credentials(grant.app), refresh_token=grant.refresh_token)
    except XeroConnectionRevoked:
        pass  # Xero has already let go of it: nothing left to disconnect there
