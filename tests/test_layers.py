"""The layers, checked: imports run down, never up, and views never reach Xero themselves.

From the bottom: `lib`, `xero` (Xero's API, no Django models), `accounts`, `tenancy`,
`activity`, `connections`, `books`, `webhooks` (the README's Layout section says why). The
sandbox stands apart (its own test checks it imports nothing of the product).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "xeroadmin"
# (importer, what it must not import, why)
RULES = [
    ("xeroadmin.connections", "xeroadmin.books", "connections sits below books"),
    ("xeroadmin.connections", "xeroadmin.webhooks", "connections sits below webhooks"),
    ("xeroadmin.tenancy", "xeroadmin.connections", "tenancy sits below connections"),
    ("xeroadmin.tenancy", "xeroadmin.books", "tenancy sits below books"),
    ("xeroadmin.accounts", "xeroadmin.tenancy", "accounts sits below tenancy"),
    ("xeroadmin.activity", "xeroadmin.connections", "activity sits below connections"),
    ("xeroadmin.activity", "xeroadmin.books", "activity names the books' records by path only"),
    ("xeroadmin.books", "xeroadmin.webhooks", "books sits below webhooks"),
    ("xeroadmin.xero", "xeroadmin.connections", "xero knows no models"),
    ("xeroadmin.xero", "xeroadmin.tenancy", "xero knows no models"),
    ("xeroadmin.lib", "xeroadmin", "lib is the bottom layer"),
    ("xeroadmin.books.views", "xeroadmin.xero", "views reach Xero only through services"),
    ("xeroadmin.books", "xeroadmin.portfolio", "books sits below the portfolio"),
    ("xeroadmin.webhooks", "xeroadmin.portfolio", "webhooks sits below the portfolio"),
    ("xeroadmin.tenancy", "xeroadmin.portfolio", "tenancy shows the portfolio by its tag only"),
    ("xeroadmin.portfolio", "xeroadmin.xero", "the portfolio reads the mirror, never Xero"),
    ("xeroadmin.portfolio", "xeroadmin.connections.clients", "the portfolio never calls Xero"),
    ("xeroadmin.books", "xeroadmin.bulk", "books sits below bulk jobs"),
    ("xeroadmin.books", "xeroadmin.alerts", "books tells alerts by signals"),
    ("xeroadmin.portfolio", "xeroadmin.bulk", "the portfolio sits below bulk jobs"),
    ("xeroadmin.portfolio", "xeroadmin.alerts", "the portfolio tells alerts by a signal"),
    ("xeroadmin.webhooks", "xeroadmin.alerts", "webhooks sits below alerts"),
    ("xeroadmin.alerts", "xeroadmin.xero", "alerts read the mirror, never Xero"),
    ("xeroadmin.bulk", "xeroadmin.alerts", "bulk jobs and alerts stand side by side"),
    ("xeroadmin.alerts", "xeroadmin.bulk", "bulk jobs and alerts stand side by side"),
    ("xeroadmin.connections", "xeroadmin.people", "connections sits below the users audit"),
    ("xeroadmin.people", "xeroadmin.books", "the users audit reads no books"),
]


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (a function's local import counts too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def broken(importer: str, forbidden: str) -> list[str]:
    found = []
    for name, path in modules():
        if not (name == importer or name.startswith(f"{importer}.")):
            continue
        for imported in imports(path):
            if imported == importer or imported.startswith(f"{importer}."):
                continue  # a layer may import itself
            if imported == forbidden or imported.startswith(f"{forbidden}."):
                found.append(f"{name} imports {imported}")
    return found


@pytest.mark.parametrize(("importer", "forbidden", "why"), RULES)
def test_no_import_runs_up_the_layers(importer: str, forbidden: str, why: str) -> None:
    assert broken(importer, forbidden) == [], why


def test_the_rule_sees_an_import_it_forbids(tmp_path: Path) -> None:
    """The checker itself finds an import, plain or from a function body."""
    module = tmp_path / "example.py"
    module.write_text("def f():\n    from xeroadmin.xero.client import holding\n")
    assert "xeroadmin.xero.client" in imports(module)


def test_no_books_view_module_is_over_300_lines() -> None:
    long = [
        f"{path.name}: {len(path.read_text().splitlines())} lines"
        for path in (PACKAGE / "books" / "views").glob("*.py")
        if len(path.read_text().splitlines()) > 300
    ]
    assert long == []
