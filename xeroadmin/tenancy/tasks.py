"""Background work for tenancy: invitation e-mails."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from xeroadmin.tenancy.models import Invitation

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
)
def invitation_send(invitation_id: int) -> bool:
    """E-mail an invitation's link; idempotent, so a redelivered message sends nothing twice."""
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(pk=invitation_id, sent_at__isnull=True)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return False
    url = settings.SITE_URL + reverse("tenancy:invitation-accept", args=[invitation.token])
    context = {"invitation": invitation, "url": url}
    send_mail(
        subject=f"[xeroadmin] You are invited to {invitation.workspace.name}",
        message=render_to_string("tenancy/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    logger.info("Sent invitation %s", invitation.pk)
    return True
