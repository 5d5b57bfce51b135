"""Employees from each region's Xero Payroll, against the sandbox over HTTP: read into one
shape, added and changed in the region's own API (Xero's reasons beside the fields), and a
clear "no Xero Payroll" where the organisation has none."""

from __future__ import annotations

import pytest
import requests
from django.urls import reverse

from tests.conftest import Cast
from tests.connections.helpers import connect
from xeroadmin.books.models import Employee, PayrollState
from xeroadmin.connections.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(xero, cast: Cast) -> dict[str, Tenant]:
    connect(cast)
    found = {}
    for tenant in Tenant.objects.filter(workspace=cast.workspace):
        # The country comes with the organisation's details (read at the first sync).
        state = requests.get(f"{xero.url}/_sandbox/state", timeout=10).json()
        country = next(
            o["country"] for o in state["organisations"] if o["tenantId"] == tenant.tenant_id
        )
        tenant.country_code = country
        tenant.save(update_fields=["country_code"])
        found[country] = tenant
    return found


def _url(cast: Cast, tenant: Tenant, name: str, *args: int) -> str:
    return reverse(f"books:{name}", args=[cast.workspace.pk, tenant.pk, *args])


ADDRESS = {"line1": "1 Quay St", "city": "Wellington", "postcode": "6011"}


def test_new_zealand_employees_are_listed_added_and_changed(as_finance, orgs, cast: Cast) -> None:
    nz = orgs["NZ"]
    page = as_finance.get(_url(cast, nz, "employee-list"))
    assert page.status_code == 200
    assert b"Aroha Ngata" in page.content
    assert Employee.objects.filter(tenant=nz).count() == 3
    assert Employee.objects.get(tenant=nz, first_name="Chloe").status == "left"
    assert (
        b'Left <span class="count">1</span>'
        in as_finance.get(_url(cast, nz, "employee-list")).content
    )
    # Xero's reasons come back beside the fields; what was typed is kept.
    refused = as_finance.post(
        _url(cast, nz, "employee-create"),
        {"first_name": "Hemi", "last_name": "Walker", "date_of_birth": "2999-01-01", **ADDRESS},
    )
    assert refused.status_code == 200
    assert b"cannot be in the future" in refused.content
    assert b'value="Hemi"' in refused.content
    made = as_finance.post(
        _url(cast, nz, "employee-create"),
        {
            "first_name": "Hemi",
            "last_name": "Walker",
            "date_of_birth": "1991-03-04",
            "email": "hemi@example.com",
            **ADDRESS,
        },
    )
    assert made.status_code == 302, made.content[:500]
    hemi = Employee.objects.get(tenant=nz, first_name="Hemi")
    assert made["Location"] == _url(cast, nz, "employee-detail", hemi.pk)
    assert b"hemi@example.com" in as_finance.get(made["Location"]).content
    changed = as_finance.post(
        _url(cast, nz, "employee-edit", hemi.pk),
        {
            "first_name": "Hemi",
            "last_name": "Walker-Tane",
            "date_of_birth": "1991-03-04",
            **ADDRESS,
        },
    )
    assert changed.status_code == 302
    hemi.refresh_from_db()
    assert hemi.last_name == "Walker-Tane"
    # Read back from Xero: the same employee, changed there.
    as_finance.post(_url(cast, nz, "employee-refresh"))
    assert Employee.objects.filter(tenant=nz, last_name="Walker-Tane").count() == 1


def test_australia_uses_payroll_1_and_needs_a_state(as_finance, orgs, cast: Cast) -> None:
    au = orgs["AU"]
    as_finance.get(_url(cast, au, "employee-list"))
    assert PayrollState.objects.get(tenant=au).api == "payroll.xro/1.0"
    form = as_finance.get(_url(cast, au, "employee-create")).content.decode()
    assert 'name="region"' in form
    missing = as_finance.post(
        _url(cast, au, "employee-create"),
        {"first_name": "Dana", "last_name": "Evans", "date_of_birth": "1990-04-01", **ADDRESS},
    )
    assert missing.status_code == 200
    assert b"This field is required" in missing.content
    made = as_finance.post(
        _url(cast, au, "employee-create"),
        {
            "first_name": "Dana",
            "last_name": "Evans",
            "date_of_birth": "1990-04-01",
            **ADDRESS,
            "region": "VIC",
            "city": "Melbourne",
            "postcode": "3000",
        },
    )
    assert made.status_code == 302
    dana = Employee.objects.get(tenant=au, first_name="Dana")
    assert dana.address["region"] == "VIC"


def test_the_uk_asks_for_gender_and_keeps_the_ni_number(as_finance, orgs, cast: Cast) -> None:
    uk = orgs["GB"]
    as_finance.get(_url(cast, uk, "employee-list"))
    made = as_finance.post(
        _url(cast, uk, "employee-create"),
        {
            "first_name": "Eve",
            "last_name": "Fox",
            "date_of_birth": "1992-02-02",
            "gender": "F",
            "national_insurance": "QQ123456C",
            **ADDRESS,
            "city": "London",
            "postcode": "WC2N 5HR",
        },
    )
    assert made.status_code == 302
    assert Employee.objects.get(tenant=uk, first_name="Eve").national_insurance == "QQ123456C"
    no_gender = as_finance.post(
        _url(cast, uk, "employee-create"),
        {"first_name": "Al", "last_name": "Lee", "date_of_birth": "1990-01-01", **ADDRESS},
    )
    assert no_gender.status_code == 200


def test_an_organisation_without_payroll_says_so(as_finance, xero, orgs, cast: Cast) -> None:
    nz = orgs["NZ"]
    requests.post(
        f"{xero.url}/_sandbox/payroll",
        json={"tenantId": nz.tenant_id, "enabled": False},
        timeout=10,
    )
    page = as_finance.get(_url(cast, nz, "employee-list"))
    assert b"This organisation has no Xero Payroll" in page.content
    refused = as_finance.post(
        _url(cast, nz, "employee-create"),
        {"first_name": "Hemi", "last_name": "Walker", "date_of_birth": "1991-03-04", **ADDRESS},
    )
    assert b"Employees cannot be added" in refused.content
    assert not Employee.objects.filter(first_name="Hemi").exists()
    # Outside Australia, New Zealand and the UK there is no Xero Payroll to ask.
    elsewhere = Tenant.objects.create(
        workspace=cast.workspace, tenant_id="t-us", name="Acme Inc", country_code="US"
    )
    page = as_finance.get(_url(cast, elsewhere, "employee-list"))
    assert b"serves organisations in Australia, New Zealand and the UK" in page.content


def test_employees_are_for_finance_staff(as_viewer, as_finance, orgs, cast: Cast) -> None:
    nz = orgs["NZ"]
    assert as_viewer.get(_url(cast, nz, "employee-list")).status_code == 403
    home = _url(cast, nz, "organisation-home")
    assert b">Employees</a>" not in as_viewer.get(home).content
    assert b">Employees</a>" in as_finance.get(home).content
