from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from core.outbox import services as outbox


def send_welcome(*, user: User) -> None:
    """Welcome a newly verified person, once, however often they verify an address."""
    outbox.enqueue(
        "welcome",
        to=[user.email],
        context={"user": user},
        key=f"welcome:{user.pk}",
    )


def set_language(*, user: User, language: str) -> User:
    """Keep a person's language for the site and every email they get."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {"language": _("Choose one of the languages offered.")}, code="invalid"
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def set_active(*, user: User, active: bool) -> User:
    """Let a person sign in, or stop them: allauth and Django refuse an inactive account,
    and its sessions no longer load a user. Callers decide what else follows (see
    matching.services.deactivation)."""
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


def send_single_sign_on_reminder(
    *, user: User, programmes: list[str], providers: list[str]
) -> None:
    """Answer a password reset of someone who signs in through their organisation: the
    email says how to sign in instead of carrying a reset link."""
    outbox.enqueue(
        "password_reset_sso",
        to=[user.email],
        context={"user": user, "programmes": ", ".join(programmes), "provider": providers[0]},
    )
