"""Search across every organisation the member may see: invoices by number, reference, contact
name or exact amount; contacts by name, e-mail or account number; items by code or name.
From the mirror alone, grouped by client and organisation.

Performance: on PostgreSQL the "contains" lookups use trigram GIN indexes (`pg_trgm`, see
migration 0002 of this app); on SQLite, FTS5 tables with the trigram tokenizer (0004) for
three characters and more. An exact amount uses the invoices' index on their total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse

from xeroadmin.books.access import organisation_list
from xeroadmin.books.models import Contact, Invoice, Item
from xeroadmin.books.words import status_word
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.money import money
from xeroadmin.tenancy.models import Membership

PER_KIND = 8
SHORTEST = 2  # fewer characters than this find nothing (every record would match)


@dataclass
class Found:
    url: str
    label: str
    detail: str


@dataclass
class Place:
    """One organisation's results, with its client."""

    tenant: Tenant
    results: list[Found] = field(default_factory=list)

    @property
    def heading(self) -> str:
        client = self.tenant.client.name if self.tenant.client else "Not mapped"
        return f"{client} · {self.tenant.name}"


def amount_in(text: str) -> Decimal | None:
    """The text as an amount ("1,200.50", "$1200.5"), or None."""
    cleaned = text.replace(",", "").replace("$", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < 10**15 else None


@cache
def text_index(database: str) -> bool:
    """Whether this SQLite database has the FTS5 tables of migration 0004 (a SQLite built
    without FTS5 has none); always False elsewhere."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'portfolio_invoice_text'")
        return cursor.fetchone() is not None


def contains(term: str, index: str, fields: tuple[str, ...]) -> Q:
    """Rows with `term` in any of `fields`: through the FTS5 table `index` where SQLite has
    one (its trigrams need three characters), else `icontains` (PostgreSQL's trigram indexes
    serve those)."""
    if len(term) >= 3 and text_index(str(connection.settings_dict["NAME"])):
        phrase = '"' + term.replace('"', '""') + '"'
        # `index` is one of migration 0004's tables; the term goes in as a parameter.
        query = f"SELECT rowid FROM {index} WHERE {index} MATCH %s"  # noqa: S608
        return Q(pk__in=RawSQL(query, [phrase]))  # noqa: S611
    found = Q()
    for name in fields:
        found |= Q(**{f"{name}__icontains": term})
    return found


def search(membership: Membership, text: str) -> list[Place]:
    """What `text` finds across the member's organisations, at most `PER_KIND` of each kind,
    grouped by organisation in client order (three queries, one more for an amount and one
    for the organisations found, whatever the number of organisations)."""
    term = " ".join(text.split())
    if len(term) < SHORTEST:
        return []
    # The visible organisations as a subquery: none of them is loaded unless it has results.
    tenants = organisation_list(membership).order_by().values("pk")
    ws = membership.workspace_id
    results: list[tuple[int, Found]] = []

    def add(tenant_pk: int, found: Found) -> None:
        results.append((tenant_pk, found))

    visible = Invoice.objects.filter(tenant_id__in=tenants).order_by("-date", "-pk")
    columns = ("date", "pk", "tenant_id", "number", "contact_name", "total", "currency_code")
    matching = contains(term, "portfolio_invoice_text", ("number", "reference", "contact_name"))
    invoices = list(visible.filter(matching).values_list(*columns, "status")[:PER_KIND])
    amount = amount_in(term)
    if amount is not None:
        # Its own query, so that each side uses its own index; the newest of both are kept.
        seen = {row[1] for row in invoices}
        more = visible.filter(total=amount).values_list(*columns, "status")[:PER_KIND]
        invoices += [row for row in more if row[1] not in seen]
        invoices.sort(key=lambda row: (row[0] is not None, row[0], row[1]), reverse=True)
    for _, pk, tenant_pk, number, contact, total, currency, status in invoices[:PER_KIND]:
        url = reverse("books:invoice-detail", args=[ws, tenant_pk, pk])
        words = f"Invoice · {contact} · {money(total, currency)} · {status_word(status)}"
        add(tenant_pk, Found(url, number or "Draft", words))
    people = contains(term, "portfolio_contact_text", ("name", "email", "contact_number"))
    contacts = (
        Contact.objects.filter(people, tenant_id__in=tenants)
        .order_by("name", "pk")
        .values_list("pk", "tenant_id", "name", "email")[:PER_KIND]
    )
    for pk, tenant_pk, name, email in contacts:
        url = reverse("books:contact-detail", args=[ws, tenant_pk, pk])
        add(tenant_pk, Found(url, name, f"Contact{f' · {email}' if email else ''}"))
    items = (
        Item.objects.filter(
            Q(code__icontains=term) | Q(name__icontains=term), tenant_id__in=tenants
        )
        .order_by("code", "pk")
        .values_list("pk", "tenant_id", "code", "name")[:PER_KIND]
    )
    for pk, tenant_pk, code, name in items:
        url = reverse("books:item-detail", args=[ws, tenant_pk, pk])
        add(tenant_pk, Found(url, code, f"Item{f' · {name}' if name else ''}"))
    if not results:
        return []
    found_in = Tenant.objects.select_related("client").in_bulk({pk for pk, _ in results})
    places: dict[int, Place] = {}
    for tenant_pk, found in results:
        places.setdefault(tenant_pk, Place(found_in[tenant_pk])).results.append(found)
    return sorted(places.values(), key=lambda place: place.heading.lower())
