"""The community client pyxero, unchanged, against the sandbox: its own OAuth2 flow, and its
writes, which it sends as XML (contacts, items, invoices, payments, history)."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
import requests
from xero import Xero
from xero import auth as pyxero_auth
from xero.auth import OAuth2Credentials

from tests.sandbox.helpers import REDIRECT, SCOPES, WEB, offered_tenants


@pytest.fixture
def pyxero(xero_sandbox, monkeypatch) -> Xero:
    base = xero_sandbox.url
    # Where pyxero thinks Xero lives: its constants, pointed at the sandbox.
    monkeypatch.setattr(
        pyxero_auth, "XERO_OAUTH2_AUTHORIZE_URL", f"{base}/identity/connect/authorize"
    )
    monkeypatch.setattr(pyxero_auth, "XERO_OAUTH2_TOKEN_URL", f"{base}/connect/token")
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the sandbox is plain http on loopback
    credentials = OAuth2Credentials(WEB[0], WEB[1], callback_uri=REDIRECT, scope=SCOPES.split())
    credentials.base_url = base
    consent = requests.get(credentials.generate_url(), timeout=10).text
    form = dict(re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", consent))
    back = requests.post(
        f"{base}/identity/connect/authorize",
        data=[
            *form.items(),
            ("decision", "allow"),
            *(("tenant", t) for t in offered_tenants(consent)),
        ],
        allow_redirects=False,
        timeout=10,
    )
    credentials.verify(back.headers["Location"])
    credentials.set_default_tenant()
    return Xero(credentials)


def test_pyxero_writes_as_xml_and_reads_back(xero_sandbox, pyxero: Xero) -> None:
    org = xero_sandbox.sandbox.state.orgs[pyxero.contacts.credentials.tenant_id]
    contact = pyxero.contacts.put(
        {
            "Name": "XML Trading Ltd",
            "EmailAddress": "accounts@xml.example",
            "Addresses": [{"AddressType": "POBOX", "City": "Wellington"}],
        }
    )[0]
    stored = org.contacts[contact["ContactID"]]
    assert stored["Name"] == "XML Trading Ltd"
    assert stored["Addresses"][0]["City"] == "Wellington"
    item = pyxero.items.put(
        {
            "Code": "XMLWIDGET",
            "Name": "Widget",
            "SalesDetails": {"UnitPrice": "12.50", "AccountCode": "200"},
        }
    )[0]
    assert org.items[item["ItemID"]]["SalesDetails"]["UnitPrice"] == Decimal("12.50")
    invoice = pyxero.invoices.put(
        {
            "Type": "ACCREC",
            "Status": "AUTHORISED",
            "Date": date(2026, 11, 1),
            "DueDate": date(2026, 11, 30),
            "Contact": {"ContactID": contact["ContactID"]},
            "LineItems": [
                {
                    "Description": "Widgets",
                    "Quantity": "3",
                    "UnitAmount": "10.1234",
                    "AccountCode": "200",
                }
            ],
        }
    )[0]
    saved = org.invoices[invoice["InvoiceID"]]
    assert saved["LineItems"][0]["UnitAmount"] == Decimal("10.12")  # rounded: no unitdp
    bank = next(a for a in org.accounts.values() if a["Type"] == "BANK")
    pyxero.payments.put(
        {
            "Invoice": {"InvoiceID": invoice["InvoiceID"]},
            "Account": {"AccountID": bank["AccountID"]},
            "Amount": "10.00",
        }
    )
    assert org.invoices[invoice["InvoiceID"]]["AmountPaid"] == 10
    pyxero.invoices.put_history(invoice["InvoiceID"], "Sent by pyxero")
    assert any("Sent by pyxero" in str(h) for h in org.history[invoice["InvoiceID"]])
    assert pyxero.contacts.get(contact["ContactID"])[0]["Name"] == "XML Trading Ltd"
    # Attachments: uploaded as the file's own bytes, listed, and read back.
    pyxero.invoices.put_attachment(
        invoice["InvoiceID"], "remittance.txt", io.BytesIO(b"paid by pyxero"), "text/plain"
    )
    listed = pyxero.invoices.get_attachments(invoice["InvoiceID"])
    assert [a["FileName"] for a in listed["Attachments"]] == ["remittance.txt"]
    copy = io.BytesIO()
    pyxero.invoices.get_attachment(invoice["InvoiceID"], "remittance.txt", copy)
    assert copy.getvalue() == b"paid by pyxero"
