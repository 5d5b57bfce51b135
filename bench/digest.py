"""A daily digest for a reader of 200 organisations (three alerts each that day, and fifty
more organisations' alerts the reader may no longer see), worked out and rendered, against a
trivial page through the same middleware and base template, in one process."""

from __future__ import annotations

from datetime import timedelta

from django.test.utils import override_settings
from django.utils import timezone

from bench.harness import compare, member_workspace

SEEN, HIDDEN, EACH = 200, 50, 3


def run() -> None:
    from xeroadmin.alerts import mail
    from xeroadmin.alerts.models import Alert, Notification, Rule
    from xeroadmin.connections.models import Tenant
    from xeroadmin.tenancy.models import Client, Membership, Role

    _, workspace, http = member_workspace("bench-digest@example.com", "Bench Digest")
    reader_user, _, _ = member_workspace("bench-reader@example.com", "Reader's own")
    reader = Membership.objects.create(
        workspace=workspace, user=reader_user, role=Role.FINANCE, limited=True
    )
    clients = Client.objects.bulk_create(
        [Client(workspace=workspace, name=f"Client {n:03d}") for n in range(SEEN + HIDDEN)]
    )
    reader.clients.set(clients[:SEEN])
    tenants = Tenant.objects.bulk_create(
        [
            Tenant(workspace=workspace, tenant_id=f"dg-{n}", name=f"Books {n:03d}", client=c)
            for n, c in enumerate(clients)
        ]
    )
    rule = Rule.objects.create(
        workspace=workspace, owner=reader, condition="bill_awaiting", email=Rule.Email.DAILY
    )
    now = timezone.now()
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                workspace=workspace,
                rule=rule,
                tenant=tenant,
                client_id=tenant.client_id,
                summary=f"Bill INV-{n:04d} from Supplier {i} (NZ$1,234.00) is waiting for "
                f"approval in {tenant.name}",
                url=f"/w/{workspace.pk}/o/{tenant.pk}/invoices/{n}/",
                created_at=now - timedelta(hours=n % 20),
            )
            for n, tenant in enumerate(tenants)
            for i in range(EACH)
        ]
    )
    Notification.objects.bulk_create(
        [
            Notification(alert=a, member=reader, email=Rule.Email.DAILY, created_at=a.created_at)
            for a in alerts
        ]
    )
    digest, settled = mail.digest_for(reader, "daily", now=now)
    assert digest.count == SEEN * EACH, digest.count
    assert len(settled) == (SEEN + HIDDEN) * EACH
    print(f"  {digest.count} alerts over {len(digest.places)} organisations")

    def digest_rendered() -> object:
        return mail.render_digest(mail.digest_for(reader, "daily", now=now)[0])

    with override_settings(ROOT_URLCONF="bench.invoice_list", ALLOWED_HOSTS=["testserver"]):
        compare(
            "daily_digest_200_orgs_vs_trivial_page",
            digest_rendered,
            lambda: http.get(f"/bench/trivial/{workspace.pk}/"),
            comparison="<=",
            target=3.0,
            rounds=7,
            repeat=5,
        )
