"""The governor's store in the database, so web and worker processes share one set of counters.

Every call to Xero passes through here twice, so the store speaks SQL directly: before the call
a locked read and one update, in one transaction; after it a single UPDATE that edits the JSON
in place (no read, no lock held across statements). bench/xero_client.py measures the cost.
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
            changed = {}
            for key, state in zip(keys, states, strict=True):
                text = json.dumps(state, separators=(",", ":"))
                if text != stored[key]:
                    changed[key] = text
            if changed:
                self._write(changed)
            return result

    def release(self, key: str, lease: str, now: float, reported: dict[str, float]) -> None:
        table = connection.ops.quote_name(RateLimitState._meta.db_table)
        if connection.vendor == "postgresql":
            sql = (
                f"UPDATE {table} SET state = jsonb_set(state #- %s::text[], %s::text[], "  # noqa: S608 - fixed identifiers
                "to_jsonb(%s::float8), true) || %s::jsonb WHERE key = %s"
            )
            params: list[Any] = [
                ["leases", lease],
                ["done", lease],
                now,
                json.dumps(reported),
                key,
            ]
        else:
            # SQLite's JSON functions; the lease is hex, so it is safe in a JSON path.
            pairs = [
                f"$.done.{lease}",
                now,
                *(v for name, value in reported.items() for v in (f"$.{name}", value)),
            ]
            marks = ", ".join(["%s"] * len(pairs))
            sql = (
                f"UPDATE {table} SET state = json_set(json_remove(state, %s), {marks}) "  # noqa: S608 - fixed identifiers
                "WHERE key = %s"
            )
            params = [f"$.leases.{lease}", *pairs, key]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

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
    def _write(changed: dict[str, str]) -> None:
        """The changed states, in one statement (the organisation's and the app's rows)."""
        table = connection.ops.quote_name(RateLimitState._meta.db_table)
        value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
        cases = " ".join(f"WHEN %s THEN {value}" for _ in changed)
        marks = ", ".join(["%s"] * len(changed))
        params = [v for pair in changed.items() for v in pair]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET state = CASE key {cases} END WHERE key IN ({marks})",  # noqa: S608 - fixed identifiers
                [*params, *changed],
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
