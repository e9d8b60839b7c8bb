"""Authentication backends that load the signed-in person's profile with their account.

Every page reads ``request.user.profile`` (the onboarding check, the navbar, most views),
so joining it into the query that loads the user saves a query on every request. Both
classes stay named in settings: a session remembers the backend that logged it in.
"""

from typing import Any

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError

from allauth.account import auth_backends


class _ProfileAlong:
    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("profile").get(pk=user_id)
        except (user_model.DoesNotExist, TypeError, ValueError, ValidationError):
            # A missing account or a malformed id in a session: nobody is signed in.
            return None
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_ProfileAlong, backends.ModelBackend):
    pass


class AuthenticationBackend(_ProfileAlong, auth_backends.AuthenticationBackend):
    pass
