"""The rate-limit governor: keeps every process's calls to one organisation within Xero's limits.

Xero allows, per organisation, 5 calls at once, 60 a minute and a daily budget, and 10,000 a
minute per app across all organisations. Every web and worker process asks the governor before a
call and tells it afterwards what Xero's `X-*-Remaining` headers said. The counters live in a
shared store (the database), changed under a row lock, so the limits hold across processes.

The decisions are pure functions of a JSON state; the store only loads, locks and saves it.
"""

from __future__ import annotations

import functools
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from xeroadmin.xero.errors import XeroRateLimited

T = TypeVar("T")
State = dict[str, Any]

MINUTE, DAY = 60.0, 86_400.0
# Our clock stamps a call when it is sent; Xero counts it when it arrives. A second of slack
# keeps the two rolling minutes from disagreeing about the 61st call.
SLACK = 1.0


# Who is waiting for a call, most urgent first: a person's write, a person's read, then
# background work (sync, webhook fetches, jobs).
WRITE, READ, BACKGROUND = 0, 1, 2


@dataclass(frozen=True)
class Limits:
    concurrent: int = 5
    per_minute: int = 60
    per_day: int = 5000
    app_per_minute: int = 10_000
    # A call still "in flight" after this long is taken to be from a process that died.
    lease_seconds: float = 180.0
    # Part of each budget that less urgent calls leave to more urgent ones: background work
    # stops short of the last `minute_reserve[2]` calls of a minute, a person's read of the last
    # `minute_reserve[1]`; a person's write may use all of it. Likewise the calls in flight and
    # the day's budget (a fraction of it).
    minute_reserve: tuple[int, int, int] = (0, 4, 12)
    concurrent_reserve: tuple[int, int, int] = (0, 1, 2)
    day_reserve: tuple[float, float, float] = (0.0, 0.01, 0.05)


class Store(Protocol):
    def update(self, keys: list[str], change: Callable[[list[State]], T]) -> T:
        """Lock the states under `keys`, let `change` modify them in place, save them, return
        what `change` returned. Unknown keys start as empty dicts."""
        ...

    def release(self, key: str, lease: str, now: float, reported: dict[str, float]) -> None:
        """In one step, without reading: drop `lease` from the state's `leases`, note `now`
        under `done[lease]`, and set the top-level fields in `reported` (see `released`)."""
        ...

    def read(self, key: str) -> State: ...

    def read_many(self, keys: list[str]) -> dict[str, State]:
        """The states under `keys` that exist, in one read."""
        ...


@dataclass
class Decision:
    lease: str = ""
    wait: float = 0.0
    problem: str = ""


def tenant_key(app: str, tenant: str) -> str:
    return f"t:{app}:{tenant}"


def app_key(app: str) -> str:
    return f"a:{app}"


class Governor:
    def __init__(
        self,
        store: Store,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.limits = limits or Limits()
        self.clock = clock
        self.sleep = sleep

    def acquire(self, app: str, tenant: str, *, max_wait: float, priority: int = BACKGROUND) -> str:
        """Wait for a free slot (at most `max_wait` seconds) and return its lease id."""
        keys = [tenant_key(app, tenant), app_key(app)]
        deadline = self.clock() + max_wait
        # However the clock behaves (a test's, frozen or moved back), a caller waits at most
        # `max_wait` seconds of real time plus one pause.
        give_up = time.monotonic() + max_wait
        while True:
            now = self.clock()
            decision = self.store.update(
                keys, functools.partial(self._try, now=now, priority=priority)
            )
            if decision.lease:
                return decision.lease
            if now + decision.wait > deadline or time.monotonic() > give_up:
                raise XeroRateLimited(decision.problem, decision.wait)
            # A little jitter, so that waiting processes do not all retry at the same instant.
            self.sleep(max(decision.wait, 0.01) + random.uniform(0, 0.05))

    def release(self, app: str, tenant: str, lease: str, headers: Mapping[str, str] | None) -> None:
        """The call under `lease` finished; record what Xero's headers said about the limits.

        Only the organisation's row, and in one statement with no lock taken: every call pays
        for this (bench/xero_client.py), and nothing here depends on what the row holds."""
        now = self.clock()
        self.store.release(tenant_key(app, tenant), lease, now, reported(headers or {}, now))

    def block(self, app: str, tenant: str, seconds: float, problem: str) -> None:
        """Xero answered 429: nobody calls this organisation (or app) until the wait is over."""
        now = self.clock()
        keys = [tenant_key(app, tenant), app_key(app)]
        self.store.update(keys, lambda states: _block(states, problem, now + seconds))

    def remaining(self, app: str, tenant: str) -> dict[str, int | None]:
        """Calls left this minute and today for the organisation, as far as we know."""
        return self.remaining_in(self.store.read(tenant_key(app, tenant)))

    def remaining_in(self, state: State) -> dict[str, int | None]:
        """`remaining` from a state already read (several organisations in one query)."""
        now = self.clock()
        recent = _in_window(state, now)
        minute = self.limits.per_minute - len(recent)
        if state.get("min_seen", 0) > now - MINUTE and state.get("min_remaining") is not None:
            since = sum(1 for t, _ in recent if t > state["min_seen"])
            minute = min(minute, state["min_remaining"] - since)
        day: int | None = None
        if state.get("day_start", 0) > now - DAY:
            day = self.limits.per_day - state.get("day_count", 0)
            if state.get("day_remaining") is not None:
                day = min(day, state["day_remaining"])
        return {"minute": max(minute, 0), "day": None if day is None else max(day, 0)}

    def _try(self, states: list[State], *, now: float, priority: int = BACKGROUND) -> Decision:
        tenant, app = states
        limits = self.limits
        per_minute = limits.per_minute - limits.minute_reserve[priority]
        concurrent = limits.concurrent - limits.concurrent_reserve[priority]
        leases = {k: v for k, v in tenant.get("leases", {}).items() if v > now}
        tenant["leases"] = leases
        recent = tenant["recent"] = _in_window(tenant, now)
        # When each call still in the window finished (kept by `release`).
        kept = {lease for _, lease in recent}
        tenant["done"] = {k: v for k, v in tenant.get("done", {}).items() if k in kept}
        if tenant.get("day_start", 0) <= now - DAY:
            tenant["day_start"], tenant["day_count"] = now, 0
            tenant.pop("day_remaining", None)
        blocked = max(tenant.get("blocked_until", 0), app.get("blocked_until", 0))
        if blocked > now:
            problem = tenant.get("blocked_problem") or app.get("blocked_problem") or "minute"
            return Decision(wait=blocked - now, problem=problem)
        if len(leases) >= concurrent:
            return Decision(wait=0.05, problem="concurrent")
        if len(recent) >= per_minute:
            # Wait for enough finished calls to leave the window; calls in flight never do.
            finished = sorted(t for t, lease in recent if lease not in leases)
            leaving = len(recent) - per_minute
            wait = finished[leaving] + MINUTE + SLACK - now if leaving < len(finished) else 0.05
            return Decision(wait=max(wait, 0.01), problem="minute")
        seen = tenant.get("min_seen", 0)
        reported = tenant.get("min_remaining")
        # Xero's own count (from the headers) wins when it is lower than ours.
        if (
            seen > now - MINUTE
            and reported is not None
            and reported - sum(1 for t, _ in recent if t > seen) <= limits.minute_reserve[priority]
        ):
            return Decision(wait=seen + MINUTE + SLACK - now, problem="minute")
        day_left = limits.per_day - tenant.get("day_count", 0)
        if tenant.get("day_remaining") is not None:
            day_left = min(day_left, tenant["day_remaining"] - tenant.get("since_day_seen", 0))
        if day_left <= limits.per_day * limits.day_reserve[priority]:
            return Decision(wait=tenant["day_start"] + DAY - now, problem="day")
        # The app-wide minute: a sliding-window estimate from this and the previous fixed minute.
        window = now - now % MINUTE
        if app.get("window") != window:
            previous = app.get("count", 0) if app.get("window") == window - MINUTE else 0
            app["window"], app["previous"], app["count"] = window, previous, 0
        estimate = app.get("previous", 0) * (1 - (now - window) / MINUTE) + app.get("count", 0)
        if estimate >= limits.app_per_minute * 0.98:
            return Decision(wait=1.0, problem="appminute")
        # Short ids and times to the millisecond: the state is read and written on every call.
        lease = uuid.uuid4().hex[:8]
        leases[lease] = round(now + limits.lease_seconds, 3)
        recent.append([round(now, 3), lease])
        # Only the newest calls can matter to the next decision; older ones need not be kept.
        del recent[: -(limits.per_minute + limits.concurrent)]
        tenant["day_count"] = tenant.get("day_count", 0) + 1
        tenant["since_day_seen"] = tenant.get("since_day_seen", 0) + 1
        tenant["last_call"] = now
        app["count"] = app.get("count", 0) + 1
        return Decision(lease=lease)


def _header(headers: Mapping[str, str], name: str) -> int | None:
    raw = next((v for k, v in headers.items() if k.lower() == name), None)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _in_window(tenant: State, now: float) -> list[list[Any]]:
    """The calls that count toward the rolling minute: `[time, lease]` pairs, the time being
    when the call finished, if it has.

    Xero counts a call when it arrives, which is somewhere between our acquire and release; so
    a call counts from its acquire, while in flight, and until a minute after its release.
    """
    leases = tenant.get("leases", {})
    done = tenant.get("done", {})
    return [
        [done.get(lease, at), lease]
        for at, lease in tenant.get("recent", [])
        if done.get(lease, at) > now - MINUTE - SLACK or lease in leases
    ]


def reported(headers: Mapping[str, str], now: float) -> dict[str, float]:
    """What Xero's `X-*-Remaining` headers say, as the state's fields."""
    fields: dict[str, float] = {}
    minute = _header(headers, "x-minlimit-remaining")
    if minute is not None:
        fields.update(min_remaining=minute, min_seen=now)
    day = _header(headers, "x-daylimit-remaining")
    if day is not None:
        fields.update(day_remaining=day, since_day_seen=0)
    return fields


def released(state: State, lease: str, now: float, fields: dict[str, float]) -> None:
    """What `Store.release` does, on a state in memory."""
    state.setdefault("leases", {}).pop(lease, None)
    state.setdefault("done", {})[lease] = now  # the latest moment Xero can have counted it
    state.update(fields)


def _block(states: list[State], problem: str, until: float) -> None:
    tenant, app = states
    target = app if problem.lower() == "appminute" else tenant
    if until > target.get("blocked_until", 0):
        target["blocked_until"], target["blocked_problem"] = until, problem.lower()
