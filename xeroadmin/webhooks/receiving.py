"""Receiving Xero's webhooks: the signature checked and the raw delivery stored, the answer
never waiting on parsing, Xero or a worker; deliveries handed to the workers in small batches."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
import time

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from xeroadmin.connections.models import XeroApp
from xeroadmin.webhooks.models import WebhookCounter, WebhookDelivery

logger = logging.getLogger(__name__)

HANDOFF_BATCH = 50
HANDOFF_GATHER = 0.1  # seconds


def signature_valid(body: bytes, signature: str, key: str) -> bool:
    """x-xero-signature is base64(HMAC-SHA256(key, raw body)); compared in constant time."""
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.encode("latin-1", "replace"))


def sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def delivery_store(*, app: XeroApp | None, body: bytes) -> WebhookDelivery:
    """Keep a good delivery, then (after commit) hand it to the workers."""
    delivery = WebhookDelivery.objects.create(app=app, body=body)
    transaction.on_commit(lambda: _handoff.add(delivery.pk))
    return delivery


class _Handoff:
    """Passes stored deliveries to the broker from a background thread, several to a message,
    so that Xero's answer never waits on the broker (busy, slow or down). A delivery not
    handed off (the broker refused it, or the process ended first) stays "received", and the
    sweeper queues it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: list[int] = []
        self._thread: threading.Thread | None = None

    def add(self, delivery_id: int) -> None:
        with self._lock:
            self._pending.append(delivery_id)
            if self._thread is None or not self._thread.is_alive():  # first use, or after fork
                self._thread = threading.Thread(
                    target=self._run, name="webhook-handoff", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            # A burst arrives together: gather it into few messages rather than one each.
            time.sleep(HANDOFF_GATHER)
            self._wake.clear()
            with self._lock:
                batch, self._pending = self._pending, []
            for start in range(0, len(batch), HANDOFF_BATCH):
                enqueue(batch[start : start + HANDOFF_BATCH])


_handoff = _Handoff()


def enqueue(delivery_ids: list[int], countdown: float = 0) -> None:
    from xeroadmin.webhooks.tasks import deliveries_process

    try:
        # No publish retries: with the broker down, the sweeper finds the deliveries instead.
        deliveries_process.apply_async((delivery_ids,), countdown=countdown, retry=False)
    except Exception as error:  # the broker's own errors vary by transport
        logger.warning(
            "%d deliveries not queued (%s); the sweeper will pick them up.",
            len(delivery_ids),
            error,
        )


def rejected_count(scope: str) -> None:
    """Count a badly signed delivery; nothing else of it is kept."""
    now = timezone.now()
    changed = WebhookCounter.objects.filter(scope=scope).update(
        rejected=F("rejected") + 1, last_rejected_at=now
    )
    if not changed:
        try:
            with transaction.atomic():
                WebhookCounter.objects.create(scope=scope, rejected=1, last_rejected_at=now)
        except IntegrityError:
            WebhookCounter.objects.filter(scope=scope).update(
                rejected=F("rejected") + 1, last_rejected_at=now
            )


def counter_scope(app: XeroApp | None) -> str:
    return f"app:{app.pk}" if app is not None else "default"
