"""Bearer tokens: ``Authorization: Bearer mnt_...``, looked up by their SHA-256."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import User
from api.models import ApiToken, hash_secret

# Writing last_used_at on every request would make every read a write: once a minute is
# plenty to tell a token in use from a forgotten one.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(secret_hash=hash_secret(secret))
            .first()
        )
        if token is None:
            # Unknown, revoked, or its owner deactivated: one answer for all three.
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
