"""Staff without a second factor are sent to set one up before the admin opens."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import two_factor

SET_UP_MESSAGE = _(
    "The admin asks for two-factor authentication. Scan the code below with an "
    "authenticator app (such as Aegis, Google Authenticator or 1Password) and enter the "
    "six digits it shows; from then on, signing in asks for a fresh code."
)


class StaffTwoFactorMiddleware:
    """Before any admin page, a staff member without an authenticator app goes to
    allauth's page that sets one up, with a message that says why. Signing out of the
    admin stays open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.path.startswith(reverse("admin:index"))
            and request.path != reverse("admin:logout")
            and two_factor.required_for(user)
            and not two_factor.has_two_factor(user)
        ):
            messages.warning(request, SET_UP_MESSAGE, fail_silently=True)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class PersonLanguageMiddleware(LocaleMiddleware):
    """The site speaks a signed-in person's chosen language; everyone else gets the one
    their browser asks for (Django's LocaleMiddleware: cookie, then Accept-Language)."""

    def process_request(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        if chosen and user is not None and user.is_authenticated:
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
