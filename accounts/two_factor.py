"""Two-factor authentication for staff: the admin is for people who proved a second factor.

allauth's MFA asks for the code at every sign-in once a person has an authenticator, and
the admin signs in through allauth's login (``mentorship/urls.py``). What is left to us is
the rule that staff *must* have one before they reach the admin or read a cohort's goals
as its programme admin.
"""

from django.conf import settings

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

from accounts.models import User


def required_for(user: User) -> bool:
    """Staff (superusers and programme admins) need a second factor, unless a deployment
    turned the rule off (``ADMIN_REQUIRES_TWO_FACTOR=false``, for a local demo only)."""
    return bool(settings.ADMIN_REQUIRES_TWO_FACTOR and user.is_staff)


def has_two_factor(user: User) -> bool:
    """Whether this person has an authenticator app set up (allauth's own answer)."""
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def may_act_as_staff(user: User) -> bool:
    """Staff who may use their staff rights now: a second factor, where one is needed."""
    return user.is_staff and (not required_for(user) or has_two_factor(user))
