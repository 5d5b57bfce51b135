"""The chart of accounts: grouped by type with the form that adds one, one account (edited),
and archiving or deleting one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_POST

from xeroadmin.books import selectors, services
from xeroadmin.books.forms import ACCOUNT_TYPES, AccountForm
from xeroadmin.books.models import Account
from xeroadmin.books.views.shared import Refusal, act, books_for, status, submit
from xeroadmin.tenancy.access import WorkspaceRequest


@login_required
@require_http_methods(["GET", "POST"])
def account_list(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """The chart of accounts grouped by type, and (for finance) the form that adds one."""
    books = books_for(request, ws, tenant_pk)
    form = AccountForm(request.POST or None, tax_rates=selectors.tax_rates(tenant=books.tenant))
    account = None
    if request.method == "POST" and form.is_valid():
        account = submit(
            form,
            lambda: services.account_save(
                tenant=books.tenant, account=None, actor=books.actor, data=form.cleaned_data
            ),
        )
        if not isinstance(account, Refusal):
            messages.success(request, f"Account {account} created in Xero.")
            return books.redirect("account-list")
    groups = selectors.account_groups(tenant=books.tenant, labels=dict(ACCOUNT_TYPES))
    context = books.page(groups=groups, form=form, can_write=books.can_write)
    return render(request, "books/account_list.html", context, status=status(account))


@login_required
@require_http_methods(["GET", "POST"])
def account_detail(
    request: WorkspaceRequest, ws: int, tenant_pk: int, account_pk: int
) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    account = get_object_or_404(Account, pk=account_pk, tenant=books.tenant)
    initial = {
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "tax_type": account.tax_type,
        "seen": account.updated_utc.isoformat() if account.updated_utc else "",
    }
    tax_rates = selectors.tax_rates(tenant=books.tenant)
    form = AccountForm(request.POST or None, initial=initial, tax_rates=tax_rates, editing=True)
    saved = None
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form,
            lambda: services.account_save(
                tenant=books.tenant,
                account=account,
                actor=books.actor,
                data=form.cleaned_data,
                seen=form.cleaned_data.get("seen"),
            ),
        )
        if not isinstance(saved, Refusal):
            messages.success(request, "Account saved in Xero.")
            return books.redirect("account-detail", account.pk)
    context = books.page(
        account=account,
        form=form,
        can_write=books.can_write,
        type_label=dict(ACCOUNT_TYPES).get(account.type, account.type),
        names=selectors.names(tenant=books.tenant),
    )
    return render(request, "books/account_detail.html", context, status=status(saved))


@login_required
@require_POST
def account_retire(
    request: WorkspaceRequest, ws: int, tenant_pk: int, account_pk: int, how: str
) -> HttpResponse:
    """Archive the account, or delete it (Xero deletes only accounts never used)."""
    if how not in ("archive", "delete"):
        raise Http404("No such action.")
    books = books_for(request, ws, tenant_pk, switcher=False)
    account = get_object_or_404(Account, pk=account_pk, tenant=books.tenant)
    done = act(
        request,
        lambda: services.account_retire(
            tenant=books.tenant, account=account, actor=books.actor, delete=how == "delete"
        ),
        doing=f"{how} it",
    )
    if isinstance(done, Refusal):
        return books.redirect("account-detail", account.pk)
    messages.success(request, f"Account {account} {how}d.")
    return books.redirect("account-list")
