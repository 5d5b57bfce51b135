"""Xero's Payroll APIs, as far as employees go: where employees live since the Accounting API's
`/Employees` was removed (28 April 2026). Each region has its own API and shapes, and all need
Xero Payroll on the organisation:

- Australia: payroll 1.0 (`/payroll.xro/1.0/Employees`, PascalCase, `/Date(…)/` dates; create
  and update by POST of an array), and the newer AU 2.0.
- New Zealand and the United Kingdom: payroll 2.0 (`/payroll.xro/2.0/Employees`, camelCase,
  ISO dates; create by POST of one employee, update by PUT; `pagination` and `problem` in every
  answer). The UK's adds the National Insurance number.

Shapes follow Xero's payroll SDK models (xero-python `payrollau`, `payrollnz`, `payrolluk`
Employee; the payroll OpenAPI files are not among the files the tests read). AU 2.0 is served
with the 2.0 shape and a `state` in the address, as its own file is not available here.
Scopes: `payroll.employees` (read and write) and `payroll.employees.read`.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

from xeroadmin.sandbox.core import XeroError, msdate, new_id
from xeroadmin.sandbox.state import Org

REGIONS = {"AU": "AU", "NZ": "NZ", "GB": "UK"}
AU_STATES = {"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"}
GENDERS = {"M", "F", "I", "N"}
READ_SCOPES = {"payroll.employees", "payroll.employees.read"}
WRITE_SCOPES = {"payroll.employees"}
PAGE_SIZE = 100


def region(org: Org) -> str | None:
    return REGIONS.get(org.country)


def seed_payroll(org: Org, now: datetime) -> None:
    """Organisations in Australia, New Zealand and the UK have Xero Payroll and three
    employees (one who has left), drawn from a stream of their own."""
    if region(org) is None:
        return
    org.payroll = True
    rng = random.Random(f"payroll-{org.id}")
    people = [("Aroha", "Ngata", "F"), ("Ben", "Carter", "M"), ("Chloe", "Davies", "F")]
    for index, (first, last, gender) in enumerate(people):
        employee_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        org.employees[employee_id] = {
            "id": employee_id,
            "title": "Ms" if gender == "F" else "Mr",
            "first": first,
            "last": last,
            "dob": date(1980 + rng.randint(0, 20), rng.randint(1, 12), rng.randint(1, 28)),
            "gender": gender,
            "email": f"{first.lower()}@{org.short_code.strip('!').lower()}.example.com",
            "phone": f"0{rng.randint(20000000, 29999999)}",
            "start": date(2020 + index, rng.randint(1, 12), 1),
            "end": date(2025, 6, 30) if index == 2 else None,
            "address": {
                "line1": f"{rng.randint(1, 200)} Harbour Road",
                "line2": "",
                "city": {"AU": "Sydney", "NZ": "Wellington", "UK": "London"}[region(org) or "NZ"],
                "region": "NSW" if org.country == "AU" else "",
                "postcode": {"AU": "2000", "NZ": "6011", "UK": "SW1A 1AA"}[region(org) or "NZ"],
                "country": {"AU": "AUSTRALIA", "NZ": "NEW ZEALAND", "UK": "UNITED KINGDOM"}[
                    region(org) or "NZ"
                ],
            },
            "ni_number": f"QQ{rng.randint(100000, 999999)}C" if org.country == "GB" else "",
            "created": org.created,
            "updated": org.created,
        }


# ------------------------------------------------------------------ shapes


def _msday(day: date) -> str | None:
    return msdate(datetime(day.year, day.month, day.day, tzinfo=UTC))


def _iso(day: date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00" if day else None


def au1(employee: dict[str, Any]) -> dict[str, Any]:
    address = employee["address"]
    body: dict[str, Any] = {
        "EmployeeID": employee["id"],
        "Title": employee["title"],
        "FirstName": employee["first"],
        "LastName": employee["last"],
        "Status": "TERMINATED" if employee["end"] else "ACTIVE",
        "Email": employee["email"],
        "DateOfBirth": _msday(employee["dob"]),
        "Gender": employee["gender"],
        "Phone": employee["phone"],
        "HomeAddress": {
            "AddressLine1": address.get("line1") or "",
            "AddressLine2": address.get("line2") or "",
            "City": address.get("city") or "",
            "Region": address.get("region") or "",
            "PostalCode": address.get("postcode") or "",
            "Country": address.get("country") or "",
        },
        "UpdatedDateUTC": msdate(employee["updated"]),
    }
    if employee["start"]:
        body["StartDate"] = _msday(employee["start"])
    if employee["end"]:
        body["TerminationDate"] = _msday(employee["end"])
    return body


def v2(employee: dict[str, Any], kind: str) -> dict[str, Any]:
    address = employee["address"]
    shaped: dict[str, Any] = {
        "addressLine1": address.get("line1") or "",
        "addressLine2": address.get("line2") or "",
        "city": address.get("city") or "",
        "postCode": address.get("postcode") or "",
        "countryName": address.get("country") or "",
    }
    if kind == "AU":
        shaped["state"] = address.get("region") or ""
    body: dict[str, Any] = {
        "employeeID": employee["id"],
        "title": employee["title"],
        "firstName": employee["first"],
        "lastName": employee["last"],
        "dateOfBirth": _iso(employee["dob"]),
        "address": shaped,
        "email": employee["email"],
        "gender": employee["gender"],
        "phoneNumber": employee["phone"],
        "startDate": _iso(employee["start"]),
        "endDate": _iso(employee["end"]),
        "payrollCalendarID": None,
        "updatedDateUTC": employee["updated"].strftime("%Y-%m-%dT%H:%M:%S"),
        "createdDateUTC": employee["created"].strftime("%Y-%m-%dT%H:%M:%S"),
    }
    if kind == "UK":
        body["nationalInsuranceNumber"] = employee["ni_number"] or None
        body["isOffPayrollWorker"] = False
    return body


# ------------------------------------------------------------------ calls


class PayrollCall:
    """One call to a payroll API, for one organisation."""

    def __init__(
        self,
        org: Org,
        version: str,
        method: str,
        segments: list[str],
        args: dict[str, str],
        headers: dict[str, str],
        body: Any,
        now: datetime,
    ) -> None:
        self.org, self.version, self.method = org, version, method
        self.segments, self.args, self.headers, self.body, self.now = (
            segments,
            args,
            headers,
            body,
            now,
        )
        self.kind = region(org) or ""

    # The 2.0 envelope around every answer, errors included.
    def envelope(self, status: str, **fields: Any) -> dict[str, Any]:
        return {
            "id": new_id(),
            "providerName": "Xero API",
            "dateTimeUTC": self.now.strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "httpStatusCode": status,
            "pagination": None,
            "problem": None,
            **fields,
        }

    def refuse(
        self, status: int, title: str, detail: str, fields: list[dict[str, str]] | None = None
    ) -> XeroError:
        if self.version == "1.0":
            if status == 400:
                return XeroError(
                    400,
                    {
                        "ErrorNumber": 10,
                        "Type": "ValidationException",
                        "Message": "A validation exception occurred",
                        "Employees": [
                            {"ValidationErrors": [{"Message": f["reason"]} for f in fields or []]}
                        ],
                    },
                )
            return XeroError(status, {"Title": title, "Status": status, "Detail": detail})
        problem = {
            "type": "application/problem+json",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": None,
            "invalidFields": fields or None,
        }
        return XeroError(status, self.envelope(title, problem=problem))

    def answer(self) -> tuple[int, dict[str, Any]]:
        if not self.org.payroll or not self.kind:
            raise self.refuse(403, "Forbidden", "This organisation does not have Xero Payroll.")
        if self.version == "1.0" and self.kind != "AU":
            raise self.refuse(403, "Forbidden", "Payroll 1.0 is for Australian organisations only.")
        if not self.segments or self.segments[0].lower() != "employees" or len(self.segments) > 2:
            raise self.refuse(404, "NotFound", "The resource you're looking for cannot be found")
        key = self.segments[1].lower() if len(self.segments) == 2 else None
        if key is not None and key not in self.org.employees:
            raise self.refuse(404, "NotFound", "The employee could not be found.")
        if self.method == "GET":
            return 200, self._read(key)
        if self.version == "1.0" and self.method == "POST":
            return 200, self._write_au1(key)
        if self.version == "2.0" and self.method == "POST" and key is None:
            return 200, self._write_v2(None)
        if self.version == "2.0" and self.method == "PUT" and key is not None:
            return 200, self._write_v2(key)
        raise self.refuse(405, "MethodNotAllowed", "This method is not supported here.")

    def _shape(self, employee: dict[str, Any]) -> dict[str, Any]:
        return au1(employee) if self.version == "1.0" else v2(employee, self.kind)

    def _read(self, key: str | None) -> dict[str, Any]:
        if key is not None:
            one = self._shape(self.org.employees[key])
            if self.version == "1.0":
                return self._au1_envelope([one])
            return self.envelope("OK", employee=one)
        everyone = sorted(
            self.org.employees.values(), key=lambda e: (e["last"], e["first"], e["id"])
        )
        since = self.headers.get("if-modified-since")
        if since:
            from email.utils import parsedate_to_datetime

            try:
                moment = parsedate_to_datetime(since)
            except (TypeError, ValueError):
                moment = None
            if moment is not None:
                everyone = [e for e in everyone if e["updated"] > moment]
        try:
            page = max(int(self.args.get("page", "1")), 1)
        except ValueError:
            page = 1
        chosen = everyone[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        shaped = [self._shape(e) for e in chosen]
        if self.version == "1.0":
            return self._au1_envelope(shaped)
        pages = max((len(everyone) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        pagination = {
            "page": page,
            "pageSize": PAGE_SIZE,
            "pageCount": pages,
            "itemCount": len(everyone),
        }
        return self.envelope("OK", pagination=pagination, employees=shaped)

    def _au1_envelope(self, employees: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Id": new_id(),
            "Status": "OK",
            "ProviderName": "Xero API",
            "DateTimeUTC": msdate(self.now),
            "Employees": employees,
        }

    # ------------------------------------------------------------ writes

    def _write_au1(self, key: str | None) -> dict[str, Any]:
        items = self.body if isinstance(self.body, list) else [self.body]
        if len(items) != 1 or not isinstance(items[0], dict):
            raise self.refuse(
                400,
                "BadRequest",
                "",
                [{"name": "Employees", "reason": "Send one employee in an array."}],
            )
        raw = items[0]
        address = raw.get("HomeAddress") if isinstance(raw.get("HomeAddress"), dict) else None
        fields = {
            "title": raw.get("Title"),
            "first": raw.get("FirstName"),
            "last": raw.get("LastName"),
            "email": raw.get("Email"),
            "gender": raw.get("Gender"),
            "phone": raw.get("Phone"),
            "dob": _au1_date(raw.get("DateOfBirth")),
            "start": _au1_date(raw.get("StartDate")),
        }
        if address is not None:
            fields["address"] = {
                "line1": address.get("AddressLine1"),
                "line2": address.get("AddressLine2"),
                "city": address.get("City"),
                "region": address.get("Region"),
                "postcode": address.get("PostalCode"),
                "country": address.get("Country") or "AUSTRALIA",
            }
        employee = self._save(key or str(raw.get("EmployeeID") or "").lower() or None, fields)
        return self._au1_envelope([au1(employee)])

    def _write_v2(self, key: str | None) -> dict[str, Any]:
        raw = self.body
        if not isinstance(raw, dict):
            raise self.refuse(
                400,
                "BadRequest",
                "Validation error occurred.",
                [{"name": "employee", "reason": "Send one employee."}],
            )
        address = raw.get("address") if isinstance(raw.get("address"), dict) else None
        fields = {
            "title": raw.get("title"),
            "first": raw.get("firstName"),
            "last": raw.get("lastName"),
            "email": raw.get("email"),
            "gender": raw.get("gender"),
            "phone": raw.get("phoneNumber"),
            "dob": _iso_date(raw.get("dateOfBirth")),
            "start": _iso_date(raw.get("startDate")),
        }
        if "nationalInsuranceNumber" in raw and self.kind == "UK":
            fields["ni_number"] = raw.get("nationalInsuranceNumber")
        if address is not None:
            fields["address"] = {
                "line1": address.get("addressLine1"),
                "line2": address.get("addressLine2"),
                "city": address.get("city"),
                "region": address.get("state") if self.kind == "AU" else "",
                "postcode": address.get("postCode"),
                "country": address.get("countryName"),
            }
        employee = self._save(key, fields)
        return self.envelope("OK", employee=v2(employee, self.kind))

    def _save(self, key: str | None, fields: dict[str, Any]) -> dict[str, Any]:
        """Create (key None) or update an employee, with each region's validation."""
        current = self.org.employees.get(key) if key else None
        if key and current is None:
            raise self.refuse(404, "NotFound", "The employee could not be found.")
        blank = {"title": "", "email": "", "phone": "", "gender": "", "start": None, "end": None}
        merged = {**blank, "address": {}, "ni_number": "", **(current or {})}
        for name, value in fields.items():
            if value is None:
                continue  # not sent: kept as it was (or left blank on a new employee)
            if name == "address":
                sent = {k: v for k, v in value.items() if v is not None}
                merged["address"] = {**merged["address"], **sent}
            else:
                merged[name] = value.strip() if isinstance(value, str) else value
        merged.setdefault("first", "")
        merged.setdefault("last", "")
        merged.setdefault("dob", None)
        invalid = self._invalid(merged)
        if invalid:
            names = "; ".join(f["reason"] for f in invalid)
            raise self.refuse(400, "BadRequest", f"Validation error occurred. {names}", invalid)
        merged["updated"] = self.now
        if current is None:
            merged["id"] = str(uuid.uuid4())
            merged["created"] = self.now
        self.org.employees[merged["id"]] = merged
        return merged

    def _invalid(self, employee: dict[str, Any]) -> list[dict[str, str]]:
        v1 = self.version == "1.0"
        found = []

        def need(name: str, api: str, label: str) -> None:
            if not str(employee.get(name) or "").strip():
                found.append({"name": api, "reason": f"The {label} is required."})

        need("first", "FirstName" if v1 else "firstName", "first name")
        need("last", "LastName" if v1 else "lastName", "last name")
        if employee.get("dob") is None:
            found.append(
                {
                    "name": "DateOfBirth" if v1 else "dateOfBirth",
                    "reason": "The date of birth is required (YYYY-MM-DD).",
                }
            )
        elif isinstance(employee["dob"], date) and employee["dob"] > self.now.date():
            found.append(
                {
                    "name": "DateOfBirth" if v1 else "dateOfBirth",
                    "reason": "The date of birth cannot be in the future.",
                }
            )
        address = employee.get("address") or {}
        for key, api1, api2, label in (
            ("line1", "AddressLine1", "addressLine1", "address line 1"),
            ("city", "City", "city", "city"),
            ("postcode", "PostalCode", "postCode", "postal code"),
        ):
            if not str(address.get(key) or "").strip():
                found.append({"name": api1 if v1 else api2, "reason": f"The {label} is required."})
        if self.kind == "AU" and str(address.get("region") or "").upper() not in AU_STATES:
            found.append(
                {
                    "name": "Region" if v1 else "state",
                    "reason": "The region must be one of " + ", ".join(sorted(AU_STATES)) + ".",
                }
            )
        gender = str(employee.get("gender") or "").upper()
        if gender and gender not in GENDERS:
            found.append(
                {"name": "Gender" if v1 else "gender", "reason": "The gender must be M, F, I or N."}
            )
        if self.kind == "UK" and not gender:
            found.append({"name": "gender", "reason": "The gender is required."})
        email = str(employee.get("email") or "")
        if email and ("@" not in email or " " in email):
            found.append(
                {"name": "Email" if v1 else "email", "reason": "The email address is not valid."}
            )
        for name, limit in (("first", 35), ("last", 35)):
            if len(str(employee.get(name) or "")) > limit:
                found.append(
                    {
                        "name": name,
                        "reason": f"The {name} name must be {limit} characters or fewer.",
                    }
                )
        return found


def _au1_date(value: Any) -> date | None:
    """A date sent to AU payroll 1.0: `/Date(ms+0000)/` or `YYYY-MM-DD`."""
    if not value:
        return None
    text = str(value)
    if text.startswith("/Date("):
        try:
            millis = int(text[6:].split("+")[0].split("-")[0].rstrip(")/"))
        except ValueError:
            return None
        return datetime.fromtimestamp(millis / 1000, tz=UTC).date()
    return _iso_date(text)


def _iso_date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
