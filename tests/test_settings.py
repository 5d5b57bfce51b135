"""Settings come from the environment and fail loudly; production settings pass check --deploy."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from xeroadmin.lib.env import env_bool, env_int, env_list, persistent_secret

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    dropped = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "DEBUG": "False",
        "SECRET_KEY": "x" * 20 + Fernet.generate_key().decode(),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "xeroadmin.example.com",
        "XEROADMIN_VAR_DIR": str(tmp_path),
    }


def test_it_reads_booleans_strictly(monkeypatch) -> None:
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env_bool("FLAG", default=False)


def test_it_reads_numbers_and_lists(monkeypatch) -> None:
    monkeypatch.setenv("NUM", "12")
    monkeypatch.setenv("ITEMS", "a, b,,c")
    assert env_int("NUM", 1) == 12
    assert env_list("ITEMS") == ["a", "b", "c"]
    monkeypatch.setenv("NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("NUM", 1)


def test_it_keeps_a_generated_secret_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    first = persistent_secret(path)
    assert persistent_secret(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = persistent_secret(tmp_path / "key", make="fernet")
    Fernet(key.encode())  # a valid Fernet key


def test_it_refuses_to_start_without_secrets_when_debug_is_off(tmp_path: Path) -> None:
    result = run_manage("check", env={"DEBUG": "False", "XEROADMIN_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY and FIELD_ENCRYPTION_KEYS must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_it_passes_the_deployment_checks(tmp_path: Path) -> None:
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_a_field_key_that_is_not_a_fernet_key(tmp_path: Path) -> None:
    env = production_env(tmp_path) | {
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode() + ",notakey"
    }
    result = run_manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key" in result.stderr


def test_the_suggested_secrets_pass_the_deployment_checks(tmp_path: Path) -> None:
    from xeroadmin.lib.env import GENERATE_SECRETS

    commands = re.findall(r'python -c "([^"]+)"', GENERATE_SECRETS)
    assert len(commands) == 2
    made = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for code in commands
    ]
    env = production_env(tmp_path) | {"SECRET_KEY": made[0], "FIELD_ENCRYPTION_KEYS": made[1]}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr


def test_it_makes_a_var_dir_that_does_not_exist_yet(tmp_path: Path) -> None:
    var = tmp_path / "not" / "yet"
    embedded = {"XEROADMIN_VAR_DIR": str(var), "DATABASE_URL": "", "CACHE_URL": ""}
    result = run_manage("migrate", "-v0", env=embedded)
    assert result.returncode == 0, result.stderr
    assert (var / "xeroadmin.sqlite3").exists()


def test_sqlite_named_by_url_gets_the_same_locking_options(tmp_path: Path) -> None:
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "connection.settings_dict['OPTIONS']['transaction_mode'], "
        "connection.settings_dict['OPTIONS']['timeout'])"
    )
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "CACHE_URL": ""}
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["wal", "IMMEDIATE", "20"]
