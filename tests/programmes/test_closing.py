"""Closing a cohort (once: a second close changes and sends nothing) and reminding
mentors of requests waiting for them (once a day)."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

import pytest

from core.outbox.models import OutboxEmail
from matching.models import (
    AuditAction,
    AuditEntry,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
    Role,
)
from programmes.models import SurveyKind, SurveyResponse
from programmes.services.closing import close_cohort, remind_mentors
from programmes.services.surveys import send_survey
from tests.factories import CohortFactory, make_programme_admin
from tests.programmes.cohort_builders import enroll, make_mentorship, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort() -> Cohort:
    return CohortFactory(name="Winter", slug="winter")


@pytest.fixture
def boss(cohort):
    return make_programme_admin(cohort)


@pytest.fixture
def running(cohort):
    """Two active mentorships, one already ended early, a waiting request, an answered one."""
    mentor, busy = enroll(cohort, Role.MENTOR), enroll(cohort, Role.MENTOR)
    mentees = [enroll(cohort, Role.MENTEE) for _ in range(4)]
    active = [make_mentorship(mentor, mentees[0]), make_mentorship(busy, mentees[1])]
    ended = make_mentorship(mentor, mentees[2], status=MentorshipStatus.ENDED_EARLY)
    waiting = make_request(mentees[3], busy)
    declined = make_request(
        mentees[2], busy, status=RequestStatus.DECLINED, responded_at=timezone.now()
    )
    return {"active": active, "ended": ended, "waiting": waiting, "declined": declined}


def _state(cohort: Cohort) -> dict:
    """Everything closing touches, to compare before and after a second close."""
    cohort.refresh_from_db()
    return {
        "cohort": (cohort.closed_at, cohort.closed_by_id, cohort.is_enrollment_open),
        "mentorships": sorted(
            Mentorship.objects.filter(cohort=cohort).values_list("pk", "status", "ended_at")
        ),
        "requests": sorted(
            MentorshipRequest.objects.filter(cohort=cohort).values_list("pk", "status", "closed_at")
        ),
        "enrollments": sorted(Enrollment.objects.filter(cohort=cohort).values_list("pk", "status")),
        "surveys": sorted(
            SurveyResponse.objects.filter(cohort=cohort).values_list("pk", "sent_at")
        ),
        "emails": sorted(OutboxEmail.objects.values_list("pk", flat=True)),
        "audit": sorted(AuditEntry.objects.filter(cohort=cohort).values_list("pk", flat=True)),
    }


def test_closing_completes_mentorships_expires_requests_and_sends_the_end_survey(
    cohort, boss, running
):
    close_cohort(cohort=cohort, by=boss)
    cohort.refresh_from_db()
    assert cohort.closed_at is not None
    assert cohort.closed_by == boss
    assert not cohort.is_enrollment_open
    for mentorship in running["active"]:
        mentorship.refresh_from_db()
        assert mentorship.status == MentorshipStatus.COMPLETED
        assert mentorship.ended_at == cohort.closed_at
        assert mentorship.ended_by == boss
    running["ended"].refresh_from_db()
    assert running["ended"].status == MentorshipStatus.ENDED_EARLY
    running["waiting"].refresh_from_db()
    assert running["waiting"].status == RequestStatus.EXPIRED
    assert running["waiting"].closed_at == cohort.closed_at
    running["declined"].refresh_from_db()
    assert running["declined"].status == RequestStatus.DECLINED
    # Enrollments stay: people did take part.
    assert not Enrollment.objects.filter(cohort=cohort).exclude(status=EnrollmentStatus.ACTIVE)

    participants = set(Enrollment.objects.filter(cohort=cohort).values_list("user", flat=True))
    surveys = SurveyResponse.objects.filter(cohort=cohort)
    assert set(surveys.values_list("user", flat=True)) == participants
    assert set(surveys.values_list("kind", flat=True)) == {SurveyKind.END}
    # One email each, the survey, which says the programme closed; no "mentorship ended".
    emails = OutboxEmail.objects.all()
    assert sorted(e.to[0] for e in emails) == sorted(s.user.email for s in surveys)
    assert {e.template for e in emails} == {"survey"}
    assert all("Winter has now closed" in e.body_text for e in emails)

    entry = AuditEntry.objects.get(cohort=cohort, action=AuditAction.COHORT_CLOSED)
    assert entry.actor == boss
    assert entry.details == {
        "mentorships_completed": 2,
        "requests_expired": 1,
        "end_surveys_sent": 6,
    }


def test_closing_twice_changes_nothing_and_sends_nothing(cohort, boss, running):
    close_cohort(cohort=cohort, by=boss)
    before = _state(cohort)
    second_admin = make_programme_admin(cohort)
    close_cohort(cohort=cohort, by=second_admin)
    assert _state(cohort) == before
    assert AuditEntry.objects.filter(action=AuditAction.COHORT_CLOSED).count() == 1


def test_closing_after_the_end_survey_does_not_survey_again(cohort, boss, running):
    send_survey(cohort=cohort, kind=SurveyKind.END, by=boss)
    emails = OutboxEmail.objects.count()
    close_cohort(cohort=cohort, by=boss)
    assert OutboxEmail.objects.count() == emails
    assert SurveyResponse.objects.filter(cohort=cohort).count() == 6


def test_only_the_cohorts_admins_close_it(cohort, running):
    other_admin = make_programme_admin(CohortFactory(name="Other", slug="other"))
    with pytest.raises(PermissionDenied):
        close_cohort(cohort=cohort, by=other_admin)
    participant = running["active"][0].mentor
    with pytest.raises(PermissionDenied):
        close_cohort(cohort=cohort, by=participant)
    cohort.refresh_from_db()
    assert cohort.closed_at is None
    assert not OutboxEmail.objects.exists()


def test_closing_leaves_other_cohorts_alone(cohort, boss, running):
    other = CohortFactory(name="Other", slug="other")
    pair = make_mentorship(enroll(other, Role.MENTOR), enroll(other, Role.MENTEE))
    close_cohort(cohort=cohort, by=boss)
    pair.refresh_from_db()
    other.refresh_from_db()
    assert pair.status == MentorshipStatus.ACTIVE
    assert other.closed_at is None
    assert not SurveyResponse.objects.filter(cohort=other).exists()


# --- Reminders ---------------------------------------------------------------


@pytest.fixture
def waiting(cohort):
    """Mentor A has two requests waiting, B one, C none (only an answered one); D's
    request is past its expiry and belongs to the expiry sweep."""
    a, b, c, d = (enroll(cohort, Role.MENTOR) for _ in range(4))
    mentees = [enroll(cohort, Role.MENTEE) for _ in range(5)]
    now = timezone.now()
    make_request(mentees[0], a, created_at=now - timedelta(days=3))
    make_request(mentees[1], a)
    make_request(mentees[2], b)
    make_request(mentees[3], c, status=RequestStatus.ACCEPTED, responded_at=now)
    make_request(mentees[4], d, created_at=now - timedelta(days=9), expires_at=now - timedelta(1))
    return {"a": a, "b": b, "c": c, "d": d, "mentees": mentees}


def _reminders() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(template="mentor_reminder").order_by("pk"))


def test_mentors_with_waiting_requests_are_reminded_with_the_list(cohort, boss, waiting):
    assert remind_mentors(cohort=cohort, by=boss) == 2
    emails = {e.to[0]: e for e in _reminders()}
    assert set(emails) == {waiting["a"].user.email, waiting["b"].user.email}
    to_a = emails[waiting["a"].user.email]
    assert "2 requests are waiting" in to_a.subject
    for request in MentorshipRequest.objects.filter(mentor_enrollment=waiting["a"]):
        assert f"http://testserver{request.get_absolute_url()}" in to_a.body_text
    assert "waiting 3 days" in to_a.body_text
    entry = AuditEntry.objects.get(action=AuditAction.REMINDERS_SENT)
    assert entry.details["mentors"] == 2


def test_reminders_go_once_a_day(cohort, boss, waiting):
    today = timezone.localdate()
    remind_mentors(cohort=cohort, by=boss, today=today)
    assert remind_mentors(cohort=cohort, by=boss, today=today) == 0
    assert len(_reminders()) == 2
    assert AuditEntry.objects.filter(action=AuditAction.REMINDERS_SENT).count() == 1
    assert remind_mentors(cohort=cohort, by=boss, today=today + timedelta(days=1)) == 2
    assert len(_reminders()) == 4


def test_a_mentor_who_left_or_another_cohort_is_not_reminded(cohort, boss, waiting):
    Enrollment.objects.filter(pk=waiting["b"].pk).update(status=EnrollmentStatus.LEFT)
    other = CohortFactory(name="Other", slug="other")
    make_request(enroll(other, Role.MENTEE), enroll(other, Role.MENTOR))
    assert remind_mentors(cohort=cohort, by=boss) == 1
    assert [e.to for e in _reminders()] == [[waiting["a"].user.email]]


def test_only_the_cohorts_admins_remind(cohort, waiting):
    other_admin = make_programme_admin(CohortFactory(name="Other", slug="other"))
    with pytest.raises(PermissionDenied):
        remind_mentors(cohort=cohort, by=other_admin)
    assert not _reminders()
