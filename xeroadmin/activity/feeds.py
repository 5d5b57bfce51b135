"""A feed page: filters in the URL, links to each entry's record, new entries pushed to the top
while the page is open, and a CSV of what is filtered. Shared by the workspace's feed (all
clients at once) and each organisation's."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.lib.csvs import csv_response
from xeroadmin.tenancy.models import Client, Membership

PAGE = 50
CSV_LIMIT = 100_000

CATEGORIES = [
    ("", "All kinds"),
    ("invoice", "Invoices"),
    ("contact", "Contacts"),
    ("creditnote", "Credit notes"),
    ("payment", "Payments"),
    ("item", "Items"),
    ("account", "Accounts"),
    ("sync", "Syncs"),
    ("connection", "Connections"),
    ("mapping", "Org mapping"),
    ("console", "Raw requests"),
    ("subscription", "Subscriptions"),
]

# Where an entry's record lives: (its `type`, the model's import path, the page's URL name).
LINKED = {
    "invoice": ("xeroadmin.books.models.Invoice", "books:invoice-detail"),
    "contact": ("xeroadmin.books.models.Contact", "books:contact-detail"),
    "item": ("xeroadmin.books.models.Item", "books:item-detail"),
    "account": ("xeroadmin.books.models.Account", "books:account-detail"),
    "payment": ("xeroadmin.books.models.Payment", "books:payment-detail"),
}


class _PersonField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(empty_label="Anyone", **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.email)


class FeedFilterForm(forms.Form):
    source = forms.ChoiceField(
        required=False, choices=[("", "All sources"), *ActivityEvent.Source.choices]
    )
    category = forms.ChoiceField(required=False, choices=CATEGORIES, label="Kind")
    # Querysets (set per member), so that a live top-up filtering by neither reads neither.
    actor = _PersonField(queryset=User.objects.none(), required=False, label="Who")
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label="All clients"
    )
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, actors: QuerySet[Any], clients: QuerySet[Any] | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        actor = self.fields["actor"]
        assert isinstance(actor, forms.ModelChoiceField)
        actor.queryset = actors
        if clients is None:
            del self.fields["client"]
        else:
            client = self.fields["client"]
            assert isinstance(client, forms.ModelChoiceField)
            client.queryset = clients

    def apply(self, events: QuerySet[ActivityEvent]) -> QuerySet[ActivityEvent]:
        """The filters that are valid; an invalid one is shown as an error and left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("source"):
            events = events.filter(source=data["source"])
        if data.get("category"):
            events = events.filter(category=data["category"])
        if data.get("actor"):
            events = events.filter(actor=data["actor"])
        if data.get("client"):
            events = events.filter(client=data["client"])
        zone = timezone.get_current_timezone()
        if data.get("date_from"):
            start = datetime.combine(data["date_from"], time.min, tzinfo=zone)
            events = events.filter(created_at__gte=start)
        if data.get("date_to"):
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=zone)
            events = events.filter(created_at__lt=end)
        return events

    def date_fields(self) -> list[tuple[str, str, Any]]:
        """(name, label, valid value) of the date filters, for the Dates menu."""
        data = getattr(self, "cleaned_data", {})
        return [(n, str(self.fields[n].label), data.get(n)) for n in ("date_from", "date_to")]

    def choice_fields(self) -> list[Any]:
        """The bound fields shown as menus in the filter bar (every one but the dates)."""
        return [self[name] for name in self.fields if not name.startswith("date_")]


def visible(events: QuerySet[ActivityEvent], membership: Membership) -> QuerySet[ActivityEvent]:
    """What of the workspace's activity this member may see: a member limited to some
    clients sees only entries about those clients and their organisations."""
    events = events.filter(workspace_id=membership.workspace_id)
    if membership.limited and not membership.can_admin:
        clients = membership.clients.values("pk")
        events = events.filter(Q(client_id__in=clients) | Q(tenant__client_id__in=clients))
    return events


def links(events: list[ActivityEvent], ws: int) -> dict[int, str]:
    """{entry pk: the URL of its record}, one query per kind of record on the page."""
    from django.utils.module_loading import import_string

    wanted: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for event in events:
        kind, record = (event.data or {}).get("type"), (event.data or {}).get("record")
        if event.tenant_id and kind in LINKED and isinstance(record, str) and record:
            wanted[kind].add((event.tenant_id, record))
    found: dict[tuple[str, int, str], int] = {}
    for kind, pairs in wanted.items():
        model = import_string(LINKED[kind][0])
        rows = model.objects.filter(
            tenant_id__in={t for t, _ in pairs}, xero_id__in={r for _, r in pairs}
        ).values_list("tenant_id", "xero_id", "pk")
        for tenant_id, xero_id, pk in rows:
            found[(kind, tenant_id, xero_id)] = pk
    urls = {}
    for event in events:
        kind, record = (event.data or {}).get("type"), (event.data or {}).get("record")
        own = (event.data or {}).get("url")
        if isinstance(own, str) and own.startswith("/") and not own.startswith("//"):
            urls[event.pk] = own  # an entry about something of the workspace's (a bulk job)
            continue
        pk = found.get((kind, event.tenant_id, record)) if event.tenant_id else None  # type: ignore[arg-type]
        if pk is not None:
            urls[event.pk] = reverse(LINKED[str(kind)][1], args=[ws, event.tenant_id, pk])
        elif event.tenant_id:
            urls[event.pk] = reverse("books:organisation-home", args=[ws, event.tenant_id])
    return urls


def feed_response(
    request: HttpRequest,
    events: QuerySet[ActivityEvent],
    *,
    membership: Membership,
    template: str,
    context: dict[str, Any],
    clients: QuerySet[Any] | None,
) -> HttpResponse | StreamingHttpResponse:
    """The feed page, its live top-up (`?after=`), an older page (`?before=`), or its CSV."""
    actors = User.objects.filter(memberships__workspace_id=membership.workspace_id).order_by(
        "email"
    )
    form = FeedFilterForm(request.GET or None, actors=actors, clients=clients)
    events = form.apply(events).select_related("tenant", "client")
    if request.GET.get("format") == "csv":
        return _csv(events)
    query = request.GET.copy()
    for key in ("after", "before", "format"):
        query.pop(key, None)
    after = _int(request.GET.get("after"))
    if after is not None:
        # The live top-up: entries newer than the newest shown; nothing new, nothing swapped.
        fresh = list(events.filter(pk__gt=after).order_by("-pk")[:PAGE])
        if not fresh:
            return HttpResponse(status=204)
        rows = {**context, "entries": fresh, "links": links(fresh, membership.workspace_id)}
        poll = {"newest": fresh[0].pk, "query": query.urlencode(), "oob": True}
        return render(request, "activity/partials/feed_rows.html", {**rows, **poll})
    before = _int(request.GET.get("before"))
    if before is not None:
        events = events.filter(pk__lt=before)
    entries = list(events.order_by("-pk")[: PAGE + 1])
    more, entries = len(entries) > PAGE, entries[:PAGE]
    newest = entries[0].pk if entries else 0
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "date_fields": form.date_fields(),
            "any_dates": any(value for _, _, value in form.date_fields()),
            "entries": entries,
            "links": links(entries, membership.workspace_id),
            "older": entries[-1].pk if more else None,
            "newest": newest,
            "live": before is None,
            "query": query.urlencode(),
            "filtered": any(v for k, v in query.items() if k != "page"),
        },
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _csv(events: QuerySet[ActivityEvent]) -> StreamingHttpResponse:
    header = ["Time (UTC)", "Organisation", "Client", "Source", "Kind", "Action", "Who", "Summary"]
    rows = (
        [
            event.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            event.tenant.name if event.tenant else "",
            event.client.name if event.client else "",
            event.get_source_display(),
            event.category,
            event.action,
            event.who,
            event.summary,
        ]
        for event in events.order_by("-pk")[:CSV_LIMIT].iterator(chunk_size=2000)
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(f"activity-{stamp}.csv", header, rows)
