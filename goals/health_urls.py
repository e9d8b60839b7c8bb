from django.urls import path

from goals import health_views

urlpatterns = [
    path("checks/<int:pk>/", health_views.check_detail, name="fit-check"),
]
