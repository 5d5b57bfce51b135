"""Rules and what they send: a condition watched in every organisation a rule covers, one
alert per episode (when the condition begins; another only after it has cleared and come
back), delivered in the app (the bell), by e-mail (at once or in a digest), and to the
workspace's channels (Slack, Teams, signed webhooks) with a delivery log."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from xeroadmin.lib.crypto import EncryptedTextField

# What a rule can watch: (label, the parameters it takes).
CONDITIONS = {
    "needs_reconnect": ("An organisation needs reconnecting", ()),
    "grant_expiry": ("A Xero sign-in nears its 60-day expiry (7 and 2 days before)", ()),
    "webhooks_failing": ("Webhook events from Xero failing", ()),
    "sync_stalled": ("Sync stalled", ()),
    "overdue": ("An invoice overdue by more than N days, owing at least an amount", ("days", "amount")),
    "invoice_created": ("An invoice created, of at least an amount", ("amount",)),
    "invoice_approved": ("An invoice approved, of at least an amount", ("amount",)),
    "bill_awaiting": ("A bill waiting for approval", ()),
    "bank_details": ("A contact's bank details changed", ()),
    "invoice_voided": ("An invoice voided or deleted, of at least an amount", ("amount",)),
    "health_below": ("A client's health score below a level", ("level",)),
}  # fmt: skip


class Channel(models.Model):
    """Somewhere outside the app a workspace's alerts go: a Slack or Teams incoming webhook,
    or a URL of its own that receives signed JSON events."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"
        WEBHOOK = "webhook", "Signed webhook"

    workspace = models.ForeignKey("tenancy.Workspace", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=100)
    url = EncryptedTextField()  # Slack's and Teams' URLs are secrets themselves
    secret = EncryptedTextField(blank=True)  # signs a webhook's deliveries; shown once
    # A webhook also receives every contact and invoice created or updated.
    record_events = models.BooleanField("also send contact and invoice changes", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class Rule(models.Model):
    """A workspace rule (made by an admin; `owner` empty) or a person's own subscription."""

    class Email(models.TextChoices):
        NONE = "", "No e-mail"
        IMMEDIATE = "immediate", "At once"
        DAILY = "daily", "Daily digest"
        WEEKLY = "weekly", "Weekly digest"

    workspace = models.ForeignKey("tenancy.Workspace", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        "tenancy.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    condition = models.CharField(
        max_length=32, choices=[(k, label) for k, (label, _) in CONDITIONS.items()]
    )
    days = models.PositiveIntegerField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    level = models.PositiveIntegerField(null=True, blank=True)
    # Limits: none of either means every organisation (the owner may see).
    clients = models.ManyToManyField("tenancy.Client", blank=True, related_name="+")
    tenants = models.ManyToManyField("connections.Tenant", blank=True, related_name="+")
    in_app = models.BooleanField("in the app (the bell)", default=True)
    email = models.CharField(max_length=16, choices=Email.choices, blank=True, default="")
    channels = models.ManyToManyField(Channel, blank=True, related_name="rules")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["pk"]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        label = CONDITIONS[self.condition][0]
        words = label
        if self.days is not None:
            words = words.replace("N days", f"{self.days} days")
        if self.amount is not None:
            words = words.replace("an amount", f"{self.amount:,.2f}")
        if self.level is not None:
            words = words.replace("a level", str(self.level))
        return words


class Episode(models.Model):
    """A time a rule's condition held somewhere: it began (and raised its one alert) and, for
    a state, ended when the condition cleared."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="episodes")
    place = models.CharField(max_length=40)  # "t<tenant pk>" or "c<client pk>"
    key = models.CharField(max_length=200)  # what it is about there ("invoice:<id>")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["rule", "place", "key"],
                condition=Q(ended_at__isnull=True),
                name="alerts_one_open_episode",
            )
        ]
        indexes: ClassVar = [models.Index(fields=["rule", "place"], name="alerts_episode_place")]

    def __str__(self) -> str:
        return f"{self.key} at {self.place}"


class Alert(models.Model):
    workspace = models.ForeignKey("tenancy.Workspace", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(Rule, null=True, on_delete=models.SET_NULL, related_name="alerts")
    episode = models.OneToOneField(
        Episode, null=True, on_delete=models.SET_NULL, related_name="alert"
    )
    tenant = models.ForeignKey(
        "connections.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(
        "tenancy.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.summary


class Notification(models.Model):
    """An alert for one member: in the bell until read, and in their e-mail as they chose."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    member = models.ForeignKey(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="notifications"
    )
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=16, blank=True)  # as the rule said, when it was raised
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["alert", "member"], name="alerts_one_per_member")
        ]
        indexes: ClassVar = [
            models.Index(fields=["member", "in_app", "read_at"], name="alerts_unread"),
            models.Index(fields=["email", "emailed_at"], name="alerts_to_email"),
        ]

    def __str__(self) -> str:
        return f"{self.alert} for {self.member_id}"


class RecordChange(models.Model):
    """A contact or invoice created or changed in the mirror (by a sync, a webhook, an edit
    here or a bulk job), kept until the rules and webhook channels have seen it."""

    workspace = models.ForeignKey("tenancy.Workspace", on_delete=models.CASCADE, related_name="+")
    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)  # "invoice" or "contact"
    record_pk = models.PositiveBigIntegerField()
    xero_id = models.CharField(max_length=36)
    created = models.BooleanField(default=False)
    status_from = models.CharField(max_length=20, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    bank_changed = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["pk"]
        indexes: ClassVar = [models.Index(fields=["tenant", "id"], name="alerts_change_tenant")]

    def __str__(self) -> str:
        return f"{self.kind} {self.xero_id} changed"


class Delivery(models.Model):
    """One event posted to one channel: retried with backoff for a day, then given up."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=36, unique=True)
    event = models.CharField(max_length=40)  # "alert", "invoice.updated", "test", ...
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_at = models.DateTimeField()
    claim = models.CharField(max_length=32, blank=True)
    last_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["status", "next_at"], name="alerts_due")]

    def __str__(self) -> str:
        return f"{self.event} to {self.channel_id} ({self.status})"


class DigestMark(models.Model):
    """When a member's last daily and weekly digests were sent."""

    member = models.OneToOneField(
        "tenancy.Membership", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    daily_at = models.DateTimeField(null=True, blank=True)
    weekly_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digests of {self.member_id}"
