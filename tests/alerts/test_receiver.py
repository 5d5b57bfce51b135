"""The demo's alert receiver: a Slack-style channel pointed at it (as `make demo` sets up)
delivers, and the receiver shows what it got; the demo's rule sends every approval there."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import call_command

from tests.conftest import Cast
from xeroadmin.alerts import delivery
from xeroadmin.alerts.models import Channel, Rule
from xeroadmin.alerts.services import channel_test
from xeroadmin.tenancy.management.commands.demo import DEMO_WORKSPACE, RECEIVER_PORT
from xeroadmin.tenancy.models import Workspace

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_receiver_shows_what_a_channel_sends_it(cast: Cast, settings) -> None:
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    port = free_port()
    command = [sys.executable, "manage.py", "alert_receiver", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(base, timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        channel = Channel.objects.create(
            workspace=cast.workspace, kind="slack", name="Receiver", url=f"{base}/slack"
        )
        sent = channel_test(channel=channel, actor=cast.admin.user)
        assert delivery.delivery_send(sent.pk) == "delivered"
        page = requests.get(base, timeout=5).text
        assert "A test from xeroadmin, sent by admin@example.com: this channel works." in page
        assert "/slack" in page
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_demo_sends_approvals_to_its_receiver(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    for _ in range(2):  # a second start makes nothing twice
        call_command("demo", "--setup-only", stdout=io.StringIO())
    workspace = Workspace.objects.get(name=DEMO_WORKSPACE)
    channel = Channel.objects.get(workspace=workspace)
    assert channel.url == f"http://127.0.0.1:{RECEIVER_PORT}/slack"
    rule = Rule.objects.get(workspace=workspace)
    assert rule.condition == "invoice_approved"
    assert list(rule.channels.all()) == [channel]
