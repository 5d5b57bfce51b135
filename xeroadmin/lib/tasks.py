"""Housekeeping tasks that belong to no app."""

from __future__ import annotations

import datetime
import logging
from functools import partial
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task[Any, Any], *args: int | str) -> None:
    """Enqueue `task` once the current transaction commits (at once outside one).

    The same as Celery's `delay_on_commit`, typed; arguments are ids and scalars only.
    """
    transaction.on_commit(partial(task.delay, *args))


@shared_task
def broker_prune() -> int:
    """Delete acknowledged messages from the embedded SQLite broker, which keeps them forever."""
    url: str = settings.CELERY_BROKER_URL
    if not url.startswith("sqla+"):
        return 0
    import sqlalchemy

    engine = sqlalchemy.create_engine(url.removeprefix("sqla+"))
    try:
        with engine.begin() as conn:
            inspector = sqlalchemy.inspect(conn)
            if not inspector.has_table("kombu_message"):
                return 0
            # kombu stamps messages with naive local time, so the cut-off is local too.
            cutoff = datetime.datetime.now() - datetime.timedelta(hours=1)
            statement = sqlalchemy.text(
                "DELETE FROM kombu_message WHERE visible = 0 AND timestamp < :cutoff"
            ).bindparams(sqlalchemy.bindparam("cutoff", type_=sqlalchemy.DateTime))
            result = conn.execute(statement, {"cutoff": cutoff})
            deleted = result.rowcount or 0
    finally:
        engine.dispose()
    logger.info("Pruned %d acknowledged broker messages", deleted)
    return deleted
