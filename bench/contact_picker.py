"""The invoice editor's contact picker over an organisation with 10,000 contacts (what it
offers for a few letters, for text in the middle of a name, and for an empty box), against a
trivial page through the same middleware and base template, in one process."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.test import Client as HttpClient
from django.test.utils import override_settings

from bench.harness import compare, member_workspace

CONTACTS = 10_000
WORDS = ["Harbour", "Kiwi", "Summit", "Totara", "Ridge", "Pacific", "Coastal", "Alpine"]
KINDS = ["Ltd", "Limited", "Trust", "& Sons", "Group"]


def run() -> None:
    from xeroadmin.books import mirror
    from xeroadmin.connections.models import Tenant

    _, workspace, http = member_workspace("bench-picker@example.com", "Bench Picker")
    tenant = Tenant.objects.create(workspace=workspace, tenant_id="bench-pick", name="Pick Org")
    rng = random.Random(11)
    contacts = [
        {
            "ContactID": f"p-{n}",
            "Name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n:05d} {rng.choice(KINDS)}",
            "EmailAddress": f"accounts{n}@example.com",
            "ContactStatus": "ACTIVE" if n % 10 else "ARCHIVED",
            "IsCustomer": n % 3 != 0,
            "IsSupplier": n % 3 == 0,
        }
        for n in range(CONTACTS)
    ]
    mirror.contacts_upsert(tenant, contacts)
    print(f"  mirrored {CONTACTS:,} contacts")
    url = f"/w/{workspace.pk}/o/{tenant.pk}/invoices/contacts/"
    trivial_url = f"/bench/trivial/{workspace.pk}/"
    with override_settings(ROOT_URLCONF="bench.invoice_list", ALLOWED_HOSTS=["testserver"]):
        answer = http.get(url, {"contact_name": "sum", "type": "ACCREC"})
        assert answer.status_code == 200
        assert answer.content.count(b'role="option"') == 20
        for name, typed in (("prefix", "sum"), ("contains", "0421"), ("empty", "")):
            compare(
                f"contact_picker_{name}_10k_vs_trivial_page",
                picker(http, url, typed),
                lambda: http.get(trivial_url),
                comparison="<=",
                target=3.0,
            )


def picker(http: HttpClient, url: str, typed: str) -> Callable[[], object]:
    return lambda: http.get(url, {"contact_name": typed, "type": "ACCREC"})
