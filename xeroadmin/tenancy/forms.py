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
