"""The quick switcher (Ctrl/⌘-K, and the "Jump to" box): any organisation, client or page of
the workspace the member may see, and any invoice, contact or item of those organisations
(`search`), found by typing; a page of its own without JavaScript."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.books.access import organisation_list
from xeroadmin.lib.csvs import csv_response
from xeroadmin.portfolio import checks
from xeroadmin.portfolio import findings as findings_module
from xeroadmin.portfolio.forms import CheckSettingsForm
from xeroadmin.portfolio.models import KINDS, RECORD_OF
from xeroadmin.portfolio.search import search
from xeroadmin.portfolio.tasks import checks_run
from xeroadmin.tenancy.access import WorkspaceRequest, visible_clients, workspace_membership
from xeroadmin.tenancy.models import Membership, Role

ORGANISATIONS = 8
# What a bulk job can do to the records of ticked findings.
BULK_ACTIONS = (
    ("approve", "Approve the drafts"),
    ("delete", "Delete the drafts"),
    ("email", "E-mail the invoices"),
    ("archive", "Archive the contacts"),
)
CLIENTS = 5
# The workspace's pages: (label, URL name, admins only).
PAGES = (
    ("Overview", "tenancy:workspace-detail", False),
    ("Organisations", "books:organisation-list", False),
    ("Clients", "tenancy:client-list", False),
    ("Bulk jobs", "bulk:job-list", False),
    ("Activity", "activity:workspace-feed", False),
    ("Alerts", "alerts:rule-list", False),
    ("Notifications", "alerts:notification-list", False),
    ("Connections", "connections:tenant-list", True),
    ("Webhook deliveries", "webhooks:delivery-list", True),
    ("Members", "tenancy:member-list", True),
    ("Settings", "tenancy:workspace-settings", True),
)


class Destination(NamedTuple):
    url: str
    label: str
    detail: str  # what it is: "Organisation · Client A", "Client", "Page"


def destinations(membership: Membership, text: str) -> list[Destination]:
    """Where the text typed could take the member: organisations by their name or their
    client's, then clients, then pages; with nothing typed, the pages and the first
    organisations."""
    term = " ".join(text.split())
    ws = membership.workspace_id
    found: list[Destination] = []
    organisations = organisation_list(membership)
    if term:
        organisations = organisations.filter(
            Q(name__icontains=term) | Q(client__name__icontains=term)
        )
    for tenant in organisations[:ORGANISATIONS]:
        where = f"Organisation · {tenant.client.name}" if tenant.client else "Organisation"
        url = reverse("books:organisation-home", args=[ws, tenant.pk])
        found.append(Destination(url, tenant.name, where))
    if term:
        clients = visible_clients(membership).filter(name__icontains=term).order_by("name")
        for client in clients[:CLIENTS]:
            url = reverse("tenancy:client-detail", args=[ws, client.pk])
            found.append(Destination(url, client.name, "Client"))
    pages = [
        Destination(reverse(name, args=[ws]), label, "Page")
        for label, name, admins in PAGES
        if (membership.can_admin or not admins) and term.lower() in label.lower()
    ]
    return pages + found if not term else found + pages


@login_required
@require_GET
def jump(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    query = request.GET.get("q", "")[:100]
    context = {
        "found": destinations(membership, query),
        "places": search(membership, query),
        "query": query.strip(),
        "listbox": "jump-options",
    }
    if request.htmx:
        return render(request, "portfolio/jump_options.html", context)
    return render(request, "portfolio/jump.html", context)


@login_required
@require_GET
def finding_list(request: WorkspaceRequest, ws: int) -> HttpResponse | StreamingHttpResponse:
    """The needs-attention queue, filtered by client, kind and "mine" (in the URL), or its CSV."""
    membership = workspace_membership(request, ws)
    findings = findings_module.queue(membership)
    client, kind = request.GET.get("client", ""), request.GET.get("kind", "")
    if client.isdigit():
        findings = findings.filter(tenant__client_id=int(client))
    if kind in KINDS:
        findings = findings.filter(kind=kind)
    if request.GET.get("mine") == "on":
        findings = findings.filter(assignee=membership)
    findings = findings.order_by("tenant__client__name", "tenant__name", "kind", "pk")
    if request.GET.get("format") == "csv":
        return _findings_csv(findings)
    rows = list(findings[:500])
    members = (
        Membership.objects.filter(workspace_id=ws).select_related("user").order_by("user__email")
    )
    context = {
        "findings": rows,
        "more": len(rows) == 500,
        "kinds": [(key, label) for key, (label, _) in KINDS.items()],
        "clients": visible_clients(membership).order_by("name"),
        "members": members,
        "chosen": {"client": client, "kind": kind, "mine": request.GET.get("mine") == "on"},
        "query": request.GET.urlencode(),
        "today": timezone.localdate(),
        "can_act": membership.has_role(Role.FINANCE),
        "record_kinds": RECORD_OF,
        "bulk_actions": BULK_ACTIONS,
    }
    return render(request, "portfolio/findings.html", context)


def _findings_csv(findings: Any) -> StreamingHttpResponse:
    header = ["Client", "Organisation", "Kind", "Finding", "State", "Assigned to", "First seen"]
    rows = (
        [
            f.tenant.client.name if f.tenant.client else "",
            f.tenant.name,
            f.get_kind_display(),
            f.summary,
            f.get_state_display(),
            f.assignee.user.email if f.assignee else "",
            f.first_seen.strftime("%Y-%m-%d %H:%M"),
        ]
        for f in findings.iterator(chunk_size=500)
    )
    return csv_response("needs-attention.csv", header, rows)


@login_required
@require_POST
def finding_act(request: WorkspaceRequest, ws: int, finding_id: int) -> HttpResponse:
    """Dismiss (with a reason), snooze (until a day) or assign one finding."""
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    finding = get_object_or_404(findings_module.queue(membership), pk=finding_id)
    action = request.POST.get("action", "")
    if action == "dismiss":
        findings_module.dismiss(
            finding, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
        messages.success(
            request, "Dismissed. It comes back only if what it was found from changes."
        )
    elif action == "snooze":
        until = parse_date(request.POST.get("until", "") or "")
        if until is None or until <= timezone.localdate():
            messages.error(request, "Choose a day after today to snooze it until.")
        else:
            findings_module.snooze(finding, actor=request.user, until=until)
            messages.success(request, f"Snoozed until {until.day} {until:%b %Y}.")
    elif action == "assign":
        chosen = request.POST.get("member", "")
        member = (
            Membership.objects.filter(workspace_id=ws, pk=int(chosen)).first()
            if chosen.isdigit()
            else None
        )
        if chosen and member is None:
            messages.error(request, "That person is not a member of this workspace.")
        else:
            findings_module.assign(finding, actor=request.user, member=member)
            messages.success(request, f"Assigned to {member.user.email if member else 'nobody'}.")
    else:
        messages.error(request, "Choose dismiss, snooze or assign.")
    back = reverse("portfolio:finding-list", args=[ws])
    query = request.POST.get("query", "")
    return redirect(f"{back}?{query}" if query else back)


@login_required
@require_http_methods(["GET", "POST"])
def check_settings(request: WorkspaceRequest, ws: int) -> HttpResponse:
    """The checks' thresholds and weights (admins); saving re-runs the checks."""
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    instance = checks.settings_for(ws)
    form = CheckSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        for tenant in organisation_list(membership).select_related("grant"):
            checks_run.delay(tenant.pk)
        messages.success(request, "Settings saved; the checks run again with them shortly.")
        return redirect("portfolio:check-settings", ws=ws)
    status = 400 if request.method == "POST" else 200
    return render(request, "portfolio/check_settings.html", {"form": form}, status=status)
