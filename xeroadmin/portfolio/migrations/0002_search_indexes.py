"""Trigram indexes for searching across organisations ("contains" on invoice numbers,
references and contact names, contacts' names, e-mails and account numbers, items' codes and
names) on PostgreSQL, where pg_trgm serves Django's `icontains` (UPPER(col) LIKE UPPER(%s)).
SQLite has no such index; there the search reads the visible organisations' rows."""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = {
    "books_invoice": ("number", "reference", "contact_name"),
    "books_contact": ("name", "email", "contact_number"),
    "books_item": ("code", "name"),
}


def _names() -> list[tuple[str, str, str]]:
    return [
        (f"{table}_{column}_trgm", table, column)
        for table, columns in INDEXES.items()
        for column in columns
    ]


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in _names():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "  # noqa: S608
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in _names():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0001_initial"),
        ("books", "0008_books_version"),
    ]

    operations = [migrations.RunPython(create, drop)]
