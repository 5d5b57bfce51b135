"""Deliveries as Xero sends them: a payload of events, signed with the app's webhook key."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.test import Client as HttpClient

from xeroadmin.webhooks.receiving import sign

KEY = "sandbox-webhook-key"  # the sandbox's default app's key, which the `xero` fixture sets


def stamp(when: datetime) -> str:
    """Xero's eventDateUtc: ISO, milliseconds, no zone."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def event(
    tenant_id: str,
    resource_id: str,
    when: datetime,
    *,
    category: str = "INVOICE",
    event_type: str = "UPDATE",
    **extra: Any,
) -> dict[str, Any]:
    resource = {
        "INVOICE": "Invoices",
        "CONTACT": "Contacts",
        "CREDITNOTE": "CreditNotes",
        "PREPAYMENT": "Prepayments",
        "OVERPAYMENT": "Overpayments",
    }
    return {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/{resource.get(category, 'X')}/{resource_id}",
        "resourceId": resource_id,
        "eventDateUtc": stamp(when),
        "eventType": event_type,
        "eventCategory": category,
        "tenantId": tenant_id,
        "tenantType": "ORGANISATION",
        **extra,
    }


def payload(events: list[dict[str, Any]], first: int = 1) -> bytes:
    return json.dumps(
        {
            "events": events,
            "firstEventSequence": first,
            "lastEventSequence": first + max(len(events) - 1, 0),
            "entropy": "TESTENTROPY0123",
        }
    ).encode()


def deliver(
    client: HttpClient, body: bytes, *, key: str = KEY, url: str = "/webhooks/xero/"
) -> Any:
    return client.post(
        url,
        data=body,
        content_type="application/json",
        headers={"x-xero-signature": sign(body, key)},
    )
