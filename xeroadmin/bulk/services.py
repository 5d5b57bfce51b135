"""A bulk job's life: made as a preview, started, cancelled, its failed rows retried.

Each step is one transaction; work for the workers is queued once it commits. Starting a job
that has started, or retrying when nothing failed, changes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.services import activity_record
from xeroadmin.books.history import note_signature
from xeroadmin.books.services import MAX_NOTE
from xeroadmin.bulk.models import BulkJob, BulkPart, BulkRow
from xeroadmin.bulk.selection import Chosen
from xeroadmin.lib.tasks import enqueue_on_commit
from xeroadmin.tenancy.models import Membership

# Rows that were sent and did not succeed: "Retry the failed rows" sends them again.
RETRIABLE = (BulkRow.State.REFUSED, BulkRow.State.FAILED)


def _enqueue(part_id: int) -> None:
    from xeroadmin.bulk.tasks import bulk_part_run

    enqueue_on_commit(bulk_part_run, part_id)


@transaction.atomic
def bulk_job_create(
    *,
    membership: Membership,
    action: str,
    records: Iterable[Chosen],
    chosen: str,
    note: str = "",
) -> BulkJob:
    """A job in preview: its parts and rows, those the guards refuse already marked."""
    if action not in BulkJob.Action.values:
        raise ValidationError("Choose what to do.")
    note = note.strip()
    if action == BulkJob.Action.NOTE:
        room = MAX_NOTE - len(note_signature("", membership.user.email))
        if not note:
            raise ValidationError({"note": "Write the note first."})
        if len(note) > room:
            raise ValidationError({"note": f"A note can be at most {room:,} characters."})
    rows = list(records)
    if not rows:
        raise ValidationError("Nothing matches; there is nothing to do.")
    job = BulkJob.objects.create(
        workspace_id=membership.workspace_id,
        action=action,
        chosen=chosen[:300],
        note=note,
        key=uuid.uuid4().hex,
        created_by=membership.user,
    )
    parts = {
        tenant_id: BulkPart.objects.create(job=job, tenant_id=tenant_id)
        for tenant_id in sorted({r.tenant_id for r in rows})
    }
    BulkRow.objects.bulk_create(
        [
            BulkRow(
                job=job,
                part=parts[r.tenant_id],
                record_pk=r.record_pk,
                xero_id=r.xero_id,
                label=r.label[:300],
                amount=r.amount,
                currency=r.currency,
                seen=r.seen,
                state=BulkRow.State.SKIPPED if r.refusal else BulkRow.State.PENDING,
                reason=r.refusal or "",
            )
            for r in rows
        ],
        batch_size=500,
    )
    return job


@transaction.atomic
def bulk_job_start(*, job: BulkJob, actor: User) -> BulkJob:
    """Start a previewed job: one entry in the feed, each organisation's part queued."""
    started = BulkJob.objects.filter(pk=job.pk, status=BulkJob.Status.PREVIEW).update(
        status=BulkJob.Status.RUNNING, started_at=timezone.now()
    )
    job.refresh_from_db()
    if not started:
        return job  # already started (a second click, a replayed request): nothing more
    counts = Counter(job.rows.values_list("state", flat=True))
    event = activity_record(
        workspace=job.workspace_id,
        category="bulk",
        action=job.action,
        summary=f"{describe(job, sum(counts.values()))} started by {actor.email}",
        actor=actor,
        data={"job": job.pk, "url": reverse("bulk:job-detail", args=[job.workspace_id, job.pk])},
    )
    BulkJob.objects.filter(pk=job.pk).update(activity=event)
    job.activity = event
    _queue_parts(job)
    return job


def _queue_parts(job: BulkJob) -> None:
    """Queue every part with rows to send; a job with none is finished at once."""
    waiting = set(
        job.rows.filter(state=BulkRow.State.PENDING).values_list("part_id", flat=True).distinct()
    )
    for part in job.parts.all():
        if part.pk in waiting:
            BulkPart.objects.filter(pk=part.pk).update(
                status=BulkPart.Status.QUEUED, claim="", failures=0, error=""
            )
            _enqueue(part.pk)
        elif part.status != BulkPart.Status.RUNNING:
            BulkPart.objects.filter(pk=part.pk).update(status=BulkPart.Status.DONE)
    bulk_job_settle(job.pk)


@transaction.atomic
def bulk_job_cancel(*, job: BulkJob, actor: User) -> int:
    """Cancel a running job: rows not yet sent are not sent. Returns how many were stopped."""
    if job.status != BulkJob.Status.RUNNING:
        return 0
    stopped = BulkRow.objects.filter(job=job, state=BulkRow.State.PENDING).update(
        state=BulkRow.State.CANCELLED, reason=f"Cancelled by {actor.email}."
    )
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.CANCELLED)
    # Parts with a batch in flight finish it; the others have nothing left.
    sending = set(
        job.rows.filter(state=BulkRow.State.SENDING).values_list("part_id", flat=True).distinct()
    )
    BulkPart.objects.filter(job=job).exclude(pk__in=sending).exclude(
        status=BulkPart.Status.RUNNING
    ).update(status=BulkPart.Status.DONE)
    bulk_job_settle(job.pk)
    return stopped


@transaction.atomic
def bulk_job_retry(*, job: BulkJob, actor: User) -> int:
    """Send again the rows Xero refused or that could not be sent. Returns how many."""
    if job.status == BulkJob.Status.PREVIEW:
        return 0
    again = BulkRow.objects.filter(job=job, state__in=RETRIABLE).update(
        state=BulkRow.State.PENDING, reason="", batch="", finished_at=None
    )
    if not again:
        return 0
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.RUNNING, finished_at=None)
    job.refresh_from_db()
    activity_record(
        workspace=job.workspace_id,
        category="bulk",
        action="retried",
        summary=f"{again:,} failed row{'s' if again != 1 else ''} of "
        f"“{describe(job)}” sent again by {actor.email}",
        actor=actor,
        data={"job": job.pk, "url": reverse("bulk:job-detail", args=[job.workspace_id, job.pk])},
    )
    _queue_parts(job)
    return again


def bulk_job_settle(job_id: int) -> None:
    """Mark the job finished once no part has work left, and say how it went in its feed entry."""
    if BulkPart.objects.filter(
        job_id=job_id, status__in=(BulkPart.Status.QUEUED, BulkPart.Status.RUNNING)
    ).exists():
        return
    now = timezone.now()
    BulkJob.objects.filter(pk=job_id, status=BulkJob.Status.RUNNING).update(
        status=BulkJob.Status.DONE, finished_at=now
    )
    BulkJob.objects.filter(
        pk=job_id, status=BulkJob.Status.CANCELLED, finished_at__isnull=True
    ).update(finished_at=now)
    job = BulkJob.objects.get(pk=job_id)
    if job.activity_id is None:
        return
    counts = outcome_counts(job)
    ActivityEvent.objects.filter(pk=job.activity_id).update(
        summary=f"{describe(job, sum(counts.values()))}: {outcome_words(counts)}"
    )


def describe(job: BulkJob, rows: int | None = None) -> str:
    """The job in words: "Approve 500 invoices in 20 organisations"."""
    if rows is None:
        rows = job.rows.count()
    places = job.parts.count()
    noun = "contact" if job.kind == "contact" else "invoice"
    verb = {
        "approve": "Approve",
        "void": "Void",
        "delete": "Delete",
        "email": "E-mail",
        "archive": "Archive",
        "note": "Add a note to",
    }[job.action]
    return (
        f"{verb} {rows:,} {noun}{'s' if rows != 1 else ''} in {places} "
        f"organisation{'s' if places != 1 else ''}"
    )


def outcome_counts(job: BulkJob) -> dict[str, int]:
    return dict(job.rows.order_by().values_list("state").annotate(n=Count("pk")))


def outcome_words(counts: dict[str, int]) -> str:
    """The counts in words: "480 done, 20 refused by Xero"."""
    order = [
        (BulkRow.State.DONE, "done"),
        (BulkRow.State.REFUSED, "refused by Xero"),
        (BulkRow.State.FAILED, "failed"),
        (BulkRow.State.SKIPPED, "not sent"),
        (BulkRow.State.CANCELLED, "cancelled"),
        (BulkRow.State.PENDING, "waiting"),
        (BulkRow.State.SENDING, "sending"),
    ]
    said = [f"{counts[state]:,} {words}" for state, words in order if counts.get(state)]
    return ", ".join(said) or "nothing to do"
