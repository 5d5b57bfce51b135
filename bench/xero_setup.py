"""Connecting the sandbox's organisations to a throwaway workspace, through the real flow."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def sandbox_process(*options: str) -> Iterator[str]:
    """The sandbox in a process of its own (as Xero is another machine), on a free loopback
    port; yields its base URL and stops it afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "xero_sandbox", "--port", str(port), *options],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(f"{base}/_sandbox/state", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("The sandbox did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def pointed_at(base: str, client_id: str = "", client_secret: str = "") -> Any:
    """Settings that point the product at the sandbox at `base`, with its web app (the
    sandbox's defaults unless named) as the deployment's own."""
    from django.test.utils import override_settings

    from xeroadmin.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    return override_settings(
        XERO_LOGIN_URL=base,
        XERO_IDENTITY_URL=base,
        XERO_API_URL=base,
        XERO_CLIENT_ID=client_id or DEFAULT_CLIENT_ID,
        XERO_CLIENT_SECRET=client_secret or DEFAULT_CLIENT_SECRET,
        SITE_URL="http://localhost:8000",
    )


def connect_all(base: str, email: str = "bench-xero@example.com") -> list[Any]:
    """Connect every sandbox organisation to a throwaway workspace, through the real flow."""
    from xeroadmin.accounts.models import User
    from xeroadmin.connections import services
    from xeroadmin.tenancy.services import workspace_create

    user = User.objects.create_user(email, "bench-password-1")
    workspace = workspace_create(user=user, name="Bench Xero")
    authorization = services.connect_start(app=None)
    page = requests.get(authorization.url, timeout=10).text
    form = re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page)
    tenants = [("tenant", t) for t in re.findall(r"name='tenant' value='([^']+)'", page)]
    answer = requests.post(
        f"{base}/identity/connect/authorize",
        data=[*form, *tenants, ("decision", "allow")],
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    result = services.connect_finish(
        workspace=workspace,
        actor=user,
        app=None,
        code=code,
        redirect_uri=services.redirect_uri(),
        verifier=authorization.verifier,
    )
    return result.created
