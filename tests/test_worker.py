"""A task enqueued on commit is run by a real worker process on the configured broker
(the embedded SQLite broker by default, Redis in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.worker import celery_worker, wait_for
from xeroadmin.tenancy import services
from xeroadmin.tenancy.models import Invitation, Membership

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_it_sends_an_invitation_from_a_worker_after_commit(tmp_path: Path) -> None:
    owner = make_user("owner@example.com")
    workspace = services.workspace_create(user=owner, name="Northwind IT")
    actor = Membership.objects.get(workspace=workspace, user=owner)
    with celery_worker(mail_dir=tmp_path):
        invitation = services.invitation_create(actor=actor, email="new@example.com", role="viewer")
        sent = wait_for(lambda: Invitation.objects.get(pk=invitation.pk).sent_at)
        assert sent is not None
        messages = wait_for(lambda: list(tmp_path.glob("*.log")))
    body = messages[0].read_text()
    assert "new@example.com" in body
    assert reverse("tenancy:invitation-accept", args=[invitation.token]) in body
