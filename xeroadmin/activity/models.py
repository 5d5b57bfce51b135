"""What happened, per organisation and per workspace: edits in the app, Xero's webhooks, syncs
and connection events, each with who did it and when."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class ActivityEvent(models.Model):
    class Source(models.TextChoices):
        APP = "app", "In xeroadmin"
        XERO = "xero", "Xero"
        WEBHOOK = "webhook", "Xero webhook"
        SYNC = "sync", "Sync"
        SYSTEM = "system", "System"

    class Category(models.TextChoices):
        CONNECTION = "connection", "Connection"
        MAPPING = "mapping", "Org mapping"
        APP = "app", "Xero app"

    workspace = models.ForeignKey(
        "tenancy.Workspace", on_delete=models.CASCADE, related_name="activity"
    )
    tenant = models.ForeignKey(
        "connections.Tenant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity",
    )
    client = models.ForeignKey(
        "tenancy.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="activity"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.APP)
    category = models.CharField(max_length=32)
    action = models.CharField(max_length=32)
    summary = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept beside the foreign key so the entry still says who after the user is deleted.
    actor_label = models.CharField(max_length=254, blank=True)
    data = models.JSONField(encoder=DjangoJSONEncoder, default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "-created_at"], name="activity_workspace_recent"),
            models.Index(fields=["tenant", "-created_at"], name="activity_tenant_recent"),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def who(self) -> str:
        return self.actor_label or self.get_source_display()
