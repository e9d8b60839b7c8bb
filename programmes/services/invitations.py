"""Invitations: a personal link that signs someone up (or logs them in) and enrolls them.

An invitation enrolls whatever the cohort's join rules say (closed enrollment, invite
code): the programme team chose this person, and the link proves the address is theirs.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from allauth.account.models import EmailAddress

from accounts.models import User
from core.outbox import services as outbox
from matching.admin_scoping import can_administer
from matching.models import AuditAction, Cohort, Enrollment, Role
from matching.services import _enroll, audit
from matching.services.suggestions import request_recompute
from profiles import services as profile_services
from profiles.models import Profile
from programmes.models import ImportBatch, Invitation

MIN_CAPACITY, MAX_CAPACITY = 1, 10


def enrolled_roles(*, cohort: Cohort, emails: Iterable[str]) -> dict[str, list[str]]:
    """Lower-cased address -> the roles that person holds actively in ``cohort``."""
    wanted = {e.lower() for e in emails}
    roles: dict[str, list[str]] = {}
    rows = (
        Enrollment.objects.active()
        .filter(cohort=cohort)
        .values_list("user__email", "role")
        .order_by("role")
    )
    for email, role in rows:
        if email.lower() in wanted:
            roles.setdefault(email.lower(), []).append(role)
    return roles


def already_enrolled_message(roles: list[str], cohort_name: str | None = None) -> str:
    """ "Already enrolled in Spring as mentee and mentor." (or "in this cohort" without a
    name), whole for each set of roles, so that each language words it its own way."""
    both = set(roles) == {Role.MENTEE, Role.MENTOR}
    is_mentor = roles == [Role.MENTOR]
    if cohort_name is None:
        if both:
            return gettext("Already enrolled in this cohort as mentee and mentor.")
        if is_mentor:
            return gettext("Already enrolled in this cohort as mentor.")
        return gettext("Already enrolled in this cohort as mentee.")
    words = {"cohort": cohort_name}
    if both:
        return gettext("Already enrolled in %(cohort)s as mentee and mentor.") % words
    if is_mentor:
        return gettext("Already enrolled in %(cohort)s as mentor.") % words
    return gettext("Already enrolled in %(cohort)s as mentee.") % words


def _check_admin(user: User, cohort: Cohort) -> None:
    if not can_administer(user, cohort):
        raise PermissionDenied


def _send(invitation: Invitation) -> None:
    """Queue one more email for a pending invitation; each send has its own outbox key."""
    invitation.sent_count += 1
    invitation.last_sent_at = timezone.now()
    invitation.save(update_fields=["sent_count", "last_sent_at"])
    outbox.enqueue(
        "invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "cohort": invitation.cohort,
            "role": invitation.get_role_display().lower(),
            "is_reminder": invitation.sent_count > 1,
        },
        key=f"invitation:{invitation.pk}:{invitation.sent_count}",
    )


def create_invitation(
    *,
    cohort: Cohort,
    email: str,
    name: str,
    role: str,
    capacity: int | None,
    by: User,
    batch: ImportBatch | None = None,
) -> Invitation:
    """Create and send one invitation. Callers check access and record the audit entry."""
    email = email.strip().lower()
    validate_email(email)
    if role not in Role.values:
        raise ValidationError({"role": gettext("Choose mentor or mentee.")})
    if capacity is not None and (
        role != Role.MENTOR or not MIN_CAPACITY <= capacity <= MAX_CAPACITY
    ):
        raise ValidationError(
            {
                "capacity": gettext("Capacity is for mentors only, from %(low)s to %(high)s.")
                % {"low": MIN_CAPACITY, "high": MAX_CAPACITY}
            }
        )
    try:
        # A savepoint: losing a race on (cohort, email) must not spoil the caller's work.
        with transaction.atomic():
            invitation = Invitation.objects.create(
                cohort=cohort,
                email=email,
                name=" ".join(name.split()),
                role=role,
                capacity=capacity,
                batch=batch,
                invited_by=by,
            )
    except IntegrityError:
        message = gettext("%(email)s is already invited to %(cohort)s.")
        raise ValidationError(
            {"email": message % {"email": email, "cohort": cohort.name}}
        ) from None
    _send(invitation)
    return invitation


def create_unsent_invitations(
    *, cohort: Cohort, rows: list[dict[str, Any]], by: User | None, batch: ImportBatch
) -> None:
    """Invitations for an import's checked rows in one insert, not sent yet: the import
    sends them all at the end (``send_new_invitations``), or deletes them if it fails.

    Someone invited by hand since the caller looked is left out: the savepoint retries
    without them."""
    for _attempt in range(3):
        taken = set(
            Invitation.objects.filter(
                cohort=cohort, email__in=[r["email"] for r in rows]
            ).values_list("email", flat=True)
        )
        fresh = [
            Invitation(
                cohort=cohort,
                email=row["email"],
                name=" ".join(row["name"].split()),
                role=row["role"],
                capacity=row["capacity"],
                batch=batch,
                invited_by=by,
            )
            for row in rows
            if row["email"] not in taken
        ]
        try:
            with transaction.atomic():
                Invitation.objects.bulk_create(fresh)
        except IntegrityError:
            continue
        return
    raise IntegrityError("Invitations kept colliding with invitations made at the same time.")


def send_new_invitations(pending: QuerySet[Invitation]) -> int:
    """Send the first email of many invitations at once (an import); returns how many."""
    rows = list(pending.filter(sent_count=0).select_related("cohort"))
    if not rows:
        return 0
    outbox.enqueue_many(
        "invitation",
        [
            outbox.Queued(
                to=[invitation.email],
                context={
                    "invitation": invitation,
                    "cohort": invitation.cohort,
                    "role": invitation.get_role_display().lower(),
                    "is_reminder": False,
                },
                # The same key as _send's first email, so neither sends it twice.
                key=f"invitation:{invitation.pk}:1",
            )
            for invitation in rows
        ],
    )
    Invitation.objects.filter(pk__in=[i.pk for i in rows]).update(
        sent_count=1, last_sent_at=timezone.now()
    )
    return len(rows)


@transaction.atomic
def invite(
    *, cohort: Cohort, email: str, name: str, role: str, capacity: int | None, by: User
) -> Invitation:
    """One invitation added by hand in the admin."""
    _check_admin(by, cohort)
    if enrolled_roles(cohort=cohort, emails=[email]):
        message = gettext("%(email)s is already enrolled in %(cohort)s.")
        raise ValidationError({"email": message % {"email": email, "cohort": cohort.name}})
    invitation = create_invitation(
        cohort=cohort, email=email, name=name, role=role, capacity=capacity, by=by
    )
    audit.record(
        actor=by,
        cohort=cohort,
        action=AuditAction.INVITATIONS_SENT,
        summary=f"Invited {invitation.email} as {invitation.get_role_display().lower()}",
        obj=invitation,
    )
    return invitation


@transaction.atomic
def send_invitation(*, invitation: Invitation, by: User) -> Invitation:
    """Send (or send again) one pending invitation."""
    _check_admin(by, invitation.cohort)
    invitation = (
        Invitation.objects.select_for_update().select_related("cohort").get(pk=invitation.pk)
    )
    if invitation.is_accepted:
        raise ValidationError(
            gettext("%(email)s has already accepted this invitation.") % {"email": invitation.email}
        )
    _send(invitation)
    audit.record(
        actor=by,
        cohort=invitation.cohort,
        action=AuditAction.INVITATIONS_SENT,
        summary=f"Sent the invitation to {invitation.email} (email {invitation.sent_count})",
        obj=invitation,
    )
    return invitation


@transaction.atomic
def resend_invitations(*, invitations: Iterable[Invitation], by: User) -> int:
    """Send every pending invitation again; accepted ones are left alone. Returns how many."""
    ids = [i.pk for i in invitations]
    locked = list(
        Invitation.objects.select_for_update()
        .select_related("cohort")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    cohorts = {i.cohort_id: i.cohort for i in locked}
    for cohort in cohorts.values():
        _check_admin(by, cohort)
    sent: dict[int, list[str]] = {}
    for invitation in locked:
        if invitation.is_accepted:
            continue
        _send(invitation)
        sent.setdefault(invitation.cohort_id, []).append(invitation.email)
    for cohort_id, emails in sent.items():
        audit.record(
            actor=by,
            cohort=cohorts[cohort_id],
            action=AuditAction.INVITATIONS_SENT,
            summary=f"Resent {len(emails)} invitation{'s' if len(emails) != 1 else ''}",
            details={"emails": emails},
        )
    return sum(len(emails) for emails in sent.values())


def _set_intent(*, user: User, role: str, invitation: Invitation) -> None:
    """Make the profile want what the invitation enrolls them for, as onboarding would."""
    profile = Profile.objects.filter(user=user).first()
    is_mentor = role == Role.MENTOR
    if profile is None:
        profile_services.save_intent(
            user=user,
            wants_mentoring=not is_mentor,
            wants_to_mentor=is_mentor,
            mentor_capacity=invitation.capacity or 2,
            is_accepting_requests=True,
        )
        if invitation.name:
            # No profiles service sets the name alone; onboarding shows it for editing.
            Profile.objects.filter(user=user, display_name="").update(
                display_name=invitation.name[:80]
            )
        return
    if profile.wants_to_mentor if is_mentor else profile.wants_mentoring:
        return
    profile_services.save_intent(
        user=user,
        wants_mentoring=profile.wants_mentoring or not is_mentor,
        wants_to_mentor=profile.wants_to_mentor or is_mentor,
        mentor_capacity=profile.mentor_capacity,
        is_accepting_requests=profile.is_accepting_requests,
    )


def email_matches(invitation: Invitation, user: User) -> bool:
    return user.email.strip().lower() == invitation.email.strip().lower()


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Enrollment:
    """Enroll ``user`` as the invitation says. Accepting again returns the same enrollment."""
    invitation = (
        Invitation.objects.select_for_update().select_related("cohort").get(pk=invitation.pk)
    )
    cohort = invitation.cohort
    if invitation.is_accepted:
        if invitation.accepted_by_id != user.pk:
            raise ValidationError(gettext("This invitation has already been used."))
        enrollment = Enrollment.objects.filter(
            user=user, cohort=cohort, role=invitation.role
        ).first()
        if enrollment is None:
            raise ValidationError(gettext("This invitation has already been used."))
        return enrollment
    if not email_matches(invitation, user):
        raise PermissionDenied(
            f"This invitation was sent to another address; you are signed in as {user.email}."
        )
    if cohort.closed_at is not None:
        raise ValidationError(
            gettext("%(cohort)s has closed, so this invitation can no longer be used.")
            % {"cohort": cohort.name}
        )
    # Not join_cohort: its public rules (enrollment open, invite code) give way to an
    # invitation. _enroll is where matching creates or reactivates an enrollment.
    enrollment = _enroll(user=user, cohort=cohort, role=Role(invitation.role))
    if invitation.role == Role.MENTOR and invitation.capacity is not None:
        enrollment.capacity_override = invitation.capacity
        enrollment.save(update_fields=["capacity_override"])
    _set_intent(user=user, role=invitation.role, invitation=invitation)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    request_recompute(cohort_ids=[cohort.pk])
    return enrollment


@transaction.atomic
def sign_up_invited(*, invitation: Invitation, name: str, password: str) -> User:
    """A new account for the invited address, verified (the link proves the address is
    theirs), enrolled as invited. The caller logs them in."""
    email = invitation.email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            gettext("An account with this address already exists: log in instead.")
        )
    password_validation.validate_password(password, user=User(email=email))
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
    except IntegrityError:
        raise ValidationError(
            gettext("An account with this address already exists: log in instead.")
        ) from None
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    accept_invitation(invitation=invitation, user=user)
    name = " ".join(name.split())
    if name:
        Profile.objects.filter(user=user).update(display_name=name[:80])
    return user


def masked(email: str) -> str:
    """``a***@example.org``: enough to recognise one's own address, not to harvest it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
