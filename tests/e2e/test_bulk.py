"""In a browser: finance filters an organisation's invoices to those awaiting payment, ticks
some (one of them part paid), previews a bulk void, starts it, watches a real worker finish
it on the job page, and reads each row's outcome."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_books import settled, setup, sign_in  # noqa: F401 - the fixture by name
from tests.worker import celery_worker
from xeroadmin.books.models import Invoice
from xeroadmin.bulk.models import BulkJob

pytestmark = pytest.mark.django_db(transaction=True)


def test_bulk_void_from_a_filtered_list(
    setup,  # noqa: F811
    browser: Browser,
    xero,
    tmp_path: Path,
) -> None:
    base, workspace, tenant = setup
    page = sign_in(browser, base, "finance@example.com")
    page.goto(f"{base}/w/{workspace.pk}/o/{tenant.pk}/invoices/")
    page.get_by_role("link", name=re.compile(r"^Awaiting payment \d+$")).click()
    settled(page)
    page.select_option("#id_type", "ACCREC")
    page.wait_for_url(re.compile(r"type=ACCREC"))
    settled(page)
    shown = [
        int(v)
        for v in page.locator("input[name='invoice']").evaluate_all(
            "boxes => boxes.map(b => b.value)"
        )
    ]
    invoices = {i.pk: i for i in Invoice.objects.filter(pk__in=shown)}
    unpaid = [pk for pk in shown if invoices[pk].amount_paid == Decimal("0")][:2]
    part_paid = [pk for pk in shown if invoices[pk].amount_paid > Decimal("0")][:1]
    assert len(unpaid) == 2
    assert part_paid, "the seed has a part-paid invoice awaiting payment"
    for pk in unpaid + part_paid:
        page.check(f"input[name='invoice'][value='{pk}']")
    page.select_option("#bulk-action", "void")
    page.get_by_role("button", name="Preview ticked").click()

    expect(page.get_by_role("heading", name="Preview: nothing has been sent yet")).to_be_visible()
    expect(page.get_by_text("reverse them before voiding it")).to_be_visible()
    start = page.get_by_role("button", name="Void 2 records in Xero")
    expect(start).to_be_visible()
    with celery_worker(mail_dir=tmp_path):
        start.click()
        expect(page.locator("#job-progress h2").first).to_have_text("Finished", timeout=30_000)
    expect(page.get_by_role("status").filter(has_text="finished")).to_contain_text(
        "3 of 3 finished: 2 done, 1 not sent"
    )
    rows = page.locator("#job-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Done")).to_have_count(2)
    job = BulkJob.objects.get()
    assert job.status == BulkJob.Status.DONE
    assert set(Invoice.objects.filter(pk__in=unpaid).values_list("status", flat=True)) == {"VOIDED"}
    org = xero.sandbox.state.orgs[tenant.tenant_id]
    assert {org.invoices[invoices[pk].xero_id]["Status"] for pk in unpaid} == {"VOIDED"}
    assert org.invoices[invoices[part_paid[0]].xero_id]["Status"] == "AUTHORISED"
    # The outcomes as a file, and the job in the feed.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert "Done" in Path(download.value.path()).read_text()
    page.get_by_role("link", name="Activity", exact=True).click()
    entry = page.locator("#feed-entries li").filter(has_text="Void 3 invoices in 1 organisation")
    expect(entry).to_contain_text("2 done, 1 not sent")
