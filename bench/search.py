"""Search across every organisation (the quick switcher's records) over 1,000,000 invoices in
200 organisations, against a trivial page through the same middleware, in one process: an
invoice number found in one organisation, a contact's name found in many, an exact amount, and
a word found nowhere (the worst case: nothing stops the search early)."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.test.utils import override_settings

from bench.harness import compare, member_workspace, settled

ORGANISATIONS = 200
INVOICES = 5_000  # each: 1,000,000 in all
CONTACTS = 100
WORDS = ("Harbour", "Summit", "Kauri", "Pinnacle", "Westport", "Ironbark", "Bluegum", "Oakridge")


def run() -> None:
    workspace, http = populate()
    _measure(workspace, http)


def populate() -> tuple[Any, Any]:
    """The workspace of 200 organisations, and a client signed in to it."""
    from xeroadmin.books.models import Contact, Invoice
    from xeroadmin.connections.models import Tenant
    from xeroadmin.tenancy import services

    _, workspace, http = member_workspace("bench-search@example.com", "Bench Search")
    clients = [
        services.client_create(workspace=workspace, name=f"Client {n:02d}") for n in range(40)
    ]
    rng = random.Random(11)
    start, began = date(2025, 1, 1), time.perf_counter()
    for n in range(ORGANISATIONS):
        tenant = Tenant.objects.create(
            workspace=workspace,
            tenant_id=f"bench-s-{n}",
            name=f"Organisation {n:03d}",
            client=clients[n % len(clients)],
            base_currency="NZD",
        )
        names = [
            f"{rng.choice(WORDS)} {rng.choice(('Dental', 'Motors', 'Legal', 'Media'))} {n}-{c}"
            for c in range(CONTACTS)
        ]
        Contact.objects.bulk_create(
            Contact(
                tenant=tenant,
                xero_id=f"c-{n}-{c}",
                name=name,
                email=f"accounts{c}@org{n}.example.com",
                contact_number=f"C{n:03d}{c:03d}",
                is_customer=True,
            )
            for c, name in enumerate(names)
        )
        rows = []
        for i in range(INVOICES):
            day = start + timedelta(days=rng.randrange(700))
            total = Decimal(rng.randrange(1000, 500000)) / 100
            rows.append(
                Invoice(
                    tenant=tenant,
                    xero_id=f"s-{n}-{i}",
                    type="ACCREC" if i % 4 else "ACCPAY",
                    number=f"INV-{n:03d}{i:05d}",
                    reference=f"PO {rng.randrange(10**6)}",
                    contact_name=names[i % CONTACTS],
                    contact_xero_id=f"c-{n}-{i % CONTACTS}",
                    date=day,
                    due_date=day + timedelta(days=30),
                    status=rng.choice(("DRAFT", "AUTHORISED", "PAID", "PAID")),
                    currency_code="NZD",
                    total=total,
                    amount_due=total,
                )
            )
        Invoice.objects.bulk_create(rows, batch_size=2_000)
    seconds = time.perf_counter() - began
    settled()
    print(f"  mirrored {ORGANISATIONS * INVOICES:,} invoices in {ORGANISATIONS} organisations")
    print(f"  ({seconds:.0f} s to write)")
    return workspace, http


def _measure(workspace: Any, http: Any) -> None:
    rng = random.Random(12)
    url = f"/w/{workspace.pk}/jump/"
    trivial_url = f"/bench/trivial/{workspace.pk}/"
    htmx = {"HTTP_HX_REQUEST": "true"}
    terms = {
        "number": "INV-1234567",
        "contact": "Ironbark Legal 17-",
        "amount": str(Decimal(rng.randrange(1000, 500000)) / 100),
        "nowhere": "Zanzibar",
    }
    with override_settings(ROOT_URLCONF="bench.invoice_list", ALLOWED_HOSTS=["testserver"]):
        for what, term in terms.items():
            page = http.get(url, {"q": term}, **htmx)
            assert page.status_code == 200
            compare(
                f"search_{what}_1m_invoices_vs_trivial_page",
                partial(http.get, url, {"q": term}, **htmx),
                lambda: http.get(trivial_url),
                comparison="<=",
                target=5.0,
                rounds=5,
                repeat=5,
            )
