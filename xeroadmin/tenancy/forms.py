from __future__ import annotations

from typing import Any, cast

from django import forms

from xeroadmin.tenancy.models import ROLE_HELP, Client, Membership, Role


class WorkspaceForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Workspace name",
        help_text="Usually your practice or company: “Northwind IT”, “Harbour Accounting”.",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "organization"}),
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the workspace a name.")
        return name


class WorkspacePolicyForm(forms.Form):
    """How the workspace works: two-factor authentication required of its members, and
    whether edits made here are noted in Xero's history."""

    require_mfa = forms.BooleanField(
        required=False,
        label="Require two-factor authentication for every member",
        help_text="Members who have not set it up are taken to its set-up page when they "
        "next open this workspace, and cannot go further until they have.",
    )
    history_notes = forms.BooleanField(
        required=False,
        label="Note each edit in the record's history in Xero",
        help_text="Adds “Approved by … via xeroadmin” and the like to the record's History and "
        "Notes in Xero.",
    )

    def __init__(self, *args: Any, admin_has_mfa: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.admin_has_mfa = admin_has_mfa

    def clean_require_mfa(self) -> bool:
        wanted = bool(self.cleaned_data.get("require_mfa"))
        if wanted and not self.admin_has_mfa:
            raise forms.ValidationError(
                "Set up two-factor authentication for yourself first (in your account's "
                "Two-factor authentication page), so that requiring it does not lock you out."
            )
        return wanted


class WorkspaceDeleteForm(forms.Form):
    confirm = forms.CharField(label="Type the workspace's name to confirm")

    def __init__(self, *args: Any, workspace_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace_name = workspace_name

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value.strip() != self.workspace_name:
            raise forms.ValidationError("That is not the workspace's name.")
        return value


class ClientForm(forms.Form):
    name = forms.CharField(max_length=200)
    external_ref = forms.CharField(
        max_length=100,
        required=False,
        label="External reference",
        help_text="The client's id in your PSA or practice software, if any.",
    )
    tax_number = forms.CharField(
        max_length=50,
        required=False,
        label="Tax number",
        help_text="GST, ABN or VAT number, if known: organisations with it are matched exactly.",
    )
    email = forms.EmailField(
        required=False,
        label="E-mail",
        help_text="The client's own address: organisations on the same domain are matched.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ClientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search clients")


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.FINANCE)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [c for c in Role.choices if actor.is_owner or c[0] != Role.OWNER]
        role = cast(forms.ChoiceField, self.fields["role"])
        role.choices = choices
        role.help_text = " ".join(
            f"{Role(value).label}: {ROLE_HELP[Role(value)]}" for value, _ in choices
        )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    limited = forms.BooleanField(
        required=False,
        label="Limit to chosen clients",
        help_text="The member sees only the clients ticked below. Admins and owners see all.",
    )
    clients = forms.ModelMultipleChoiceField(
        queryset=Client.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = Client.objects.filter(  # type: ignore[attr-defined]
            workspace_id=actor.workspace_id
        )
        if not actor.is_owner:
            role = cast(forms.ChoiceField, self.fields["role"])
            role.choices = [c for c in Role.choices if c[0] != Role.OWNER]
