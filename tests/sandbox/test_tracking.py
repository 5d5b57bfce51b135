"""Tracking categories and options over HTTP, every answer validated against Xero's OpenAPI
file: two active categories at most, unique names, archive and restore, options added, renamed,
archived and deleted, and what a line uses kept from deletion."""

from __future__ import annotations

import pytest

from tests.sandbox.helpers import Xero, client_for
from tests.xero_contract import require_spec


@pytest.fixture
def xero(xero_sandbox) -> Xero:
    require_spec()
    return client_for(xero_sandbox.url)


def errors(answer) -> list[str]:
    body = answer.json()
    return [v["Message"] for e in body.get("Elements", []) for v in e.get("ValidationErrors", [])]


def categories(xero: Xero, **params) -> list[dict]:
    answer = xero.get("TrackingCategories", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["TrackingCategories"]


def test_two_active_categories_at_most_with_unique_names(xero: Xero) -> None:
    region = xero.put("TrackingCategories", {"Name": "Region"})
    assert region.status_code == 200, region.text
    region_id = region.json()["TrackingCategories"][0]["TrackingCategoryID"]
    assert xero.put("TrackingCategories", {"Name": "Department"}).status_code == 200
    third = xero.put("TrackingCategories", {"Name": "Project"})
    assert third.status_code == 400
    assert errors(third) == [
        "An organisation can have at most 2 active tracking categories; archive one first."
    ]
    same = xero.put("TrackingCategories", {"Name": "region"})
    assert "A tracking category named 'region' already exists." in errors(same)
    assert xero.put("TrackingCategories", {"Name": " "}).status_code == 400
    # Archived, it leaves room; it shows only when archived ones are asked for.
    archived = xero.post(f"TrackingCategories/{region_id}", {"Status": "ARCHIVED"})
    assert archived.json()["TrackingCategories"][0]["Status"] == "ARCHIVED"
    assert xero.put("TrackingCategories", {"Name": "Project"}).status_code == 200
    assert [c["Name"] for c in categories(xero)] == ["Department", "Project"]
    assert [c["Name"] for c in categories(xero, includeArchived="true")] == [
        "Department",
        "Project",
        "Region",
    ]
    restored = xero.post(f"TrackingCategories/{region_id}", {"Status": "ACTIVE"})
    assert restored.status_code == 400  # two are active again
    renamed = xero.post(f"TrackingCategories/{region_id}", {"Name": "Area"})
    assert renamed.json()["TrackingCategories"][0]["Name"] == "Area"
    assert [c["Name"] for c in categories(xero, where='Status=="ACTIVE"')] == [
        "Department",
        "Project",
    ]


def test_options_added_renamed_archived_and_deleted(xero: Xero) -> None:
    made = xero.put("TrackingCategories", {"Name": "Region"}).json()["TrackingCategories"][0]
    path = f"TrackingCategories/{made['TrackingCategoryID']}"
    north = xero.put(f"{path}/Options", {"Name": "North"})
    assert north.status_code == 200, north.text
    north_id = north.json()["Options"][0]["TrackingOptionID"]
    both = xero.put(f"{path}/Options", {"Options": [{"Name": "South"}, {"Name": "East"}]})
    assert [o["Name"] for o in both.json()["Options"]] == ["South", "East"]
    again = xero.put(f"{path}/Options", {"Name": "north"})
    assert errors(again) == ["A tracking option named 'north' already exists in Region."]
    renamed = xero.post(f"{path}/Options/{north_id}", {"Name": "Northland"})
    assert renamed.json()["Options"][0]["Name"] == "Northland"
    archived = xero.post(f"{path}/Options/{north_id}", {"Status": "ARCHIVED"})
    assert archived.json()["Options"][0]["Status"] == "ARCHIVED"
    listed = xero.get(path).json()["TrackingCategories"][0]["Options"]
    assert {o["Name"]: o["Status"] for o in listed} == {
        "Northland": "ARCHIVED",
        "South": "ACTIVE",
        "East": "ACTIVE",
    }
    assert [o["Name"] for o in categories(xero)[0]["Options"]] == ["South", "East"]
    gone = xero.call("DELETE", f"{path}/Options/{north_id}")
    assert gone.json()["Options"][0]["Status"] == "DELETED"
    assert xero.post(f"{path}/Options/{north_id}", {"Name": "Back"}).status_code == 404
    deleted = xero.call("DELETE", path)
    assert deleted.json()["TrackingCategories"][0]["Status"] == "DELETED"
    assert xero.get(path).status_code == 404
    assert categories(xero, includeArchived="true") == []


def invoice_with(xero: Xero, tracking: list[dict], kind: str = "Invoices"):
    contact = xero.get("Contacts", params={"page": 1}).json()["Contacts"][0]
    record = {
        "Type": "ACCREC" if kind == "Invoices" else "ACCRECCREDIT",
        "Contact": {"ContactID": contact["ContactID"]},
        "LineItems": [
            {"Description": "Tracked", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}
            | {"Tracking": tracking}
        ],
    }
    return xero.put(kind, {kind: [record]})


def test_lines_are_tracked_by_name_or_id(xero: Xero) -> None:
    region = xero.put("TrackingCategories", {"Name": "Region"}).json()["TrackingCategories"][0]
    path = f"TrackingCategories/{region['TrackingCategoryID']}"
    north, south = xero.put(
        f"{path}/Options", {"Options": [{"Name": "North"}, {"Name": "South"}]}
    ).json()["Options"]
    by_name = invoice_with(xero, [{"Name": "region", "Option": "north"}])
    assert by_name.status_code == 200, by_name.text
    tracked = by_name.json()["Invoices"][0]["LineItems"][0]["Tracking"]
    assert tracked == [
        {
            "TrackingCategoryID": region["TrackingCategoryID"],
            "TrackingOptionID": north["TrackingOptionID"],
            "Name": "Region",
            "Option": "North",
        }
    ]
    by_id = invoice_with(
        xero,
        [
            {
                "TrackingCategoryID": region["TrackingCategoryID"],
                "TrackingOptionID": south["TrackingOptionID"],
            }
        ],
        kind="CreditNotes",
    )
    assert by_id.json()["CreditNotes"][0]["LineItems"][0]["Tracking"][0]["Option"] == "South"
    assert errors(invoice_with(xero, [{"Name": "Nowhere", "Option": "North"}])) == [
        "Tracking category 'Nowhere' does not exist or is not active."
    ]
    assert errors(invoice_with(xero, [{"Name": "Region", "Option": "West"}])) == [
        "Tracking option 'West' is not an active option of Region."
    ]
    twice = [{"Name": "Region", "Option": "North"}, {"Name": "Region", "Option": "South"}]
    assert errors(invoice_with(xero, twice)) == ["Line 1 is tracked by Region more than once."]
    xero.post(f"{path}/Options/{south['TrackingOptionID']}", {"Status": "ARCHIVED"})
    assert invoice_with(xero, [{"Name": "Region", "Option": "South"}]).status_code == 400


def test_what_a_line_uses_is_archived_not_deleted(xero: Xero) -> None:
    made = xero.put("TrackingCategories", {"Name": "Region"}).json()["TrackingCategories"][0]
    path = f"TrackingCategories/{made['TrackingCategoryID']}"
    option = xero.put(f"{path}/Options", {"Name": "North"}).json()["Options"][0]
    assert invoice_with(xero, [{"Name": "Region", "Option": "North"}]).status_code == 200
    refused = xero.call("DELETE", f"{path}/Options/{option['TrackingOptionID']}")
    assert refused.status_code == 400
    assert "used on transactions" in errors(refused)[0]
    assert xero.call("DELETE", path).status_code == 400
    assert xero.post(path, {"Status": "ARCHIVED"}).status_code == 200
