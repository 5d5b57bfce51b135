"""Writes to an organisation's books: through Xero first, then the mirror from Xero's answer.

Every write sends an Idempotency-Key, refuses to overwrite a record changed in Xero since the
user loaded it, is recorded as activity with its actor and, when the workspace wants it, is
noted in the record's History and Notes in Xero.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError

from xeroadmin.accounts.models import User
from xeroadmin.activity.services import activity_record
from xeroadmin.books import mirror, panels
from xeroadmin.books.history import note_signature
from xeroadmin.books.models import Account, Contact, Invoice, Item
from xeroadmin.connections.clients import tenant_client
from xeroadmin.connections.models import Tenant
from xeroadmin.lib import exactjson
from xeroadmin.xero.client import XeroClient
from xeroadmin.xero.dates import parse_datetime
from xeroadmin.xero.errors import XeroError, XeroNotFound, XeroValidationError

logger = logging.getLogger(__name__)

# What each guarded action needs, and Xero's reason when it is not allowed.
ACTIONS: dict[str, tuple[str, set[str], str]] = {
    "approve": (
        "AUTHORISED",
        {"DRAFT", "SUBMITTED"},
        "Only a draft or one awaiting approval can be approved.",
    ),
    "void": (
        "VOIDED",
        {"AUTHORISED"},
        "Only an approved invoice awaiting payment can be voided; delete a draft instead.",
    ),
    "delete": (
        "DELETED",
        {"DRAFT", "SUBMITTED"},
        "Only a draft or one awaiting approval can be deleted; void an approved one instead.",
    ),
}
VERBS = {"approve": "approved", "void": "voided", "delete": "deleted"}


class Conflict(Exception):
    """The record changed in Xero since the page was loaded."""

    def __init__(self, changed_at: datetime | None) -> None:
        self.changed_at = changed_at
        when = f" at {changed_at:%d %b %Y %H:%M} UTC" if changed_at else ""
        super().__init__(
            f"This record was changed in Xero{when}, after you opened it. "
            "Review the current version, then try again."
        )


RecordT = TypeVar("RecordT")


@dataclass
class Written(Generic[RecordT]):
    """What a write saved (as the mirror now has it) and any waits Xero asked for."""

    record: RecordT
    waits: list[str]


def invoice_guard(invoice: Invoice, action: str) -> str | None:
    """Why the action is not allowed on this invoice (Xero's rule), or None."""
    _, allowed, reason = ACTIONS[action]
    if invoice.status not in allowed:
        return f"{reason} This one is {invoice.status.lower()}."
    if action == "void" and invoice.amount_paid > Decimal("0"):
        return "Payments have been applied to this invoice: reverse them before voiding it."
    return None


def invoice_action(
    *,
    tenant: Tenant,
    invoice: Invoice,
    action: str,
    actor: User,
    seen: datetime | None,
) -> Written[Invoice]:
    """Approve, void or delete an invoice in Xero, guarded, then update the mirror."""
    if action not in ACTIONS:
        raise ValidationError("Unknown action.")
    reason = invoice_guard(invoice, action)
    if reason:
        raise ValidationError(reason)
    client = tenant_client(tenant, purpose="write")
    path = f"Invoices/{invoice.xero_id}"
    check_unchanged(client, tenant, path, "Invoices", seen, mirror.invoices_upsert)
    status = ACTIONS[action][0]
    answer = client.post(
        f"Invoices/{invoice.xero_id}",
        {"Invoices": [{"InvoiceID": invoice.xero_id, "Status": status}]},
        idempotency_key=new_key(),
    )
    updated = _mirror_invoice(tenant, answer)
    summary = (
        f"Invoice {updated.number or '(draft)'} for {updated.contact_name} "
        f"{VERBS[action]} by {actor.email}"
    )
    record_activity(tenant, actor, "invoice", action, summary, updated)
    write_note(
        client, tenant, f"Invoices/{updated.xero_id}", f"{VERBS[action].capitalize()}", actor
    )
    return Written(updated, [str(w) for w in client.waits])


def check_unchanged(
    client: XeroClient, tenant: Tenant, path: str, key: str, seen: datetime | None, upsert: Any
) -> None:
    """Refuse to write over a change made in Xero since the user loaded the page (`seen`);
    the mirror takes Xero's newer copy, so the user's next look shows it."""
    if seen is None:
        return
    current = (client.get(path) or {}).get(key) or [{}]
    changed = parse_datetime(current[0].get("UpdatedDateUTC"))
    if changed is not None and changed > seen:
        upsert(tenant, current)
        raise Conflict(changed)


def _mirror_invoice(tenant: Tenant, answer: Any) -> Invoice:
    records = (answer or {}).get("Invoices") or []
    if not records:
        raise XeroError("Xero's answer held no invoice.")
    found = mirror.invoices_upsert(tenant, records)
    return Invoice.objects.get(pk=next(iter(found.values())))


def record_activity(
    tenant: Tenant, actor: User, category: str, action: str, summary: str, record: Any
) -> None:
    activity_record(
        workspace=tenant.workspace_id,
        tenant=tenant,
        category=category,
        action=action,
        summary=summary,
        actor=actor,
        data={"record": getattr(record, "xero_id", ""), "type": category},
    )


def write_note(client: XeroClient, tenant: Tenant, path: str, what: str, actor: User) -> None:
    """ "Edited in xeroadmin by …" in the record's History and Notes, if the workspace wants it.

    A failure here does not undo the edit (it is done): it is logged and left.
    """
    if not tenant.workspace.history_notes:
        return
    try:
        client.put(
            f"{path}/History",
            {"HistoryRecords": [{"Details": f"{what} in xeroadmin by {actor.email}"[:250]}]},
            idempotency_key=new_key(),
        )
    except XeroError as error:
        logger.info("Could not add a history note to %s: %s", path, error)


def new_key() -> str:
    return uuid.uuid4().hex


# ------------------------------------------------------------------ payments and e-mail


def payment_accounts(*, tenant: Tenant) -> list[Any]:
    """The accounts a payment can be recorded against: bank accounts and payment-enabled ones."""
    from django.db.models import Q

    return list(
        Account.objects.filter(tenant=tenant, status="ACTIVE")
        .filter(Q(type="BANK") | Q(enable_payments=True))
        .order_by("code", "name")
    )


def payment_record(
    *,
    tenant: Tenant,
    invoice: Invoice,
    actor: User,
    account_xero_id: str,
    paid_on: Any,
    amount: Decimal,
    reference: str = "",
) -> Written[Invoice]:
    """Record a payment against an approved invoice (at most what is due)."""
    if invoice.status != "AUTHORISED":
        raise ValidationError(
            f"Payments can only be recorded against approved invoices; this one is "
            f"{invoice.status.lower()}."
        )
    if amount <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})
    if amount > invoice.amount_due:
        raise ValidationError(
            {"amount": f"The amount can be at most what is due: {invoice.amount_due:,.2f}."}
        )
    if account_xero_id not in {a.xero_id for a in payment_accounts(tenant=tenant)}:
        raise ValidationError({"account": "Choose a bank account or one that accepts payments."})
    client = tenant_client(tenant, purpose="write")
    answer = client.put(
        "Payments",
        {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice.xero_id},
                    "Account": {"AccountID": account_xero_id},
                    "Date": paid_on.isoformat(),
                    "Amount": str(amount),
                    "Reference": reference,
                }
            ]
        },
        idempotency_key=new_key(),
    )
    updated = _refresh_invoice(client, tenant, invoice)
    mirror.payments_upsert(tenant, (answer or {}).get("Payments") or [])
    record_activity(
        tenant,
        actor,
        "payment",
        "recorded",
        f"Payment of {amount:,.2f} recorded on invoice {updated.number} for "
        f"{updated.contact_name} by {actor.email}",
        updated,
    )
    write_note(
        client, tenant, f"Invoices/{updated.xero_id}", f"Payment of {amount:,.2f} recorded", actor
    )
    return Written(updated, [str(w) for w in client.waits])


def payment_reverse(*, tenant: Tenant, payment: Any, actor: User) -> Written[Invoice]:
    """Reverse (delete) a payment in Xero; the invoice becomes due again."""
    if payment.status == "DELETED":
        raise ValidationError("This payment has already been reversed.")
    client = tenant_client(tenant, purpose="write")
    answer = client.post(
        f"Payments/{payment.xero_id}",
        {"Payments": [{"PaymentID": payment.xero_id, "Status": "DELETED"}]},
        idempotency_key=new_key(),
    )
    mirror.payments_upsert(tenant, (answer or {}).get("Payments") or [])
    invoice = payment.invoice
    if invoice is None:
        raise XeroError("The payment's invoice is not in the mirror yet.")
    updated = _refresh_invoice(client, tenant, invoice)
    record_activity(
        tenant,
        actor,
        "payment",
        "reversed",
        f"Payment of {payment.amount:,.2f} on invoice {updated.number} reversed by {actor.email}",
        updated,
    )
    write_note(client, tenant, f"Invoices/{updated.xero_id}", "Payment reversed", actor)
    return Written(updated, [str(w) for w in client.waits])


def invoice_email(*, tenant: Tenant, invoice: Invoice, actor: User) -> Written[Invoice]:
    """Have Xero e-mail a sales invoice to its contact."""
    reason = email_guard(invoice)
    if reason:
        raise ValidationError(reason)
    client = tenant_client(tenant, purpose="write")
    client.post(f"Invoices/{invoice.xero_id}/Email", {}, idempotency_key=new_key())
    updated = _refresh_invoice(client, tenant, invoice)
    record_activity(
        tenant,
        actor,
        "invoice",
        "emailed",
        f"Invoice {updated.number} e-mailed to {updated.contact_name} by {actor.email}",
        updated,
    )
    return Written(updated, [str(w) for w in client.waits])


def email_guard(invoice: Invoice) -> str | None:
    """Why Xero would not e-mail this invoice, or None."""
    if invoice.type != Invoice.Type.SALES:
        return "Only sales invoices can be e-mailed; this is a bill."
    if invoice.status not in ("SUBMITTED", "AUTHORISED", "PAID"):
        return f"A {invoice.status.lower()} invoice cannot be e-mailed; approve it first."
    return None


def _refresh_invoice(client: XeroClient, tenant: Tenant, invoice: Invoice) -> Invoice:
    """The invoice as Xero now has it (status, amounts, payments), into the mirror."""
    return _mirror_invoice(tenant, client.get(f"Invoices/{invoice.xero_id}"))


# ------------------------------------------------------------------ contacts

# Form field ↔ Xero field, so that Xero's messages land beside the right input.
CONTACT_FIELDS = {
    "name": "Name",
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "EmailAddress",
    "contact_number": "ContactNumber",
}


def contact_save(
    *,
    tenant: Tenant,
    contact: Contact | None,
    actor: User,
    data: dict[str, str],
    addresses: list[dict[str, str]] | None = None,
    phones: list[dict[str, str]] | None = None,
    seen: datetime | None = None,
) -> Written[Contact]:
    """Create a contact, or update one (refusing to overwrite a change made in Xero).

    `addresses` and `phones` (Xero's shapes) replace those of the same type; the contact's
    others (a fax number, say) are kept. A blank one clears what the contact had.
    """
    body: dict[str, Any] = {
        xero: data.get(field, "") for field, xero in CONTACT_FIELDS.items() if field in data
    }
    raw = (contact.raw or {}) if contact is not None else {}
    for key, kind, given in (
        ("Addresses", "AddressType", addresses),
        ("Phones", "PhoneType", phones),
    ):
        if given is None:
            continue
        had = [entry for entry in raw.get(key) or [] if isinstance(entry, dict)]
        had_types = {entry.get(kind) for entry in had}
        sent = [
            entry
            for entry in given
            if entry[kind] in had_types or any(v for k, v in entry.items() if k != kind)
        ]
        sent_types = {entry[kind] for entry in sent}
        body[key] = [*sent, *(entry for entry in had if entry.get(kind) not in sent_types)]
    client = tenant_client(tenant, purpose="write")
    try:
        if contact is None:
            answer = client.put("Contacts", {"Contacts": [body]}, idempotency_key=new_key())
        else:
            path = f"Contacts/{contact.xero_id}"
            check_unchanged(client, tenant, path, "Contacts", seen, mirror.contacts_upsert)
            answer = client.post(
                f"Contacts/{contact.xero_id}",
                {"Contacts": [{"ContactID": contact.xero_id, **body}]},
                idempotency_key=new_key(),
            )
    except XeroValidationError as error:
        raise _field_errors(error, CONTACT_FIELDS) from None
    found = mirror.contacts_upsert(tenant, (answer or {}).get("Contacts") or [])
    saved = Contact.objects.get(pk=next(iter(found.values())))
    verb = "created" if contact is None else "updated"
    record_activity(
        tenant, actor, "contact", verb, f"Contact {saved.name} {verb} by {actor.email}", saved
    )
    write_note(client, tenant, f"Contacts/{saved.xero_id}", verb.capitalize(), actor)
    return Written(saved, [str(w) for w in client.waits])


def contact_archive(
    *, tenant: Tenant, contact: Contact, actor: User, archive: bool
) -> Written[Contact]:
    """Archive a contact, or restore an archived one."""
    status = "ARCHIVED" if archive else "ACTIVE"
    client = tenant_client(tenant, purpose="write")
    try:
        answer = client.post(
            f"Contacts/{contact.xero_id}",
            {"Contacts": [{"ContactID": contact.xero_id, "ContactStatus": status}]},
            idempotency_key=new_key(),
        )
    except XeroValidationError as error:
        raise ValidationError(" ".join(error.messages)) from None
    mirror.contacts_upsert(tenant, (answer or {}).get("Contacts") or [])
    contact.refresh_from_db()
    verb = "archived" if archive else "restored"
    record_activity(
        tenant, actor, "contact", verb, f"Contact {contact.name} {verb} by {actor.email}", contact
    )
    return Written(contact, [str(w) for w in client.waits])


def _field_errors(error: XeroValidationError, fields: dict[str, str]) -> ValidationError:
    """Xero's messages as a form's errors: beside the field they are about, else on top."""
    by_xero = {xero: field for field, xero in fields.items()}
    found: dict[str, list[str]] = {}
    for element in error.elements:
        for xero_field, texts in element.fields.items():
            target = by_xero.get(xero_field, "__all__")
            found.setdefault(target, []).extend(texts)
        if element.general:
            found.setdefault("__all__", []).extend(element.general)
        for texts in element.lines.values():
            found.setdefault("__all__", []).extend(texts)
    if not found:
        found["__all__"] = [str(error)]
    return ValidationError({k: [ValidationError(t) for t in v] for k, v in found.items()})


# ------------------------------------------------------------------ items and accounts

ITEM_FIELDS = {
    "code": "Code",
    "name": "Name",
    "description": "Description",
    "unit_price": "UnitPrice",
    "account_code": "AccountCode",
    "tax_type": "TaxType",
}
ACCOUNT_FIELDS = {"code": "Code", "name": "Name", "type": "Type", "tax_type": "TaxType"}


def item_save(
    *,
    tenant: Tenant,
    item: Any | None,
    actor: User,
    data: dict[str, Any],
    seen: datetime | None = None,
) -> Any:
    """Create or update an item in Xero (code, name, description and its sales details)."""

    sales: dict[str, Any] = {}
    if data.get("unit_price") is not None:
        sales["UnitPrice"] = str(data["unit_price"])
    if data.get("account_code"):
        sales["AccountCode"] = data["account_code"]
    if data.get("tax_type"):
        sales["TaxType"] = data["tax_type"]
    body: dict[str, Any] = {
        "Code": data["code"],
        "Name": data.get("name", ""),
        "Description": data.get("description", ""),
        "SalesDetails": sales,
    }
    client = tenant_client(tenant, purpose="write")
    try:
        if item is None:
            answer = client.put("Items", {"Items": [body]}, idempotency_key=new_key())
        else:
            path = f"Items/{item.xero_id}"
            check_unchanged(client, tenant, path, "Items", seen, mirror.items_upsert)
            answer = client.post(
                f"Items/{item.xero_id}",
                {"Items": [{"ItemID": item.xero_id, **body}]},
                idempotency_key=new_key(),
            )
    except XeroValidationError as error:
        raise _field_errors(error, ITEM_FIELDS) from None
    found = mirror.items_upsert(tenant, (answer or {}).get("Items") or [])
    saved = Item.objects.get(pk=next(iter(found.values())))
    verb = "created" if item is None else "updated"
    record_activity(
        tenant, actor, "item", verb, f"Item {saved.code} {verb} by {actor.email}", saved
    )
    write_note(client, tenant, f"Items/{saved.xero_id}", verb.capitalize(), actor)
    return saved


def item_delete(*, tenant: Tenant, item: Any, actor: User) -> None:
    """Delete an item in Xero (Xero refuses for tracked items with stock; its reason is shown)."""
    client = tenant_client(tenant, purpose="write")
    try:
        client.delete(f"Items/{item.xero_id}")
    except XeroValidationError as error:
        raise ValidationError(" ".join(error.messages)) from None
    record_activity(
        tenant, actor, "item", "deleted", f"Item {item.code} deleted by {actor.email}", item
    )
    item.delete()


def account_save(
    *,
    tenant: Tenant,
    account: Any | None,
    actor: User,
    data: dict[str, Any],
    seen: datetime | None = None,
) -> Any:
    """Create or update an account of the chart of accounts (Xero adds them one at a time)."""

    body = {xero: data[field] for field, xero in ACCOUNT_FIELDS.items() if data.get(field)}
    client = tenant_client(tenant, purpose="write")
    try:
        if account is None:
            answer = client.put("Accounts", {"Accounts": [body]}, idempotency_key=new_key())
        else:
            path = f"Accounts/{account.xero_id}"
            check_unchanged(client, tenant, path, "Accounts", seen, mirror.accounts_upsert)
            body.pop("Type", None)  # an account's type is fixed once created
            answer = client.post(
                f"Accounts/{account.xero_id}",
                {"Accounts": [{"AccountID": account.xero_id, **body}]},
                idempotency_key=new_key(),
            )
    except XeroValidationError as error:
        raise _field_errors(error, ACCOUNT_FIELDS) from None
    found = mirror.accounts_upsert(tenant, (answer or {}).get("Accounts") or [])
    saved = Account.objects.get(pk=next(iter(found.values())))
    verb = "created" if account is None else "updated"
    record_activity(
        tenant, actor, "account", verb, f"Account {saved} {verb} by {actor.email}", saved
    )
    return saved


def account_retire(*, tenant: Tenant, account: Any, actor: User, delete: bool) -> None:
    """Archive an account, or delete it (Xero deletes only accounts never used; else archive)."""
    if account.system_account:
        raise ValidationError("System accounts cannot be archived or deleted.")
    client = tenant_client(tenant, purpose="write")
    try:
        if delete:
            client.delete(f"Accounts/{account.xero_id}")
        else:
            answer = client.post(
                f"Accounts/{account.xero_id}",
                {"Accounts": [{"AccountID": account.xero_id, "Status": "ARCHIVED"}]},
                idempotency_key=new_key(),
            )
            mirror.accounts_upsert(tenant, (answer or {}).get("Accounts") or [])
    except XeroValidationError as error:
        raise ValidationError(" ".join(error.messages)) from None
    verb = "deleted" if delete else "archived"
    record_activity(
        tenant, actor, "account", verb, f"Account {account} {verb} by {actor.email}", account
    )
    if delete:
        account.delete()


# ------------------------------------------------------------------ draft invoices

INVOICE_FIELDS = {
    "contact": "Contact",
    "date": "Date",
    "due_date": "DueDate",
    "reference": "Reference",
    "currency_code": "CurrencyCode",
}
EDITABLE = {"DRAFT", "SUBMITTED"}


class DraftRejected(Exception):
    """Xero refused the draft: its messages for the header fields and for each line."""

    def __init__(self, header: ValidationError, lines: dict[int, list[str]]) -> None:
        super().__init__(str(header))
        self.header = header
        self.lines = lines


def rejected(error: XeroValidationError, fields: dict[str, str]) -> DraftRejected:
    """Xero's refusal of a document with lines: its messages beside the header's fields
    (`fields`: form field -> Xero's name) and beside each line it names."""
    lines_errors: dict[int, list[str]] = {}
    for element in error.elements:
        for number, texts in element.lines.items():
            lines_errors.setdefault(number, []).extend(texts)
    return DraftRejected(_field_errors(_without_lines(error), fields), lines_errors)


def line_body(line: dict[str, Any]) -> dict[str, Any]:
    """One editor line as Xero's LineItem (what is blank left out)."""
    return {
        key: value
        for key, value in {
            "Description": line.get("description") or "",
            "Quantity": str(line["quantity"]),
            "UnitAmount": str(line["unit_amount"]),
            "ItemCode": line.get("item_code") or None,
            "AccountCode": line["account_code"],
            "TaxType": line["tax_type"],
            "Tracking": line.get("tracking") or None,
        }.items()
        if value is not None
    }


def invoice_save(
    *,
    tenant: Tenant,
    invoice: Invoice | None,
    actor: User,
    header: dict[str, Any],
    lines: list[dict[str, Any]],
    seen: datetime | None = None,
) -> Written[Invoice]:
    """Create a draft invoice, or edit one still a draft (or awaiting approval)."""
    if invoice is not None and invoice.status not in EDITABLE:
        raise ValidationError(
            f"Only drafts and invoices awaiting approval can be edited; this one is "
            f"{invoice.status.lower()}."
        )
    body: dict[str, Any] = {
        "Type": header["type"],
        "Contact": {"ContactID": header["contact"]},
        "Date": header["date"].isoformat(),
        "DueDate": header["due_date"].isoformat(),
        "Reference": header.get("reference") or "",
        "CurrencyCode": header["currency_code"],
        "LineAmountTypes": header["line_amount_types"],
        "LineItems": [line_body(line) for line in lines],
    }
    client = tenant_client(tenant, purpose="write")
    try:
        if invoice is None:
            body["Status"] = "DRAFT"
            answer = client.put("Invoices", {"Invoices": [body]}, idempotency_key=new_key())
        else:
            path = f"Invoices/{invoice.xero_id}"
            check_unchanged(client, tenant, path, "Invoices", seen, mirror.invoices_upsert)
            answer = client.post(
                f"Invoices/{invoice.xero_id}",
                {"Invoices": [{"InvoiceID": invoice.xero_id, **body}]},
                idempotency_key=new_key(),
            )
    except XeroValidationError as error:
        raise rejected(error, INVOICE_FIELDS) from None
    saved = _mirror_invoice(tenant, answer)
    verb = "created" if invoice is None else "edited"
    record_activity(
        tenant,
        actor,
        "invoice",
        verb,
        f"Draft invoice {saved.number or ''} for {saved.contact_name} {verb} by {actor.email}".replace(
            "  ", " "
        ),
        saved,
    )
    write_note(client, tenant, f"Invoices/{saved.xero_id}", verb.capitalize(), actor)
    return Written(saved, [str(w) for w in client.waits])


def _without_lines(error: XeroValidationError) -> XeroValidationError:
    """The same error with the line messages taken out (they go beside their lines)."""
    from xeroadmin.xero.errors import ElementErrors

    return XeroValidationError(
        [
            ElementErrors(e.index, e.messages, e.fields, {}, e.general)
            for e in error.elements
            if e.fields or e.general
        ]
    )


# ------------------------------------------------------------------ documents: notes, files


MAX_NOTE = 2500
MAX_ATTACHMENT = 10 * 1024 * 1024  # Xero's documented 10 MB
BAD_FILENAME = set('<>:"/\\|?*+\0')


def note_add(*, tenant: Tenant, record_path: str, record: Any, text: str, actor: User) -> None:
    """Add a note to a record's History and Notes in Xero."""
    text = text.strip()
    if not text:
        raise ValidationError({"note": "Write the note first."})
    # Xero keeps notes of up to 2,500 characters; the author's signature is part of it.
    room = MAX_NOTE - len(note_signature("", actor.email))
    if len(text) > room:
        raise ValidationError({"note": f"A note can be at most {room:,} characters."})
    client = tenant_client(tenant, purpose="write")
    try:
        client.put(
            f"{record_path}/History",
            {"HistoryRecords": [{"Details": note_signature(text, actor.email)}]},
            idempotency_key=new_key(),
        )
    except XeroValidationError as error:
        raise ValidationError({"note": error.messages}) from None
    panels.panel_forget(tenant=tenant, record_path=record_path)
    record_activity(
        tenant,
        actor,
        "note",
        "added",
        f"Note added to {record} by {actor.email}: {text[:80]}",
        record,
    )


def attachment_upload(
    *,
    tenant: Tenant,
    record_path: str,
    record: Any,
    name: str,
    data: bytes,
    content_type: str,
    actor: User,
) -> None:
    """Attach a file in Xero (same name replaces, as Xero does)."""
    if not data:
        raise ValidationError({"file": "The file is empty."})
    if len(data) > MAX_ATTACHMENT:
        raise ValidationError({"file": "Xero accepts files of up to 10 MB."})
    clean = "".join("_" if ch in BAD_FILENAME else ch for ch in name).strip() or "attachment"
    client = tenant_client(tenant, purpose="write")
    try:
        client.request(
            "PUT",
            panels.attachment_path(record_path, clean),
            content=data,
            headers={"Content-Type": content_type or "application/octet-stream"},
            idempotency_key=new_key(),
        )
    except XeroValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    panels.panel_forget(tenant=tenant, record_path=record_path)
    record_activity(
        tenant,
        actor,
        "attachment",
        "added",
        f"{clean} attached to {record} by {actor.email}",
        record,
    )


def attachment_download(
    *, tenant: Tenant, record_path: str, record: Any, name: str
) -> tuple[bytes, str, str]:
    """One of the record's own attachments: its bytes, content type and file name. A name the
    record has no attachment by is refused before anything is asked of Xero."""
    found = panels.attachment_find(tenant=tenant, record_path=record_path, record=record, name=name)
    if found is None:
        raise XeroNotFound(f"{record} has no attachment called “{name[:100]}”.")
    answer = tenant_client(tenant, purpose="read").request(
        "GET", panels.attachment_path(record_path, name), headers={"Accept": "*/*"}
    )
    content_type = answer.headers.get("Content-Type") or found.get("MimeType") or ""
    return answer.content, content_type or "application/octet-stream", name


def invoice_pdf(*, tenant: Tenant, invoice: Invoice) -> bytes:
    answer = tenant_client(tenant, purpose="read").request(
        "GET", f"Invoices/{invoice.xero_id}", headers={"Accept": "application/pdf"}
    )
    return answer.content


def invoice_online_url(*, tenant: Tenant, invoice: Invoice) -> str:
    body = (
        tenant_client(tenant, purpose="read").get(f"Invoices/{invoice.xero_id}/OnlineInvoice") or {}
    )
    found = body.get("OnlineInvoices") or [{}]
    return str(found[0].get("OnlineInvoiceUrl") or "")


# ------------------------------------------------------------------ the raw request console


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: str
    elapsed_ms: float


def raw_request(
    *, tenant: Tenant, actor: User, method: str, path: str, query: str, body: str
) -> RawAnswer:
    """Any Accounting API call, through the same client (governor, token renewal, retries),
    recorded in the feed. The path is relative to the API base; nothing else can be reached."""
    from urllib.parse import parse_qsl

    method = method.upper()
    if method not in {"GET", "POST", "PUT", "DELETE"}:
        raise ValidationError({"method": "Use GET, POST, PUT or DELETE."})
    path = path.strip().lstrip("/")
    if not path or "://" in path or ".." in path or path.startswith("/"):
        raise ValidationError(
            {"path": "Give a path under the API base, such as Invoices or Contacts/…"}
        )
    path, _, inline_query = path.partition("?")
    params = parse_qsl("&".join(q for q in (inline_query, query.strip().lstrip("?")) if q))
    payload: Any = None
    if body.strip():
        if method in ("GET", "DELETE"):
            raise ValidationError({"body": f"A {method} request has no body."})
        try:
            payload = exactjson.loads(body)
        except ValueError as error:
            raise ValidationError({"body": f"The body is not valid JSON: {error}."}) from None
        except RecursionError:
            raise ValidationError({"body": "The body is nested too deeply to send."}) from None
    client = tenant_client(tenant, purpose="read" if method == "GET" else "write")
    answer = client.request(
        method,
        path,
        params=params,
        json_body=payload,
        idempotency_key=new_key() if method in ("POST", "PUT") else None,
        answer_errors=True,
    )
    try:
        text = (
            exactjson.dumps(answer.json(), indent=2, ensure_ascii=False) if answer.content else ""
        )
    except XeroError:
        text = answer.content[:20000].decode(errors="replace")
    record_activity(
        tenant,
        actor,
        "raw",
        method.lower(),
        f"Raw request {method} {path} → {answer.status} by {actor.email}",
        None,
    )
    shown = {k: v for k, v in answer.headers.items() if k.lower() not in ("set-cookie",)}
    return RawAnswer(answer.status, shown, text, answer.elapsed_ms)
