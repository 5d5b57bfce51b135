from __future__ import annotations

from django.urls import path

from xeroadmin.alerts import views

app_name = "alerts"

urlpatterns = [
    path("w/<int:ws>/alerts/", views.rule_list, name="rule-list"),
    path("w/<int:ws>/alerts/rules/new/", views.rule_new, name="rule-new"),
    path("w/<int:ws>/alerts/rules/<int:rule_id>/", views.rule_edit, name="rule-edit"),
    path("w/<int:ws>/alerts/channels/new/", views.channel_new, name="channel-new"),
    path(
        "w/<int:ws>/alerts/channels/<int:channel_id>/",
        views.channel_detail,
        name="channel-detail",
    ),
    path("w/<int:ws>/notifications/", views.notification_list, name="notification-list"),
    path("w/<int:ws>/notifications/bell/", views.bell, name="bell"),
    path("w/<int:ws>/notifications/read/", views.notification_read, name="notification-read"),
]
