"""The quick switcher: organisations (by their name or their client's), clients and pages,
only those the member may see."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tests.conftest import Cast
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(cast: Cast) -> dict[str, Tenant]:
    return {
        "acme": Tenant.objects.create(
            workspace=cast.workspace, tenant_id="j-a", name="Acme Trading", client=cast.client_a
        ),
        "bay": Tenant.objects.create(
            workspace=cast.workspace, tenant_id="j-b", name="Bayside Cafe", client=cast.client_b
        ),
    }


def jump(client: HttpClient, cast: Cast, q: str, *, htmx: bool = True) -> str:
    headers = {"HX-Request": "true"} if htmx else {}
    answer = client.get(f"/w/{cast.workspace.pk}/jump/", {"q": q}, headers=headers)
    assert answer.status_code == 200
    return answer.content.decode()


def test_it_finds_organisations_by_name_or_client_and_pages(
    as_admin: HttpClient, cast: Cast, orgs: dict[str, Tenant]
) -> None:
    found = jump(as_admin, cast, "acme")
    assert f'data-value="/w/{cast.workspace.pk}/o/{orgs["acme"].pk}/"' in found
    assert "Bayside Cafe" not in found
    by_client = jump(as_admin, cast, cast.client_b.name)
    assert "Bayside Cafe" in by_client
    assert f"/w/{cast.workspace.pk}/clients/{cast.client_b.pk}/" in by_client
    assert "Members" in jump(as_admin, cast, "memb")
    assert 'role="option"' not in jump(as_admin, cast, "zzzz")


def test_a_limited_member_jumps_only_to_their_clients(
    as_limited: HttpClient, cast: Cast, orgs: dict[str, Tenant]
) -> None:
    everything = jump(as_limited, cast, "")
    visible = [name for name in ("Acme Trading", "Bayside Cafe") if name in everything]
    assert len(visible) == 1
    assert "Members" not in everything
    assert "Settings" not in everything


def test_without_javascript_it_is_a_page_of_links(
    as_viewer: HttpClient, cast: Cast, orgs: dict[str, Tenant]
) -> None:
    page = jump(as_viewer, cast, "bay", htmx=False)
    assert "<h1>Jump to</h1>" in page
    assert f'href="/w/{cast.workspace.pk}/o/{orgs["bay"].pk}/"' in page


def test_an_outsider_cannot_jump_into_the_workspace(as_outsider: HttpClient, cast: Cast) -> None:
    assert as_outsider.get(f"/w/{cast.workspace.pk}/jump/").status_code == 404


@pytest.fixture
def books_of_two(cast: Cast, orgs: dict[str, Tenant]) -> dict[str, Tenant]:
    from xeroadmin.books import mirror

    for n, (key, tenant) in enumerate(orgs.items()):
        mirror.contacts_upsert(
            tenant,
            [
                {
                    "ContactID": f"c-{key}",
                    "Name": f"Kauri {key.title()} Ltd",
                    "EmailAddress": f"ar@{key}.example",
                    "ContactNumber": f"ACC-{n}77",
                    "ContactStatus": "ACTIVE",
                }
            ],
        )
        mirror.invoices_upsert(
            tenant,
            [
                {
                    "InvoiceID": f"i-{key}",
                    "Type": "ACCREC",
                    "InvoiceNumber": f"INV-{key.upper()}-0042",
                    "Reference": f"PO {key}",
                    "Contact": {"ContactID": f"c-{key}", "Name": f"Kauri {key.title()} Ltd"},
                    "Date": "2026-01-01",
                    "DueDate": "2026-02-01",
                    "Status": "AUTHORISED",
                    "CurrencyCode": "NZD",
                    "Total": "1200.50" if key == "acme" else "99",
                    "AmountDue": "1200.50" if key == "acme" else "99",
                }
            ],
        )
        mirror.items_upsert(
            tenant, [{"ItemID": f"it-{key}", "Code": f"HOUR-{key.upper()}", "Name": "Hourly"}]
        )
    return orgs


def test_it_finds_records_across_organisations(
    as_admin: HttpClient, cast: Cast, books_of_two: dict[str, Tenant]
) -> None:
    both = jump(as_admin, cast, "0042")
    assert "INV-ACME-0042" in both
    assert "INV-BAY-0042" in both
    assert f"{cast.client_a.name} · Acme Trading" in both  # grouped by client and organisation
    assert 'role="group"' in both
    by_amount = jump(as_admin, cast, "$1,200.50")
    assert "INV-ACME-0042" in by_amount
    assert "INV-BAY-0042" not in by_amount
    assert "Kauri Bay Ltd" in jump(as_admin, cast, "ar@bay.example")
    assert "Kauri Acme Ltd" in jump(as_admin, cast, "ACC-077")
    assert "HOUR-BAY" in jump(as_admin, cast, "hour-b")
    assert 'role="option"' not in jump(as_admin, cast, "4")  # one character finds nothing
    invoice = books_of_two["bay"].pk
    link = f'data-value="/w/{cast.workspace.pk}/o/{invoice}/invoices/'
    assert link in both


def test_a_limited_member_finds_only_their_clients_records(
    as_limited: HttpClient, cast: Cast, books_of_two: dict[str, Tenant]
) -> None:
    found = jump(as_limited, cast, "0042")
    assert ("INV-ACME-0042" in found) != ("INV-BAY-0042" in found)
    page = jump(as_limited, cast, "kauri", htmx=False)
    assert ("Kauri Acme Ltd" in page) != ("Kauri Bay Ltd" in page)


def test_what_it_finds_follows_every_write(
    as_admin: HttpClient, cast: Cast, books_of_two: dict[str, Tenant]
) -> None:
    """On SQLite through its FTS5 tables (kept by triggers), on PostgreSQL through its trigram
    indexes: a renamed contact is found by its new name only, a removed one not at all, and
    any text (quotes, FTS operators, two characters) is searched as written."""
    from xeroadmin.books import mirror
    from xeroadmin.books.models import Contact, Invoice

    acme = books_of_two["acme"]
    mirror.contacts_upsert(
        acme, [{"ContactID": "c-acme", "Name": "Totara Joinery", "ContactStatus": "ACTIVE"}]
    )
    assert "Totara Joinery" in jump(as_admin, cast, "tara join")
    old_name = jump(as_admin, cast, "kauri acme")
    assert "Invoice · Kauri Acme Ltd" in old_name  # the invoice keeps the name it was sent to
    assert "Contact" not in old_name
    Invoice.objects.filter(tenant=acme).update(number="INV-RENUMBERED")
    assert "INV-RENUMBERED" in jump(as_admin, cast, "renumbered")
    assert "INV-ACME-0042" not in jump(as_admin, cast, "acme-0042")
    Contact.objects.filter(tenant=acme).delete()
    assert "Totara Joinery" not in jump(as_admin, cast, "totara")
    for text in ('"kauri', "kauri AND bay", "bay*", "-bay", "NEAR(kauri bay)", "ba"):
        page = jump(as_admin, cast, text)
        assert "went wrong" not in page.lower()
    assert "Kauri Bay Ltd" in jump(as_admin, cast, "y L")  # shorter than a trigram
