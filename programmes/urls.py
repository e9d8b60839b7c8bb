from django.urls import path

from programmes import survey_views, views

app_name = "programmes"

urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("surveys/<str:token>/", survey_views.survey, name="survey"),
]
