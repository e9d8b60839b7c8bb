"""A URL configuration with one failing view, to see the 500 page a visitor gets."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure")


urlpatterns = [path("boom/", boom), path("", include("mentorship.urls"))]

handler500 = "pages.views.server_error"
