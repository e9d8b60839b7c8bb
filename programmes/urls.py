from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("surveys/<str:token>/", views.survey, name="survey"),
]
