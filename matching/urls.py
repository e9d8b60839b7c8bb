from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("mentors/", views.directory, name="directory"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor-detail"),
    path("mentors/<int:pk>/request/", views.send_request, name="request-create"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/accept/", views.accept_request, name="request-accept"),
    path("requests/<int:pk>/decline/", views.decline_request, name="request-decline"),
    path("requests/<int:pk>/withdraw/", views.withdraw_request, name="request-withdraw"),
    path("mentorships/<int:pk>/", views.mentorship_detail, name="mentorship-detail"),
    path("mentorships/<int:pk>/end/", views.end_mentorship, name="mentorship-end"),
    path("mentorships/<int:pk>/feedback/", views.leave_feedback, name="mentorship-feedback"),
    path("mentorships/<int:pk>/introduce/", views.introduce, name="mentorship-introduce"),
    path("introductions/<int:pk>/", views.introduction_detail, name="introduction-detail"),
    path("introductions/<int:pk>/answer/", views.answer_introduction, name="introduction-answer"),
    path("suggestions/<int:pk>/dismiss/", views.dismiss_suggestion, name="suggestion-dismiss"),
    path("programmes/", views.cohorts, name="cohorts"),
    path("choices/<int:pk>/", views.choices, name="choices"),
    path("choices/<int:pk>/add/", views.add_choice, name="choice-add"),
    path("choices/<int:pk>/move/", views.move_choice, name="choice-move"),
    path("choices/<int:pk>/remove/", views.remove_choice, name="choice-remove"),
    path("mentoring/accepting/", views.set_accepting, name="set-accepting"),
]
