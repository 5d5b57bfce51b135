from __future__ import annotations

from django.contrib import admin

from xeroadmin.activity.models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "workspace", "source", "category", "summary", "actor_label")
    list_filter = ("source", "category")
    search_fields = ("summary",)
    raw_id_fields = ("workspace", "tenant", "client", "actor")
