"""A record's History and Attachments lists, kept in the mirror so that reading costs no call.

Xero sends neither in a record's own answer, and a page view that fetched both spent two of the
organisation's 60 calls a minute; a team reading invoices could then starve its own writes.
A list is fetched once, stands while the record is unchanged in the mirror, and is fetched
again when the record changes, when we write to it, or when someone asks for a refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.db import IntegrityError, transaction
from django.utils import timezone

from xeroadmin.books.models import RecordPanel
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant

# Where each panel's list sits in Xero's answer.
KEYS: dict[str, str] = {
    RecordPanel.Panel.HISTORY: "HistoryRecords",
    RecordPanel.Panel.ATTACHMENTS: "Attachments",
}
# A name not in a list older than this is looked for once more in Xero (added there since).
RECHECK_AFTER = timedelta(minutes=1)
PATHS: dict[str, str] = {
    RecordPanel.Panel.HISTORY: "History",
    RecordPanel.Panel.ATTACHMENTS: "Attachments",
}


@dataclass(frozen=True)
class PanelList:
    entries: list[dict[str, Any]]
    fetched_at: datetime


def panel_get(
    *, tenant: Tenant, record_path: str, record: Any, panel: str, refresh: bool = False
) -> PanelList:
    """The panel's list: the mirrored copy while it stands, else fetched from Xero and kept."""
    kept = RecordPanel.objects.filter(tenant=tenant, record_path=record_path, panel=panel).first()
    if kept is not None and not refresh and kept.record_updated == record.updated_utc:
        return PanelList(kept.entries, kept.fetched_at)
    body = tenant_client(tenant, purpose="read").get(f"{record_path}/{PATHS[panel]}")
    found = (body or {}).get(KEYS[panel]) if isinstance(body, dict) else None
    entries = [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []
    now = timezone.now()
    values = {"entries": entries, "record_updated": record.updated_utc, "fetched_at": now}
    try:
        with transaction.atomic():
            RecordPanel.objects.update_or_create(
                tenant=tenant, record_path=record_path, panel=panel, defaults=values
            )
    except IntegrityError:
        pass  # another request stored the same list at the same moment
    return PanelList(entries, now)


def panel_forget(*, tenant: Tenant, record_path: str, panels: tuple[str, ...] = ()) -> None:
    """Drop the kept lists of a record (all of them by default), after we changed them."""
    kept = RecordPanel.objects.filter(tenant=tenant, record_path=record_path)
    if panels:
        kept = kept.filter(panel__in=panels)
    kept.delete()


def attachment_find(
    *, tenant: Tenant, record_path: str, record: Any, name: str
) -> dict[str, Any] | None:
    """The record's own attachment called `name`, or None: only those are ever downloaded."""
    panel = RecordPanel.Panel.ATTACHMENTS
    listing = panel_get(tenant=tenant, record_path=record_path, record=record, panel=panel)
    for attempt in range(2):
        for entry in listing.entries:
            if entry.get("FileName") == name:
                return entry
        if attempt or timezone.now() - listing.fetched_at < RECHECK_AFTER:
            break
        # Added in Xero since we last looked?
        listing = panel_get(
            tenant=tenant, record_path=record_path, record=record, panel=panel, refresh=True
        )
    return None


def attachment_path(record_path: str, name: str) -> str:
    """The attachment's URL path, its name one encoded segment (never `..` or a `/`)."""
    return f"{record_path}/Attachments/{quote(name, safe='')}"
