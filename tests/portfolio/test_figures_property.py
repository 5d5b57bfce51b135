"""Every portfolio figure equals the organisation home's and a computation written here from
the sandbox's own books, on several sandbox seeds, with foreign-currency invoices and partial
payments planted in each."""

from __future__ import annotations

import copy
import random
import re
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from tests.books.test_sync import run
from tests.conftest import Cast
from tests.connections.helpers import connect, first_tenant
from xeroadmin.books.selectors import AGEING, organisation_summary
from xeroadmin.lib.money import money
from xeroadmin.sandbox.books import apply_payment, invoice_totals

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")


@pytest.fixture(params=[7, 1234, 90210])
def seeded(request, xero_sandbox_server, xero, cast: Cast):
    """The sandbox on another seed (put back afterwards), its first organisation connected,
    with foreign-currency invoices (some partly paid) planted, then synced."""
    sandbox = xero_sandbox_server.sandbox
    default = sandbox.config.seed
    sandbox.config.seed = request.param
    sandbox.reset()
    connect(cast)
    tenant = first_tenant(cast)
    tenant.client = cast.client_a
    tenant.save()
    org = sandbox.state.orgs[tenant.tenant_id]
    rng = random.Random(request.param)
    now = sandbox.state.clock.now()
    approved = [i for i in org.invoices.values() if i["Status"] == "AUTHORISED"]
    for source in rng.sample(approved, min(6, len(approved))):
        planted = copy.deepcopy(source)
        planted["InvoiceID"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        planted["InvoiceNumber"] = f"FX-{rng.randint(1000, 9999)}"
        planted["CurrencyCode"] = "USD"
        planted["CurrencyRate"] = Decimal(rng.choice(("0.6123", "0.58", "1.7")))
        planted["AmountPaid"] = Decimal("0")
        planted["_PaymentIDs"] = []
        planted["DueDate"] = now.date() - timedelta(days=rng.randint(-20, 130))
        invoice_totals(org, planted)
        if rng.random() < 0.5:
            apply_payment(org, planted, (planted["Total"] / 3).quantize(CENT), now)
        planted["UpdatedDateUTC"] = now
        org.invoices[planted["InvoiceID"]] = planted
    sandbox.state.clock.advance(2)
    run(tenant, "full")
    tenant.refresh_from_db()
    yield tenant, org
    sandbox.config.seed = default
    sandbox.reset()


def expected(org, today) -> dict[str, Decimal | int]:
    """The figures from the sandbox's books, in the organisation's base currency."""
    sums: dict[str, Decimal | int] = {
        "receivable": Decimal("0"),
        "overdue": Decimal("0"),
        "payable": Decimal("0"),
        "payable_overdue": Decimal("0"),
        "drafts": 0,
        "approval": 0,
        **{key: Decimal("0") for key, *_ in AGEING},
    }
    for invoice in org.invoices.values():
        status = invoice["Status"]
        if status == "DRAFT":
            sums["drafts"] += 1
        if status == "SUBMITTED":
            sums["approval"] += 1
        if status != "AUTHORISED":
            continue
        rate = invoice["CurrencyRate"] or Decimal(1)
        base = (invoice["AmountDue"] / rate).quantize(CENT, ROUND_HALF_UP)
        days = (today - invoice["DueDate"]).days if invoice.get("DueDate") else 0
        if invoice["Type"] == "ACCPAY":
            sums["payable"] += base
            sums["payable_overdue"] += base if days > 0 else 0
            continue
        sums["receivable"] += base
        sums["overdue"] += base if days > 0 else 0
        bucket = next(
            key
            for key, _, first, last in AGEING
            if (first is None or days >= first) and (last is None or days <= last)
        )
        sums[bucket] += base
    return sums


def cell(page: str, name: str, label: str) -> str:
    row = page[page.index(f'title="{name}"') :]
    row = row[: row.index("</tr>")]
    found = re.search(rf'data-label="{re.escape(label)}"[^>]*>(.*?)</t[dh]>', row, re.S)
    assert found, label
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_every_figure_agrees_three_ways(seeded, as_finance, cast: Cast) -> None:
    tenant, org = seeded
    today = timezone.localdate()
    want = expected(org, today)
    assert any(i["CurrencyCode"] != org.currency for i in org.invoices.values())
    page = as_finance.get(f"/w/{cast.workspace.pk}/").content.decode()
    currency = tenant.base_currency

    def shown(label: str) -> str:
        return cell(page, tenant.name, label)

    assert shown("Owed to it") == money(want["receivable"], currency)
    assert shown("Overdue") == money(want["overdue"], currency)
    assert shown("It owes") == money(want["payable"], currency)
    assert shown("Overdue bills") == money(want["payable_overdue"], currency)
    for key, label, *_ in AGEING:
        assert shown(label) == money(want[key], currency), label
    assert shown("Drafts") == str(want["drafts"])
    assert shown("To approve") == str(want["approval"])
    # The organisation's home says the same.
    home = organisation_summary(tenant=tenant)
    assert home["sales_due"] == want["receivable"]
    assert home["sales_overdue"] == want["overdue"]
    assert home["bills_due"] == want["payable"]
    assert home["bills_overdue"] == want["payable_overdue"]
