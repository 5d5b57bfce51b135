"""Encryption at rest: MultiFernet over FIELD_ENCRYPTION_KEYS (the first key encrypts)."""

from __future__ import annotations

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)."
        ) from None


def fernet() -> MultiFernet:
    """The MultiFernet for the configured keys."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    """Encrypt a string with the primary key."""
    return fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    """Decrypt a string encrypted with any of the configured keys."""
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret could not be decrypted: is its key missing from FIELD_ENCRYPTION_KEYS?"
        ) from None


def rotate(value: str) -> str:
    """Re-encrypt a stored value with the primary key."""
    return fernet().rotate(value.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; the Python value is the plain text.

    Never filter on it: the stored form changes on every save.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
