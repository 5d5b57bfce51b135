"""Serving the sandbox: threaded werkzeug, in the foreground or in a background thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server

from xeroadmin.sandbox.app import Config, Sandbox


@dataclass
class Running:
    sandbox: Sandbox
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def stop(self) -> None:
        self.sandbox.webhooks.stop()
        self.server.shutdown()
        self.thread.join(timeout=10)


def serve(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """A threaded server for `sandbox`; port 0 picks a free one."""
    return make_server(host, port, sandbox, threaded=True)


def start_in_thread(
    config: Config | None = None, host: str = "127.0.0.1", port: int = 0
) -> Running:
    """Start a sandbox in a daemon thread (tests, benchmarks) and return how to reach it."""
    sandbox = Sandbox(config)
    server = serve(sandbox, host, port)
    thread = threading.Thread(target=server.serve_forever, name="xero-sandbox", daemon=True)
    thread.start()
    sandbox.webhooks.start()
    return Running(sandbox, server, thread)
