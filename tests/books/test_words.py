"""Statuses in Xero's words, one way everywhere."""

from __future__ import annotations

from xeroadmin.books.forms import STATUS_TABS
from xeroadmin.books.words import status_word


def test_statuses_read_as_a_bookkeeper_reads_them() -> None:
    assert status_word("AUTHORISED") == "Awaiting payment"
    assert status_word("SUBMITTED") == "Awaiting approval"
    assert status_word("AUTHORISED", "payment") == "Applied"
    assert status_word("ARCHIVED", "record") == "Archived"
    assert status_word("SOMETHING_NEW") == "Something new"  # never hidden, never shouted
    assert status_word(None) == ""


def test_the_list_tabs_use_the_same_words() -> None:
    assert dict(STATUS_TABS)["AUTHORISED"] == status_word("AUTHORISED")
