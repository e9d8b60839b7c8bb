"""Single sign-on: which people must sign in through the company's identity provider.

allauth's socialaccount does the signing in (OpenID Connect, SAML; mentorship/settings.py).
What is ours is the rule that a programme can require it: a person enrolled in such a
programme is refused a password sign-in and a password reset, and told to use the
company sign-in instead.
"""

from django.http import HttpRequest

from allauth.socialaccount.adapter import get_adapter

from accounts.models import User
from accounts.signals import single_sign_on_required


def sign_in_buttons(request: HttpRequest | None) -> list[str]:
    """The names of the identity providers this site offers ("Acme"), in order."""
    return [provider.name for provider in get_adapter().list_providers(request)]


def programmes_requiring(user: User, request: HttpRequest | None = None) -> list[str]:
    """The programmes that refuse this person a password, by name; empty when none do.

    Staff are exempt: they already prove a second factor (accounts/two_factor.py), and
    they are who repairs a broken identity provider's settings in the admin. So is
    everyone while the site offers no single sign-on at all, which would lock them out."""
    if user.is_staff or not sign_in_buttons(request):
        return []
    names: list[str] = []
    for _receiver, answer in single_sign_on_required.send(sender=User, user=user):
        names.extend(answer or [])
    return sorted(set(names))
