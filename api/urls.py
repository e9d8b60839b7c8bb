from django.urls import path

from drf_spectacular.views import SpectacularAPIView

from api import docs, scim, views

app_name = "api"

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", docs.api_docs, name="docs"),
    path("api/v1/cohorts/", views.CohortList.as_view(), name="cohort-list"),
    path("api/v1/cohorts/<int:pk>/", views.CohortDetail.as_view(), name="cohort-detail"),
    path("api/v1/cohorts/<int:pk>/report/", views.CohortReport.as_view(), name="cohort-report"),
    path("api/v1/enrollments/", views.EnrollmentList.as_view(), name="enrollment-list"),
    path(
        "api/v1/enrollments/<int:pk>/", views.EnrollmentDetail.as_view(), name="enrollment-detail"
    ),
    path("api/v1/mentorships/", views.MentorshipList.as_view(), name="mentorship-list"),
    path(
        "api/v1/mentorships/<int:pk>/", views.MentorshipDetail.as_view(), name="mentorship-detail"
    ),
    path("api/v1/goals/", views.GoalList.as_view(), name="goal-list"),
    path("api/v1/goals/<int:pk>/", views.GoalDetail.as_view(), name="goal-detail"),
    path("api/v1/invitations/", views.InvitationList.as_view(), name="invitation-list"),
    path(
        "api/v1/invitations/<int:pk>/", views.InvitationDetail.as_view(), name="invitation-detail"
    ),
    path("scim/v2/Users", scim.UserList.as_view(), name="scim-users"),
    path("scim/v2/Users/<int:pk>", scim.UserDetail.as_view(), name="scim-user"),
    path(
        "scim/v2/ServiceProviderConfig",
        scim.ServiceProviderConfig.as_view(),
        name="scim-service-provider-config",
    ),
]
