"""The governor's store in the database, so web and worker processes share one set of counters.

Every call to Xero passes through here twice (before and after), so the store speaks SQL
directly: a locked read and at most two updates, a fraction of a millisecond on either database.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction

from xeroadmin.connections.models import RateLimitState
from xeroadmin.xero.governor import Governor, Limits, State

T = TypeVar("T")


class DatabaseStore:
    """Each key is a row; `update` holds the rows' locks for the few statements it takes."""

    def update(self, keys: list[str], change: Callable[[list[State]], T]) -> T:
        with transaction.atomic():
            stored = self._locked(keys)
            if len(stored) < len(keys):
                RateLimitState.objects.bulk_create(
                    [RateLimitState(key=key) for key in keys if key not in stored],
                    ignore_conflicts=True,
                )
                stored = self._locked(keys)
            states = [json.loads(stored[key]) for key in keys]
            result = change(states)
            for key, state in zip(keys, states, strict=True):
                text = json.dumps(state, separators=(",", ":"))
                if text != stored[key]:
                    self._write(key, text)
            return result

    def read(self, key: str) -> State:
        row = RateLimitState.objects.filter(key=key).only("state").first()
        return row.state if row is not None else {}

    @staticmethod
    def _locked(keys: list[str]) -> dict[str, str]:
        """The rows' states as JSON text, locked in key order (so two processes never wait on
        each other's rows; SQLite's write transaction already serialises)."""
        table = connection.ops.quote_name(RateLimitState._meta.db_table)
        marks = ", ".join(["%s"] * len(keys))
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT key, state FROM {table} WHERE key IN ({marks}) ORDER BY key{lock}",  # noqa: S608 - fixed identifiers
                keys,
            )
            return {key: _text(state) for key, state in cursor.fetchall()}

    @staticmethod
    def _write(key: str, text: str) -> None:
        table = connection.ops.quote_name(RateLimitState._meta.db_table)
        value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET state = {value} WHERE key = %s",  # noqa: S608 - fixed identifiers
                [text, key],
            )


def _text(state: Any) -> str:
    # PostgreSQL hands jsonb back already parsed; SQLite hands back the text.
    return state if isinstance(state, str) else json.dumps(state, separators=(",", ":"))


@functools.cache
def _governor(per_day: int) -> Governor:
    return Governor(DatabaseStore(), Limits(per_day=per_day))


def governor() -> Governor:
    """The governor every XeroClient of this process uses."""
    return _governor(settings.XERO_DAILY_LIMIT)
