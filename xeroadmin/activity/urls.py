from __future__ import annotations

from django.urls import path

from xeroadmin.activity import views

app_name = "activity"

urlpatterns = [
    path("w/<int:ws>/activity/", views.workspace_feed, name="workspace-feed"),
]
