"""The workspace's home (the portfolio) over 200 organisations of 500 invoices each, against a
trivial page through the same middleware and base template, in one process: as it is seen again
(the rendered portfolio kept), after one organisation's invoices changed (its figures worked out
again and the page rendered), and the first time (every organisation's figures worked out)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.cache import cache
from django.test.utils import override_settings

from bench.harness import compare, member_workspace, settled

ORGANISATIONS = 200
INVOICES = 500


def run() -> None:
    from xeroadmin.books import mirror
    from xeroadmin.connections.models import Tenant
    from xeroadmin.portfolio.models import KeptFigures
    from xeroadmin.tenancy import services

    _, workspace, http = member_workspace("bench-portfolio@example.com", "Bench Portfolio")
    clients = [
        services.client_create(workspace=workspace, name=f"Client {n:02d}") for n in range(40)
    ]
    rng = random.Random(5)
    start = date(2025, 1, 1)
    tenants = []
    for n in range(ORGANISATIONS):
        tenant = Tenant.objects.create(
            workspace=workspace,
            tenant_id=f"bench-p-{n}",
            name=f"Organisation {n:03d}",
            client=clients[n % len(clients)],
            base_currency="NZD",
        )
        batch = []
        for i in range(INVOICES):
            day = start + timedelta(days=rng.randrange(700))
            total = rng.randrange(1000, 500000) / 100
            status = rng.choice(["DRAFT", "AUTHORISED", "AUTHORISED", "PAID", "PAID", "SUBMITTED"])
            batch.append(
                {
                    "InvoiceID": f"p-{n}-{i}",
                    "Type": "ACCREC" if i % 4 else "ACCPAY",
                    "InvoiceNumber": f"INV-{i:05d}",
                    "Contact": {"ContactID": f"c-{n}-{i % 50}", "Name": f"Customer {i % 50}"},
                    "Date": day.isoformat(),
                    "DueDate": (day + timedelta(days=30)).isoformat(),
                    "Status": status,
                    "CurrencyCode": "NZD" if i % 10 else "AUD",
                    "CurrencyRate": 1 if i % 10 else 0.9,
                    "Total": total,
                    "AmountDue": total if status == "AUTHORISED" else 0,
                }
            )
        mirror.invoices_upsert(tenant, batch)
        tenants.append(tenant)
    settled()
    print(f"  mirrored {ORGANISATIONS} organisations of {INVOICES:,} invoices")
    url = f"/w/{workspace.pk}/"
    trivial_url = f"/bench/trivial/{workspace.pk}/"
    with override_settings(ROOT_URLCONF="bench.invoice_list", ALLOWED_HOSTS=["testserver"]):
        assert http.get(url).status_code == 200
        compare(
            "portfolio_200x500_vs_trivial_page",
            lambda: http.get(url),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )

        def one_changed() -> object:
            mirror.invoices_changed(rng.choice(tenants))
            return http.get(url)

        compare(
            "portfolio_after_one_change_200x500_vs_trivial_page",
            one_changed,
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )

        def first_view() -> object:
            KeptFigures.objects.all().delete()
            cache.clear()  # the rendered portfolio too
            return http.get(url)

        compare(
            "portfolio_first_view_200x500_vs_trivial_page",
            first_view,
            lambda: http.get(trivial_url),
            comparison="<=",
            target=60.0,
            rounds=5,
            repeat=2,
        )
