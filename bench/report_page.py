"""A report page as it is seen again: profit and loss for 12 months of an organisation of the
sandbox (a process of its own, as Xero is another machine), read once and kept, against a
trivial page through the same middleware and base template. The kept copy is what makes a
report page cheap; reading it from Xero again is one call of the organisation's 60 a minute."""

from __future__ import annotations

from django.test.utils import override_settings

from bench.harness import compare
from bench.xero_setup import connect_all, pointed_at, sandbox_process


def run() -> None:
    from allauth.account.models import EmailAddress
    from django.test import Client as HttpClient

    from xeroadmin.accounts.models import User
    from xeroadmin.books import sync

    email = "bench-reports@example.com"
    options = [
        "--orgs",
        "1",
        "--invoices-per-org",
        "2000",
        "--no-rate-limits",
        "--bulk-connections",
    ]
    with sandbox_process(*options) as base, pointed_at(base):
        tenant = connect_all(base, email)[0]
        sync.sync_job_run(job_id=sync.sync_request(tenant=tenant).pk)
        user = User.objects.get(email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        http = HttpClient()
        http.force_login(user)
        url = f"/w/{tenant.workspace_id}/o/{tenant.pk}/reports/profit-and-loss/"
        trivial_url = f"/bench/trivial/{tenant.workspace_id}/"
        with override_settings(ROOT_URLCONF="bench.invoice_list", ALLOWED_HOSTS=["testserver"]):
            first = http.get(url)  # read from Xero and kept
            assert first.status_code == 200, first.status_code
            assert b"Net Profit" in first.content
            compare(
                "profit_and_loss_12_months_kept_vs_trivial_page",
                lambda: http.get(url),
                lambda: http.get(trivial_url),
                comparison="<=",
                target=3.0,
            )
