"""Running a bulk job's part: one organisation's rows, sent to Xero in batches.

A worker claims a part (QUEUED → RUNNING, with a claim and a heartbeat), then sends at most
SLICE calls and puts the part back at the end of the queue, so that organisations take turns
and one organisation's 500 rows do not hold up the others. Before a batch is sent its rows are
marked SENDING under the batch's Idempotency-Key, in a transaction of their own; a worker that
dies after that leaves them so, and whoever takes the part over sends the same rows under the
same key (Xero answers a replay without applying it again). Calls go through the governor at
background priority, so a person's own clicks go first.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from xeroadmin.books import mirror, panels
from xeroadmin.books.history import note_signature
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.bulk.models import BulkJob, BulkPart, BulkRow
from xeroadmin.bulk.selection import changed_since, contact_refusal, invoice_refusal
from xeroadmin.bulk.services import bulk_job_settle
from xeroadmin.connections.clients import tenant_client
from xeroadmin.lib.tasks import enqueue_on_commit
from xeroadmin.xero.client import XeroClient
from xeroadmin.xero.errors import (
    XeroConnectionRevoked,
    XeroError,
    XeroNotFound,
    XeroRateLimited,
    XeroValidationError,
)

logger = logging.getLogger(__name__)

BATCH = 50  # records per call where Xero takes a batch (its documented most is 50)
SLICE = 3  # calls a run makes before the part goes back to the end of the queue
WAIT_IN_WORKER = 5.0  # a rate-limit wait longer than this is waited out in the queue instead
HEARTBEAT_STALE = timedelta(minutes=2)
MAX_FAILURES = 5
STATUS = {"approve": "AUTHORISED", "void": "VOIDED", "delete": "DELETED"}


class Superseded(Exception):
    """The sweeper handed this part to another worker."""


def _enqueue(part_id: int, *, countdown: float | None = None) -> None:
    from xeroadmin.bulk.tasks import bulk_part_run

    if countdown is None:
        enqueue_on_commit(bulk_part_run, part_id)
    else:
        bulk_part_run.apply_async((part_id,), countdown=countdown)


def bulk_part_run(*, part_id: int) -> str:
    """Run a slice of the part's rows; returns what became of the part."""
    claim = uuid.uuid4().hex
    claimed = BulkPart.objects.filter(pk=part_id, status=BulkPart.Status.QUEUED).update(
        status=BulkPart.Status.RUNNING, claim=claim, heartbeat_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    part = BulkPart.objects.select_related("job__created_by", "tenant", "tenant__grant").get(
        pk=part_id
    )
    try:
        client = tenant_client(part.tenant, max_wait=WAIT_IN_WORKER)
        for _ in range(SLICE):
            if not _send_next(part, claim, client):
                return _finish(part, claim)
    except Superseded:
        return "superseded"
    except XeroRateLimited as error:
        _requeue(part, claim, countdown=min(max(error.retry_after, 1.0), 3600), error="")
        return "waiting"
    except XeroConnectionRevoked as error:
        _fail_rest(part, claim, str(error))
        return _finish(part, claim)
    except XeroError as error:
        failures = part.failures + 1
        if failures >= MAX_FAILURES:
            _fail_rest(part, claim, f"Xero could not be reached: {error.message}")
            return _finish(part, claim)
        BulkPart.objects.filter(pk=part.pk, claim=claim).update(failures=failures)
        _requeue(part, claim, countdown=15.0 * failures, error=error.message)
        return "retrying"
    _requeue(part, claim)
    return "queued"


def _requeue(
    part: BulkPart, claim: str, *, countdown: float | None = None, error: str = ""
) -> None:
    """Back to the end of the queue (after `countdown` seconds, when Xero asked for a wait)."""
    with transaction.atomic():
        updated = BulkPart.objects.filter(pk=part.pk, claim=claim).update(
            status=BulkPart.Status.QUEUED, claim="", heartbeat_at=timezone.now(), error=error
        )
        if updated:
            _enqueue(part.pk, countdown=countdown)


def _finish(part: BulkPart, claim: str) -> str:
    with transaction.atomic():
        BulkPart.objects.filter(pk=part.pk, claim=claim).update(
            status=BulkPart.Status.DONE, claim="", heartbeat_at=timezone.now()
        )
        bulk_job_settle(part.job_id)
    return "done"


def _fail_rest(part: BulkPart, claim: str, reason: str) -> None:
    """Nothing more can be sent (the connection is gone): say so on every row left."""
    with transaction.atomic():
        _alive(part, claim)
        part.rows.filter(state__in=(BulkRow.State.PENDING, BulkRow.State.SENDING)).update(
            state=BulkRow.State.FAILED, reason=reason, finished_at=timezone.now()
        )


def _alive(part: BulkPart, claim: str, calls: int = 0) -> None:
    """Beat the heartbeat (counting `calls`); stop if the part was handed to another worker."""
    updated = BulkPart.objects.filter(pk=part.pk, claim=claim).update(
        heartbeat_at=timezone.now(),
        calls=F("calls") + calls,
        failures=0 if calls else F("failures"),
    )
    if not updated:
        raise Superseded


def _send_next(part: BulkPart, claim: str, client: XeroClient) -> bool:
    """Send one batch (or one record, for actions Xero takes one at a time); False when the
    part has nothing left to send."""
    rows = _next_batch(part, claim)
    if not rows:
        return False
    action = part.job.action
    if action in STATUS:
        outcomes = _send_status(client, part, rows, STATUS[action])
    elif action == BulkJob.Action.ARCHIVE:
        outcomes = _send_archive(client, part, rows)
    else:
        outcomes = [_send_one(client, part, row) for row in rows]
    with transaction.atomic():
        _alive(part, claim, calls=1 if action in (*STATUS, BulkJob.Action.ARCHIVE) else len(rows))
        now = timezone.now()
        for row, (state, reason) in zip(rows, outcomes, strict=True):
            BulkRow.objects.filter(pk=row.pk, state=BulkRow.State.SENDING).update(
                state=state, reason=reason[:2000], finished_at=now
            )
    return True


def _next_batch(part: BulkPart, claim: str) -> list[BulkRow]:
    """The rows to send next: a batch left SENDING by a worker that died (the same rows, to
    go under the same key), else the next waiting ones that still pass the guards."""
    left = list(part.rows.filter(state=BulkRow.State.SENDING).order_by("batch", "pk"))
    if left:
        key = left[0].batch
        return [row for row in left if row.batch == key]
    size = BATCH if part.job.action in (*STATUS, BulkJob.Action.ARCHIVE) else 1
    while True:
        with transaction.atomic():
            _alive(part, claim)
            waiting = list(
                part.rows.filter(state=BulkRow.State.PENDING).order_by("pk")[: max(size, 50)]
            )
            if not waiting:
                return []
            refusals = _guards(part, waiting)
            now = timezone.now()
            refused = [row.pk for row in waiting if refusals.get(row.pk)]
            for row in waiting:
                if refusals.get(row.pk):
                    BulkRow.objects.filter(pk=row.pk, state=BulkRow.State.PENDING).update(
                        state=BulkRow.State.SKIPPED, reason=refusals[row.pk], finished_at=now
                    )
            passing = [row.pk for row in waiting if row.pk not in refused][:size]
            if not passing:
                continue  # all of these were refused: look at the next ones
            BulkPart.objects.filter(pk=part.pk).update(batches=F("batches") + 1)
            number = BulkPart.objects.values_list("batches", flat=True).get(pk=part.pk)
            key = f"bulk-{part.job.key}-{part.pk}-{number}"
            # Only rows still waiting (a cancel may have come in between) join the batch.
            BulkRow.objects.filter(pk__in=passing, state=BulkRow.State.PENDING).update(
                state=BulkRow.State.SENDING, batch=key
            )
        return list(part.rows.filter(batch=key, state=BulkRow.State.SENDING).order_by("pk"))


def _guards(part: BulkPart, rows: list[BulkRow]) -> dict[int, str | None]:
    """The single actions' guards, against the mirror as it is now (a webhook or a sync may
    have brought a change made in Xero since the job was previewed)."""
    action = part.job.action
    ids = [row.xero_id for row in rows]
    if part.job.kind == "contact":
        contacts = {
            c.xero_id: c for c in Contact.objects.filter(tenant_id=part.tenant_id, xero_id__in=ids)
        }
        found: dict[int, str | None] = {}
        for row in rows:
            contact = contacts.get(row.xero_id)
            found[row.pk] = (
                "It is no longer in Xero."
                if contact is None
                else changed_since(row.seen, contact.updated_utc)
                or contact_refusal(action, contact.status)
            )
        return found
    invoices = {
        i.xero_id: i for i in Invoice.objects.filter(tenant_id=part.tenant_id, xero_id__in=ids)
    }
    found = {}
    for row in rows:
        invoice = invoices.get(row.xero_id)
        found[row.pk] = (
            "It is no longer in Xero."
            if invoice is None
            else changed_since(row.seen, invoice.updated_utc) or invoice_refusal(action, invoice)
        )
    return found


def _elements(answer: Any, key: str) -> list[dict[str, Any]]:
    found = (answer or {}).get(key) if isinstance(answer, dict) else None
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def _outcomes(
    rows: list[BulkRow], elements: list[dict[str, Any]], id_field: str
) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Each row's outcome from Xero's per-element answer (summarizeErrors=false), matched by
    id, else by position; and the records Xero saved, for the mirror."""
    by_id = {str(e.get(id_field) or "").lower(): e for e in elements if e.get(id_field)}
    outcomes: list[tuple[str, str]] = []
    saved: list[dict[str, Any]] = []
    for position, row in enumerate(rows):
        element = by_id.get(row.xero_id.lower())
        if element is None and position < len(elements):
            element = elements[position]
        if element is None:
            outcomes.append((BulkRow.State.FAILED, "Xero's answer did not mention it."))
            continue
        errors = [
            str(e.get("Message") or "")
            for e in element.get("ValidationErrors") or []
            if isinstance(e, dict)
        ]
        if element.get("StatusAttributeString") == "ERROR" or errors:
            outcomes.append((BulkRow.State.REFUSED, " ".join(filter(None, errors)) or "Refused."))
        else:
            outcomes.append((BulkRow.State.DONE, ""))
            saved.append(element)
    return outcomes, saved


def _send_status(
    client: XeroClient, part: BulkPart, rows: list[BulkRow], status: str
) -> list[tuple[str, str]]:
    body = {"Invoices": [{"InvoiceID": row.xero_id, "Status": status} for row in rows]}
    try:
        answer = client.post(
            "Invoices", body, params={"summarizeErrors": "false"}, idempotency_key=rows[0].batch
        )
    except XeroValidationError as error:  # a whole-request refusal
        return [(BulkRow.State.REFUSED, " ".join(error.messages))] * len(rows)
    outcomes, saved = _outcomes(rows, _elements(answer, "Invoices"), "InvoiceID")
    if saved:
        mirror.invoices_upsert(part.tenant, saved)
    return outcomes


def _send_archive(client: XeroClient, part: BulkPart, rows: list[BulkRow]) -> list[tuple[str, str]]:
    body = {"Contacts": [{"ContactID": row.xero_id, "ContactStatus": "ARCHIVED"} for row in rows]}
    try:
        answer = client.post(
            "Contacts", body, params={"summarizeErrors": "false"}, idempotency_key=rows[0].batch
        )
    except XeroValidationError as error:
        return [(BulkRow.State.REFUSED, " ".join(error.messages))] * len(rows)
    outcomes, saved = _outcomes(rows, _elements(answer, "Contacts"), "ContactID")
    if saved:
        mirror.contacts_upsert(part.tenant, saved)
    return outcomes


def _send_one(client: XeroClient, part: BulkPart, row: BulkRow) -> tuple[str, str]:
    """E-mail an invoice, or add a note to it: Xero takes these one record at a time."""
    job = part.job
    try:
        if job.action == BulkJob.Action.EMAIL:
            client.post(f"Invoices/{row.xero_id}/Email", {}, idempotency_key=row.batch)
        else:
            author = job.created_by.email if job.created_by else "xeroadmin"
            client.put(
                f"Invoices/{row.xero_id}/History",
                {"HistoryRecords": [{"Details": note_signature(job.note, author)}]},
                idempotency_key=row.batch,
            )
            panels.panel_forget(tenant=part.tenant, record_path=f"Invoices/{row.xero_id}")
    except XeroValidationError as error:
        return BulkRow.State.REFUSED, " ".join(error.messages)
    except XeroNotFound:
        return BulkRow.State.REFUSED, "Xero has no such invoice any more."
    return BulkRow.State.DONE, ""


# ------------------------------------------------------------------ the sweeper


def bulk_sweep() -> int:
    """Hand parts whose worker died (a stale heartbeat) back to the queue, and queue again
    parts that were queued but never picked up. Returns how many."""
    stale = timezone.now() - HEARTBEAT_STALE
    lost = BulkPart.objects.filter(
        Q(status=BulkPart.Status.RUNNING, heartbeat_at__lt=stale)
        | Q(status=BulkPart.Status.QUEUED, heartbeat_at__lt=stale)
        | Q(status=BulkPart.Status.QUEUED, heartbeat_at__isnull=True, job__started_at__lt=stale)
    ).values_list("pk", flat=True)
    count = 0
    for part_id in lost:
        with transaction.atomic():
            taken = BulkPart.objects.filter(
                Q(status=BulkPart.Status.QUEUED) | Q(status=BulkPart.Status.RUNNING),
                pk=part_id,
            ).update(status=BulkPart.Status.QUEUED, claim="", heartbeat_at=timezone.now())
            if taken:
                _enqueue(part_id)
                count += 1
    return count
