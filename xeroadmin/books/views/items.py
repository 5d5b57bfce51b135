"""Items: the list with the form that adds one, one item (edited), and deleting one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_POST

from xeroadmin.books import selectors, services
from xeroadmin.books.forms import ItemForm
from xeroadmin.books.models import Item
from xeroadmin.books.views.records import history_context
from xeroadmin.books.views.shared import (
    Refusal,
    act,
    books_for,
    list_response,
    paged,
    status,
    submit,
)
from xeroadmin.connections.models import Tenant
from xeroadmin.lib.lists import list_tabs
from xeroadmin.tenancy.access import WorkspaceRequest

ITEM_TABS = (("", "All"), ("sold", "Sold"), ("purchased", "Purchased"))


def _item_form(tenant: Tenant, data: Any = None, initial: Any = None) -> ItemForm:
    return ItemForm(
        data,
        initial=initial,
        accounts=selectors.active_accounts(tenant=tenant),
        tax_rates=selectors.tax_rates(tenant=tenant),
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_list(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    """The items, and (for finance) the form that adds one."""
    books = books_for(request, ws, tenant_pk)
    form = _item_form(books.tenant, request.POST or None)
    item = None
    if request.method == "POST" and form.is_valid():
        item = submit(
            form,
            lambda: services.item_save(
                tenant=books.tenant, item=None, actor=books.actor, data=form.cleaned_data
            ),
        )
        if not isinstance(item, Refusal):
            messages.success(request, f"Item {item.code} created in Xero.")
            return books.redirect("item-list")
    q = request.GET.get("q", "")[:100]
    kind = request.GET.get("kind", "")
    counts = selectors.item_counts(tenant=books.tenant, q=q)
    items = selectors.item_list(tenant=books.tenant, q=q, kind=kind)
    page, query = paged(request, items, count=counts.get(kind if kind in counts else "", 0))
    context = books.page(
        page=page,
        query=query,
        q=q,
        names=selectors.names(tenant=books.tenant),
        form=form,
        can_write=books.can_write,
        **list_tabs(request, "kind", ITEM_TABS, counts, form_id="item-filters"),
    )
    if request.method == "GET":
        return list_response(request, "books/item_list.html", "item-table", context)
    return render(request, "books/item_list.html", context, status=status(item))


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: WorkspaceRequest, ws: int, tenant_pk: int, item_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk)
    item = get_object_or_404(Item, pk=item_pk, tenant=books.tenant)
    form = _item_form(books.tenant, request.POST or None, _initial(item))
    saved = None
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form,
            lambda: services.item_save(
                tenant=books.tenant,
                item=item,
                actor=books.actor,
                data=form.cleaned_data,
                seen=form.cleaned_data.get("seen"),
            ),
        )
        if not isinstance(saved, Refusal):
            messages.success(request, "Item saved in Xero.")
            return books.redirect("item-detail", item.pk)
    context = (
        books.page()
        | history_context(books, "items", item)
        | {
            "item": item,
            "form": form,
            "names": selectors.names(tenant=books.tenant),
            "can_write": books.can_write,
        }
    )
    return render(request, "books/item_detail.html", context, status=status(saved))


def _initial(item: Item) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "description": item.description,
        "unit_price": item.unit_price,
        "account_code": item.account_code,
        "tax_type": item.tax_type,
        "seen": item.updated_utc.isoformat() if item.updated_utc else "",
    }


@login_required
@require_POST
def item_delete(request: WorkspaceRequest, ws: int, tenant_pk: int, item_pk: int) -> HttpResponse:
    """Delete the item in Xero (which refuses for a tracked item with stock, and says so)."""
    books = books_for(request, ws, tenant_pk, switcher=False)
    item = get_object_or_404(Item, pk=item_pk, tenant=books.tenant)
    done = act(
        request,
        lambda: services.item_delete(tenant=books.tenant, item=item, actor=books.actor),
        doing="delete it",
    )
    if isinstance(done, Refusal):
        return books.redirect("item-detail", item.pk)
    messages.success(request, f"Item {item.code} deleted.")
    return books.redirect("item-list")
