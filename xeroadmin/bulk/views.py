"""Bulk jobs' pages: the list (with a filter across organisations), a job's preview, its live
progress and outcomes (and their CSV), and its buttons: start, cancel, retry, discard."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from xeroadmin.books.access import organisation_list
from xeroadmin.bulk import selection, services
from xeroadmin.bulk.forms import ChoiceForm
from xeroadmin.bulk.models import BulkJob, BulkPart, BulkRow
from xeroadmin.lib.csvs import csv_response
from xeroadmin.tenancy.access import WorkspaceRequest, workspace_membership
from xeroadmin.tenancy.models import Membership, Role

ROWS_PER_PAGE = 100
PREFILLED = ("action", "status", "type", "client", "older_than", "overdue_by", "min_amount")
OUTCOME_TABS = (
    ("", "All"),
    (BulkRow.State.DONE, "Done"),
    (BulkRow.State.REFUSED, "Refused by Xero"),
    (BulkRow.State.FAILED, "Failed"),
    (BulkRow.State.SKIPPED, "Not sent"),
    (BulkRow.State.CANCELLED, "Cancelled"),
    (BulkRow.State.PENDING, "Waiting"),
)


def visible_jobs(membership: Membership) -> QuerySet[BulkJob]:
    """The workspace's jobs that touch no organisation the member may not see."""
    jobs = BulkJob.objects.filter(workspace_id=membership.workspace_id)
    if membership.limited and not membership.can_admin:
        hidden = BulkPart.objects.filter(job__workspace_id=membership.workspace_id).exclude(
            tenant__in=organisation_list(membership).values("pk")
        )
        jobs = jobs.exclude(pk__in=hidden.values("job_id"))
    return jobs


def job_for(membership: Membership, job_id: int) -> BulkJob:
    return get_object_or_404(visible_jobs(membership).select_related("created_by"), pk=job_id)


@login_required
@require_GET
def job_list(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    # A link may start the choice ("?action=approve&status=DRAFT&older_than=30").
    given = {name: request.GET[name][:20] for name in PREFILLED if name in request.GET}
    form = ChoiceForm(initial={"status": "DRAFT", **given}, membership=membership)
    return _list_page(request, membership, form)


def _list_page(
    request: WorkspaceRequest, membership: Membership, form: ChoiceForm, status: int = 200
) -> HttpResponse:
    jobs = (
        visible_jobs(membership)
        .select_related("created_by")
        .annotate(
            total=Count("rows"), done=Count("rows", filter=Q(rows__state=BulkRow.State.DONE))
        )[:50]
    )
    context = {"jobs": jobs, "form": form, "can_act": membership.can_edit}
    return render(request, "bulk/job_list.html", context, status=status)


@login_required
@require_POST
def job_new(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Make a preview of the chosen records, from any of the pages that choose them."""
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    form = ChoiceForm(request.POST, membership=membership)
    problem = ""
    if form.is_valid():
        records, words = form.records()
        try:
            rows = selection.chosen(records, form.cleaned_data["action"])
            job = services.bulk_job_create(
                membership=membership,
                action=form.cleaned_data["action"],
                records=rows,
                chosen=words,
                note=form.cleaned_data.get("note") or "",
            )
        except (selection.TooMany, ValidationError) as error:
            problem = " ".join(getattr(error, "messages", [str(error)]))
        else:
            return redirect("bulk:job-detail", ws=ws, job_id=job.pk)
    else:
        problem = " ".join(str(error) for errors in form.errors.values() for error in errors)
    back = form.back_url()
    if back:
        messages.error(request, problem)
        return redirect(back)
    if problem and not form.errors:
        form.add_error(None, problem)
    return _list_page(request, membership, form, status=400)


@login_required
@require_GET
def job_detail(
    request: WorkspaceRequest, ws: int, job_id: int
) -> HttpResponse | StreamingHttpResponse:
    membership = workspace_membership(request, ws)
    job = job_for(membership, job_id)
    if request.GET.get("format") == "csv":
        return _outcomes_csv(job)
    context = _job_context(request, job, membership)
    if request.htmx and request.htmx.target == "job-progress":
        return render(request, "bulk/job_detail.html#job-progress", context)
    return render(request, "bulk/job_detail.html", context)


def _job_context(request: WorkspaceRequest, job: BulkJob, membership: Membership) -> dict[str, Any]:
    counts = services.outcome_counts(job)
    total = sum(counts.values())
    finished = total - counts.get(BulkRow.State.PENDING, 0) - counts.get(BulkRow.State.SENDING, 0)
    places = (
        BulkPart.objects.filter(job=job)
        .select_related("tenant__client")
        .annotate(
            rows_total=Count("rows"),
            **{state: Count("rows", filter=Q(rows__state=state)) for state in BulkRow.State.values},
        )
        .order_by("tenant__name", "pk")
    )
    shown = request.GET.get("state", "")
    rows = job.rows.select_related("part__tenant").order_by("part__tenant__name", "pk")
    if shown in BulkRow.State.values:
        rows = rows.filter(state=shown)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "job": job,
        "title": services.describe(job, total),
        "counts": counts,
        "outcome": services.outcome_words(counts),
        "total": total,
        "finished": finished,
        "percent": round(100 * finished / total) if total else 100,
        "places": places,
        "page": page,
        "query": query.urlencode(),
        "tabs": [(key, label, counts.get(key, 0) if key else total) for key, label in OUTCOME_TABS],
        "shown": shown,
        "can_act": membership.can_edit,
        "retriable": sum(counts.get(state, 0) for state in services.RETRIABLE),
    }


def _outcomes_csv(job: BulkJob) -> StreamingHttpResponse:
    header = ["Organisation", "Client", "Record", "Amount", "Currency", "Outcome", "Reason"]
    rows = (
        [
            row.part.tenant.name,
            row.part.tenant.client.name if row.part.tenant.client else "",
            row.label,
            "" if row.amount is None else f"{row.amount:.2f}",
            row.currency,
            row.get_state_display(),
            row.reason,
        ]
        for row in job.rows.select_related("part__tenant__client")
        .order_by("part__tenant__name", "pk")
        .iterator(chunk_size=500)
    )
    return csv_response(f"bulk-job-{job.pk}.csv", header, rows)


@login_required
@require_POST
def job_act(request: WorkspaceRequest, ws: int, job_id: int) -> HttpResponse:
    """Start, cancel, retry the failed rows of, or discard (a preview) a job."""
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    job = job_for(membership, job_id)
    action, actor = request.POST.get("action", ""), request.user
    if action == "start":
        if job.status == BulkJob.Status.PREVIEW:
            services.bulk_job_start(job=job, actor=actor)
            messages.success(request, "Started. The rows below change as Xero answers.")
    elif action == "cancel":
        stopped = services.bulk_job_cancel(job=job, actor=actor)
        messages.success(request, f"Cancelled: {stopped:,} rows not yet sent will not be sent.")
    elif action == "retry":
        again = services.bulk_job_retry(job=job, actor=actor)
        messages.success(
            request, f"Sending {again:,} rows again." if again else "Nothing to retry."
        )
    elif action == "discard" and job.status == BulkJob.Status.PREVIEW:
        job.delete()
        messages.success(request, "Discarded; nothing was sent.")
        return redirect("bulk:job-list", ws=ws)
    else:
        messages.error(request, "Choose start, cancel, retry or discard.")
    return redirect("bulk:job-detail", ws=ws, job_id=job.pk)
