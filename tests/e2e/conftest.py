"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (fixtures, assertions) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
MISSING = "Debian's chromium package is not installed (apt-get install chromium)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _chromium_present() -> None:
    if CHROMIUM:
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED=1 but {MISSING}")
    pytest.skip(MISSING)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def mail_dir(tmp_path: Path, settings) -> Path:
    """E-mail sent by the live server (and by workers given this folder) lands here."""
    folder = tmp_path / "mail"
    folder.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = folder
    return folder


def mail_link(folder: Path, pattern: str, *, timeout: float = 60.0) -> str:
    """The first link matching `pattern` in the e-mails written to `folder`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.log")):
            match = re.search(pattern, path.read_text())
            if match:
                return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"No e-mail with a link matching {pattern!r} arrived in {timeout:.0f}s")


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(request: pytest.FixtureRequest):
    """Every page a browser test opens runs within the Content-Security-Policy: a violation
    (an inline script or style, an eval, a foreign form target) fails the test."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        context.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
                else None
            ),
        )
        return context

    browser.new_context = new_context
    yield
    browser.new_context = original
    assert not violations, violations
