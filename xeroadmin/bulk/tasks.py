"""Bulk job tasks: thin entry points that take ids and call the runner."""

from __future__ import annotations

from celery import shared_task

from xeroadmin.bulk import runner


@shared_task
def bulk_part_run(part_id: int) -> str:
    return runner.bulk_part_run(part_id=part_id)


@shared_task
def bulk_sweep() -> int:
    return runner.bulk_sweep()
