"""The quick switcher (Ctrl/⌘-K, and the "Jump to" box): any organisation, client or page of
the workspace the member may see, and any invoice, contact or item of those organisations
(`search`), found by typing; a page of its own without JavaScript."""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from xeroadmin.books.access import organisation_list
from xeroadmin.portfolio.search import search
from xeroadmin.tenancy.access import WorkspaceRequest, visible_clients, workspace_membership
from xeroadmin.tenancy.models import Membership

ORGANISATIONS = 8
CLIENTS = 5
# The workspace's pages: (label, URL name, admins only).
PAGES = (
    ("Overview", "tenancy:workspace-detail", False),
    ("Organisations", "books:organisation-list", False),
    ("Clients", "tenancy:client-list", False),
    ("Activity", "activity:workspace-feed", False),
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
