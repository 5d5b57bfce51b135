"""The workspace's activity feed: every client's organisations at once."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from xeroadmin.activity.feeds import feed_response, visible
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.tenancy.access import visible_clients, workspace_membership


@login_required
@require_GET
def workspace_feed(request: HttpRequest, ws: int) -> HttpResponse | StreamingHttpResponse:
    membership = workspace_membership(request, ws)
    events = visible(ActivityEvent.objects.all(), membership)
    return feed_response(
        request,
        events,
        membership=membership,
        template="activity/workspace_feed.html",
        context={"show_org": True},
        clients=visible_clients(membership).order_by("name"),
    )
