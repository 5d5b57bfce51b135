"""Xero's webhooks: events batched per app, signed, delivered, retried; Intent-to-Receive."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import random
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from xeroadmin.sandbox.state import App, State

logger = logging.getLogger(__name__)

BATCH = 500
DISABLE_AFTER = 24 * 3600


def sign(body: bytes, key: str) -> str:
    """x-xero-signature: base64 HMAC-SHA256 of the raw body with the webhook key."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def post_signed(url: str, body: bytes, key: str) -> requests.Response:
    """POST a webhook body as Xero does: JSON, signed, and given up after Xero's 5 seconds."""
    return requests.post(
        url,
        data=body,
        timeout=5,
        headers={"Content-Type": "application/json", "x-xero-signature": sign(body, key)},
    )


@dataclass
class _Outbox:
    events: deque[dict[str, Any]] = field(default_factory=deque)
    sequence: int = 0
    failing_since: float | None = None
    next_attempt: float = 0.0
    attempts: int = 0
    pending: bytes | None = None  # a payload being retried, re-sent unchanged
    disabled: bool = False
    sending: bool = False  # a delivery is in flight: one at a time per app, as Xero sends


class Webhooks:
    def __init__(self, state: State, *, interval: float = 0.5) -> None:
        self.state = state
        self.interval = interval
        self.log: deque[dict[str, Any]] = deque(maxlen=200)
        self._outboxes: dict[str, _Outbox] = {}
        self._lock = threading.Lock()
        self._sent = threading.Condition(self._lock)  # notified when a delivery finishes
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def reset(self) -> None:
        with self._lock:
            self._outboxes.clear()
            self.log.clear()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _subscribers(self, tenant: str) -> list[App]:
        world = self.state.world
        apps = []
        for app in world.apps.values():
            if not app.webhook_url or not app.webhook_key:
                continue
            connected = app.custom_tenant == tenant or any(
                c.client_id == app.client_id and c.tenant_id == tenant
                for c in world.connections.values()
            )
            if connected:
                apps.append(app)
        return apps

    def record(
        self, tenant: str, category: str, event_type: str, resource_id: str, base_url: str
    ) -> None:
        """Queue one event for every app subscribed and connected to the organisation."""
        resource = {
            "INVOICE": "Invoices",
            "CONTACT": "Contacts",
            "CREDITNOTE": "CreditNotes",
            "PREPAYMENT": "Prepayments",
            "OVERPAYMENT": "Overpayments",
        }[category]
        stamp = datetime.fromtimestamp(self.state.clock.time(), tz=UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%f"
        )[:-3]
        event: dict[str, Any] = {
            "resourceUrl": f"{base_url}/api.xro/2.0/{resource}/{resource_id}",
            "resourceId": resource_id,
            "eventDateUtc": stamp,
            "eventType": event_type,
            "eventCategory": category,
            "tenantId": tenant,
            "tenantType": "ORGANISATION",
        }
        if category == "CREDITNOTE":
            # Credit note events carry the note's type and status, as Xero's do.
            note = self.state.orgs[tenant].credit_notes.get(resource_id, {})
            event["data"] = {"Type": note.get("Type"), "Status": note.get("Status")}
        with self._lock:
            for app in self._subscribers(tenant):
                box = self._outboxes.setdefault(app.client_id, _Outbox())
                if not box.disabled:
                    box.events.append(dict(event))

    def flush(self) -> None:
        """Deliver what is due now (the thread calls this; tests may too)."""
        now = time.time()
        with self._lock:
            due = []
            for client_id, box in self._outboxes.items():
                if box.disabled or box.sending or now < box.next_attempt:
                    continue
                if box.pending is None and box.events:
                    batch = [box.events.popleft() for _ in range(min(BATCH, len(box.events)))]
                    first = box.sequence + 1
                    box.sequence += len(batch)
                    payload = {
                        "events": batch,
                        "firstEventSequence": first,
                        "lastEventSequence": box.sequence,
                        "entropy": secrets.token_hex(10).upper(),
                    }
                    box.pending = json.dumps(payload).encode()
                if box.pending is not None:
                    app = self.state.apps.get(client_id)
                    if app is not None:
                        box.sending = True  # a flush from another thread leaves it alone
                        due.append((app, box))
        for app, box in due:
            self._deliver(app, box)

    def flush_and_wait(self, timeout: float = 30.0) -> None:
        """Deliver what is due, then wait for every delivery in flight (the control API's
        flush: its answer then says how each went)."""
        self.flush()
        with self._sent:
            self._sent.wait_for(
                lambda: not any(box.sending for box in self._outboxes.values()), timeout
            )

    def _deliver(self, app: App, box: _Outbox) -> None:
        body = box.pending or b""
        started = time.monotonic()
        try:
            response = post_signed(app.webhook_url, body, app.webhook_key)
            status, ok = response.status_code, response.status_code == 200
        except requests.RequestException as error:
            status, ok = 0, False
            logger.info("Webhook delivery to %s failed: %s", app.webhook_url, error)
        elapsed = round((time.monotonic() - started) * 1000)
        events = json.loads(body).get("events", [])
        with self._lock:
            box.sending = False
            self._sent.notify_all()
            self.log.appendleft(
                {
                    "clientId": app.client_id,
                    "url": app.webhook_url,
                    "status": status,
                    "ok": ok,
                    "events": len(events),
                    "ms": elapsed,
                    "attempt": box.attempts + 1,
                    "at": datetime.now(UTC).isoformat(),
                }
            )
            now = time.time()
            if ok:
                box.pending, box.attempts, box.failing_since, box.next_attempt = None, 0, None, 0.0
                return
            box.attempts += 1
            box.failing_since = box.failing_since or now
            if now - box.failing_since > DISABLE_AFTER:
                box.disabled = True
                return
            # Back off: 1 s, 2 s, 4 s ... capped at 15 minutes, with jitter.
            box.next_attempt = now + min(2 ** (box.attempts - 1), 900) * random.uniform(0.8, 1.2)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:
                logger.exception("Webhook delivery loop failed")

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "deliveries": list(self.log),
                "outboxes": {
                    k: {
                        "queued": len(b.events),
                        "retrying": b.pending is not None,
                        "attempts": b.attempts,
                        "disabled": b.disabled,
                    }
                    for k, b in self._outboxes.items()
                },
            }

    def intent_to_receive(self, app: App) -> dict[str, Any]:
        """Xero's check: good signatures must get 200 (empty, no cookie), bad ones 401, in 5 s."""
        results = []
        kinds = ["good", "bad", "good", "bad", "bad", "good"]
        random.shuffle(kinds)
        for kind in kinds:
            body = json.dumps(
                {
                    "events": [],
                    "lastEventSequence": 0,
                    "firstEventSequence": 0,
                    "entropy": secrets.token_hex(10).upper(),
                }
            ).encode()
            key = app.webhook_key if kind == "good" else secrets.token_urlsafe(32)
            started = time.monotonic()
            try:
                response = post_signed(app.webhook_url, body, key)
                elapsed = time.monotonic() - started
                expected = 200 if kind == "good" else 401
                problems = []
                if response.status_code != expected:
                    problems.append(f"answered {response.status_code}, expected {expected}")
                if response.content:
                    problems.append("the response had a body")
                if "set-cookie" in {h.lower() for h in response.headers}:
                    problems.append("the response set a cookie")
                if elapsed > 5:
                    problems.append("took longer than 5 s")
                results.append(
                    {
                        "signature": kind,
                        "status": response.status_code,
                        "ms": round(elapsed * 1000),
                        "passed": not problems,
                        "problems": problems,
                    }
                )
            except requests.RequestException as error:
                results.append(
                    {"signature": kind, "status": 0, "passed": False, "problems": [str(error)]}
                )
        return {"passed": all(r["passed"] for r in results), "results": results}
