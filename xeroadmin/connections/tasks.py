"""Background work for connections: keeping idle grants alive."""

from __future__ import annotations

from celery import shared_task

from xeroadmin.connections import clients


@shared_task
def grant_keepalive() -> int:
    """Refresh grants unused for a week, so that Xero's 60-day expiry never bites."""
    return clients.grant_keepalive()
