"""Tidy books and planted problems, read from the sandbox's own books: the seed option puts
them where it says, the same seed plants the same, and bad options get a clear error."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management.base import CommandError

from xeroadmin.sandbox.app import Config, Sandbox
from xeroadmin.sandbox.management.commands.xero_sandbox import _problems


def sandbox(**options) -> Sandbox:
    return Sandbox(Config(orgs=3, invoices_per_org=40, contacts_per_org=12, **options))


def test_tidy_books_have_nothing_to_chase() -> None:
    for org in sandbox(tidy=True).state.orgs.values():
        today = org.created.date() + timedelta(days=800)
        contacts = org.contacts.values()
        assert all(c["EmailAddress"] for c in contacts)
        # Each name its own even without its legal ending: the first two words differ.
        assert len({tuple(c["Name"].split()[:2]) for c in contacts}) == len(contacts)
        for invoice in org.invoices.values():
            if invoice["Status"] == "DRAFT":
                assert invoice["Date"] >= today - timedelta(days=20)
            if invoice["Status"] == "AUTHORISED":
                assert invoice["DueDate"] >= today - timedelta(days=30)
        bills = [i for i in org.invoices.values() if i["Type"] == "ACCPAY"]
        keys = Counter((b["Contact"]["ContactID"], b["Total"]) for b in bills)
        assert max(keys.values()) == 1
        big = [b for b in bills if b["Total"] >= 1000 and b["Status"] in ("AUTHORISED", "PAID")]
        assert big
        assert all(b["HasAttachments"] and org.attachments[b["InvoiceID"]] for b in big)


def test_the_seed_option_plants_over_the_first_organisations_only() -> None:
    plant = {"stale_draft": 4, "duplicate_contact": 2, "no_email": 1}
    first, second, third = sandbox(tidy=True, plant=plant, plant_over=2).state.orgs.values()
    tidy_first = next(iter(sandbox(tidy=True).state.orgs.values()))
    assert len(third.invoices) == 40
    assert len(third.contacts) == 12
    added = len(first.invoices) + len(second.invoices) - 80
    assert added == 4 + 1  # the drafts, and the invoice the customer without e-mail owes
    assert len(first.contacts) + len(second.contacts) - 24 == 2 + 1
    assert len(first.contacts) >= len(tidy_first.contacts)


def test_the_same_seed_plants_the_same() -> None:
    plant = {"long_overdue": 3, "duplicate_bill": 2}
    one = [sorted(o.invoices) for o in sandbox(tidy=True, plant=plant).state.orgs.values()]
    two = [sorted(o.invoices) for o in sandbox(tidy=True, plant=plant).state.orgs.values()]
    assert one == two


def test_an_organisation_without_room_is_said_so() -> None:
    from xeroadmin.sandbox.plant import CannotPlant

    with pytest.raises(CannotPlant):
        sandbox(tidy=True, plant={"duplicate_contact": 100})


def test_the_command_reads_its_plant_option() -> None:
    assert _problems("stale_draft=2, no_email=1") == {"stale_draft": 2, "no_email": 1}
    assert _problems("") == {}
    for bad in ("mould=1", "stale_draft", "stale_draft=-1", "stale_draft=x"):
        with pytest.raises(CommandError):
            _problems(bad)
