"""A friendly "503, try again shortly" page while the database cannot be reached."""

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

# Lost, refused or timed-out connections; not bad SQL (ProgrammingError), which is a bug.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_MARK = "_database_unavailable"


def _remember_connection_error(
    sender: object, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django turns an exception raised by a middleware (the session or onboarding
    # lookups, say) into a 500 before it reaches us, telling only this signal, which
    # is sent while the exception is being handled. Under ASGI it is handled in
    # another thread and this sees nothing: those requests keep the 500 page.
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, CONNECTION_ERRORS):
        setattr(request, _MARK, exc)


got_request_exception.connect(
    _remember_connection_error, dispatch_uid="core.middleware.database_unavailable"
)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After when a view or middleware loses the database.

    The database drops connections when it restarts or fails over; the next request
    opens a fresh one (Django closes a connection that raised), so the site recovers
    by itself and the visitor only has to try again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        exc = getattr(request, _MARK, None)
        if exc is not None:
            return unavailable(request, exc)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, CONNECTION_ERRORS):
            return unavailable(request, exception)
        return None


def unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.warning(
        "Database unavailable, answered 503 to %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        str(exc).strip(),
    )
    # No context processors and no request: they query the database that just failed.
    template = loader.get_template("503.html")
    response = HttpResponse(template.render({"site_name": settings.SITE_NAME}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
