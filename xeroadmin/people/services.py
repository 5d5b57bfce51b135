"""Reading each organisation's users from Xero, at most once a day (and on "refresh"), and
keeping what changed between two reads."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant
from xeroadmin.people.models import UsersRead, XeroRole, XeroUser, XeroUserChange
from xeroadmin.xero.dates import parse_datetime
from xeroadmin.xero.errors import XeroError

logger = logging.getLogger(__name__)

READ_EVERY = timedelta(hours=24)
# "Refresh" reads again only if the last read is older than this.
REFRESH_AFTER = timedelta(minutes=5)
# A read that failed is tried again after this long, not a day later.
RETRY_AFTER = timedelta(hours=1)
# A claim left by a worker that died is taken over after this long.
CLAIM_STALE = timedelta(minutes=10)
# Organisations read by one pass of the beat (hourly): 24 passes a day read 4,800.
PASS_MOST = 200


@dataclass
class ReadResult:
    tenant: Tenant
    users: int
    changes: int
    first: bool


def users_due(*, now: datetime | None = None) -> Any:
    """Connected organisations whose users were last read (or tried) long enough ago."""
    now = now or timezone.now()
    return (
        Tenant.objects.filter(status=Tenant.Status.CONNECTED)
        .filter(
            Q(users_read__isnull=True)
            | Q(users_read__claimed_at__isnull=True)
            | Q(users_read__claimed_at__lt=now - READ_EVERY)
        )
        .order_by("users_read__claimed_at", "pk")
    )


def users_read_due(*, most: int = PASS_MOST) -> int:
    """Read the users of the organisations due (beat, hourly). Returns how many were read."""
    read = 0
    for tenant in users_due()[:most]:
        try:
            if users_read(tenant=tenant) is not None:
                read += 1
        except XeroError:
            continue  # noted on the organisation's users; tried again in an hour
    return read


def users_read(*, tenant: Tenant, refresh: bool = False) -> ReadResult | None:
    """Read the organisation's users from Xero and keep what changed. None when it is not
    due (read within the day, or within minutes for a refresh) or another worker holds it.
    Raises XeroError when Xero could not answer (noted on the organisation's users)."""
    now = timezone.now()
    state, _ = UsersRead.objects.get_or_create(tenant=tenant)
    wait = REFRESH_AFTER if refresh else READ_EVERY
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - wait)
    if not refresh:
        claimable |= Q(read_at__isnull=True, claimed_at__lt=now - CLAIM_STALE)
    claimed = UsersRead.objects.filter(claimable, pk=state.pk).update(claimed_at=now)
    if not claimed:
        return None
    try:
        answer = tenant_client(tenant, purpose="read" if refresh else "background").get("Users")
    except XeroError as error:
        # Tried again in an hour, not a day (the claim is moved back to make it due then).
        UsersRead.objects.filter(pk=state.pk).update(
            claimed_at=now - READ_EVERY + RETRY_AFTER,
            last_error=error.message[:500],
            last_error_at=now,
        )
        logger.info("Could not read the users of %s: %s", tenant.tenant_id, error)
        raise
    users = [u for u in (answer or {}).get("Users") or [] if isinstance(u, dict)]
    with transaction.atomic():
        first = state.read_at is None
        changes = _apply(tenant, users, now, first=first)
        UsersRead.objects.filter(pk=state.pk).update(read_at=now, last_error="")
    return ReadResult(tenant=tenant, users=len(users), changes=changes, first=first)


def _apply(tenant: Tenant, users: list[dict[str, Any]], now: datetime, *, first: bool) -> int:
    """Bring the organisation's users in line with Xero's list; returns the changes seen. The
    first read is where everyone starts: it records no changes."""
    current = {u.user_id: u for u in XeroUser.objects.select_for_update().filter(tenant=tenant)}
    changes: list[XeroUserChange] = []
    seen: set[str] = set()

    def change(row: XeroUser, kind: str, before: str = "", after: str = "") -> None:
        if first:
            return
        changes.append(
            XeroUserChange(
                workspace_id=tenant.workspace_id,
                tenant=tenant,
                user_id=row.user_id,
                email=row.email,
                name=row.name,
                kind=kind,
                role_before=before,
                role_after=after,
                seen_at=now,
                changed_in_xero=row.updated_in_xero,
            )
        )

    subscriber = ""
    for raw in users:
        user_id = str(raw.get("UserID") or "").lower()
        if not user_id:
            continue
        seen.add(user_id)
        role = str(raw.get("OrganisationRole") or "UNKNOWN").upper()
        removed = role == "REMOVED"
        row = current.get(user_id)
        if row is None:
            if removed:
                continue  # never seen with access: nothing to keep
            row = XeroUser(
                workspace_id=tenant.workspace_id, tenant=tenant, user_id=user_id, first_seen_at=now
            )
            current[user_id] = row
            _fill(row, raw, role)
            row.save()
            change(row, XeroUserChange.Kind.ADDED, after=row.role)
            continue
        before = row.role
        was_removed = row.removed_at is not None
        _fill(row, raw, before if removed else role)
        if removed and not was_removed:
            row.removed_at = now
            change(row, XeroUserChange.Kind.REMOVED, before=before)
        elif not removed and was_removed:
            row.removed_at = None
            change(row, XeroUserChange.Kind.ADDED, after=row.role)
        elif not removed and before != row.role:
            change(row, XeroUserChange.Kind.CHANGED, before=before, after=row.role)
        row.save()
        if row.is_subscriber and row.removed_at is None:
            subscriber = row.email
    for user_id, row in current.items():
        if user_id not in seen and row.removed_at is None:
            row.removed_at = now  # gone from Xero's list altogether
            row.save(update_fields=["removed_at"])
            change(row, XeroUserChange.Kind.REMOVED, before=row.role)
    XeroUserChange.objects.bulk_create(changes)
    if subscriber and tenant.email != subscriber:
        # The subscriber's address helps suggest the organisation's client (mapping).
        Tenant.objects.filter(pk=tenant.pk).update(email=subscriber[:254])
    return len(changes)


def _fill(row: XeroUser, raw: dict[str, Any], role: str) -> None:
    row.email = str(raw.get("EmailAddress") or "").strip().lower()[:254]
    row.first_name = str(raw.get("FirstName") or "")[:255]
    row.last_name = str(raw.get("LastName") or "")[:255]
    row.role = role if role in XeroRole.values else "UNKNOWN"
    row.is_subscriber = bool(raw.get("IsSubscriber"))
    row.updated_in_xero = parse_datetime(raw.get("UpdatedDateUTC"))
