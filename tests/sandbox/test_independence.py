"""The sandbox is self-contained: no Django ORM, no imports from the product's apps."""

from __future__ import annotations

import ast
from pathlib import Path

SANDBOX = Path(__file__).resolve().parent.parent.parent / "xeroadmin" / "sandbox"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_it_imports_nothing_from_the_product() -> None:
    files = list(SANDBOX.rglob("*.py"))
    assert len(files) > 8
    for path in files:
        for module in imported_modules(path):
            if module.startswith("xeroadmin."):
                assert module.startswith("xeroadmin.sandbox"), f"{path.name} imports {module}"
            assert not module.startswith("django.db"), f"{path.name} uses the ORM ({module})"
