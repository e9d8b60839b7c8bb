"""URLs of obstacles; included by goals.urls, so names live in the goals namespace."""

from django.urls import path

from goals import obstacle_views

urlpatterns = [
    path("goals/<int:pk>/obstacles/", obstacle_views.flag_obstacle, name="obstacle-flag"),
    path(
        "obstacles/<int:pk>/advise/",
        obstacle_views.advise_on_obstacle,
        name="obstacle-advise",
    ),
    path(
        "obstacles/<int:pk>/resolve/",
        obstacle_views.resolve_obstacle,
        name="obstacle-resolve",
    ),
]
