"""The portfolio on the workspace's home: each organisation's figures from the mirror, grouped
by client, every figure linking to exactly the invoices it counts; a constant number of queries
however many organisations."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import Cast
from xeroadmin.books import mirror
from xeroadmin.books.selectors import AGEING
from xeroadmin.connections.models import Tenant
from xeroadmin.portfolio import checks
from xeroadmin.portfolio.models import CheckSettings

pytestmark = pytest.mark.django_db
LABELS = {key: label for key, label, *_ in AGEING}


def invoice(
    n: int,
    *,
    kind="ACCREC",
    status="AUTHORISED",
    due_days_ago=0,
    due=Decimal("100"),
    rate=1,
    currency="NZD",
) -> dict:
    today = timezone.localdate()
    return {
        "InvoiceID": f"inv-{n}",
        "Type": kind,
        "InvoiceNumber": f"INV-{n:04d}",
        "Contact": {"ContactID": "c-1", "Name": "Acme"},
        "Date": (today - timedelta(days=due_days_ago + 30)).isoformat(),
        "DueDate": (today - timedelta(days=due_days_ago)).isoformat(),
        "Status": status,
        "CurrencyCode": currency,
        "CurrencyRate": rate,
        "Total": str(due),
        "AmountDue": str(due) if status == "AUTHORISED" else "0",
    }


def organisation(cast: Cast, name: str, client=None, invoices=()) -> Tenant:
    tenant = Tenant.objects.create(
        workspace=cast.workspace,
        tenant_id=f"t-{name}",
        name=name,
        client=client,
        base_currency="NZD",
    )
    mirror.invoices_upsert(tenant, list(invoices))
    return tenant


def home(browser: HttpClient, cast: Cast, **query: str) -> str:
    answer = browser.get(f"/w/{cast.workspace.pk}/", query)
    assert answer.status_code == 200
    return answer.content.decode()


def cell(page: str, org: Tenant, label: str) -> str:
    row = page[page.index(f'title="{org.name}"') :]
    row = row[: row.index("</tr>")]
    found = re.search(rf'data-label="{re.escape(label)}"[^>]*>\s*(.*?)\s*</td>', row, re.S)
    assert found, label
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_each_organisation_shows_its_money_aged(as_finance: HttpClient, cast: Cast) -> None:
    acme = organisation(
        cast,
        "Acme Ltd",
        cast.client_a,
        [
            invoice(1, due_days_ago=-5),  # current
            invoice(2, due_days_ago=10),  # 1-30
            invoice(3, due_days_ago=45, due=Decimal("250.50")),  # 31-60
            invoice(4, due_days_ago=120),  # 90+
            invoice(5, due_days_ago=45, due=Decimal("70"), rate=Decimal("0.7"), currency="AUD"),
            invoice(6, kind="ACCPAY", due_days_ago=3, due=Decimal("40")),
            invoice(7, status="DRAFT", due=Decimal("12")),
            invoice(8, status="SUBMITTED", due=Decimal("8")),
            invoice(9, status="PAID", due_days_ago=200),
        ],
    )
    page = home(as_finance, cast)
    assert cell(page, acme, "Owed to it") == "NZ$650.50"  # 100 times 3, 250.50, and 70 at 0.7
    assert cell(page, acme, "Overdue") == "NZ$550.50"
    assert cell(page, acme, "Current") == "NZ$100.00"
    assert cell(page, acme, LABELS["1-30"]) == "NZ$100.00"
    assert cell(page, acme, LABELS["31-60"]) == "NZ$350.50"
    assert cell(page, acme, LABELS["61-90"]) == "NZ$0.00"
    assert cell(page, acme, "Over 90 days") == "NZ$100.00"
    assert cell(page, acme, "It owes") == "NZ$40.00"
    assert cell(page, acme, "Drafts") == "1"
    assert cell(page, acme, "To approve") == "1"
    assert cell(page, acme, "Oldest overdue") == "120 days"
    assert "approval" not in cell(page, acme, "Needs attention")  # everyday work, not a problem
    # The checks' findings say the rest, and take the health score down.
    CheckSettings.objects.create(workspace=cast.workspace, overdue_amount=50)
    checks.run(acme)
    page = home(as_finance, cast)
    assert "long overdue invoice" in cell(page, acme, "Needs attention")
    assert int(cell(page, acme, "Health")) < 100
    # The bucket links to exactly its invoices.
    link = re.search(r'href="([^"]*age=31-60[^"]*)"', page)
    assert link
    listed = as_finance.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "INV-0003" in listed
    assert "INV-0005" in listed
    assert "INV-0002" not in listed
    assert "INV-0004" not in listed


def test_grouped_by_client_and_sorted_by_a_column(as_finance: HttpClient, cast: Cast) -> None:
    small = organisation(cast, "Small Co", cast.client_b, [invoice(1, due_days_ago=5)])
    big = organisation(
        cast, "Big Co", cast.client_a, [invoice(2, due_days_ago=5, due=Decimal("900"))]
    )
    grouped = home(as_finance, cast)
    grouped = grouped[grouped.index("portfolio-table") :]
    assert grouped.index(cast.client_a.name) < grouped.index("Big Co")
    assert grouped.index("Big Co") < grouped.index(cast.client_b.name)
    ranked = home(as_finance, cast, sort="overdue")
    assert ranked.index('title="Small Co"') < ranked.index('title="Big Co"')
    ranked = home(as_finance, cast, sort="-overdue")
    assert ranked.index('title="Big Co"') < ranked.index('title="Small Co"')
    only_b = home(as_finance, cast, client=str(cast.client_b.pk))
    assert 'title="Small Co"' in only_b
    assert 'title="Big Co"' not in only_b
    assert small
    assert big


def test_a_limited_member_sees_only_their_clients(as_limited: HttpClient, cast: Cast) -> None:
    organisation(cast, "Mine", cast.client_a, [invoice(1)])
    organisation(cast, "Theirs", cast.client_b, [invoice(2)])
    page = home(as_limited, cast)
    seen = [name for name in ("Mine", "Theirs") if f'title="{name}"' in page]
    assert len(seen) == 1


def test_malformed_filters_are_dropped(as_finance: HttpClient, cast: Cast) -> None:
    organisation(cast, "Acme", cast.client_a, [invoice(1)])
    page = home(as_finance, cast, client="x", sort="nope", as_of="2026-13-45", status="bad")
    assert 'title="Acme"' in page


def queries_for(client: HttpClient, cast: Cast) -> int:
    with CaptureQueriesContext(connection) as captured:
        home(client, cast)
    return len(captured)


def test_the_query_count_does_not_grow_with_organisations(
    as_finance: HttpClient, cast: Cast
) -> None:
    as_finance.get(f"/w/{cast.workspace.pk}/clients/")  # the session remembers the workspace
    for n in range(20):
        organisation(cast, f"Org {n:03d}", cast.client_a, [invoice(n, due_days_ago=n)])
    cold_20 = queries_for(as_finance, cast)
    warm_20 = queries_for(as_finance, cast)
    for n in range(20, 200):
        organisation(cast, f"Org {n:03d}", cast.client_b, [invoice(n, due_days_ago=n)])
    cold_200 = queries_for(as_finance, cast)
    warm_200 = queries_for(as_finance, cast)
    assert cold_200 == cold_20
    assert warm_200 == warm_20
    assert warm_20 < cold_20  # the figures kept are not worked out again


def test_what_is_kept_follows_every_change(as_finance: HttpClient, cast: Cast) -> None:
    acme = organisation(cast, "Acme", cast.client_a, [invoice(1, due_days_ago=5)])
    assert cell(home(as_finance, cast), acme, "Overdue") == "NZ$100.00"
    mirror.invoices_upsert(acme, [invoice(2, due_days_ago=40, due=Decimal("50"))])
    assert cell(home(as_finance, cast), acme, "Overdue") == "NZ$150.00"
    acme.status = Tenant.Status.NEEDS_RECONNECT
    acme.save(update_fields=["status"])
    assert "Needs reconnecting" in cell(home(as_finance, cast), acme, "Needs attention")
    acme.name = "Acme Renamed"
    acme.save(update_fields=["name"])
    assert 'title="Acme Renamed"' in home(as_finance, cast)
