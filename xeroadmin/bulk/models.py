"""Bulk jobs: one action on many records across organisations, kept row by row.

A job holds one part per organisation and one row per record. Parts are claimed by workers
with a heartbeat (as sync jobs are) and taken over by the sweeper when a worker dies; a row
remembers the Idempotency-Key of the call it went in, so a batch resent after a crash is the
same request and Xero applies it once.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class BulkJob(models.Model):
    class Action(models.TextChoices):
        APPROVE = "approve", "Approve"
        VOID = "void", "Void"
        DELETE = "delete", "Delete drafts"
        EMAIL = "email", "E-mail"
        ARCHIVE = "archive", "Archive contacts"
        NOTE = "note", "Add a history note"

    class Status(models.TextChoices):
        PREVIEW = "preview", "Preview"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    workspace = models.ForeignKey(
        "tenancy.Workspace", on_delete=models.CASCADE, related_name="bulk_jobs"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    # What was chosen, in words ("Drafts older than 30 days, every client").
    chosen = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)  # the text of a history note
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    # The stem of every Idempotency-Key the job sends (with its part and batch number).
    key = models.CharField(max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activity = models.ForeignKey(
        "activity.ActivityEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "-created_at"], name="bulk_job_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.status})"

    @property
    def kind(self) -> str:
        """The kind of record the action is for."""
        return "contact" if self.action == self.Action.ARCHIVE else "invoice"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.RUNNING


class BulkPart(models.Model):
    """A job's rows in one organisation, run by one worker at a time."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the job to start"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="parts")
    tenant = models.ForeignKey("connections.Tenant", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    claim = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    batches = models.PositiveIntegerField(default=0)  # numbers the Idempotency-Keys
    calls = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)  # runs in a row that Xero failed
    error = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["job", "tenant"], name="bulk_part_unique")
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "heartbeat_at"], name="bulk_part_sweep"),
        ]

    def __str__(self) -> str:
        return f"part of job {self.job_id} in {self.tenant_id} ({self.status})"


class BulkRow(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Not sent"
        REFUSED = "refused", "Refused by Xero"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="rows")
    part = models.ForeignKey(BulkPart, on_delete=models.CASCADE, related_name="rows")
    record_pk = models.PositiveBigIntegerField()  # the mirror's row, for links
    xero_id = models.CharField(max_length=36)
    label = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # The record's UpdatedDateUTC when it was chosen: a later change in Xero is not overwritten.
    seen = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    reason = models.TextField(blank=True)
    batch = models.CharField(max_length=80, blank=True)  # the Idempotency-Key it went with
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["pk"]
        indexes: ClassVar = [
            models.Index(fields=["part", "state"], name="bulk_row_part_state"),
            models.Index(fields=["job", "state"], name="bulk_row_job_state"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.state})"
