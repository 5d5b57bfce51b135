"""Xero's rate limits per app and organisation (5 concurrent, 60 a minute, 5,000 a day) and per
app (10,000 a minute), with the X-*-Remaining headers on every answer and 429s past them.

Xero counts "API calls that your application can make against a particular tenant": two apps on
one organisation do not throttle each other. The day is a rolling 24 hours per app and
organisation, as the minute is. Source: developer.xero.com/faq/limits (XERO_FACTS section 8)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from xeroadmin.sandbox.core import Clock, XeroError

MINUTE, DAY = 60, 5000
APP_MINUTE = 10_000
CONCURRENT = 5


@dataclass
class _Tenant:
    minute: deque[float] = field(default_factory=deque)
    day: deque[float] = field(default_factory=deque)
    in_flight: int = 0


@dataclass
class Stats:
    """What the limits saw since the last reset: how a client behaved, measured by Xero's side."""

    calls: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    max_in_flight: int = 0  # the most calls one organisation had in flight at once
    max_minute: int = 0  # the most calls one organisation made in any rolling minute
    by_tenant: dict[str, int] = field(default_factory=dict)  # calls counted, by organisation
    # Calls counted by resource ("users", "invoices") and organisation.
    by_resource: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            "rejected": dict(self.rejected),
            "maxInFlight": self.max_in_flight,
            "maxPerMinute": self.max_minute,
            "byTenant": dict(self.by_tenant),
            "byResource": {name: dict(counts) for name, counts in self.by_resource.items()},
        }


class Limits:
    def __init__(self, clock: Clock, *, enabled: bool = True, daily: int = DAY) -> None:
        self.clock = clock
        self.enabled = enabled
        # Calls a day per app and organisation: 5,000 by default, 1,000 on Xero's Starter plan.
        self.daily = daily
        self._lock = threading.Lock()
        self._tenants: dict[str, _Tenant] = {}
        self._apps: dict[str, deque[float]] = {}
        self.stats = Stats()

    def reset(self) -> None:
        with self._lock:
            self._tenants.clear()
            self._apps.clear()
            self.stats = Stats()

    @staticmethod
    def _trim(window: deque[float], now: float, span: float) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def acquire(self, app: str, tenant: str, resource: str = "") -> dict[str, str]:
        """Count one call, or raise 429; the caller must call release(app, tenant) afterwards."""
        with self._lock:
            # Read under the lock, so the windows' timestamps are appended in order.
            now = self.clock.time()
            t = self._tenants.setdefault(f"{app} {tenant}", _Tenant())
            a = self._apps.setdefault(app, deque())
            self._trim(t.minute, now, 60)
            self._trim(t.day, now, 86400)
            self._trim(a, now, 60)
            if self.enabled:
                problem = None
                if t.in_flight >= CONCURRENT:
                    problem, wait = "concurrent", 1
                elif len(t.minute) >= MINUTE:
                    problem, wait = "minute", int(t.minute[0] + 60 - now) + 1
                elif len(t.day) >= self.daily:
                    problem, wait = "day", int(t.day[0] + 86400 - now) + 1
                elif len(a) >= APP_MINUTE:
                    problem, wait = "appminute", int(a[0] + 60 - now) + 1
                if problem:
                    self.stats.rejected[problem] = self.stats.rejected.get(problem, 0) + 1
                    headers = self._headers(t, a) | {
                        "Retry-After": str(max(wait, 1)),
                        "X-Rate-Limit-Problem": problem,
                    }
                    raise XeroError(
                        429,
                        {
                            "Title": "Too Many Requests",
                            "Status": 429,
                            "Detail": f"Rate limit exceeded: {problem}",
                        },
                        headers,
                    )
            t.minute.append(now)
            t.day.append(now)
            a.append(now)
            t.in_flight += 1
            self.stats.calls += 1
            self.stats.by_tenant[tenant] = self.stats.by_tenant.get(tenant, 0) + 1
            counts = self.stats.by_resource.setdefault(resource or "-", {})
            counts[tenant] = counts.get(tenant, 0) + 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, t.in_flight)
            self.stats.max_minute = max(self.stats.max_minute, len(t.minute))
            if not self.enabled:
                # Nothing is enforced, so nothing is running out: say so, as an unlimited Xero.
                return {
                    "X-DayLimit-Remaining": str(self.daily),
                    "X-MinLimit-Remaining": str(MINUTE),
                    "X-AppMinLimit-Remaining": str(APP_MINUTE),
                }
            return self._headers(t, a)

    def release(self, app: str, tenant: str) -> None:
        with self._lock:
            t = self._tenants.get(f"{app} {tenant}")
            if t and t.in_flight:
                t.in_flight -= 1

    def _headers(self, t: _Tenant, a: deque[float]) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(max(self.daily - len(t.day), 0)),
            "X-MinLimit-Remaining": str(max(MINUTE - len(t.minute), 0)),
            "X-AppMinLimit-Remaining": str(max(APP_MINUTE - len(a), 0)),
        }
