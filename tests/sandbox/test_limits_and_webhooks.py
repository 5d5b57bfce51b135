"""Rate limits, faults, webhooks and Intent-to-Receive, the control API, state files and the command."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.sandbox.helpers import BOOKS_SCOPES, Xero, client_for, connect
from tests.xero_contract import require_spec, validate_webhook
from xeroadmin.sandbox.core import Clock, XeroError
from xeroadmin.sandbox.limits import Limits

ROOT = Path(__file__).resolve().parent.parent.parent
KEY = "sandbox-webhook-key"


class Receiver:
    """A webhook endpoint written from Xero's rules, verifying signatures on its own."""

    def __init__(self, key: str, *, fail_first: int = 0) -> None:
        self.key = key
        self.fail_first = fail_first
        self.good: list[dict] = []
        self.bad = 0
        self.calls = 0
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __call__(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        self.calls += 1
        expected = base64.b64encode(
            hmac.new(self.key.encode(), body, hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected, request.headers.get("x-xero-signature", "")):
            self.bad += 1
            return Response(b"", status=401)(environ, start_response)
        if self.fail_first > 0:
            self.fail_first -= 1
            return Response(b"", status=503)(environ, start_response)
        self.good.append(json.loads(body))
        return Response(b"", status=200)(environ, start_response)


@pytest.fixture
def receiver(xero_sandbox) -> Iterator[Receiver]:
    hook = Receiver(KEY)
    hook.thread.start()
    requests.put(
        f"{xero_sandbox.url}/_sandbox/webhooks", json={"url": hook.url, "key": KEY}, timeout=10
    )
    yield hook
    hook.server.shutdown()


def events_of(hook: Receiver) -> list[dict]:
    return [event for payload in hook.good for event in payload["events"]]


def wait_until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_it_answers_429_past_sixty_calls_a_minute(xero_sandbox) -> None:
    xero = client_for(xero_sandbox.url)
    statuses = [xero.get("Organisation").status_code for _ in range(60)]
    assert statuses == [200] * 60
    limited = xero.get("Organisation")
    assert limited.status_code == 429
    assert limited.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert limited.headers["X-MinLimit-Remaining"] == "0"
    xero_sandbox.sandbox.state.clock.advance(61)
    assert xero.get("Organisation").status_code == 200


def test_it_answers_429_past_five_concurrent_calls(xero_sandbox) -> None:
    xero = client_for(xero_sandbox.url)
    requests.post(
        f"{xero_sandbox.url}/_sandbox/faults",
        json={"status": 0, "latencyMs": 600, "count": 8, "path": "/api.xro"},
        timeout=10,
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: xero.get("Organisation"), range(8)))
    problems = {r.headers.get("X-Rate-Limit-Problem") for r in statuses if r.status_code == 429}
    assert problems == {"concurrent"}


def test_it_counts_the_daily_and_app_limits() -> None:
    clock = Clock()
    limits = Limits(clock)
    for _ in range(5000):
        limits.acquire("app", "tenant")
        limits.release("app", "tenant")
        clock.advance(1.01)  # stay under 60 a minute
    with pytest.raises(XeroError) as day:
        limits.acquire("app", "tenant")
    assert day.value.headers["X-Rate-Limit-Problem"] == "day"
    app_clock = Clock()
    app_limits = Limits(app_clock)
    for n in range(10_000):
        app_limits.acquire("app", f"tenant-{n % 200}")
        app_limits.release("app", f"tenant-{n % 200}")
    with pytest.raises(XeroError) as app:
        app_limits.acquire("app", "fresh-tenant")
    assert app.value.headers["X-Rate-Limit-Problem"] == "appminute"


def test_limits_count_per_app_and_organisation_and_the_day_can_be_starters() -> None:
    clock = Clock()
    limits = Limits(clock, daily=1000)
    for _ in range(60):
        limits.acquire("default-app", "tenant")
        limits.release("default-app", "tenant")
    with pytest.raises(XeroError) as minute:
        limits.acquire("default-app", "tenant")
    assert minute.value.headers["X-Rate-Limit-Problem"] == "minute"
    # Another app on the same organisation has its own minute (Xero's rule, not a shared one).
    headers = limits.acquire("workspace-app", "tenant")
    limits.release("workspace-app", "tenant")
    assert headers["X-MinLimit-Remaining"] == "59"
    assert headers["X-DayLimit-Remaining"] == "999"
    for _ in range(999):
        clock.advance(1.01)
        limits.acquire("workspace-app", "tenant")
        limits.release("workspace-app", "tenant")
    clock.advance(1.01)
    with pytest.raises(XeroError) as day:
        limits.acquire("workspace-app", "tenant")
    assert day.value.headers["X-Rate-Limit-Problem"] == "day"


def test_it_injects_faults_with_retry_after(xero_sandbox) -> None:
    xero = client_for(xero_sandbox.url)
    requests.post(
        f"{xero_sandbox.url}/_sandbox/faults",
        json={"status": 503, "count": 2, "retryAfter": 3, "path": "/api.xro"},
        timeout=10,
    )
    first, second, third = (xero.get("Organisation") for _ in range(3))
    assert first.status_code == second.status_code == 503
    assert first.headers["Retry-After"] == "3"
    assert third.status_code == 200


def test_it_fails_a_share_of_calls_at_random(xero_sandbox) -> None:
    xero = client_for(xero_sandbox.url)
    faults = f"{xero_sandbox.url}/_sandbox/faults"
    bad = requests.post(faults, json={"status": 503, "rate": 1.5}, timeout=10)
    assert bad.status_code == 400
    assert "rate" in bad.json()["detail"]
    partial = {"status": 503, "count": 1000, "rate": 0.3, "path": "/api.xro"}
    assert requests.post(faults, json=partial, timeout=10).status_code == 200
    answers = [xero.get("Organisation").status_code for _ in range(40)]
    assert set(answers) == {200, 503}
    assert 4 <= answers.count(503) <= 20  # about 12 of 40; the same seed picks the same calls
    requests.delete(faults, timeout=10)
    assert xero.get("Organisation").status_code == 200


def test_it_can_lose_an_answer_after_doing_the_work(xero_sandbox) -> None:
    """An "after" fault applies the call and loses its answer: a retry under the same
    Idempotency-Key gets the answer and writes nothing more; one under a new key writes twice."""
    xero = client_for(xero_sandbox.url)
    invoice = xero.get("Invoices", params={"page": 1}).json()["Invoices"][0]["InvoiceID"]
    faults = f"{xero_sandbox.url}/_sandbox/faults"
    lost = {"status": 504, "count": 1, "after": True, "path": "/api.xro/2.0/Invoices"}
    note = {"HistoryRecords": [{"Details": "Chased by phone"}]}

    def history() -> int:
        records = xero.get(f"Invoices/{invoice}/History").json()["HistoryRecords"]
        return sum(1 for r in records if r.get("Details") == "Chased by phone")

    key = {"Idempotency-Key": "lost-answer-1"}
    assert requests.post(faults, json=lost, timeout=10).json()["faults"][0]["after"] is True
    assert xero.put(f"Invoices/{invoice}/History", note, headers=key).status_code == 504
    assert history() == 1  # done, though the answer was lost
    again = xero.put(f"Invoices/{invoice}/History", note, headers=key)
    assert again.status_code == 200
    assert history() == 1
    assert xero.put(f"Invoices/{invoice}/History", note).status_code == 200
    assert history() == 2  # a new key is a new note
    counted = requests.get(f"{xero_sandbox.url}/_sandbox/stats", timeout=10).json()["byTenant"]
    assert counted[xero.tenant] >= 6


def test_it_delivers_signed_webhooks_for_api_changes(xero_sandbox, receiver: Receiver) -> None:
    xero = client_for(xero_sandbox.url)
    contact = xero.put("Contacts", {"Contacts": [{"Name": "Webhook Watchers Ltd"}]}).json()[
        "Contacts"
    ][0]
    xero.post(f"Contacts/{contact['ContactID']}", {"Contacts": [{"FirstName": "Wanda"}]})
    wait_until(lambda: len(events_of(receiver)) >= 2)
    events = events_of(receiver)
    assert [(e["eventCategory"], e["eventType"]) for e in events[:2]] == [
        ("CONTACT", "CREATE"),
        ("CONTACT", "UPDATE"),
    ]
    event = events[0]
    assert event["tenantId"] == xero.tenant
    assert event["resourceId"] == contact["ContactID"]
    assert event["resourceUrl"] == f"{xero_sandbox.url}/api.xro/2.0/Contacts/{contact['ContactID']}"
    assert receiver.bad == 0
    require_spec()
    for payload in receiver.good:
        validate_webhook(payload)
    # The event's resource URL is fetchable with the same token.
    fetched = requests.get(
        event["resourceUrl"],
        timeout=10,
        headers={
            "Authorization": f"Bearer {xero.token}",
            "xero-tenant-id": xero.tenant,
            "Accept": "application/json",
        },
    )
    assert fetched.json()["Contacts"][0]["FirstName"] == "Wanda"


def test_it_retries_deliveries_while_the_receiver_fails(xero_sandbox, receiver: Receiver) -> None:
    receiver.fail_first = 2
    xero = client_for(xero_sandbox.url)
    xero.put("Contacts", {"Contacts": [{"Name": "Retry Me Ltd"}]})
    wait_until(lambda: len(events_of(receiver)) == 1, timeout=20)
    log = requests.get(f"{xero_sandbox.url}/_sandbox/webhooks", timeout=10).json()["deliveries"]
    assert [d["status"] for d in reversed(log)][:3] == [503, 503, 200]


def test_it_simulates_activity_in_xero(xero_sandbox, receiver: Receiver) -> None:
    connect(xero_sandbox.url)  # webhooks go only to organisations connected to the app
    answer = requests.post(
        f"{xero_sandbox.url}/_sandbox/simulate", json={"action": "payment", "count": 2}, timeout=10
    )
    done = answer.json()["done"]
    assert all("invoiceId" in d for d in done)
    wait_until(lambda: len(events_of(receiver)) >= 2)
    assert {e["eventCategory"] for e in events_of(receiver)} == {"INVOICE"}


def test_it_runs_intent_to_receive(xero_sandbox, receiver: Receiver) -> None:
    passed = requests.post(
        f"{xero_sandbox.url}/_sandbox/webhooks/intent-to-receive", json={}, timeout=60
    ).json()
    assert passed["passed"] is True
    assert {r["signature"] for r in passed["results"]} == {"good", "bad"}
    receiver.key = "some-other-key"  # the receiver now checks with the wrong key: it must fail
    failed = requests.post(
        f"{xero_sandbox.url}/_sandbox/webhooks/intent-to-receive", json={}, timeout=60
    ).json()
    assert failed["passed"] is False


def test_it_registers_another_app_for_bring_your_own(xero_sandbox) -> None:
    created = requests.post(
        f"{xero_sandbox.url}/_sandbox/apps",
        timeout=10,
        json={"clientId": "byo-app", "clientSecret": "byo-secret", "kind": "custom"},
    ).json()
    assert created["kind"] == "custom"
    token = requests.post(
        f"{xero_sandbox.url}/connect/token",
        data={"grant_type": "client_credentials"},
        auth=("byo-app", "byo-secret"),
        timeout=10,
    )
    assert token.status_code == 200


def test_it_resets_to_the_seeded_books(xero_sandbox) -> None:
    xero = client_for(xero_sandbox.url)
    xero.put("Contacts", {"Contacts": [{"Name": "Temporary Ltd"}]})
    before = xero_sandbox.sandbox.summary("")["organisations"]
    requests.post(f"{xero_sandbox.url}/_sandbox/reset", timeout=30)
    after = xero_sandbox.sandbox.summary("")["organisations"]
    assert [o["contacts"] for o in after] == [
        before[0]["contacts"] - 1,
        *[o["contacts"] for o in before[1:]],
    ]
    assert [o["tenantId"] for o in after] == [o["tenantId"] for o in before]  # deterministic


def test_it_never_answers_with_a_stack_trace(xero_sandbox) -> None:
    xero: Xero = client_for(xero_sandbox.url)
    for body in (
        b"[]",
        b"null",
        b'{"Invoices": [1, 2]}',
        b'{"Invoices": [{"Type": "ACCREC", "LineItems": "x"}]}',
        b'{"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": 5}, "LineItems": [{"Quantity": "NaN"}]}]}',
    ):
        answer = xero.call(
            "PUT", "Invoices", data=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 400, body
        assert "Traceback" not in answer.text
    control = requests.post(f"{xero_sandbox.url}/_sandbox/clock", data=b"{bad", timeout=10)
    assert control.status_code == 200


def test_it_saves_and_loads_state_through_the_command(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "manage.py",
        "xero_sandbox",
        "--port",
        "0",
        "--orgs",
        "1",
        "--invoices-per-org",
        "5",
        "--state",
        str(state_file),
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    banner = [process.stdout.readline() for _ in range(3)]
    assert "Xero sandbox listening on http://127.0.0.1:" in banner[0]
    assert "XERO_LOGIN_URL" in banner[1]
    base = banner[0].split()[-1]
    xero = client_for(base)
    xero.put("Contacts", {"Contacts": [{"Name": "Persistent Pty"}]})
    process.terminate()
    process.wait(timeout=20)
    assert state_file.exists()
    again = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert again.stdout is not None
    base = again.stdout.readline().split()[-1]
    try:
        tokens, connections = connect(base)
        names = (
            Xero(base, tokens["access_token"], connections[0]["tenantId"])
            .get("Contacts", params={"searchTerm": "Persistent"})
            .json()["Contacts"]
        )
        assert [c["Name"] for c in names] == ["Persistent Pty"]
    finally:
        again.terminate()
        again.wait(timeout=20)


def test_it_announces_credit_notes_with_their_type_and_status(
    xero_sandbox, receiver: Receiver
) -> None:
    require_spec()
    xero = client_for(xero_sandbox.url)
    contact = xero.get("Contacts", params={"page": 1}).json()["Contacts"][0]
    note = xero.put(
        "CreditNotes",
        {
            "CreditNotes": [
                {
                    "Type": "ACCRECCREDIT",
                    "Contact": {"ContactID": contact["ContactID"]},
                    "LineItems": [
                        {"Description": "Refund", "UnitAmount": 40, "AccountCode": "200"}
                    ],
                }
            ]
        },
    )
    assert note.status_code == 200, note.text
    created = note.json()["CreditNotes"][0]
    assert created["Total"] == 46.0  # 40 + 15% GST
    approved = xero.post(
        f"CreditNotes/{created['CreditNoteID']}", {"CreditNotes": [{"Status": "AUTHORISED"}]}
    )
    assert approved.json()["CreditNotes"][0]["Status"] == "AUTHORISED"
    assert (
        xero.get(f"CreditNotes/{created['CreditNoteID']}").json()["CreditNotes"][0][
            "RemainingCredit"
        ]
        == 46.0
    )
    listed = xero.get("CreditNotes", params={"page": 1}).json()["CreditNotes"]
    assert created["CreditNoteID"] in [n["CreditNoteID"] for n in listed]
    assert xero.get(f"CreditNotes/{created['CreditNoteID']}/History").json()["HistoryRecords"]
    wait_until(lambda: len(events_of(receiver)) >= 2)
    events = [e for e in events_of(receiver) if e["eventCategory"] == "CREDITNOTE"]
    assert [e["data"] for e in events] == [
        {"Type": "ACCRECCREDIT", "Status": "DRAFT"},
        {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"},
    ]
    for payload in receiver.good:
        validate_webhook(payload)


def test_it_announces_prepayments_and_credit_allocated(xero_sandbox, receiver: Receiver) -> None:
    """Xero sends PREPAYMENT and OVERPAYMENT events (XERO_FACTS section 4), and an allocation
    changes both the credit and the invoice it settles."""
    require_spec()
    xero = client_for(xero_sandbox.url, scope=BOOKS_SCOPES)
    contact = xero.get("Contacts", params={"page": 1}).json()["Contacts"][0]
    made = xero.put(
        "BankTransactions",
        {
            "Type": "RECEIVE-PREPAYMENT",
            "Contact": {"ContactID": contact["ContactID"]},
            "BankAccount": {"Code": "090"},
            "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Deposit", "UnitAmount": 100, "AccountCode": "200"}],
        },
    )
    prepayment_id = made.json()["BankTransactions"][0]["PrepaymentID"]
    invoice = xero.put(
        "Invoices",
        {
            "Type": "ACCREC",
            "Contact": {"ContactID": contact["ContactID"]},
            "Status": "AUTHORISED",
            "DueDate": (xero_sandbox.sandbox.state.clock.today() + timedelta(days=14)).isoformat(),
            "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Work", "UnitAmount": 60, "AccountCode": "200"}],
        },
    ).json()["Invoices"][0]
    allocated = xero.put(
        f"Prepayments/{prepayment_id}/Allocations",
        {"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 60}]},
    )
    assert allocated.status_code == 200, allocated.text
    wait_until(lambda: len(events_of(receiver)) >= 4)
    seen = [(e["eventCategory"], e["eventType"], e["resourceId"]) for e in events_of(receiver)]
    assert ("PREPAYMENT", "CREATE", prepayment_id) in seen
    assert ("PREPAYMENT", "UPDATE", prepayment_id) in seen
    assert ("INVOICE", "UPDATE", invoice["InvoiceID"]) in seen
    urls = {e["resourceUrl"] for e in events_of(receiver) if e["eventCategory"] == "PREPAYMENT"}
    assert urls == {f"{xero_sandbox.url}/api.xro/2.0/Prepayments/{prepayment_id}"}
    for payload in receiver.good:
        validate_webhook(payload)


def test_a_payload_is_delivered_once_however_many_flush_at_once(
    xero_sandbox, receiver: Receiver
) -> None:
    """The delivery thread and a test's flush may run together: the payload in flight is
    theirs to share, never sent twice (Xero sends one delivery at a time per app)."""
    slow = receiver.__call__

    def answer_slowly(environ, start_response):
        time.sleep(0.3)
        return slow(environ, start_response)

    receiver.server.app = answer_slowly
    xero = client_for(xero_sandbox.url)
    xero.put("Contacts", {"Contacts": [{"Name": "Only Once Ltd"}]})
    webhooks = xero_sandbox.sandbox.webhooks
    flushes = [threading.Thread(target=webhooks.flush) for _ in range(4)]
    for flush in flushes:
        flush.start()
    for flush in flushes:
        flush.join()
    wait_until(lambda: len(receiver.good) >= 1)
    time.sleep(0.5)  # time for a second, duplicate delivery to arrive, were there one
    assert [e["resourceId"] for e in events_of(receiver)].count(
        events_of(receiver)[0]["resourceId"]
    ) == 1
    assert receiver.calls == 1
