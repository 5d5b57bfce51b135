"""Xero apps, the token sets (grants) they hold, and the organisations (tenants) they reach."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from xeroadmin.lib.crypto import EncryptedTextField


def _webhook_token() -> str:
    return secrets.token_urlsafe(16)


class XeroApp(models.Model):
    """A workspace's own Xero app ("bring your own app"); the deployment's default app lives in
    the environment instead and is never stored."""

    class Kind(models.TextChoices):
        WEB = "web", "Web app (consent in Xero)"
        CUSTOM = "custom", "Custom Connection"

    workspace = models.ForeignKey(
        "tenancy.Workspace", on_delete=models.CASCADE, related_name="xero_apps"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WEB)
    name = models.CharField(max_length=100)
    client_id = models.CharField("client id", max_length=100)
    client_secret = EncryptedTextField("client secret")
    webhook_key = EncryptedTextField("webhook key", blank=True)
    # Blank: the deployment's default (XERO_SCOPES).
    scopes = models.CharField(max_length=500, blank=True)
    # The last segment of this app's webhook delivery URL.
    webhook_token = models.CharField(max_length=32, unique=True, default=_webhook_token)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["workspace", "client_id"], name="connections_app_client_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """One Xero user's consent to one app, or a Custom Connection: the token set behind tenants.

    Xero rotates refresh tokens, so there is exactly one row per consent and it is refreshed
    under a row lock.
    """

    # Xero drops a refresh token left unused this long (the sign-in must then be given again).
    REFRESH_LIFE = timedelta(days=60)

    class Kind(models.TextChoices):
        OAUTH = "oauth", "Consent"
        CUSTOM = "custom", "Custom Connection"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        REVOKED = "revoked", "Revoked"

    workspace = models.ForeignKey(
        "tenancy.Workspace", on_delete=models.CASCADE, related_name="xero_grants"
    )
    # Null: the deployment's default app.
    app = models.ForeignKey(
        XeroApp, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OAUTH)
    client_id = models.CharField(max_length=100)
    xero_user_id = models.CharField(max_length=64, blank=True)
    xero_user_email = models.CharField(max_length=254, blank=True)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField(blank=True)
    expires_at = models.DateTimeField()
    scopes = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_detail = models.TextField(blank=True)
    auth_event_id = models.CharField(max_length=64, blank=True)
    refresh_count = models.PositiveIntegerField(default=0)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["workspace", "client_id", "xero_user_id"],
                condition=Q(kind="oauth") & ~Q(xero_user_id=""),
                name="connections_one_grant_per_xero_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.xero_user_email or self.client_id}"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class Tenant(models.Model):
    """A connected Xero organisation, keyed by its tenant id (never its name) and mapped to one
    of the workspace's clients."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        REMOVED_IN_XERO = "removed_in_xero", "Disconnected in Xero"
        DISCONNECTED = "disconnected", "Disconnected"

    workspace = models.ForeignKey(
        "tenancy.Workspace", on_delete=models.CASCADE, related_name="tenants"
    )
    grant = models.ForeignKey(
        Grant, null=True, blank=True, on_delete=models.SET_NULL, related_name="tenants"
    )
    tenant_id = models.CharField(max_length=64)
    tenant_type = models.CharField(max_length=32, default="ORGANISATION")
    connection_id = models.CharField(max_length=64, blank=True)
    auth_event_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=255)
    short_code = models.CharField(max_length=32, blank=True)
    country_code = models.CharField(max_length=8, blank=True)
    base_currency = models.CharField(max_length=8, blank=True)
    # From Xero: the organisation's tax number, and its subscriber's e-mail (read with its
    # users); both help suggest its client.
    tax_number = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    client = models.ForeignKey(
        "tenancy.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="tenants"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # When its books were last synced in full or in part (shown on every books page).
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_wait = models.CharField(max_length=200, blank=True)
    last_wait_at = models.DateTimeField(null=True, blank=True)
    # When a signed webhook delivery of its app was last processed: while that is recent,
    # webhooks carry its contacts and invoices and the sync polls them far less often.
    webhooks_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["workspace", "tenant_id"], name="connections_tenant_unique_in_workspace"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED

    @property
    def needs_attention(self) -> bool:
        return self.status in (self.Status.NEEDS_RECONNECT, self.Status.REMOVED_IN_XERO)


class RateLimitState(models.Model):
    """The governor's counters for one organisation or app, shared by every process."""

    key = models.CharField(max_length=200, unique=True)
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class ApiUsage(models.Model):
    """Calls made to one organisation through one Xero app in a day (UTC), and the bytes of
    Xero's answers (what Xero's plans meter as data downloaded)."""

    client_id = models.CharField(max_length=100)  # the Xero app's
    tenant_id = models.CharField(max_length=64)
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["client_id", "tenant_id", "day"], name="connections_usage_once_a_day"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["client_id", "day"])]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day}: {self.calls} calls"
