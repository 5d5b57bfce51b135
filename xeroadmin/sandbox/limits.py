"""Xero's rate limits per organisation (5 concurrent, 60 a minute, 5,000 a day) and per app
(10,000 a minute), with the X-*-Remaining headers on every answer and 429s past them."""

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


class Limits:
    def __init__(self, clock: Clock, *, enabled: bool = True) -> None:
        self.clock = clock
        self.enabled = enabled
        self._lock = threading.Lock()
        self._tenants: dict[str, _Tenant] = {}
        self._apps: dict[str, deque[float]] = {}

    def reset(self) -> None:
        with self._lock:
            self._tenants.clear()
            self._apps.clear()

    @staticmethod
    def _trim(window: deque[float], now: float, span: float) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def acquire(self, app: str, tenant: str) -> dict[str, str]:
        """Count one call, or raise 429; the caller must call release(tenant) afterwards."""
        now = self.clock.time()
        with self._lock:
            t = self._tenants.setdefault(tenant, _Tenant())
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
                elif len(t.day) >= DAY:
                    problem, wait = "day", int(t.day[0] + 86400 - now) + 1
                elif len(a) >= APP_MINUTE:
                    problem, wait = "appminute", int(a[0] + 60 - now) + 1
                if problem:
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
            return self._headers(t, a)

    def release(self, tenant: str) -> None:
        with self._lock:
            t = self._tenants.get(tenant)
            if t and t.in_flight:
                t.in_flight -= 1

    @staticmethod
    def _headers(t: _Tenant, a: deque[float]) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(max(DAY - len(t.day), 0)),
            "X-MinLimit-Remaining": str(max(MINUTE - len(t.minute), 0)),
            "X-AppMinLimit-Remaining": str(max(APP_MINUTE - len(a), 0)),
        }
