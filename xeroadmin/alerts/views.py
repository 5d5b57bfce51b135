"""Rules and notifications' pages: the rules (the workspace's and one's own), channels with
their delivery logs, and the notification centre behind the bell."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.alerts import services
from xeroadmin.alerts.forms import ChannelForm, RuleForm
from xeroadmin.alerts.models import Channel, Notification, Rule
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.access import WorkspaceRequest, visible_clients, workspace_membership
from xeroadmin.tenancy.models import Client, Membership, Role


def rules_of(membership: Membership) -> QuerySet[Rule]:
    """The workspace's rules and the member's own subscriptions; for a member limited to some
    clients, none that names a client or organisation they may not see."""
    rules = Rule.objects.filter(
        Q(owner__isnull=True) | Q(owner=membership), workspace_id=membership.workspace_id
    )
    if membership.limited and not membership.can_admin:
        seen = visible_clients(membership)
        rules = rules.exclude(clients__in=Client.objects.exclude(pk__in=seen.values("pk")))
        rules = rules.exclude(
            tenants__in=Tenant.objects.filter(workspace_id=membership.workspace_id).exclude(
                client__in=seen.values("pk")
            )
        )
    return rules.prefetch_related("clients", "tenants", "channels")


def rule_for(membership: Membership, rule_id: int, *, write: bool) -> Rule:
    """A rule the member may see; to change it: their own, or (admins) the workspace's."""
    rule = get_object_or_404(rules_of(membership), pk=rule_id)
    if write and rule.owner_id is None and not membership.can_admin:
        raise PermissionDenied("Only admins change the workspace's rules.")
    return rule


@login_required
@require_GET
def rule_list(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    rules = list(rules_of(membership))
    channels = Channel.objects.filter(workspace_id=ws) if membership.can_admin else []
    context = {
        "workspace_rules": [r for r in rules if r.owner_id is None],
        "my_rules": [r for r in rules if r.owner_id is not None],
        "channels": channels,
    }
    return render(request, "alerts/rule_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """A subscription of one's own, or (admins, `?for=workspace`) a workspace rule."""
    workspace_rule = (request.POST or request.GET).get("for") == "workspace"
    membership = workspace_membership(
        request, ws, role=Role.ADMIN if workspace_rule else Role.VIEWER
    )
    form = RuleForm(request.POST or None, membership=membership, workspace_rule=workspace_rule)
    return _rule_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: WorkspaceRequest, ws: int, rule_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    rule = rule_for(membership, rule_id, write=request.method == "POST")
    workspace_rule = rule.owner_id is None
    form = RuleForm(
        request.POST or None, instance=rule, membership=membership, workspace_rule=workspace_rule
    )
    if request.method == "POST" and "delete" in request.POST:
        services.rule_delete(rule=rule)
        messages.success(request, "Deleted.")
        return redirect("alerts:rule-list", ws=ws)
    return _rule_page(request, form, rule)


def _rule_page(request: WorkspaceRequest, form: RuleForm, rule: Rule | None) -> HttpResponse:
    """Save a posted rule form and go back to the list, or show the form (with its errors)."""
    if request.method == "POST" and form.is_valid():
        services.rule_save(form=form, actor=request.user)
        messages.success(request, "Saved. It is watched from now on.")
        return redirect("alerts:rule-list", ws=form.membership.workspace_id)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "workspace_rule": form.workspace_rule, "rule": rule}
    return render(request, "alerts/rule_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def channel_new(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Add a channel (admins). A webhook's signing secret is shown on the answer, once."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        channel = services.channel_create(form=form, membership=membership, actor=request.user)
        messages.success(request, f"Added {channel.name}.")
        context = _channel_context(channel) | {"secret": channel.secret}
        return render(request, "alerts/channel_detail.html", context, status=201)
    status = 400 if request.method == "POST" else 200
    return render(request, "alerts/channel_form.html", {"form": form}, status=status)


def _channel_context(channel: Channel, page: str | None = None) -> dict[str, object]:
    deliveries = channel.deliveries.order_by("-created_at", "-pk")
    return {"channel": channel, "page": Paginator(deliveries, 50).get_page(page)}


@login_required
@require_http_methods(["GET", "POST"])
def channel_detail(request: WorkspaceRequest, ws: int, channel_id: int) -> HttpResponse:
    """A channel's delivery log; POST: send a test, or delete it."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    channel = get_object_or_404(Channel, pk=channel_id, workspace_id=membership.workspace_id)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.channel_delete(channel=channel)
            messages.success(request, f"Removed {channel.name}; rules no longer send to it.")
            return redirect("alerts:rule-list", ws=ws)
        services.channel_test(channel=channel, actor=request.user)
        messages.success(request, "A test is on its way; its outcome shows below in a moment.")
        return redirect("alerts:channel-detail", ws=ws, channel_id=channel.pk)
    context = _channel_context(channel, request.GET.get("page"))
    if request.htmx:
        return render(request, "alerts/channel_detail.html#delivery-log", context)
    return render(request, "alerts/channel_detail.html", context)


@login_required
@require_GET
def notification_list(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    mine = (
        Notification.objects.filter(member=membership, in_app=True)
        .select_related("alert__tenant", "alert__client")
        .order_by("-created_at", "-pk")
    )
    if request.GET.get("show") == "unread":
        mine = mine.filter(read_at__isnull=True)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    context = {"page": page, "unread_only": request.GET.get("show") == "unread"}
    return render(request, "alerts/notification_list.html", context)


@require_GET
def bell(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """The bell again, for its once-a-minute look. Signed out: 204, so the page keeps the bell
    it has (a redirect to the sign-in page would be swapped into it); the page's script lets
    the bell's other failures pass quietly."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    workspace_membership(request, ws)
    return render(request, "alerts/bell.html")


@login_required
@require_POST
def notification_read(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """Mark one notification read (`notification`), or every one."""
    membership = workspace_membership(request, ws)
    chosen = request.POST.get("notification", "")
    services.notifications_read(
        member=membership, notification_id=int(chosen) if chosen.isdigit() else None
    )
    if request.htmx:
        return notification_list(request, ws)
    return redirect("alerts:notification-list", ws=ws)
