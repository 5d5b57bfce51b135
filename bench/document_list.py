"""The bank transactions list (50 rows, a type, a status tab, every tab counted) of an
organisation with 100,000 bank transactions in the mirror, against a trivial page through the
same middleware and base template, in one process. The other kinds (credit notes,
quotes, journals ...) share its table, list and queries."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.test.utils import override_settings

from bench.harness import compare, member_workspace, settled

DOCUMENTS = 100_000


def run() -> None:
    from xeroadmin.books.kinds import BY_KEY
    from xeroadmin.books.mirror_documents import documents_upsert
    from xeroadmin.connections.models import Tenant

    _, workspace, http = member_workspace("bench-documents@example.com", "Bench Documents")
    tenant = Tenant.objects.create(workspace=workspace, tenant_id="bench-org", name="Bench Org")
    kind = BY_KEY["bank_transaction"]
    rng = random.Random(11)
    start = date(2022, 1, 1)
    for offset in range(0, DOCUMENTS, 5000):
        batch = []
        for n in range(offset, offset + 5000):
            day = start + timedelta(days=rng.randrange(1400))
            total = rng.randrange(1000, 500000) / 100
            batch.append(
                {
                    "BankTransactionID": f"b-{n}",
                    "Type": "SPEND" if n % 3 else "RECEIVE",
                    "Reference": f"Card {rng.randrange(10**6)}",
                    "Contact": {
                        "ContactID": f"c-{n % 2000}",
                        "Name": f"Supplier {n % 2000:04d} Ltd",
                    },
                    "BankAccount": {"AccountID": "bank", "Code": "090", "Name": "Business Bank"},
                    "Date": day.isoformat(),
                    "Status": "DELETED" if n % 50 == 0 else "AUTHORISED",
                    "IsReconciled": n % 2 == 0,
                    "CurrencyCode": "NZD",
                    "SubTotal": total,
                    "Total": total,
                }
            )
        documents_upsert(tenant, kind, batch)
    print(f"  mirrored {DOCUMENTS:,} bank transactions")
    settled()
    url = f"/w/{workspace.pk}/o/{tenant.pk}/bank-transactions/"
    trivial_url = f"/bench/trivial/{workspace.pk}/"
    listing = {"status": "AUTHORISED", "type": "SPEND", "sort": "-date"}
    with override_settings(ROOT_URLCONF="bench.invoice_list", ALLOWED_HOSTS=["testserver"]):
        assert http.get(url, listing).status_code == 200
        compare(
            "bank_transaction_list_100k_vs_trivial_page",
            lambda: http.get(url, listing),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
