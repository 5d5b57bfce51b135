"""Connecting Xero organisations, keeping their tokens alive, mapping and disconnecting them.

Calls to Xero happen outside database transactions (a slow Xero must not hold locks), except
the token refresh, which is serialised on the grant's row on purpose: Xero rotates refresh
tokens, so two processes refreshing at once would break the connection.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.services import activity_record
from xeroadmin.connections.governor import governor
from xeroadmin.connections.matching import best_client
from xeroadmin.connections.models import Grant, Tenant, XeroApp
from xeroadmin.tenancy.models import Client, Workspace
from xeroadmin.xero import endpoints, oauth
from xeroadmin.xero.client import PURPOSES, Wait, XeroClient
from xeroadmin.xero.errors import (
    XeroConnectionRevoked,
    XeroError,
    XeroNotFound,
    XeroOAuthError,
)

logger = logging.getLogger(__name__)

# Renew an access token this long before it expires.
REFRESH_MARGIN = timedelta(seconds=60)
# Refresh grants nobody used for this long (Xero drops refresh tokens unused for 60 days).
KEEPALIVE_AFTER = timedelta(days=7)
# Errors from the token endpoint that mean the grant itself is gone.
FATAL_OAUTH_ERRORS = {"invalid_grant", "invalid_client", "unauthorized_client"}

CONNECTION = ActivityEvent.Category.CONNECTION
MAPPING = ActivityEvent.Category.MAPPING


# ------------------------------------------------------------------ apps and credentials


def default_app_configured() -> bool:
    """Whether the deployment has its own Xero app (XERO_CLIENT_ID and XERO_CLIENT_SECRET)."""
    return bool(settings.XERO_CLIENT_ID and settings.XERO_CLIENT_SECRET)


def app_credentials(app: XeroApp | None) -> oauth.AppCredentials:
    """The client id and secret of a workspace's app, or of the deployment's (app=None)."""
    if app is not None:
        return oauth.AppCredentials(app.client_id, app.client_secret)
    if not default_app_configured():
        raise ValidationError(
            "This deployment has no Xero app configured (XERO_CLIENT_ID and XERO_CLIENT_SECRET). "
            "Add your own Xero app to this workspace instead."
        )
    return oauth.AppCredentials(settings.XERO_CLIENT_ID, settings.XERO_CLIENT_SECRET)


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
    # Only the organisations of this consent; earlier ones of the same user stay as they are.
    granted = oauth.connections(tokens.access_token, auth_event_id=tokens.auth_event_id or None)
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


# ------------------------------------------------------------------ tokens


def grant_access_token(*, grant_id: int, force: bool = False, rejected: str = "") -> str:
    """A valid access token for the grant, refreshed 60 s before expiry under the row's lock.

    Concurrent callers queue on the lock; the first refreshes and the rest find the new token.
    With `force` (Xero said the token expired), it is renewed unless someone already did;
    `rejected` is the token Xero refused, when the caller knows it.
    """
    return _grant_token(grant_id, force=force, rejected=rejected)[0]


def _grant_token(grant_id: int, *, force: bool, rejected: str) -> tuple[str, datetime]:
    grant = Grant.objects.get(pk=grant_id)
    _require_active(grant)
    if not force and grant.expires_at - REFRESH_MARGIN > timezone.now():
        return grant.access_token, grant.expires_at
    stale = rejected or grant.access_token
    failure: XeroError | None = None
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant_id)
        _require_active(grant)
        fresh = grant.expires_at - REFRESH_MARGIN > timezone.now()
        if fresh and (not force or grant.access_token != stale):
            return grant.access_token, grant.expires_at
        try:
            tokens = _renew(grant)
        except XeroOAuthError as error:
            if error.error not in FATAL_OAUTH_ERRORS:
                raise
            _needs_reconnect(grant, error.message)
            failure = XeroConnectionRevoked(error.message)
        else:
            grant.access_token = tokens.access_token
            grant.refresh_token = tokens.refresh_token or grant.refresh_token
            grant.expires_at = tokens.expires_at
            grant.scopes = " ".join(tokens.scopes) or grant.scopes
            grant.refresh_count += 1
            grant.last_refreshed_at = timezone.now()
            grant.save(
                update_fields=[
                    "access_token",
                    "refresh_token",
                    "expires_at",
                    "scopes",
                    "refresh_count",
                    "last_refreshed_at",
                    "updated_at",
                ]
            )
            return grant.access_token, grant.expires_at
    # Raised after the block, so the "needs reconnect" marking above is committed.
    raise failure


def _renew(grant: Grant) -> oauth.TokenSet:
    credentials = app_credentials(grant.app)
    if grant.kind == Grant.Kind.CUSTOM:
        return oauth.client_credentials(credentials)
    return oauth.refresh(credentials, refresh_token=grant.refresh_token)


def _require_active(grant: Grant) -> None:
    if grant.status != Grant.Status.ACTIVE:
        raise XeroConnectionRevoked(
            grant.status_detail or "This Xero connection needs reconnecting by an admin."
        )


def _needs_reconnect(grant: Grant, reason: str) -> None:
    """Mark a grant and its organisations "needs reconnect", once, with an activity entry."""
    grant.status, grant.status_detail = Grant.Status.NEEDS_RECONNECT, reason
    grant.save(update_fields=["status", "status_detail", "updated_at"])
    now = timezone.now()
    for tenant in Tenant.objects.filter(grant=grant, status=Tenant.Status.CONNECTED):
        tenant.status = Tenant.Status.NEEDS_RECONNECT
        tenant.last_error, tenant.last_error_at = reason, now
        tenant.save(update_fields=["status", "last_error", "last_error_at", "updated_at"])
        activity_record(
            workspace=grant.workspace_id,
            tenant=tenant,
            category=CONNECTION,
            action="needs_reconnect",
            source=ActivityEvent.Source.XERO,
            summary=f"{tenant.name} needs reconnecting: {reason}",
        )


def grant_keepalive() -> int:
    """Refresh the grants nobody has refreshed for a week; returns how many were refreshed."""
    cutoff = timezone.now() - KEEPALIVE_AFTER
    idle = Grant.objects.filter(
        status=Grant.Status.ACTIVE, kind=Grant.Kind.OAUTH, last_refreshed_at__lt=cutoff
    ).values_list("pk", flat=True)
    refreshed = 0
    for grant_id in list(idle):
        try:
            grant_access_token(grant_id=grant_id, force=True)
        except XeroError as error:
            logger.warning("Keep-alive refresh of grant %s failed: %s", grant_id, error)
        else:
            refreshed += 1
    return refreshed


# ------------------------------------------------------------------ calling Xero for a tenant


@dataclass
class GrantTokens:
    """The TokenSource a XeroClient uses: the grant's tokens, refreshed as needed, and kept in
    memory for the client's life until a minute before they expire."""

    grant_id: int
    _token: str = field(default="", repr=False)
    _expires_at: datetime | None = None

    def access_token(self, *, force: bool = False) -> str:
        fresh = self._expires_at is not None and self._expires_at - REFRESH_MARGIN > timezone.now()
        if not force and self._token and fresh:
            return self._token
        self._token, self._expires_at = _grant_token(
            self.grant_id, force=force, rejected=self._token if force else ""
        )
        return self._token


def tenant_client(
    tenant: Tenant, *, purpose: str = "background", max_wait: float | None = None
) -> XeroClient:
    """A XeroClient for the organisation, governed, recording errors and waits on the tenant.

    `purpose` says who waits for it ("write" and "read" for a person at a page, "background"
    for workers), which sets its priority at the governor, its timeouts and its retries.
    """
    fit = PURPOSES[purpose]
    if tenant.grant_id is None or tenant.status != Tenant.Status.CONNECTED:
        raise XeroConnectionRevoked(f"{tenant.name} is not connected; reconnect it first.")
    grant = tenant.grant
    assert grant is not None

    def on_error(error: XeroError) -> None:
        _tenant_error(tenant, error)

    def on_wait(wait: Wait) -> None:
        Tenant.objects.filter(pk=tenant.pk).update(last_wait=str(wait), last_wait_at=timezone.now())

    return XeroClient(
        tenant_id=tenant.tenant_id,
        app=grant.client_id,
        tokens=GrantTokens(grant.pk),
        governor=governor(),
        max_wait=fit.max_wait if max_wait is None else max_wait,
        retries=fit.retries,
        timeout=fit.timeout,
        priority=fit.priority,
        on_error=on_error,
        on_wait=on_wait,
    )


def _tenant_error(tenant: Tenant, error: XeroError) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(last_error=str(error), last_error_at=timezone.now())
    if isinstance(error, XeroConnectionRevoked) and error.status == 403:
        # Xero refuses this organisation: find out whether it was disconnected on Xero's side.
        try:
            _confirm_connection(Tenant.objects.select_related("grant").get(pk=tenant.pk))
        except XeroError as check_error:
            logger.info("Could not check %s's connection: %s", tenant.tenant_id, check_error)


def tenant_check(*, tenant: Tenant) -> Tenant:
    """Ask Xero whether the organisation is still connected, and refresh its details."""
    if _confirm_connection(tenant):
        _organisation_details(tenant)
    return tenant


def _confirm_connection(tenant: Tenant) -> bool:
    """Whether `/connections` still lists the organisation; marks it when Xero dropped it."""
    grant = tenant.grant
    if grant is None or tenant.status == Tenant.Status.DISCONNECTED:
        return False
    token = grant_access_token(grant_id=grant.pk)
    granted = {c.tenant_id: c for c in oauth.connections(token)}
    now = timezone.now()
    connection = granted.get(tenant.tenant_id)
    if connection is None:
        _removed_in_xero(tenant)
        return False
    tenant.name = connection.tenant_name or tenant.name
    tenant.connection_id = connection.id or tenant.connection_id
    tenant.last_checked_at = now
    fields = ["name", "connection_id", "last_checked_at", "updated_at"]
    if tenant.status != Tenant.Status.CONNECTED:
        tenant.status = Tenant.Status.CONNECTED
        fields.append("status")
    tenant.save(update_fields=fields)
    return True


def _organisation_details(tenant: Tenant) -> None:
    """Name, short code, country and base currency from `/Organisation` (renames included)."""
    try:
        body = tenant_client(tenant, purpose="read").get("Organisation") or {}
    except XeroError as error:
        logger.info("Could not read %s's organisation: %s", tenant.tenant_id, error)
        return
    organisations = body.get("Organisations") or [{}]
    if isinstance(organisations[0], dict):
        tenant_details_update(tenant=tenant, details=organisations[0])


def tenant_details_update(*, tenant: Tenant, details: dict[str, Any]) -> None:
    """Name, short code, country and base currency from Xero's Organisation record."""
    tenant.name = str(details.get("Name") or tenant.name)[:255]
    tenant.short_code = str(details.get("ShortCode") or "")[:32]
    tenant.country_code = str(details.get("CountryCode") or "")[:8]
    tenant.base_currency = str(details.get("BaseCurrency") or "")[:8]
    tenant.save(update_fields=["name", "short_code", "country_code", "base_currency", "updated_at"])


def _removed_in_xero(tenant: Tenant) -> None:
    if tenant.status == Tenant.Status.REMOVED_IN_XERO:
        return
    now = timezone.now()
    with transaction.atomic():
        tenant.status = Tenant.Status.REMOVED_IN_XERO
        tenant.disconnected_at = now
        tenant.last_error = "This organisation was disconnected in Xero."
        tenant.last_error_at = now
        tenant.last_checked_at = now
        tenant.save(
            update_fields=[
                "status",
                "disconnected_at",
                "last_error",
                "last_error_at",
                "last_checked_at",
                "updated_at",
            ]
        )
        activity_record(
            workspace=tenant.workspace_id,
            tenant=tenant,
            category=CONNECTION,
            action="removed_in_xero",
            source=ActivityEvent.Source.XERO,
            summary=f"{tenant.name} was disconnected in Xero",
        )


def workspace_check(*, workspace: Workspace) -> list[Tenant]:
    """Check every connected organisation of the workspace (names, Xero-side disconnects)."""
    checked = []
    tenants = Tenant.objects.filter(workspace=workspace).exclude(status=Tenant.Status.DISCONNECTED)
    for tenant in tenants.select_related("grant"):
        try:
            checked.append(tenant_check(tenant=tenant))
        except XeroError as error:
            _tenant_error(tenant, error)
    return checked


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


# ------------------------------------------------------------------ org mapping


def mapping_suggestions(*, workspace: Workspace) -> dict[int, Client | None]:
    """For each unmapped tenant, the client whose name is most like the organisation's."""
    clients = list(Client.objects.filter(workspace=workspace))
    return {
        tenant.pk: best_client(tenant.name, clients)
        for tenant in Tenant.objects.filter(workspace=workspace, client__isnull=True)
    }


NEW_CLIENT = "new"


def mapping_save(
    *, workspace: Workspace, actor: User, choices: dict[int, str]
) -> list[tuple[Tenant, Client | None]]:
    """Save the whole mapping table at once. Each choice is a client id, "new" (create a client
    named after the organisation) or "" (unmapped). Returns the tenants that changed."""
    tenants = {t.pk: t for t in Tenant.objects.filter(workspace=workspace, pk__in=choices)}
    clients = {c.pk: c for c in Client.objects.filter(workspace=workspace)}
    changed: list[tuple[Tenant, Client | None]] = []
    with transaction.atomic():
        for tenant_pk, choice in choices.items():
            tenant = tenants.get(tenant_pk)
            client: Client | None
            if tenant is None:
                raise ValidationError("An organisation in the table no longer exists; reload.")
            if choice == NEW_CLIENT:
                client = _client_for_organisation(workspace, tenant.name, clients)
            elif choice:
                client = clients.get(int(choice)) if choice.isdigit() else None
                if client is None:
                    raise ValidationError(f"Choose a client of this workspace for {tenant.name}.")
            else:
                client = None
            if client == tenant.client:
                continue
            previous = tenant.client
            tenant.client = client
            tenant.save(update_fields=["client", "updated_at"])
            changed.append((tenant, client))
            if client is None:
                summary = f"{tenant.name} unmapped from {previous} by {actor.email}"
            else:
                summary = f"{tenant.name} mapped to {client.name} by {actor.email}"
            activity_record(
                workspace=workspace,
                tenant=tenant,
                client=client or previous,
                category=MAPPING,
                action="mapped" if client else "unmapped",
                summary=summary,
                actor=actor,
            )
    return changed


def _client_for_organisation(workspace: Workspace, name: str, clients: dict[int, Client]) -> Client:
    """The client named after the organisation: created, or the existing one of that name."""
    existing = next((c for c in clients.values() if c.name.lower() == name.lower()), None)
    if existing is not None:
        return existing
    client = Client.objects.create(workspace=workspace, name=name[:200])
    clients[client.pk] = client
    return client
