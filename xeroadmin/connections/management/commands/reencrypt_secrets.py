"""`manage.py reencrypt_secrets`: after adding a new key to the front of FIELD_ENCRYPTION_KEYS,
re-encrypt every stored secret with it, so the old key can then be removed."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from xeroadmin.lib.crypto import EncryptedTextField, rotate


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not names:
                continue
            columns: dict[str, str] = {
                f.name: f.column for f in model._meta.fields if f.name in names
            }
            count = 0
            with transaction.atomic():
                # Read the stored (encrypted) text, not the decrypted value, and rotate it.
                rows = model._default_manager.select_for_update().values_list(
                    "pk", *[_raw(model, name) for name in names]
                )
                for pk, *stored in rows.iterator(chunk_size=500):
                    changes = {
                        columns[name]: rotate(value)
                        for name, value in zip(names, stored, strict=True)
                        if value
                    }
                    if changes:
                        _write_raw(model, pk, changes)
                        count += 1
            if count:
                self.stdout.write(f"{model._meta.label}: {count} {_rows(count)} re-encrypted")
            total += count
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} {_rows(total)}."))


def _raw(model: Any, name: str) -> Any:
    """An expression reading the column as stored, past the field's decryption."""
    from django.db.models import F, TextField
    from django.db.models.functions import Cast

    return Cast(F(name), output_field=TextField())


def _write_raw(model: Any, pk: Any, changes: dict[str, str]) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in changes)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s",  # noqa: S608 - names are quoted identifiers
            [*changes.values(), pk],
        )


def _rows(count: int) -> str:
    return "row" if count == 1 else "rows"
