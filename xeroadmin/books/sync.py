"""Syncing an organisation's books into the mirror: durable, resumable, idempotent jobs.

A job walks the resources in order, page by page (`pageSize=1000`). After each page it commits
the records and its own position and heartbeat together, so a job whose worker died resumes at
the page it was on, and re-running a page changes nothing. Calls go through the governed client.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.services import activity_record
from xeroadmin.books import mirror, mirror_documents
from xeroadmin.books.kinds import KINDS
from xeroadmin.books.models import Account, Item, SyncJob, SyncState
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.tasks import enqueue_on_commit
from xeroadmin.xero.client import PAGE_SIZE, XeroClient
from xeroadmin.xero.dates import format_datetime
from xeroadmin.xero.errors import (
    XeroConnectionRevoked,
    XeroError,
    XeroForbidden,
    XeroRateLimited,
)

logger = logging.getLogger(__name__)

# A running job whose heartbeat is older than this is taken to have lost its worker.
HEARTBEAT_STALE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


DAY = 24 * 60


@dataclass(frozen=True)
class Resource:
    name: str  # the Xero endpoint and envelope key
    label: str  # for people: "Syncing invoices: 3,000 of 20,000"
    upsert: Callable[[Tenant, list[dict[str, Any]]], object]
    key: str = ""  # the envelope key, when it is not the name ("Organisations")
    paged: bool = False
    incremental: bool = False  # fetched with If-Modified-Since after the first sync
    params: tuple[tuple[str, str], ...] = ()
    removes_missing: type[Account] | type[Item] | None = None
    # How often a scheduled pass asks Xero for it, in minutes: while the organisation's
    # webhooks are healthy, and while they are not. The daily full check asks for everything.
    every: tuple[int, int] = (DAY, DAY)
    # What Xero gives per page where the endpoint takes no pageSize (None: PAGE_SIZE, sent).
    page_size: int | None = None


RESOURCES = (
    # No change marker (Xero ignores If-Modified-Since here) and rarely changed: the daily
    # full check and a person's "Refresh now" fetch them.
    Resource(
        "Organisation", "organisation details", mirror.organisation_update, key="Organisations"
    ),
    Resource("Currencies", "currencies", mirror.currencies_replace),
    Resource("TaxRates", "tax rates", mirror.tax_rates_replace),
    Resource(
        "TrackingCategories",
        "tracking categories",
        mirror.tracking_replace,
        params=(("includeArchived", "true"),),
    ),
    # If-Modified-Since; a deletion in Xero shows only in the full list (the daily check).
    Resource(
        "Accounts",
        "accounts",
        mirror.accounts_upsert,
        incremental=True,
        removes_missing=Account,
        every=(180, 120),
    ),
    Resource(
        "Items",
        "items",
        mirror.items_upsert,
        incremental=True,
        removes_missing=Item,
        every=(180, 120),
    ),
    # Webhooks carry these two when they are healthy.
    Resource(
        "Contacts",
        "contacts",
        mirror.contacts_upsert,
        paged=True,
        incremental=True,
        params=(("includeArchived", "true"), ("order", "UpdatedDateUTC ASC")),
        every=(360, 15),
    ),
    Resource(
        "Invoices",
        "invoices",
        mirror.invoices_upsert,
        paged=True,
        incremental=True,
        params=(("order", "UpdatedDateUTC ASC"),),
        every=(360, 15),
    ),
    # No webhooks for payments; a payment also changes its invoice, which webhooks carry.
    Resource(
        "Payments",
        "payments",
        mirror.payments_upsert,
        paged=True,
        incremental=True,
        params=(("order", "UpdatedDateUTC ASC"),),
        every=(90, 15),
    ),
    # The other record kinds: credit notes, prepayments and overpayments have webhooks; bank
    # transactions, journals and quotes change less often than invoices and are polled.
    *(
        Resource(
            kind.resource,
            kind.label,
            mirror_documents.upsert_for(kind.key),
            paged=True,
            incremental=True,
            params=(("order", "UpdatedDateUTC ASC"),),
            every=kind.every,
            page_size=kind.page_size,
        )
        for kind in KINDS
    ),
)
# If-Modified-Since misses some changes (and every deletion): each resource is read whole
# once a day, by the scheduled pass it falls due in.
FULL_EVERY = timedelta(days=1)
# Calls a scheduled pass makes at most for one organisation (when nothing changed): the most
# overdue resources go first, the rest wait for the next pass. bench/sync_budget.py counts them.
PASS_CALLS = 2
# Webhooks count as healthy while a delivery of the organisation's app was processed this
# recently (Xero delivers for every organisation of an app, so one that arrives proves them).
WEBHOOKS_HEALTHY = timedelta(hours=24)
BY_NAME = {r.name: r for r in RESOURCES}


class Superseded(Exception):
    """Another worker has taken this job over (its heartbeat had gone stale)."""


# ------------------------------------------------------------------ asking for a sync


def sync_request(*, tenant: Tenant, kind: str | None = None, actor: User | None = None) -> SyncJob:
    """Queue a sync of the organisation, unless one is already queued or running."""
    active = SyncJob.objects.filter(
        tenant=tenant, status__in=[SyncJob.Status.QUEUED, SyncJob.Status.RUNNING]
    ).first()
    if active is not None:
        return active
    if kind is None:
        synced = SyncState.objects.filter(tenant=tenant, modified_since__isnull=False).exists()
        kind = SyncJob.Kind.INCREMENTAL if synced else SyncJob.Kind.INITIAL
    job = SyncJob.objects.create(tenant=tenant, kind=kind, requested_by=actor)
    _enqueue(job.pk)
    return job


def _enqueue(job_id: int, *, countdown: float | None = None) -> None:
    """Queue a run of the job: once the transaction commits, or after `countdown` seconds.

    The one place this module reaches its task (the tasks module imports this one, so the task
    is looked up when needed, never at import).
    """
    from xeroadmin.books.tasks import sync_job_run

    if countdown is None:
        enqueue_on_commit(sync_job_run, job_id)
    else:
        sync_job_run.apply_async((job_id,), countdown=countdown)


def sync_schedule() -> int:
    """Queue a scheduled pass for every connected organisation (beat). Each pass asks Xero only
    for what is due (see `sync_plan`), the daily full reads included."""
    queued = 0
    for tenant in Tenant.objects.filter(status=Tenant.Status.CONNECTED):
        sync_request(tenant=tenant)
        queued += 1
    return queued


def sync_sweep() -> int:
    """Re-queue jobs whose worker died (stale heartbeat) or that were never picked up."""
    stale = timezone.now() - HEARTBEAT_STALE
    lost = SyncJob.objects.filter(
        Q(status=SyncJob.Status.RUNNING, heartbeat_at__lt=stale)
        | Q(status=SyncJob.Status.QUEUED, created_at__lt=stale, heartbeat_at__isnull=True)
        | Q(status=SyncJob.Status.QUEUED, heartbeat_at__lt=stale)
    )
    count = 0
    for job in lost:
        if job.attempts >= MAX_ATTEMPTS:
            _finish(job, SyncJob.Status.FAILED, "Gave up after repeated interruptions.")
            continue
        _enqueue(job.pk)
        count += 1
    return count


# ------------------------------------------------------------------ running a job


def sync_job_run(*, job_id: int) -> SyncJob | None:
    """Run (or resume) a job. Returns None when another worker holds it."""
    claim = uuid.uuid4().hex
    now = timezone.now()
    claimed = (
        SyncJob.objects.filter(pk=job_id)
        .filter(
            Q(status=SyncJob.Status.QUEUED)
            | Q(status=SyncJob.Status.RUNNING, heartbeat_at__lt=now - HEARTBEAT_STALE)
        )
        .update(
            status=SyncJob.Status.RUNNING,
            claim=claim,
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    job = SyncJob.objects.select_related("tenant", "tenant__grant").get(pk=job_id)
    try:
        client = tenant_client(job.tenant, max_wait=120)
        plan = [r.name for r in sync_plan(job)]
        start = plan.index(job.resource) if job.resource in plan else 0
        if (job.progress.get(job.resource) or {}).get("complete"):
            start += 1  # it stopped between two resources: the last one is done
        for name in plan[start:]:
            try:
                _sync_resource(job, claim, client, BY_NAME[name])
            except XeroForbidden as error:
                if error.status != 401:
                    raise
                _not_granted(job, claim, BY_NAME[name])
    except Superseded:
        return None
    except XeroRateLimited as error:
        # Not a failure: it resumes where it stopped once the wait is over.
        SyncJob.objects.filter(pk=job.pk, claim=claim).update(
            status=SyncJob.Status.QUEUED, error=str(error), heartbeat_at=timezone.now()
        )
        _enqueue(job.pk, countdown=min(error.retry_after, 3600))
        return job
    except XeroConnectionRevoked as error:
        _finish(job, SyncJob.Status.FAILED, str(error))
        return job
    except XeroError as error:
        if job.attempts < MAX_ATTEMPTS:
            SyncJob.objects.filter(pk=job.pk, claim=claim).update(
                status=SyncJob.Status.QUEUED, error=str(error)
            )
            _enqueue(job.pk, countdown=30 * job.attempts)
        else:
            _finish(job, SyncJob.Status.FAILED, str(error))
        return job
    _finish(job, SyncJob.Status.DONE, "")
    return job


def sync_plan(job: SyncJob) -> list[Resource]:
    """What this job asks Xero for, in order. The first sync, a full check and a person's
    "Refresh now" ask for everything; a scheduled pass for what is due (by its interval, or
    for its daily full read), at most PASS_CALLS of it, most overdue first."""
    if job.kind != SyncJob.Kind.INCREMENTAL or job.requested_by_id is not None:
        return list(RESOURCES)
    now = timezone.now()
    tenant = job.tenant
    healthy = bool(tenant.webhooks_seen_at and tenant.webhooks_seen_at > now - WEBHOOKS_HEALTHY)
    states = {
        name: (checked, full)
        for name, checked, full in SyncState.objects.filter(tenant=tenant).values_list(
            "resource", "checked_at", "last_full_at"
        )
    }
    # A pass comes every SYNC_INTERVAL_MINUTES: a resource is due when the next pass would be
    # later than its interval allows.
    step = timedelta(minutes=settings.SYNC_INTERVAL_MINUTES)
    overdue: list[tuple[float, int, Resource]] = []
    for position, resource in enumerate(RESOURCES):
        every = timedelta(minutes=resource.every[0 if healthy else 1])
        last, full = states.get(resource.name, (None, None))
        if last is None or full is None:
            overdue.append((-float("inf"), position, resource))  # never asked: first of all
            continue
        # How late each of its two reads is, in intervals (1.0: due at this pass).
        lateness = max((now + step / 2 - last) / every, (now + step / 2 - full) / FULL_EVERY)
        if lateness >= 1:
            overdue.append((-lateness, position, resource))
    chosen = sorted(overdue, key=lambda entry: entry[:2])[:PASS_CALLS]
    return [resource for _, _, resource in sorted(chosen, key=lambda entry: entry[1])]


def _sync_resource(job: SyncJob, claim: str, client: XeroClient, resource: Resource) -> None:
    tenant = job.tenant
    state, _ = SyncState.objects.get_or_create(tenant=tenant, resource=resource.name)
    progress = dict(job.progress.get(resource.name) or {})
    if job.resource != resource.name:
        job.resource, job.page = resource.name, 1
        # The If-Modified-Since of this pass, kept so that a resumed job asks the same question.
        use_since = (
            resource.incremental
            and job.kind == SyncJob.Kind.INCREMENTAL
            and state.last_full_at is not None
            and state.last_full_at > timezone.now() - FULL_EVERY
            # A person's "Refresh now" reads short lists whole, so deletions in Xero show too.
            and (resource.paged or job.requested_by_id is None)
        )
        since = state.modified_since if use_since else None
        progress = {"done": 0, "total": None, "since": since.isoformat() if since else None}
    since_text = progress.get("since")
    headers = (
        {"If-Modified-Since": format_datetime(datetime.fromisoformat(since_text))}
        if since_text
        else None
    )
    newest = state.modified_since
    params: dict[str, Any] = dict(resource.params)
    if not resource.paged:
        body = client.get(resource.name, params, headers=headers)
        records = _records(body, resource.key or resource.name)
        progress.update(done=len(records), total=len(records), complete=True)
        with transaction.atomic():
            newest = _later(newest, resource.upsert(tenant, records))
            if resource.removes_missing is not None and not headers:
                mirror.remove_missing(resource.removes_missing, tenant, _ids(records, resource))
            _advance(job, claim, resource, page=1, progress=progress)
    else:
        page = job.page

        def fetch(number: int) -> Callable[[], Any]:
            query = {**params, "page": number}
            if resource.page_size is None:
                query["pageSize"] = PAGE_SIZE
            return client.get_later(resource.name, query, headers=headers)

        pending = fetch(page)
        while True:
            body = pending()
            records = _records(body, resource.name)
            pagination = (body or {}).get("pagination") or {}
            if progress.get("total") is None:
                progress["total"] = pagination.get("itemCount")
            last = len(records) < (resource.page_size or PAGE_SIZE) or page >= (
                pagination.get("pageCount") or page + 1
            )
            # Records stored, counted as they are (the page and the count commit together).
            progress = {
                **progress,
                "done": progress.get("done", 0) + len(records),
                "complete": last,
            }
            if not last:
                # Xero sends the next page while this one is stored.
                pending = fetch(page + 1)
            try:
                with transaction.atomic():
                    newest = _later(newest, resource.upsert(tenant, records))
                    _advance(job, claim, resource, page=page + 1, progress=progress)
            except BaseException:
                if not last:
                    with contextlib.suppress(Exception):
                        pending()  # let the call in flight finish and free its slot
                raise
            if last:
                break
            page += 1
    fields = ["modified_since", "checked_at"]
    state.modified_since = newest
    state.checked_at = timezone.now()
    if not headers:
        state.last_full_at = state.checked_at
        fields.append("last_full_at")
    state.save(update_fields=fields)


def _not_granted(job: SyncJob, claim: str, resource: Resource) -> None:
    """The connection was not granted the scope this resource needs (it was made before the
    product asked for it): skip it, and ask again at the next full read, after a reconnect."""
    progress = {"done": 0, "total": 0, "complete": True, "not_granted": True}
    _advance(job, claim, resource, page=1, progress=progress)
    now = timezone.now()
    SyncState.objects.update_or_create(
        tenant=job.tenant,
        resource=resource.name,
        defaults={"checked_at": now, "last_full_at": now},
    )


def _advance(
    job: SyncJob, claim: str, resource: Resource, *, page: int, progress: dict[str, Any]
) -> None:
    """Record where the job is (and that it is alive); stop if another worker took it over."""
    job.progress = {**job.progress, resource.name: progress}
    updated = SyncJob.objects.filter(pk=job.pk, claim=claim).update(
        resource=resource.name,
        page=page,
        progress=job.progress,
        heartbeat_at=timezone.now(),
        calls=F("calls") + 1,
    )
    if not updated:
        raise Superseded


def _records(body: Any, key: str) -> list[dict[str, Any]]:
    records = (body or {}).get(key) if isinstance(body, dict) else None
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def _ids(records: Iterable[dict[str, Any]], resource: Resource) -> list[str]:
    key = {"Accounts": "AccountID", "Items": "ItemID"}[resource.name]
    return [str(r.get(key) or "").lower() for r in records]


def _later(current: datetime | None, written: object) -> datetime | None:
    """The newer of `current` and the newest record just written (for If-Modified-Since)."""
    newest = getattr(written, "newest", None)
    if newest is None:
        return current
    return newest if current is None or newest > current else current


def _finish(job: SyncJob, status: str, error: str) -> None:
    now = timezone.now()
    SyncJob.objects.filter(pk=job.pk).update(status=status, error=error, finished_at=now, claim="")
    job.refresh_from_db()
    if status == SyncJob.Status.DONE:
        Tenant.objects.filter(pk=job.tenant_id).update(last_synced_at=now)
    if status == SyncJob.Status.DONE and job.kind == SyncJob.Kind.INCREMENTAL:
        return  # routine: only first syncs, full checks and failures go in the feed
    counts = ", ".join(
        f"{p.get('done', 0):,} {BY_NAME[name].label}"
        for name, p in job.progress.items()
        if name in ("Contacts", "Invoices", "Payments")
    )
    summary = (
        f"{job.get_kind_display()} of {job.tenant.name} finished: {counts or 'nothing to fetch'}"
        if status == SyncJob.Status.DONE
        else f"{job.get_kind_display()} of {job.tenant.name} failed: {error}"
    )
    activity_record(
        workspace=job.tenant.workspace_id,
        tenant=job.tenant,
        source=ActivityEvent.Source.SYNC,
        category="sync",
        action="finished" if status == SyncJob.Status.DONE else "failed",
        summary=summary,
        data={"job": job.pk, "calls": job.calls},
    )
