from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a signed-in person may visit before finishing onboarding: their account
# pages (to verify, log out, change a password), their data (download, delete the
# account), the email settings every email links to, invitation and survey links,
# onboarding itself, the admin, and the language switch (and its script catalogue).
# The API and SCIM take tokens, not sessions; their docs page is read by programme
# admins, who often never onboard.
EXEMPT_PREFIXES = (
    "/accounts/",
    "/invitations/",
    "/surveys/",
    "/account/",
    "/profile/emails/",
    "/onboarding/",
    "/admin/",
    "/static/",
    "/healthz",
    "/language/",
    "/jsi18n/",
    "/api/",
    "/scim/",
)


class OnboardingRequiredMiddleware:
    """Send signed-in people who have not finished onboarding to it, wherever they go.

    It reads ``user.profile``, which the authentication backends load with the user
    (profiles/auth.py), as the navbar, the badges and most views do after it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and request.path != reverse("home")
            and not self._is_onboarded(user)
        ):
            return redirect("profiles:onboarding-start")
        return self.get_response(request)

    @staticmethod
    def _is_onboarded(user: Any) -> bool:
        # The backends (profiles/auth.py) load the profile with the user: no query here.
        profile = getattr(user, "profile", None)
        return profile is not None and profile.is_onboarded
