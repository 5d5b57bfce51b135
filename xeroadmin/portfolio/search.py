"""Search across every organisation the member may see: invoices by number, reference, contact
name or exact amount; contacts by name, e-mail or account number; items by code or name.
From the mirror alone, grouped by client and organisation.

Performance: on PostgreSQL the "contains" lookups use trigram GIN indexes (`pg_trgm`, see
migration 0002 of this app); elsewhere they read the visible organisations' rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Q
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


def search(membership: Membership, text: str) -> list[Place]:
    """What `text` finds across the member's organisations, at most `PER_KIND` of each kind,
    grouped by organisation in client order (three queries, whatever the number of
    organisations)."""
    term = " ".join(text.split())
    if len(term) < SHORTEST:
        return []
    tenants = {t.pk: t for t in organisation_list(membership)}
    ws = membership.workspace_id
    places: dict[int, Place] = {}

    def add(tenant_pk: int, found: Found) -> None:
        places.setdefault(tenant_pk, Place(tenants[tenant_pk])).results.append(found)

    matches = Q(number__icontains=term) | Q(reference__icontains=term)
    matches |= Q(contact_name__icontains=term)
    amount = amount_in(term)
    if amount is not None:
        matches |= Q(total=amount)
    invoices = (
        Invoice.objects.filter(matches, tenant_id__in=tenants)
        .order_by("-date", "-pk")
        .values_list(
            "pk", "tenant_id", "number", "contact_name", "total", "currency_code", "status"
        )[:PER_KIND]
    )
    for pk, tenant_pk, number, contact, total, currency, status in invoices:
        url = reverse("books:invoice-detail", args=[ws, tenant_pk, pk])
        words = f"Invoice · {contact} · {money(total, currency)} · {status_word(status)}"
        add(tenant_pk, Found(url, number or "Draft", words))
    people = Q(name__icontains=term) | Q(email__icontains=term)
    people |= Q(contact_number__icontains=term)
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
    return sorted(places.values(), key=lambda place: place.heading.lower())
