"""Finance flows in a browser: a draft with two lines through the item picker, approved, paid
in full, the payment reversed; a contact edit refused with Xero's message and nothing lost;
a void not offered, with the reason; a viewer sees no controls."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.conftest import PASSWORD, make_user
from tests.connections.helpers import connect_workspace
from xeroadmin.books import mirror, sync
from xeroadmin.books.models import Contact, Invoice, Item
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy import services
from xeroadmin.tenancy.models import Membership, Role


@pytest.fixture
def setup(live_server, xero, settings):
    settings.SITE_URL = live_server.url
    owner = make_user("owner@example.com")
    workspace = services.workspace_create(user=owner, name="Harbour IT")
    finance = make_user("finance@example.com")
    Membership.objects.create(workspace=workspace, user=finance, role=Role.FINANCE)
    viewer = make_user("viewer@example.com")
    Membership.objects.create(workspace=workspace, user=viewer, role=Role.VIEWER)

    connect_workspace(workspace, owner)
    tenant = Tenant.objects.filter(workspace=workspace).order_by("pk").first()
    assert tenant is not None
    sync.sync_job_run(job_id=sync.sync_request(tenant=tenant).pk)
    tenant.refresh_from_db()
    return live_server.url, workspace, tenant


def sign_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    return page


def settled(page: Page) -> None:
    """Wait until htmx has finished every swap (a person never acts within those milliseconds)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def test_draft_approve_pay_and_reverse(setup, browser: Browser) -> None:
    base, workspace, tenant = setup
    items = list(Item.objects.filter(tenant=tenant).exclude(unit_price=None).order_by("code")[:2])
    contact = (
        Contact.objects.filter(tenant=tenant, status="ACTIVE", is_customer=True)
        .order_by("name")
        .first()
    )
    assert contact is not None
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/invoices/")
    page.get_by_role("link", name="New invoice").click()
    # The contact picker, by keyboard: type, arrow down to the first suggestion, Enter.
    picker = page.get_by_role("combobox", name="Contact")
    picker.click()
    picker.press_sequentially(contact.name[:6].lower(), delay=30)
    page.wait_for_timeout(300)  # the picker asks once typing pauses
    settled(page)
    expect(page.locator("#contact-options [role=option]").first).to_contain_text(contact.name)
    picker.press("ArrowDown")
    expect(picker).to_have_attribute("aria-activedescendant", "contact-options-1")
    picker.press("Enter")
    expect(picker).to_have_value(contact.name)
    expect(page.locator("input[name=contact]")).to_have_value(contact.xero_id)
    expect(page.get_by_role("listbox")).to_be_hidden()
    page.fill("#id_reference", "Browser flow")
    # First line through the item picker; a second line added without a reload.
    settled(page)
    page.select_option("#id_line-0-item_code", items[0].code)
    expect(page.locator("#id_line-0-unit_amount")).to_have_value(f"{items[0].unit_price:.2f}")
    page.get_by_role("button", name="+ Add a line").click()
    expect(page.locator("#id_line-1-item_code")).to_be_visible()
    settled(page)
    page.select_option("#id_line-1-item_code", items[1].code)
    expect(page.locator("#id_line-1-unit_amount")).to_have_value(f"{items[1].unit_price:.2f}")
    page.fill("#id_line-1-quantity", "2")
    page.locator("#id_line-1-quantity").blur()
    prices = [item.unit_price for item in items]
    assert None not in prices
    expected_subtotal = prices[0] + 2 * prices[1]  # type: ignore[operator]
    expect(page.locator("#invoice-totals")).to_contain_text(f"{expected_subtotal:,.2f}")
    # Each line shows its amount, and the totals stand under the amounts.
    line_amount = page.locator("#line-1-amount")
    expect(line_amount).to_contain_text(f"{2 * prices[1]:,.2f}")  # type: ignore[operator]
    settled(page)  # the totals' swap done, so neither box is caught between two copies
    amount_box, total_box = (
        line_amount.bounding_box(),
        page.locator(".line-totals dd").last.bounding_box(),
    )
    assert amount_box
    assert total_box
    assert abs((amount_box["x"] + amount_box["width"]) - (total_box["x"] + total_box["width"])) < 3
    # Enter in the last line adds a line and goes to it; it does not submit the form.
    page.locator("#id_line-1-quantity").press("Enter")
    expect(page.locator("#id_line-2-item_code")).to_be_focused()
    settled(page)
    page.locator("#line-2 [data-remove-row]").click()
    expect(page.locator("#line-2")).to_have_count(0)
    page.get_by_role("button", name="Save draft in Xero").click()
    expect(page.get_by_text("Draft saved in Xero.")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(re.compile(r"is now awaiting payment"))).to_be_visible()
    invoice = Invoice.objects.get(tenant=tenant, reference="Browser flow")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text("Payment recorded; the invoice is paid.")).to_be_visible()
    expect(page.locator(".page-head .badge")).to_have_text("Paid")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[id^=reverse-]").first.click()
    expect(
        page.get_by_text("Payment reversed; the invoice is awaiting payment again.")
    ).to_be_visible()
    expect(page.locator(".page-head .badge")).to_have_text("Awaiting payment")
    invoice.refresh_from_db()
    assert invoice.status == "AUTHORISED"
    assert invoice.lines.count() == 2


def test_contact_edit_with_an_invalid_email_keeps_everything(setup, browser: Browser) -> None:
    base, workspace, tenant = setup
    contact = Contact.objects.filter(tenant=tenant, status="ACTIVE").order_by("name").first()
    assert contact is not None
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/contacts/{contact.pk}/")
    page.fill("#id_first_name", "Grace")
    page.fill("#id_email", "grace-at-example")
    page.fill("#id_street_line1", "7 Wharf Street")
    page.fill("#id_mobile_number", "0279876543")
    page.get_by_role("button", name="Save in Xero").click()
    expect(page.locator("#id_email_error")).to_have_text("Email address must be valid.")
    expect(page.locator("#id_first_name")).to_have_value("Grace")
    expect(page.locator("#id_email")).to_have_value("grace-at-example")
    expect(page.locator("#id_street_line1")).to_have_value("7 Wharf Street")
    expect(page.locator("#id_mobile_number")).to_have_value("0279876543")
    # Corrected, it saves: the address and the number with it.
    page.fill("#id_email", "grace@example.com")
    page.get_by_role("button", name="Save in Xero").click()
    expect(page.get_by_text("Contact saved in Xero.")).to_be_visible()
    expect(page.locator("#id_street_line1")).to_have_value("7 Wharf Street")
    expect(page.locator("#id_mobile_number")).to_have_value("0279876543")


def test_void_with_a_payment_is_not_offered_and_says_why(setup, browser: Browser) -> None:
    base, workspace, tenant = setup
    paid = Invoice.objects.filter(tenant=tenant, status="AUTHORISED", amount_paid__gt=0).first()
    assert paid is not None
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/invoices/{paid.pk}/")
    # Only what applies: no Void button, and the menu says what would make it possible.
    page.get_by_text("More", exact=True).click()
    expect(page.locator("#action-void")).to_have_count(0)
    expect(page.locator("#why-void")).to_contain_text("reverse its payments first")


def test_a_viewer_sees_no_edit_controls(setup, browser: Browser) -> None:
    base, workspace, tenant = setup
    draft = Invoice.objects.filter(tenant=tenant, status="DRAFT").first()
    contact = Contact.objects.filter(tenant=tenant).first()
    assert draft is not None
    assert contact is not None
    page = sign_in(browser, base, "viewer@example.com")
    for path in (
        f"/w/{workspace.pk}/o/{tenant.pk}/invoices/",
        f"/w/{workspace.pk}/o/{tenant.pk}/invoices/{draft.pk}/",
        f"/w/{workspace.pk}/o/{tenant.pk}/contacts/{contact.pk}/",
        f"/w/{workspace.pk}/o/{tenant.pk}/",
    ):
        page.goto(base + path)
        expect(page.locator("main")).to_be_visible()
        for label in (
            "New invoice",
            "Approve",
            "Void",
            "Save in Xero",
            "Refresh now",
            "Record payment",
        ):
            expect(page.get_by_role("button", name=label, exact=True)).to_have_count(0)
            expect(page.get_by_role("link", name=label, exact=True)).to_have_count(0)


def test_invoice_filters_compose_in_any_order(setup, browser: Browser) -> None:
    base, workspace, tenant = setup
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/invoices/")
    page.get_by_role("link", name=re.compile(r"^Awaiting payment \d+$")).click()
    settled(page)
    expect(page).to_have_url(re.compile(r"status=AUTHORISED"))
    page.fill("#id_q", "INV")
    page.wait_for_url(re.compile(r"q=INV"))
    settled(page)
    page.check("#id_overdue")
    page.wait_for_url(re.compile(r"overdue=on"))
    settled(page)
    page.select_option("#id_type", "ACCREC")
    page.wait_for_url(re.compile(r"type=ACCREC"))
    settled(page)
    for part in ("status=AUTHORISED", "q=INV", "overdue=on", "type=ACCREC"):
        assert part in page.url
    expected = Invoice.objects.filter(
        tenant=tenant,
        status="AUTHORISED",
        type="ACCREC",
        number__istartswith="INV",
        due_date__lt=timezone.localdate(),
    ).count()
    assert expected > 0
    statuses = page.locator("#invoice-table tbody td[data-label='Status']").all_inner_texts()
    assert len(statuses) == min(expected, 50)
    assert {s.strip().lower() for s in statuses} == {"awaiting payment"}
    # Typing and clicking a tab at once: the tab's answer is the one shown, every time.
    for tab, status in (("Paid", "PAID"), ("Draft", "DRAFT"), ("All", "")):
        page.fill("#id_q", "")
        page.type("#id_q", "I")
        page.get_by_role("link", name=re.compile(rf"^{tab} \d+$")).click()
        settled(page)
        page.wait_for_timeout(400)  # past the search box's own delay
        settled(page)
        assert f"status={status}" in page.url
        current = page.locator("#invoice-table nav.tabs a[aria-current='page']")
        expect(current).to_have_text(re.compile(rf"^{tab} \d+$"))
    # The other order: type, overdue and a search first, the tab last; the tab's count is
    # what the list then holds.
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/invoices/")
    page.select_option("#id_type", "ACCREC")
    page.wait_for_url(re.compile(r"type=ACCREC"))
    settled(page)
    page.check("#id_overdue")
    page.wait_for_url(re.compile(r"overdue=on"))
    settled(page)
    page.fill("#id_q", "INV")
    page.wait_for_url(re.compile(r"q=INV"))
    settled(page)
    awaiting = page.get_by_role("link", name=re.compile(r"^Awaiting payment \d+$"))
    count = int(awaiting.inner_text().split()[-1])
    assert count == expected
    awaiting.click()
    page.wait_for_url(re.compile(r"status=AUTHORISED"))
    settled(page)
    for part in ("status=AUTHORISED", "q=INV", "overdue=on", "type=ACCREC"):
        assert part in page.url
    expect(page.locator("#invoice-table .totals")).to_contain_text(f"{count} invoice")
    expect(page.locator("#id_type")).to_have_value("ACCREC")
    expect(page.locator("#id_overdue")).to_be_checked()


def test_the_invoice_list_shows_the_books_above_the_fold(setup, browser: Browser) -> None:
    """At 1280 by 800 at least 12 invoices show before any scrolling; on a 390 by 844 phone the
    first one is on the first screen."""
    base, workspace, tenant = setup
    url = f"{base}/w/{workspace.pk}/o/{tenant.pk}/invoices/"
    desktop: ViewportSize = {"width": 1280, "height": 800}
    phone: ViewportSize = {"width": 390, "height": 844}
    for size, wanted in ((desktop, 12), (phone, 1)):
        page = sign_in(browser, base, "finance@example.com")
        page.set_viewport_size(size)
        page.goto(url)
        rows = page.locator("#invoice-table tbody tr")
        expect(rows.first).to_be_visible()
        visible = sum(
            1
            for box in (rows.nth(i).bounding_box() for i in range(min(rows.count(), 20)))
            if box and box["y"] + box["height"] <= size["height"]
        )
        assert visible >= wanted, (size, visible)


def test_the_quick_switcher_by_keyboard(setup, browser: Browser) -> None:
    """Ctrl+K, a few letters of the organisation's name, Down, Enter: there, without a mouse;
    Escape closes the suggestions first, then the switcher."""
    base, workspace, tenant = setup
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/activity/")
    page.keyboard.press("Control+k")
    dialog = page.get_by_role("dialog", name="Jump to")
    expect(dialog).to_be_visible()
    box = page.get_by_role("combobox", name="Jump to an organisation, client or page")
    expect(box).to_be_focused()
    page.keyboard.type(tenant.name[:5].lower(), delay=30)
    page.wait_for_timeout(300)  # the switcher asks once typing pauses
    settled(page)
    expect(page.locator("#jump-options [role=option]").first).to_contain_text(tenant.name)
    page.keyboard.press("Escape")
    expect(page.locator("#jump-options")).to_be_hidden()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Control+k")
    page.keyboard.type(tenant.name[:5].lower(), delay=30)
    page.wait_for_timeout(300)
    settled(page)
    expect(page.locator("#jump-options [role=option]").first).to_contain_text(tenant.name)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/w/{workspace.pk}/o/{tenant.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(tenant.name)


def test_the_contact_picker_with_ten_thousand_contacts(setup, browser: Browser) -> None:
    """The editor never lists every contact; typing part of one name among 10,000 finds it."""
    base, workspace, tenant = setup
    mirror.contacts_upsert(
        tenant,
        [
            {
                "ContactID": f"00000000-0000-4000-8000-{n:012d}",
                "Name": f"Bulk Customer {n:05d} Ltd",
                "EmailAddress": f"bulk{n}@example.com",
                "ContactStatus": "ACTIVE",
                "IsCustomer": True,
            }
            for n in range(10_000)
        ],
    )
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/invoices/new/")
    assert "Bulk Customer" not in page.content()  # no list of every contact on the page
    picker = page.get_by_role("combobox", name="Contact")
    picker.click()
    picker.press_sequentially("r 0421", delay=30)  # from the middle of the name
    page.wait_for_timeout(300)
    settled(page)
    options = page.locator("#contact-options [role=option]")
    expect(options.first).to_contain_text("Bulk Customer 04210 Ltd")
    assert options.count() == 10  # 04210 to 04219
    options.nth(7).click()
    expect(picker).to_have_value("Bulk Customer 04217 Ltd")
    expect(page.locator("input[name=contact]")).to_have_value(
        "00000000-0000-4000-8000-000000004217"
    )
