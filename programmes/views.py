from django.http import Http404, HttpRequest, HttpResponse


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404


def survey(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
