"""Problems a bookkeeper would chase, planted in an organisation's books on purpose: for the
demo (a dashboard that means something at first sight) and for tests of whatever finds them.

Each kind makes records as Xero would hold them (dated and stamped now, so that a client
reading what changed since its last look sees them) and answers which records it made:

- `stale_draft`: a draft sales invoice dated 45 to 200 days ago;
- `long_overdue`: an approved sales invoice of 1,500 to 9,000, due 75 to 300 days ago;
- `no_email`: a new customer with no e-mail address, owing on an approved invoice not yet due;
- `duplicate_contact`: a second contact named like an existing one (other case and
  punctuation, "Limited" for "Ltd"), with an e-mail address of its own;
- `duplicate_bill`: a supplier's bill entered twice, three days apart, with the same amount
  (under 1,000) and reference;
- `bill_no_attachment`: an approved bill of 1,500 to 9,000 with nothing attached.

Planted on tidy books (`seed(tidy=True)`), these are the only problems there are.
"""

from __future__ import annotations

import random
import re
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from xeroadmin.sandbox.books import ZERO, invoice_totals
from xeroadmin.sandbox.state import Org

KINDS = (
    "stale_draft",
    "long_overdue",
    "no_email",
    "duplicate_contact",
    "duplicate_bill",
    "bill_no_attachment",
)


class CannotPlant(ValueError):
    """The organisation has nothing left to plant this kind on (say, no contact whose name
    is still its own)."""


def plant(org: Org, kind: str, rng: random.Random, now: datetime) -> list[str]:
    """Plant one problem of `kind` in `org`; returns the ids of the records it is about."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    return PLANTERS[kind](org, rng, now)


def spread(
    orgs: list[Org], counts: dict[str, int], rng: random.Random, now: datetime
) -> list[dict[str, Any]]:
    """Plant `counts[kind]` problems of each kind over `orgs`, each in an organisation picked
    at random (another, if the one picked has no room left for that kind)."""
    unknown = set(counts) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kind {', '.join(sorted(unknown))}: one of {', '.join(KINDS)}")
    planted = []
    for kind, count in counts.items():
        for _ in range(count):
            order = rng.sample(orgs, len(orgs))
            for org in order:
                try:
                    records = plant(org, kind, rng, now)
                except CannotPlant:
                    continue
                planted.append({"kind": kind, "tenantId": org.id, "records": records})
                break
            else:
                raise CannotPlant(f"no organisation has room for another {kind}")
    return planted


def _active(org: Org, role: str) -> list[dict[str, Any]]:
    return [
        c
        for c in org.contacts.values()
        if c["ContactStatus"] == "ACTIVE" and c.get(role) and c.get("EmailAddress")
    ]


def _invoice(
    org: Org,
    rng: random.Random,
    now: datetime,
    contact: dict[str, Any],
    *,
    sales: bool,
    status: str,
    days_ago: int,
    due_in: int,
    amount: Decimal,
    reference: str = "",
) -> dict[str, Any]:
    """One invoice (or bill) of a single line worth `amount` before tax."""
    item = next(iter(org.items.values()))
    details = item["SalesDetails"] if sales else item["PurchaseDetails"]
    issued = now.date() - timedelta(days=days_ago)
    invoice_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    number = org.next_invoice_number() if sales else f"BILL-{rng.randint(10**5, 10**6)}"
    invoice: dict[str, Any] = {
        "InvoiceID": invoice_id,
        "Type": "ACCREC" if sales else "ACCPAY",
        "InvoiceNumber": number,
        "Reference": reference,
        "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
        "Date": issued,
        "DueDate": issued + timedelta(days=due_in),
        "Status": status,
        "LineAmountTypes": "Exclusive",
        "LineItems": [
            {
                "LineItemID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "Description": item["Description"],
                "Quantity": Decimal(1),
                "UnitAmount": amount,
                "ItemCode": item["Code"],
                "AccountCode": details["AccountCode"],
                "TaxType": details["TaxType"],
                "Tracking": [],
            }
        ],
        "AmountPaid": ZERO,
        "AmountCredited": ZERO,
        "CurrencyCode": org.currency,
        "CurrencyRate": Decimal(1),
        "SentToContact": False,
        "HasAttachments": False,
        "FullyPaidOnDate": None,
        "CreatedByClientID": None,
        "UpdatedDateUTC": now,
    }
    invoice_totals(org, invoice)
    org.invoices[invoice_id] = invoice
    return invoice


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _pick(rng: random.Random, contacts: list[dict[str, Any]], what: str) -> dict[str, Any]:
    if not contacts:
        raise CannotPlant(f"the organisation has no active {what} with an e-mail address")
    return rng.choice(contacts)


# The kinds that are one invoice or bill: (a sale, its status, dated so many days ago, due so
# many days after, worth from and to).
ONE_INVOICE = {
    "stale_draft": (True, "DRAFT", (45, 200), 14, (50, 900)),
    "long_overdue": (True, "AUTHORISED", (105, 330), 30, (1500, 9000)),
    "bill_no_attachment": (False, "AUTHORISED", (1, 25), 30, (1500, 9000)),
}


def _one_invoice(kind: str, org: Org, rng: random.Random, now: datetime) -> list[str]:
    sales, status, (first, last), due_in, (low, high) = ONE_INVOICE[kind]
    role, what = ("IsCustomer", "customer") if sales else ("IsSupplier", "supplier")
    contact = _pick(rng, _active(org, role), what)
    invoice = _invoice(
        org,
        rng,
        now,
        contact,
        sales=sales,
        status=status,
        days_ago=rng.randint(first, last),
        due_in=due_in,
        amount=_amount(rng, low, high),
    )
    return [invoice["InvoiceID"]]


def _no_email(org: Org, rng: random.Random, now: datetime) -> list[str]:
    contact_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    contact: dict[str, Any] = {
        "ContactID": contact_id,
        "ContactNumber": None,
        "AccountNumber": None,
        "ContactStatus": "ACTIVE",
        "Name": f"Counter Sale {rng.randint(10**4, 10**5)}",
        "FirstName": "",
        "LastName": "",
        "EmailAddress": "",
        "IsSupplier": False,
        "IsCustomer": True,
        "DefaultCurrency": org.currency,
        "Addresses": [],
        "Phones": [],
        "TaxNumber": None,
        "HasAttachments": False,
        "UpdatedDateUTC": now,
    }
    org.contacts[contact_id] = contact
    _invoice(
        org,
        rng,
        now,
        contact,
        sales=True,
        status="AUTHORISED",
        days_ago=rng.randint(0, 10),
        due_in=20,
        amount=_amount(rng, 50, 900),
    )
    return [contact_id]


def _name_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    return " ".join("ltd" if w == "limited" else w for w in words)


def _named_alike(name: str) -> str:
    """Another way of writing the same name: "Limited" for "Ltd" (or the other way), or
    capitals and a full stop."""
    if re.search(r"\bLtd\b", name):
        return re.sub(r"\bLtd\b", "Limited", name)
    if re.search(r"\bLimited\b", name):
        return re.sub(r"\bLimited\b", "LTD.", name)
    return f"{name.upper()}."


def _duplicate_contact(org: Org, rng: random.Random, now: datetime) -> list[str]:
    active = [c for c in org.contacts.values() if c["ContactStatus"] == "ACTIVE"]
    taken = Counter(_name_key(c["Name"]) for c in active)
    own = [c for c in active if taken[_name_key(c["Name"])] == 1 and c.get("EmailAddress")]
    original = _pick(rng, own, "contact with a name of its own")
    contact_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    user, _, domain = original["EmailAddress"].partition("@")
    org.contacts[contact_id] = {
        **original,
        "ContactID": contact_id,
        "ContactNumber": None,
        "Name": _named_alike(original["Name"]),
        "EmailAddress": f"{user}.{rng.randint(10, 99)}@{domain}",
        "UpdatedDateUTC": now,
    }
    return sorted([original["ContactID"], contact_id])


def _duplicate_bill(org: Org, rng: random.Random, now: datetime) -> list[str]:
    supplier = _pick(rng, _active(org, "IsSupplier"), "supplier")
    amount = _amount(rng, 40, 800)
    reference = f"INV {rng.randint(1000, 99999)}"
    days_ago = rng.randint(5, 60)
    made = [
        _invoice(
            org,
            rng,
            now,
            supplier,
            sales=False,
            status="AUTHORISED",
            days_ago=ago,
            due_in=20,
            amount=amount,
            reference=reference,
        )
        for ago in (days_ago + 3, days_ago)
    ]
    return sorted(bill["InvoiceID"] for bill in made)


PLANTERS: dict[str, Callable[[Org, random.Random, datetime], list[str]]] = {
    **{kind: partial(_one_invoice, kind) for kind in ONE_INVOICE},
    "no_email": _no_email,
    "duplicate_contact": _duplicate_contact,
    "duplicate_bill": _duplicate_bill,
}
