from django.urls import path, register_converter

from drf_spectacular.views import SpectacularAPIView

from api import docs, scim, views
from api.converters import IdConverter

register_converter(IdConverter, "id")

app_name = "api"

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", docs.api_docs, name="docs"),
    path("api/v1/cohorts/", views.CohortList.as_view(), name="cohort-list"),
    path("api/v1/cohorts/<id:pk>/", views.CohortDetail.as_view(), name="cohort-detail"),
    path("api/v1/cohorts/<id:pk>/report/", views.CohortReport.as_view(), name="cohort-report"),
    path("api/v1/enrollments/", views.EnrollmentList.as_view(), name="enrollment-list"),
    path("api/v1/enrollments/<id:pk>/", views.EnrollmentDetail.as_view(), name="enrollment-detail"),
    path("api/v1/mentorships/", views.MentorshipList.as_view(), name="mentorship-list"),
    path("api/v1/mentorships/<id:pk>/", views.MentorshipDetail.as_view(), name="mentorship-detail"),
    path("api/v1/goals/", views.GoalList.as_view(), name="goal-list"),
    path("api/v1/goals/<id:pk>/", views.GoalDetail.as_view(), name="goal-detail"),
    path("api/v1/invitations/", views.InvitationList.as_view(), name="invitation-list"),
    path("api/v1/invitations/<id:pk>/", views.InvitationDetail.as_view(), name="invitation-detail"),
    path("scim/v2/Users", scim.UserList.as_view(), name="scim-users"),
    path("scim/v2/Users/<id:pk>", scim.UserDetail.as_view(), name="scim-user"),
    path(
        "scim/v2/ServiceProviderConfig",
        scim.ServiceProviderConfig.as_view(),
        name="scim-service-provider-config",
    ),
]
