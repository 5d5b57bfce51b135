"""Sync speed of the other record kinds: the initial sync of an organisation with 20,000 bank
transactions (each with its line) from the sandbox (limits off) into the mirror, against
fetching the same pages with bare `requests` and parsing them without storing anything, as
`bench/sync.py` measures invoices."""

from __future__ import annotations

from bench.sync import ROUNDS, measure


def run() -> None:
    from xeroadmin.books.models import Document

    options = ["--orgs", str(ROUNDS + 1), "--invoices-per-org", "20", "--contacts-per-org", "50"]
    measure(
        "sync_20k_bank_transactions_vs_bare_fetch",
        [*options, "--bank-transactions-per-org", "20000"],
    )
    found = Document.objects.filter(kind=Document.Kind.BANK_TRANSACTION).count()
    print(f"  mirrored {found:,} bank transactions in all")
