"""Matching's answers to what the profiles app tells it, and to what accounts asks (which
programmes require single sign-on of a person). Each receiver only hands over to a
service or selector: the rules (who is enrolled where, when suggestions are recomputed)
live there."""

from collections.abc import Iterator
from contextlib import contextmanager

from accounts.models import User
from accounts.signals import single_sign_on_required
from matching import selectors, services
from matching.services import suggestions
from profiles.models import Profile
from profiles.signals import intent_changed, matching_profile_changed


def _intent_changed(sender: type[Profile], *, profile: Profile, **kwargs: object) -> None:
    services.sync_default_enrollments(profile=profile)


def _profile_changed(sender: type[Profile], *, profile: Profile, **kwargs: object) -> None:
    suggestions.profile_changed(profile=profile)


def _single_sign_on_required(sender: type[User], *, user: User, **kwargs: object) -> list[str]:
    return selectors.programmes_requiring_sso(user=user)


def connect() -> None:
    # Not paused with the others below: a bulk load does not suspend a sign-in rule.
    single_sign_on_required.connect(_single_sign_on_required, dispatch_uid="matching-sso")
    intent_changed.connect(_intent_changed, dispatch_uid="matching-intent")
    matching_profile_changed.connect(_profile_changed, dispatch_uid="matching-profile")


def disconnect() -> None:
    intent_changed.disconnect(dispatch_uid="matching-intent")
    matching_profile_changed.disconnect(dispatch_uid="matching-profile")


@contextmanager
def paused() -> Iterator[None]:
    """For bulk loads that enroll everyone and recompute once at the end themselves."""
    disconnect()
    try:
        yield
    finally:
        connect()
