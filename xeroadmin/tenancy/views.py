"""Pages for workspaces, clients, members and invitations."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from xeroadmin.accounts.adapter import remember_invited_email
from xeroadmin.lib.forms import add_errors
from xeroadmin.tenancy import selectors, services
from xeroadmin.tenancy.access import (
    SESSION_KEY,
    WorkspaceRequest,
    client_for,
    invitation_for,
    member_for,
    workspace_membership,
)
from xeroadmin.tenancy.forms import (
    ClientForm,
    ClientSearchForm,
    InvitationForm,
    MembershipForm,
    WorkspaceDeleteForm,
    WorkspaceForm,
    WorkspacePolicyForm,
)
from xeroadmin.tenancy.models import Membership, Role


@login_required
@require_GET
def home(request: WorkspaceRequest) -> HttpResponse:
    memberships = list(selectors.membership_list_for_user(user=request.user))
    if not memberships:
        invitations = selectors.invitation_list_for_user(user=request.user)
        context = {"form": WorkspaceForm(), "invitations": invitations}
        return render(request, "tenancy/onboarding.html", context)
    remembered = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if m.workspace_id == remembered), memberships[0])
    return redirect("tenancy:workspace-detail", ws=chosen.workspace_id)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_create(request: WorkspaceRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = services.workspace_create(user=request.user, name=form.cleaned_data["name"])
        messages.success(request, f"Workspace “{workspace.name}” created.")
        return redirect("tenancy:workspace-detail", ws=workspace.pk)
    return render(request, "tenancy/workspace_create.html", {"form": form})


@login_required
@require_GET
def workspace_list(request: WorkspaceRequest) -> HttpResponse:
    memberships = selectors.membership_list_for_user(user=request.user)
    return render(request, "tenancy/workspace_list.html", {"memberships": memberships})


@login_required
@require_GET
def workspace_detail(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    # The clients' organisations are shown by the connections app's panel (its template tag).
    context = {
        "client_count": selectors.client_list(membership=membership).count(),
        "member_count": membership.workspace.memberships.count(),
        "pending_invitations": selectors.invitation_list_pending(
            workspace=membership.workspace
        ).count(),
    }
    return render(request, "tenancy/workspace_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_settings(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    workspace = membership.workspace
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form", "name")
    form = WorkspaceForm(posted if which == "name" else None, initial={"name": workspace.name})
    policy = WorkspacePolicyForm(
        posted if which == "policy" else None,
        initial={"require_mfa": workspace.require_mfa, "history_notes": workspace.history_notes},
        admin_has_mfa=is_mfa_enabled(request.user),
    )
    if posted is not None and which == "name" and form.is_valid():
        services.workspace_rename(workspace=workspace, name=form.cleaned_data["name"])
        messages.success(request, "Workspace renamed.")
        return redirect("tenancy:workspace-settings", ws=ws)
    if posted is not None and which == "policy" and policy.is_valid():
        services.workspace_policy(workspace=workspace, **policy.cleaned_data)
        messages.success(request, "Settings saved.")
        return redirect("tenancy:workspace-settings", ws=ws)
    delete_form = WorkspaceDeleteForm(workspace_name=workspace.name)
    context = {"form": form, "policy": policy, "delete_form": delete_form}
    status = 400 if posted is not None else 200
    return render(request, "tenancy/workspace_settings.html", context, status=status)


@login_required
@require_POST
def workspace_delete(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.OWNER)
    workspace = membership.workspace
    delete_form = WorkspaceDeleteForm(request.POST, workspace_name=workspace.name)
    if not delete_form.is_valid():
        form = WorkspaceForm(initial={"name": workspace.name})
        policy = WorkspacePolicyForm(
            initial={
                "require_mfa": workspace.require_mfa,
                "history_notes": workspace.history_notes,
            },
            admin_has_mfa=is_mfa_enabled(request.user),
        )
        context = {"form": form, "policy": policy, "delete_form": delete_form}
        return render(request, "tenancy/workspace_settings.html", context)
    services.workspace_delete(workspace=workspace)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, f"Workspace “{workspace.name}” deleted.")
    return redirect("home")


@login_required
@require_GET
def client_list(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    search = ClientSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    context = {
        "clients": selectors.client_list(membership=membership, search=query),
        "search": search,
        "query": query,
        "form": ClientForm(),
    }
    if request.htmx and request.htmx.target == "client-table":
        return render(request, "tenancy/client_list.html#client-table", context)
    return render(request, "tenancy/client_list.html", context)


@login_required
@require_POST
def client_create(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    form = ClientForm(request.POST)
    if form.is_valid():
        try:
            client = services.client_create(workspace=membership.workspace, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Client “{client.name}” added.")
            if not request.htmx:
                return redirect("tenancy:client-list", ws=ws)
            form = ClientForm()
    context = {
        "clients": selectors.client_list(membership=membership),
        "search": ClientSearchForm(),
        "form": form,
        # After a success, the table and the messages are swapped in beside the fresh form.
        "oob": form.is_bound is False,
    }
    if request.htmx:
        return render(request, "tenancy/client_list.html#client-form", context)
    return render(request, "tenancy/client_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def client_detail(request: WorkspaceRequest, ws: int, client_id: int) -> HttpResponse:
    role = Role.ADMIN if request.method == "POST" else Role.VIEWER
    membership = workspace_membership(request, ws, role=role)
    client = client_for(membership, client_id)
    form = ClientForm(
        request.POST or None,
        initial={
            "name": client.name,
            "notes": client.notes,
            "external_ref": client.external_ref,
            "tax_number": client.tax_number,
            "email": client.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Client saved.")
            return redirect("tenancy:client-detail", ws=ws, client_id=client.pk)
    members = client.limited_members.select_related("user")
    context = {"client": client, "form": form, "limited_members": members}
    return render(request, "tenancy/client_detail.html", context)


@login_required
@require_POST
def client_delete(request: WorkspaceRequest, ws: int, client_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    client = client_for(membership, client_id)
    services.client_delete(client=client)
    messages.success(request, f"Client “{client.name}” removed.")
    return redirect("tenancy:client-list", ws=ws)


@login_required
@require_GET
def member_list(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    return render(request, "tenancy/member_list.html", _member_context(membership))


def _member_context(
    membership: Membership, invite_form: InvitationForm | None = None
) -> dict[str, object]:
    return {
        "members": selectors.member_list(workspace=membership.workspace),
        "invitations": selectors.invitation_list_pending(workspace=membership.workspace),
        "invite_form": invite_form or InvitationForm(actor=membership),
    }


@login_required
@require_http_methods(["GET", "POST"])
def member_detail(request: WorkspaceRequest, ws: int, member_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    member = member_for(membership, member_id)
    initial = {"role": member.role, "limited": member.limited, "clients": member.clients.all()}
    form = MembershipForm(request.POST or None, initial=initial, actor=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(actor=membership, membership=member, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Saved {member.user.email}'s access.")
            return redirect("tenancy:member-list", ws=ws)
    return render(request, "tenancy/member_detail.html", {"member": member, "form": form})


@login_required
@require_POST
def member_remove(request: WorkspaceRequest, ws: int, member_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws)
    member = member_for(membership, member_id)
    leaving = member.pk == membership.pk
    if not leaving:
        workspace_membership(request, ws, role=Role.ADMIN)
    try:
        services.membership_remove(actor=membership, membership=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(
            "tenancy:member-list" if not leaving else "tenancy:workspace-settings", ws=ws
        )
    if leaving:
        request.session.pop(SESSION_KEY, None)
        messages.success(request, f"You left “{membership.workspace.name}”.")
        return redirect("home")
    messages.success(request, f"{member.user.email} no longer has access.")
    return redirect("tenancy:member-list", ws=ws)


@login_required
@require_POST
def invitation_create(request: WorkspaceRequest, ws: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    form = InvitationForm(request.POST, actor=membership)
    if form.is_valid():
        try:
            invitation = services.invitation_create(actor=membership, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            form = InvitationForm(actor=membership)
    context = _member_context(membership, invite_form=form)
    if request.htmx:
        return render(request, "tenancy/member_list.html#invitations", context)
    return render(request, "tenancy/member_list.html", context)


@login_required
@require_POST
def invitation_resend(request: WorkspaceRequest, ws: int, invitation_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    invitation = invitation_for(membership, invitation_id)
    try:
        services.invitation_resend(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}.")
    return redirect("tenancy:member-list", ws=ws)


@login_required
@require_POST
def invitation_revoke(request: WorkspaceRequest, ws: int, invitation_id: int) -> HttpResponse:
    membership = workspace_membership(request, ws, role=Role.ADMIN)
    invitation = invitation_for(membership, invitation_id)
    try:
        services.invitation_revoke(invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    if request.htmx:
        return HttpResponseClientRedirect(request.build_absolute_uri())
    return redirect("tenancy:member-list", ws=ws)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: WorkspaceRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_by_token(token=token)
    except services.InvitationError as error:
        # An unknown token is "not found"; a known one that can no longer be used is "gone".
        status = 404 if error.invitation is None else 410
        return render(
            request, "tenancy/invitation_accept.html", {"error": error.message}, status=status
        )
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except services.InvitationError as error:
            context: dict[str, object] = {"error": error.message, "invitation": invitation}
            return render(request, "tenancy/invitation_accept.html", context, status=403)
        messages.success(request, f"Welcome to “{membership.workspace.name}”.")
        return redirect("tenancy:workspace-detail", ws=membership.workspace_id)
    if not request.user.is_authenticated:
        remember_invited_email(request, invitation.email)
    return render(request, "tenancy/invitation_accept.html", {"invitation": invitation})
