from __future__ import annotations

from django.urls import path

from xeroadmin.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("workspaces/", views.workspace_list, name="workspace-list"),
    path("workspaces/new/", views.workspace_create, name="workspace-create"),
    path("w/<int:ws>/", views.workspace_detail, name="workspace-detail"),
    path("w/<int:ws>/settings/", views.workspace_settings, name="workspace-settings"),
    path("w/<int:ws>/delete/", views.workspace_delete, name="workspace-delete"),
    path("w/<int:ws>/clients/", views.client_list, name="client-list"),
    path("w/<int:ws>/clients/new/", views.client_create, name="client-create"),
    path("w/<int:ws>/clients/<int:client_id>/", views.client_detail, name="client-detail"),
    path("w/<int:ws>/clients/<int:client_id>/delete/", views.client_delete, name="client-delete"),
    path("w/<int:ws>/members/", views.member_list, name="member-list"),
    path("w/<int:ws>/members/<int:member_id>/", views.member_detail, name="member-detail"),
    path("w/<int:ws>/members/<int:member_id>/remove/", views.member_remove, name="member-remove"),
    path("w/<int:ws>/invitations/", views.invitation_create, name="invitation-create"),
    path(
        "w/<int:ws>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "w/<int:ws>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
