from __future__ import annotations

from django.contrib import admin

from xeroadmin.connections.models import Grant, Tenant, XeroApp


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "client", "status", "tenant_id", "connected_at")
    list_filter = ("status",)
    search_fields = ("name", "tenant_id")
    raw_id_fields = ("workspace", "grant", "client")


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    # Tokens are never shown, not even to staff.
    list_display = (
        "pk",
        "workspace",
        "kind",
        "client_id",
        "xero_user_email",
        "status",
        "expires_at",
    )
    list_filter = ("status", "kind")
    fields = ("workspace", "app", "kind", "client_id", "xero_user_email", "status", "expires_at")
    readonly_fields = fields


@admin.register(XeroApp)
class XeroAppAdmin(admin.ModelAdmin):
    list_display = ("name", "workspace", "kind", "client_id", "created_at")
    fields = ("workspace", "kind", "name", "client_id", "scopes", "created_at")
    readonly_fields = fields
