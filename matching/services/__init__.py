"""Writes for cohorts, requests, mentorships and introductions.

Each function is one business action: atomic, keyword-only, raising ValidationError
for a broken rule and PermissionDenied for the wrong actor. Emails go through the
outbox inside the same transaction, so they exist only if the action happened.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from core.outbox import services as outbox
from matching import languages
from matching.models import (
    Cohort,
    DeclineReason,
    Enrollment,
    EnrollmentStatus,
    Introduction,
    IntroductionStatus,
    JoinMode,
    Mentorship,
    MentorshipFeedback,
    MentorshipMessage,
    MentorshipRequest,
    MentorshipStatus,
    RequestMessage,
    RequestStatus,
    Role,
)
from matching.services.suggestions import cohorts_of, request_recompute
from matching.signals import mentorships_ended, mentorships_started
from profiles.models import Profile

MIN_REQUEST_MESSAGE = 80
DEFAULT_COHORT_SLUG = "community"


def _name(user: User) -> str:
    return user.get_full_name()


# --- Cohorts and enrollment -------------------------------------------------


def default_cohort() -> Cohort:
    """The open community cohort a fresh site starts with (created on first use)."""
    cohort = Cohort.objects.filter(is_default=True).first()
    if cohort:
        return cohort
    cohort, _ = Cohort.objects.get_or_create(
        slug=DEFAULT_COHORT_SLUG,
        defaults={
            "name": "Community",
            "description": "Everyone on the site: find a mentor or mentor others, any time.",
            "is_default": True,
        },
    )
    return cohort


def _enroll(*, user: User, cohort: Cohort, role: Role) -> Enrollment:
    enrollment, created = Enrollment.objects.get_or_create(
        user=user, cohort=cohort, role=role, defaults={"status": EnrollmentStatus.ACTIVE}
    )
    if not created and enrollment.status != EnrollmentStatus.ACTIVE:
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.save(update_fields=["status"])
    return enrollment


@transaction.atomic
def sync_default_enrollments(*, profile: Profile) -> None:
    """Keep a person's community enrollments in step with what they want to do.

    Run on profiles' intent_changed signal when onboarding finishes and
    whenever the intent changes. Dropping a role leaves that enrollment; mentorships
    already running carry on.
    """
    if not profile.is_onboarded:
        return
    cohort = default_cohort()
    wanted = {Role.MENTOR: profile.wants_to_mentor, Role.MENTEE: profile.wants_mentoring}
    for role, wants in wanted.items():
        if wants:
            _enroll(user=profile.user, cohort=cohort, role=role)
            continue
        leaving = Enrollment.objects.select_for_update().filter(
            user=profile.user, cohort=cohort, role=role, status=EnrollmentStatus.ACTIVE
        )
        for enrollment in leaving:
            _leave(enrollment)


def _leave(enrollment: Enrollment) -> None:
    """Leave a cohort in one role; open requests close rather than wait for expiry."""
    enrollment.status = EnrollmentStatus.LEFT
    enrollment.save(update_fields=["status"])
    request_recompute(cohort_ids=[enrollment.cohort_id])
    now = timezone.now()
    if enrollment.role == Role.MENTOR:
        received = MentorshipRequest.objects.select_for_update(of=("self",)).filter(
            mentor_enrollment=enrollment, status=RequestStatus.PENDING
        )
        for request in received.select_related("mentee_enrollment__user"):
            request.status = RequestStatus.DECLINED
            request.decline_reason = DeclineReason.NO_CAPACITY
            request.decline_note = "They have stopped mentoring for now."
            request.responded_at = request.closed_at = now
            request.save()
            outbox.enqueue(
                "request_declined",
                to=[request.mentee_enrollment.user.email],
                context={"request": request, "mentor": _name(enrollment.user)},
                key=f"request-declined:{request.pk}",
            )
    else:
        sent = MentorshipRequest.objects.select_for_update(of=("self",)).filter(
            mentee_enrollment=enrollment, status=RequestStatus.PENDING
        )
        for request in sent.select_related("mentor_enrollment__user"):
            request.status = RequestStatus.WITHDRAWN
            request.closed_at = now
            request.save(update_fields=["status", "closed_at"])
            outbox.enqueue(
                "request_withdrawn",
                to=[request.mentor_enrollment.user.email],
                context={"request": request, "mentee": _name(enrollment.user)},
                key=f"request-withdrawn:{request.pk}",
            )


@transaction.atomic
def join_cohort(*, user: User, cohort: Cohort, role: Role, invite_code: str = "") -> Enrollment:
    if role not in Role.values:
        raise ValidationError({"role": gettext("Choose to join as mentor or mentee.")})
    role = Role(role)
    if not cohort.is_enrollment_open:
        raise ValidationError(gettext("Enrollment in this programme is closed."))
    if cohort.join_mode == JoinMode.INVITE and (
        not invite_code or invite_code.strip().lower() != cohort.invite_code.strip().lower()
    ):
        raise ValidationError(
            {"invite_code": gettext("That invite code doesn't match this programme.")}
        )
    if Enrollment.objects.active().filter(user=user, cohort=cohort, role=role).exists():
        already = (
            gettext("You are already a mentor in %(cohort)s.")
            if role == Role.MENTOR
            else gettext("You are already a mentee in %(cohort)s.")
        )
        raise ValidationError(already % {"cohort": cohort.name})
    enrollment = _enroll(user=user, cohort=cohort, role=role)
    request_recompute(cohort_ids=[cohort.pk])
    return enrollment


# --- Requests ---------------------------------------------------------------


@transaction.atomic
def send_request(
    *, mentee: User, mentor_enrollment: Enrollment, message: str, first_goal: str = ""
) -> MentorshipRequest:
    cohort = mentor_enrollment.cohort
    # Locking the mentee's enrollment serialises their requests, so two tabs cannot
    # both slip under the pending-request limit.
    mentee_enrollment = (
        # of=self: the default ordering joins the cohort, and locking that row too made
        # every request in a cohort queue on it (and deadlock with accepts; found by the
        # load test).
        Enrollment.objects.select_for_update(of=("self",))
        .filter(user=mentee, cohort=cohort, role=Role.MENTEE, status=EnrollmentStatus.ACTIVE)
        .first()
    )
    if cohort.closed_at is not None:
        raise ValidationError(
            gettext("%(cohort)s has closed; no new requests can be sent in it.")
            % {"cohort": cohort.name}
        )
    if mentee_enrollment is None:
        raise ValidationError(
            gettext("You can only ask mentors in a programme you have joined as mentee.")
        )
    if mentor_enrollment.user_id == mentee.pk:
        raise ValidationError(gettext("You can't ask yourself to be your mentor."))
    if mentor_enrollment.role != Role.MENTOR or mentor_enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(gettext("This person is not mentoring in this programme."))
    if not cohort.mentees_choose:
        raise ValidationError(
            gettext("In this programme, mentors are assigned by the programme team.")
        )
    if Mentorship.objects.active().filter(mentee_enrollment=mentee_enrollment).exists():
        raise ValidationError(
            gettext(
                "You already have a mentor in %(cohort)s. One mentor per programme keeps the "
                "focus; end that mentorship first if you want to change."
            )
            % {"cohort": cohort.name}
        )
    pending = MentorshipRequest.objects.pending().filter(mentee_enrollment=mentee_enrollment)
    if pending.filter(mentor_enrollment=mentor_enrollment).exists():
        raise ValidationError(gettext("You already have an open request with this mentor."))
    if pending.count() >= cohort.max_pending_requests:
        raise ValidationError(
            ngettext(
                "You have %(count)s open request, the most this programme allows. Wait for "
                "an answer or withdraw it first.",
                "You have %(count)s open requests, the most this programme allows. Wait for "
                "an answer or withdraw one first.",
                cohort.max_pending_requests,
            )
            % {"count": cohort.max_pending_requests}
        )
    profile = Profile.objects.filter(user_id=mentor_enrollment.user_id).first()
    if profile is None or not profile.is_accepting_requests:
        raise ValidationError(gettext("This mentor has paused new requests for now."))
    if mentor_enrollment.places_left() <= 0:
        raise ValidationError(gettext("This mentor has no free places right now."))
    if refusal := languages.request_refusal(
        cohort=cohort, mentee=mentee, mentor=mentor_enrollment.user, by_mentor=False
    ):
        raise ValidationError(refusal)
    message = message.strip()
    if len(message) < MIN_REQUEST_MESSAGE:
        raise ValidationError(
            {
                "message": gettext("Write at least %(count)s characters to introduce yourself.")
                % {"count": MIN_REQUEST_MESSAGE}
            }
        )
    request = MentorshipRequest.objects.create(
        cohort=cohort,
        mentee_enrollment=mentee_enrollment,
        mentor_enrollment=mentor_enrollment,
        message=message,
        first_goal=first_goal.strip(),
    )
    outbox.enqueue(
        "request_received",
        to=[mentor_enrollment.user.email],
        context={
            "request": request,
            "mentee": _name(mentee),
            "mentor": _name(mentor_enrollment.user),
        },
        key=f"request-received:{request.pk}",
    )
    return request


@transaction.atomic
def post_request_message(*, request: MentorshipRequest, author: User, body: str) -> RequestMessage:
    side = request.required_side(author)
    if not request.is_pending:
        raise ValidationError(gettext("This request is closed; the conversation has ended."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": gettext("Write a message first.")})
    message = RequestMessage.objects.create(request=request, author=author, body=body)
    other = request.mentor_enrollment.user if side == "mentee" else request.mentee_enrollment.user
    outbox.enqueue(
        "request_message",
        to=[other.email],
        context={
            "request": request,
            "author": _name(author),
            "body": body,
            "recipient": _name(other),
        },
        key=f"request-message:{message.pk}",
    )
    return message


def _lock_pending(request: MentorshipRequest) -> MentorshipRequest:
    locked = MentorshipRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        already: dict[str, str] = {
            RequestStatus.ACCEPTED: gettext("This request is already accepted."),
            RequestStatus.DECLINED: gettext("This request is already declined."),
            RequestStatus.WITHDRAWN: gettext("This request is already withdrawn."),
            RequestStatus.EXPIRED: gettext("This request is already expired."),
        }
        raise ValidationError(already.get(locked.status, gettext("This request is closed.")))
    return locked


@transaction.atomic
def accept_request(*, request: MentorshipRequest, by: User) -> Mentorship:
    """The mentor accepts. Capacity is checked under row locks on their profile and
    enrollment.

    Locks are taken in one order everywhere (mentor profile, mentor enrollment, mentee
    enrollment, then requests) so that concurrent accepts queue up instead of
    deadlocking.
    """
    lock_mentor_profile(request.mentor_enrollment_id)
    mentor = Enrollment.objects.select_for_update().get(pk=request.mentor_enrollment_id)
    if by.pk != mentor.user_id:
        raise PermissionDenied
    mentee = Enrollment.objects.select_for_update().get(pk=request.mentee_enrollment_id)
    request = _lock_pending(request)
    if mentor.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(gettext("You are no longer mentoring in this programme."))
    if mentee.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(gettext("This mentee has left the programme."))
    if Mentorship.objects.active().filter(mentee_enrollment=mentee).exists():
        raise ValidationError(gettext("This mentee already has a mentor in this programme."))
    if mentor.places_left() <= 0:
        raise ValidationError(_no_places_left(mentor))
    if refusal := languages.request_refusal(
        cohort=request.cohort, mentee=mentee.user, mentor=mentor.user, by_mentor=True
    ):
        raise ValidationError(refusal)
    now = timezone.now()
    request.status = RequestStatus.ACCEPTED
    request.responded_at = request.closed_at = now
    request.save(update_fields=["status", "responded_at", "closed_at"])
    mentorship = Mentorship.objects.create(
        cohort=request.cohort, mentor_enrollment=mentor, mentee_enrollment=mentee, request=request
    )
    close_pending_requests(mentee=mentee, accepted=request, now=now)
    send_introductions(mentorship)
    mentorships_started.send(sender=Mentorship, mentorship_ids=[mentorship.pk])
    # The mentor has one place fewer (in every programme sharing their capacity) and
    # the mentee stops looking here.
    request_recompute(cohort_ids=sorted({mentorship.cohort_id, *cohorts_of(mentor.user_id)}))
    return mentorship


def lock_mentor_profile(mentor_enrollment_id: int) -> None:
    """Lock the profile of this enrollment's mentor: their capacity is shared by every
    programme without its own limit, so two accepts in two programmes must queue too."""
    mentor_user = Enrollment.objects.filter(pk=mentor_enrollment_id).values("user_id")
    # A subquery, not a join: FOR UPDATE would lock the joined rows too.
    list(
        Profile.objects.select_for_update()
        .filter(user_id=Subquery(mentor_user))
        .values_list("pk", flat=True)
    )


def _no_places_left(mentor: Enrollment) -> str:
    if mentor.has_own_limit:
        return gettext(
            "You have no free places left in this programme: %(cohort)s sets its own limit "
            "of %(capacity)s for you. End a mentorship here first, or ask the programme team."
        ) % {"cohort": mentor.cohort.name, "capacity": mentor.capacity}
    if mentor.capacity == 0:
        return gettext(
            "You have no free places left in this programme: your capacity on your profile "
            "is 0. Raise it to take on a mentee."
        )
    return gettext(
        "You have no free places left in this programme: you already mentor %(taken)s of "
        "%(capacity)s across all your programmes. Raise your capacity on your profile or end "
        "a mentorship first."
    ) % {"taken": mentor.places_taken(), "capacity": mentor.capacity}


def close_pending_requests(
    *, mentee: Enrollment, accepted: MentorshipRequest | None, now: datetime
) -> None:
    """The mentee has a mentor now: their other open requests in the cohort close."""
    others = (
        # of=self: locking the joined mentors' rows too would deadlock two mentors
        # accepting the same mentee at once.
        MentorshipRequest.objects.select_for_update(of=("self",))
        .pending()
        .filter(mentee_enrollment=mentee)
        .exclude(pk__in=[accepted.pk] if accepted else [])
        .select_related("mentor_enrollment__user")
    )
    for other in others:
        other.status = RequestStatus.WITHDRAWN
        other.closed_at = now
        other.save(update_fields=["status", "closed_at"])
        outbox.enqueue(
            "request_closed_matched",
            to=[other.mentor_enrollment.user.email],
            context={"request": other, "mentee": _name(mentee.user)},
            key=f"request-closed:{other.pk}",
        )


def send_introductions(mentorship: Mentorship) -> None:
    mentor, mentee = mentorship.mentor, mentorship.mentee
    pairs = [("mentor", mentor, mentee), ("mentee", mentee, mentor)]
    for side, me, other in pairs:
        outbox.enqueue(
            "introduction",
            to=[me.email],
            context={
                "mentorship": mentorship,
                "side": side,
                "me": me,
                "other": other,
                "other_profile": Profile.objects.filter(user=other).first(),
                "request": mentorship.request,
            },
            key=f"intro:{mentorship.pk}:{side}",
        )


@transaction.atomic
def decline_request(
    *, request: MentorshipRequest, by: User, reason: str, note: str = ""
) -> MentorshipRequest:
    if by.pk != request.mentor_enrollment.user_id:
        raise PermissionDenied
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": gettext("Pick a reason from the list.")})
    request = _lock_pending(request)
    now = timezone.now()
    request.status = RequestStatus.DECLINED
    request.decline_reason = reason
    request.decline_note = note.strip()
    request.responded_at = request.closed_at = now
    request.save()
    outbox.enqueue(
        "request_declined",
        to=[request.mentee_enrollment.user.email],
        context={"request": request, "mentor": _name(request.mentor_enrollment.user)},
        key=f"request-declined:{request.pk}",
    )
    request_recompute(cohort_ids=[request.cohort_id])
    return request


@transaction.atomic
def withdraw_request(*, request: MentorshipRequest, by: User) -> MentorshipRequest:
    if by.pk != request.mentee_enrollment.user_id:
        raise PermissionDenied
    request = _lock_pending(request)
    request.status = RequestStatus.WITHDRAWN
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    outbox.enqueue(
        "request_withdrawn",
        to=[request.mentor_enrollment.user.email],
        context={"request": request, "mentee": _name(request.mentee_enrollment.user)},
        key=f"request-withdrawn:{request.pk}",
    )
    return request


def expire_requests(*, now: datetime | None = None) -> int:
    """Close requests nobody answered in time and tell both sides. Safe to run twice."""
    now = now or timezone.now()
    due = list(
        MentorshipRequest.objects.pending().filter(expires_at__lte=now).values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            request = (
                # of=self: the joined rows are busy whenever their people act, and
                # must not make the sweep skip a request that is due.
                MentorshipRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .pending()
                .filter(pk=pk)
                .select_related("mentee_enrollment__user", "mentor_enrollment__user", "cohort")
                .first()
            )
            if request is None:
                continue
            request.status = RequestStatus.EXPIRED
            request.closed_at = now
            request.save(update_fields=["status", "closed_at"])
            mentee, mentor = request.mentee_enrollment.user, request.mentor_enrollment.user
            for side, person in (("mentee", mentee), ("mentor", mentor)):
                outbox.enqueue(
                    "request_expired",
                    to=[person.email],
                    context={
                        "request": request,
                        "side": side,
                        "mentee": _name(mentee),
                        "mentor": _name(mentor),
                    },
                    key=f"request-expired:{request.pk}:{side}",
                )
            expired += 1
    return expired


# --- Mentorships ------------------------------------------------------------


@transaction.atomic
def post_mentorship_message(
    *, mentorship: Mentorship, author: User, body: str
) -> MentorshipMessage:
    if not mentorship.has_participant(author):
        raise PermissionDenied
    if not mentorship.is_active:
        raise ValidationError(gettext("This mentorship has ended; its conversation is read-only."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": gettext("Write a message first.")})
    message = MentorshipMessage.objects.create(mentorship=mentorship, author=author, body=body)
    other = mentorship.other_side(author)
    outbox.enqueue(
        "mentorship_message",
        to=[other.email],
        context={"mentorship": mentorship, "author": _name(author), "body": body},
        key=f"mentorship-message:{message.pk}",
    )
    return message


@transaction.atomic
def end_mentorship(
    *, mentorship: Mentorship, by: User, outcome: str, reason: str = ""
) -> Mentorship:
    if not mentorship.has_participant(by):
        raise PermissionDenied
    mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if not mentorship.is_active:
        raise ValidationError(gettext("This mentorship has already ended."))
    if outcome not in (MentorshipStatus.COMPLETED, MentorshipStatus.ENDED_EARLY):
        raise ValidationError({"outcome": gettext("Choose how the mentorship ended.")})
    reason = reason.strip()
    if outcome == MentorshipStatus.ENDED_EARLY and not reason:
        raise ValidationError({"reason": gettext("Say briefly why it is ending early.")})
    return _close_mentorship(mentorship, by=by, outcome=outcome, reason=reason)


@transaction.atomic
def end_idle_mentorship(*, mentorship: Mentorship, reason: str) -> Mentorship:
    """The programme ends a mentorship that has gone silent, after warning both sides;
    the effects are those of either side ending it early, except the email: the idle
    job tells both sides itself, in words that say why and follow its notice."""
    mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if not mentorship.is_active:
        raise ValidationError(gettext("This mentorship has already ended."))
    return _close_mentorship(
        mentorship,
        by=None,
        outcome=MentorshipStatus.ENDED_EARLY,
        reason=reason.strip(),
        tell=False,
    )


def _close_mentorship(
    mentorship: Mentorship, *, by: User | None, outcome: str, reason: str, tell: bool = True
) -> Mentorship:
    """End it, tell both sides (unless ``tell`` is off: the caller does), and reopen the
    mentee's search: suggestions recompute for the cohort, and with no active
    mentorship the mentee may request again."""
    mentorship.status = outcome
    mentorship.end_reason = reason
    mentorship.ended_by = by
    mentorship.ended_at = timezone.now()
    mentorship.save()
    mentorships_ended.send(sender=Mentorship, mentorship_ids=[mentorship.pk])
    # A place frees up in every programme that shares the mentor's capacity.
    request_recompute(
        cohort_ids=sorted({mentorship.cohort_id, *cohorts_of(mentorship.mentor_enrollment.user_id)})
    )
    for person in (mentorship.mentor, mentorship.mentee) if tell else ():
        outbox.enqueue(
            "mentorship_ended",
            to=[person.email],
            context={
                "mentorship": mentorship,
                "ended_by": _name(by) if by else "The programme",
                "by_me": by is not None and person.pk == by.pk,
                "other": _name(mentorship.other_side(person)),
            },
            key=f"mentorship-ended:{mentorship.pk}:{person.pk}",
        )
    return mentorship


@transaction.atomic
def leave_feedback(
    *, mentorship: Mentorship, by: User, rating: int, comment: str = ""
) -> MentorshipFeedback:
    if not mentorship.has_participant(by):
        raise PermissionDenied
    if mentorship.is_active:
        raise ValidationError(gettext("Feedback opens when the mentorship ends."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": gettext("Choose a rating from 1 to 5.")})
    if MentorshipFeedback.objects.filter(mentorship=mentorship, author=by).exists():
        raise ValidationError(gettext("You have already left feedback for this mentorship."))
    return MentorshipFeedback.objects.create(
        mentorship=mentorship, author=by, rating=rating, comment=comment.strip()
    )


# --- Network introductions --------------------------------------------------


@transaction.atomic
def introduce(
    *, mentorship: Mentorship, by: User, contact_email: str, message: str
) -> Introduction:
    if by.pk != mentorship.mentor_enrollment.user_id:
        raise PermissionDenied
    if not mentorship.is_active:
        raise ValidationError(gettext("Introductions are for active mentorships."))
    # Only people the mentor shares a programme with: the site never confirms
    # whether some other address has an account.
    mentor_cohorts = Enrollment.objects.active().filter(user=by).values("cohort")
    contact = (
        User.objects.filter(
            email__iexact=contact_email.strip(),
            enrollments__cohort__in=mentor_cohorts,
            enrollments__status=EnrollmentStatus.ACTIVE,
            is_active=True,
        )
        .distinct()
        .first()
    )
    if contact is None:
        raise ValidationError(
            {"contact_email": gettext("Nobody with that email shares a programme with you.")}
        )
    if contact.pk in (mentorship.mentor.pk, mentorship.mentee.pk):
        raise ValidationError({"contact_email": gettext("Introduce your mentee to someone else.")})
    if Introduction.objects.filter(mentorship=mentorship, contact=contact).exists():
        raise ValidationError({"contact_email": gettext("You have already introduced them.")})
    if not message.strip():
        raise ValidationError({"message": gettext("Say why they should meet.")})
    try:
        # A savepoint: two identical posts at once pass the check above together, and
        # the database's constraint decides; the loser is told, not shown a 500.
        with transaction.atomic():
            introduction = Introduction.objects.create(
                mentorship=mentorship, contact=contact, message=message.strip()
            )
    except IntegrityError:
        raise ValidationError(
            {"contact_email": gettext("You have already introduced them.")}
        ) from None
    outbox.enqueue(
        "introduction_request",
        to=[contact.email],
        context={
            "introduction": introduction,
            "mentor": _name(by),
            "mentee": _name(mentorship.mentee),
            "mentee_profile": Profile.objects.filter(user=mentorship.mentee).first(),
        },
        key=f"introduction-request:{introduction.pk}",
    )
    return introduction


@transaction.atomic
def answer_introduction(*, introduction: Introduction, by: User, accept: bool) -> Introduction:
    if by.pk != introduction.contact_id:
        raise PermissionDenied
    introduction = Introduction.objects.select_for_update().get(pk=introduction.pk)
    if introduction.status != IntroductionStatus.PENDING:
        raise ValidationError(gettext("You have already answered this introduction."))
    introduction.status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    introduction.responded_at = timezone.now()
    introduction.save(update_fields=["status", "responded_at"])
    mentorship = introduction.mentorship
    people = [mentorship.mentor, mentorship.mentee, introduction.contact]
    if accept:
        outbox.enqueue(
            "introduction_made",
            to=[p.email for p in people],
            context={
                "introduction": introduction,
                "mentor": mentorship.mentor,
                "mentee": mentorship.mentee,
                "contact": introduction.contact,
            },
            key=f"introduction-made:{introduction.pk}",
        )
    else:
        outbox.enqueue(
            "introduction_declined",
            to=[mentorship.mentor.email],
            context={"introduction": introduction, "contact": _name(introduction.contact)},
            key=f"introduction-declined:{introduction.pk}",
        )
    return introduction


def set_accepting(*, user: User, accepting: bool) -> Profile:
    """The mentor's "accepting new requests" switch, from the dashboard."""
    profile = Profile.objects.get(user=user)
    profile.is_accepting_requests = accepting
    profile.save(update_fields=["is_accepting_requests", "updated_at"])
    request_recompute(cohort_ids=cohorts_of(user.pk))
    return profile
