"""Webhook tasks: thin entry points that take ids and call the processing."""

from __future__ import annotations

from celery import shared_task

from xeroadmin.webhooks import processing


@shared_task
def deliveries_process(delivery_ids: list[int]) -> int:
    """Process deliveries in turn; returns how many this worker claimed."""
    claimed = 0
    for delivery_id in delivery_ids:
        claimed += processing.delivery_process(delivery_id=int(delivery_id)) is not None
    return claimed


@shared_task
def delivery_sweep() -> int:
    return processing.delivery_sweep()
