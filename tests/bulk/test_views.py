"""The bulk jobs' pages: choosing records from each place, the preview, starting, cancelling,
retrying and the outcomes' CSV, with the access matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from tests.bulk.helpers import drain, make_job, states
from tests.conftest import Cast
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.models import Contact, Invoice
from xeroadmin.bulk.models import BulkJob, BulkRow
from xeroadmin.bulk.services import bulk_job_start
from xeroadmin.connections.models import Tenant
from xeroadmin.portfolio.models import Finding

pytestmark = pytest.mark.django_db


def new(http: HttpClient, cast: Cast, **data):
    return http.post(reverse("bulk:job-new", args=[cast.workspace.pk]), data)


def act(client: HttpClient, job: BulkJob, action: str):
    return client.post(reverse("bulk:job-act", args=[job.workspace_id, job.pk]), {"action": action})


def latest() -> BulkJob:
    job = BulkJob.objects.order_by("-pk").first()
    assert job is not None
    return job


def test_it_previews_ticked_invoices_then_starts_once(
    as_finance: HttpClient, cast: Cast, books: Tenant, xero
) -> None:
    draft = Invoice.objects.filter(tenant=books, status="DRAFT").first()
    paid = Invoice.objects.filter(tenant=books, status="PAID").first()
    assert draft is not None
    assert paid is not None
    response = new(as_finance, cast, source="ticks", action="approve", invoice=[draft.pk, paid.pk])
    job = latest()
    assert response.status_code == 302
    assert response["Location"] == reverse("bulk:job-detail", args=[cast.workspace.pk, job.pk])
    page = as_finance.get(response["Location"]).content.decode()
    assert "Preview: nothing has been sent yet" in page
    assert "Only a draft or one awaiting approval can be approved" in page
    assert "Approve 1 record in Xero" in page
    assert requests.get(f"{xero.url}/_sandbox/writes", timeout=10).json()["total"] == 0

    assert act(as_finance, job, "start").status_code == 302
    drain(job)
    assert act(as_finance, job, "start").status_code == 302  # a second click
    drain(job)
    assert states(job) == {"done": 1, "skipped": 1}
    draft.refresh_from_db()
    assert draft.status == "AUTHORISED"
    assert requests.get(f"{xero.url}/_sandbox/writes", timeout=10).json()["total"] == 1
    entries = ActivityEvent.objects.filter(category="bulk")
    assert entries.count() == 1
    assert entries.get().summary == "Approve 2 invoices in 1 organisation: 1 done, 1 not sent"
    page = as_finance.get(response["Location"]).content.decode()
    assert "1 done, 1 not sent" in page
    feed = as_finance.get(reverse("activity:workspace-feed", args=[cast.workspace.pk]))
    assert response["Location"] in feed.content.decode()  # the entry links to the job


def test_it_takes_every_invoice_an_organisations_filter_shows(
    as_finance: HttpClient, cast: Cast, books: Tenant
) -> None:
    drafts = Invoice.objects.filter(tenant=books, status="DRAFT").count()
    assert drafts > 0
    response = new(
        as_finance,
        cast,
        source="list",
        action="delete",
        tenant=books.pk,
        filter="status=DRAFT&sort=-date",
    )
    assert response.status_code == 302
    assert states(latest()) == {"pending": drafts}


def test_it_takes_the_records_of_ticked_findings(
    as_finance: HttpClient, cast: Cast, books: Tenant
) -> None:
    draft = Invoice.objects.filter(tenant=books, status="DRAFT").first()
    assert draft is not None
    finding = Finding.objects.create(
        workspace=cast.workspace,
        tenant=books,
        kind="stale_draft",
        subject=draft.xero_id,
        summary="Old draft",
        inputs="x",
    )
    assert new(as_finance, cast, source="findings", action="approve", finding=[finding.pk])
    job = latest()
    assert list(job.rows.values_list("record_pk", flat=True)) == [draft.pk]


def test_it_filters_across_organisations_the_member_may_see(
    as_finance: HttpClient, as_limited: HttpClient, cast: Cast, books: Tenant
) -> None:
    drafts = Invoice.objects.filter(tenant=books, status="DRAFT").count()
    assert (
        new(as_finance, cast, source="filter", action="approve", status="DRAFT").status_code == 302
    )
    assert states(latest()) == {"pending": drafts}
    assert "Drafts, every client" in latest().chosen
    # Client B has none of them; the limited member sees client A only (books is A's).
    response = new(
        as_finance, cast, source="filter", action="approve", status="DRAFT", client=cast.client_b.pk
    )
    assert response.status_code == 400
    assert "Nothing matches" in response.content.decode()
    books.client = cast.client_b
    books.save()
    response = new(as_limited, cast, source="filter", action="approve", status="DRAFT")
    assert response.status_code in (400, 403)


def test_it_says_what_is_wrong_and_keeps_the_page(
    as_finance: HttpClient, cast: Cast, books: Tenant
) -> None:
    back = f"/w/{cast.workspace.pk}/o/{books.pk}/invoices/?status=DRAFT"
    response = new(as_finance, cast, source="ticks", action="approve", back=back)
    assert response.status_code == 302
    assert response["Location"] == back
    followed = as_finance.get(back).content.decode()
    assert "Tick at least one invoice first." in followed
    # No way back: the bulk page again, with the error and the choices kept.
    response = new(as_finance, cast, source="filter", action="note", status="DRAFT", note=" ")
    assert response.status_code == 400
    assert "Write the note first." in response.content.decode()
    response = new(as_finance, cast, source="ticks", action="approve", invoice=["x", "-1"])
    assert response.status_code == 400
    # Somewhere off the site is no way back.
    response = new(as_finance, cast, source="ticks", action="approve", back="https://example.com/")
    assert response.status_code == 400
    assert BulkJob.objects.count() == 0


def test_it_refuses_what_changed_in_xero_since_it_was_chosen(
    cast: Cast, books: Tenant, xero
) -> None:
    drafts = Invoice.objects.filter(tenant=books, status="DRAFT").order_by("pk")[:2]
    job = make_job(cast.finance, drafts, "approve")
    changed = drafts[0]
    assert changed.updated_utc is not None
    Invoice.objects.filter(pk=changed.pk).update(
        updated_utc=changed.updated_utc + timedelta(minutes=5)
    )
    drain(bulk_job_start(job=job, actor=cast.finance.user))
    row = job.rows.get(record_pk=changed.pk)
    assert row.state == BulkRow.State.SKIPPED
    assert row.reason.startswith("Changed in Xero at ")
    assert states(job) == {"done": 1, "skipped": 1}


def test_it_shows_xeros_refusal_and_retries_the_failed_rows(
    as_finance: HttpClient, cast: Cast, books: Tenant, xero
) -> None:
    drafts = list(Invoice.objects.filter(tenant=books, status="DRAFT").order_by("pk")[:3])
    job = make_job(cast.finance, Invoice.objects.filter(pk__in=[d.pk for d in drafts]), "approve")
    org = xero.sandbox.state.orgs[books.tenant_id]
    # Someone voided one in Xero, and no webhook has told us yet.
    org.invoices[drafts[0].xero_id] = {**org.invoices[drafts[0].xero_id], "Status": "VOIDED"}
    drain(bulk_job_start(job=job, actor=cast.finance.user))
    refused = job.rows.get(record_pk=drafts[0].pk)
    assert refused.state == BulkRow.State.REFUSED
    assert refused.reason  # Xero's own words
    page = as_finance.get(reverse("bulk:job-detail", args=[cast.workspace.pk, job.pk]))
    assert "Retry the 1 failed row" in page.content.decode()
    org.invoices[drafts[0].xero_id] = {**org.invoices[drafts[0].xero_id], "Status": "DRAFT"}
    assert act(as_finance, job, "retry").status_code == 302
    drain(job)
    assert states(job) == {"done": 3}
    csv = b"".join(
        as_finance.get(
            reverse("bulk:job-detail", args=[cast.workspace.pk, job.pk]), {"format": "csv"}
        ).streaming_content  # type: ignore[attr-defined]
    ).decode()
    assert csv.splitlines()[0] == "Organisation,Client,Record,Amount,Currency,Outcome,Reason"
    assert csv.count(",Done,") == 3


def test_a_cancelled_job_sends_nothing_more(
    as_finance: HttpClient, cast: Cast, books: Tenant, xero
) -> None:
    drafts = Invoice.objects.filter(tenant=books, status="DRAFT")
    job = bulk_job_start(job=make_job(cast.finance, drafts, "approve"), actor=cast.finance.user)
    assert act(as_finance, job, "cancel").status_code == 302
    drain(job)
    assert states(job) == {"cancelled": drafts.count()}
    job.refresh_from_db()
    assert job.status == BulkJob.Status.CANCELLED
    assert requests.get(f"{xero.url}/_sandbox/writes", timeout=10).json()["total"] == 0
    assert act(as_finance, job, "retry").status_code == 302  # nothing failed: nothing to do
    assert states(job) == {"cancelled": drafts.count()}


def test_it_emails_notes_and_archives(cast: Cast, books: Tenant, xero) -> None:
    owing = Invoice.objects.filter(tenant=books, type="ACCREC", status="AUTHORISED")[:2]
    job = drain(bulk_job_start(job=make_job(cast.finance, owing, "email"), actor=cast.finance.user))
    assert states(job) == {"done": 2}
    noted = Invoice.objects.filter(tenant=books).order_by("pk")[:2]
    job = make_job(cast.finance, noted, "note", note="Checked at month end")
    drain(bulk_job_start(job=job, actor=cast.finance.user))
    assert states(job) == {"done": 2}
    org = xero.sandbox.state.orgs[books.tenant_id]
    details = [h["Details"] for h in org.history[noted[0].xero_id]]
    assert "Checked at month end — finance@example.com via xeroadmin" in details
    contacts = Contact.objects.filter(tenant=books, status="ACTIVE").order_by("pk")[:5]
    job = drain(
        bulk_job_start(job=make_job(cast.finance, contacts, "archive"), actor=cast.finance.user)
    )
    outcome = states(job)
    assert set(outcome) <= {"done", "refused"}
    assert sum(outcome.values()) == 5
    for row in job.rows.filter(state=BulkRow.State.REFUSED):
        assert "outstanding" in row.reason  # Xero's reason
    archived = job.rows.filter(state=BulkRow.State.DONE).values_list("record_pk", flat=True)
    assert set(Contact.objects.filter(pk__in=archived).values_list("status", flat=True)) <= {
        "ARCHIVED"
    }


def test_the_access_matrix(
    client: HttpClient,
    as_viewer: HttpClient,
    as_finance: HttpClient,
    cast: Cast,
    books: Tenant,
) -> None:
    job = make_job(cast.finance, Invoice.objects.filter(tenant=books, status="DRAFT"), "approve")
    detail = reverse("bulk:job-detail", args=[cast.workspace.pk, job.pk])
    listing = reverse("bulk:job-list", args=[cast.workspace.pk])
    assert client.get(detail).status_code == 302  # to sign in
    assert client.get(listing).status_code == 302
    assert as_viewer.get(detail).status_code == 200
    assert as_viewer.get(listing).status_code == 200
    assert "Act on invoices across organisations" not in as_viewer.get(listing).content.decode()
    assert new(as_viewer, cast, source="filter", action="approve").status_code == 403
    assert act(as_viewer, job, "start").status_code == 403
    assert as_finance.get(reverse("bulk:job-new", args=[cast.workspace.pk])).status_code == 405
    assert as_finance.post(detail).status_code == 405
    partial = as_finance.get(detail, headers={"HX-Request": "true", "HX-Target": "job-progress"})
    assert partial.content.decode().strip().startswith('<div id="job-progress"')
    assert "<html" not in partial.content.decode()
    assert act(as_finance, job, "dance").status_code == 302
    assert act(as_finance, job, "discard").status_code == 302
    assert not BulkJob.objects.filter(pk=job.pk).exists()


def test_an_organisation_that_needs_reconnecting_fails_its_rows_with_the_reason(
    cast: Cast, books: Tenant, xero
) -> None:
    drafts = Invoice.objects.filter(tenant=books, status="DRAFT")
    job = make_job(cast.finance, drafts, "email")  # every draft refused by the guard…
    assert set(states(job)) == {"skipped"}
    notes = make_job(cast.finance, Invoice.objects.filter(tenant=books), "note", note="Hello")
    Tenant.objects.filter(pk=books.pk).update(status=Tenant.Status.NEEDS_RECONNECT)
    drain(bulk_job_start(job=notes, actor=cast.finance.user))
    assert set(states(notes)) == {"failed"}
    reason = notes.rows.first().reason  # type: ignore[union-attr]
    assert reason == f"{books.name} is not connected; reconnect it first."
    assert requests.get(f"{xero.url}/_sandbox/writes", timeout=10).json()["total"] == 0


def test_many_rows_refused_at_sending_are_passed_over_in_turn(cast: Cast, books: Tenant) -> None:
    invoices = Invoice.objects.filter(tenant=books)
    job = make_job(cast.finance, invoices, "note", note="Checked")
    # Every one changed in Xero since it was chosen: none is sent, and none is left waiting.
    for row in job.rows.all():
        Invoice.objects.filter(pk=row.record_pk).update(
            updated_utc=(row.seen or timezone.now()) + timedelta(minutes=1)
        )
    drain(bulk_job_start(job=job, actor=cast.finance.user))
    assert states(job) == {"skipped": invoices.count()}
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
