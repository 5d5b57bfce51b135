"""Webhook tasks: thin entry points that take ids and call the services."""

from __future__ import annotations

from celery import shared_task

from xeroadmin.webhooks import services


@shared_task
def delivery_process(delivery_id: int) -> str:
    delivery = services.delivery_process(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "skipped"


@shared_task
def delivery_sweep() -> int:
    return services.delivery_sweep()
