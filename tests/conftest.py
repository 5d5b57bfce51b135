"""The cast every test draws on: one workspace with an owner, an admin, a finance member, a
viewer, a finance member limited to one client, and an outsider with a workspace of their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client as HttpClient
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.tenancy import services
from xeroadmin.tenancy.models import Client, Invitation, Membership, Role, Workspace, token_digest

PASSWORD = "correct-horse-battery-staple"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=None,
        help="Start every test at this UTC time: HH:MM[:SS] today, or an ISO date and time. "
        "Tests that start other processes (a Celery worker, a browser against a live server) "
        "are skipped, since their clocks cannot be moved with this one.",
    )


def clock_start(value: str) -> datetime:
    """The moment `--clock` names: a time of day (today, UTC) or a full ISO date and time."""
    if "T" in value or len(value) > 8:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.combine(datetime.now(UTC).date(), time.fromisoformat(value), tzinfo=UTC)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--clock"):
        return
    skip = pytest.mark.skip(reason="--clock moves this process's clock only")
    for item in items:
        if item.get_closest_marker("worker") or item.get_closest_marker("e2e"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """With `--clock`, each test starts at that moment and time runs on from there. The
    sandbox serves from a thread of this process, so its clock moves with ours."""
    value = request.config.getoption("--clock")
    if not value:
        yield
        return
    import time_machine

    with time_machine.travel(clock_start(value), tick=True):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The database cache (allauth's rate limits) needs its table in the test database too.
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


def make_user(email: str, *, password: str = PASSWORD) -> User:
    """A user whose e-mail address is verified, as after sign-up."""
    user = User.objects.create_user(email, password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_invitation(
    workspace: Workspace, email: str, *, role: str = Role.FINANCE, days: int = 7
) -> tuple[Invitation, str]:
    """An invitation created directly (no e-mail), with its token."""
    token = f"token-{email}-{days}"
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token=token,
        token_digest=token_digest(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return invitation, token


@dataclass
class Cast:
    workspace: Workspace
    client_a: Client
    client_b: Client
    owner: Membership
    admin: Membership
    finance: Membership
    viewer: Membership
    limited: Membership
    outsider: User
    outsider_workspace: Workspace


@pytest.fixture
def cast(db: None) -> Cast:
    owner = make_user("owner@example.com")
    workspace = services.workspace_create(user=owner, name="Northwind IT")
    client_a = services.client_create(workspace=workspace, name="Acme Holdings")
    client_b = services.client_create(workspace=workspace, name="Bayside Dental")

    def member(email: str, role: str) -> Membership:
        return Membership.objects.create(workspace=workspace, user=make_user(email), role=role)

    limited = member("tech@example.com", Role.FINANCE)
    limited.limited = True
    limited.save()
    limited.clients.set([client_a])
    outsider = make_user("outsider@example.com")
    outsider_workspace = services.workspace_create(user=outsider, name="Elsewhere Ltd")
    return Cast(
        workspace=workspace,
        client_a=client_a,
        client_b=client_b,
        owner=Membership.objects.get(workspace=workspace, user=owner),
        admin=member("admin@example.com", Role.ADMIN),
        finance=member("finance@example.com", Role.FINANCE),
        viewer=member("viewer@example.com", Role.VIEWER),
        limited=limited,
        outsider=outsider,
        outsider_workspace=outsider_workspace,
    )


def _logged_in(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


@pytest.fixture
def as_owner(cast: Cast) -> HttpClient:
    return _logged_in(cast.owner.user)


@pytest.fixture
def as_admin(cast: Cast) -> HttpClient:
    return _logged_in(cast.admin.user)


@pytest.fixture
def as_finance(cast: Cast) -> HttpClient:
    return _logged_in(cast.finance.user)


@pytest.fixture
def as_viewer(cast: Cast) -> HttpClient:
    return _logged_in(cast.viewer.user)


@pytest.fixture
def as_limited(cast: Cast) -> HttpClient:
    return _logged_in(cast.limited.user)


@pytest.fixture
def as_outsider(cast: Cast) -> HttpClient:
    return _logged_in(cast.outsider)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> None:
    # The real hasher is slow by design; tests create many users.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def xero_sandbox_server():
    """One sandbox for the whole run, on a free loopback port, stopped at the end."""
    from xeroadmin.sandbox.app import Config
    from xeroadmin.sandbox.server import start_in_thread

    # Bulk Connections on, so that one consent connects every organisation (most tests start
    # so); tests of one organisation per consent register an app without it.
    running = start_in_thread(
        Config(invoices_per_org=60, contacts_per_org=20, bulk_connections=True)
    )
    yield running
    running.stop()


@pytest.fixture
def xero_sandbox(xero_sandbox_server):
    """The sandbox, reset to its seeded state for this test."""
    xero_sandbox_server.sandbox.reset()
    return xero_sandbox_server


@pytest.fixture
def xero(xero_sandbox, settings):
    """The product pointed at the sandbox (reset for this test), with the sandbox's web app as
    the deployment's default Xero app."""
    settings.XERO_LOGIN_URL = xero_sandbox.url
    settings.XERO_IDENTITY_URL = xero_sandbox.url
    settings.XERO_API_URL = xero_sandbox.url
    settings.XERO_CLIENT_ID = "sandbox-web-client"
    settings.XERO_CLIENT_SECRET = "sandbox-web-secret"
    settings.XERO_WEBHOOK_KEY = "sandbox-webhook-key"
    settings.XERO_SCOPES = "granular"
    settings.SITE_URL = "http://localhost:8000"
    return xero_sandbox


@pytest.fixture(autouse=True)
def _site_url(request: pytest.FixtureRequest, settings) -> None:
    """SITE_URL is where the test's requests go: the live server's address for a browser,
    the test client's host otherwise, as a deployment's own pages are."""
    if "live_server" in request.fixturenames:
        settings.SITE_URL = request.getfixturevalue("live_server").url
    else:
        settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _no_usage_left_over() -> None:
    """Calls to Xero are counted in memory until written: none carry over from another test."""
    from xeroadmin.connections import usage

    usage.forget()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Start each test with an empty cache, so rate limits (allauth keeps them in the cache)
    never carry over from another test or an earlier run sharing the same Redis."""
    from django.conf import settings

    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        return  # its rows live in the test database and are rolled back with each test
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def books(xero, cast: Cast):
    """The sandbox's first organisation, connected, synced and mapped to client A."""
    from tests.connections.helpers import connect, first_tenant
    from xeroadmin.books import sync

    connect(cast)
    tenant = first_tenant(cast)
    tenant.client = cast.client_a
    tenant.save()
    sync.sync_job_run(job_id=sync.sync_request(tenant=tenant).pk)
    tenant.refresh_from_db()
    return tenant
