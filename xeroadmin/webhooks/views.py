"""The receiver Xero posts to, and the admins' delivery log with its checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from xeroadmin.connections.access import app_for
from xeroadmin.connections.models import XeroApp
from xeroadmin.connections.services import webhook_url
from xeroadmin.lib.http import HtmxHttpRequest
from xeroadmin.tenancy.access import workspace_membership
from xeroadmin.tenancy.models import Membership, Role
from xeroadmin.webhooks import checks, processing, receiving
from xeroadmin.webhooks.models import WebhookCounter, WebhookDelivery, WebhookEvent


def _empty(status: int) -> HttpResponse:
    # Xero's rules: no body, no cookie. Nothing here touches the session or the CSRF token.
    response = HttpResponse(b"", status=status)
    del response["Content-Type"]
    return response


# Xero documents no largest delivery and retries a refused one for a day before disabling the
# subscription; a burst of 10,000 events is about 2.5 MB. A signed delivery is taken up to this
# size (far past Django's 2.5 MB for forms), its signature checked over the raw bytes.
MAX_DELIVERY = 25 * 1024 * 1024


def _receive(request: HttpRequest, app: XeroApp | None, key: str) -> HttpResponse:
    if request.method != "POST":
        return _empty(405)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _empty(400)
    if length > MAX_DELIVERY:
        return _empty(413)
    # Read from the stream: `request.body` would stop at DATA_UPLOAD_MAX_MEMORY_SIZE.
    body = request.read(MAX_DELIVERY + 1)
    if len(body) > MAX_DELIVERY:
        return _empty(413)
    signature = request.headers.get("x-xero-signature", "")
    if not signature or not receiving.signature_valid(body, signature, key):
        receiving.rejected_count(receiving.counter_scope(app))
        return _empty(401)
    receiving.delivery_store(app=app, body=body)
    return _empty(200)


@csrf_exempt
def receive_default(request: HttpRequest) -> HttpResponse:
    """The deployment's app delivers here (with XERO_WEBHOOK_KEY set)."""
    if not settings.XERO_WEBHOOK_KEY:
        return _empty(404)
    return _receive(request, None, settings.XERO_WEBHOOK_KEY)


@csrf_exempt
def receive_app(request: HttpRequest, token: str) -> HttpResponse:
    """A workspace's own app delivers to its own URL, checked with its own key."""
    app = XeroApp.objects.filter(webhook_token=token).first()
    if app is None or not app.webhook_key:
        return _empty(404)
    return _receive(request, app, app.webhook_key)


# ------------------------------------------------------------------ the delivery log


def _deliveries(membership: Membership) -> Any:
    """Deliveries this workspace may see: its own apps', and those with events for its
    organisations (counting only those events: a shared app's payload is not shown whole)."""
    ws = membership.workspace_id
    mine = Q(items__workspace_id=ws)
    return (
        WebhookDelivery.objects.filter(
            Q(app__workspace_id=ws)
            | Exists(WebhookEvent.objects.filter(delivery=OuterRef("pk"), workspace_id=ws))
        )
        .select_related("app")
        .annotate(
            mine=Count("items", filter=mine),
            recorded=Count("items", filter=mine & Q(items__status=WebhookEvent.Status.DONE)),
            failed=Count("items", filter=mine & Q(items__status=WebhookEvent.Status.FAILED)),
        )
        .order_by("-received_at", "-pk")
    )


def _endpoints(membership: Membership) -> list[dict[str, Any]]:
    counters = dict(WebhookCounter.objects.values_list("scope", "rejected"))
    endpoints: list[dict[str, Any]] = []
    if settings.XERO_WEBHOOK_KEY:
        endpoints.append(
            {
                "app": None,
                "name": "xeroadmin (this deployment's app)",
                "url": webhook_url(None),
                "ready": True,
                "rejected": None,  # shared by every workspace: not theirs to see
            }
        )
    for app in XeroApp.objects.filter(workspace_id=membership.workspace_id).order_by("name"):
        endpoints.append(
            {
                "app": app,
                "name": app.name,
                "url": webhook_url(app),
                "ready": bool(app.webhook_key),
                "rejected": counters.get(receiving.counter_scope(app), 0),
            }
        )
    return endpoints


@login_required
@require_GET
def delivery_list(request: HtmxHttpRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    page = Paginator(_deliveries(membership), 25).get_page(request.GET.get("page"))
    context = {"page": page, "endpoints": _endpoints(membership)}
    if request.htmx and request.htmx.target == "delivery-log":
        return render(request, "webhooks/delivery_list.html#delivery-log", context)
    return render(request, "webhooks/delivery_list.html", context)


@login_required
@require_GET
def delivery_detail(request: HttpRequest, ws: int, delivery_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    delivery = get_object_or_404(_deliveries(membership), pk=delivery_id)
    events = (
        WebhookEvent.objects.filter(delivery=delivery)
        .filter(workspace_id=ws)
        .select_related("tenant", "activity")
        .order_by("pk")[:500]
    )
    return render(
        request, "webhooks/delivery_detail.html", {"delivery": delivery, "events": events}
    )


@login_required
@require_POST
def delivery_retry(request: HttpRequest, ws: int, delivery_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    delivery = get_object_or_404(_deliveries(membership), pk=delivery_id)
    reopened = processing.delivery_retry(delivery=delivery, workspace_id=ws)
    messages.success(
        request,
        f"Retrying {reopened} failed event{'s' if reopened != 1 else ''}; "
        "the log updates as it goes.",
    )
    return redirect("webhooks:delivery-detail", ws=ws, delivery_id=delivery.pk)


@login_required
@require_POST
def delivery_check(request: HtmxHttpRequest, ws: int) -> HttpResponse:
    """ "Send test delivery": sign a payload with the app's key, post it to the app's URL."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    app_id = request.POST.get("app", "")
    if app_id:
        if not app_id.isdigit():
            return render(request, "webhooks/partials/check.html", {"error": "Unknown app."})
        app: XeroApp | None = app_for(membership, int(app_id))
        if not app.webhook_key:  # type: ignore[union-attr]
            error = "Save the app's webhook key first: it is what signs the deliveries."
            return render(request, "webhooks/partials/check.html", {"error": error})
    else:
        app = None
        if not settings.XERO_WEBHOOK_KEY:
            error = "This deployment has no webhook key (XERO_WEBHOOK_KEY)."
            return render(request, "webhooks/partials/check.html", {"error": error})
    verdicts = checks.delivery_check(app)
    context = {
        "verdicts": verdicts,
        "passed": all(v.passed for v in verdicts),
        "url": webhook_url(app),
    }
    if not request.htmx:
        if context["passed"]:
            messages.success(request, "Test delivery passed: Xero's check would pass too.")
        else:
            problems = "; ".join(p for v in verdicts for p in v.problems)
            messages.error(request, f"Test delivery failed: {problems}")
        return redirect("webhooks:delivery-list", ws=ws)
    return render(request, "webhooks/partials/check.html", context)
