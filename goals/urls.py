from django.urls import include, path

from goals import views

app_name = "goals"

urlpatterns = [
    path("mentorships/<int:mentorship_pk>/goals/new/", views.create_goal, name="create"),
    path("mentorships/<int:mentorship_pk>/goals/check/", views.check_goal, name="check"),
    path("goals/review/", views.review_board, name="review-board"),
    path("goals/<int:pk>/", views.goal_detail, name="detail"),
    path("goals/<int:pk>/edit/", views.edit_goal, name="edit"),
    path("goals/<int:pk>/submit/", views.submit_goal, name="submit"),
    path("goals/<int:pk>/review/", views.review_goal, name="review"),
    path("goals/<int:pk>/progress/", views.log_progress, name="progress"),
    path("goals/<int:pk>/close/", views.close_goal, name="close"),
    path("goals/<int:pk>/comment/", views.comment, name="comment"),
    path("", include("goals.meeting_urls")),
    path("", include("goals.obstacle_urls")),
    path("", include("goals.health_urls")),
]
