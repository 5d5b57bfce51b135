"""The data-health checks: each planted problem found, none on clean books, and the queue's
dismiss, snooze and assign (a dismissed finding comes back only when its inputs change)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from tests.conftest import Cast
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books import mirror
from xeroadmin.connections.models import Tenant
from xeroadmin.portfolio import checks
from xeroadmin.portfolio.models import KINDS, Finding
from xeroadmin.sandbox.plant import KINDS as PLANTED_KINDS  # the kinds the books can show

pytestmark = pytest.mark.django_db


def invoice(key: str, **fields) -> dict:
    today = timezone.localdate()
    record = {
        "InvoiceID": key,
        "Type": "ACCREC",
        "InvoiceNumber": key.upper(),
        "Contact": {"ContactID": "c-good", "Name": "Good Customer Ltd"},
        "Date": (today - timedelta(days=5)).isoformat(),
        "DueDate": (today + timedelta(days=10)).isoformat(),
        "Status": "AUTHORISED",
        "CurrencyCode": "NZD",
        "Total": "100",
        "AmountDue": "100",
    }
    return record | fields


def clean(cast: Cast, name: str = "Clean Co", client=None) -> Tenant:
    tenant = Tenant.objects.create(
        workspace=cast.workspace,
        tenant_id=f"t-{name}",
        name=name,
        client=client or cast.client_a,
        base_currency="NZD",
        last_synced_at=timezone.now(),
    )
    mirror.contacts_upsert(
        tenant,
        [
            {
                "ContactID": "c-good",
                "Name": "Good Customer Ltd",
                "EmailAddress": "a@b.example",
                "IsCustomer": True,
                "ContactStatus": "ACTIVE",
            },
            {
                "ContactID": "c-supplier",
                "Name": "Paper Supplies",
                "EmailAddress": "p@b.example",
                "IsSupplier": True,
                "ContactStatus": "ACTIVE",
            },
        ],
    )
    mirror.invoices_upsert(tenant, [invoice("inv-ok")])
    return tenant


def planted(cast: Cast) -> Tenant:
    tenant = clean(cast, "Messy Co")
    today = timezone.localdate()
    mirror.contacts_upsert(
        tenant,
        [
            {
                "ContactID": "c-mute",
                "Name": "Quiet Buyer",
                "EmailAddress": "",
                "IsCustomer": True,
                "ContactStatus": "ACTIVE",
            },
            {
                "ContactID": "c-dup1",
                "Name": "Harbour & Sons Limited",
                "ContactStatus": "ACTIVE",
                "EmailAddress": "h@s.example",
            },
            {
                "ContactID": "c-dup2",
                "Name": "harbour and sons ltd.",
                "ContactStatus": "ACTIVE",
                "EmailAddress": "h2@s.example",
            },
        ],
    )
    bill = {"Type": "ACCPAY", "Contact": {"ContactID": "c-supplier", "Name": "Paper Supplies"}}
    mirror.invoices_upsert(
        tenant,
        [
            invoice(
                "draft-old",
                Status="DRAFT",
                Date=(today - timedelta(days=45)).isoformat(),
                AmountDue="100",
            ),
            invoice(
                "late",
                DueDate=(today - timedelta(days=75)).isoformat(),
                Total="2500",
                AmountDue="2500",
            ),
            invoice("mute", Contact={"ContactID": "c-mute", "Name": "Quiet Buyer"}),
            invoice("bill-1", **bill, Reference="INV 77", Total="40", AmountDue="40"),
            invoice(
                "bill-2",
                **bill,
                Reference="inv 77",
                Total="40",
                AmountDue="40",
                Date=(today - timedelta(days=30)).isoformat(),
            ),
            invoice(
                "bill-big",
                **bill,
                Reference="B",
                Total="5000",
                AmountDue="5000",
                Date=(today - timedelta(days=90)).isoformat(),
            ),
        ],
    )
    tenant.last_synced_at = timezone.now() - timedelta(hours=3)
    tenant.save()
    return tenant


def kinds(tenant: Tenant) -> set[str]:
    return set(Finding.objects.filter(tenant=tenant, state="open").values_list("kind", flat=True))


def test_clean_books_find_nothing(cast: Cast) -> None:
    tenant = clean(cast)
    assert checks.run(tenant) == {"opened": 0, "reopened": 0, "resolved": 0}
    assert kinds(tenant) == set()


def test_every_planted_problem_is_found(cast: Cast) -> None:
    tenant = planted(cast)
    checks.run(tenant)
    assert kinds(tenant) == {*PLANTED_KINDS, "sync_stale"}
    late = Finding.objects.get(tenant=tenant, kind="long_overdue")
    assert "NZ$2,500.00 overdue by 75 days" in late.summary
    duplicate = Finding.objects.get(tenant=tenant, kind="duplicate_contact")
    assert "“Harbour & Sons Limited”" in duplicate.summary


def failed_event(tenant: Tenant, n: int, *, hours_ago: float = 1) -> None:
    from xeroadmin.webhooks.models import WebhookDelivery, WebhookEvent

    delivery = WebhookDelivery.objects.create(body=b"{}", status=WebhookDelivery.Status.FAILED)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        received_at=timezone.now() - timedelta(hours=hours_ago)
    )
    WebhookEvent.objects.create(
        delivery=delivery,
        workspace=tenant.workspace,
        tenant=tenant,
        key=f"k-{tenant.pk}-{n}",
        xero_tenant_id=tenant.tenant_id,
        category="INVOICE",
        event_type="UPDATE",
        resource_id=f"r-{n}",
        status=WebhookEvent.Status.FAILED,
    )


def test_webhook_events_that_failed_lately_are_a_finding(cast: Cast) -> None:
    tenant = clean(cast)
    failed_event(tenant, 1, hours_ago=30)  # too long ago to count
    checks.run(tenant)
    assert kinds(tenant) == set()
    failed_event(tenant, 2)
    failed_event(tenant, 3)
    checks.run(tenant)
    failing = Finding.objects.get(tenant=tenant, kind="webhooks_failing")
    assert "2 webhook events from Xero could not be processed" in failing.summary
    failing.state = Finding.State.DISMISSED
    failing.save()
    checks.run(tenant)
    failing.refresh_from_db()
    assert failing.state == Finding.State.DISMISSED
    failed_event(tenant, 4)  # a new failure brings it back
    assert checks.run(tenant)["reopened"] == 1


@pytest.mark.parametrize(
    ("one", "other", "strictness", "same"),
    [
        ("Acme Ltd", "ACME LIMITED", "exact", True),
        ("The Coffee Co.", "coffee co", "exact", True),
        ("Smith & Jones", "Smith and Jones", "exact", True),
        ("Acme Ltd", "Acme", "exact", False),
        ("Acme Ltd", "Acme", "loose", True),
        ("Acme Pty Ltd", "Acme Inc", "loose", True),
        ("Acme", "Apex", "loose", False),
    ],
)
def test_names_are_compared_normalised(one, other, strictness, same) -> None:
    assert (checks.normalised(one, strictness) == checks.normalised(other, strictness)) is same


def test_a_dismissed_finding_returns_only_when_its_inputs_change(cast: Cast) -> None:
    tenant = planted(cast)
    checks.run(tenant)
    late = Finding.objects.get(tenant=tenant, kind="long_overdue")
    late.state = Finding.State.DISMISSED
    late.save()
    checks.run(tenant)
    late.refresh_from_db()
    assert late.state == Finding.State.DISMISSED  # same inputs: stays dismissed
    today = timezone.localdate()
    mirror.invoices_upsert(
        tenant,
        [
            invoice(
                "late",
                DueDate=(today - timedelta(days=75)).isoformat(),
                Total="2500",
                AmountDue="1800",
            )
        ],
    )
    assert checks.run(tenant)["reopened"] == 1
    late.refresh_from_db()
    assert late.state == Finding.State.OPEN
    mirror.invoices_upsert(tenant, [invoice("late", Status="PAID", AmountDue="0")])
    assert checks.run(tenant)["resolved"] >= 1
    late.refresh_from_db()
    assert late.state == Finding.State.RESOLVED


def test_the_queue_dismiss_snooze_assign_and_csv(
    as_finance: HttpClient, as_viewer: HttpClient, cast: Cast
) -> None:
    tenant = planted(cast)
    checks.run(tenant)
    url = f"/w/{cast.workspace.pk}/attention/"
    page = as_finance.get(url).content.decode()
    assert "Needs attention" in page
    assert "overdue by 75 days" in page
    late = Finding.objects.get(tenant=tenant, kind="long_overdue")
    act = f"{url}{late.pk}/"
    assert as_viewer.post(act, {"action": "dismiss"}).status_code == 403
    answer = as_finance.post(act, {"action": "dismiss", "reason": "Payment plan agreed"})
    assert answer.status_code == 302
    late.refresh_from_db()
    assert (late.state, late.reason) == (Finding.State.DISMISSED, "Payment plan agreed")
    assert "overdue by 75 days" not in as_finance.get(url).content.decode()
    draft = Finding.objects.get(tenant=tenant, kind="stale_draft")
    day = timezone.localdate() + timedelta(days=7)
    as_finance.post(f"{url}{draft.pk}/", {"action": "snooze", "until": day.isoformat()})
    draft.refresh_from_db()
    assert (draft.state, draft.snoozed_until) == (Finding.State.SNOOZED, day)
    bad = as_finance.post(f"{url}{draft.pk}/", {"action": "snooze", "until": "yesterday"})
    assert bad.status_code == 404  # snoozed: no longer in the queue to act on
    mute = Finding.objects.get(tenant=tenant, kind="no_email")
    as_finance.post(f"{url}{mute.pk}/", {"action": "assign", "member": str(cast.finance.pk)})
    mute.refresh_from_db()
    assert mute.assignee == cast.finance
    mine = as_finance.get(url, {"mine": "on"}).content.decode()
    assert "Quiet Buyer" in mine
    assert "Paper Supplies" not in mine
    said = ActivityEvent.objects.filter(category="finding").values_list("action", flat=True)
    assert sorted(said) == ["assigned", "dismissed", "snoozed"]
    answer = as_finance.get(url, {"format": "csv"})
    csv = b"".join(answer.streaming_content).decode()  # type: ignore[attr-defined]
    assert csv.splitlines()[0].startswith("Client,Organisation,Kind,Finding")
    assert "Quiet Buyer" in csv


def test_a_limited_member_sees_only_their_clients_findings(
    as_limited: HttpClient, cast: Cast
) -> None:
    mine = planted(cast)
    theirs = clean(cast, "Other Co", client=cast.client_b)
    mirror.invoices_upsert(theirs, [invoice("d", Status="DRAFT", Date="2020-01-01")])
    checks.run(mine)
    checks.run(theirs)
    page = as_limited.get(f"/w/{cast.workspace.pk}/attention/").content.decode()
    assert ("Messy Co" in page) != ("Other Co" in page)
    other = (
        Finding.objects.filter(tenant__in=[mine, theirs])
        .exclude(tenant__client__limited_members=cast.limited)
        .first()
    )
    assert other is not None
    answer = as_limited.post(f"/w/{cast.workspace.pk}/attention/{other.pk}/", {"action": "dismiss"})
    assert answer.status_code == 404


def test_admins_set_the_thresholds_and_weights(
    as_admin: HttpClient, as_finance: HttpClient, cast: Cast
) -> None:
    url = f"/w/{cast.workspace.pk}/attention/settings/"
    assert as_finance.get(url).status_code == 403
    assert as_admin.get(url).status_code == 200
    data = {
        "draft_days": "10",
        "overdue_days": "30",
        "overdue_amount": "500",
        "duplicate_bill_days": "3",
        "attachment_amount": "250",
        "strictness": "loose",
        **{f"weight_{kind}": "5" for kind in KINDS},
    }
    bad = as_admin.post(url, data | {"weight_stale_draft": "900", "draft_days": "x"})
    assert bad.status_code == 400
    assert 'value="x"' in bad.content.decode()  # nothing typed is lost
    assert as_admin.post(url, data).status_code == 302
    rules = checks.settings_for(cast.workspace.pk)
    assert (rules.draft_days, rules.strictness, rules.weights["needs_reconnect"]) == (
        10,
        "loose",
        5,
    )
    assert checks.score(["needs_reconnect", "stale_draft"], checks.weights(rules)) == 90
