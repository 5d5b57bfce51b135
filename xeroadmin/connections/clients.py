"""Calling Xero for an organisation: its grant's tokens (refreshed a minute before they
expire, serialised on the grant's row, kept alive), a governed client for it, and what a
refused call says about the connection (checked against Xero's `/connections`).

The token refresh is the one call to Xero made inside a transaction, on purpose: Xero rotates
refresh tokens, so two processes refreshing at once would break the connection.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.services import activity_record
from xeroadmin.connections import usage
from xeroadmin.connections.governor import governor
from xeroadmin.connections.models import Grant, Tenant, XeroApp
from xeroadmin.tenancy.models import Workspace
from xeroadmin.xero import endpoints, oauth
from xeroadmin.xero.client import PURPOSES, Wait, XeroClient
from xeroadmin.xero.errors import XeroConnectionRevoked, XeroError, XeroOAuthError

logger = logging.getLogger(__name__)

# Renew an access token this long before it expires.
REFRESH_MARGIN = timedelta(seconds=60)
# Refresh grants nobody used for this long (Xero drops refresh tokens unused for 60 days).
KEEPALIVE_AFTER = timedelta(days=7)
# Errors from the token endpoint that mean the grant itself is gone.
FATAL_OAUTH_ERRORS = {"invalid_grant", "invalid_client", "unauthorized_client"}

CONNECTION = ActivityEvent.Category.CONNECTION


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
    tenant: Tenant,
    *,
    purpose: str = "background",
    max_wait: float | None = None,
    api: str = endpoints.ACCOUNTING,
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
        on_answer=functools.partial(usage.record, grant.client_id, tenant.tenant_id),
        api=api,
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
    """Name, short code, country, base currency and tax number from Xero's Organisation."""
    tenant.name = str(details.get("Name") or tenant.name)[:255]
    tenant.short_code = str(details.get("ShortCode") or "")[:32]
    tenant.country_code = str(details.get("CountryCode") or "")[:8]
    tenant.base_currency = str(details.get("BaseCurrency") or "")[:8]
    tenant.tax_number = str(details.get("TaxNumber") or "")[:50]
    tenant.save(
        update_fields=[
            "name",
            "short_code",
            "country_code",
            "base_currency",
            "tax_number",
            "updated_at",
        ]
    )


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
