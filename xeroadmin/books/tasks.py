"""Sync tasks: thin entry points that take ids and call the sync service."""

from __future__ import annotations

from celery import shared_task

from xeroadmin.books import sync


@shared_task
def sync_job_run(job_id: int) -> str:
    job = sync.sync_job_run(job_id=job_id)
    return job.status if job is not None else "skipped"


@shared_task
def sync_schedule() -> int:
    return sync.sync_schedule()


@shared_task
def sync_sweep() -> int:
    return sync.sync_sweep()
