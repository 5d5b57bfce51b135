from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tests.conftest import Cast
from xeroadmin.connections.models import XeroApp

pytestmark = pytest.mark.django_db


def stored_secret(app: XeroApp) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM connections_xeroapp WHERE id = %s", [app.pk])
        return cursor.fetchone()[0]


def test_it_reencrypts_every_secret_with_the_new_key(cast: Cast, settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    app = XeroApp.objects.create(
        workspace=cast.workspace, name="Own app", client_id="abc", client_secret="s3cret"
    )
    before = stored_secret(app)
    assert Fernet(old.encode()).decrypt(before.encode()) == b"s3cret"
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("reencrypt_secrets", stdout=io.StringIO())
    after = stored_secret(app)
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key is gone and everything still reads
    assert XeroApp.objects.get(pk=app.pk).client_secret == "s3cret"
    assert Fernet(new.encode()).decrypt(after.encode()) == b"s3cret"
