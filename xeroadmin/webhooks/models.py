"""Xero's webhook deliveries as received (signed, raw), and the events they carried."""

from __future__ import annotations

from typing import ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class WebhookDelivery(models.Model):
    """One signed POST from Xero, stored before it was acknowledged.

    It is also the unit of processing: a durable row with a claim and heartbeat, so a sweeper
    picks up what a dead worker left.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSING = "processing", "Processing"
        RETRYING = "retrying", "Waiting to retry"
        DONE = "done", "Processed"
        FAILED = "failed", "Failed"
        INVALID = "invalid", "Not Xero's format"

    # Null: the deployment's default app.
    app = models.ForeignKey(
        "connections.XeroApp",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    body = models.BinaryField()
    signature_valid = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    events = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["-received_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"


class WebhookEvent(models.Model):
    """One event for one organisation we know (or none: "unrouted"), processed once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Recorded"
        CURRENT = "current", "Already up to date"
        UNROUTED = "unrouted", "No organisation here"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="items")
    # Set when the event reached a workspace (through its own app, or a tenant it connected).
    workspace = models.ForeignKey(
        "tenancy.Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tenant = models.ForeignKey(
        "connections.Tenant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_events",
    )
    # Delivery is at least once: the same event twice has the same key and is stored once.
    key = models.CharField(max_length=64, unique=True)
    xero_tenant_id = models.CharField(max_length=64)
    category = models.CharField(max_length=20)
    event_type = models.CharField(max_length=10)
    resource_id = models.CharField(max_length=64)
    event_date = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(encoder=DjangoJSONEncoder, default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(max_length=255, blank=True)
    activity = models.OneToOneField(
        "activity.ActivityEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_event",
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["pk"]
        indexes: ClassVar = [
            models.Index(fields=["delivery", "status"], name="webhooks_event_delivery"),
            models.Index(fields=["workspace", "-id"], name="webhooks_event_workspace"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.event_type} {self.resource_id}"


class WebhookCounter(models.Model):
    """Badly signed deliveries, counted per app; nothing else of them is kept."""

    # "default", or "app:<pk>" for a workspace's own app.
    scope = models.CharField(max_length=40, unique=True)
    rejected = models.PositiveBigIntegerField(default=0)
    last_rejected_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.scope}: {self.rejected} rejected"
