"""The Accounting API over HTTP; every answer is validated against Xero's OpenAPI contract."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.sandbox.helpers import Xero, client_for
from tests.xero_contract import require_spec


@pytest.fixture
def xero(xero_sandbox) -> Xero:
    require_spec()
    return client_for(xero_sandbox.url)


def first(response: requests.Response, key: str) -> dict:
    assert response.status_code == 200, response.text
    return response.json()[key][0]


def messages(response: requests.Response) -> list[str]:
    body = response.json()
    return [v["Message"] for e in body["Elements"] for v in e.get("ValidationErrors", [])]


def new_invoice(xero: Xero, **extra) -> dict:
    contact = first(
        xero.get("Contacts", params={"where": 'ContactStatus=="ACTIVE"', "page": 1}), "Contacts"
    )
    body = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact["ContactID"]},
        "Date": "2026-11-01",
        "DueDate": "2026-11-30",
        "LineItems": [
            {"Description": "Consulting", "Quantity": 2, "UnitAmount": 150, "AccountCode": "200"},
            {"Description": "Cable", "Quantity": 3, "UnitAmount": 12.5, "AccountCode": "200"},
        ],
    } | extra
    return first(xero.put("Invoices", {"Invoices": [body]}), "Invoices")


def test_it_serves_the_organisation_currencies_and_tax_rates(xero: Xero) -> None:
    org = first(xero.get("Organisation"), "Organisations")
    assert org["OrganisationID"] == xero.tenant
    assert org["BaseCurrency"] == "NZD"
    assert {c["Code"] for c in xero.get("Currencies").json()["Currencies"]} == {
        "NZD",
        "USD",
        "EUR",
        "GBP",
    }
    rates = xero.get("TaxRates").json()["TaxRates"]
    assert any(r["TaxType"] == "OUTPUT2" and r["EffectiveRate"] == 15.0 for r in rates)


def test_it_answers_with_rate_limit_headers(xero: Xero) -> None:
    response = xero.get("Organisation")
    assert int(response.headers["X-MinLimit-Remaining"]) < 60
    assert "X-DayLimit-Remaining" in response.headers
    assert "X-AppMinLimit-Remaining" in response.headers


def test_it_lists_filters_and_orders_accounts(xero: Xero) -> None:
    banks = xero.get(
        "Accounts", params={"where": 'Status=="ACTIVE" AND Type=="BANK"', "order": "Code DESC"}
    )
    codes = [a["Code"] for a in banks.json()["Accounts"]]
    assert codes == ["091", "090"]
    account = banks.json()["Accounts"][0]
    assert first(xero.get(f"Accounts/{account['AccountID']}"), "Accounts")["Code"] == "091"


def test_it_creates_updates_archives_and_deletes_accounts(xero: Xero) -> None:
    created = first(
        xero.put("Accounts", {"Code": "455", "Name": "Software", "Type": "EXPENSE"}), "Accounts"
    )
    assert created["Class"] == "EXPENSE"
    two = xero.put(
        "Accounts",
        {
            "Accounts": [
                {"Code": "456", "Name": "A", "Type": "EXPENSE"},
                {"Code": "457", "Name": "B", "Type": "EXPENSE"},
            ]
        },
    )
    assert two.status_code == 400
    assert "one at a time" in messages(two)[0]
    duplicate = xero.put("Accounts", {"Code": "455", "Name": "Other", "Type": "EXPENSE"})
    assert "unique Code" in messages(duplicate)[0]
    renamed = first(
        xero.post(f"Accounts/{created['AccountID']}", {"Name": "Software subscriptions"}),
        "Accounts",
    )
    assert renamed["Name"] == "Software subscriptions"
    archived = first(
        xero.post(f"Accounts/{created['AccountID']}", {"Status": "ARCHIVED"}), "Accounts"
    )
    assert archived["Status"] == "ARCHIVED"
    deleted = first(xero.call("DELETE", f"Accounts/{created['AccountID']}"), "Accounts")
    assert deleted["Status"] == "DELETED"
    assert xero.get(f"Accounts/{created['AccountID']}").status_code == 404


def test_it_refuses_to_delete_a_used_account(xero: Xero) -> None:
    sales = first(xero.get("Accounts", params={"where": 'Code=="200"'}), "Accounts")
    refused = xero.call("DELETE", f"Accounts/{sales['AccountID']}")
    assert refused.status_code == 400
    assert "Archive it instead" in messages(refused)[0]


def test_it_pages_and_searches_contacts(xero: Xero) -> None:
    page = xero.get("Contacts", params={"page": 1, "pageSize": 5000})
    body = page.json()
    assert body["pagination"]["pageSize"] == 1000  # clamped to Xero's maximum
    assert body["pagination"]["itemCount"] == len(body["Contacts"])
    small = xero.get("Contacts", params={"page": 2, "pageSize": 5, "order": "Name"}).json()
    assert small["pagination"] == {
        "page": 2,
        "pageSize": 5,
        "pageCount": (small["pagination"]["itemCount"] + 4) // 5,
        "itemCount": small["pagination"]["itemCount"],
    }
    assert len(small["Contacts"]) == 5
    target = small["Contacts"][0]
    found = xero.get("Contacts", params={"searchTerm": target["Name"][:8].upper()}).json()[
        "Contacts"
    ]
    assert target["ContactID"] in {c["ContactID"] for c in found}
    by_ids = xero.get("Contacts", params={"IDs": target["ContactID"]}).json()["Contacts"]
    assert [c["ContactID"] for c in by_ids] == [target["ContactID"]]
    summary = xero.get("Contacts", params={"summaryOnly": "true", "page": 1}).json()["Contacts"][0]
    assert "Addresses" not in summary


def test_it_hides_archived_contacts_unless_asked(xero: Xero) -> None:
    active = xero.get("Contacts").json()["Contacts"]
    everything = xero.get("Contacts", params={"includeArchived": "true"}).json()["Contacts"]
    assert len(everything) > len(active)
    assert all(c["ContactStatus"] == "ACTIVE" for c in active)


def test_it_filters_by_if_modified_since(xero: Xero) -> None:
    assert (
        xero.get("Contacts", headers={"If-Modified-Since": "2100-01-01T00:00:00"}).json()[
            "Contacts"
        ]
        == []
    )
    first(xero.put("Contacts", {"Contacts": [{"Name": "Fresh Contact Ltd"}]}), "Contacts")
    since = xero.get("Contacts", headers={"If-Modified-Since": "2020-01-01T00:00:00Z"}).json()[
        "Contacts"
    ]
    assert any(c["Name"] == "Fresh Contact Ltd" for c in since)


def test_it_creates_gets_and_edits_contacts(xero: Xero) -> None:
    contact = first(
        xero.put(
            "Contacts",
            {
                "Contacts": [
                    {
                        "Name": "Orca Marine",
                        "ContactNumber": "ORCA-1",
                        "EmailAddress": "accounts@orca.example.com",
                    }
                ]
            },
        ),
        "Contacts",
    )
    by_number = first(xero.get("Contacts/ORCA-1"), "Contacts")
    assert by_number["ContactID"] == contact["ContactID"]
    assert "Balances" in by_number
    edited = first(
        xero.post(f"Contacts/{contact['ContactID']}", {"Contacts": [{"FirstName": "Ana"}]}),
        "Contacts",
    )
    assert edited["FirstName"] == "Ana"
    assert edited["Name"] == "Orca Marine"
    archived = first(
        xero.post(f"Contacts/{contact['ContactID']}", {"ContactStatus": "ARCHIVED"}), "Contacts"
    )
    assert archived["ContactStatus"] == "ARCHIVED"


def test_it_validates_contacts(xero: Xero) -> None:
    existing = first(xero.get("Contacts", params={"page": 1}), "Contacts")
    duplicate = xero.put("Contacts", {"Contacts": [{"Name": existing["Name"]}]})
    assert duplicate.status_code == 400
    assert "already assigned" in messages(duplicate)[0]
    bad_email = xero.put("Contacts", {"Contacts": [{"Name": "X Ltd", "EmailAddress": "nope"}]})
    assert messages(bad_email) == ["Email address must be valid."]
    too_long = xero.put("Contacts", {"Contacts": [{"Name": "N" * 256}]})
    assert "255" in messages(too_long)[0]


def test_it_reports_batch_errors_per_element_when_asked(xero: Xero) -> None:
    body = {"Contacts": [{"Name": "Batch One Ltd"}, {"Name": "Batch Bad", "EmailAddress": "bad"}]}
    summarised = xero.put("Contacts", body)
    assert summarised.status_code == 400
    assert not xero.get("Contacts", params={"searchTerm": "Batch One"}).json()[
        "Contacts"
    ]  # all or nothing
    mixed = xero.put("Contacts", body, params={"summarizeErrors": "false"})
    assert mixed.status_code == 200
    statuses = [c["StatusAttributeString"] for c in mixed.json()["Contacts"]]
    assert statuses == ["OK", "ERROR"]
    assert (
        mixed.json()["Contacts"][1]["ValidationErrors"][0]["Message"]
        == "Email address must be valid."
    )


def test_it_keeps_history_and_notes(xero: Xero) -> None:
    contact = first(xero.get("Contacts", params={"page": 1}), "Contacts")
    added = xero.put(
        f"Contacts/{contact['ContactID']}/History",
        {"HistoryRecords": [{"Details": "Called about invoice"}]},
    )
    assert added.status_code == 200
    records = xero.get(f"Contacts/{contact['ContactID']}/History").json()["HistoryRecords"]
    assert records[0]["Details"] == "Called about invoice"
    too_long = xero.put(
        f"Contacts/{contact['ContactID']}/History", {"HistoryRecords": [{"Details": "x" * 2501}]}
    )
    assert too_long.status_code == 400


def test_it_manages_items(xero: Xero) -> None:
    item = first(
        xero.put(
            "Items",
            {
                "Items": [
                    {
                        "Code": "WIDGET",
                        "Name": "Widget",
                        "SalesDetails": {"UnitPrice": 9.5, "AccountCode": "200"},
                    }
                ]
            },
        ),
        "Items",
    )
    assert first(xero.get("Items/WIDGET"), "Items")["ItemID"] == item["ItemID"]
    updated = first(
        xero.post(f"Items/{item['ItemID']}", {"Items": [{"Name": "Blue widget"}]}), "Items"
    )
    assert updated["Name"] == "Blue widget"
    assert xero.get(f"Items/{item['ItemID']}/History").json()["HistoryRecords"]
    duplicate = xero.put("Items", {"Items": [{"Code": "WIDGET"}]})
    assert "already exists" in messages(duplicate)[0]
    assert xero.call("DELETE", f"Items/{item['ItemID']}").status_code == 204
    assert xero.get(f"Items/{item['ItemID']}").status_code == 404


def test_it_computes_lines_tax_and_totals(xero: Xero) -> None:
    invoice = new_invoice(xero)
    assert invoice["Status"] == "DRAFT"
    assert invoice["InvoiceNumber"].startswith("INV-")
    assert invoice["SubTotal"] == 337.5
    assert invoice["TotalTax"] == 50.63  # 15% GST: 45.00 + 5.63 (line by line, rounded)
    assert invoice["Total"] == 388.13
    assert invoice["AmountDue"] == 388.13
    assert [line["LineAmount"] for line in invoice["LineItems"]] == [300.0, 37.5]
    inclusive = new_invoice(xero, LineAmountTypes="Inclusive")
    assert inclusive["Total"] == 337.5
    assert inclusive["SubTotal"] + inclusive["TotalTax"] == pytest.approx(337.5)


def test_it_fills_lines_from_an_item_code(xero: Xero) -> None:
    invoice = new_invoice(xero, LineItems=[{"ItemCode": "CONSULT", "Quantity": 1}])
    line = invoice["LineItems"][0]
    assert line["UnitAmount"] == 150.0
    assert line["AccountCode"] == "200"
    assert line["TaxType"] == "OUTPUT2"


def test_it_validates_invoices(xero: Xero) -> None:
    no_contact = xero.put("Invoices", {"Invoices": [{"Type": "ACCREC", "LineItems": []}]})
    assert "Contact" in messages(no_contact)[0]
    contact = first(xero.get("Contacts", params={"page": 1}), "Contacts")
    bad = xero.put(
        "Invoices",
        {
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": contact["ContactID"]},
                    "CurrencyCode": "JPY",
                    "Date": "not-a-date",
                    "LineItems": [{"Description": "x", "AccountCode": "999", "UnitAmount": "abc"}],
                }
            ]
        },
    )
    found = " ".join(messages(bad))
    assert "not subscribed to currency JPY" in found
    assert "Date is not a valid date" in found
    assert "UnitAmount must be a number" in found
    wrong_type = xero.put("Invoices", {"Invoices": [{"Type": "SALES"}]})
    assert messages(wrong_type) == ["Invoice Type must be ACCREC or ACCPAY."]


def test_it_enforces_unique_sales_invoice_numbers(xero: Xero) -> None:
    invoice = new_invoice(xero)
    again = xero.put(
        "Invoices",
        {
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "InvoiceNumber": invoice["InvoiceNumber"],
                    "Contact": invoice["Contact"],
                    "LineItems": [{"Description": "x"}],
                }
            ]
        },
    )
    assert messages(again) == ["Invoice # must be unique."]


def test_it_follows_xeros_status_transitions(xero: Xero) -> None:
    invoice = new_invoice(xero)
    path = f"Invoices/{invoice['InvoiceID']}"
    approved = first(xero.post(path, {"Invoices": [{"Status": "AUTHORISED"}]}), "Invoices")
    assert approved["Status"] == "AUTHORISED"
    back = xero.post(path, {"Invoices": [{"Status": "DRAFT"}]})
    assert back.status_code == 400
    delete = xero.post(path, {"Status": "DELETED"})
    assert "void an AUTHORISED one instead" in messages(delete)[0]
    voided = first(xero.post(path, {"Status": "VOIDED"}), "Invoices")
    assert voided["Status"] == "VOIDED"
    assert voided["AmountDue"] == 0.0
    draft = new_invoice(xero)
    deleted = first(xero.post(f"Invoices/{draft['InvoiceID']}", {"Status": "DELETED"}), "Invoices")
    assert deleted["Status"] == "DELETED"


def test_it_records_and_reverses_payments(xero: Xero) -> None:
    invoice = new_invoice(xero)
    first(xero.post(f"Invoices/{invoice['InvoiceID']}", {"Status": "AUTHORISED"}), "Invoices")
    too_much = xero.put(
        "Payments",
        {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                    "Account": {"Code": "090"},
                    "Amount": 1000,
                }
            ]
        },
    )
    assert "exceeds the amount outstanding" in messages(too_much)[0]
    not_bank = xero.put(
        "Payments",
        {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                    "Account": {"Code": "200"},
                    "Amount": 10,
                }
            ]
        },
    )
    assert "does not accept payments" in messages(not_bank)[0]
    part = first(
        xero.put(
            "Payments",
            {
                "Payments": [
                    {
                        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                        "Account": {"Code": "090"},
                        "Amount": 100,
                        "Date": "2026-11-10",
                    }
                ]
            },
        ),
        "Payments",
    )
    rest = first(
        xero.post(
            "Payments",
            {
                "Invoice": {"InvoiceNumber": invoice["InvoiceNumber"]},
                "Account": {"Code": "090"},
                "Amount": 288.13,
            },
        ),
        "Payments",
    )
    paid = first(xero.get(f"Invoices/{invoice['InvoiceID']}"), "Invoices")
    assert paid["Status"] == "PAID"
    assert paid["AmountDue"] == 0.0
    assert len(paid["Payments"]) == 2
    void = xero.post(f"Invoices/{invoice['InvoiceID']}", {"Status": "VOIDED"})
    assert void.status_code == 400
    reversed_ = first(xero.post(f"Payments/{rest['PaymentID']}", {"Status": "DELETED"}), "Payments")
    assert reversed_["Status"] == "DELETED"
    again = first(xero.get(f"Invoices/{invoice['InvoiceID']}"), "Invoices")
    assert again["Status"] == "AUTHORISED"
    assert again["AmountDue"] == 288.13
    assert first(xero.get(f"Payments/{part['PaymentID']}"), "Payments")["Amount"] == 100.0
    listed = xero.get("Payments", params={"where": 'Status=="AUTHORISED"', "page": 1}).json()
    assert "pagination" in listed
    assert xero.get(f"Payments/{part['PaymentID']}/History").json()["HistoryRecords"]


def test_it_lists_invoices_with_every_parameter(xero: Xero) -> None:
    unpaged = xero.get("Invoices").json()["Invoices"]
    assert unpaged
    assert "LineItems" not in unpaged[0]  # an unpaged list carries no lines
    paged = xero.get("Invoices", params={"page": 1, "pageSize": 10}).json()
    assert len(paged["Invoices"]) == 10
    assert "LineItems" in paged["Invoices"][0]
    target = paged["Invoices"][0]
    assert [
        i["InvoiceID"]
        for i in xero.get("Invoices", params={"IDs": target["InvoiceID"]}).json()["Invoices"]
    ] == [target["InvoiceID"]]
    by_number = xero.get("Invoices", params={"InvoiceNumbers": target["InvoiceNumber"]}).json()[
        "Invoices"
    ]
    assert target["InvoiceID"] in {i["InvoiceID"] for i in by_number}
    by_contact = xero.get("Invoices", params={"ContactIDs": target["Contact"]["ContactID"]}).json()[
        "Invoices"
    ]
    assert all(i["Contact"]["ContactID"] == target["Contact"]["ContactID"] for i in by_contact)
    drafts = xero.get("Invoices", params={"Statuses": "DRAFT,SUBMITTED"}).json()["Invoices"]
    assert {i["Status"] for i in drafts} <= {"DRAFT", "SUBMITTED"}
    recent = xero.get(
        "Invoices",
        params={
            "where": 'Type=="ACCREC" AND Date >= DateTime(2026, 06, 01)',
            "order": "Total DESC",
        },
    ).json()["Invoices"]
    totals = [i["Total"] for i in recent]
    assert totals == sorted(totals, reverse=True)
    summary = xero.get("Invoices", params={"summaryOnly": "true"}).json()
    assert "pagination" in summary
    assert "LineItems" not in summary["Invoices"][0]
    mine = new_invoice(xero, Reference="MY-APP-REF")
    created_by_me = xero.get("Invoices", params={"createdByMyApp": "true"}).json()["Invoices"]
    assert [i["InvoiceID"] for i in created_by_me] == [mine["InvoiceID"]]
    searched = xero.get("Invoices", params={"searchTerm": "my-app-ref"}).json()["Invoices"]
    assert [i["InvoiceID"] for i in searched] == [mine["InvoiceID"]]


def test_it_rejects_an_unreadable_where_clause(xero: Xero) -> None:
    response = xero.get("Invoices", params={"where": 'Status=="DRAFT" AND ('})
    assert response.status_code == 400
    assert "could not be parsed" in messages(response)[0]


def test_it_emails_only_sendable_sales_invoices(xero: Xero) -> None:
    draft = new_invoice(xero)
    history = xero.get(f"Invoices/{draft['InvoiceID']}/History").json()["HistoryRecords"]
    assert history[0]["Changes"] == "Created"
    refused = xero.post(f"Invoices/{draft['InvoiceID']}/Email", {})
    assert refused.status_code == 400
    assert "approve it first" in messages(refused)[0]
    first(xero.post(f"Invoices/{draft['InvoiceID']}", {"Status": "AUTHORISED"}), "Invoices")
    contact = first(xero.get(f"Contacts/{draft['Contact']['ContactID']}"), "Contacts")
    sent = xero.post(f"Invoices/{draft['InvoiceID']}/Email", {})
    if contact.get("EmailAddress"):
        assert sent.status_code == 204
        assert (
            first(xero.get(f"Invoices/{draft['InvoiceID']}"), "Invoices")["SentToContact"] is True
        )
    else:
        assert "no email address" in messages(sent)[0]


def test_it_serves_online_invoice_links_and_pdfs(xero: Xero) -> None:
    invoice = new_invoice(xero)
    assert xero.get(f"Invoices/{invoice['InvoiceID']}/OnlineInvoice").status_code == 400  # a draft
    first(xero.post(f"Invoices/{invoice['InvoiceID']}", {"Status": "AUTHORISED"}), "Invoices")
    url = first(xero.get(f"Invoices/{invoice['InvoiceID']}/OnlineInvoice"), "OnlineInvoices")[
        "OnlineInvoiceUrl"
    ]
    assert invoice["InvoiceNumber"] in requests.get(url, timeout=10).text
    pdf = xero.get(f"Invoices/{invoice['InvoiceID']}/pdf", headers={"Accept": "application/pdf"})
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4")
    assert pdf.content.rstrip().endswith(b"%%EOF")


def test_it_stores_attachments_within_xeros_limits(xero: Xero) -> None:
    invoice = new_invoice(xero)
    base = f"Invoices/{invoice['InvoiceID']}/Attachments"
    put = xero.call(
        "PUT", f"{base}/receipt.txt", data=b"hello", headers={"Content-Type": "text/plain"}
    )
    attachment = first(put, "Attachments")
    assert attachment["ContentLength"] == 5
    download = xero.get(f"{base}/receipt.txt")
    assert download.content == b"hello"
    assert xero.get(f"{base}/{attachment['AttachmentID']}").content == b"hello"
    for n in range(9):
        xero.call("PUT", f"{base}/file{n}.txt", data=b"x", headers={"Content-Type": "text/plain"})
    eleventh = xero.call(
        "PUT", f"{base}/one-too-many.txt", data=b"x", headers={"Content-Type": "text/plain"}
    )
    assert eleventh.status_code == 400
    assert "at most 10 attachments" in messages(eleventh)[0]
    listed = xero.get(base).json()["Attachments"]
    assert len(listed) == 10
    bad_name = xero.call(
        "PUT", f"{base}/a+b.txt", data=b"x", headers={"Content-Type": "text/plain"}
    )
    assert bad_name.status_code == 400
    contact_id = invoice["Contact"]["ContactID"]
    big = xero.call(
        "PUT",
        f"Contacts/{contact_id}/Attachments/big.bin",
        data=b"0" * (10 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert big.status_code == 413


def test_it_answers_bad_input_as_xero_does(xero: Xero) -> None:
    malformed = xero.call(
        "PUT", "Invoices", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["Type"] == "ValidationException"
    wrong_shape = xero.put("Invoices", {"Invoices": "nope"})
    assert wrong_shape.status_code == 400
    unknown = xero.get(f"Invoices/{uuid.uuid4()}")
    assert unknown.status_code == 404
    # Xero's 404 is plain text, not JSON (Xero-OpenAPI issue #163).
    assert unknown.headers["Content-Type"].startswith("text/plain")
    assert unknown.text == "The resource you're looking for cannot be found"
    assert xero.get("Nonsense").status_code == 404
    assert xero.get("Organisations").json()["Organisations"][0]["OrganisationID"] == xero.tenant


def test_it_replays_idempotent_writes(xero: Xero) -> None:
    contact = first(xero.get("Contacts", params={"page": 1}), "Contacts")
    body = {
        "Invoices": [
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": contact["ContactID"]},
                "LineItems": [{"Description": "Once only", "UnitAmount": 10}],
            }
        ]
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    one = first(xero.put("Invoices", body, headers=key), "Invoices")
    two = first(xero.put("Invoices", body, headers=key), "Invoices")
    assert one["InvoiceID"] == two["InvoiceID"]
    assert (
        len(xero.get("Invoices", params={"searchTerm": one["InvoiceNumber"]}).json()["Invoices"])
        == 1
    )
    other = xero.put(
        "Invoices", {"Invoices": [{**body["Invoices"][0], "Reference": "changed"}]}, headers=key
    )
    assert other.status_code == 400
    assert "used with a different request" in messages(other)[0]


def writes(xero: Xero, *ids: str) -> dict:
    answer = requests.get(f"{xero.base}/_sandbox/writes", params={"ids": ",".join(ids)}, timeout=10)
    assert answer.status_code == 200
    return answer.json()


def test_it_counts_each_records_writes(xero: Xero) -> None:
    """The sandbox's own ledger of writes per record: a batch counts each of its records once,
    a replay under the same Idempotency-Key nothing, a refused row nothing, a note one."""
    drafts = [new_invoice(xero, Status="DRAFT") for _ in range(3)]
    ids = [d["InvoiceID"] for d in drafts]
    assert writes(xero, *ids)["records"] == dict.fromkeys(ids, 1)  # created
    approve = {"Invoices": [{"InvoiceID": i, "Status": "AUTHORISED"} for i in ids]}
    approve["Invoices"].append({"InvoiceID": str(uuid.uuid4()), "Status": "AUTHORISED"})
    key = {"Idempotency-Key": str(uuid.uuid4())}
    for _ in range(2):  # the second time is a retry of the same batch
        answer = xero.post("Invoices", approve, headers=key, params={"summarizeErrors": "false"})
        assert answer.status_code == 200, answer.text
    assert writes(xero, *ids)["records"] == dict.fromkeys(ids, 2)
    note = {"HistoryRecords": [{"Details": "Checked"}]}
    assert xero.put(f"Invoices/{ids[0]}/History", note).status_code == 200
    counted = writes(xero, *ids)
    assert counted["records"][ids[0]] == 3
    assert counted["most"] >= 3
    assert requests.post(f"{xero.base}/_sandbox/reset", timeout=30).status_code == 200
    assert writes(xero)["total"] == 0


def test_it_refuses_lines_xero_refuses(xero: Xero) -> None:
    contact = first(
        xero.get("Contacts", params={"where": 'ContactStatus=="ACTIVE"', "page": 1}), "Contacts"
    )

    def put(line: dict, kind: str = "ACCREC") -> list[str]:
        body = {
            "Type": kind,
            "Contact": {"ContactID": contact["ContactID"]},
            "LineItems": [{"Description": "Line", "Quantity": 1, "UnitAmount": 10, **line}],
        }
        answer = xero.put("Invoices", {"Invoices": [body]})
        return [] if answer.status_code == 200 else messages(answer)

    # A bank account is never a line's account.
    assert put({"AccountCode": "090"}) == [
        "Account code '090' is not a valid code for this document."
    ]
    # A rate on expenses cannot code a sale to revenue; a rate on income cannot code a cost.
    assert put({"AccountCode": "200", "TaxType": "INPUT2"}) == [
        "The TaxType code 'INPUT2' cannot be used with account code '200'."
    ]
    assert put({"AccountCode": "429", "TaxType": "OUTPUT2"}, "ACCPAY") == [
        "The TaxType code 'OUTPUT2' cannot be used with account code '429'."
    ]
    # The usual pairs, and an account's own rate when none is given, are fine.
    assert put({"AccountCode": "200", "TaxType": "OUTPUT2"}) == []
    assert put({"AccountCode": "429"}, "ACCPAY") == []


def test_no_header_a_client_may_send_gets_a_500(xero: Xero) -> None:
    """Every route, with the headers and parameters clients send that it may not expect."""
    # Hundreds of calls: the rate limits (a 429 is no 500 either) would hide the later routes.
    requests.post(f"{xero.base}/_sandbox/limits", json={"enabled": False}, timeout=10)
    invoice = first(xero.get("Invoices", params={"page": 1}), "Invoices")
    contact = first(xero.get("Contacts", params={"page": 1}), "Contacts")
    item = first(xero.get("Items"), "Items")
    account = first(xero.get("Accounts"), "Accounts")
    payment = first(xero.get("Payments", params={"page": 1}), "Payments")
    note = new_invoice(xero)  # something to credit
    credit = xero.put(
        "CreditNotes",
        {
            "CreditNotes": [
                {
                    "Type": "ACCRECCREDIT",
                    "Contact": {"ContactID": contact["ContactID"]},
                    "LineItems": [
                        {
                            "Description": "Refund",
                            "Quantity": 1,
                            "UnitAmount": 5,
                            "AccountCode": "200",
                        }
                    ],
                }
            ]
        },
    ).json()["CreditNotes"][0]
    routes = [
        "Organisation", "Organisations", "Currencies", "TaxRates", "Accounts",
        f"Accounts/{account['AccountID']}", "Contacts", f"Contacts/{contact['ContactID']}",
        f"Contacts/{contact['ContactID']}/History", f"Contacts/{contact['ContactID']}/Attachments",
        "Items", f"Items/{item['ItemID']}", f"Items/{item['ItemID']}/History", "Invoices",
        f"Invoices/{invoice['InvoiceID']}", f"Invoices/{invoice['InvoiceID']}/History",
        f"Invoices/{invoice['InvoiceID']}/Attachments", f"Invoices/{invoice['InvoiceID']}/OnlineInvoice",
        f"Invoices/{note['InvoiceID']}", "Payments", f"Payments/{payment['PaymentID']}",
        "CreditNotes", f"CreditNotes/{credit['CreditNoteID']}",
    ]  # fmt: skip
    variants = [
        {"If-Modified-Since": "Sat, 01 Nov 2025 00:00:00 GMT"},
        {"If-Modified-Since": "2025-11-01T00:00:00"},
        {"If-Modified-Since": "not a date"},
        {"Accept": "application/pdf"},
        {"Accept": "application/xml"},
        {"Accept": "text/csv, */*;q=0.1"},
        {"Accept-Encoding": "gzip", "Accept-Language": "fr-FR", "X-Unknown": "1"},
    ]
    for route in routes:
        for headers in variants:
            for params in ({}, {"unitdp": "4", "page": "1"}, {"unitdp": "x", "page": "-3"}):
                answer = requests.get(
                    f"{xero.base}/api.xro/2.0/{route}",
                    headers={
                        "Authorization": f"Bearer {xero.token}",
                        "xero-tenant-id": xero.tenant,
                        "Accept": "application/json",
                        **headers,
                    },
                    params=params,
                    timeout=30,
                )
                assert answer.status_code < 500, (route, headers, params, answer.text[:300])
                assert answer.status_code != 429


def test_it_answers_xml_unless_asked_for_json(xero: Xero) -> None:
    """Xero's default is XML: the same records, a collection's items named in the singular,
    dates as ISO date-times, errors as an ApiException."""
    from xml.etree import ElementTree

    bare = {"Authorization": f"Bearer {xero.token}", "xero-tenant-id": xero.tenant}
    routes = {
        "Organisation": ("Organisations", "Organisation", "OrganisationID"),
        "Currencies": ("Currencies", "Currency", "Code"),
        "TaxRates": ("TaxRates", "TaxRate", "TaxType"),
        "Accounts": ("Accounts", "Account", "AccountID"),
        "Contacts?page=1": ("Contacts", "Contact", "ContactID"),
        "Items": ("Items", "Item", "ItemID"),
        "Invoices?page=1": ("Invoices", "Invoice", "InvoiceID"),
        "Payments?page=1": ("Payments", "Payment", "PaymentID"),
    }
    for route, (key, item, id_field) in routes.items():
        as_json = xero.get(route).json()[key]
        answer = requests.get(f"{xero.base}/api.xro/2.0/{route}", headers=bare, timeout=30)
        assert answer.headers["Content-Type"].startswith("text/xml"), route
        root = ElementTree.fromstring(answer.content)
        records = root.findall(f"{key}/{item}")
        assert len(records) == len(as_json), route
        assert records[0].findtext(id_field) == str(as_json[0][id_field]), route
    invoice = ElementTree.fromstring(
        requests.get(f"{xero.base}/api.xro/2.0/Invoices?page=1", headers=bare, timeout=30).content
    ).find("Invoices/Invoice")
    assert invoice is not None
    assert invoice.findtext("LineItems/LineItem/LineItemID")
    assert (invoice.findtext("Date") or "").endswith("T00:00:00")
    refused = requests.put(
        f"{xero.base}/api.xro/2.0/Invoices",
        data="<Invoice><Type>NOPE</Type></Invoice>",
        headers={**bare, "Content-Type": "application/xml"},
        timeout=30,
    )
    assert refused.status_code == 400
    error = ElementTree.fromstring(refused.content)
    assert error.tag == "ApiException"
    assert error.findtext("Type") == "ValidationException"
