"""Items and the chart of accounts: lists, create and edit through Xero, guarded deletes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Cast
from xeroadmin.books.forms import ACCOUNT_TYPES
from xeroadmin.books.models import Account, Item
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def test_it_creates_edits_and_deletes_an_item(as_finance, xero, cast: Cast, books: Tenant) -> None:
    url = reverse("books:item-list", args=[cast.workspace.pk, books.pk])
    listing = as_finance.get(url)
    assert listing.status_code == 200
    assert b"Add an item" in listing.content
    duplicate_code = Item.objects.filter(tenant=books).first()
    assert duplicate_code is not None
    refused = as_finance.post(url, {"code": duplicate_code.code, "name": "Twice"})
    assert refused.status_code == 422  # Xero refused it: the page says so, and so does its status
    assert b"already exists" in refused.content
    assert b'value="Twice"' in refused.content
    created = as_finance.post(
        url, {"code": "NEW-1", "name": "New thing", "unit_price": "12.50"}, follow=True
    )
    assert b"Item NEW-1 created in Xero." in created.content
    item = Item.objects.get(tenant=books, code="NEW-1")
    assert item.unit_price == 12.5
    detail = reverse("books:item-detail", args=[cast.workspace.pk, books.pk, item.pk])
    as_finance.post(detail, {"code": "NEW-1", "name": "Renamed thing", "unit_price": "15"})
    item.refresh_from_db()
    assert item.name == "Renamed thing"
    org = xero.sandbox.state.orgs[books.tenant_id]
    assert org.items[item.xero_id]["Name"] == "Renamed thing"
    as_finance.post(reverse("books:item-delete", args=[cast.workspace.pk, books.pk, item.pk]), {})
    assert not Item.objects.filter(pk=item.pk).exists()
    assert item.xero_id not in org.items


def test_it_archives_used_accounts_and_deletes_unused_ones(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    url = reverse("books:account-list", args=[cast.workspace.pk, books.pk])
    created = as_finance.post(
        url, {"code": "499", "name": "Sundry income", "type": "OTHERINCOME"}, follow=True
    )
    assert b"created in Xero" in created.content
    fresh = Account.objects.get(tenant=books, code="499")
    used = Account.objects.get(tenant=books, code="200")
    used_url = reverse("books:account-delete", args=[cast.workspace.pk, books.pk, used.pk])
    refused = as_finance.post(used_url, follow=True)
    assert b"cannot be deleted. Archive it instead." in refused.content
    assert Account.objects.filter(pk=used.pk).exists()
    fresh_url = reverse("books:account-delete", args=[cast.workspace.pk, books.pk, fresh.pk])
    as_finance.post(fresh_url)
    assert not Account.objects.filter(pk=fresh.pk).exists()
    grouped = as_finance.get(url)
    assert f"<h2>{dict(ACCOUNT_TYPES)[used.type]}</h2>".encode() in grouped.content


def test_viewers_read_items_and_accounts_only(as_viewer, cast: Cast, books: Tenant) -> None:
    for name in ("books:item-list", "books:account-list"):
        url = reverse(name, args=[cast.workspace.pk, books.pk])
        page = as_viewer.get(url)
        assert page.status_code == 200
        assert b"Create in Xero" not in page.content
        assert as_viewer.post(url, {"code": "X"}).status_code == 403


def test_it_warns_before_overwriting_an_item_changed_in_xero(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    item = Item.objects.filter(tenant=books).first()
    assert item is not None
    assert item.updated_utc is not None
    loaded = item.updated_utc.isoformat()
    control_clock = xero.sandbox.state.clock
    control_clock.advance(60)
    source = xero.sandbox.state.orgs[books.tenant_id].items[item.xero_id]
    source["Name"] = "Renamed in Xero"
    source["UpdatedDateUTC"] = control_clock.now()
    detail = reverse("books:item-detail", args=[cast.workspace.pk, books.pk, item.pk])
    answer = as_finance.post(detail, {"code": item.code, "name": "Mine", "seen": loaded})
    assert b"was changed in Xero" in answer.content
    assert b'value="Mine"' in answer.content  # the input stays
    assert source["Name"] == "Renamed in Xero"
    item.refresh_from_db()
    assert item.name == "Renamed in Xero"


def test_edit_forms_carry_when_the_record_was_loaded(as_finance, cast: Cast, books: Tenant) -> None:
    item = Item.objects.filter(tenant=books).first()
    account = Account.objects.filter(tenant=books, system_account="").first()
    assert item is not None
    assert account is not None
    for url in (
        reverse("books:item-detail", args=[cast.workspace.pk, books.pk, item.pk]),
        reverse("books:account-detail", args=[cast.workspace.pk, books.pk, account.pk]),
    ):
        body = as_finance.get(url).content.decode()
        assert 'type="hidden" name="seen" value="20' in body
