"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
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
def _browser_closed_before_the_database(request: pytest.FixtureRequest):
    """A test's browser contexts are closed when it ends (after the checks below, which use
    them), and the live server's requests still running are let finish, before the database
    is emptied for the next test: a page left open polls (the bell, a panel) and a request
    caught mid-way by the emptying deadlocks with it on PostgreSQL."""
    if "browser" not in request.fixturenames or "live_server" not in request.fixturenames:
        yield
        return
    from django.core.signals import request_finished, request_started

    browser = request.getfixturevalue("browser")
    request.getfixturevalue("live_server")
    running = [0]
    lock = threading.Lock()

    def started(**kwargs: object) -> None:
        with lock:
            running[0] += 1

    def finished(**kwargs: object) -> None:
        with lock:
            running[0] -= 1

    request_started.connect(started, weak=False, dispatch_uid="e2e-running")
    request_finished.connect(finished, weak=False, dispatch_uid="e2e-finished")
    contexts: list[object] = []
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        contexts.append(context)
        return context

    browser.new_context = new_context
    try:
        yield
    finally:
        browser.new_context = original
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()  # type: ignore[attr-defined]
        deadline = time.monotonic() + 15
        while running[0] > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        request_started.disconnect(dispatch_uid="e2e-running")
        request_finished.disconnect(dispatch_uid="e2e-finished")


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


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# And the structure every page keeps: one <h1>, one main landmark, headings in order.
AXE_RULES = ["page-has-heading-one", "landmark-one-main", "heading-order", "landmark-unique"]
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _accessible_pages(request: pytest.FixtureRequest):
    """Every page of ours a browser test reaches passes axe-core (WCAG 2 A and AA) at desktop
    and phone widths: after the test, each page it loaded is opened again in its context (so
    signed in as it was) and checked at both widths."""
    if "browser" not in request.fixturenames or "live_server" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    base = request.getfixturevalue("live_server").url
    seen: dict[str, object] = {}
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)

        def watch(page) -> None:
            page.on(
                "load",
                lambda: seen.setdefault(page.url, context) if page.url.startswith(base) else None,
            )

        context.on("page", watch)
        return context

    browser.new_context = new_context
    yield
    browser.new_context = original
    # One page of each shape per run (the same path with other ids, the same query's names):
    # the same template, checked once, keeps the suite's time in bounds.
    fresh = {}
    for url, context in seen.items():
        shape = page_shape(url)
        if shape not in CHECKED_SHAPES:
            CHECKED_SHAPES.add(shape)
            fresh[url] = context
    problems = accessibility_problems(fresh)  # the check's own loads are not recorded
    assert not problems, "\n".join(problems)


CHECKED_SHAPES: set[str] = set()


def page_shape(url: str) -> str:
    """A page's shape: its path with every number as #, and the names of its query."""
    path, _, query = url.partition("?")
    names = sorted({part.split("=")[0] for part in query.split("&") if part})
    return re.sub(r"/\d+(?=/|$)", "/#", path) + "?" + "&".join(names)


def accessibility_problems(pages: dict[str, object]) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    axe = Axe()
    problems: list[str] = []
    for url, context in pages.items():  # a copy: opening them records more
        if "/pdf/" in url or "/attachment/" in url:
            continue
        try:
            page = context.new_page()  # type: ignore[attr-defined]
        except PlaywrightError:
            continue  # the test closed that context; its pages were checked elsewhere or not at all
        try:
            for name, size in WIDTHS.items():
                page.set_viewport_size(size)
                page.goto(url)
                page.wait_for_load_state("networkidle")  # the panels loaded after the page
                if page.url != url and not page.url.startswith(url.split("?")[0]):
                    break  # it moved on since (a used link, a finished flow)
                results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
                for violation in results.response["violations"]:
                    targets = [", ".join(n["target"]) for n in violation["nodes"][:3]]
                    problems.append(
                        f"{url} ({name}): {violation['id']} ({violation['impact']}): "
                        f"{violation['help']} at {'; '.join(targets)}"
                    )
        finally:
            page.close()
    return problems
