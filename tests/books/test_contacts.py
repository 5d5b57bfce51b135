"""Contacts: list, detail with balances, edit with Xero's messages beside the fields, create,
archive and restore."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.conftest import Cast
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.books.models import Contact
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


def detail_url(cast: Cast, contact: Contact) -> str:
    return reverse("books:contact-detail", args=[cast.workspace.pk, contact.tenant_id, contact.pk])


def test_it_lists_and_searches_contacts(as_viewer, cast: Cast, books: Tenant) -> None:
    url = reverse("books:contact-list", args=[cast.workspace.pk, books.pk])
    active = Contact.objects.filter(tenant=books, status="ACTIVE").count()
    page = as_viewer.get(url)
    assert f"{active} contact".encode() in page.content
    one = Contact.objects.filter(tenant=books).first()
    assert one is not None
    found = as_viewer.get(
        url, {"q": one.name[:5]}, headers={"HX-Request": "true", "HX-Target": "contact-table"}
    )
    assert escape(one.name).encode() in found.content
    assert b"<html" not in found.content


def test_it_keeps_input_and_shows_xeros_message_beside_the_field(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    contact = Contact.objects.filter(tenant=books, status="ACTIVE").first()
    assert contact is not None
    assert contact.updated_utc is not None
    answer = as_finance.post(
        detail_url(cast, contact),
        {
            "name": "Renamed Ltd",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "not-an-address",
            "seen": contact.updated_utc.isoformat(),
        },
    )
    assert answer.status_code == 422
    body = answer.content.decode()
    assert 'id="id_email_error"' in body
    assert "Email address must be valid." in body
    assert 'value="Renamed Ltd"' in body
    assert 'value="Ada"' in body
    contact.refresh_from_db()
    assert contact.name != "Renamed Ltd"
    source = xero.sandbox.state.orgs[books.tenant_id].contacts[contact.xero_id]
    assert source["Name"] != "Renamed Ltd"


def test_it_saves_a_contact_in_xero(as_finance, xero, cast: Cast, books: Tenant) -> None:
    contact = Contact.objects.filter(tenant=books, status="ACTIVE").first()
    assert contact is not None
    assert contact.updated_utc is not None
    saved = as_finance.post(
        detail_url(cast, contact),
        {
            "name": "Renamed Ltd",
            "email": "ada@example.com",
            "seen": contact.updated_utc.isoformat(),
        },
        follow=True,
    )
    assert b"Contact saved in Xero." in saved.content
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Renamed Ltd", "ada@example.com")
    source = xero.sandbox.state.orgs[books.tenant_id].contacts[contact.xero_id]
    assert source["EmailAddress"] == "ada@example.com"
    assert ActivityEvent.objects.filter(tenant=books, category="contact", action="updated").exists()


def test_it_creates_archives_and_restores(as_finance, xero, cast: Cast, books: Tenant) -> None:
    url = reverse("books:contact-create", args=[cast.workspace.pk, books.pk])
    created = as_finance.post(url, {"name": "Brand New Ltd"}, follow=True)
    assert b"Contact created in Xero." in created.content
    contact = Contact.objects.get(tenant=books, name="Brand New Ltd")
    archive = reverse("books:contact-archive", args=[cast.workspace.pk, books.pk, contact.pk])
    as_finance.post(archive, {"archive": "1"})
    contact.refresh_from_db()
    assert contact.status == "ARCHIVED"
    as_finance.post(archive, {"archive": "0"})
    contact.refresh_from_db()
    assert contact.status == "ACTIVE"
    duplicate = as_finance.post(url, {"name": "Brand New Ltd"})
    assert b"already assigned to another contact" in duplicate.content


def test_viewers_cannot_edit_contacts(as_viewer, cast: Cast, books: Tenant) -> None:
    contact = Contact.objects.filter(tenant=books).first()
    assert contact is not None
    page = as_viewer.get(detail_url(cast, contact))
    assert b"save-contact" not in page.content
    assert as_viewer.post(detail_url(cast, contact), {"name": "x"}).status_code == 403


def form_values(page: str) -> dict[str, str]:
    """The values a browser would post back from the contact's form."""
    import re

    return {
        name: unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }


def test_it_edits_addresses_and_phones_and_keeps_the_others(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    contact = Contact.objects.filter(tenant=books, status="ACTIVE").first()
    assert contact is not None
    source = xero.sandbox.state.orgs[books.tenant_id].contacts
    fax = {
        "PhoneType": "FAX",
        "PhoneNumber": "5550100",
        "PhoneAreaCode": "",
        "PhoneCountryCode": "",
    }
    source[contact.xero_id]["Phones"].append(fax)
    contact.raw["Phones"].append(fax)  # as the last sync saw it
    contact.save(update_fields=["raw"])
    street = next(a for a in source[contact.xero_id]["Addresses"] if a["AddressType"] == "STREET")
    page = as_finance.get(detail_url(cast, contact)).content.decode()
    # The form starts from what the contact has.
    values = form_values(page)
    assert values["street_line1"] == street["AddressLine1"]
    assert values["postal_line1"].startswith("PO Box")
    values |= {
        "street_line1": "12 Harbour Lane",
        "street_city": "Nelson",
        "mobile_number": "0211234567",
        "postal_line1": "",
        "postal_city": "",
        "postal_postcode": "",
        "postal_country": "",
    }
    saved = as_finance.post(detail_url(cast, contact), values, follow=True)
    assert b"Contact saved in Xero." in saved.content
    now = source[contact.xero_id]
    by_type = {a["AddressType"]: a for a in now["Addresses"]}
    assert (by_type["STREET"]["AddressLine1"], by_type["STREET"]["City"]) == (
        "12 Harbour Lane",
        "Nelson",
    )
    assert not any(by_type["POBOX"][k] for k in ("AddressLine1", "City", "PostalCode"))
    phones = {p["PhoneType"]: p for p in now["Phones"]}
    assert phones["MOBILE"]["PhoneNumber"] == "0211234567"
    assert phones["FAX"] == fax  # not on the form, so left as it was
    # The mirror has Xero's answer, and the page shows it.
    again = form_values(as_finance.get(detail_url(cast, contact)).content.decode())
    assert again["street_line1"] == "12 Harbour Lane"
    assert again.get("postal_line1", "") == ""


def test_a_new_contact_sends_only_the_addresses_filled_in(
    as_finance, xero, cast: Cast, books: Tenant
) -> None:
    url = reverse("books:contact-create", args=[cast.workspace.pk, books.pk])
    as_finance.post(
        url, {"name": "Street Only Ltd", "street_line1": "1 Main Road", "phone_number": "5551234"}
    )
    contact = Contact.objects.get(tenant=books, name="Street Only Ltd")
    source = xero.sandbox.state.orgs[books.tenant_id].contacts[contact.xero_id]
    assert [a["AddressType"] for a in source["Addresses"]] == ["STREET"]
    assert [(p["PhoneType"], p["PhoneNumber"]) for p in source["Phones"]] == [
        ("DEFAULT", "5551234")
    ]


def test_viewers_see_addresses_and_phones_as_text(as_viewer, cast: Cast, books: Tenant) -> None:
    contact = Contact.objects.filter(tenant=books, status="ACTIVE").first()
    assert contact is not None
    street = next(a for a in contact.raw["Addresses"] if a["AddressType"] == "STREET")
    page = as_viewer.get(detail_url(cast, contact)).content.decode()
    assert "Street address" in page
    assert escape(street["AddressLine1"]) in page
    assert 'name="street_line1"' not in page
