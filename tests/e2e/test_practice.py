"""An admin looks after a practice: imports a mapping CSV (previewed, then all at once), sees
who can reach each client's Xero and a leaver's organisations, checks the plan's usage and the
certification checkpoints; finance adds an employee in Xero Payroll. Every page is checked by
axe at desktop and phone widths (conftest)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.conftest import PASSWORD, make_user
from tests.connections.helpers import connect_workspace
from xeroadmin.connections.models import Tenant
from xeroadmin.people import services as people
from xeroadmin.tenancy import services
from xeroadmin.tenancy.models import Client


def test_a_practice_tour(live_server, browser: Browser, xero, settings, tmp_path: Path) -> None:
    settings.SITE_URL = live_server.url
    admin = make_user("ada@example.com")
    workspace = services.workspace_create(user=admin, name="Harbour IT")
    connect_workspace(workspace, admin)
    tenants = list(Tenant.objects.filter(workspace=workspace).order_by("name"))
    for tenant in tenants:
        tenant.country_code = {"Demo": "NZ", "Harb": "AU", "King": "GB"}[tenant.name[:4]]
        tenant.save(update_fields=["country_code"])
        people.users_read(tenant=tenant)
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login", "ada@example.com")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    # A mapping CSV from the practice's own software: previewed, then imported.
    rows = ["tenant_id,organisation,client,client_reference"]
    rows += [f"{t.tenant_id},{t.name},{t.name.split(' (')[0]} Ltd," for t in tenants]
    csv_file = tmp_path / "mapping.csv"
    csv_file.write_text("\n".join(rows) + "\n")
    page.goto(f"{live_server.url}/w/{workspace.pk}/connections/mapping/import/")
    page.get_by_label("CSV file").set_input_files(csv_file)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="What the import will change")).to_be_visible()
    expect(
        page.get_by_text("3 to change (0 mapped to existing clients, 3 to new clients")
    ).to_be_visible()
    page.get_by_role("button", name="Import: change 3 organisations").click()
    expect(page.get_by_text("Mapping imported: 3 organisations changed.")).to_be_visible()
    assert Client.objects.filter(workspace=workspace, name="Kingsway Studio Ltd").exists()
    assert not Tenant.objects.filter(workspace=workspace, client__isnull=True).exists()

    # Who can reach each client's Xero; the outside adviser's leaver report.
    page.get_by_role("link", name="Xero users").click()
    expect(page.get_by_role("heading", name="Who can reach each client's Xero")).to_be_visible()
    page.get_by_role("link", name="Outside the practice").click()
    page.get_by_role("link", name="alex@harbour-accounting.example.com").first.click()
    expect(page.get_by_text("can reach 3 organisations")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Leaver report (CSV)").click()
    assert download.value.suggested_filename.startswith("leaver-")

    # The plan and its usage; the certification checkpoints.
    page.goto(f"{live_server.url}/w/{workspace.pk}/connections/")
    page.get_by_role("link", name="Plan and usage").click()
    expect(page.get_by_role("heading", name="Xero plan and usage")).to_be_visible()
    page.goto(f"{live_server.url}/w/{workspace.pk}/connections/certification/")
    expect(page.get_by_role("heading", name="Xero's certification checkpoints")).to_be_visible()

    # An employee added in New Zealand's Xero Payroll, on a phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server.url + "/accounts/login/")
    phone.fill("#id_login", "ada@example.com")
    phone.fill("#id_password", PASSWORD)
    phone.get_by_role("button", name="Sign in", exact=True).click()
    nz = next(t for t in tenants if t.country_code == "NZ")
    phone.goto(f"{live_server.url}/w/{workspace.pk}/o/{nz.pk}/employees/")
    expect(phone.get_by_role("link", name="Aroha Ngata")).to_be_visible()
    phone.get_by_role("link", name="New employee").click()
    phone.get_by_label("First name").fill("Hemi")
    phone.get_by_label("Last name").fill("Walker")
    phone.get_by_label("Date of birth").fill("1991-03-04")
    phone.get_by_label("Address", exact=True).fill("1 Quay St")
    phone.get_by_label("City").fill("Wellington")
    phone.get_by_label("Postcode").fill("6011")
    phone.get_by_role("button", name="Save in Xero Payroll").click()
    expect(phone.get_by_text("Hemi Walker added to Xero Payroll.")).to_be_visible()
