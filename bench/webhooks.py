"""Signed webhook deliveries accepted per second by the receiver (signature checked, delivery
stored, processing queued on the embedded broker) against a trivial POST view, both through
the same threaded HTTP server, middleware and run; with the p99 latency of each."""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import requests
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from werkzeug.serving import BaseWSGIServer

from bench.harness import compare

KEY = "bench-webhook-key"
CLIENTS = 4  # concurrent senders, as Xero's retries and several apps would be
PER_ROUND = 40  # requests per timed call, spread over the senders


@csrf_exempt
def trivial(request: HttpRequest) -> HttpResponse:
    # Reads the body as the receiver does, and answers the same bare 200.
    request.body  # noqa: B018
    return HttpResponse(b"", status=200)


urlpatterns = [
    path("bench/trivial-post/", trivial),
    path("", include("xeroadmin.urls")),
]


class _PooledServer(BaseWSGIServer):
    """A fixed pool of threads, each keeping its database connection, as a threaded
    production server's workers do."""

    def __init__(self, host: str, port: int, app: WSGIHandler) -> None:
        super().__init__(host, port, app)
        self.pool = ThreadPoolExecutor(8)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._work, request, client_address)

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def _body(n: int) -> bytes:
    import json

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    events = [
        {
            "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/bench-{n}-{i}",
            "resourceId": f"bench-{n}-{i}",
            "eventDateUtc": stamp,
            "eventType": "UPDATE",
            "eventCategory": "INVOICE",
            "tenantId": "bench-tenant",
            "tenantType": "ORGANISATION",
        }
        for i in range(3)
    ]
    payload = {"events": events, "firstEventSequence": n, "lastEventSequence": n + 2}
    return json.dumps({**payload, "entropy": "BENCHENTROPY"}).encode()


def run() -> None:
    import logging

    from xeroadmin.webhooks.models import WebhookDelivery
    from xeroadmin.webhooks.receiving import sign

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with override_settings(ROOT_URLCONF=__name__, XERO_WEBHOOK_KEY=KEY, ALLOWED_HOSTS=["*"]):
        server = _PooledServer("127.0.0.1", 0, WSGIHandler())
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.port}"
        sessions = [requests.Session() for _ in range(CLIENTS)]
        bodies = [_body(n) for n in range(64)]
        signed = [(body, sign(body, KEY)) for body in bodies]
        latencies: dict[str, list[float]] = {"receiver": [], "trivial": []}

        def burst(url: str, kind: str, expect: int) -> None:
            def send(index: int) -> None:
                body, signature = signed[index % len(signed)]
                session = sessions[index % CLIENTS]
                started = time.perf_counter()
                answer = session.post(
                    url,
                    data=body,
                    headers={"x-xero-signature": signature, "Content-Type": "application/json"},
                    timeout=10,
                )
                latencies[kind].append(time.perf_counter() - started)
                assert answer.status_code == expect, answer.status_code

            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(send, range(PER_ROUND)))

        try:
            burst(f"{base}/webhooks/xero/", "receiver", 200)
            stored = WebhookDelivery.objects.count()
            assert stored == PER_ROUND, stored
            compare(
                "webhook_deliveries_per_second_vs_trivial_post",
                lambda: burst(f"{base}/webhooks/xero/", "receiver", 200),
                lambda: burst(f"{base}/bench/trivial-post/", "trivial", 200),
                comparison=">=",
                target=0.5,
                throughput=True,
                rounds=7,
                repeat=3,
            )
            for kind, values in latencies.items():
                values.sort()
                p99 = values[int(len(values) * 0.99) - 1]
                print(
                    f"  {kind}: p50 {statistics.median(values) * 1000:.1f} ms, "
                    f"p99 {p99 * 1000:.1f} ms over {len(values)} requests"
                )
            print(f"  stored {WebhookDelivery.objects.count():,} deliveries")
        finally:
            server.shutdown()
