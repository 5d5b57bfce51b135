"""Every data-health check worked out again for 200 organisations of 500 invoices and 60
contacts each (the nightly pass, in one worker process), against its budget of 60 seconds:
the first pass (every finding new) and a later one (every finding reconciled, few changes)."""

from __future__ import annotations

import random
from datetime import timedelta

from bench.harness import budget, member_workspace, settled

ORGANISATIONS = 200
INVOICES = 500
CONTACTS = 60


def run() -> None:
    from django.utils import timezone

    from xeroadmin.books import mirror
    from xeroadmin.connections.models import Tenant
    from xeroadmin.portfolio.models import Finding
    from xeroadmin.portfolio.tasks import checks_nightly

    _, workspace, _ = member_workspace("bench-checks@example.com", "Bench Checks")
    rng = random.Random(17)
    today = timezone.localdate()
    for n in range(ORGANISATIONS):
        tenant = Tenant.objects.create(
            workspace=workspace,
            tenant_id=f"bench-c-{n}",
            name=f"Organisation {n:03d}",
            base_currency="NZD",
            last_synced_at=timezone.now(),
        )
        contacts = [
            {
                "ContactID": f"c-{n}-{c}",
                # Some names twice, written differently; some customers with no e-mail.
                "Name": f"{rng.choice(('Harbour', 'Summit', 'Kauri'))} Trading {c % 45} Limited"
                if c % 7
                else f"{rng.choice(('Harbour', 'Summit', 'Kauri'))} trading {c % 45} ltd.",
                "EmailAddress": "" if c % 11 == 0 else f"a{c}@org{n}.example.com",
                "IsCustomer": c % 4 != 3,
                "IsSupplier": c % 4 == 3,
                "ContactStatus": "ACTIVE",
            }
            for c in range(CONTACTS)
        ]
        mirror.contacts_upsert(tenant, contacts)
        invoices = []
        for i in range(INVOICES):
            contact = contacts[i % CONTACTS]
            bill = bool(contact["IsSupplier"])
            day = today - timedelta(days=rng.randrange(400))
            total = rng.randrange(1000, 500000) / 100
            status = rng.choice(("DRAFT", "AUTHORISED", "AUTHORISED", "PAID", "PAID"))
            invoices.append(
                {
                    "InvoiceID": f"i-{n}-{i}",
                    "Type": "ACCPAY" if bill else "ACCREC",
                    "InvoiceNumber": f"INV-{i:05d}",
                    "Reference": f"R{rng.randrange(300)}" if bill else "",
                    "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
                    "Date": day.isoformat(),
                    "DueDate": (day + timedelta(days=30)).isoformat(),
                    "Status": status,
                    "CurrencyCode": "NZD",
                    "Total": total,
                    "AmountDue": total if status == "AUTHORISED" else 0,
                }
            )
        mirror.invoices_upsert(tenant, invoices)
    settled()
    print(f"  mirrored {ORGANISATIONS} organisations of {INVOICES} invoices, {CONTACTS} contacts")

    def first_pass() -> object:
        Finding.objects.all().delete()
        return checks_nightly()

    budget("checks_first_pass_200x500_seconds", first_pass, target=60.0)
    print(f"  {Finding.objects.count():,} findings")
    budget("checks_nightly_pass_200x500_seconds", checks_nightly, target=60.0)
