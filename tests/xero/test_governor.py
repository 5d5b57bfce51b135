"""The governor keeps a burst within Xero's limits, as the sandbox measures them."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections as db_connections

from tests.conftest import Cast
from tests.connections.helpers import connect, control, first_tenant, grant_of, stats
from xeroadmin.connections.clients import GrantTokens
from xeroadmin.connections.governor import REDIS_PREFIX, DatabaseStore, RedisStore
from xeroadmin.xero.client import XeroClient
from xeroadmin.xero.errors import XeroRateLimited
from xeroadmin.xero.governor import BACKGROUND, READ, WRITE, Governor, Limits, released


def redis_url() -> str:
    """Redis for the governor's tests: the configured cache's, or a local one (skipped if none
    answers, unless CI requires it)."""
    import os

    import redis

    url = os.environ.get("CACHE_URL", "")
    url = url if url.startswith("redis") else "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("No Redis answers on this machine")
    return url


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest):
    """Each store the governor can keep its counters in, starting empty."""
    if request.param == "database":
        return DatabaseStore()
    redis_store = RedisStore(redis_url())
    stale = list(redis_store.redis.scan_iter(match=REDIS_PREFIX + "*"))
    if stale:
        redis_store.redis.delete(*stale)
    return redis_store


class SharedClock:
    """The sandbox's clock, fast-forwarded by whoever sleeps: a minute passes in milliseconds,
    and the governor and the sandbox agree on what time it is."""

    def __init__(self, sandbox_clock) -> None:
        self.clock = sandbox_clock
        self.lock = threading.Lock()
        self.slept = 0.0

    def time(self) -> float:
        return self.clock.time()

    def sleep(self, seconds: float) -> None:
        with self.lock:
            target = self.clock.time() + seconds
            ahead = target - self.clock.time()
            if ahead > 0:
                self.clock.advance(ahead)
                self.slept += ahead
        time.sleep(0.002)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_burst_of_200_calls_within_xeros_limits(xero, cast: Cast, store) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    control(xero.url, "limits", {"enabled": True, "reset": True})
    clock = SharedClock(xero.sandbox.state.clock)
    # Sleepers fast-forward the clock by minutes while a call is in flight for milliseconds;
    # in real time no call outlives a lease (its timeout is far shorter), so none may here.
    limits = Limits(lease_seconds=24 * 3600)
    governor = Governor(store, limits, clock=clock.time, sleep=clock.sleep)
    errors: list[BaseException] = []

    def worker() -> None:
        client = XeroClient(
            tenant_id=tenant.tenant_id,
            app=grant_of(tenant).client_id,
            tokens=GrantTokens(grant_of(tenant).pk),
            governor=governor,
            max_wait=3600,
            sleep=clock.sleep,
        )
        try:
            for _ in range(20):
                client.get("Organisation")
        except BaseException as error:
            errors.append(error)
        finally:
            db_connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    seen = stats(xero.url)
    assert seen["calls"] == 200
    assert seen["rejected"] == {}  # not one 429
    assert seen["maxInFlight"] <= 5
    assert seen["maxPerMinute"] <= 60
    # 200 calls at 60 a minute cannot take less than three minutes (of the shared clock).
    assert clock.slept >= 180


@pytest.mark.django_db(transaction=True)
def test_it_gives_up_with_the_wait_when_the_caller_cannot_wait(xero, cast: Cast) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    clock = SharedClock(xero.sandbox.state.clock)
    governor = Governor(DatabaseStore(), Limits(per_minute=3), clock=clock.time, sleep=clock.sleep)
    client = XeroClient(
        tenant_id=tenant.tenant_id,
        app=grant_of(tenant).client_id,
        tokens=GrantTokens(grant_of(tenant).pk),
        governor=governor,
        max_wait=5,
        priority=WRITE,  # all of the minute: background work would leave people a share
    )
    for _ in range(3):
        client.get("Organisation")
    with pytest.raises(XeroRateLimited) as error:
        client.get("Organisation")
    assert error.value.problem == "minute"
    assert "Xero asked us to wait" in str(error.value)
    assert 55 <= error.value.retry_after <= 62
    remaining = governor.remaining(grant_of(tenant).client_id, tenant.tenant_id)
    assert remaining["minute"] == 0
    assert remaining["day"] == 4997


@pytest.mark.django_db(transaction=True)
def test_it_believes_xeros_headers_when_they_say_less(xero, cast: Cast, store) -> None:
    connect(cast)
    tenant = first_tenant(cast)
    governor = Governor(store, Limits())
    app = grant_of(tenant).client_id
    lease = governor.acquire(app, tenant.tenant_id, max_wait=1)
    # Another system used the same app on this organisation: Xero says none are left.
    governor.release(
        app, tenant.tenant_id, lease, {"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000"}
    )
    assert governor.remaining(app, tenant.tenant_id) == {"minute": 0, "day": 4000}
    with pytest.raises(XeroRateLimited):
        governor.acquire(app, tenant.tenant_id, max_wait=1)


@pytest.mark.django_db(transaction=True)
def test_it_frees_the_slot_of_a_process_that_died(xero, cast: Cast, store) -> None:
    now = [1000.0]
    governor = Governor(
        store, Limits(concurrent=2, lease_seconds=30), clock=lambda: now[0], sleep=lambda s: None
    )
    governor.acquire("app", "tenant", max_wait=0, priority=WRITE)
    governor.acquire("app", "tenant", max_wait=0, priority=WRITE)
    with pytest.raises(XeroRateLimited) as error:
        governor.acquire("app", "tenant", max_wait=0, priority=WRITE)
    assert error.value.problem == "concurrent"
    now[0] += 31  # both holders vanished without releasing
    assert governor.acquire("app", "tenant", max_wait=0, priority=WRITE)


class MemoryStore:
    """The governor's decisions over states kept in a dict (the pure part, no database)."""

    def __init__(self) -> None:
        self.states: dict[str, dict] = {}

    def update(self, keys, change):
        return change([self.states.setdefault(key, {}) for key in keys])

    def release(self, key, lease, now, reported):
        released(self.states.setdefault(key, {}), lease, now, reported)

    def read(self, key):
        return self.states.get(key, {})

    def read_many(self, keys):
        return {key: self.states[key] for key in keys if key in self.states}


@pytest.mark.django_db
def test_people_come_before_background_work_within_a_minute(store) -> None:
    now = [1_000_000.0]
    governor = Governor(store, Limits(), clock=lambda: now[0], sleep=lambda s: None)

    def burst(priority: int) -> int:
        done = 0
        while True:
            try:
                lease = governor.acquire("app", "org", max_wait=0, priority=priority)
            except XeroRateLimited:
                return done
            governor.release("app", "org", lease, None)
            now[0] += 0.01
            done += 1

    # Background work stops short of the minute's end, leaving room for a person's reads,
    # and reads leave the last few calls to a person's writes.
    assert burst(BACKGROUND) == 48
    assert burst(READ) == 8
    assert burst(WRITE) == 4
    assert governor.remaining("app", "org")["minute"] == 0


def test_background_work_leaves_people_a_call_in_flight() -> None:
    governor = Governor(MemoryStore(), Limits(), clock=lambda: 5_000.0, sleep=lambda s: None)
    held = [governor.acquire("app", "org", max_wait=0) for _ in range(3)]
    with pytest.raises(XeroRateLimited):
        governor.acquire("app", "org", max_wait=0, priority=BACKGROUND)
    assert governor.acquire("app", "org", max_wait=0, priority=WRITE)
    assert len(held) == 3
