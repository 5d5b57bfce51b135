"""Org mapping: which of the workspace's clients each connected organisation belongs to.

Mapping follows the tenant id, so a rename in Xero keeps it. It is suggested by `matching`,
saved a page of the table at a time, or exported to CSV and imported back all at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q

from xeroadmin.accounts.models import User
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.services import activity_record
from xeroadmin.connections.matching import Matcher, Suggestion
from xeroadmin.connections.models import Tenant
from xeroadmin.tenancy.models import Client, Workspace

MAPPING = ActivityEvent.Category.MAPPING
NEW_CLIENT = "new"
NOT_MAPPED = "none"
CSV_HEADER = ["tenant_id", "organisation", "client", "client_reference"]
CSV_MAX_BYTES = 2 * 1024 * 1024
CSV_MAX_ROWS = 5000
MATCHERS_KEPT = 8
_MATCHERS: dict[str, Matcher] = {}


def suggestions(
    *, workspace: Workspace, tenants: Iterable[Tenant] | None = None
) -> dict[int, Suggestion | None]:
    """For each unmapped organisation (of `tenants`, else all), the client it most likely
    belongs to and how sure that is."""
    if tenants is None:
        tenants = Tenant.objects.filter(workspace=workspace, client__isnull=True)
    unmapped = [tenant for tenant in tenants if tenant.client_id is None]
    if not unmapped:
        return {}
    matcher = matcher_for(workspace)
    return {
        tenant.pk: matcher.suggest(tenant.name, tax_number=tenant.tax_number, email=tenant.email)
        for tenant in unmapped
    }


def matcher_for(workspace: Workspace) -> Matcher:
    """The workspace's clients indexed for suggestions, kept until any client changes."""
    clients = Client.objects.filter(workspace=workspace)
    state = clients.aggregate(count=Count("pk"), last=Max("updated_at"))
    last = state["last"].isoformat() if state["last"] else ""
    key = f"mapping-matcher:{workspace.pk}:{state['count']}:{last}"
    matcher = _MATCHERS.get(key) or cache.get(key)
    if not isinstance(matcher, Matcher):
        fields = ("pk", "name", "workspace_id", "tax_number", "email")
        matcher = Matcher(clients.only(*fields))
        cache.set(key, matcher, 24 * 3600)
    # The process keeps the last few too: the same page asked again skips reading the cache.
    _MATCHERS[key] = matcher
    while len(_MATCHERS) > MATCHERS_KEPT:
        _MATCHERS.pop(next(iter(_MATCHERS)))
    return matcher


def mapping_save(
    *, workspace: Workspace, actor: User, choices: dict[int, str]
) -> list[tuple[Tenant, Client | None]]:
    """Save rows of the mapping table at once. Each choice is a client id, "new" (create a
    client named after the organisation) or "" (unmapped). Returns the tenants that changed."""
    tenants = {t.pk: t for t in Tenant.objects.filter(workspace=workspace, pk__in=choices)}
    clients = {c.pk: c for c in Client.objects.filter(workspace=workspace)}
    planned: dict[int, Client | None] = {}
    with transaction.atomic():
        for tenant_pk, choice in choices.items():
            tenant = tenants.get(tenant_pk)
            if tenant is None:
                raise ValidationError("An organisation in the table no longer exists; reload.")
            if choice == NEW_CLIENT:
                planned[tenant_pk] = _client_named(workspace, tenant.name, clients)
            elif choice:
                client = clients.get(int(choice)) if choice.isdigit() else None
                if client is None:
                    raise ValidationError(f"Choose a client of this workspace for {tenant.name}.")
                planned[tenant_pk] = client
            else:
                planned[tenant_pk] = None
        return _apply(workspace, actor, [(tenants[pk], client) for pk, client in planned.items()])


def accept_exact(*, workspace: Workspace, actor: User) -> list[tuple[Tenant, Client | None]]:
    """Map every unmapped organisation whose suggestion is exact."""
    unmapped = list(Tenant.objects.filter(workspace=workspace, client__isnull=True))
    found = suggestions(workspace=workspace, tenants=unmapped)
    with transaction.atomic():
        rows = [
            (tenant, suggestion.client)
            for tenant in unmapped
            if (suggestion := found.get(tenant.pk)) is not None and suggestion.exact
        ]
        return _apply(workspace, actor, rows)


def _apply(
    workspace: Workspace, actor: User, rows: Sequence[tuple[Tenant, Client | None]]
) -> list[tuple[Tenant, Client | None]]:
    changed = []
    for tenant, client in rows:
        if client == tenant.client:
            continue
        previous = tenant.client
        tenant.client = client
        tenant.save(update_fields=["client", "updated_at"])
        changed.append((tenant, client))
        if client is None:
            summary = f"{tenant.name} unmapped from {previous} by {actor.email}"
        else:
            summary = f"{tenant.name} mapped to {client.name} by {actor.email}"
        activity_record(
            workspace=workspace,
            tenant=tenant,
            client=client or previous,
            category=MAPPING,
            action="mapped" if client else "unmapped",
            summary=summary,
            actor=actor,
        )
    return changed


def _client_named(workspace: Workspace, name: str, clients: dict[int, Client]) -> Client:
    """The client of that name (ignoring case), created if there is none."""
    existing = next((c for c in clients.values() if c.name.lower() == name.lower()), None)
    if existing is not None:
        return existing
    client = Client.objects.create(workspace=workspace, name=name.strip()[:200])
    clients[client.pk] = client
    return client


# ------------------------------------------------------------------ CSV


def export_rows(*, workspace: Workspace) -> Iterable[list[str]]:
    """The mapping as CSV rows (under `CSV_HEADER`), to edit and import back."""
    tenants = Tenant.objects.filter(workspace=workspace).select_related("client")
    for tenant in tenants.order_by("name", "pk"):
        client = tenant.client
        yield [
            tenant.tenant_id,
            tenant.name,
            client.name if client else "",
            client.external_ref if client else "",
        ]


@dataclass
class ImportRow:
    line: int
    tenant_id: str
    organisation: str
    client_name: str
    tenant: Tenant | None = None
    client: Client | None = None  # None with a name: a new client of that name
    change: str = ""  # "map", "new", "unmap", "same" or "" when in error
    error: str = ""

    @property
    def before(self) -> str:
        return self.tenant.client.name if self.tenant and self.tenant.client else ""


@dataclass
class ImportPlan:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def ok(self) -> bool:
        return not self.errors and not any(row.error for row in self.rows)

    @property
    def changes(self) -> list[ImportRow]:
        return [row for row in self.rows if row.change in ("map", "new", "unmap")]

    @property
    def counts(self) -> dict[str, int]:
        """How many rows would be mapped, made new clients, unmapped, or left the same."""
        return {
            change: sum(1 for row in self.rows if row.change == change)
            for change in ("map", "new", "unmap", "same")
        }

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.error]


def import_plan(*, workspace: Workspace, text: str) -> ImportPlan:
    """What importing this CSV would change, row by row, with every row's errors. Nothing is
    written. Rows name organisations by tenant id; a client by its reference, else its name
    (a name no client has makes a new client); a blank client unmaps."""
    plan = ImportPlan()
    if len(text.encode("utf-8", "replace")) > CSV_MAX_BYTES:
        plan.errors.append("The file is larger than 2 MB; split it.")
        return plan
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "tenant_id" not in fields or "client" not in fields:
        plan.errors.append(
            "The file needs a header row with at least the columns tenant_id and client "
            "(export the mapping to see the format)."
        )
        return plan
    reader.fieldnames = fields
    tenants = {t.tenant_id: t for t in Tenant.objects.filter(workspace=workspace)}
    clients = list(Client.objects.filter(workspace=workspace))
    by_name = {c.name.lower(): c for c in clients}
    by_ref = {c.external_ref.lower(): c for c in clients if c.external_ref}
    seen: dict[str, int] = {}
    try:
        for index, record in enumerate(reader, start=2):
            if index - 1 > CSV_MAX_ROWS:
                plan.errors.append(f"The file has more than {CSV_MAX_ROWS} rows; split it.")
                break
            values = {key: (value or "").strip() for key, value in record.items() if key}
            if not any(values.values()):
                continue
            row = ImportRow(
                line=index,
                tenant_id=values.get("tenant_id", ""),
                organisation=values.get("organisation", ""),
                client_name=values.get("client", ""),
            )
            plan.rows.append(row)
            _plan_row(row, values.get("client_reference", ""), tenants, by_name, by_ref, seen)
    except csv.Error as error:
        plan.errors.append(f"The file is not readable as CSV: {error}.")
    if not plan.rows and not plan.errors:
        plan.errors.append("The file has no rows under its header.")
    return plan


def _plan_row(
    row: ImportRow,
    reference: str,
    tenants: dict[str, Tenant],
    by_name: dict[str, Client],
    by_ref: dict[str, Client],
    seen: dict[str, int],
) -> None:
    row.tenant = tenants.get(row.tenant_id)
    if not row.tenant_id:
        row.error = "No tenant_id."
        return
    if row.tenant is None:
        row.error = "No organisation of this workspace has this tenant id."
        return
    if row.tenant_id in seen:
        row.error = f"This organisation is already on line {seen[row.tenant_id]}."
        return
    seen[row.tenant_id] = row.line
    if len(row.client_name) > 200:
        row.error = "The client's name is longer than 200 characters."
        return
    client = by_ref.get(reference.lower()) if reference else None
    if reference and client is None and not row.client_name:
        row.error = f"No client has the reference “{reference}”."
        return
    if client is not None and row.client_name and client.name.lower() != row.client_name.lower():
        row.error = f"The reference “{reference}” is the client “{client.name}”, not this name."
        return
    client = client or by_name.get(row.client_name.lower())
    row.client = client
    current = row.tenant.client
    if not row.client_name and client is None:
        row.change = "unmap" if current else "same"
    elif client is None:
        row.change = "new"
    else:
        row.change = "same" if current == client else "map"


def import_apply(*, workspace: Workspace, actor: User, text: str) -> ImportPlan:
    """Import the CSV: every row, or none of them when any row is in error. Importing the same
    file again changes nothing."""
    with transaction.atomic():
        # Lock the workspace's organisations: two imports at once apply one after the other.
        list(Tenant.objects.select_for_update().filter(workspace=workspace).values_list("pk"))
        plan = import_plan(workspace=workspace, text=text)
        if not plan.ok:
            return plan
        made: dict[str, Client] = {}
        rows: list[tuple[Tenant, Client | None]] = []
        for row in plan.changes:
            client = row.client
            if row.change == "new":
                key = row.client_name.lower()
                if key not in made:
                    made[key] = Client.objects.create(workspace=workspace, name=row.client_name)
                client = made[key]
            assert row.tenant is not None
            rows.append((row.tenant, client))
        _apply(workspace, actor, rows)
    return plan


def search_filter(q: str) -> Q:
    """Organisations whose name, tenant id, short code or client's name has `q` in it."""
    return (
        Q(name__icontains=q)
        | Q(tenant_id__iexact=q)
        | Q(short_code__iexact=q)
        | Q(client__name__icontains=q)
    )
