"""`python manage.py alert_receiver`: a small receiver for Slack-style messages and webhook
events on this machine, showing what it gets (at its own address, and on its output). The
demo points a channel at it, so alerts can be watched arriving without Slack."""

from __future__ import annotations

import html
import json
import threading
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

KEPT = 200


class Command(BaseCommand):
    help = "Receive Slack-style alerts and webhook events on a loopback port, and show them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8766, help="port (default 8766)")

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        received: deque[tuple[str, str, str]] = deque(maxlen=KEPT)
        lock = threading.Lock()
        out = self.stdout

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 65536))
                try:
                    message = json.loads(body)
                except ValueError:
                    message = {"text": body.decode(errors="replace")}
                text = _words(message)
                stamp = datetime.now(UTC).strftime("%H:%M:%S")
                with lock:
                    received.appendleft((stamp, self.path, text))
                out.write(f"{stamp} {self.path} {text}")
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self) -> None:
                with lock:
                    rows = "".join(
                        f"<li><time>{s}</time> <code>{html.escape(p)}</code> {html.escape(t)}</li>"
                        for s, p, t in received
                    )
                page = (
                    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    "<meta http-equiv='refresh' content='5'><title>Alert receiver</title></head>"
                    "<body><h1>What the receiver got</h1><p>Newest first; refreshes every 5 s."
                    f"</p><ul>{rows or '<li>Nothing yet.</li>'}</ul></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        out.write(f"Receiving on http://127.0.0.1:{port}/ (what arrives is shown there)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


def _words(message: Any) -> str:
    """A message's words: Slack's text (its <url|text> links as text), or an event's summary."""
    if not isinstance(message, dict):
        return str(message)
    if isinstance(message.get("text"), str):
        text = message["text"]
        if text.startswith("<") and "|" in text and text.endswith(">"):
            url, _, words = text[1:-1].partition("|")
            text = f"{words} ({url})"
        # Slack escapes these three in message text.
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    data = message.get("data")
    if not isinstance(data, dict):
        data = {}
    return f"{message.get('type', 'event')}: {data.get('summary') or json.dumps(data)[:200]}"
