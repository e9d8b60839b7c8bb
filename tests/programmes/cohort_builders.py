"""Hand-built cohorts for the report, survey and closing tests: every row is created
directly with the timestamps a test needs, so each number can be worked out by hand."""

from datetime import date, datetime, time

from django.utils import timezone

from accounts.models import User
from goals.models import Goal, Meeting, MeetingFormat, MeetingStatus
from matching.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)
from tests.factories import ProfileFactory

REQUEST_MESSAGE = "Hello! " + "I would value your help with my first conference talk. " * 3


def at(day: date, hour: int = 12) -> datetime:
    """A moment on ``day`` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def person(**profile: object) -> User:
    """An onboarded person who is in no cohort yet."""
    return ProfileFactory(
        wants_mentoring=True, wants_to_mentor=True, enrolled=False, **profile
    ).user


def enroll(
    cohort: Cohort,
    role: str,
    joined_at: datetime | None = None,
    *,
    user: User | None = None,
    status: str = EnrollmentStatus.ACTIVE,
) -> Enrollment:
    return Enrollment.objects.create(
        cohort=cohort,
        user=user or person(),
        role=role,
        status=status,
        joined_at=joined_at or timezone.now(),
    )


def make_request(
    mentee: Enrollment,
    mentor: Enrollment,
    *,
    created_at: datetime | None = None,
    status: str = RequestStatus.PENDING,
    responded_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> MentorshipRequest:
    return MentorshipRequest.objects.create(
        cohort=mentor.cohort,
        mentee_enrollment=mentee,
        mentor_enrollment=mentor,
        message=REQUEST_MESSAGE,
        created_at=created_at or timezone.now(),
        status=status,
        responded_at=responded_at,
        expires_at=expires_at,
    )


def make_mentorship(
    mentor: Enrollment,
    mentee: Enrollment,
    *,
    started_at: datetime | None = None,
    status: str = MentorshipStatus.ACTIVE,
) -> Mentorship:
    return Mentorship.objects.create(
        cohort=mentor.cohort,
        mentor_enrollment=mentor,
        mentee_enrollment=mentee,
        started_at=started_at or timezone.now(),
        status=status,
        ended_at=None if status == MentorshipStatus.ACTIVE else timezone.now(),
    )


def make_goal(mentorship: Mentorship, status: str, created_at: datetime) -> Goal:
    return Goal.objects.create(
        mentorship=mentorship,
        title=f"A goal that is {status}",
        outcome="A talk given at a meetup, recorded and shared with the team.",
        measure="milestones",
        plan="Outline, draft, two rehearsals with my mentor, then the talk.",
        relevance="Speaking is part of the role I am aiming for.",
        starts_on=created_at.date(),
        target_date=date(2026, 12, 31),
        status=status,
        created_at=created_at,
    )


def make_meeting(
    mentorship: Mentorship, starts_at: datetime, status: str = MeetingStatus.SCHEDULED
) -> Meeting:
    return Meeting.objects.create(
        mentorship=mentorship,
        starts_at=starts_at,
        format=MeetingFormat.VIDEO,
        status=status,
    )
