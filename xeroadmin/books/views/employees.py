"""Employees, from the organisation's Xero Payroll: the list, one employee, adding one and
changing one; or, where it has none, a page that says so."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xeroadmin.books import payroll
from xeroadmin.books.forms import EmployeeForm
from xeroadmin.books.models import Employee, PayrollState
from xeroadmin.books.views.shared import Books, Refusal, act, books_for, paged, status, submit
from xeroadmin.lib.lists import list_tabs
from xeroadmin.tenancy.access import WorkspaceRequest
from xeroadmin.tenancy.models import Role

STATUS_TABS = (("", "All"), ("active", "Active"), ("left", "Left"))


def _state(books: Books, *, force: bool = False) -> PayrollState | Refusal:
    """The organisation's payroll, read from Xero if it was not read in the last minutes."""
    if not books.tenant.is_connected:
        return PayrollState.objects.filter(tenant=books.tenant).first() or PayrollState(
            tenant=books.tenant
        )
    return act(
        books.request,
        lambda: payroll.employees_read(tenant=books.tenant, force=force),
        doing="read its employees",
    )


@login_required
@require_GET
def employee_list(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    state = _state(books)
    q = request.GET.get("q", "").strip()[:100]
    which = request.GET.get("status", "")
    rows = payroll.employee_list(tenant=books.tenant, q=q)
    counts = {
        "": rows.count(),
        "active": rows.filter(status=Employee.Status.ACTIVE).count(),
        "left": rows.filter(status=Employee.Status.LEFT).count(),
    }
    page, query = paged(request, payroll.employee_list(tenant=books.tenant, q=q, status=which))
    context = books.page(
        state=state if isinstance(state, PayrollState) else None,
        page=page,
        query=query,
        filters={"q": q, "status": which},
        can_write=books.can_write,
        **list_tabs(request, "status", STATUS_TABS, counts, form_id="employee-filters"),
    )
    return render(request, "books/employee_list.html", context)


@login_required
@require_POST
def employee_refresh(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, write_role=Role.FINANCE)
    state = _state(books, force=True)
    if isinstance(state, PayrollState) and state.has_payroll:
        messages.success(request, "Employees read from Xero Payroll.")
    return books.redirect("employee-list")


def _form(books: Books, data: Any = None, initial: Any = None) -> EmployeeForm:
    return EmployeeForm(
        data, initial=initial, country=books.tenant.country_code, today=timezone.localdate()
    )


def _save(books: Books, form: EmployeeForm, employee: Employee | None) -> Employee | Refusal:
    values: dict[str, Any] = {
        f.name: form.cleaned_data.get(f.name) or "" for f in dataclass_fields(payroll.EmployeeInput)
    }
    values["date_of_birth"] = form.cleaned_data["date_of_birth"]
    values["start_date"] = form.cleaned_data.get("start_date")
    data = payroll.EmployeeInput(**values)
    return submit(
        form,
        lambda: payroll.employee_save(
            tenant=books.tenant, actor=books.actor, data=data, employee=employee
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def employee_create(request: WorkspaceRequest, ws: int, tenant_pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    state = PayrollState.objects.filter(tenant=books.tenant).first()
    form = _form(books, request.POST or None)
    result: Any = None
    if request.method == "POST" and form.is_valid():
        result = _save(books, form, None)
        if isinstance(result, Employee):
            messages.success(request, f"{result.name} added to Xero Payroll.")
            return books.redirect("employee-detail", result.pk)
    context = books.page(form=form, employee=None, state=state, can_write=books.can_write)
    return render(request, "books/employee_form.html", context, status=status(result))


@login_required
@require_GET
def employee_detail(request: WorkspaceRequest, ws: int, tenant_pk: int, pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    employee = get_object_or_404(Employee, pk=pk, tenant=books.tenant)
    context = books.page(employee=employee, can_write=books.can_write)
    return render(request, "books/employee_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def employee_edit(request: WorkspaceRequest, ws: int, tenant_pk: int, pk: int) -> HttpResponse:
    books = books_for(request, ws, tenant_pk, read_role=Role.FINANCE)
    employee = get_object_or_404(Employee, pk=pk, tenant=books.tenant)
    address = employee.address or {}
    initial = {
        "title": employee.title,
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "email": employee.email,
        "phone": employee.phone,
        "gender": employee.gender,
        "date_of_birth": employee.date_of_birth,
        "start_date": employee.start_date,
        "line1": address.get("line1", ""),
        "line2": address.get("line2", ""),
        "city": address.get("city", ""),
        "region": address.get("region", ""),
        "postcode": address.get("postcode", ""),
        "national_insurance": employee.national_insurance,
    }
    form = _form(books, request.POST or None, initial)
    result: Any = None
    if request.method == "POST" and form.is_valid():
        result = _save(books, form, employee)
        if isinstance(result, Employee):
            messages.success(request, f"{result.name} saved in Xero Payroll.")
            return books.redirect("employee-detail", result.pk)
    context = books.page(form=form, employee=employee, state=None, can_write=books.can_write)
    return render(request, "books/employee_form.html", context, status=status(result))
