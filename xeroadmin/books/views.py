"""The books pages: per organisation, server-rendered, with htmx partials for live parts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.accounts.models import User
from xeroadmin.activity.feeds import feed_response
from xeroadmin.activity.models import ActivityEvent
from xeroadmin.activity.selectors import activity_list
from xeroadmin.books import drafts, panels, selectors, services
from xeroadmin.books.access import organisation_for, organisation_list
from xeroadmin.books.forms import (
    ACCOUNT_TYPES,
    CONTACT_GROUPS,
    STATUS_TABS,
    AccountForm,
    AttachmentForm,
    ContactForm,
    InvoiceFilterForm,
    InvoiceHeaderForm,
    InvoiceLineForm,
    ItemForm,
    NoteForm,
    PaymentFilterForm,
    PaymentForm,
    RawRequestForm,
)
from xeroadmin.books.models import (
    Account,
    Contact,
    Currency,
    Invoice,
    Item,
    Payment,
    RecordPanel,
    TaxRate,
)
from xeroadmin.books.sync import sync_request
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.forms import add_errors
from xeroadmin.lib.http import HtmxHttpRequest
from xeroadmin.tenancy.access import workspace_membership
from xeroadmin.tenancy.models import Membership, Role
from xeroadmin.xero.dates import parse_datetime
from xeroadmin.xero.errors import XeroError, XeroRateLimited, XeroValidationError

PAGE_SIZE = 50
# Pages that exist for every organisation, so the switcher can keep the user on them.
SWITCHABLE = {
    "organisation-home",
    "organisation-activity",
    "invoice-list",
    "contact-list",
    "item-list",
    "account-list",
    "payment-list",
    "raw-console",
}
# Detail pages switch to the list of the same kind in the other organisation.
SWITCH_TO = {
    "invoice-detail": "invoice-list",
    "contact-detail": "contact-list",
    "contact-create": "contact-list",
    "item-detail": "item-list",
    "account-detail": "account-list",
    "invoice-create": "invoice-list",
    "invoice-edit": "invoice-list",
    "payment-detail": "payment-list",
}


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _organisation(membership: Membership, tenant_pk: int) -> tuple[Tenant, list[Tenant]]:
    """The organisation asked for (404 unless the member may see it) and all those the member
    may see (for the switcher), in one query."""
    organisations = list(organisation_list(membership))
    tenant = next((t for t in organisations if t.pk == tenant_pk), None)
    if tenant is None:
        raise Http404("No such organisation.")
    return tenant, organisations


# The organisation's tabs: (label, the page's URL name, the names that count as that tab).
TABS = (
    ("Home", "organisation-home", ("organisation-home", "organisation-sync")),
    ("Invoices", "invoice-list", ("invoice-",)),
    ("Contacts", "contact-list", ("contact-",)),
    ("Items", "item-list", ("item-",)),
    ("Accounts", "account-list", ("account-",)),
    ("Payments", "payment-list", ("payment-",)),
    ("Activity", "organisation-activity", ("organisation-activity",)),
)


def _org_context(
    request: HttpRequest, membership: Membership, tenant: Tenant, organisations: list[Tenant]
) -> dict[str, Any]:
    """The organisation header: which one this is, its tabs, how fresh its books are, and the
    switcher to the others (built here: the header is on every books page, and cheap)."""
    match = request.resolver_match
    url_name = (match.url_name if match else "") or ""
    current = SWITCH_TO.get(url_name, url_name)
    name = current if current in SWITCHABLE else "organisation-home"
    query = request.GET.urlencode() if name != "organisation-home" else ""
    ws = membership.workspace_id
    switch = []
    for other in organisations:
        url = reverse(f"books:{name}", args=[ws, other.pk])
        switch.append((other, url + (f"?{query}" if query and other.pk != tenant.pk else "")))
    tabs = [
        (label, reverse(f"books:{page}", args=[ws, tenant.pk]), url_name.startswith(prefixes))
        for label, page, prefixes in TABS
    ]
    if membership.can_admin:
        tabs.append(
            (
                "Console",
                reverse("books:raw-console", args=[ws, tenant.pk]),
                url_name == "raw-console",
            )
        )
    synced = tenant.last_synced_at
    return {
        "organisation": tenant,
        "switch": switch,
        "org_tabs": tabs,
        "org_home": tabs[0][1],
        "synced_ago": timesince(synced) if synced else "",
        "read_only": not tenant.is_connected,
    }


@login_required
@require_GET
def organisation_list_view(request: HttpRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    organisations = list(organisation_list(membership))
    return render(request, "books/organisation_list.html", {"organisations": organisations})


@login_required
@require_GET
def organisation_home(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    context = _org_context(request, membership, tenant, organisations) | {
        "summary": selectors.organisation_summary(tenant=tenant),
        "overdue": selectors.oldest_overdue(tenant=tenant),
        "sync": selectors.sync_state(tenant=tenant),
        "activity": activity_list(workspace=membership.workspace, tenant_id=tenant.pk)[:10],
    }
    return render(request, "books/organisation_home.html", context)


@login_required
@require_GET
def organisation_activity(
    request: HttpRequest, ws: int, tenant_pk: int
) -> HttpResponse | StreamingHttpResponse:
    """The organisation's feed: its webhooks, edits here, syncs and connection events."""
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    return feed_response(
        request,
        ActivityEvent.objects.filter(workspace_id=ws, tenant=tenant),
        membership=membership,
        template="books/organisation_activity.html",
        context=_org_context(request, membership, tenant, organisations),
        clients=None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_sync(request: HtmxHttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """GET: the sync state (polled while a sync runs). POST: "Refresh now"."""
    role = Role.FINANCE if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    tenant = organisation_for(membership, tenant_pk)
    if request.method == "POST":
        if not tenant.is_connected:
            messages.error(request, f"{tenant.name} is not connected, so it cannot be refreshed.")
        else:
            sync_request(tenant=tenant, actor=_actor(request))
            messages.success(request, "Refresh started; new data appears as it arrives.")
        if not request.htmx:
            return redirect("books:organisation-home", ws=ws, tenant_pk=tenant.pk)
    context = {"organisation": tenant, "sync": selectors.sync_state(tenant=tenant), "oob": True}
    return render(request, "books/organisation_home.html#sync-state", context)


@login_required
@require_GET
def invoice_list(request: HtmxHttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    form = InvoiceFilterForm(request.GET)
    filters = form.filters()
    invoices = selectors.invoice_list(tenant=tenant, filters=filters)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status_query, sort_query = query.copy(), query.copy()
    status_query.pop("status", None)
    sort_query.pop("sort", None)
    context = _org_context(request, membership, tenant, organisations) | {
        "form": form,
        "filters": filters,
        "page": page,
        "totals": selectors.page_totals(list(page.object_list)),
        "tabs": STATUS_TABS,
        "query": query.urlencode(),
        "status_query": status_query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sorts": selectors.SORTS,
    }
    if request.htmx and request.htmx.target == "invoice-table":
        return render(request, "books/invoice_list.html#invoice-table", context)
    return render(request, "books/invoice_list.html", context)


def _invoice(tenant: Tenant, invoice_pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("contact").prefetch_related("lines", "payments"),
        pk=invoice_pk,
        tenant=tenant,
    )


@login_required
@require_GET
def invoice_detail(request: HttpRequest, ws: int, tenant_pk: int, invoice_pk: int) -> HttpResponse:
    return _invoice_page(request, ws, tenant_pk, invoice_pk)


def _invoice_page(
    request: HttpRequest,
    ws: int,
    tenant_pk: int,
    invoice_pk: int,
    *,
    payment_form: PaymentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    invoice = _invoice(tenant, invoice_pk)
    actions = [
        (action, label, services.invoice_guard(invoice, action))
        for action, label in (("approve", "Approve"), ("void", "Void"), ("delete", "Delete draft"))
    ]
    context = (
        _org_context(request, membership, tenant, organisations)
        | history_context(membership, tenant, "invoices", invoice)
        | attachments_context(membership, tenant, "invoices", invoice)
        | {
            "invoice": invoice,
            "actions": actions,
            "email_reason": _email_reason(invoice),
            "can_write": membership.can_edit and tenant.is_connected,
            "payment_form": payment_form or _payment_form(tenant, invoice),
        }
    )
    return render(request, "books/invoice_detail.html", context, status=status)


def _email_reason(invoice: Invoice) -> str:
    if invoice.type != Invoice.Type.SALES:
        return "Bills are not e-mailed."
    if invoice.status not in ("SUBMITTED", "AUTHORISED", "PAID"):
        return "Approve it before e-mailing it."
    return ""


def _payment_form(tenant: Tenant, invoice: Invoice, data: Any = None) -> PaymentForm | None:
    if invoice.status != "AUTHORISED" or invoice.amount_due <= 0:
        return None
    accounts = services.payment_accounts(tenant=tenant)
    initial = {"paid_on": timezone.localdate(), "amount": invoice.amount_due}
    return PaymentForm(data, initial=initial, accounts=accounts, due=invoice.amount_due)


@login_required
@require_POST
def invoice_action(request: HttpRequest, ws: int, tenant_pk: int, invoice_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant = organisation_for(membership, tenant_pk)
    invoice = _invoice(tenant, invoice_pk)
    back = redirect("books:invoice-detail", ws=ws, tenant_pk=tenant.pk, invoice_pk=invoice.pk)
    seen = parse_datetime(request.POST.get("seen", ""))
    action = request.POST.get("action", "")
    try:
        if action == "email":
            written = services.invoice_email(
                tenant=tenant,
                invoice=invoice,
                actor=_actor(request),
            )
        else:
            written = services.invoice_action(
                tenant=tenant,
                invoice=invoice,
                action=action,
                actor=_actor(request),
                seen=seen,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.Conflict as conflict:
        messages.warning(request, str(conflict))
    except XeroError as error:
        _xero_failure(request, error)
    else:
        for wait in written.waits:
            messages.info(request, wait)
        if action == "email":
            messages.success(request, f"Xero is e-mailing invoice {written.record.number}.")
        else:
            number = written.record.number or "(draft)"
            messages.success(request, f"Invoice {number} is now {written.record.status.lower()}.")
    return back


def _submit(form: Any, save: Any) -> Any:
    """Run a write for a form; on refusal (ours, a conflict, or Xero's) put the reason on the
    form, beside its field where one is named, and return None."""
    try:
        return save()
    except ValidationError as error:
        add_errors(form, error)
    except services.Conflict as conflict:
        form.add_error(None, str(conflict))
    except XeroError as error:
        form.add_error(None, f"Xero could not save it: {error.message}")
    return None


def _xero_failure(request: HttpRequest, error: XeroError) -> None:
    if isinstance(error, XeroRateLimited):
        messages.warning(request, f"{error.message} Nothing was changed; try again then.")
    elif isinstance(error, XeroValidationError):
        messages.error(request, "Xero refused: " + " ".join(error.messages))
    else:
        messages.error(request, f"Xero could not do it: {error.message}")


@login_required
@require_POST
def payment_create(request: HttpRequest, ws: int, tenant_pk: int, invoice_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant = organisation_for(membership, tenant_pk)
    invoice = _invoice(tenant, invoice_pk)
    form = _payment_form(tenant, invoice, request.POST)
    if form is None:
        messages.error(request, "This invoice is not awaiting payment.")
    elif form.is_valid():
        try:
            written = services.payment_record(
                tenant=tenant,
                invoice=invoice,
                actor=_actor(request),
                account_xero_id=form.cleaned_data["account"],
                paid_on=form.cleaned_data["paid_on"],
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except XeroValidationError as error:
            form.add_error(None, "Xero refused: " + " ".join(error.messages))
        except XeroError as error:
            form.add_error(None, f"Xero could not record it: {error.message}")
        else:
            for wait in written.waits:
                messages.info(request, wait)
            status = written.record.status.lower()
            messages.success(request, f"Payment recorded; the invoice is {status}.")
            return redirect(
                "books:invoice-detail", ws=ws, tenant_pk=tenant.pk, invoice_pk=invoice.pk
            )
    if form is not None and form.errors:
        # Back to the page with the user's input and the reasons beside it.
        return _invoice_page(request, ws, tenant_pk, invoice_pk, payment_form=form)
    return redirect("books:invoice-detail", ws=ws, tenant_pk=tenant.pk, invoice_pk=invoice.pk)


@login_required
@require_POST
def payment_reverse(request: HttpRequest, ws: int, tenant_pk: int, payment_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant = organisation_for(membership, tenant_pk)
    payment = get_object_or_404(
        Payment.objects.select_related("invoice"), pk=payment_pk, tenant=tenant
    )
    try:
        written = services.payment_reverse(
            tenant=tenant,
            payment=payment,
            actor=_actor(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except XeroError as error:
        _xero_failure(request, error)
    else:
        status = written.record.status.lower()
        messages.success(request, f"Payment reversed; the invoice is {status} again.")
    if payment.invoice_id:
        return redirect(
            "books:invoice-detail", ws=ws, tenant_pk=tenant.pk, invoice_pk=payment.invoice_id
        )
    return redirect("books:invoice-list", ws=ws, tenant_pk=tenant.pk)


def _contact(tenant: Tenant, contact_pk: int) -> Contact:
    return get_object_or_404(Contact, pk=contact_pk, tenant=tenant)


@login_required
@require_GET
def contact_list(request: HtmxHttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    q = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")
    archived = request.GET.get("archived") == "on"
    contacts = selectors.contact_list(tenant=tenant, q=q, kind=kind, archived=archived)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = _org_context(request, membership, tenant, organisations) | {
        "page": page,
        "q": q,
        "kind": kind,
        "archived": archived,
        "query": query.urlencode(),
    }
    if request.htmx and request.htmx.target == "contact-table":
        return render(request, "books/contact_list.html#contact-table", context)
    return render(request, "books/contact_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_detail(request: HttpRequest, ws: int, tenant_pk: int, contact_pk: int) -> HttpResponse:
    role = Role.FINANCE if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    tenant, organisations = _organisation(membership, tenant_pk)
    contact = _contact(tenant, contact_pk)
    form = ContactForm(request.POST or None, initial=ContactForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        saved = _submit(
            form,
            lambda: services.contact_save(
                tenant=tenant,
                contact=contact,
                actor=_actor(request),
                data=form.details(),
                addresses=form.addresses(),
                phones=form.phones(),
                seen=parse_datetime(form.cleaned_data["seen"]),
            ),
        )
        if saved is not None:
            messages.success(request, "Contact saved in Xero.")
            return redirect(
                "books:contact-detail", ws=ws, tenant_pk=tenant.pk, contact_pk=contact.pk
            )
    invoices = (
        Invoice.objects.filter(contact=contact)
        .order_by("-date", "-pk")
        .only(
            "pk",
            "number",
            "type",
            "date",
            "due_date",
            "status",
            "currency_code",
            "total",
            "amount_due",
            "reference",
            "contact_name",
            "tenant_id",
        )[:20]
    )
    context = (
        _org_context(request, membership, tenant, organisations)
        | history_context(membership, tenant, "contacts", contact)
        | attachments_context(membership, tenant, "contacts", contact)
        | {
            "contact": contact,
            "form": form,
            "balances": selectors.contact_balances(contact=contact),
            "invoices": invoices,
            "contact_lines": _contact_lines(contact),
            "can_write": membership.can_edit and tenant.is_connected,
        }
    )
    return render(request, "books/contact_detail.html", context)


def _contact_lines(contact: Contact) -> list[tuple[str, str]]:
    """The contact's addresses and phone numbers as (label, one line of text)."""
    initial = ContactForm.initial_for(contact)
    lines = []
    for prefix, legend, parts in CONTACT_GROUPS:
        text = " ".join(initial.get(f"{prefix}_{part}", "") for _, part, _, _ in parts).strip()
        if text:
            lines.append((legend, " ".join(text.split())))
    return lines


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant, organisations = _organisation(membership, tenant_pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        written = _submit(
            form,
            lambda: services.contact_save(
                tenant=tenant,
                contact=None,
                actor=_actor(request),
                data=form.details(),
                addresses=form.addresses(),
                phones=form.phones(),
            ),
        )
        if written is not None:
            messages.success(request, "Contact created in Xero.")
            return redirect(
                "books:contact-detail", ws=ws, tenant_pk=tenant.pk, contact_pk=written.record.pk
            )
    context = _org_context(request, membership, tenant, organisations) | {"form": form}
    return render(request, "books/contact_create.html", context)


@login_required
@require_POST
def contact_archive(request: HttpRequest, ws: int, tenant_pk: int, contact_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant = organisation_for(membership, tenant_pk)
    contact = _contact(tenant, contact_pk)
    archive = request.POST.get("archive") != "0"
    try:
        services.contact_archive(
            tenant=tenant,
            contact=contact,
            actor=_actor(request),
            archive=archive,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except XeroError as error:
        _xero_failure(request, error)
    else:
        messages.success(request, f"{contact.name} is {'archived' if archive else 'active again'}.")
    return redirect("books:contact-detail", ws=ws, tenant_pk=tenant.pk, contact_pk=contact.pk)


# ------------------------------------------------------------------ items


def _item_form(tenant: Tenant, data: Any = None, initial: Any = None) -> ItemForm:
    accounts = list(Account.objects.filter(tenant=tenant, status="ACTIVE"))
    tax_rates = list(TaxRate.objects.filter(tenant=tenant))
    return ItemForm(data, initial=initial, accounts=accounts, tax_rates=tax_rates)


@login_required
@require_http_methods(["GET", "POST"])
def item_list(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """The items, and (for finance) the form that adds one."""
    role = Role.FINANCE if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    tenant, organisations = _organisation(membership, tenant_pk)
    form = _item_form(tenant, request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = _submit(
            form,
            lambda: services.item_save(
                tenant=tenant,
                item=None,
                actor=_actor(request),
                data=form.cleaned_data,
            ),
        )
        if item is not None:
            messages.success(request, f"Item {item.code} created in Xero.")
            return redirect("books:item-list", ws=ws, tenant_pk=tenant.pk)
    context = _org_context(request, membership, tenant, organisations) | {
        "items": Item.objects.filter(tenant=tenant).order_by("code"),
        "form": form,
        "can_write": membership.can_edit and tenant.is_connected,
    }
    return render(request, "books/item_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, ws: int, tenant_pk: int, item_pk: int) -> HttpResponse:
    role = Role.FINANCE if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    tenant, organisations = _organisation(membership, tenant_pk)
    item = get_object_or_404(Item, pk=item_pk, tenant=tenant)
    if request.method == "POST" and request.POST.get("delete"):
        try:
            services.item_delete(tenant=tenant, item=item, actor=_actor(request))
        except ValidationError as error:
            messages.error(request, "Xero refused: " + " ".join(error.messages))
        except XeroError as error:
            _xero_failure(request, error)
        else:
            messages.success(request, f"Item {item.code} deleted.")
            return redirect("books:item-list", ws=ws, tenant_pk=tenant.pk)
        return redirect("books:item-detail", ws=ws, tenant_pk=tenant.pk, item_pk=item.pk)
    initial = {
        "code": item.code,
        "name": item.name,
        "description": item.description,
        "unit_price": item.unit_price,
        "account_code": item.account_code,
        "tax_type": item.tax_type,
        "seen": item.updated_utc.isoformat() if item.updated_utc else "",
    }
    form = _item_form(tenant, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        saved = _submit(
            form,
            lambda: services.item_save(
                tenant=tenant,
                item=item,
                actor=_actor(request),
                data=form.cleaned_data,
                seen=parse_datetime(form.cleaned_data.get("seen") or ""),
            ),
        )
        if saved is not None:
            messages.success(request, "Item saved in Xero.")
            return redirect("books:item-detail", ws=ws, tenant_pk=tenant.pk, item_pk=item.pk)
    context = (
        _org_context(request, membership, tenant, organisations)
        | history_context(membership, tenant, "items", item)
        | {
            "item": item,
            "form": form,
            "can_write": membership.can_edit and tenant.is_connected,
        }
    )
    return render(request, "books/item_detail.html", context)


# ------------------------------------------------------------------ accounts


@login_required
@require_http_methods(["GET", "POST"])
def account_list(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """The chart of accounts grouped by type, and (for finance) the form that adds one."""
    role = Role.FINANCE if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    tenant, organisations = _organisation(membership, tenant_pk)
    tax_rates = list(TaxRate.objects.filter(tenant=tenant))
    form = AccountForm(request.POST or None, tax_rates=tax_rates)
    if request.method == "POST" and form.is_valid():
        account = _submit(
            form,
            lambda: services.account_save(
                tenant=tenant,
                account=None,
                actor=_actor(request),
                data=form.cleaned_data,
            ),
        )
        if account is not None:
            messages.success(request, f"Account {account} created in Xero.")
            return redirect("books:account-list", ws=ws, tenant_pk=tenant.pk)
    accounts = Account.objects.filter(tenant=tenant).exclude(status="DELETED")
    groups: dict[str, list[Account]] = {}
    for account in accounts.order_by("type", "code"):
        groups.setdefault(dict(ACCOUNT_TYPES).get(account.type, account.type), []).append(account)
    context = _org_context(request, membership, tenant, organisations) | {
        "groups": groups,
        "form": form,
        "can_write": membership.can_edit and tenant.is_connected,
    }
    return render(request, "books/account_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_detail(request: HttpRequest, ws: int, tenant_pk: int, account_pk: int) -> HttpResponse:
    role = Role.FINANCE if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    tenant, organisations = _organisation(membership, tenant_pk)
    account = get_object_or_404(Account, pk=account_pk, tenant=tenant)
    retire = request.POST.get("retire") if request.method == "POST" else None
    if retire in ("archive", "delete"):
        try:
            services.account_retire(
                tenant=tenant,
                account=account,
                actor=_actor(request),
                delete=retire == "delete",
            )
        except ValidationError as error:
            messages.error(request, "Xero refused: " + " ".join(error.messages))
        except XeroError as error:
            _xero_failure(request, error)
        else:
            messages.success(
                request, f"Account {account} {'deleted' if retire == 'delete' else 'archived'}."
            )
            return redirect("books:account-list", ws=ws, tenant_pk=tenant.pk)
        return redirect("books:account-detail", ws=ws, tenant_pk=tenant.pk, account_pk=account.pk)
    tax_rates = list(TaxRate.objects.filter(tenant=tenant))
    initial = {
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "tax_type": account.tax_type,
        "seen": account.updated_utc.isoformat() if account.updated_utc else "",
    }
    form = AccountForm(request.POST or None, initial=initial, tax_rates=tax_rates, editing=True)
    if request.method == "POST" and form.is_valid():
        saved = _submit(
            form,
            lambda: services.account_save(
                tenant=tenant,
                account=account,
                actor=_actor(request),
                data=form.cleaned_data,
                seen=parse_datetime(form.cleaned_data.get("seen") or ""),
            ),
        )
        if saved is not None:
            messages.success(request, "Account saved in Xero.")
            return redirect(
                "books:account-detail", ws=ws, tenant_pk=tenant.pk, account_pk=account.pk
            )
    context = _org_context(request, membership, tenant, organisations) | {
        "account": account,
        "form": form,
        "can_write": membership.can_edit and tenant.is_connected,
    }
    return render(request, "books/account_detail.html", context)


# ------------------------------------------------------------------ the draft editor


@login_required
@require_http_methods(["GET", "POST"])
def invoice_create(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    return _invoice_editor(request, ws, tenant_pk, None)


@login_required
@require_http_methods(["GET", "POST"])
def invoice_edit(request: HttpRequest, ws: int, tenant_pk: int, invoice_pk: int) -> HttpResponse:
    return _invoice_editor(request, ws, tenant_pk, invoice_pk)


def _invoice_editor(
    request: HttpRequest, ws: int, tenant_pk: int, invoice_pk: int | None
) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant, organisations = _organisation(membership, tenant_pk)
    invoice = _invoice(tenant, invoice_pk) if invoice_pk is not None else None
    if not tenant.is_connected:
        messages.error(request, f"{tenant.name} is not connected, so its books are read-only.")
        return redirect("books:invoice-list", ws=ws, tenant_pk=tenant.pk)
    if invoice is not None and invoice.status not in services.EDITABLE:
        messages.error(request, f"A {invoice.status.lower()} invoice cannot be edited.")
        return redirect("books:invoice-detail", ws=ws, tenant_pk=tenant.pk, invoice_pk=invoice.pk)
    contacts = list(Contact.objects.filter(tenant=tenant, status="ACTIVE").only("xero_id", "name"))
    currencies = list(Currency.objects.filter(tenant=tenant))
    data = request.POST if request.method == "POST" else None
    header = InvoiceHeaderForm(
        data, initial=_header_initial(tenant, invoice), contacts=contacts, currencies=currencies
    )
    kind = str(header.initial.get("type") or "")
    lines = drafts.line_forms(tenant, data, _lines_initial(invoice), kind=kind)
    if request.method == "POST":
        valid = header.is_valid() & all([line.is_valid() for line in lines])
        if not lines:
            header.add_error(None, "Add at least one line.")
        elif len(lines) > drafts.MAX_LINES:
            header.add_error(
                None,
                f"A document can have at most {drafts.MAX_LINES} lines here; this one has "
                f"{len(lines)}. Nothing was sent; remove some lines or split it in two.",
            )
        elif valid:
            try:
                written = services.invoice_save(
                    tenant=tenant,
                    invoice=invoice,
                    actor=_actor(request),
                    header=header.cleaned_data,
                    lines=[line.cleaned_data for line in lines],
                    seen=parse_datetime(header.cleaned_data.get("seen") or ""),
                )
            except services.DraftRejected as rejected:
                add_errors(header, rejected.header)
                for number, texts in rejected.lines.items():
                    if number < len(lines):
                        for text in texts:
                            lines[number].add_error(None, text)
            except services.Conflict as conflict:
                header.add_error(None, str(conflict))
            except ValidationError as error:
                add_errors(header, error)
            except XeroError as error:
                header.add_error(None, f"Xero could not save it: {error.message}")
            else:
                messages.success(request, "Draft saved in Xero.")
                return redirect(
                    "books:invoice-detail",
                    ws=ws,
                    tenant_pk=tenant.pk,
                    invoice_pk=written.record.pk,
                )
    posted = data.get("line_amount_types") if data is not None else None
    amounts = str(posted or header.initial.get("line_amount_types") or "Exclusive")
    context = _org_context(request, membership, tenant, organisations) | {
        "invoice": invoice,
        "header": header,
        "lines": lines,
        "next_index": max([int(str(line.prefix)[5:]) for line in lines] + [-1]) + 1,
        "max_lines": drafts.MAX_LINES,
        "totals": drafts.totals(tenant, _editor_data(request, header, lines), amounts),
    }
    return render(request, "books/invoice_editor.html", context)


def _header_initial(tenant: Tenant, invoice: Invoice | None) -> dict[str, Any]:
    if invoice is None:
        today = timezone.localdate()
        return {
            "type": Invoice.Type.SALES,
            "date": today,
            "due_date": today + timedelta(days=14),
            "currency_code": tenant.base_currency,
            "line_amount_types": "Exclusive",
        }
    return {
        "type": invoice.type,
        "contact": invoice.contact_xero_id,
        "date": invoice.date,
        "due_date": invoice.due_date,
        "reference": invoice.reference,
        "currency_code": invoice.currency_code,
        "line_amount_types": invoice.line_amount_types or "Exclusive",
        "seen": invoice.updated_utc.isoformat() if invoice.updated_utc else "",
    }


def _lines_initial(invoice: Invoice | None) -> list[dict[str, Any]] | None:
    if invoice is None:
        return None
    return [
        {
            "item_code": line.item_code,
            "description": line.description,
            "quantity": line.quantity.normalize(),
            "unit_amount": line.unit_amount.normalize(),
            "account_code": line.account_code,
            "tax_type": line.tax_type,
        }
        for line in invoice.lines.all()
    ] or None


def _editor_data(request: HttpRequest, header: InvoiceHeaderForm, lines: list[Any]) -> QueryDict:
    """What the totals are computed from: the posted form, or the initial values."""
    if request.method == "POST":
        return request.POST
    data = QueryDict(mutable=True)
    for line in lines:
        for name, value in line.initial.items():
            data[f"{line.prefix}-{name}"] = "" if value is None else str(value)
    return data


@login_required
@require_GET
def invoice_line(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """A row of the line editor: a new one (`index`), or one filled from a picked item."""
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant = organisation_for(membership, tenant_pk)
    try:
        index = max(int(request.GET.get("index", "0")), 0)
    except ValueError:
        index = 0
    prefix = f"line-{index}"
    code = request.GET.get(f"{prefix}-item_code", "")
    if request.GET.get("changed") == "account":
        # The account changed: keep the row as typed, with a tax rate the account can take.
        initial = drafts.account_changed(tenant, request.GET, prefix)
        line = InvoiceLineForm(prefix=prefix, initial=initial, choices=drafts.line_choices(tenant))
        context = {"line": line, "organisation": tenant, "next_index": index + 1}
        return render(request, "books/invoice_editor.html#line-row", context)
    initial = (
        drafts.item_defaults(tenant, code)
        if code
        else drafts.line_defaults(tenant, request.GET.get("type"))
    )
    if code:
        # Keep what the user already typed where the item has nothing to say.
        for name in ("quantity", "description"):
            typed = request.GET.get(f"{prefix}-{name}")
            if typed and not (name == "description" and initial.get("description")):
                initial[name] = typed
    line = InvoiceLineForm(prefix=prefix, initial=initial, choices=drafts.line_choices(tenant))
    context = {"line": line, "organisation": tenant, "next_index": index + 1, "adding": not code}
    return render(request, "books/invoice_editor.html#line-row", context)


@login_required
@require_POST
def invoice_totals(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """The editor's totals, recomputed as the user types."""
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant = organisation_for(membership, tenant_pk)
    amounts = request.POST.get("line_amount_types", "Exclusive")
    context = {"totals": drafts.totals(tenant, request.POST, amounts), "organisation": tenant}
    return render(request, "books/invoice_editor.html#invoice-totals", context)


# ------------------------------------------------------------------ notes, files, PDF


@login_required
@require_GET
def invoice_file(
    request: HttpRequest, ws: int, tenant_pk: int, invoice_pk: int, kind: str
) -> HttpResponse:
    """The invoice's PDF, or its online invoice page."""
    if kind not in ("pdf", "online"):
        raise Http404("No such document.")
    membership = workspace_membership(request, ws)
    tenant = organisation_for(membership, tenant_pk)
    invoice = _invoice(tenant, invoice_pk)
    back = redirect("books:invoice-detail", ws=ws, tenant_pk=tenant.pk, invoice_pk=invoice.pk)
    try:
        if kind == "pdf":
            data = services.invoice_pdf(tenant=tenant, invoice=invoice)
            response = HttpResponse(data, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'inline; filename="{invoice.number or "invoice"}.pdf"'
            )
            return response
        if kind == "online":
            url = services.invoice_online_url(tenant=tenant, invoice=invoice)
            if url.startswith(("https://", "http://")):
                return redirect(url)
            messages.error(request, "Xero gave no online invoice link.")
            return back
    except XeroError as error:
        messages.error(request, f"Xero could not send it: {error.message}")
        return back
    raise Http404("No such document.")  # pragma: no cover - kind was checked above


# ------------------------------------------------------------------ payments


@login_required
@require_GET
def payment_list(request: HtmxHttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    form = PaymentFilterForm(
        {"status": request.GET.get("status", ""), "date_from": request.GET.get("from", ""),
         "date_to": request.GET.get("to", "")}
    )  # fmt: skip
    filters = form.filters()
    payments = Payment.objects.filter(tenant=tenant).select_related("invoice")
    if "status" in filters:
        payments = payments.filter(status=filters["status"])
    if "date_from" in filters:
        payments = payments.filter(date__gte=filters["date_from"])
    if "date_to" in filters:
        payments = payments.filter(date__lte=filters["date_to"])
    page = Paginator(payments.order_by("-date", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = _org_context(request, membership, tenant, organisations) | {
        "page": page,
        "form": form,
        "status": filters.get("status", ""),
        "date_from": filters.get("date_from"),
        "date_to": filters.get("date_to"),
        "can_write": membership.can_edit and tenant.is_connected,
    }
    if request.htmx and request.htmx.target == "payment-table":
        return render(request, "books/payment_list.html#payment-table", context)
    return render(request, "books/payment_list.html", context)


# ------------------------------------------------------------------ the raw request console


@login_required
@require_http_methods(["GET", "POST"])
def raw_console(request: HttpRequest, ws: int, tenant_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    tenant, organisations = _organisation(membership, tenant_pk)
    form = RawRequestForm(request.POST or None, initial={"method": "GET", "path": "Organisation"})
    answer = None
    if request.method == "POST" and form.is_valid():
        if not tenant.is_connected:
            form.add_error(None, f"{tenant.name} is not connected.")
        else:
            try:
                answer = services.raw_request(
                    tenant=tenant, actor=_actor(request), **form.cleaned_data
                )
            except ValidationError as error:
                add_errors(form, error)
            except XeroError as error:
                form.add_error(None, error.message)
    context = _org_context(request, membership, tenant, organisations) | {
        "form": form,
        "answer": answer,
    }
    return render(request, "books/raw_console.html", context)


# ------------------------------------------------------------------ history and notes

# The records that have History and Notes in Xero: model, Xero path, detail page.
HISTORY_KINDS: dict[str, tuple[type[Any], str, str]] = {
    "invoices": (Invoice, "Invoices", "books:invoice-detail"),
    "contacts": (Contact, "Contacts", "books:contact-detail"),
    "items": (Item, "Items", "books:item-detail"),
}


def _history_record(tenant: Tenant, kind: str, record_pk: int) -> tuple[Any, str, str]:
    if kind not in HISTORY_KINDS:
        raise Http404("No such record.")
    model, prefix, detail = HISTORY_KINDS[kind]
    record = get_object_or_404(model, pk=record_pk, tenant=tenant)
    return record, f"{prefix}/{record.xero_id}", detail


def history_context(
    membership: Membership, tenant: Tenant, kind: str, record: Any
) -> dict[str, Any]:
    """What a page needs to show a record's history box (loaded from Xero after the page)."""
    args = [membership.workspace_id, tenant.pk, kind, record.pk]
    return {
        "history_url": reverse("books:record-history", args=args),
        "note_url": reverse("books:record-note", args=args),
        "can_note": membership.can_edit and tenant.is_connected,
    }


@login_required
@require_GET
def record_history(
    request: HttpRequest, ws: int, tenant_pk: int, kind: str, record_pk: int
) -> HttpResponse:
    """History and notes, as kept in the mirror (fetched when the record changed, or on
    `?refresh=1`)."""
    membership = workspace_membership(request, ws)
    tenant = organisation_for(membership, tenant_pk)
    record, path, _ = _history_record(tenant, kind, record_pk)
    context = history_context(membership, tenant, kind, record) | _panel(
        request, tenant, path, record, RecordPanel.Panel.HISTORY
    )
    return render(request, "books/partials/record_history.html", context)


def _panel(
    request: HttpRequest, tenant: Tenant, path: str, record: Any, panel: str
) -> dict[str, Any]:
    """A panel's list for its partial, or the problem that kept it from loading."""
    try:
        listing = panels.panel_get(
            tenant=tenant,
            record_path=path,
            record=record,
            panel=panel,
            refresh=request.GET.get("refresh") == "1",
        )
    except XeroError as error:
        return {"records": [], "problem": error.message, "loaded": True}
    return {"records": listing.entries, "fetched_at": listing.fetched_at, "loaded": True}


@login_required
@require_POST
def record_note(
    request: HttpRequest, ws: int, tenant_pk: int, kind: str, record_pk: int
) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.FINANCE)
    tenant = organisation_for(membership, tenant_pk)
    record, path, detail = _history_record(tenant, kind, record_pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(
                tenant=tenant,
                record_path=path,
                record=record,
                text=form.cleaned_data["note"],
                actor=_actor(request),
            )
        except ValidationError as error:
            add_errors(form, error)
        except XeroError as error:
            form.add_error(None, f"Xero could not add it: {error.message}")
        else:
            messages.success(request, "Note added in Xero.")
    for problem in [*form.errors.get("note", []), *form.non_field_errors()]:
        messages.error(request, problem)
    return redirect(reverse(detail, args=[ws, tenant.pk, record.pk]) + "#history")


# ------------------------------------------------------------------ attachments

ATTACHMENT_KINDS = {"invoices", "contacts"}  # Xero has no attachments on items or payments


def attachments_context(
    membership: Membership, tenant: Tenant, kind: str, record: Any
) -> dict[str, Any]:
    args = [membership.workspace_id, tenant.pk, kind, record.pk]
    return {
        "attachments_url": reverse("books:record-attachments", args=args),
        "attachment_file_url": reverse("books:record-attachment", args=args),
        "can_attach": membership.can_edit and tenant.is_connected,
    }


@login_required
@require_http_methods(["GET", "POST"])
def record_attachments(
    request: HttpRequest, ws: int, tenant_pk: int, kind: str, record_pk: int
) -> HttpResponse:
    """GET: a record's attachments, from Xero (loaded after the page). POST: upload one."""
    role = Role.FINANCE if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    tenant = organisation_for(membership, tenant_pk)
    if kind not in ATTACHMENT_KINDS:
        raise Http404("No attachments here.")
    record, path, detail = _history_record(tenant, kind, record_pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.attachment_upload(
                    tenant=tenant,
                    record_path=path,
                    record=record,
                    name=upload.name,
                    data=upload.read(services.MAX_ATTACHMENT + 1),
                    content_type=upload.content_type or "",
                    actor=_actor(request),
                )
            except ValidationError as error:
                add_errors(form, error)
            except XeroError as error:
                form.add_error(None, f"Xero could not attach it: {error.message}")
            else:
                messages.success(request, f"{upload.name} attached in Xero.")
        for problem in [*form.errors.get("file", []), *form.non_field_errors()]:
            messages.error(request, problem)
        return redirect(reverse(detail, args=[ws, tenant.pk, record.pk]) + "#attachments")
    context = (
        attachments_context(membership, tenant, kind, record)
        | _panel(request, tenant, path, record, RecordPanel.Panel.ATTACHMENTS)
        | {"attachment_form": AttachmentForm()}
    )
    return render(request, "books/partials/record_attachments.html", context)


@login_required
@require_GET
def record_attachment(
    request: HttpRequest, ws: int, tenant_pk: int, kind: str, record_pk: int
) -> HttpResponse:
    """One attachment (`?name=`), downloaded from Xero."""
    membership = workspace_membership(request, ws)
    tenant = organisation_for(membership, tenant_pk)
    if kind not in ATTACHMENT_KINDS:
        raise Http404("No attachments here.")
    record, path, detail = _history_record(tenant, kind, record_pk)
    try:
        data, content_type, name = services.attachment_download(
            tenant=tenant, record_path=path, record=record, name=request.GET.get("name", "")
        )
    except XeroError as error:
        messages.error(request, f"Xero could not send it: {error.message}")
        return redirect(reverse(detail, args=[ws, tenant.pk, record.pk]) + "#attachments")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=name) or "attachment"
    )
    return response


@login_required
@require_GET
def payment_detail(request: HttpRequest, ws: int, tenant_pk: int, payment_pk: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    tenant, organisations = _organisation(membership, tenant_pk)
    payment = get_object_or_404(
        Payment.objects.select_related("invoice"), pk=payment_pk, tenant=tenant
    )
    context = _org_context(request, membership, tenant, organisations) | {
        "payment": payment,
        "can_write": membership.can_edit and tenant.is_connected,
    }
    return render(request, "books/payment_detail.html", context)
