"""`make screenshots`: the main pages, at desktop and phone width, from a fresh demo state (the
sandbox's organisations connected, mapped and synced), written to docs/screenshots/.

Not part of the suite (its name is not test_*); `make screenshots` runs it on purpose.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.bulk.helpers import drain, make_job
from tests.conftest import PASSWORD, make_user
from tests.connections.helpers import practice
from xeroadmin.alerts import engine
from xeroadmin.alerts.models import Channel, Rule
from xeroadmin.books.models import Contact, Document, Invoice
from xeroadmin.bulk.services import bulk_job_start
from xeroadmin.people import services as people
from xeroadmin.portfolio import checks
from xeroadmin.tenancy.models import Membership

OUT = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def test_screenshots(live_server, xero, settings, browser: Browser) -> None:
    settings.SITE_URL = live_server.url
    workspace, tenants, _ = practice(make_user("alice@harbour-it.example"))
    tenant = tenants[0]
    invoice = (
        Invoice.objects.filter(tenant=tenant, type="ACCREC", status="AUTHORISED")
        .order_by("-date")
        .first()
    )
    contact = Contact.objects.filter(tenant=tenant, status="ACTIVE").order_by("name").first()
    assert invoice is not None
    assert contact is not None
    org = f"/w/{workspace.pk}/o/{tenant.pk}"
    pages = {
        "workspace": f"/w/{workspace.pk}/",
        "connections": f"/w/{workspace.pk}/connections/",
        "organisation": f"{org}/",
        "invoices": f"{org}/invoices/",
        "invoice": f"{org}/invoices/{invoice.pk}/",
        "new-invoice": f"{org}/invoices/new/",
        "contacts": f"{org}/contacts/",
        "contact": f"{org}/contacts/{contact.pk}/",
        "payments": f"{org}/payments/",
        "activity": f"{org}/activity/",
        "workspace-activity": f"/w/{workspace.pk}/activity/",
        "contact-picker": f"{org}/invoices/new/",
        "switcher": f"/w/{workspace.pk}/",
        "attention": f"/w/{workspace.pk}/attention/",
        "credit-notes": f"{org}/credit-notes/",
        "quotes": f"{org}/quotes/",
        "bank-transactions": f"{org}/bank-transactions/",
        "profit-and-loss": f"{org}/reports/profit-and-loss/",
        "aged-receivables": f"{org}/reports/aged/aged-receivables/",
        "new-journal": f"{org}/manual-journals/new/",
        "mapping-import": f"/w/{workspace.pk}/connections/mapping/import/",
        "xero-users": f"/w/{workspace.pk}/people/?view=outside",
        "plan-and-usage": f"/w/{workspace.pk}/connections/usage/",
        "employees": f"{org}/employees/",
    }
    for each in tenants:
        people.users_read(tenant=each)
    credit = (
        Document.objects.filter(tenant=tenant, kind="credit_note", status="AUTHORISED")
        .order_by("pk")
        .first()
    )
    if credit is not None:
        pages["credit-note"] = f"{org}/credit-notes/{credit.pk}/"
    for each in tenants:
        checks.run(each)
    # A finished bulk job, whose approvals a workspace rule told everyone about.
    owner = Membership.objects.select_related("user").get(workspace=workspace)
    rule = Rule.objects.create(workspace=workspace, condition="invoice_approved", amount=0)
    rule.channels.add(
        Channel.objects.create(
            workspace=workspace, kind="slack", name="#finance", url="https://hooks.example.com/s"
        )
    )
    picked = [
        pk
        for each in tenants
        for pk in Invoice.objects.filter(tenant=each, status="DRAFT")
        .order_by("pk")
        .values_list("pk", flat=True)[:4]
    ]
    drafts = Invoice.objects.filter(pk__in=picked)
    job = make_job(owner, drafts, "approve", chosen_as="Drafts, every client")
    drain(bulk_job_start(job=job, actor=owner.user))
    for each in tenants:
        engine.tenant_evaluate(each)
    pages |= {
        "bulk-job": f"/w/{workspace.pk}/bulk/{job.pk}/",
        "alerts": f"/w/{workspace.pk}/alerts/",
        "notifications": f"/w/{workspace.pk}/notifications/",
    }
    # What a person does on the page before it is shot: the picker and the switcher, open.
    actions = {
        "contact-picker": lambda page: type_into(page, "#id_contact_name", contact.name[:2]),
        "switcher": lambda page: open_switcher(page, "k"),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for width, size in WIDTHS.items():
        page = signed_in(browser, live_server.url, size)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            if name in actions:
                actions[name](page)
            page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=False)


def open_switcher(page: Page, text: str) -> None:
    page.keyboard.press("Control+k")
    type_into(page, "#jump-q", text)


def type_into(page: Page, selector: str, text: str) -> None:
    page.locator(selector).click()
    page.locator(selector).press_sequentially(text, delay=50)
    page.wait_for_timeout(400)
    page.wait_for_load_state("networkidle")


def signed_in(browser: Browser, base: str, size: dict[str, int]) -> Page:
    page = browser.new_context(viewport=size).new_page()  # type: ignore[arg-type]
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", "alice@harbour-it.example")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state("networkidle")
    return page
