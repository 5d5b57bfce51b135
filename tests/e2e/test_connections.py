"""An admin connects organisations: two in one consent where the app has Bulk Connections, or
one per consent and then another from the mapping table; maps them and disconnects one."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.conftest import PASSWORD, make_user
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy import services
from xeroadmin.tenancy.models import Client


def test_connect_map_and_disconnect(live_server, browser: Browser, xero, settings) -> None:
    settings.SITE_URL = live_server.url  # Xero sends the browser back here
    base = live_server.url
    admin = make_user("ada@example.com")
    workspace = services.workspace_create(user=admin, name="Harbour IT")
    services.client_create(workspace=workspace, name="Demo Company Limited")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", "ada@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.goto(f"{base}/w/{workspace.pk}/connections/")
    expect(page.get_by_role("heading", name="No organisations connected yet")).to_be_visible()
    page.get_by_role("button", name="Connect to Xero").click()
    # Xero's consent: two of the three organisations, in one go.
    expect(page.get_by_text("wants to access your Xero organisations")).to_be_visible()
    page.get_by_label("Kingsway Studio (UK)").uncheck()
    page.get_by_role("button", name="Allow access").click()
    expect(
        page.get_by_text("Connected Demo Company (NZ), Harbourside Trading (AU).")
    ).to_be_visible()

    demo = Tenant.objects.get(workspace=workspace, name="Demo Company (NZ)")
    harbour = Tenant.objects.get(workspace=workspace, name="Harbourside Trading (AU)")
    existing = Client.objects.get(workspace=workspace, name="Demo Company Limited")
    # The existing client is an exact match by name, filled in; the other organisation
    # becomes a new client, chosen from its picker as the admin types.
    expect(page.locator(f"#id_client-{demo.pk}")).to_have_value("Demo Company Limited")
    expect(page.locator(f"#id_map-{demo.pk}")).to_have_value(str(existing.pk))
    page.locator(f"#id_client-{harbour.pk}").press_sequentially("Harb")
    page.get_by_role("option", name="New client “Harbourside Trading (AU)”").click()
    expect(page.locator(f"#id_map-{harbour.pk}")).to_have_value("new")
    page.get_by_role("button", name="Save this page").click()
    expect(page.get_by_text("Mapping saved: 2 organisations changed.")).to_be_visible()
    demo.refresh_from_db()
    harbour.refresh_from_db()
    assert demo.client == existing
    assert harbour.client is not None
    assert harbour.client.name == "Harbourside Trading (AU)"

    page.locator(f"#tenant-{demo.pk}").get_by_role("link", name="Disconnect").click()
    expect(page.get_by_role("heading", name="Disconnect Demo Company (NZ)?")).to_be_visible()
    page.get_by_label("Keep them, read-only").check()
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("Demo Company (NZ) is disconnected.")).to_be_visible()
    demo.refresh_from_db()
    assert demo.status == Tenant.Status.DISCONNECTED
    assert demo.connection_id not in xero.sandbox.state.world.connections
    assert harbour.connection_id in xero.sandbox.state.world.connections


def test_one_organisation_per_consent_then_another_from_the_mapping_table(
    live_server, browser: Browser, xero, settings
) -> None:
    """Most Xero apps have no Bulk Connections: the consent screen picks one organisation."""
    settings.SITE_URL = live_server.url
    xero.sandbox.state.apps[settings.XERO_CLIENT_ID].bulk_connections = False
    base = live_server.url
    admin = make_user("ada@example.com")
    workspace = services.workspace_create(user=admin, name="Harbour IT")
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", "ada@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{base}/w/{workspace.pk}/connections/")
    page.get_by_role("button", name="Connect to Xero").click()
    page.get_by_label("Organisation").select_option(label="Demo Company (NZ)")
    page.get_by_role("button", name="Allow access").click()
    expect(
        page.get_by_text("Connected Demo Company (NZ). Map it to a client below")
    ).to_be_visible()
    # One click back to Xero for the next one; the one connected is marked there.
    page.get_by_role("button", name="Connect another organisation").click()
    expect(page.get_by_label("Organisation")).to_contain_text(
        "Demo Company (NZ) (already connected)"
    )
    page.get_by_label("Organisation").select_option(label="Kingsway Studio (UK)")
    page.get_by_role("button", name="Allow access").click()
    expect(page.get_by_text("Connected Kingsway Studio (UK).")).to_be_visible()
    names = set(Tenant.objects.filter(workspace=workspace).values_list("name", flat=True))
    assert names == {"Demo Company (NZ)", "Kingsway Studio (UK)"}
