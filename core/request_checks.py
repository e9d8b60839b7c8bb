"""Addresses that no page can answer: refused with a 400 before any view runs."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte anywhere in the query string.

    No page of ours uses one, and PostgreSQL refuses any text that holds one, so a
    ``?status__exact=%00`` on an admin list (ours or a library's) reached the database
    and came back as a 500. Form posts are left to the forms, which put Django's "Null
    characters are not allowed" next to the field; a path is left to the URL patterns
    and views, which answer an address they do not know with a 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            words = gettext("This address contains a character no page uses.")
            # Machines calling the API read JSON errors, as its schema documents.
            if request.path.startswith(tuple(settings.JSON_ERROR_PATHS)):
                return JsonResponse({"detail": words}, status=400)
            return HttpResponseBadRequest(words, content_type="text/plain")
        return self.get_response(request)
