"""Deprovisioning: a person leaves the organisation behind a programme, and their account
is deactivated (SCIM, the API, or a CSV import in programmes).

Deactivation is not deletion: nothing the person wrote is erased and their data follows
the privacy rules (privacy/services.py) like anyone's. They can no longer sign in, their
active mentorships end kindly (the other side gets the usual "mentorship ended" email,
once), their open requests close, and an audit entry records who did it. Their
enrollments stay, so reactivating the account brings them back to their programmes.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as account_services
from accounts.models import User
from core.outbox import services as outbox
from matching.admin_scoping import can_administer
from matching.models import (
    AuditAction,
    Cohort,
    Enrollment,
    Mentorship,
    MentorshipStatus,
    either_side,
)
from matching.services import _close_mentorship, _name, audit, close_open_requests


def may_deactivate(*, by: User, user: User) -> bool:
    """A superuser, or a programme admin of a cohort the person is enrolled in. Nobody
    deactivates themselves this way, so an admin cannot lock themselves out by mistake."""
    if by.pk == user.pk or not (by.is_active and by.is_staff):
        return False
    if by.is_superuser:
        return True
    cohorts = Cohort.objects.filter(enrollments__user=user).distinct()
    return any(can_administer(by, cohort) for cohort in cohorts)


def _kind_reason(person: User, recipient: User) -> str:
    # Stored on the mentorship and quoted in the other side's email: in their language.
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        return _(
            "%(name)s's account has been closed by the programme, so your mentorship ends "
            "here. It has nothing to do with you or with how it went; thank you for the "
            "time you gave to it."
        ) % {"name": _name(person)}


def _end_mentorship_kindly(mentorship: Mentorship, person: User) -> None:
    other = mentorship.other_side(person)
    mentorship = _close_mentorship(
        mentorship,
        by=None,
        outcome=MentorshipStatus.ENDED_EARLY,
        reason=_kind_reason(person, other),
        tell=False,
    )
    # Only the other side hears: the person who left may no longer read this address.
    outbox.enqueue(
        "mentorship_ended",
        to=[other.email],
        context={
            "mentorship": mentorship,
            # Lazy: the outbox renders the email in the recipient's language.
            "ended_by": gettext_lazy("The programme"),
            "by_me": False,
            "other": _name(person),
        },
        key=f"mentorship-ended:{mentorship.pk}:{other.pk}",
    )


def _cohorts_of(user: User) -> list[Cohort]:
    return list(Cohort.objects.filter(enrollments__user=user).distinct().order_by("pk"))


def _record(*, user: User, by: User | None, action: str, summary: str) -> None:
    # One entry in each of the person's programmes, so each programme's admins see it.
    cohorts: list[Cohort | None] = [*_cohorts_of(user)] or [None]
    for cohort in cohorts:
        audit.record(actor=by, cohort=cohort, action=action, summary=summary, obj=user)


@transaction.atomic
def deactivate_person(*, user: User, by: User | None) -> User:
    """Stop ``user`` signing in, end their mentorships kindly and close their requests.
    ``by`` None is the system (a task); otherwise it must be allowed to. Safe to run twice:
    a person already deactivated changes nothing and is not recorded again."""
    if by is not None and not may_deactivate(by=by, user=user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    account_services.set_active(user=user, active=False)
    active = (
        Mentorship.objects.active()
        .filter(either_side(user))
        .select_related("mentor_enrollment__user", "mentee_enrollment__user", "cohort")
        .select_for_update(of=("self",))
    )
    ended = 0
    for mentorship in active:
        _end_mentorship_kindly(mentorship, user)
        ended += 1
    for enrollment in Enrollment.objects.active().filter(user=user):
        close_open_requests(enrollment)
    _record(
        user=user,
        by=by,
        action=AuditAction.PERSON_DEACTIVATED,
        summary=f"Deactivated {user.email}; {ended} active mentorship(s) ended",
    )
    return user


@transaction.atomic
def reactivate_person(*, user: User, by: User | None) -> User:
    """Let a deactivated person sign in again. Their ended mentorships stay ended."""
    if by is not None and not may_deactivate(by=by, user=user):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    account_services.set_active(user=user, active=True)
    _record(
        user=user, by=by, action=AuditAction.PERSON_REACTIVATED, summary=f"Reactivated {user.email}"
    )
    return user
