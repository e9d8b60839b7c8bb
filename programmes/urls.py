from django.urls import path

from programmes import survey_views, views

app_name = "programmes"

# Tokens are secrets.token_urlsafe: the slug converter matches exactly that alphabet, so
# nothing else (a NUL byte, which PostgreSQL refuses in a query) reaches the views.
urlpatterns = [
    path("invitations/<slug:token>/", views.invitation, name="invitation"),
    path("surveys/<slug:token>/", survey_views.survey, name="survey"),
]
