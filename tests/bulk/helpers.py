"""Running bulk jobs in the test's own process, part by part, as workers would."""

from __future__ import annotations

import time

from xeroadmin.bulk import runner
from xeroadmin.bulk.models import BulkJob, BulkPart, BulkRow
from xeroadmin.bulk.selection import Chosen, chosen
from xeroadmin.bulk.services import bulk_job_create


def drain(job: BulkJob, *, timeout: float = 120.0) -> BulkJob:
    """Run the job's queued parts in turn until none is left (waiting out Xero's waits)."""
    deadline = time.monotonic() + timeout
    while True:
        queued = list(
            BulkPart.objects.filter(job=job, status=BulkPart.Status.QUEUED).values_list(
                "pk", flat=True
            )
        )
        if not queued:
            break
        assert time.monotonic() < deadline, "the job did not finish"
        outcomes = [runner.bulk_part_run(part_id=pk) for pk in queued]
        if all(o in ("waiting", "retrying") for o in outcomes):
            time.sleep(0.5)
    job.refresh_from_db()
    return job


def states(job: BulkJob) -> dict[str, int]:
    found: dict[str, int] = {}
    for state in BulkRow.objects.filter(job=job).values_list("state", flat=True):
        found[state] = found.get(state, 0) + 1
    return found


def make_job(membership, records, action: str, *, chosen_as: str = "test", **kwargs) -> BulkJob:
    if records.query.is_sliced:  # as a page would choose them: by id
        records = records.model.objects.filter(pk__in=list(records.values_list("pk", flat=True)))
    rows: list[Chosen] = chosen(records, action)
    return bulk_job_create(
        membership=membership, action=action, records=rows, chosen=chosen_as, **kwargs
    )
