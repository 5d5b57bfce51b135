"""The invoice editor's contact picker: what it offers as the user types (no list of every
contact on the page), and how the editor checks the choice or resolves a name typed in full."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Cast
from xeroadmin.books import mirror
from xeroadmin.books.forms import InvoiceHeaderForm
from xeroadmin.books.selectors import PICKER_SIZE, contact_options, contacts_named
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(cast: Cast) -> Tenant:
    tenant = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="picker-org", name="Picker Org", base_currency="NZD"
    )
    people = [
        ("c-1", "Summit Ridge Ltd", "ar@summit.example", True, False, "ACTIVE"),
        ("c-2", "summit supplies", "", False, True, "ACTIVE"),
        ("c-3", "The Summit Trust", "trust@example.com", True, False, "ACTIVE"),
        ("c-4", "Summit Old Co", "", True, False, "ARCHIVED"),
        ("c-5", "Harbour Kiwi", "accounts@summitmail.example", True, False, "ACTIVE"),
        ("c-6", "Twin", "", True, False, "ACTIVE"),
        ("c-7", "twin", "", True, False, "ACTIVE"),
        ("c-8", "<b>Bold</b> & Co", "", True, False, "ACTIVE"),
    ]
    people += [(f"m-{n}", f"Many {n:03d}", "", True, False, "ACTIVE") for n in range(40)]
    mirror.contacts_upsert(
        tenant,
        [
            {
                "ContactID": xid,
                "Name": name,
                "EmailAddress": email,
                "IsCustomer": customer,
                "IsSupplier": supplier,
                "ContactStatus": status,
            }
            for xid, name, email, customer, supplier, status in people
        ],
    )
    return tenant


def names(found) -> list[str]:
    return [c.name for c in found]


def test_names_that_start_with_the_text_come_first_then_those_containing_it(org) -> None:
    found = contact_options(tenant=org, q="  SUMMIT ")
    assert names(found) == [
        "Summit Ridge Ltd",
        "summit supplies",
        "Harbour Kiwi",  # its e-mail contains the text
        "The Summit Trust",
    ]
    assert "Summit Old Co" not in names(found)  # archived contacts cannot be invoiced


def test_a_bill_puts_suppliers_first_and_a_sale_customers(org) -> None:
    assert names(contact_options(tenant=org, q="summit", kind="ACCPAY"))[0] == "summit supplies"
    assert names(contact_options(tenant=org, q="summit", kind="ACCREC"))[:2] == [
        "Summit Ridge Ltd",
        "Harbour Kiwi",
    ]


def test_it_offers_at_most_a_screenful_and_an_empty_box_starts_at_a(org) -> None:
    assert len(contact_options(tenant=org, q="many")) == PICKER_SIZE
    empty = contact_options(tenant=org, q="")
    assert len(empty) == PICKER_SIZE
    assert names(empty)[0] == "<b>Bold</b> & Co"  # alphabetical, whatever the case


def test_the_options_answer_is_a_listbox_with_the_text_escaped(as_finance, cast: Cast, org):
    url = reverse("books:contact-options", args=[cast.workspace.pk, org.pk])
    body = as_finance.get(url, {"contact_name": "bold"}).content.decode()
    assert 'role="listbox"' in body
    assert 'role="option"' in body
    assert 'data-value="c-8"' in body
    assert "<b>Bold</b>" not in body
    assert "&lt;b&gt;Bold&lt;/b&gt;" in body
    nothing = as_finance.get(url, {"contact_name": "<zzz>"}).content.decode()
    assert "Nothing matches “&lt;zzz&gt;”." in nothing
    assert 'role="option"' not in nothing


def test_a_viewer_cannot_ask_and_an_outsider_sees_nothing(
    as_viewer, as_outsider, cast: Cast, org
) -> None:
    url = reverse("books:contact-options", args=[cast.workspace.pk, org.pk])
    assert as_viewer.get(url, {"contact_name": "s"}).status_code == 403
    assert as_outsider.get(url, {"contact_name": "s"}).status_code == 404


def test_the_editor_no_longer_lists_every_contact(as_finance, cast: Cast, org) -> None:
    url = reverse("books:invoice-create", args=[cast.workspace.pk, org.pk])
    body = as_finance.get(url).content.decode()
    assert 'role="combobox"' in body
    assert "Many 039" not in body
    assert "Summit Ridge" not in body


def form(org: Tenant, **data: str) -> InvoiceHeaderForm:
    fields = {
        "type": "ACCREC",
        "date": "2026-11-20",
        "due_date": "2026-12-04",
        "currency_code": "NZD",
        "line_amount_types": "Exclusive",
        **data,
    }
    return InvoiceHeaderForm(
        fields,
        contacts=lambda xero_id, name: contacts_named(tenant=org, xero_id=xero_id, name=name),
        currencies=[type("C", (), {"code": "NZD", "description": ""})()],
    )


@pytest.mark.parametrize(
    ("data", "contact", "error"),
    [
        ({"contact": "c-1", "contact_name": "Summit Ridge Ltd"}, "c-1", None),
        # Typed in full without the picker (no JavaScript), in any case and spacing.
        ({"contact_name": "  summit   ridge LTD "}, "c-1", None),
        ({"contact_name": "Twin"}, None, "More than one contact is called “Twin”"),
        ({"contact_name": "Nobody"}, None, "No active contact is called “Nobody”"),
        ({"contact_name": "Summit Old Co"}, None, "No active contact is called"),
        ({"contact": "c-4"}, None, "That contact is no longer active"),
        ({}, None, "Choose a contact."),
    ],
)
def test_the_editor_checks_the_choice_or_resolves_a_typed_name(org, data, contact, error):
    header = form(org, **data)
    valid = header.is_valid()
    if error is None:
        assert valid, header.errors
        assert header.cleaned_data["contact"] == contact
    else:
        assert not valid
        assert error in " ".join(header.errors["contact_name"])
