"""The governor's store in the database, so web and worker processes share one set of counters."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction

from xeroadmin.connections.models import RateLimitState
from xeroadmin.xero.governor import Governor, Limits, State

T = TypeVar("T")


class DatabaseStore:
    """Each key is a row; `update` holds the rows' locks for the few statements it takes."""

    def update(self, keys: list[str], change: Callable[[list[State]], T]) -> T:
        with transaction.atomic():
            rows = self._locked(keys)
            if len(rows) < len(keys):
                RateLimitState.objects.bulk_create(
                    [RateLimitState(key=key) for key in keys if key not in rows],
                    ignore_conflicts=True,
                )
                rows = self._locked(keys)
            states = [copy.deepcopy(rows[key].state) for key in keys]
            result = change(states)
            for key, state in zip(keys, states, strict=True):
                if state != rows[key].state:
                    RateLimitState.objects.filter(pk=rows[key].pk).update(state=state)
            return result

    def read(self, key: str) -> State:
        row = RateLimitState.objects.filter(key=key).only("state").first()
        return row.state if row is not None else {}

    @staticmethod
    def _locked(keys: list[str]) -> dict[str, RateLimitState]:
        # Always locked in key order, so two processes never wait on each other's rows.
        query = RateLimitState.objects.select_for_update().filter(key__in=keys).order_by("key")
        return {row.key: row for row in query}


@functools.cache
def _governor(per_day: int) -> Governor:
    return Governor(DatabaseStore(), Limits(per_day=per_day))


def governor() -> Governor:
    """The governor every XeroClient of this process uses."""
    return _governor(settings.XERO_DAILY_LIMIT)
