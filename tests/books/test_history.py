"""History and notes: each event once, with its real author."""

from __future__ import annotations

from django.urls import reverse

from tests.books.test_invoice_writes import act
from tests.conftest import Cast
from xeroadmin.books.history import history_lines, note_signature
from xeroadmin.books.models import Invoice
from xeroadmin.connections.models import Tenant


def entry(changes: str, details: str, user: str = "xeroadmin", at: str = "10:00:00") -> dict:
    return {
        "Changes": changes,
        "Details": details,
        "User": user,
        "DateUTCString": f"2026-11-30T{at}",
    }


def test_our_note_folds_into_the_change_it_describes() -> None:
    lines = history_lines(
        [
            entry("Note", "Approved in xeroadmin by alice@example.com", at="10:00:01"),
            entry("Approved", "INV-0001 approved.", at="10:00:00"),
            entry("Created", "", user="System Generated", at="09:00:00"),
        ]
    )
    assert [(line.what, line.who) for line in lines] == [
        ("Approved", "alice@example.com via xeroadmin"),
        ("Created", "System Generated"),
    ]


def test_a_note_without_its_change_stands_alone_and_a_person_signs_theirs() -> None:
    lines = history_lines(
        [
            entry("Note", "Voided in xeroadmin by bob@example.com"),
            entry("Note", note_signature("Called the customer", "carol@example.com")),
            entry("Approved", "Long ago.", at="01:00:00"),  # too far apart to be the same event
        ]
    )
    assert (lines[0].what, lines[0].who) == ("Voided", "bob@example.com via xeroadmin")
    assert (lines[1].details, lines[1].who) == (
        "Called the customer",
        "carol@example.com via xeroadmin",
    )
    assert lines[2].who == "xeroadmin"


def test_approving_in_the_app_reads_as_one_event(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    draft = Invoice.objects.filter(tenant=books, status="DRAFT").first()
    assert draft is not None
    act(as_finance, cast, draft, "approve")
    url = reverse("books:record-history", args=[cast.workspace.pk, books.pk, "invoices", draft.pk])
    box = as_finance.get(url, {"refresh": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert box.count("Approved") == 1
    assert "finance@example.com via xeroadmin" in box
    assert "in xeroadmin by" not in box
    assert "Created: Created." not in box
