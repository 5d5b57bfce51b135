"""Alert tasks: thin entry points that take ids and call the engine, the mail and delivery."""

from __future__ import annotations

import smtplib

from celery import shared_task

from xeroadmin.alerts import delivery, engine, mail
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.models import Workspace


@shared_task
def alerts_evaluate(tenant_id: int) -> int:
    tenant = Tenant.objects.select_related("grant").filter(pk=tenant_id).first()
    return engine.tenant_evaluate(tenant) if tenant is not None else 0


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def alert_fan_out(alert_id: int) -> int:
    """An alert just raised: its e-mails now, and its channel deliveries."""
    sent = mail.alert_email_now(alert_id)
    deliveries_send.delay()
    return sent


@shared_task
def deliveries_send() -> int:
    """Every delivery that is due, one attempt each."""
    return sum(delivery.delivery_send(pk) != "skipped" for pk in delivery.deliveries_due())


@shared_task
def delivery_retry(delivery_id: int) -> str:
    return delivery.delivery_send(delivery_id)


@shared_task
def alerts_workspace(workspace_id: int) -> int:
    """Every rule of one workspace, worked out now (a rule was made or changed)."""
    raised = 0
    for tenant in Tenant.objects.filter(workspace_id=workspace_id).select_related("grant"):
        raised += engine.tenant_evaluate(tenant)
    return raised + engine.clients_evaluate(workspace_id)


@shared_task
def alerts_sweep() -> int:
    """What time moves on by itself: every workspace's rules (a task each), deliveries due a
    retry, digests due."""
    workspaces = list(Workspace.objects.values_list("pk", flat=True))
    for workspace_id in workspaces:  # one task each, so a large practice is shared out
        alerts_workspace.delay(workspace_id)
    deliveries_send.delay()
    mail.digests_send()
    return len(workspaces)
