from __future__ import annotations

from typing import ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

# What each kind is called, and its default weight in the health score (out of 100).
KINDS = {
    "needs_reconnect": ("Needs reconnecting", 40),
    "grant_idle": ("Xero sign-in near its 60-day expiry", 25),
    "sync_stale": ("Sync stale", 20),
    "webhooks_failing": ("Webhook events failing", 10),
    "webhooks_quiet": ("Webhooks gone quiet", 10),
    "long_overdue": ("Long overdue invoice", 8),
    "duplicate_bill": ("Possible duplicate bill", 8),
    "stale_draft": ("Old draft", 3),
    "no_email": ("Customer owing with no e-mail", 4),
    "duplicate_contact": ("Possible duplicate contact", 4),
    "bill_no_attachment": ("Bill without an attachment", 2),
}

# The kinds whose finding is about one invoice or one contact (its subject is the record's
# Xero id): a bulk job can act on those records.
RECORD_OF = {
    "stale_draft": "invoice",
    "long_overdue": "invoice",
    "bill_no_attachment": "invoice",
    "no_email": "contact",
}


class KeptFigures(models.Model):
    """An organisation's portfolio figures on one day, as worked out at one version of its
    books (`books.mirror.invoices_version`): fresh while the version is the same."""

    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    version = models.PositiveBigIntegerField()
    data = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "as_of"], name="portfolio_kept_unique")
        ]

    def __str__(self) -> str:
        return f"figures of {self.tenant_id} on {self.as_of} at version {self.version}"


class CheckSettings(models.Model):
    """A workspace's thresholds for the data-health checks, and each kind's weight in the
    health score (admins set them; the defaults stand until then)."""

    class Strictness(models.TextChoices):
        EXACT = "exact", "Same name once case, punctuation, “&”/“and” and “Ltd”/“Limited” agree"
        LOOSE = "loose", "Same name also without legal endings (Ltd, Pty, Inc, LLC, Co)"

    workspace = models.OneToOneField(
        "tenancy.Workspace", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    draft_days = models.PositiveIntegerField("drafts older than (days)", default=30)
    overdue_days = models.PositiveIntegerField("invoices overdue by more than (days)", default=60)
    overdue_amount = models.DecimalField(
        "and owing at least", max_digits=14, decimal_places=2, default=1000
    )
    duplicate_bill_days = models.PositiveIntegerField(
        "bills of the same amount from one supplier within (days)", default=7
    )
    attachment_amount = models.DecimalField(
        "bills without an attachment from", max_digits=14, decimal_places=2, default=1000
    )
    strictness = models.CharField(
        "duplicate contacts", max_length=8, choices=Strictness.choices, default=Strictness.EXACT
    )
    weights = models.JSONField("weights", default=dict, blank=True)

    def __str__(self) -> str:
        return f"checks of workspace {self.workspace_id}"


class Finding(models.Model):
    """Something a check found in an organisation's books or connection, and what people did
    about it. Keyed by (organisation, kind, subject); `inputs` fingerprints what it was worked
    out from, so that a dismissed finding comes back only when those change."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        SNOOZED = "snoozed", "Snoozed"
        DISMISSED = "dismissed", "Dismissed"
        RESOLVED = "resolved", "Resolved"

    workspace = models.ForeignKey(
        "tenancy.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=[(k, label) for k, (label, _) in KINDS.items()])
    subject = models.CharField(max_length=200)
    summary = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    inputs = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    reason = models.TextField(blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        "tenancy.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_seen = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "subject"], name="portfolio_finding_unique"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "state"], name="portfolio_finding_queue")
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.tenant_id}: {self.summary}"
