"""Rules of the matching services and selectors, each with the words a person sees."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from accounts.models import User
from core.outbox.models import OutboxEmail
from core.timezones import overlap_hours
from matching import directory, selectors, services, tasks
from matching.models import (
    Cohort,
    DeclineReason,
    Enrollment,
    EnrollmentStatus,
    Introduction,
    IntroductionStatus,
    JoinMode,
    MatchingMode,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
    MentorshipStatus,
    RequestMessage,
    RequestStatus,
    Role,
)
from profiles.models import Language, Profile, ProfileSkill, Skill, SkillKind
from profiles.services import complete_onboarding, save_intent
from tests.factories import ProfileFactory
from tests.helpers import denied, emails, refused

pytestmark = pytest.mark.django_db

MakeEnrollment = Callable[..., Enrollment]
MakeCohort = Callable[..., Cohort]


def _counts() -> tuple[int, ...]:
    return (
        MentorshipRequest.objects.count(),
        Mentorship.objects.count(),
        RequestMessage.objects.count(),
        Introduction.objects.count(),
        MentorshipFeedback.objects.count(),
        OutboxEmail.objects.count(),
    )


# A refused call changes none of these counts.
_refused = partial(refused, _counts)
_denied = partial(denied, _counts)


def _enrollments(user: User, cohort: Cohort) -> dict[str, str]:
    rows = Enrollment.objects.filter(user=user, cohort=cohort)
    return {row.role: row.status for row in rows}


def _skill(profile: Profile, name: str, kind: str = SkillKind.EXPERTISE) -> None:
    ProfileSkill.objects.create(profile=profile, skill=Skill.objects.get(name=name), kind=kind)


def _send(mentee: User, mentor: Enrollment, text: str) -> MentorshipRequest:
    return services.send_request(mentee=mentee, mentor_enrollment=mentor, message=text)


# --- The community cohort and onboarding ------------------------------------


def test_default_cohort_exists_after_migrations() -> None:
    cohort = Cohort.objects.get(is_default=True)

    assert cohort.slug == "community"
    assert cohort.name == "Community"
    assert cohort.is_enrollment_open
    assert cohort.join_mode == JoinMode.OPEN
    assert cohort.mentees_choose
    assert services.default_cohort() == cohort
    assert Cohort.objects.filter(is_default=True).count() == 1


def test_default_cohort_is_created_again_on_first_use_if_it_was_deleted() -> None:
    Cohort.objects.filter(is_default=True).delete()

    cohort = services.default_cohort()

    assert cohort.is_default
    assert services.default_cohort() == cohort
    assert Cohort.objects.filter(is_default=True).count() == 1


def test_onboarding_a_mentee_enrolls_them_as_mentee_only(community: Cohort) -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False, onboarded_at=None)
    assert not Enrollment.objects.filter(user=profile.user).exists()

    complete_onboarding(profile=profile)

    assert _enrollments(profile.user, community) == {Role.MENTEE: EnrollmentStatus.ACTIVE}


def test_intent_saved_before_onboarding_finishes_enrolls_nobody(community: Cohort) -> None:
    profile = ProfileFactory(onboarded_at=None)

    save_intent(
        user=profile.user,
        wants_mentoring=True,
        wants_to_mentor=True,
        mentor_capacity=2,
        is_accepting_requests=True,
    )

    assert not Enrollment.objects.filter(user=profile.user).exists()


def test_mentee_fixture_is_enrolled_as_mentee_only(mentee: User, community: Cohort) -> None:
    assert _enrollments(mentee, community) == {Role.MENTEE: EnrollmentStatus.ACTIVE}


def test_switching_intent_to_also_mentor_adds_a_mentor_enrollment(
    mentee: User, community: Cohort
) -> None:
    save_intent(
        user=mentee,
        wants_mentoring=True,
        wants_to_mentor=True,
        mentor_capacity=2,
        is_accepting_requests=True,
    )

    assert _enrollments(mentee, community) == {
        Role.MENTEE: EnrollmentStatus.ACTIVE,
        Role.MENTOR: EnrollmentStatus.ACTIVE,
    }


def test_dropping_mentoring_marks_the_mentor_enrollment_left(
    stranger: User, community: Cohort
) -> None:
    mentor_row = Enrollment.objects.get(user=stranger, cohort=community, role=Role.MENTOR)

    save_intent(
        user=stranger,
        wants_mentoring=True,
        wants_to_mentor=False,
        mentor_capacity=2,
        is_accepting_requests=True,
    )

    assert _enrollments(stranger, community) == {
        Role.MENTEE: EnrollmentStatus.ACTIVE,
        Role.MENTOR: EnrollmentStatus.LEFT,
    }
    # Taking mentoring up again brings back the same enrollment, not a second one.
    save_intent(
        user=stranger,
        wants_mentoring=True,
        wants_to_mentor=True,
        mentor_capacity=2,
        is_accepting_requests=True,
    )
    mentor_row.refresh_from_db()
    assert mentor_row.status == EnrollmentStatus.ACTIVE
    assert Enrollment.objects.filter(user=stranger, role=Role.MENTOR).count() == 1


def test_dropping_mentoring_leaves_running_mentorships_alone(
    mentorship: Mentorship, mentor: User
) -> None:
    save_intent(
        user=mentor,
        wants_mentoring=True,
        wants_to_mentor=False,
        mentor_capacity=2,
        is_accepting_requests=True,
    )

    mentorship.refresh_from_db()
    assert mentorship.mentor_enrollment.status == EnrollmentStatus.LEFT
    assert mentorship.status == MentorshipStatus.ACTIVE


# --- join_cohort ------------------------------------------------------------


def test_anyone_can_join_an_open_cohort(mentee: User, make_cohort: MakeCohort) -> None:
    cohort = make_cohort(name="Spring programme")

    enrollment = services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)

    assert enrollment.cohort == cohort
    assert enrollment.role == Role.MENTEE
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_role_given_as_a_plain_string_works(mentor: User, make_cohort: MakeCohort) -> None:
    cohort = make_cohort()

    enrollment = services.join_cohort(user=mentor, cohort=cohort, role="mentor")

    assert enrollment.role == Role.MENTOR
    assert _enrollments(mentor, cohort) == {Role.MENTOR: EnrollmentStatus.ACTIVE}


def test_nobody_can_join_a_closed_cohort(mentee: User, make_cohort: MakeCohort) -> None:
    cohort = make_cohort(is_enrollment_open=False)

    with pytest.raises(ValidationError, match="Enrollment in this programme is closed"):
        services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)
    assert not Enrollment.objects.filter(cohort=cohort).exists()


@pytest.mark.parametrize("code", ["", "   ", "SPRING-2024", "spring", "spring-2025x"])
def test_invite_cohort_refuses_a_missing_or_wrong_code(
    mentee: User, make_cohort: MakeCohort, code: str
) -> None:
    cohort = make_cohort(join_mode=JoinMode.INVITE, invite_code="Spring-2025")

    with pytest.raises(ValidationError) as caught:
        services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE, invite_code=code)

    assert caught.value.message_dict == {
        "invite_code": ["That invite code doesn't match this programme."]
    }
    assert not Enrollment.objects.filter(cohort=cohort).exists()


@pytest.mark.parametrize("code", ["Spring-2025", "spring-2025", "  SPRING-2025 \n"])
def test_invite_code_is_matched_case_insensitively_and_trimmed(
    mentee: User, make_cohort: MakeCohort, code: str
) -> None:
    cohort = make_cohort(join_mode=JoinMode.INVITE, invite_code="Spring-2025")

    enrollment = services.join_cohort(
        user=mentee, cohort=cohort, role=Role.MENTEE, invite_code=code
    )

    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_joining_the_same_cohort_twice_in_the_same_role_is_refused(
    mentee: User, make_cohort: MakeCohort
) -> None:
    cohort = make_cohort(name="Spring programme")
    services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)

    with pytest.raises(ValidationError, match="You are already a mentee in Spring programme"):
        services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)
    assert Enrollment.objects.filter(user=mentee, cohort=cohort).count() == 1


def test_joining_again_after_leaving_reactivates_the_enrollment(
    mentee: User, make_cohort: MakeCohort
) -> None:
    cohort = make_cohort()
    first = services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)
    Enrollment.objects.filter(pk=first.pk).update(status=EnrollmentStatus.LEFT)

    again = services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)

    assert again.pk == first.pk
    assert again.status == EnrollmentStatus.ACTIVE


# --- send_request -------------------------------------------------------------


def test_mentee_sends_a_request_and_the_mentor_is_emailed(
    mentee: User,
    make_mentor: MakeEnrollment,
    make_cohort: MakeCohort,
    request_text: str,
    django_capture_on_commit_callbacks,
) -> None:
    cohort = make_cohort(request_expiry_days=10)
    mentor_row = make_mentor(cohort=cohort)
    services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)

    with django_capture_on_commit_callbacks(execute=True):
        request = services.send_request(
            mentee=mentee,
            mentor_enrollment=mentor_row,
            message=f"  {request_text}  ",
            first_goal="  Give the talk at PyCon  ",
        )

    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert request.cohort == cohort
    assert request.mentee_enrollment.user == mentee
    assert request.mentor_enrollment == mentor_row
    assert request.message == request_text
    assert request.first_goal == "Give the talk at PyCon"
    assert request.expires_at == request.created_at + timedelta(days=10)
    assert request.responded_at is None
    (email,) = emails("request_received")
    assert email.to == [mentor_row.user.email]
    assert email.key == f"request-received:{request.pk}"
    assert [m.to for m in mail.outbox] == [[mentor_row.user.email]]


def test_request_expiry_follows_the_cohort_setting(
    pending_request: MentorshipRequest, community: Cohort
) -> None:
    expected = timedelta(days=community.request_expiry_days)
    assert pending_request.expires_at - pending_request.created_at == expected


def test_mentee_cannot_ask_a_mentor_in_a_cohort_they_have_not_joined(
    mentee: User, make_mentor: MakeEnrollment, make_cohort: MakeCohort, request_text: str
) -> None:
    elsewhere = make_mentor(cohort=make_cohort())

    with _refused("You can only ask mentors in a programme you have joined as mentee"):
        _send(mentee, elsewhere, request_text)


def test_a_mentor_who_is_not_a_mentee_cannot_send_requests(
    mentor: User, make_mentor: MakeEnrollment, request_text: str
) -> None:
    with _refused("You can only ask mentors in a programme you have joined as mentee"):
        _send(mentor, make_mentor(), request_text)


def test_mentee_who_left_the_cohort_cannot_send_requests(
    mentee: User, mentee_enrollment: Enrollment, mentor_enrollment: Enrollment, request_text: str
) -> None:
    Enrollment.objects.filter(pk=mentee_enrollment.pk).update(status=EnrollmentStatus.LEFT)

    with _refused("You can only ask mentors in a programme you have joined as mentee"):
        _send(mentee, mentor_enrollment, request_text)


def test_nobody_can_ask_themselves_to_be_their_mentor(
    stranger: User, community: Cohort, request_text: str
) -> None:
    own = Enrollment.objects.get(user=stranger, cohort=community, role=Role.MENTOR)

    with _refused("You can't ask yourself to be your mentor"):
        _send(stranger, own, request_text)


def test_mentee_cannot_ask_a_mentor_whose_enrollment_is_not_active(
    mentee: User, mentor_enrollment: Enrollment, request_text: str
) -> None:
    mentor_enrollment.status = EnrollmentStatus.LEFT
    mentor_enrollment.save()

    with _refused("This person is not mentoring in this programme"):
        _send(mentee, mentor_enrollment, request_text)


def test_mentee_cannot_send_a_request_to_a_mentee_enrollment(
    mentee: User, stranger: User, community: Cohort, request_text: str
) -> None:
    their_mentee_row = Enrollment.objects.get(user=stranger, cohort=community, role=Role.MENTEE)

    with _refused("This person is not mentoring in this programme"):
        _send(mentee, their_mentee_row, request_text)


def test_mentee_cannot_choose_a_mentor_in_an_admin_assigned_cohort(
    make_mentee: MakeEnrollment,
    make_mentor: MakeEnrollment,
    make_cohort: MakeCohort,
    request_text: str,
) -> None:
    cohort = make_cohort(matching_mode=MatchingMode.ADMIN_ASSIGN)
    mentee_row, mentor_row = make_mentee(cohort=cohort), make_mentor(cohort=cohort)

    with _refused("mentors are assigned by the programme team"):
        _send(mentee_row.user, mentor_row, request_text)


def test_mentee_can_choose_a_mentor_when_the_cohort_allows_both_modes(
    make_mentee: MakeEnrollment,
    make_mentor: MakeEnrollment,
    make_cohort: MakeCohort,
    request_text: str,
) -> None:
    cohort = make_cohort(matching_mode=MatchingMode.BOTH)
    mentee_row, mentor_row = make_mentee(cohort=cohort), make_mentor(cohort=cohort)

    request = _send(mentee_row.user, mentor_row, request_text)

    assert request.status == RequestStatus.PENDING


def test_mentee_with_an_active_mentorship_cannot_ask_another_mentor_in_that_cohort(
    mentorship: Mentorship, mentee: User, make_mentor: MakeEnrollment, request_text: str
) -> None:
    with _refused("You already have a mentor in Community"):
        _send(mentee, make_mentor(), request_text)


def test_mentee_with_a_mentor_in_one_cohort_can_ask_in_another(
    mentorship: Mentorship,
    mentee: User,
    make_mentor: MakeEnrollment,
    make_cohort: MakeCohort,
    request_text: str,
) -> None:
    cohort = make_cohort()
    services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)

    request = _send(mentee, make_mentor(cohort=cohort), request_text)

    assert request.cohort == cohort


def test_mentee_cannot_open_a_second_request_to_the_same_mentor(
    pending_request: MentorshipRequest, mentee: User, mentor_enrollment: Enrollment
) -> None:
    with _refused("You already have an open request with this mentor"):
        _send(mentee, mentor_enrollment, pending_request.message)


def test_mentee_can_ask_the_same_mentor_again_after_withdrawing(
    pending_request: MentorshipRequest, mentee: User, mentor_enrollment: Enrollment
) -> None:
    services.withdraw_request(request=pending_request, by=mentee)

    again = _send(mentee, mentor_enrollment, pending_request.message)

    assert again.pk != pending_request.pk
    assert again.status == RequestStatus.PENDING


def test_mentee_cannot_have_more_open_requests_than_the_cohort_allows(
    make_mentee: MakeEnrollment,
    make_mentor: MakeEnrollment,
    make_cohort: MakeCohort,
    request_text: str,
) -> None:
    cohort = make_cohort(max_pending_requests=2)
    asker = make_mentee(cohort=cohort).user
    first = _send(asker, make_mentor(cohort=cohort), request_text)
    _send(asker, make_mentor(cohort=cohort), request_text)
    third_mentor = make_mentor(cohort=cohort)

    with _refused("You have 2 open requests, the most this programme allows"):
        _send(asker, third_mentor, request_text)

    # Closed requests don't count: withdrawing one frees a slot.
    services.withdraw_request(request=first, by=asker)
    assert _send(asker, third_mentor, request_text).status == RequestStatus.PENDING


def test_mentee_cannot_ask_a_mentor_who_paused_requests(
    mentee: User, mentor: User, mentor_enrollment: Enrollment, request_text: str
) -> None:
    services.set_accepting(user=mentor, accepting=False)

    with _refused("This mentor has paused new requests for now"):
        _send(mentee, mentor_enrollment, request_text)


def test_mentee_cannot_ask_a_mentor_with_no_capacity(
    mentee: User, mentor: User, mentor_enrollment: Enrollment, request_text: str
) -> None:
    Profile.objects.filter(user=mentor).update(mentor_capacity=0)

    with _refused("This mentor has no free places right now"):
        _send(mentee, mentor_enrollment, request_text)


def test_mentee_cannot_ask_a_mentor_whose_places_are_taken(
    mentorship: Mentorship,
    mentor_enrollment: Enrollment,
    make_mentee: MakeEnrollment,
    request_text: str,
) -> None:
    Enrollment.objects.filter(pk=mentor_enrollment.pk).update(capacity_override=1)
    mentor_enrollment.refresh_from_db()

    with _refused("This mentor has no free places right now"):
        _send(make_mentee().user, mentor_enrollment, request_text)


def test_capacity_override_takes_precedence_over_the_profile_setting(
    mentee: User, mentor: User, mentor_enrollment: Enrollment, request_text: str
) -> None:
    Profile.objects.filter(user=mentor).update(mentor_capacity=0)
    Enrollment.objects.filter(pk=mentor_enrollment.pk).update(capacity_override=1)
    mentor_enrollment.refresh_from_db()

    assert _send(mentee, mentor_enrollment, request_text).status == RequestStatus.PENDING


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hi, please mentor me.",
        "x" * (services.MIN_REQUEST_MESSAGE - 1),
        # Padding does not count towards the minimum.
        "   " + "x" * (services.MIN_REQUEST_MESSAGE - 1) + "\n\n   ",
    ],
)
def test_request_message_must_be_long_enough(
    mentee: User, mentor_enrollment: Enrollment, text: str
) -> None:
    with _refused(f"Write at least {services.MIN_REQUEST_MESSAGE} characters", field="message"):
        _send(mentee, mentor_enrollment, text)


def test_request_message_of_exactly_the_minimum_length_is_accepted(
    mentee: User, mentor_enrollment: Enrollment
) -> None:
    text = "x" * services.MIN_REQUEST_MESSAGE

    assert _send(mentee, mentor_enrollment, text).message == text


# --- post_request_message -----------------------------------------------------


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_either_side_can_write_and_the_other_side_is_emailed(
    pending_request: MentorshipRequest, mentee: User, mentor: User, side: str
) -> None:
    author, other = (mentee, mentor) if side == "mentee" else (mentor, mentee)

    message = services.post_request_message(
        request=pending_request, author=author, body="  When are you free?  "
    )

    assert message.body == "When are you free?"
    assert message.author == author
    (email,) = emails("request_message")
    assert email.to == [other.email]
    assert email.key == f"request-message:{message.pk}"
    assert "When are you free?" in email.body_text


def test_stranger_cannot_write_on_a_request(
    pending_request: MentorshipRequest, stranger: User
) -> None:
    with _denied():
        services.post_request_message(request=pending_request, author=stranger, body="Hello")


def test_nobody_can_write_on_a_closed_request(
    pending_request: MentorshipRequest, mentee: User
) -> None:
    services.withdraw_request(request=pending_request, by=mentee)
    pending_request.refresh_from_db()

    with _refused("This request is closed"):
        services.post_request_message(request=pending_request, author=mentee, body="Hello?")


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_empty_request_message_is_refused(
    pending_request: MentorshipRequest, mentee: User, body: str
) -> None:
    with _refused("Write a message first", field="body"):
        services.post_request_message(request=pending_request, author=mentee, body=body)


# --- accept_request -----------------------------------------------------------


def test_mentor_accepts_and_an_active_mentorship_starts(
    pending_request: MentorshipRequest,
    mentor: User,
    mentee_enrollment: Enrollment,
    mentor_enrollment: Enrollment,
) -> None:
    mentorship = services.accept_request(request=pending_request, by=mentor)

    assert mentorship.status == MentorshipStatus.ACTIVE
    assert mentorship.mentor_enrollment == mentor_enrollment
    assert mentorship.mentee_enrollment == mentee_enrollment
    assert mentorship.cohort == pending_request.cohort
    assert mentorship.request == pending_request
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.ACCEPTED
    assert pending_request.responded_at is not None
    assert pending_request.closed_at == pending_request.responded_at
    mentor_enrollment.refresh_from_db()
    assert mentor_enrollment.places_left() == mentor_enrollment.capacity - 1


@pytest.mark.parametrize("who", ["mentee", "stranger"])
def test_only_the_mentor_can_accept(
    pending_request: MentorshipRequest, mentee: User, stranger: User, who: str
) -> None:
    by = mentee if who == "mentee" else stranger

    with _denied():
        services.accept_request(request=pending_request, by=by)
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING


def test_accepting_closes_the_mentees_other_requests_in_that_cohort_only(
    mentee: User,
    mentor: User,
    mentor_enrollment: Enrollment,
    make_mentor: MakeEnrollment,
    make_cohort: MakeCohort,
    request_text: str,
) -> None:
    other_cohort = make_cohort()
    services.join_cohort(user=mentee, cohort=other_cohort, role=Role.MENTEE)
    chosen = _send(mentee, mentor_enrollment, request_text)
    second_mentor, third_mentor = make_mentor(), make_mentor()
    second = _send(mentee, second_mentor, request_text)
    third = _send(mentee, third_mentor, request_text)
    elsewhere = _send(mentee, make_mentor(cohort=other_cohort), request_text)

    services.accept_request(request=chosen, by=mentor)

    for closed in (second, third):
        closed.refresh_from_db()
        assert closed.status == RequestStatus.WITHDRAWN
        assert closed.closed_at is not None
    elsewhere.refresh_from_db()
    assert elsewhere.status == RequestStatus.PENDING
    assert elsewhere.closed_at is None
    closed_emails = emails("request_closed_matched")
    assert sorted((e.to[0], e.key) for e in closed_emails) == sorted(
        [
            (second_mentor.user.email, f"request-closed:{second.pk}"),
            (third_mentor.user.email, f"request-closed:{third.pk}"),
        ]
    )


def test_accepting_introduces_both_sides_exactly_once(
    pending_request: MentorshipRequest,
    mentee: User,
    mentor: User,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        mentorship = services.accept_request(request=pending_request, by=mentor)
        # Sending again (a retried task, say) queues nothing new: the keys are taken.
        services.send_introductions(mentorship)

    intros = {e.key: e for e in emails("introduction")}
    assert set(intros) == {f"intro:{mentorship.pk}:mentor", f"intro:{mentorship.pk}:mentee"}
    to_mentor = intros[f"intro:{mentorship.pk}:mentor"]
    to_mentee = intros[f"intro:{mentorship.pk}:mentee"]
    assert to_mentor.to == [mentor.email]
    assert to_mentee.to == [mentee.email]
    assert mentee.email in to_mentor.body_text
    assert mentor.email in to_mentee.body_text
    assert "agenda" in to_mentor.body_text
    assert "agenda" in to_mentee.body_text
    sent = [m for m in mail.outbox if m.subject.startswith("[Mentorship] Meet ")]
    assert sorted(m.to[0] for m in sent) == sorted([mentor.email, mentee.email])


@pytest.mark.parametrize("closed_as", ["withdrawn", "declined", "accepted"])
def test_a_request_that_is_no_longer_pending_cannot_be_accepted(
    pending_request: MentorshipRequest, mentee: User, mentor: User, closed_as: str
) -> None:
    if closed_as == "withdrawn":
        services.withdraw_request(request=pending_request, by=mentee)
    elif closed_as == "declined":
        services.decline_request(
            request=pending_request, by=mentor, reason=DeclineReason.NO_CAPACITY
        )
    else:
        services.accept_request(request=pending_request, by=mentor)

    with _refused(f"This request is already {closed_as}"):
        services.accept_request(request=pending_request, by=mentor)
    assert Mentorship.objects.count() == (1 if closed_as == "accepted" else 0)


def test_mentor_cannot_accept_beyond_capacity(
    mentor: User, mentor_enrollment: Enrollment, make_mentee: MakeEnrollment, request_text: str
) -> None:
    Profile.objects.filter(user=mentor).update(mentor_capacity=1)
    first = _send(make_mentee().user, mentor_enrollment, request_text)
    second = _send(make_mentee().user, mentor_enrollment, request_text)
    services.accept_request(request=first, by=mentor)

    with _refused("You have no free places left in this programme"):
        services.accept_request(request=second, by=mentor)
    second.refresh_from_db()
    assert second.status == RequestStatus.PENDING


def test_mentor_who_left_the_cohort_cannot_accept(
    pending_request: MentorshipRequest, mentor: User, mentor_enrollment: Enrollment
) -> None:
    Enrollment.objects.filter(pk=mentor_enrollment.pk).update(status=EnrollmentStatus.LEFT)

    with _refused("You are no longer mentoring in this programme"):
        services.accept_request(request=pending_request, by=mentor)


def test_mentor_cannot_accept_a_mentee_who_left(
    pending_request: MentorshipRequest, mentor: User, mentee_enrollment: Enrollment
) -> None:
    Enrollment.objects.filter(pk=mentee_enrollment.pk).update(status=EnrollmentStatus.LEFT)

    with _refused("This mentee has left the programme"):
        services.accept_request(request=pending_request, by=mentor)


def test_mentor_cannot_accept_a_mentee_who_was_assigned_a_mentor_meanwhile(
    pending_request: MentorshipRequest,
    mentor: User,
    mentee_enrollment: Enrollment,
    make_mentor: MakeEnrollment,
) -> None:
    Mentorship.objects.create(
        cohort=pending_request.cohort,
        mentor_enrollment=make_mentor(),
        mentee_enrollment=mentee_enrollment,
    )

    with _refused("This mentee already has a mentor in this programme"):
        services.accept_request(request=pending_request, by=mentor)


# --- decline_request and withdraw_request -------------------------------------


@pytest.mark.parametrize("who", ["mentee", "stranger"])
def test_only_the_mentor_can_decline(
    pending_request: MentorshipRequest, mentee: User, stranger: User, who: str
) -> None:
    by = mentee if who == "mentee" else stranger

    with _denied():
        services.decline_request(request=pending_request, by=by, reason=DeclineReason.NO_CAPACITY)


@pytest.mark.parametrize("reason", ["", "busy", "No_capacity", "I don't have enough time"])
def test_decline_reason_must_be_one_from_the_list(
    pending_request: MentorshipRequest, mentor: User, reason: str
) -> None:
    with _refused("Pick a reason from the list", field="reason"):
        services.decline_request(request=pending_request, by=mentor, reason=reason)
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING


def test_declining_tells_the_mentee_kindly_with_the_reason_and_note(
    pending_request: MentorshipRequest, mentee: User, mentor: User
) -> None:
    request = services.decline_request(
        request=pending_request,
        by=mentor,
        reason=DeclineReason.NOT_A_FIT,
        note="  Ask Ana: she has given many conference talks.  ",
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    assert request.decline_reason == DeclineReason.NOT_A_FIT
    assert request.decline_note == "Ask Ana: she has given many conference talks."
    assert request.responded_at is not None
    (email,) = emails("request_declined")
    assert email.to == [mentee.email]
    assert email.key == f"request-declined:{request.pk}"
    assert str(DeclineReason.NOT_A_FIT.label) in email.body_text
    assert "Ask Ana: she has given many conference talks." in email.body_text
    assert "says nothing about you" in email.body_text


def test_declining_twice_is_refused(pending_request: MentorshipRequest, mentor: User) -> None:
    services.decline_request(request=pending_request, by=mentor, reason=DeclineReason.OTHER)

    with _refused("This request is already declined"):
        services.decline_request(request=pending_request, by=mentor, reason=DeclineReason.OTHER)


@pytest.mark.parametrize("who", ["mentor", "stranger"])
def test_only_the_mentee_can_withdraw(
    pending_request: MentorshipRequest, mentor: User, stranger: User, who: str
) -> None:
    by = mentor if who == "mentor" else stranger

    with _denied():
        services.withdraw_request(request=pending_request, by=by)


def test_withdrawing_closes_the_request_and_tells_the_mentor(
    pending_request: MentorshipRequest, mentee: User, mentor: User
) -> None:
    request = services.withdraw_request(request=pending_request, by=mentee)

    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    assert request.closed_at is not None
    assert request.responded_at is None
    (email,) = emails("request_withdrawn")
    assert email.to == [mentor.email]
    assert email.key == f"request-withdrawn:{request.pk}"


def test_withdrawing_twice_is_refused(pending_request: MentorshipRequest, mentee: User) -> None:
    services.withdraw_request(request=pending_request, by=mentee)

    with _refused("This request is already withdrawn"):
        services.withdraw_request(request=pending_request, by=mentee)


# --- expire_requests ------------------------------------------------------------


def test_only_pending_requests_past_their_expiry_are_expired_and_both_sides_told_once(
    mentee: User,
    mentor: User,
    mentor_enrollment: Enrollment,
    make_mentee: MakeEnrollment,
    make_mentor: MakeEnrollment,
    request_text: str,
    django_capture_on_commit_callbacks,
) -> None:
    due = _send(mentee, mentor_enrollment, request_text)
    not_yet = _send(mentee, make_mentor(), request_text)
    declined = _send(make_mentee().user, mentor_enrollment, request_text)
    services.decline_request(request=declined, by=mentor, reason=DeclineReason.OTHER)
    now = timezone.now()
    MentorshipRequest.objects.filter(pk__in=[due.pk, declined.pk]).update(expires_at=now)
    MentorshipRequest.objects.filter(pk=not_yet.pk).update(expires_at=now + timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_requests(now=now) == 1
        assert services.expire_requests(now=now) == 0

    due.refresh_from_db()
    assert due.status == RequestStatus.EXPIRED
    assert due.closed_at == now
    not_yet.refresh_from_db()
    assert not_yet.status == RequestStatus.PENDING
    declined.refresh_from_db()
    assert declined.status == RequestStatus.DECLINED
    expired = emails("request_expired")
    assert sorted((e.to[0], e.key) for e in expired) == sorted(
        [
            (mentee.email, f"request-expired:{due.pk}:mentee"),
            (mentor.email, f"request-expired:{due.pk}:mentor"),
        ]
    )
    expired_mail = [m for m in mail.outbox if "expired" in m.subject]
    assert len(expired_mail) == 2


def test_expire_requests_task_runs_the_service(pending_request: MentorshipRequest) -> None:
    MentorshipRequest.objects.filter(pk=pending_request.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert tasks.expire_requests.apply().get() == 1
    assert tasks.expire_requests.apply().get() == 0

    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.EXPIRED
    assert len(emails("request_expired")) == 2


def test_expire_requests_leaves_requests_that_are_not_due(
    pending_request: MentorshipRequest,
) -> None:
    assert services.expire_requests() == 0
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING
    assert emails("request_expired") == []


# --- end_mentorship and leave_feedback -------------------------------------------


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_either_side_can_end_the_mentorship_and_both_are_told(
    mentorship: Mentorship, mentor: User, mentee: User, side: str
) -> None:
    by = mentor if side == "mentor" else mentee

    ended = services.end_mentorship(
        mentorship=mentorship, by=by, outcome=MentorshipStatus.COMPLETED
    )

    ended.refresh_from_db()
    assert ended.status == MentorshipStatus.COMPLETED
    assert ended.ended_by == by
    assert ended.ended_at is not None
    sent = emails("mentorship_ended")
    assert sorted(e.to[0] for e in sent) == sorted([mentor.email, mentee.email])
    assert {e.key for e in sent} == {
        f"mentorship-ended:{mentorship.pk}:{mentor.pk}",
        f"mentorship-ended:{mentorship.pk}:{mentee.pk}",
    }


def test_stranger_cannot_end_a_mentorship(mentorship: Mentorship, stranger: User) -> None:
    with _denied():
        services.end_mentorship(
            mentorship=mentorship, by=stranger, outcome=MentorshipStatus.COMPLETED
        )


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_ending_early_needs_a_reason(mentorship: Mentorship, mentee: User, reason: str) -> None:
    with _refused("Say briefly why it is ending early", field="reason"):
        services.end_mentorship(
            mentorship=mentorship, by=mentee, outcome=MentorshipStatus.ENDED_EARLY, reason=reason
        )
    mentorship.refresh_from_db()
    assert mentorship.is_active


def test_ending_early_with_a_reason_records_it(mentorship: Mentorship, mentee: User) -> None:
    ended = services.end_mentorship(
        mentorship=mentorship,
        by=mentee,
        outcome=MentorshipStatus.ENDED_EARLY,
        reason="  I changed jobs.  ",
    )

    assert ended.status == MentorshipStatus.ENDED_EARLY
    assert ended.end_reason == "I changed jobs."


@pytest.mark.parametrize("outcome", ["", "active", "finished"])
def test_ending_needs_a_known_outcome(mentorship: Mentorship, mentee: User, outcome: str) -> None:
    with _refused("Choose how the mentorship ended", field="outcome"):
        services.end_mentorship(mentorship=mentorship, by=mentee, outcome=outcome)


def test_ending_twice_is_refused(mentorship: Mentorship, mentee: User, mentor: User) -> None:
    services.end_mentorship(mentorship=mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED)

    with _refused("This mentorship has already ended"):
        services.end_mentorship(
            mentorship=mentorship, by=mentor, outcome=MentorshipStatus.COMPLETED
        )


@pytest.fixture
def ended(mentorship: Mentorship, mentee: User) -> Mentorship:
    return services.end_mentorship(
        mentorship=mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED
    )


def test_feedback_opens_only_when_the_mentorship_ends(mentorship: Mentorship, mentee: User) -> None:
    with _refused("Feedback opens when the mentorship ends"):
        services.leave_feedback(mentorship=mentorship, by=mentee, rating=5)


@pytest.mark.parametrize("rating", [0, 6, -1, "abc", "", None, "4.5"])
def test_feedback_rating_must_be_from_one_to_five(
    ended: Mentorship, mentee: User, rating: object
) -> None:
    with _refused("Choose a rating from 1 to 5", field="rating"):
        services.leave_feedback(mentorship=ended, by=mentee, rating=rating)


@pytest.mark.parametrize("rating", [1, 5, "3"])
def test_feedback_with_a_valid_rating_is_stored_without_email(
    ended: Mentorship, mentor: User, rating: object
) -> None:
    emails_before = OutboxEmail.objects.count()

    feedback = services.leave_feedback(
        mentorship=ended, by=mentor, rating=rating, comment="  Great listener.  "
    )

    feedback.refresh_from_db()
    assert feedback.rating == int(rating)
    assert feedback.comment == "Great listener."
    assert feedback.author == mentor
    assert OutboxEmail.objects.count() == emails_before


def test_each_side_leaves_feedback_once(ended: Mentorship, mentee: User, mentor: User) -> None:
    services.leave_feedback(mentorship=ended, by=mentee, rating=4)

    with _refused("You have already left feedback for this mentorship"):
        services.leave_feedback(mentorship=ended, by=mentee, rating=5)
    services.leave_feedback(mentorship=ended, by=mentor, rating=5)
    assert MentorshipFeedback.objects.filter(mentorship=ended).count() == 2


def test_stranger_cannot_leave_feedback(ended: Mentorship, stranger: User) -> None:
    with _denied():
        services.leave_feedback(mentorship=ended, by=stranger, rating=5)


# --- introduce and answer_introduction -----------------------------------------


def _introduce(
    mentorship: Mentorship, by: User, email: str, message: str = "Meet!"
) -> Introduction:
    return services.introduce(mentorship=mentorship, by=by, contact_email=email, message=message)


def test_mentor_introduces_their_mentee_to_someone_in_a_shared_cohort(
    mentorship: Mentorship, mentor: User, stranger: User
) -> None:
    introduction = _introduce(
        mentorship, mentor, f"  {stranger.email.upper()} ", "  She ran the same migration.  "
    )

    assert introduction.contact == stranger
    assert introduction.status == IntroductionStatus.PENDING
    assert introduction.message == "She ran the same migration."
    (email,) = emails("introduction_request")
    assert email.to == [stranger.email]
    assert email.key == f"introduction-request:{introduction.pk}"


@pytest.mark.parametrize("who", ["mentee", "stranger"])
def test_only_the_mentor_can_introduce(
    mentorship: Mentorship, mentee: User, stranger: User, make_mentor: MakeEnrollment, who: str
) -> None:
    by = mentee if who == "mentee" else stranger
    contact = make_mentor().user

    with _denied():
        _introduce(mentorship, by, contact.email)


def test_contact_outside_the_mentors_cohorts_is_refused_like_an_unknown_address(
    mentorship: Mentorship, mentor: User, make_mentor: MakeEnrollment, make_cohort: MakeCohort
) -> None:
    outsider = make_mentor(cohort=make_cohort()).user

    with _refused("Nobody with that email shares a programme with you", field="contact_email"):
        _introduce(mentorship, mentor, outsider.email)
    with pytest.raises(ValidationError) as for_outsider:
        _introduce(mentorship, mentor, outsider.email)
    with pytest.raises(ValidationError) as for_nobody:
        _introduce(mentorship, mentor, "nobody-at-all@example.org")

    # Same words either way: the form must not reveal whether an address has an account.
    assert for_outsider.value.message_dict == for_nobody.value.message_dict


def test_contact_who_left_the_shared_cohort_is_refused(
    mentorship: Mentorship, mentor: User, stranger: User
) -> None:
    Enrollment.objects.filter(user=stranger).update(status=EnrollmentStatus.LEFT)

    with _refused("Nobody with that email shares a programme with you", field="contact_email"):
        _introduce(mentorship, mentor, stranger.email)


def test_deactivated_contact_is_refused(
    mentorship: Mentorship, mentor: User, stranger: User
) -> None:
    User.objects.filter(pk=stranger.pk).update(is_active=False)

    with _refused("Nobody with that email shares a programme with you", field="contact_email"):
        _introduce(mentorship, mentor, stranger.email)


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_mentor_cannot_introduce_the_mentee_to_either_of_them(
    mentorship: Mentorship, mentor: User, mentee: User, who: str
) -> None:
    contact = mentee if who == "mentee" else mentor

    with _refused("Introduce your mentee to someone else", field="contact_email"):
        _introduce(mentorship, mentor, contact.email)


def test_same_introduction_twice_is_refused(
    mentorship: Mentorship, mentor: User, stranger: User
) -> None:
    _introduce(mentorship, mentor, stranger.email)

    with _refused("You have already introduced them", field="contact_email"):
        _introduce(mentorship, mentor, stranger.email)


def test_introduction_needs_a_reason_to_meet(
    mentorship: Mentorship, mentor: User, stranger: User
) -> None:
    with _refused("Say why they should meet", field="message"):
        _introduce(mentorship, mentor, stranger.email, "   ")


def test_ended_mentorship_cannot_make_introductions(
    ended: Mentorship, mentor: User, stranger: User
) -> None:
    with _refused("Introductions are for active mentorships"):
        _introduce(ended, mentor, stranger.email)


@pytest.fixture
def introduction(mentorship: Mentorship, mentor: User, stranger: User) -> Introduction:
    return _introduce(mentorship, mentor, stranger.email, "She ran the same migration.")


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_only_the_contact_can_answer_an_introduction(
    introduction: Introduction, mentor: User, mentee: User, who: str
) -> None:
    by = mentor if who == "mentor" else mentee

    with _denied():
        services.answer_introduction(introduction=introduction, by=by, accept=True)


def test_accepted_introduction_sends_one_email_to_all_three(
    introduction: Introduction,
    mentor: User,
    mentee: User,
    stranger: User,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.answer_introduction(introduction=introduction, by=stranger, accept=True)

    answered.refresh_from_db()
    assert answered.status == IntroductionStatus.ACCEPTED
    assert answered.responded_at is not None
    (email,) = emails("introduction_made")
    assert email.to == [mentor.email, mentee.email, stranger.email]
    assert email.key == f"introduction-made:{introduction.pk}"
    assert mentee.email in email.body_text
    assert stranger.email in email.body_text
    assert emails("introduction_declined") == []
    made = [m for m in mail.outbox if "Introduction:" in m.subject]
    assert len(made) == 1
    assert sorted(made[0].to) == sorted([mentor.email, mentee.email, stranger.email])


def test_declined_introduction_tells_only_the_mentor(
    introduction: Introduction, mentor: User, stranger: User
) -> None:
    answered = services.answer_introduction(introduction=introduction, by=stranger, accept=False)

    answered.refresh_from_db()
    assert answered.status == IntroductionStatus.DECLINED
    (email,) = emails("introduction_declined")
    assert email.to == [mentor.email]
    assert stranger.email not in email.body_text
    assert emails("introduction_made") == []


@pytest.mark.parametrize("first", [True, False])
def test_answering_an_introduction_twice_is_refused(
    introduction: Introduction, stranger: User, first: bool
) -> None:
    services.answer_introduction(introduction=introduction, by=stranger, accept=first)

    with _refused("You have already answered this introduction"):
        services.answer_introduction(introduction=introduction, by=stranger, accept=not first)
    introduction.refresh_from_db()
    expected = IntroductionStatus.ACCEPTED if first else IntroductionStatus.DECLINED
    assert introduction.status == expected


# --- Selectors: the mentor directory --------------------------------------------


def _directory(user: User, **filters: object) -> list[int]:
    """User ids of the mentors listed, in order."""
    return [e.user_id for e in selectors.directory(user=user, filters=filters)]


def _profile(enrollment: Enrollment) -> Profile:
    return Profile.objects.get(user_id=enrollment.user_id)


def test_directory_lists_mentors_in_the_viewers_cohorts_but_not_the_viewer(
    stranger: User, make_mentor: MakeEnrollment
) -> None:
    other = make_mentor()

    listed = _directory(stranger)

    assert other.user_id in listed
    assert stranger.pk not in listed


def test_directory_hides_mentors_in_cohorts_the_viewer_is_not_a_mentee_of(
    mentee: User, mentor: User, make_mentor: MakeEnrollment, make_cohort: MakeCohort
) -> None:
    cohort = make_cohort()
    elsewhere = make_mentor(cohort=cohort)
    # Mentoring in a cohort does not open its directory.
    services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTOR)

    assert _directory(mentee) == [mentor.pk]

    services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)
    assert sorted(_directory(mentee)) == sorted([mentor.pk, elsewhere.user_id])


def test_directory_hides_mentors_who_left_or_were_deactivated(
    mentee: User, make_mentor: MakeEnrollment
) -> None:
    left, deactivated, listed = make_mentor(), make_mentor(), make_mentor()
    Enrollment.objects.filter(pk=left.pk).update(status=EnrollmentStatus.LEFT)
    User.objects.filter(pk=deactivated.user_id).update(is_active=False)

    assert _directory(mentee) == [listed.user_id]


def test_directory_shows_nothing_to_someone_who_is_not_a_mentee(
    mentor: User, make_mentor: MakeEnrollment
) -> None:
    make_mentor()

    assert _directory(mentor) == []


def test_directory_filters_by_skills(mentee: User, make_mentor: MakeEnrollment) -> None:
    teaches_sql, teaches_go, python_only = make_mentor(), make_mentor(), make_mentor()
    _skill(_profile(teaches_sql), "SQL")
    _skill(_profile(teaches_go), "Go")
    # Wanting to learn a skill is not teaching it.
    _skill(_profile(python_only), "SQL", SkillKind.LEARN)

    sql = Skill.objects.filter(name="SQL")
    assert _directory(mentee, skills=sql) == [teaches_sql.user_id]
    both = Skill.objects.filter(name__in=["SQL", "Go"])
    assert sorted(_directory(mentee, skills=both)) == sorted(
        [teaches_sql.user_id, teaches_go.user_id]
    )


def test_directory_filters_by_industry(mentee: User, make_mentor: MakeEnrollment) -> None:
    finance = make_mentor(industry="finance")
    make_mentor(industry="software")

    assert _directory(mentee, industry="finance") == [finance.user_id]


def test_directory_filters_by_language(mentee: User, make_mentor: MakeEnrollment) -> None:
    german = make_mentor(languages=["en", "de"])
    make_mentor(languages=["en"])
    make_mentor(languages=["fr"])

    assert _directory(mentee, language=Language.objects.get(code="de")) == [german.user_id]
    assert len(_directory(mentee, language=Language.objects.get(code="en"))) == 2


def test_directory_filters_by_working_hours_overlap(
    make_mentee: MakeEnrollment, make_mentor: MakeEnrollment
) -> None:
    viewer = make_mentee(time_zone="Europe/Berlin").user
    paris = make_mentor(time_zone="Europe/Paris")
    tokyo = make_mentor(time_zone="Asia/Tokyo")
    new_york = make_mentor(time_zone="America/New_York")

    assert _directory(viewer, overlap=6) == [paris.user_id]
    assert sorted(_directory(viewer, overlap=2)) == sorted([paris.user_id, new_york.user_id])
    assert tokyo.user_id not in _directory(viewer, overlap=2)
    assert len(_directory(viewer)) == 3


def test_directory_filters_by_meeting_format(mentee: User, make_mentor: MakeEnrollment) -> None:
    by_phone = make_mentor(meets_by_phone=True, meets_by_video=False)
    in_person = make_mentor(meets_in_person=True)
    video_only = make_mentor()

    assert _directory(mentee, meeting_format="phone") == [by_phone.user_id]
    assert _directory(mentee, meeting_format="in_person") == [in_person.user_id]
    assert sorted(_directory(mentee, meeting_format="video")) == sorted(
        [in_person.user_id, video_only.user_id]
    )
    assert _directory(mentee, meeting_format="chat") == []


def test_directory_free_only_hides_paused_and_full_mentors(
    mentorship: Mentorship,
    mentee: User,
    mentor_enrollment: Enrollment,
    make_mentee: MakeEnrollment,
    make_mentor: MakeEnrollment,
) -> None:
    viewer = make_mentee().user
    Enrollment.objects.filter(pk=mentor_enrollment.pk).update(capacity_override=1)
    paused = make_mentor(is_accepting_requests=False)
    no_capacity = make_mentor(mentor_capacity=0)
    free = make_mentor()

    assert _directory(viewer, free_only=True) == [free.user_id]
    assert sorted(_directory(viewer)) == sorted(
        [mentor_enrollment.user_id, paused.user_id, no_capacity.user_id, free.user_id]
    )


@pytest.mark.parametrize(
    ("field", "value", "query"),
    [
        ("display_name", "Zelda Quartermaine", "quartermaine"),
        ("headline", "Staff engineer at a quantum startup", "QUANTUM"),
        ("bio", "I love helping people with observability.", "observab"),
    ],
)
def test_directory_search_matches_name_headline_and_bio(
    mentee: User, make_mentor: MakeEnrollment, field: str, value: str, query: str
) -> None:
    match = make_mentor(**{field: value})
    make_mentor(display_name="Ada Brown")

    assert _directory(mentee, q=f"  {query} ") == [match.user_id]


def test_directory_search_matches_taught_skill_names_only(
    mentee: User, make_mentor: MakeEnrollment
) -> None:
    teaches = make_mentor()
    learns = make_mentor()
    _skill(_profile(teaches), "Kubernetes")
    _skill(_profile(learns), "Kubernetes", SkillKind.LEARN)

    assert _directory(mentee, q="kubern") == [teaches.user_id]


def test_directory_filters_by_cohort(
    mentee: User,
    mentor: User,
    community: Cohort,
    make_mentor: MakeEnrollment,
    make_cohort: MakeCohort,
) -> None:
    cohort = make_cohort()
    services.join_cohort(user=mentee, cohort=cohort, role=Role.MENTEE)
    elsewhere = make_mentor(cohort=cohort)
    foreign = make_cohort()
    make_mentor(cohort=foreign)

    assert _directory(mentee, cohort=cohort) == [elsewhere.user_id]
    assert _directory(mentee, cohort=community) == [mentor.pk]
    # Naming a cohort the viewer is not in shows nobody, not its mentors.
    assert _directory(mentee, cohort=foreign) == []


def test_directory_sorts_by_experience_with_unknown_last(
    mentee: User, make_mentor: MakeEnrollment
) -> None:
    junior = make_mentor(years_experience=3)
    unknown = make_mentor(years_experience=None)
    senior = make_mentor(years_experience=20)
    middle = make_mentor(years_experience=10)

    assert _directory(mentee, sort="experience") == [
        senior.user_id,
        middle.user_id,
        junior.user_id,
        unknown.user_id,
    ]


def test_directory_sorts_by_recent_activity_with_never_logged_in_last(
    mentee: User, make_mentor: MakeEnrollment
) -> None:
    never, older, newer = make_mentor(), make_mentor(), make_mentor()
    now = timezone.now()
    User.objects.filter(pk=never.user_id).update(last_login=None)
    User.objects.filter(pk=older.user_id).update(last_login=now - timedelta(days=5))
    User.objects.filter(pk=newer.user_id).update(last_login=now - timedelta(hours=1))

    assert _directory(mentee, sort="recent") == [newer.user_id, older.user_id, never.user_id]


@pytest.mark.parametrize("sort", ["best_fit", "", None])
def test_directory_best_fit_puts_most_shared_skills_first(
    mentee: User, make_mentor: MakeEnrollment, sort: str | None
) -> None:
    # The mentee wants to learn Public speaking (from the factory), SQL and Go.
    mine = Profile.objects.get(user=mentee)
    _skill(mine, "SQL", SkillKind.LEARN)
    _skill(mine, "Go", SkillKind.LEARN)
    none_shared = make_mentor(years_experience=30)
    one_shared = make_mentor(years_experience=2)
    two_shared = make_mentor(years_experience=1)
    _skill(_profile(one_shared), "Public speaking")
    _skill(_profile(two_shared), "SQL")
    _skill(_profile(two_shared), "Go")

    assert _directory(mentee, sort=sort) == [
        two_shared.user_id,
        one_shared.user_id,
        none_shared.user_id,
    ]


def _directory_page_queries(viewer: User) -> int:
    directory.forget()  # new mentors drop it anyway: count reading them every time
    with CaptureQueriesContext(connection) as captured:
        page = selectors.directory(
            user=viewer, filters={"sort": "best_fit"}, limit=selectors.DIRECTORY_PAGE_SIZE
        )
        cards = [
            (
                enrollment.cohort.name,
                enrollment.places_left(),
                [ps.skill.name for ps in enrollment.user.profile.expertise],
                [language.name for language in enrollment.user.profile.languages.all()],
            )
            for enrollment in page
        ]
    assert cards, "the page should list mentors"
    assert all(card[2] and len(card[3]) == 2 for card in cards)
    return len(captured.captured_queries)


def test_directory_page_costs_the_same_queries_for_3_or_15_mentors(
    mentee: User, make_mentor: MakeEnrollment
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            _skill(_profile(make_mentor(languages=["en", "de"])), "SQL")

    add(3)
    few = _directory_page_queries(mentee)
    add(12)
    many = _directory_page_queries(mentee)

    assert few == many
    # cohorts, change counts, mentors (5: with their skills, languages and those names)
    # and their activity (1), fits, wanted skills, then the page's twelve with their
    # skills and languages (3)
    assert few <= 13


def test_typical_response_days_is_the_median_per_mentor(
    mentee_enrollment: Enrollment, make_mentor: MakeEnrollment
) -> None:
    slow, fast, silent = make_mentor(), make_mentor(), make_mentor()
    start = timezone.now() - timedelta(days=30)

    def answered(mentor_row: Enrollment, days: float | None) -> None:
        MentorshipRequest.objects.create(
            cohort=mentor_row.cohort,
            mentee_enrollment=mentee_enrollment,
            mentor_enrollment=mentor_row,
            message="x" * 80,
            status=RequestStatus.DECLINED if days is not None else RequestStatus.PENDING,
            created_at=start,
            responded_at=start + timedelta(days=days) if days is not None else None,
        )

    for days in (1, 2, 10):
        answered(slow, days)
    answered(fast, 0.5)
    answered(silent, None)

    result = selectors.typical_response_days([slow.user_id, fast.user_id, silent.user_id])

    assert result == {slow.user_id: pytest.approx(2.0), fast.user_id: pytest.approx(0.5)}


@pytest.mark.parametrize(
    ("days", "phrase"),
    [
        (None, "New mentor: no replies to measure yet"),
        (0.0, "Usually replies within a day"),
        (0.4, "Usually replies within a day"),
        (1.0, "Usually replies within a day"),
        (1.2, "Usually replies within 2 days"),
        (2.0, "Usually replies within 2 days"),
        (6.5, "Usually replies within 7 days"),
    ],
)
def test_response_phrase(days: float | None, phrase: str) -> None:
    assert selectors.response_phrase(days) == phrase


# --- Time zones -------------------------------------------------------------------

WINTER = datetime(2025, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2025, 7, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize("at", [WINTER, SUMMER])
def test_overlap_of_berlin_and_paris_is_the_whole_working_day(at: datetime) -> None:
    assert overlap_hours("Europe/Berlin", "Europe/Paris", at) == 8


def test_overlap_of_berlin_and_tokyo_is_small() -> None:
    # Tokyo has no daylight saving: 8 hours ahead of Berlin in winter, 7 in summer.
    assert overlap_hours("Europe/Berlin", "Asia/Tokyo", WINTER) == 0
    assert overlap_hours("Europe/Berlin", "Asia/Tokyo", SUMMER) == 1
    assert overlap_hours("Europe/Berlin", "Asia/Tokyo") <= 1


@pytest.mark.parametrize(("at", "hours"), [(WINTER, 5), (SUMMER, 3)])
def test_overlap_wraps_around_the_date_line_and_is_symmetric(at: datetime, hours: int) -> None:
    # Auckland is 21 (winter) or 19 (summer) hours ahead of Los Angeles: 3 or 5 the other way.
    there = overlap_hours("Pacific/Auckland", "America/Los_Angeles", at)
    back = overlap_hours("America/Los_Angeles", "Pacific/Auckland", at)

    assert there == back == hours


def test_overlap_with_half_hour_zones() -> None:
    # India is UTC+5:30 all year; Berlin UTC+1 in January.
    assert overlap_hours("Europe/Berlin", "Asia/Kolkata", WINTER) == 3.5


class TestLeavingARole:
    def test_a_mentor_who_stops_mentoring_declines_open_requests_kindly(
        self, pending_request, mentor, mentee
    ):
        save_intent(
            user=mentor,
            wants_mentoring=True,
            wants_to_mentor=False,
            mentor_capacity=2,
            is_accepting_requests=True,
        )
        pending_request.refresh_from_db()
        assert pending_request.status == RequestStatus.DECLINED
        assert pending_request.decline_reason == DeclineReason.NO_CAPACITY
        row = OutboxEmail.objects.get(key=f"request-declined:{pending_request.pk}")
        assert row.to == [mentee.email]

    def test_a_mentee_who_stops_looking_withdraws_open_requests(
        self, pending_request, mentor, mentee
    ):
        save_intent(
            user=mentee,
            wants_mentoring=False,
            wants_to_mentor=True,
            mentor_capacity=2,
            is_accepting_requests=True,
        )
        pending_request.refresh_from_db()
        assert pending_request.status == RequestStatus.WITHDRAWN
        row = OutboxEmail.objects.get(key=f"request-withdrawn:{pending_request.pk}")
        assert row.to == [mentor.email]


def test_no_request_can_be_sent_in_a_closed_cohort(mentee, mentor):
    cohort = services.default_cohort()
    cohort.closed_at = timezone.now()
    cohort.save()
    with pytest.raises(ValidationError, match="has closed"):
        services.send_request(
            mentee=mentee,
            mentor_enrollment=mentor.enrollments.get(role="mentor"),
            message="I would love your help growing into a tech lead role over the next year.",
        )


def test_each_side_of_a_mentorship_and_its_request_is_known_and_no_one_else(
    mentorship: Mentorship, mentee: User, mentor: User, stranger: User
) -> None:
    for pair in (mentorship, mentorship.request):
        assert (pair.side_of(mentee), pair.side_of(mentor)) == (Role.MENTEE, Role.MENTOR)
        assert pair.side_of(stranger) is None
        assert not pair.has_participant(AnonymousUser())
        with pytest.raises(PermissionDenied):
            pair.required_side(stranger)
