"""Xero's plan limits and how much of them is used: connections against the plan's cap, calls
per organisation per day against the daily limit, and data downloaded (the bytes of Xero's
answers) per organisation per day and month against the plan's monthly allowance.

The deployment's own app is on `settings.XERO_PLAN`; a workspace's own apps and Custom
Connections are shown their own figures, with no cap assumed.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from xeroadmin.connections.governor import governor
from xeroadmin.connections.models import ApiUsage, Grant, Tenant
from xeroadmin.xero.governor import tenant_key
from xeroadmin.xero.plans import UNMETERED, WARN_AT, Plan, plan_for

logger = logging.getLogger(__name__)


def plan() -> Plan:
    return plan_for(settings.XERO_PLAN)


def today() -> date:
    return timezone.now().date()  # Xero's days are UTC


# Answers are counted in this process's memory and written together: after each request
# and each task, before usage is read here, and at the latest every FLUSH_EVERY seconds or
# FLUSH_AT organisation-days (a write per call would cost each call a commit).
FLUSH_EVERY = 30.0
FLUSH_AT = 200
_pending: dict[tuple[str, str, date], list[int]] = {}
_lock = threading.Lock()
_flushed = time.monotonic()


def record(client_id: str, tenant_id: str, path: str, size: int) -> None:
    """Count one answer from Xero for the organisation (XeroClient's `on_answer`)."""
    resource = path.split("?")[0].strip("/").split("/")[0]
    metered = 0 if resource in UNMETERED else size
    with _lock:
        counts = _pending.setdefault((client_id, tenant_id, today()), [0, 0])
        counts[0] += 1
        counts[1] += metered
        due = len(_pending) >= FLUSH_AT or time.monotonic() - _flushed > FLUSH_EVERY
    if due:
        flush()


def forget() -> None:
    """Drop the counts not yet written (each test starts with none)."""
    with _lock:
        _pending.clear()


def flush() -> None:
    """Write the counts this process holds. Measuring never costs a call: a failure here is
    logged, and the counts are kept for the next flush."""
    global _flushed
    with _lock:
        taken = dict(_pending)
        _pending.clear()
        _flushed = time.monotonic()
    for (client_id, tenant_id, day), (calls, size) in taken.items():
        rows = ApiUsage.objects.filter(client_id=client_id, tenant_id=tenant_id, day=day)
        try:
            with transaction.atomic():  # a savepoint inside a caller's transaction
                if not rows.update(calls=F("calls") + calls, bytes=F("bytes") + size):
                    ApiUsage.objects.create(
                        client_id=client_id, tenant_id=tenant_id, day=day, calls=calls, bytes=size
                    )
        except IntegrityError:  # made meanwhile by another process
            rows.update(calls=F("calls") + calls, bytes=F("bytes") + size)
        except DatabaseError as error:
            logger.warning("Could not count calls to %s: %s", tenant_id, error)
            with _lock:
                kept = _pending.setdefault((client_id, tenant_id, day), [0, 0])
                kept[0] += calls
                kept[1] += size


def connections_used(client_id: str | None = None) -> int:
    """Organisations connected through the deployment's own app (or the app `client_id`)."""
    tenants = Tenant.objects.filter(status=Tenant.Status.CONNECTED, grant__kind=Grant.Kind.OAUTH)
    if client_id is None:
        tenants = tenants.filter(grant__app__isnull=True)
    else:
        tenants = tenants.filter(grant__client_id=client_id)
    return tenants.values("tenant_id").distinct().count()


def connection_room(*, adding: list[str]) -> None:
    """Refuse, before Xero would, connections through the deployment's app that would pass
    its plan's cap. `adding`: the tenant ids about to be connected (some may be already)."""
    cap = plan().connections
    if cap is None:
        return
    connected = set(
        Tenant.objects.filter(
            status=Tenant.Status.CONNECTED,
            grant__kind=Grant.Kind.OAUTH,
            grant__app__isnull=True,
        ).values_list("tenant_id", flat=True)
    )
    new = set(adding) - connected
    if new and len(connected) + len(new) > cap:
        raise ValidationError(
            f"This deployment's Xero app is on Xero's {plan().name} plan, which allows "
            f"{cap} connected organisations; {len(connected)} are connected"
            + (f", and this would add {len(new)}" if len(new) > 1 else "")
            + ". Disconnect one you no longer need, or move the app to a bigger plan in "
            "Xero's developer portal. Nothing was connected."
        )


def at_cap() -> bool:
    cap = plan().connections
    return cap is not None and connections_used() >= cap


@dataclass
class OrganisationUsage:
    tenant: Tenant
    calls_today: int
    daily_limit: int
    bytes_today: int
    bytes_month: int

    @property
    def calls_share(self) -> float:
        return self.calls_today / self.daily_limit if self.daily_limit else 0.0

    @property
    def warn(self) -> bool:
        return self.calls_share >= WARN_AT


def organisation_usage(tenants: list[Tenant]) -> list[OrganisationUsage]:
    """Each organisation's calls today (the governor's count, shared by every process, and
    Xero's own when it said less was left) and bytes downloaded today and this month."""
    flush()
    day = today()
    month = ApiUsage.objects.filter(day__gte=day.replace(day=1), day__lte=day)
    ids = [t.tenant_id for t in tenants]
    totals: dict[tuple[str, str], int] = {}
    todays: dict[tuple[str, str], int] = {}
    for row in month.filter(tenant_id__in=ids).values("client_id", "tenant_id", "day", "bytes"):
        key = (row["client_id"], row["tenant_id"])
        totals[key] = totals.get(key, 0) + row["bytes"]
        if row["day"] == day:
            todays[key] = row["bytes"]
    limit = settings.XERO_DAILY_LIMIT

    keys = {t.pk: tenant_key(t.grant.client_id, t.tenant_id) for t in tenants if t.grant}
    limits = governor()
    states = limits.store.read_many(list(keys.values()))
    found = []
    for tenant in tenants:
        client_id = tenant.grant.client_id if tenant.grant else ""
        left = limits.remaining_in(states.get(keys.get(tenant.pk, ""), {}))["day"]
        found.append(
            OrganisationUsage(
                tenant=tenant,
                calls_today=limit - left if left is not None else 0,
                daily_limit=limit,
                bytes_today=todays.get((client_id, tenant.tenant_id), 0),
                bytes_month=totals.get((client_id, tenant.tenant_id), 0),
            )
        )
    return found


def month_bytes(client_id: str) -> int:
    flush()
    first = today().replace(day=1)
    rows = ApiUsage.objects.filter(client_id=client_id, day__gte=first)
    return int(rows.aggregate(total=Sum("bytes"))["total"] or 0)
