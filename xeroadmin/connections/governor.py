"""The governor's store in the database, so web and worker processes share one set of counters.

Every call to Xero passes through here twice, so the store speaks SQL directly: before the call
a locked read and one update, in one transaction; after it a single UPDATE that edits the JSON
in place (no read, no lock held across statements). bench/xero_client.py measures the cost.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction

from xeroadmin.connections.models import RateLimitState
from xeroadmin.xero.governor import Governor, Limits, State

T = TypeVar("T")


class DatabaseStore:
    """Each key is a row; `update` holds the rows' locks for the few statements it takes."""

    def update(self, keys: list[str], change: Callable[[list[State]], T]) -> T:
        with transaction.atomic(), _cursor() as cursor:
            stored = self._locked(cursor, keys)
            if len(stored) < len(keys):
                RateLimitState.objects.bulk_create(
                    [RateLimitState(key=key) for key in keys if key not in stored],
                    ignore_conflicts=True,
                )
                stored = self._locked(cursor, keys)
            states = [json.loads(stored[key]) for key in keys]
            result = change(states)
            changed = {}
            for key, state in zip(keys, states, strict=True):
                text = json.dumps(state, separators=(",", ":"))
                if text != stored[key]:
                    changed[key] = text
            if changed:
                self._write(cursor, changed)
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
        with _cursor() as cursor:
            cursor.execute(sql, params)

    def read(self, key: str) -> State:
        return self.read_many([key]).get(key, {})

    def read_many(self, keys: list[str]) -> dict[str, State]:
        return dict(RateLimitState.objects.filter(key__in=keys).values_list("key", "state"))

    @staticmethod
    def _locked(cursor: Any, keys: list[str]) -> dict[str, str]:
        """The rows' states as JSON text, locked in key order (so two processes never wait on
        each other's rows; SQLite's write transaction already serialises)."""
        table = connection.ops.quote_name(RateLimitState._meta.db_table)
        marks = ", ".join(["%s"] * len(keys))
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cursor.execute(
            f"SELECT key, state FROM {table} WHERE key IN ({marks}) ORDER BY key{lock}",  # noqa: S608 - fixed identifiers
            keys,
        )
        return {key: _text(state) for key, state in cursor.fetchall()}

    @staticmethod
    def _write(cursor: Any, changed: dict[str, str]) -> None:
        """The changed states, in one statement (the organisation's and the app's rows)."""
        table = connection.ops.quote_name(RateLimitState._meta.db_table)
        value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
        cases = " ".join(f"WHEN %s THEN {value}" for _ in changed)
        marks = ", ".join(["%s"] * len(changed))
        params = [v for pair in changed.items() for v in pair]
        cursor.execute(
            f"UPDATE {table} SET state = CASE key {cases} END WHERE key IN ({marks})",  # noqa: S608 - fixed identifiers
            [*params, *changed],
        )


@contextmanager
def _cursor() -> Iterator[Any]:
    """The database driver's own cursor, inside Django's connection and transaction: every
    call to Xero runs these statements (bench/xero_client.py), and Django's debug wrapper
    (logging each query under DEBUG) would cost more than the statements themselves."""
    with connection.cursor() as wrapped:
        yield wrapped.cursor


def _text(state: Any) -> str:
    # PostgreSQL hands jsonb back already parsed; SQLite hands back the text.
    return state if isinstance(state, str) else json.dumps(state, separators=(",", ":"))


# Keys in Redis: the same as the database's rows, under this prefix, kept two days after the
# last change (a day's budget is the longest window the governor counts).
REDIS_PREFIX = "xeroadmin:governor:"
REDIS_TTL = 2 * 86_400

# Set the keys' new values only if none changed since they were read (optimistic locking: one
# round trip to read, one to write, and a retry in the rare case of a race).
_COMPARE_AND_SET = """
local n = #KEYS
for i = 1, n do
  if (redis.call('GET', KEYS[i]) or '') ~= ARGV[i] then return 0 end
end
for i = 1, n do redis.call('SET', KEYS[i], ARGV[n + i], 'EX', ARGV[2 * n + 1]) end
return 1
"""
# `Store.release` inside Redis: one round trip, no read by the caller.
_RELEASE = """
local text = redis.call('GET', KEYS[1])
if not text then return 0 end
local state = cjson.decode(text)
if type(state.leases) == 'table' then state.leases[ARGV[1]] = nil end
if type(state.done) ~= 'table' then state.done = {} end
state.done[ARGV[1]] = tonumber(ARGV[2])
for name, value in pairs(cjson.decode(ARGV[3])) do state[name] = value end
redis.call('SET', KEYS[1], cjson.encode(state), 'EX', ARGV[4])
return 1
"""


class RedisStore:
    """The same states in Redis: about a fifth of the database's cost per call on PostgreSQL
    (bench/xero_client.py, with CACHE_URL pointing at Redis)."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self._compare_and_set = self.redis.register_script(_COMPARE_AND_SET)
        self._release = self.redis.register_script(_RELEASE)

    def update(self, keys: list[str], change: Callable[[list[State]], T]) -> T:
        names = [REDIS_PREFIX + key for key in keys]
        for _ in range(100):
            stored = [
                _text(raw.decode() if isinstance(raw, bytes) else raw or "")
                for raw in self.redis.mget(names)
            ]
            states = [json.loads(text) if text else {} for text in stored]
            result = change(states)
            texts = [json.dumps(state, separators=(",", ":")) for state in states]
            if texts == stored or self._compare_and_set(
                keys=names, args=[*stored, *texts, REDIS_TTL]
            ):
                return result
        raise RuntimeError("The governor's Redis keys kept changing under it.")

    def release(self, key: str, lease: str, now: float, reported: dict[str, float]) -> None:
        self._release(
            keys=[REDIS_PREFIX + key], args=[lease, repr(now), json.dumps(reported), REDIS_TTL]
        )

    def read(self, key: str) -> State:
        return self.read_many([key]).get(key, {})

    def read_many(self, keys: list[str]) -> dict[str, State]:
        found = self.redis.mget([REDIS_PREFIX + key for key in keys]) if keys else []
        return {key: json.loads(raw) for key, raw in zip(keys, found, strict=True) if raw}


@functools.cache
def _governor(per_day: int, url: str) -> Governor:
    store = RedisStore(url) if url else DatabaseStore()
    return Governor(store, Limits(per_day=per_day))


def governor() -> Governor:
    """The governor every XeroClient of this process uses."""
    return _governor(settings.XERO_DAILY_LIMIT, settings.XERO_GOVERNOR_REDIS_URL)
