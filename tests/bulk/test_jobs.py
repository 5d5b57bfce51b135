"""Bulk jobs against the sandbox over HTTP: preview guards, batches, outcomes, retries."""

from __future__ import annotations

import pytest
import requests

from tests.bulk.helpers import drain, make_job, states
from tests.conftest import Cast
from xeroadmin.books.models import Invoice
from xeroadmin.bulk.models import BulkJob, BulkRow
from xeroadmin.bulk.services import bulk_job_start
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def test_it_approves_drafts_in_one_batch_and_refuses_what_the_guards_refuse(
    xero, cast: Cast, books: Tenant
) -> None:
    invoices = Invoice.objects.filter(tenant=books, status__in=["DRAFT", "AUTHORISED"])
    drafts = set(invoices.filter(status="DRAFT").values_list("xero_id", flat=True))
    job = make_job(cast.finance, invoices, "approve")
    assert states(job) == {"pending": len(drafts), "skipped": invoices.count() - len(drafts)}
    skipped = job.rows.filter(state=BulkRow.State.SKIPPED).first()
    assert skipped is not None
    assert "Only a draft or one awaiting approval can be approved" in skipped.reason
    before = requests.get(f"{xero.url}/_sandbox/stats", timeout=10).json()["calls"]
    job = drain(bulk_job_start(job=job, actor=cast.finance.user))
    assert job.status == BulkJob.Status.DONE
    assert states(job)["done"] == len(drafts)
    calls = requests.get(f"{xero.url}/_sandbox/stats", timeout=10).json()["calls"] - before
    assert calls == -(-len(drafts) // 50)
    org = xero.sandbox.state.orgs[books.tenant_id]
    assert {org.invoices[i]["Status"] for i in drafts} == {"AUTHORISED"}
    assert set(
        Invoice.objects.filter(tenant=books, xero_id__in=drafts).values_list("status", flat=True)
    ) == {"AUTHORISED"}
    assert job.activity is not None
    assert "done" in job.activity.summary
