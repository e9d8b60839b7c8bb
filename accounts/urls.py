from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.choose_language, name="language"),
]
