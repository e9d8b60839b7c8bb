"""URLs of meetings; included by goals.urls, so names live in the goals namespace."""

from django.urls import path

from goals import meeting_views as views

urlpatterns = [
    path("mentorships/<int:mentorship_pk>/meetings/", views.meeting_list, name="meeting-list"),
    path(
        "mentorships/<int:mentorship_pk>/meetings/new/",
        views.meeting_create,
        name="meeting-create",
    ),
    path(
        "mentorships/<int:mentorship_pk>/meetings/log/",
        views.meeting_log,
        name="meeting-log",
    ),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/notes/", views.meeting_note, name="meeting-note"),
    path("meetings/<int:pk>/actions/", views.meeting_action, name="meeting-action"),
    path("meetings/<int:pk>/invite.ics", views.meeting_ics, name="meeting-ics"),
    path("action-items/<int:pk>/done/", views.action_toggle, name="action-toggle"),
]
