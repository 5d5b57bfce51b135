from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "xeroadmin.connections"
    label = "connections"
    verbose_name = "Xero connections"

    def ready(self) -> None:
        from celery.signals import task_postrun

        task_postrun.connect(_usage_flush, dispatch_uid="connections-usage-flush", weak=False)


def _usage_flush(*args: Any, **kwargs: Any) -> None:
    """Write the calls to Xero a task made (counted in memory as they were made)."""
    from xeroadmin.connections import usage

    usage.flush()
