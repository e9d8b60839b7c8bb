"""The request type of views that only signed-in people reach, and their user."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """What a ``@login_required`` view receives: ``request.user`` is never anonymous.

    Only an annotation: Django still passes a plain ``HttpRequest``. It tells the type
    checker what the decorator guarantees, so views can hand ``request.user`` to
    services and selectors that take a ``User`` without checking it again.
    """

    user: User


def signed_in_user(request: HttpRequest) -> User:
    """``request.user`` where only a signed-in person can be (the admin's pages, whose
    methods Django types with a plain request). An anonymous visitor is refused."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
