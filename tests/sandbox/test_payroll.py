"""Employees in Xero's payroll APIs over HTTP: each region's own API and shape (Australia's
payroll 1.0 and 2.0, New Zealand's and the UK's 2.0), their scopes and validation, and the
refusal where an organisation has no Xero Payroll. The payroll OpenAPI files are not among the
files the tests read, so the shapes are checked against Xero's documented models."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.sandbox.helpers import SCOPES, connect

PAYROLL_SCOPES = SCOPES + " payroll.employees"
V2_EMPLOYEE = {
    "employeeID",
    "title",
    "firstName",
    "lastName",
    "dateOfBirth",
    "address",
    "email",
    "gender",
    "phoneNumber",
    "startDate",
    "endDate",
    "payrollCalendarID",
    "updatedDateUTC",
    "createdDateUTC",
}
AU1_EMPLOYEE = {
    "EmployeeID",
    "FirstName",
    "LastName",
    "DateOfBirth",
    "HomeAddress",
    "Status",
    "UpdatedDateUTC",
}


class Payroll:
    def __init__(self, base: str, token: str, tenant: str) -> None:
        self.base, self.token, self.tenant = base, token, tenant

    def call(self, method: str, version: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method,
            f"{self.base}/payroll.xro/{version}/{path}",
            json=body,
            headers={
                "Authorization": f"Bearer {self.token}",
                "xero-tenant-id": self.tenant,
                "Accept": "application/json",
            },
            timeout=10,
        )


@pytest.fixture
def orgs(xero_sandbox) -> dict[str, Payroll]:
    tokens, connections = connect(xero_sandbox.url, PAYROLL_SCOPES)
    state = requests.get(f"{xero_sandbox.url}/_sandbox/state", timeout=10).json()
    country = {o["tenantId"]: o["country"] for o in state["organisations"]}
    return {
        country[c["tenantId"]]: Payroll(xero_sandbox.url, tokens["access_token"], c["tenantId"])
        for c in connections
    }


def test_new_zealand_and_uk_use_payroll_2_with_their_own_shapes(orgs) -> None:
    for country in ("NZ", "GB"):
        listed = orgs[country].call("GET", "2.0", "Employees")
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["httpStatusCode"] == "OK"
        assert body["problem"] is None
        assert body["pagination"]["itemCount"] == 3
        employee = body["employees"][0]
        expected = V2_EMPLOYEE | (
            {"nationalInsuranceNumber", "isOffPayrollWorker"} if country == "GB" else set()
        )
        assert set(employee) == expected
        assert employee["dateOfBirth"].endswith("T00:00:00")
        one = orgs[country].call("GET", "2.0", f"Employees/{employee['employeeID']}")
        assert one.json()["employee"]["employeeID"] == employee["employeeID"]
    # Payroll 1.0 is Australia's alone.
    assert orgs["NZ"].call("GET", "1.0", "Employees").status_code == 403


def test_australia_uses_payroll_1_with_pascal_case_and_ms_dates(orgs) -> None:
    listed = orgs["AU"].call("GET", "1.0", "Employees")
    assert listed.status_code == 200, listed.text
    employees = listed.json()["Employees"]
    assert len(employees) == 3
    assert set(employees[0]) >= AU1_EMPLOYEE
    assert employees[0]["DateOfBirth"].startswith("/Date(")
    assert {e["Status"] for e in employees} == {"ACTIVE", "TERMINATED"}
    made = orgs["AU"].call(
        "POST",
        "1.0",
        "Employees",
        [
            {
                "FirstName": "Dana",
                "LastName": "Evans",
                "DateOfBirth": "1990-04-01",
                "HomeAddress": {
                    "AddressLine1": "1 George St",
                    "City": "Sydney",
                    "Region": "NSW",
                    "PostalCode": "2000",
                },
            }
        ],
    )
    assert made.status_code == 200, made.text
    dana = made.json()["Employees"][0]
    updated = orgs["AU"].call(
        "POST", "1.0", f"Employees/{dana['EmployeeID']}", [{"LastName": "Evans-Hall"}]
    )
    assert updated.json()["Employees"][0]["LastName"] == "Evans-Hall"
    assert updated.json()["Employees"][0]["FirstName"] == "Dana"  # what was not sent is kept
    # Australia's region must be a state; the answer says which field and why.
    refused = orgs["AU"].call(
        "POST",
        "1.0",
        "Employees",
        [
            {
                "FirstName": "X",
                "LastName": "Y",
                "DateOfBirth": "1990-01-01",
                "HomeAddress": {
                    "AddressLine1": "a",
                    "City": "b",
                    "Region": "Nowhere",
                    "PostalCode": "1",
                },
            }
        ],
    )
    assert refused.status_code == 400
    assert refused.json()["Type"] == "ValidationException"
    messages = [m["Message"] for m in refused.json()["Employees"][0]["ValidationErrors"]]
    assert any("region must be one of" in m for m in messages)
    # AU's newer payroll API (2.0) serves the same employees in the 2.0 shape, with a state.
    v2 = orgs["AU"].call("GET", "2.0", "Employees").json()
    assert v2["pagination"]["itemCount"] == 4
    assert v2["employees"][0]["address"]["state"] == "NSW"


def test_uk_create_update_and_validation(orgs) -> None:
    uk = orgs["GB"]
    missing = uk.call("POST", "2.0", "Employees", {"firstName": "Eve"})
    assert missing.status_code == 400
    problem = missing.json()["problem"]
    assert problem["status"] == 400
    names = {f["name"] for f in problem["invalidFields"]}
    assert {"lastName", "dateOfBirth", "addressLine1", "gender"} <= names
    made = uk.call(
        "POST",
        "2.0",
        "Employees",
        {
            "title": "Ms",
            "firstName": "Eve",
            "lastName": "Fox",
            "dateOfBirth": "1992-02-02",
            "gender": "F",
            "nationalInsuranceNumber": "QQ123456C",
            "address": {"addressLine1": "2 Strand", "city": "London", "postCode": "WC2N 5HR"},
        },
    )
    assert made.status_code == 200, made.text
    eve = made.json()["employee"]
    assert eve["nationalInsuranceNumber"] == "QQ123456C"
    changed = uk.call(
        "PUT", "2.0", f"Employees/{eve['employeeID']}", {"email": "eve@fox.example.com"}
    )
    assert changed.json()["employee"]["email"] == "eve@fox.example.com"
    assert changed.json()["employee"]["lastName"] == "Fox"
    assert (
        uk.call("PUT", "2.0", "Employees/00000000-0000-0000-0000-000000000000", {}).status_code
        == 404
    )
    assert (
        uk.call(
            "PUT", "2.0", f"Employees/{eve['employeeID']}", {"dateOfBirth": "2999-01-01"}
        ).status_code
        == 400
    )


def test_scopes_and_an_organisation_without_payroll(xero_sandbox, orgs) -> None:
    nz = orgs["NZ"]
    # A Custom Connection to the same organisation, granted accounting scopes only.
    requests.post(
        f"{xero_sandbox.url}/_sandbox/apps",
        json={
            "clientId": "no-payroll",
            "clientSecret": "secret",
            "kind": "custom",
            "tenantId": nz.tenant,
        },
        timeout=10,
    )
    token = requests.post(
        f"{xero_sandbox.url}/connect/token",
        data={"grant_type": "client_credentials", "scope": "accounting.settings"},
        auth=("no-payroll", "secret"),
        timeout=10,
    ).json()["access_token"]
    plain = Payroll(xero_sandbox.url, token, nz.tenant)
    assert plain.call("GET", "2.0", "Employees").status_code == 401
    off = requests.post(
        f"{xero_sandbox.url}/_sandbox/payroll",
        json={"tenantId": nz.tenant, "enabled": False},
        timeout=10,
    )
    assert off.json() == {"tenantId": nz.tenant, "payroll": False}
    refused = nz.call("GET", "2.0", "Employees")
    assert refused.status_code == 403
    assert "does not have Xero Payroll" in refused.json()["problem"]["detail"]
    requests.post(
        f"{xero_sandbox.url}/_sandbox/payroll",
        json={"tenantId": nz.tenant, "enabled": True},
        timeout=10,
    )
