"""What every books page shares: the organisation it is about (checked for the member asking,
with the role its method needs), the organisation header, and the one path by which a refused
write (ours, a conflict, or Xero's) becomes a message, field errors and a status."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from xeroadmin.accounts.models import User
from xeroadmin.books.access import organisation_for, organisation_list
from xeroadmin.books.kinds import KINDS
from xeroadmin.books.refusals import Refusal, refusal
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.forms import add_errors
from xeroadmin.tenancy.access import WorkspaceRequest, workspace_membership
from xeroadmin.tenancy.models import Membership, Role

T = TypeVar("T")
PAGE_SIZE = 50
READS = ("GET", "HEAD")

# Pages that exist for every organisation, so the switcher can keep the user on them.
SWITCHABLE = {
    "organisation-home",
    "organisation-activity",
    "invoice-list",
    "bill-list",
    "contact-list",
    "item-list",
    "account-list",
    "payment-list",
    "raw-console",
    "report-index",
    "employee-list",
    *(kind.page("list") for kind in KINDS),
}
# Detail pages switch to the list of the same kind in the other organisation.
SWITCH_TO = {
    "invoice-detail": "invoice-list",
    "contact-detail": "contact-list",
    "contact-create": "contact-list",
    "item-detail": "item-list",
    "account-detail": "account-list",
    "invoice-create": "invoice-list",
    "bill-create": "bill-list",
    "invoice-edit": "invoice-list",
    "payment-detail": "payment-list",
    "report": "report-index",
    "report-aged": "report-index",
    "employee-detail": "employee-list",
    "employee-create": "employee-list",
    "employee-edit": "employee-list",
    **{kind.page("detail"): kind.page("list") for kind in KINDS},
}
# The organisation's tabs: (label, the page's URL name, the names that count as that tab).
TABS = (
    ("Home", "organisation-home", ("organisation-home", "organisation-sync")),
    ("Invoices", "invoice-list", ("invoice-",)),
    ("Bills", "bill-list", ("bill-",)),
    ("Quotes", "quote-list", ("quote-",)),
    ("Credit notes", "credit-note-list", ("credit-note-", "prepayment-", "overpayment-")),
    ("Payments", "payment-list", ("payment-",)),
    ("Bank", "bank-transaction-list", ("bank-transaction-",)),
    ("Journals", "manual-journal-list", ("manual-journal-",)),
    ("Contacts", "contact-list", ("contact-",)),
    ("Items", "item-list", ("item-",)),
    ("Accounts", "account-list", ("account-",)),
    ("Reports", "report-index", ("report",)),
    ("Employees", "employee-list", ("employee-",)),
    ("Activity", "organisation-activity", ("organisation-activity",)),
)
# Pages reached from another's tab: the credit kinds from Credit notes.
CREDIT_PAGES = (
    ("Credit notes", "credit-note-list"),
    ("Prepayments", "prepayment-list"),
    ("Overpayments", "overpayment-list"),
)


@dataclass
class Books:
    """One organisation's books, as the member asking may see them."""

    request: WorkspaceRequest
    membership: Membership
    tenant: Tenant
    switchable: list[Tenant] | None = None  # loaded with the organisation, or when first asked

    @property
    def actor(self) -> User:
        return self.request.user

    @property
    def ws(self) -> int:
        return self.membership.workspace_id

    @property
    def can_write(self) -> bool:
        return self.membership.can_edit and self.tenant.is_connected

    @property
    def organisations(self) -> list[Tenant]:
        """Every organisation the member may see, for the switcher (loaded once)."""
        if self.switchable is None:
            self.switchable = list(organisation_list(self.membership))
        return self.switchable

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"books:{name}", args=[self.ws, self.tenant.pk, *args])

    def redirect(self, name: str, *args: Any, anchor: str = "") -> HttpResponse:
        return redirect(self.url(name, *args) + anchor)

    def page(self, **extra: Any) -> dict[str, Any]:
        """The context of a full page: the organisation header, then `extra`."""
        return header_context(self) | extra


def books_for(
    request: WorkspaceRequest,
    ws: int,
    tenant_pk: int,
    *,
    write_role: str = Role.FINANCE,
    read_role: str = Role.VIEWER,
    switcher: bool = True,
) -> Books:
    """The organisation a books view is about: 404 unless the member may see it, 403 unless
    the member's role allows the request (`read_role` to read, `write_role` to change)."""
    role = read_role if request.method in READS else write_role
    membership = workspace_membership(request, ws, role=role)
    if not switcher:
        return Books(request, membership, organisation_for(membership, tenant_pk))
    # One query for the organisation and the switcher's list.
    organisations = list(organisation_list(membership))
    tenant = next((t for t in organisations if t.pk == tenant_pk), None)
    if tenant is None:
        raise Http404("No such organisation.")
    return Books(request, membership, tenant, switchable=organisations)


def header_context(books: Books) -> dict[str, Any]:
    """The organisation header: which one this is, its tabs, how fresh its books are, and the
    switcher to the others (built here: the header is on every books page, and cheap)."""
    request, tenant = books.request, books.tenant
    match = request.resolver_match
    url_name = (match.url_name if match else "") or ""
    current = SWITCH_TO.get(url_name, url_name)
    name = current if current in SWITCHABLE else "organisation-home"
    query = request.GET.urlencode() if name != "organisation-home" else ""
    switch = []
    for other in books.organisations:
        url = reverse(f"books:{name}", args=[books.ws, other.pk])
        switch.append((other, url + (f"?{query}" if query and other.pk != tenant.pk else "")))
    tabs = [
        (label, books.url(page), url_name.startswith(prefixes))
        for label, page, prefixes in TABS
        # Payroll's personal details are for finance staff and admins only.
        if page != "employee-list" or books.membership.can_edit
    ]
    if books.membership.can_admin:
        tabs.append(("Console", books.url("raw-console"), url_name == "raw-console"))
    return {
        "organisation": tenant,
        "switch": switch,
        "org_tabs": tabs,
        "org_home": tabs[0][1],
        "read_only": not tenant.is_connected,
    }


def paged(
    request: WorkspaceRequest, rows: QuerySet[Any] | Sequence[Any], *, count: int | None = None
) -> tuple[Page, str]:
    """A page of `rows` and the list's query without its page number (for the pager). `count`,
    when the caller already knows how many rows there are, saves counting them again."""
    paginator = Paginator(rows, PAGE_SIZE)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached property
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def list_response(
    request: WorkspaceRequest, template: str, target: str, context: dict[str, Any]
) -> HttpResponse:
    """A list page, or only its table (`target`, a partial of the template) when htmx asks
    for it as the filters change."""
    if request.htmx and request.htmx.target == target:
        return render(request, f"{template}#{target}", context)
    return render(request, template, context)


# ------------------------------------------------------------------ refusals


def submit(
    form: Form, save: Callable[[], T], *, doing: str = "save it", lines: Sequence[Form] = ()
) -> T | Refusal:
    """Run a form's write; on refusal put the reason on the form (beside its field where one
    is named, and beside each line Xero named) and return the Refusal."""
    try:
        return save()
    except Exception as error:
        found = refusal(error, doing)
        if found is None:
            raise
    if found.fields is not None:
        add_errors(form, found.fields)
    else:
        form.add_error(None, found.message)
    for number, texts in (found.lines or {}).items():
        if number < len(lines):
            for text in texts:
                lines[number].add_error(None, text)
    return found


def act(request: WorkspaceRequest, do: Callable[[], T], *, doing: str = "do it") -> T | Refusal:
    """Run a button's write; on refusal say why in the page's messages and return the Refusal."""
    try:
        return do()
    except Exception as error:
        found = refusal(error, doing)
        if found is None:
            raise
    messages.add_message(request, found.level, found.message)
    return found


def say_waits(request: WorkspaceRequest, written: Any) -> None:
    """Tell the user about any wait Xero's limits imposed on a write."""
    for wait in getattr(written, "waits", ()):
        messages.info(request, wait)


def status(result: object) -> int:
    """The status of a page shown again after a write: the refusal's, else 200."""
    return result.status if isinstance(result, Refusal) else 200
