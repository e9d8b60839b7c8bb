"""Authentication backends that load the signed-in person's profile with their account.

Every page reads ``request.user.profile`` (the onboarding check, the navbar, most views),
so joining it into the query that loads the user saves a query on every request. Both
classes stay named in settings: a session remembers the backend that logged it in.
"""

from typing import Any

from django.contrib.auth import backends
from django.core.exceptions import ValidationError

from allauth.account import auth_backends

from accounts.models import User


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related("profile").get(pk=user_id)
        except (User.DoesNotExist, TypeError, ValueError, ValidationError):
            # A missing account or a malformed id in a session: nobody is signed in.
            return None
        return user if self.user_can_authenticate(user) else None


class AuthenticationBackend(ModelBackend, auth_backends.AuthenticationBackend):
    """allauth's backend (login by email), with the same profile-loading ``get_user``."""
