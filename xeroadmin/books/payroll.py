"""Employees, from the organisation's Xero Payroll (the Accounting API's `/Employees` is gone).

Each region has its own payroll API: Australia's payroll 1.0, New Zealand's and the UK's 2.0.
Both are read into one `Employee` shape and written back in the region's own shape. An
organisation outside those countries, or without Xero Payroll, says so instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xeroadmin.accounts.models import User
from xeroadmin.books.models import Employee, PayrollState
from xeroadmin.books.services import record_activity
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant
from xeroadmin.xero.dates import parse_date, parse_datetime
from xeroadmin.xero.endpoints import PAYROLL_AU, PAYROLL_V2
from xeroadmin.xero.errors import XeroError, XeroForbidden, XeroValidationError

logger = logging.getLogger(__name__)

API_FOR = {"AU": PAYROLL_AU, "NZ": PAYROLL_V2, "GB": PAYROLL_V2}
# A list page reads Xero again after this long (or on "Refresh").
READ_AGAIN = timedelta(minutes=15)
PAGE_SIZE = 100
AU_STATES = ("ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA")


class NoPayroll(ValidationError):
    """The organisation has no Xero Payroll (or is not in a country Xero Payroll serves)."""


def payroll_api(tenant: Tenant) -> str | None:
    return API_FOR.get(tenant.country_code.upper())


def employees_read(*, tenant: Tenant, force: bool = False) -> PayrollState:
    """Read the organisation's employees from Xero Payroll into the mirror (unless read in the
    last minutes), and note whether it has payroll at all."""
    state, _ = PayrollState.objects.get_or_create(tenant=tenant)
    api = payroll_api(tenant)
    now = timezone.now()
    if api is None:
        _no_payroll(
            state,
            "Xero Payroll serves organisations in Australia, New Zealand and the UK; "
            f"{tenant.name} is elsewhere.",
        )
        return state
    if not force and state.read_at and now - state.read_at < READ_AGAIN:
        return state
    client = tenant_client(tenant, purpose="read", api=api)
    found: list[dict[str, Any]] = []
    try:
        for page in range(1, 1000):
            body = client.get("Employees", params={"page": page}) or {}
            batch = body.get("Employees" if api == PAYROLL_AU else "employees") or []
            found += [_read(api, raw) for raw in batch if isinstance(raw, dict)]
            pagination = body.get("pagination") or {}
            last = pagination.get("pageCount", page) if api == PAYROLL_V2 else None
            if len(batch) < PAGE_SIZE or (last is not None and page >= last):
                break
    except XeroForbidden as error:
        if error.status == 401:
            _no_payroll(
                state,
                "This connection was made without permission to see employees. Connect the "
                "organisation again to grant it.",
                known=None,
            )
        else:
            _no_payroll(state, f"{tenant.name} has no Xero Payroll.")
        return state
    with transaction.atomic():
        for fields in found:
            Employee.objects.update_or_create(
                tenant=tenant, xero_id=fields.pop("xero_id"), defaults=fields
            )
        state.api, state.has_payroll, state.read_at, state.detail = api, True, now, ""
        state.save()
    return state


def _no_payroll(state: PayrollState, detail: str, known: bool | None = False) -> None:
    state.has_payroll, state.detail, state.read_at = known, detail, timezone.now()
    state.save()


def _read(api: str, raw: dict[str, Any]) -> dict[str, Any]:
    """One employee from either API, in the mirror's shape."""
    if api == PAYROLL_AU:
        address = raw.get("HomeAddress") or {}
        end = parse_date(raw.get("TerminationDate"))
        return {
            "xero_id": str(raw.get("EmployeeID") or "").lower(),
            "title": str(raw.get("Title") or "")[:20],
            "first_name": str(raw.get("FirstName") or "")[:100],
            "last_name": str(raw.get("LastName") or "")[:100],
            "email": str(raw.get("Email") or "")[:254],
            "phone": str(raw.get("Phone") or "")[:50],
            "gender": str(raw.get("Gender") or "")[:1],
            "date_of_birth": parse_date(raw.get("DateOfBirth")),
            "start_date": parse_date(raw.get("StartDate")),
            "end_date": end,
            "status": Employee.Status.LEFT
            if raw.get("Status") == "TERMINATED" or end
            else Employee.Status.ACTIVE,
            "address": {
                "line1": address.get("AddressLine1") or "",
                "line2": address.get("AddressLine2") or "",
                "city": address.get("City") or "",
                "region": address.get("Region") or "",
                "postcode": address.get("PostalCode") or "",
                "country": address.get("Country") or "",
            },
            "national_insurance": "",
            "updated_in_xero": parse_datetime(raw.get("UpdatedDateUTC")),
        }
    address = raw.get("address") or {}
    end = _day(raw.get("endDate"))
    return {
        "xero_id": str(raw.get("employeeID") or "").lower(),
        "title": str(raw.get("title") or "")[:20],
        "first_name": str(raw.get("firstName") or "")[:100],
        "last_name": str(raw.get("lastName") or "")[:100],
        "email": str(raw.get("email") or "")[:254],
        "phone": str(raw.get("phoneNumber") or "")[:50],
        "gender": str(raw.get("gender") or "")[:1],
        "date_of_birth": _day(raw.get("dateOfBirth")),
        "start_date": _day(raw.get("startDate")),
        "end_date": end,
        "status": Employee.Status.LEFT if end else Employee.Status.ACTIVE,
        "address": {
            "line1": address.get("addressLine1") or "",
            "line2": address.get("addressLine2") or "",
            "city": address.get("city") or "",
            "region": address.get("state") or "",
            "postcode": address.get("postCode") or "",
            "country": address.get("countryName") or "",
        },
        "national_insurance": str(raw.get("nationalInsuranceNumber") or "")[:20],
        "updated_in_xero": _moment(raw.get("updatedDateUTC")),
    }


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


# ------------------------------------------------------------------ writes


@dataclass
class EmployeeInput:
    title: str
    first_name: str
    last_name: str
    email: str
    phone: str
    gender: str
    date_of_birth: date
    start_date: date | None
    line1: str
    line2: str
    city: str
    region: str
    postcode: str
    national_insurance: str


def employee_save(
    *, tenant: Tenant, actor: User, data: EmployeeInput, employee: Employee | None = None
) -> Employee:
    """Add an employee to the organisation's Xero Payroll, or change one; the mirror keeps
    Xero's answer. Raises NoPayroll, or XeroValidationError with Xero's reasons by field."""
    api = payroll_api(tenant)
    state = PayrollState.objects.filter(tenant=tenant).first()
    if api is None or (state is not None and state.has_payroll is False):
        raise NoPayroll(
            state.detail if state and state.detail else f"{tenant.name} has no Xero Payroll."
        )
    client = tenant_client(tenant, purpose="write", api=api)
    try:
        if api == PAYROLL_AU:
            body = [_au1_body(data)]
            path = f"Employees/{employee.xero_id}" if employee else "Employees"
            answer = client.post(path, body)
            raw = (answer.get("Employees") or [{}])[0]
        elif employee is None:
            raw = client.post("Employees", _v2_body(data, tenant)).get("employee") or {}
        else:
            raw = (
                client.put(f"Employees/{employee.xero_id}", _v2_body(data, tenant)).get("employee")
                or {}
            )
    except XeroValidationError as error:
        # Xero's reasons, beside the fields they name (the form shows them; nothing changed).
        raise ValidationError(errors_by_field(error)) from error
    except XeroForbidden as error:
        if error.status == 401:
            raise NoPayroll(
                "This connection was made without permission to change employees. Connect the "
                "organisation again to grant it."
            ) from error
        raise NoPayroll(f"{tenant.name} has no Xero Payroll.") from error
    fields = _read(api, raw)
    xero_id = fields.pop("xero_id")
    if not xero_id:
        raise XeroError("Xero's answer named no employee; nothing was changed here.")
    saved, created = Employee.objects.update_or_create(
        tenant=tenant, xero_id=xero_id, defaults=fields
    )
    record_activity(
        tenant,
        actor,
        "employee",
        "created" if created else "updated",
        f"Employee {saved.name} {'added' if created else 'changed'} in Xero Payroll by {actor.email}",
        saved,
    )
    return saved


def _au1_body(data: EmployeeInput) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Title": data.title,
        "FirstName": data.first_name,
        "LastName": data.last_name,
        "DateOfBirth": data.date_of_birth.isoformat(),
        "HomeAddress": {
            "AddressLine1": data.line1,
            "AddressLine2": data.line2,
            "City": data.city,
            "Region": data.region,
            "PostalCode": data.postcode,
            "Country": "AUSTRALIA",
        },
    }
    for name, value in (("Email", data.email), ("Phone", data.phone), ("Gender", data.gender)):
        if value:
            body[name] = value
    if data.start_date:
        body["StartDate"] = data.start_date.isoformat()
    return body


def _v2_body(data: EmployeeInput, tenant: Tenant) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": data.title,
        "firstName": data.first_name,
        "lastName": data.last_name,
        "dateOfBirth": data.date_of_birth.isoformat(),
        "address": {
            "addressLine1": data.line1,
            "addressLine2": data.line2,
            "city": data.city,
            "postCode": data.postcode,
            "countryName": {"NZ": "NEW ZEALAND", "GB": "UNITED KINGDOM"}.get(
                tenant.country_code.upper(), ""
            ),
        },
    }
    for name, value in (
        ("email", data.email),
        ("phoneNumber", data.phone),
        ("gender", data.gender),
    ):
        if value:
            body[name] = value
    if data.start_date:
        body["startDate"] = data.start_date.isoformat()
    if tenant.country_code.upper() == "GB" and data.national_insurance:
        body["nationalInsuranceNumber"] = data.national_insurance
    return body


# Xero's field names, both APIs, to the form's (for errors shown beside their fields).
FIELD_FOR = {
    "firstname": "first_name",
    "lastname": "last_name",
    "dateofbirth": "date_of_birth",
    "email": "email",
    "gender": "gender",
    "phone": "phone",
    "phonenumber": "phone",
    "addressline1": "line1",
    "city": "city",
    "postalcode": "postcode",
    "postcode": "postcode",
    "region": "region",
    "state": "region",
    "startdate": "start_date",
    "nationalinsurancenumber": "national_insurance",
}


def errors_by_field(error: XeroValidationError) -> dict[str, list[str]]:
    """Xero's reasons, under the form's field names where Xero named the field."""
    found: dict[str, list[str]] = {}
    for element in error.elements:
        for name, messages in element.fields.items():
            found.setdefault(FIELD_FOR.get(name.lower(), "__all__"), []).extend(messages)
        found.setdefault("__all__", []).extend(element.general)
    return {k: v for k, v in found.items() if v}


def employee_list(*, tenant: Tenant, q: str = "", status: str = "") -> Any:
    rows = Employee.objects.filter(tenant=tenant)
    if q:
        rows = rows.filter(
            Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q)
        )
    if status in (Employee.Status.ACTIVE, Employee.Status.LEFT):
        rows = rows.filter(status=status)
    return rows
