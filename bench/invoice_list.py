"""The invoice list (50 rows, filters applied, every status tab counted) of an organisation with
100,000 invoices in the mirror, as it is seen again (the tab counts kept) and right after its
invoices changed (counted again), and a search across them, against a trivial page through the
same middleware and base template, in one process."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test.utils import override_settings
from django.urls import include, path

from bench.harness import compare, member_workspace
from xeroadmin.tenancy.access import workspace_membership

INVOICES = 100_000


def trivial(request: HttpRequest, ws: int) -> HttpResponse:
    # A workspace page with nothing on it: signed in, through every middleware, the workspace
    # resolved as every page's first line does, and the base template (navigation, menus).
    workspace_membership(request, ws)
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/trivial/<int:ws>/", trivial),
    path("", include("xeroadmin.urls")),
]


def run() -> None:
    from xeroadmin.books import mirror
    from xeroadmin.connections.models import Tenant

    _, workspace, http = member_workspace("bench-books@example.com", "Bench Books")
    tenant = Tenant.objects.create(workspace=workspace, tenant_id="bench-org", name="Bench Org")
    rng = random.Random(7)
    contacts = [
        {"ContactID": f"c-{n}", "Name": f"Customer {n:04d} Ltd", "ContactStatus": "ACTIVE"}
        for n in range(2000)
    ]
    mirror.contacts_upsert(tenant, contacts)
    start = date(2022, 1, 1)
    statuses = ["DRAFT", "AUTHORISED", "AUTHORISED", "PAID", "PAID", "PAID", "VOIDED"]
    for offset in range(0, INVOICES, 5000):
        batch = []
        for n in range(offset, offset + 5000):
            day = start + timedelta(days=rng.randrange(1400))
            contact = contacts[rng.randrange(2000)]
            total = rng.randrange(1000, 500000) / 100
            status = rng.choice(statuses)
            batch.append(
                {
                    "InvoiceID": f"i-{n}",
                    "Type": "ACCREC" if n % 4 else "ACCPAY",
                    "InvoiceNumber": f"INV-{n:06d}",
                    "Reference": f"PO {rng.randrange(10**6)}",
                    "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
                    "Date": day.isoformat(),
                    "DueDate": (day + timedelta(days=30)).isoformat(),
                    "Status": status,
                    "CurrencyCode": "NZD",
                    "Total": total,
                    "AmountDue": total if status == "AUTHORISED" else 0,
                }
            )
        mirror.invoices_upsert(tenant, batch)
    print(f"  mirrored {INVOICES:,} invoices")
    url = f"/w/{workspace.pk}/o/{tenant.pk}/invoices/"
    trivial_url = f"/bench/trivial/{workspace.pk}/"
    listing = {"type": "ACCREC", "status": "AUTHORISED", "sort": "-date"}
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        assert http.get(url, listing).status_code == 200
        compare(
            "invoice_list_100k_vs_trivial_page",
            lambda: http.get(url, listing),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=3.0,
        )
        # Right after the organisation's invoices changed, the tab counts are counted again.
        from xeroadmin.books.mirror import invoices_changed

        def changed_then_listed() -> object:
            invoices_changed(tenant)
            return http.get(url, listing)

        compare(
            "invoice_list_after_a_change_100k_vs_trivial_page",
            changed_then_listed,
            lambda: http.get(trivial_url),
            comparison="<=",
            target=6.0,
        )
        compare(
            "invoice_search_100k_vs_trivial_page",
            lambda: http.get(url, {"q": "Customer 0042"}),
            lambda: http.get(trivial_url),
            comparison="<=",
            target=5.0,
        )
