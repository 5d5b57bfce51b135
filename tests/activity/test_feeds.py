"""The feeds: per workspace (all clients) and per organisation, filtered by URL, each entry
linked to its record, new entries fetched on top, and a CSV of what is filtered."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tests.conftest import Cast
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.services import activity_record
from xeroadmin.books.models import Invoice
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(cast: Cast) -> dict:
    """Two organisations (clients A and B), with entries of each kind and source."""
    acme = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-a", name="Acme Ltd", client=cast.client_a
    )
    bayside = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-b", name="Bayside Ltd", client=cast.client_b
    )
    invoice = Invoice.objects.create(
        tenant=acme, xero_id="inv-1", type="ACCREC", status="PAID", number="INV-0042"
    )
    paid = activity_record(
        workspace=cast.workspace,
        tenant=acme,
        source=ActivityEvent.Source.WEBHOOK,
        category="invoice",
        action="updated",
        summary="Invoice INV-0042 for Acme was updated in Xero: AUTHORISED → PAID, $1,200.00",
        data={"record": "inv-1", "type": "invoice"},
    )
    edited = activity_record(
        workspace=cast.workspace,
        tenant=bayside,
        category="contact",
        action="updated",
        summary="=HYPERLINK(evil) Contact updated by finance@example.com",
        actor=cast.finance.user,
    )
    old = activity_record(
        workspace=cast.workspace,
        tenant=acme,
        source=ActivityEvent.Source.SYNC,
        category="sync",
        action="done",
        summary="Initial sync of Acme done",
    )
    ActivityEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    return {"acme": acme, "bayside": bayside, "invoice": invoice, "paid": paid, "edited": edited}


def test_the_workspace_feed_shows_every_client_with_links(
    as_viewer: HttpClient, cast: Cast, feed: dict
) -> None:
    page = as_viewer.get(f"/w/{cast.workspace.pk}/activity/").content.decode()
    assert "AUTHORISED → PAID, $1,200.00" in page
    assert "Contact updated by finance@example.com" in page
    assert "Initial sync of Acme done" in page
    link = f"/w/{cast.workspace.pk}/o/{feed['acme'].pk}/invoices/{feed['invoice'].pk}/"
    assert f'href="{link}"' in page
    newest = ActivityEvent.objects.order_by("-pk").first()
    assert newest is not None
    assert 'id="feed-poll"' in page
    assert f"activity/?after={newest.pk}" in page  # new entries are asked for from here


def test_filters_narrow_the_feed(as_viewer: HttpClient, cast: Cast, feed: dict) -> None:
    url = f"/w/{cast.workspace.pk}/activity/"
    webhooks = as_viewer.get(url, {"source": "webhook"}).content.decode()
    assert "AUTHORISED → PAID" in webhooks
    assert "Contact updated" not in webhooks
    by_actor = as_viewer.get(url, {"actor": cast.finance.user.pk}).content.decode()
    assert "Contact updated" in by_actor
    assert "AUTHORISED → PAID" not in by_actor
    by_client = as_viewer.get(url, {"client": cast.client_b.pk}).content.decode()
    assert "Contact updated" in by_client
    assert "AUTHORISED → PAID" not in by_client
    recent = (timezone.now() - timedelta(days=7)).date().isoformat()
    dated = as_viewer.get(url, {"date_from": recent}).content.decode()
    assert "Initial sync" not in dated
    assert "AUTHORISED → PAID" in dated
    wrong = as_viewer.get(url, {"date_from": "not-a-date", "category": "sync"})
    assert wrong.status_code == 200
    assert "Initial sync" in wrong.content.decode()  # the valid filter still applies
    assert "Enter a valid date." in wrong.content.decode()


def test_limited_members_see_only_their_clients(
    as_limited: HttpClient, cast: Cast, feed: dict
) -> None:
    page = as_limited.get(f"/w/{cast.workspace.pk}/activity/").content.decode()
    assert "AUTHORISED → PAID" in page
    assert "Contact updated" not in page
    assert (
        as_limited.get(f"/w/{cast.workspace.pk}/o/{feed['bayside'].pk}/activity/").status_code
        == 404
    )


def test_the_organisation_feed_is_only_that_organisation(
    as_viewer: HttpClient, cast: Cast, feed: dict
) -> None:
    page = as_viewer.get(f"/w/{cast.workspace.pk}/o/{feed['acme'].pk}/activity/").content.decode()
    assert "AUTHORISED → PAID" in page
    assert "Contact updated" not in page
    tab = f'href="/w/{cast.workspace.pk}/o/{feed["acme"].pk}/activity/" aria-current="page"'
    assert tab in page


def test_new_entries_arrive_on_top(as_viewer: HttpClient, cast: Cast, feed: dict) -> None:
    url = f"/w/{cast.workspace.pk}/o/{feed['acme'].pk}/activity/"
    newest = ActivityEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    nothing = as_viewer.get(url, {"after": newest}, headers={"HX-Request": "true"})
    assert nothing.status_code == 204
    fresh = activity_record(
        workspace=cast.workspace,
        tenant=feed["acme"],
        source=ActivityEvent.Source.WEBHOOK,
        category="invoice",
        action="updated",
        summary="Invoice INV-0043 was created in Xero",
    )
    top = as_viewer.get(url, {"after": newest}, headers={"HX-Request": "true"}).content.decode()
    assert "INV-0043" in top
    assert "INV-0042" not in top
    assert f"after={fresh.pk}" in top  # the poller moves on
    assert 'hx-swap-oob="true"' in top


def test_the_csv_is_what_is_filtered_and_safe_to_open(
    as_viewer: HttpClient, cast: Cast, feed: dict
) -> None:
    answer = as_viewer.get(f"/w/{cast.workspace.pk}/activity/", {"format": "csv", "source": "app"})
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.getvalue().decode())))
    assert rows[0][0] == "Time (UTC)"
    assert len(rows) == 2
    assert rows[1][-1].startswith("'=HYPERLINK")  # a formula arrives as text
    assert rows[1][1] == "Bayside Ltd"
    assert rows[1][6] == "finance@example.com"


def test_one_line_per_entry_grouped_by_day(as_viewer: HttpClient, cast: Cast) -> None:
    acme = Tenant.objects.create(workspace=cast.workspace, tenant_id="t-d", name="Acme Ltd")
    entries = {}
    for days, category, source, actor in (
        (40, "sync", ActivityEvent.Source.SYNC, None),
        (1, "payment", ActivityEvent.Source.APP, cast.finance.user),
        (1, "contact", ActivityEvent.Source.APP, cast.finance.user),
        (0, "invoice", ActivityEvent.Source.WEBHOOK, None),
    ):
        entry = activity_record(
            workspace=cast.workspace,
            tenant=acme,
            source=source,
            category=category,
            action="updated",
            summary=f"{category} {days}",
            actor=actor,
        )
        ActivityEvent.objects.filter(pk=entry.pk).update(
            created_at=timezone.now() - timedelta(days=days)
        )
        entries[category] = entry
    page = as_viewer.get(f"/w/{cast.workspace.pk}/activity/").content.decode()
    forty = timezone.localdate() - timedelta(days=40)
    heading = f"{forty:%A} {forty.day} {forty:%B}"
    places = [page.index(f"<h2>{day}</h2>") for day in ("Today", "Yesterday", heading)]
    assert places == sorted(places)  # newest day first
    assert page.count("<h2>Yesterday</h2>") == 1  # its two entries under one heading

    def line(category: str) -> str:
        start = page[page.index(f'data-pk="{entries[category].pk}"') :]
        return start[: start.index("</li>")]

    # Each entry: its kind's icon (named for screen readers), who did it, what, when.
    webhook = line("invoice")
    assert "feed-icon-invoice" in webhook
    assert '<span class="visually-hidden">Invoice</span>' in webhook
    assert 'title="Xero">X</span>' in webhook  # a webhook's entry is Xero's doing
    assert "<time datetime=" in webhook
    email = cast.finance.user.email
    initials = "".join(p[0] for p in email.split("@")[0].split(".")[:2]).upper()
    assert f'title="{email}">{initials}</span>' in line("payment")
    assert 'class="initials initials-system" title="Sync"' in line("sync")


def test_the_filter_bar_is_one_row_of_menus(as_viewer: HttpClient, cast: Cast, feed: dict) -> None:
    page = as_viewer.get(f"/w/{cast.workspace.pk}/activity/", {"date_from": "2026-01-01"})
    body = page.content.decode()
    assert 'class="filters toolbar"' in body
    assert "Dates · set" in body
    assert 'hx-select="#feed"' in body  # a change re-filters in place, in the URL
