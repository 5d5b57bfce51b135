"""Full-text indexes for searching across organisations on SQLite: FTS5 tables with the
trigram tokenizer ("contains", case-insensitive, from three characters) over invoices' numbers,
references and contact names and contacts' names, e-mails and account numbers, kept in step
with their tables by triggers. PostgreSQL has its trigram GIN indexes instead (0002); a SQLite
built without FTS5 keeps reading the rows (`search.text_index` says which)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.utils import OperationalError

# Every statement here is built from the names in TABLES alone: no input reaches them.
# ruff: noqa: S608

TABLES = {
    "portfolio_invoice_text": ("books_invoice", ("number", "reference", "contact_name")),
    "portfolio_contact_text": ("books_contact", ("name", "email", "contact_number")),
}


def statements(index: str, table: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({names}, content='{table}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {names} ON {table} "
        f"BEGIN {delete} {insert} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize='trigram')")
            cursor.execute("DROP TABLE temp.fts5_probe")
        except OperationalError:
            return  # no FTS5 (or no trigram tokenizer) in this SQLite: the search reads rows
    for index, (table, columns) in TABLES.items():
        for statement in statements(index, table, columns):
            schema_editor.execute(statement)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for index in TABLES:
        for suffix in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {index}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0003_checks"),
        ("books", "0009_invoice_total"),
    ]

    operations = [migrations.RunPython(create, drop)]
