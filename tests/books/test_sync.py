"""Syncing the sandbox's books into the mirror, over HTTP."""

from __future__ import annotations

import math

import pytest
import requests
from django.utils import timezone

from tests.conftest import Cast
from tests.connections.helpers import connect, control, first_tenant, stats
from xeroadmin.books import sync
from xeroadmin.books.kinds import KINDS
from xeroadmin.books.models import (
    Account,
    Contact,
    Currency,
    Invoice,
    InvoiceLine,
    Item,
    Payment,
    SyncJob,
    SyncState,
    TaxRate,
)
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def run(tenant: Tenant, kind: str | None = None, actor=None) -> SyncJob:
    job = sync.sync_request(tenant=tenant, kind=kind, actor=actor)
    finished = sync.sync_job_run(job_id=job.pk)
    assert finished is not None
    assert finished.status == SyncJob.Status.DONE, finished.error
    return finished


def counts(xero, tenant: Tenant) -> dict[str, int]:
    org = xero.sandbox.state.orgs[tenant.tenant_id]
    return {
        "contacts": len(org.contacts),
        "invoices": len(org.invoices),
        "payments": len(org.payments),
        "items": len(org.items),
        "accounts": len([a for a in org.accounts.values() if a["Status"] != "DELETED"]),
    }


def test_it_mirrors_an_organisations_books(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    job = run(tenant)
    expected = counts(xero, tenant)
    assert job.kind == SyncJob.Kind.INITIAL
    assert Contact.objects.filter(tenant=tenant).count() == expected["contacts"]
    assert Invoice.objects.filter(tenant=tenant).count() == expected["invoices"]
    assert Payment.objects.filter(tenant=tenant).count() == expected["payments"]
    assert Item.objects.filter(tenant=tenant).count() == expected["items"]
    assert Account.objects.filter(tenant=tenant).count() == expected["accounts"]
    assert TaxRate.objects.filter(tenant=tenant).exists()
    assert Currency.objects.filter(tenant=tenant).exists()
    assert job.progress["Invoices"] == {
        "done": expected["invoices"],
        "total": expected["invoices"],
        "since": None,
        "complete": True,
    }
    # The mirror matches Xero record for record, to the cent, lines included.
    org = xero.sandbox.state.orgs[tenant.tenant_id]
    source = next(iter(org.invoices.values()))
    mirrored = Invoice.objects.get(tenant=tenant, xero_id=source["InvoiceID"])
    assert mirrored.total == source["Total"]
    assert mirrored.amount_due == source["AmountDue"]
    assert mirrored.status == source["Status"]
    assert mirrored.contact is not None
    assert mirrored.contact.xero_id == source["Contact"]["ContactID"]
    assert mirrored.lines.count() == len(source["LineItems"])
    # One call per resource: the paged ones fit in one page of 1,000 here.
    assert job.calls == len(sync.RESOURCES)


def test_it_is_idempotent(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    run(tenant)
    before = (Invoice.objects.count(), InvoiceLine.objects.count(), Contact.objects.count())
    run(tenant, SyncJob.Kind.FULL)
    assert (Invoice.objects.count(), InvoiceLine.objects.count(), Contact.objects.count()) == before


def test_it_fetches_only_what_changed_afterwards(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    run(tenant)
    control(xero.url, "clock", {"advance": 5})
    control(xero.url, "simulate", {"action": "invoice", "count": 3, "tenantId": tenant.tenant_id})
    job = run(tenant, actor=cast.finance.user)  # "Refresh now"
    assert job.kind == SyncJob.Kind.INCREMENTAL
    assert job.progress["Invoices"]["since"] is not None
    assert 1 <= job.progress["Invoices"]["done"] <= 3
    org = xero.sandbox.state.orgs[tenant.tenant_id]
    for source in org.invoices.values():
        mirrored = Invoice.objects.get(tenant=tenant, xero_id=source["InvoiceID"])
        assert (mirrored.status, mirrored.amount_due) == (source["Status"], source["AmountDue"])


def test_it_forgets_items_deleted_in_xero(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    run(tenant)
    org = xero.sandbox.state.orgs[tenant.tenant_id]
    item_id = next(iter(org.items))
    del org.items[item_id]
    run(tenant)  # a scheduled pass asks only for what changed: a deletion does not show
    assert Item.objects.filter(tenant=tenant, xero_id=item_id).exists()
    run(tenant, actor=cast.finance.user)  # "Refresh now" reads the whole list
    assert not Item.objects.filter(tenant=tenant, xero_id=item_id).exists()


def test_it_resumes_where_a_dead_worker_stopped(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    job = sync.sync_request(tenant=tenant)
    # A worker claimed it, got as far as contacts, and died.
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.RUNNING,
        claim="dead-worker",
        resource="Invoices",
        page=1,
        attempts=1,
        heartbeat_at=timezone.now() - sync.HEARTBEAT_STALE * 2,
    )
    assert sync.sync_job_run(job_id=job.pk) is not None  # stale: taken over
    job.refresh_from_db()
    assert job.status == SyncJob.Status.DONE
    # Nothing before Invoices refetched; everything after it fetched.
    assert set(job.progress) == {"Invoices", "Payments", *(kind.resource for kind in KINDS)}
    assert Invoice.objects.filter(tenant=tenant).count() == counts(xero, tenant)["invoices"]


def test_it_leaves_a_live_job_to_its_worker(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    job = sync.sync_request(tenant=tenant)
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.RUNNING, claim="alive", heartbeat_at=timezone.now()
    )
    assert sync.sync_job_run(job_id=job.pk) is None
    assert sync.sync_request(tenant=tenant).pk == job.pk  # no second job for the same tenant


def test_it_sweeps_jobs_whose_worker_died(
    xero, cast: Cast, django_capture_on_commit_callbacks
) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    with django_capture_on_commit_callbacks() as queued:
        job = sync.sync_request(tenant=tenant)
    assert len(queued) == 1
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.RUNNING, heartbeat_at=timezone.now() - sync.HEARTBEAT_STALE * 2
    )
    with django_capture_on_commit_callbacks() as requeued:
        assert sync.sync_sweep() == 1
    assert len(requeued) == 1


def test_it_fails_cleanly_when_the_connection_is_gone(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    control(xero.url, "disconnect", {"tenantId": tenant.tenant_id})
    job = sync.sync_request(tenant=tenant)
    finished = sync.sync_job_run(job_id=job.pk)
    assert finished is not None
    assert finished.status == SyncJob.Status.FAILED
    assert "disconnected" in finished.error.lower()


def test_it_uses_one_call_per_thousand_records_with_limits_on(xero, cast: Cast) -> None:
    requests.post(f"{xero.url}/_sandbox/limits", json={"enabled": True, "reset": True}, timeout=5)
    connect(cast)
    tenant = first_tenant(cast)
    before = stats(xero.url)["calls"]
    run(tenant)
    used = stats(xero.url)["calls"] - before
    numbers = counts(xero, tenant)
    paged = sum(math.ceil(max(numbers[k], 1) / 1000) for k in ("contacts", "invoices", "payments"))
    # Organisation, currencies, tax rates, tracking categories, accounts, items, and one page
    # of each of the other record kinds (none in the seeded books yet).
    assert used == paged + 6 + len(KINDS)
    assert stats(xero.url)["rejected"] == {}
    assert SyncState.objects.filter(tenant=tenant, modified_since__isnull=False).count() >= 3


def test_a_resumed_job_counts_records_stored_not_pages(xero, cast: Cast, monkeypatch) -> None:
    monkeypatch.setattr(sync, "PAGE_SIZE", 25)
    connect(cast)
    tenant = first_tenant(cast)
    expected = counts(xero, tenant)
    job = sync.sync_request(tenant=tenant)
    # The worker stored the contacts and died before the invoices began.
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.RUNNING,
        claim="dead-worker",
        resource="Contacts",
        page=2,
        progress={
            "Contacts": {
                "done": expected["contacts"],
                "total": expected["contacts"],
                "complete": True,
            }
        },
        attempts=1,
        heartbeat_at=timezone.now() - sync.HEARTBEAT_STALE * 2,
    )
    assert sync.sync_job_run(job_id=job.pk) is not None
    job.refresh_from_db()
    assert job.status == SyncJob.Status.DONE
    assert job.progress["Contacts"]["done"] == expected["contacts"]  # not fetched again
    assert job.progress["Invoices"]["done"] == expected["invoices"]
    assert job.progress["Invoices"]["total"] == expected["invoices"]
    # Died again, one page into the invoices of a second job: it resumes at page 2.
    second = sync.sync_request(tenant=tenant, kind=SyncJob.Kind.FULL)
    SyncJob.objects.filter(pk=second.pk).update(
        status=SyncJob.Status.RUNNING,
        claim="dead-worker",
        resource="Invoices",
        page=2,
        progress={"Invoices": {"done": 25, "total": expected["invoices"], "since": None}},
        attempts=1,
        heartbeat_at=timezone.now() - sync.HEARTBEAT_STALE * 2,
    )
    assert sync.sync_job_run(job_id=second.pk) is not None
    second.refresh_from_db()
    assert second.progress["Invoices"]["done"] == expected["invoices"]
    assert second.progress["Payments"]["done"] <= second.progress["Payments"]["total"]
