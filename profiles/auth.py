"""Authentication backends that load the signed-in person's profile with their account.

Every page reads ``request.user.profile`` (the onboarding check, the navbar, most views):
loading it in the same query as the user saves a query on every request. Otherwise
these are Django's and allauth's backends unchanged.
"""

from typing import Any

from django.contrib.auth import backends, get_user_model

from allauth.account import auth_backends


class _ProfileAlong:
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("profile").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_ProfileAlong, backends.ModelBackend):
    pass


class AuthenticationBackend(_ProfileAlong, auth_backends.AuthenticationBackend):
    pass
