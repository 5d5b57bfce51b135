from __future__ import annotations

from django.contrib import admin

from xeroadmin.tenancy.models import Client, Invitation, Membership, Workspace


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    filter_horizontal = ("clients",)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    inlines = (MembershipInline,)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "external_ref")
    search_fields = ("name", "external_ref")
    list_select_related = ("workspace",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "workspace", "role", "created_at", "accepted_at", "revoked_at")
    search_fields = ("email",)
    exclude = ("token", "token_digest")
