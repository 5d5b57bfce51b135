"""A real HTTP receiver for outbound deliveries, on a loopback port of its own: it checks every
signature as a workspace's own endpoint would, and can answer 5xx for a while."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from xeroadmin.alerts.delivery import verify


class Receiver:
    def __init__(self, *, secret: str = "", fail_first: int = 0) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.requests = 0
        self.bad_signatures = 0
        self.events: Counter[str] = Counter()  # accepted, by event id
        self.bodies: list[Any] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests += 1
                    failing = receiver.requests <= receiver.fail_first
                    if receiver.secret and not verify(
                        receiver.secret, self.headers.get("Xeroadmin-Signature", ""), body
                    ):
                        receiver.bad_signatures += 1
                        status = 401
                    elif failing:
                        status = 503
                    else:
                        status = 200
                        parsed = json.loads(body)
                        receiver.bodies.append(parsed)
                        event_id = self.headers.get("Xeroadmin-Event-Id") or json.dumps(parsed)
                        receiver.events[event_id] += 1
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
