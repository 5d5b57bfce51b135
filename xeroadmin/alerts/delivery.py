"""Posting events to a workspace's channels, and the signature its own webhooks carry.

A signed webhook's body is the event as JSON; its headers say which event it is and carry an
HMAC-SHA256 of the timestamp and the raw body, made with the channel's secret:
`Xeroadmin-Signature: t=<unix seconds>,v1=<hex>` over `<t>.<body>`. The same event keeps its
id (`Xeroadmin-Event-Id`, and `id` in the body) through every retry, so a receiver can take
each one once. A delivery that fails is tried again with growing waits for a day, then given
up; each attempt's answer is kept for the channel's delivery log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xeroadmin.alerts.models import Channel, Delivery
from xeroadmin.lib import outbound

logger = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=24)
FIRST_WAIT = 30.0  # seconds; doubled after each failure
LONGEST_WAIT = 3600.0
CLAIM_FOR = timedelta(minutes=2)  # a claimed delivery left longer was lost with its worker
TOLERANCE = 300  # seconds a receiver should accept a signature's timestamp either way


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does (and our tests' receiver does): check the signature and its age."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        stamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - stamp) > TOLERANCE:
        return False
    expected = sign(secret, stamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def body_of(delivery: Delivery) -> bytes:
    """What is posted: the same bytes on every attempt."""
    channel = delivery.channel
    payload: dict[str, Any] = delivery.payload
    if channel.kind == Channel.Kind.WEBHOOK:
        event = {
            "id": delivery.event_id,
            "type": delivery.event,
            "createdAt": delivery.created_at.isoformat(),
            "data": payload,
        }
        return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
    text = str(payload.get("summary") or "")
    link = _absolute(str(payload.get("url") or ""))
    if channel.kind == Channel.Kind.SLACK:
        # Slack's mrkdwn: a link is <url|text>, and &, <, > are escaped.
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        message = {"text": f"<{link}|{safe}>" if link else safe}
        return json.dumps(message).encode()
    card = {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{"type": "TextBlock", "text": text, "wrap": True}],
                    "actions": [{"type": "Action.OpenUrl", "title": "Open", "url": link}]
                    if link
                    else [],
                },
            }
        ],
    }
    return json.dumps(card).encode()


def _absolute(path: str) -> str:
    if not path:
        return ""
    return path if path.startswith("http") else settings.SITE_URL.rstrip("/") + path


def deliveries_due(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_at__lte=now)
        .filter(Q(claim="") | Q(next_at__lte=now - CLAIM_FOR))
        .order_by("next_at", "pk")
        .values_list("pk", flat=True)[:500]
    )


def delivery_send(delivery_id: int) -> str:
    """One attempt at one delivery, if it is due and nobody else holds it."""
    now = timezone.now()
    claim = uuid.uuid4().hex
    taken = (
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING, next_at__lte=now)
        .filter(Q(claim="") | Q(next_at__lte=now - CLAIM_FOR))
        .update(claim=claim, next_at=now)
    )
    if not taken:
        return "skipped"
    delivery = Delivery.objects.select_related("channel").get(pk=delivery_id)
    channel = delivery.channel
    body = body_of(delivery)
    headers = {"Content-Type": "application/json", "User-Agent": "xeroadmin-webhooks/1"}
    if channel.kind == Channel.Kind.WEBHOOK:
        headers["Xeroadmin-Event-Id"] = delivery.event_id
        headers["Xeroadmin-Event"] = delivery.event
        headers["Xeroadmin-Signature"] = sign(channel.secret, int(time.time()), body)
    code: int | None = None
    try:
        answer = outbound.post(
            channel.url, body, headers, allow_loopback=settings.OUTBOUND_ALLOW_LOOPBACK
        )
        code, error = answer.status, "" if answer.status < 300 else answer.body[:300]
    except outbound.Refused as refused:
        return _finish(delivery, claim, Delivery.Status.FAILED, None, str(refused))
    except requests.RequestException as failure:
        error = f"Could not reach it ({type(failure).__name__})."
    if code is not None and 200 <= code < 300:
        return _finish(delivery, claim, Delivery.Status.DELIVERED, code, "")
    attempts = delivery.attempts + 1
    wait = min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)
    next_at = timezone.now() + timedelta(seconds=wait)
    if next_at > delivery.created_at + GIVE_UP_AFTER:
        return _finish(delivery, claim, Delivery.Status.FAILED, code, error or "Gave up.")
    Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
        attempts=attempts,
        next_at=next_at,
        claim="",
        last_code=code,
        last_error=(error or f"It answered {code}.")[:500],
    )
    # Tried again when its wait is over (beat's sweep would find it too, later).
    from xeroadmin.alerts.tasks import delivery_retry

    delivery_retry.apply_async((delivery.pk,), countdown=wait)
    return "retrying"


def _finish(delivery: Delivery, claim: str, status: str, code: int | None, error: str) -> str:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, claim=claim).update(
            status=status,
            attempts=delivery.attempts + 1,
            claim="",
            last_code=code,
            last_error=error[:500],
            delivered_at=timezone.now() if status == Delivery.Status.DELIVERED else None,
        )
    logger.info("Delivery %s to channel %s: %s", delivery.pk, delivery.channel_id, status)
    return status
