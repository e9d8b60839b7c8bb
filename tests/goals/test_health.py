"""Relationship health: fit checks two weeks in, pulses after, answers once, "Not a
good fit" told to the programme team, idle pairs nudged, flagged, warned and ended."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

import pytest

from accounts.models import User
from goals import tasks
from goals.models import CheckAnswer, CheckKind, FitCheck, IdleNotice, Meeting, MeetingStatus
from goals.selectors import FLAG_IDLE_DAYS, quiet_mentorships
from goals.services import health, reminders
from matching.models import Mentorship, MentorshipMessage, MentorshipStatus, Role
from matching.services import end_mentorship, post_mentorship_message, send_request
from profiles.models import MeetingFormat
from tests.factories import ProfileFactory, UserFactory, mentorship_between
from tests.helpers import emails

pytestmark = pytest.mark.django_db


def _at(day: date, hour: int = 15) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _start(mentorship: Mentorship) -> date:
    return timezone.localdate(mentorship.started_at)


def _meeting(mentorship: Mentorship, day: date, status: str = MeetingStatus.SCHEDULED) -> None:
    Meeting.objects.create(
        mentorship=mentorship, starts_at=_at(day), format=MeetingFormat.VIDEO, status=status
    )


def _message(mentorship: Mentorship, author: User, day: date) -> None:
    MentorshipMessage.objects.create(
        mentorship=mentorship, author=author, body="Hello!", created_at=_at(day)
    )


def _checks(kind: str = CheckKind.FIT) -> list[FitCheck]:
    return list(FitCheck.objects.filter(kind=kind).order_by("person_id"))


# --- Fit check ---------------------------------------------------------------------


def test_fit_check_goes_to_both_sides_two_weeks_after_the_start_when_they_never_met(
    mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    start = _start(mentorship)

    assert health.send_fit_checks(today=start + timedelta(days=13)) == 0
    assert health.send_fit_checks(today=start + timedelta(days=14)) == 2

    assert {c.person_id for c in _checks()} == {mentee.pk, mentor.pk}
    sent = emails("fit_check")
    assert sorted(e.to[0] for e in sent) == sorted([mentee.email, mentor.email])
    check = FitCheck.objects.get(person=mentee)
    body = next(e for e in sent if e.to == [mentee.email]).body_text
    assert f"/checks/{check.pk}/?answer=poor_fit" in body
    assert f"/checks/{check.pk}/?answer=going_well" in body
    assert check.due_on == start + timedelta(days=14)


def test_fit_check_waits_two_weeks_after_the_first_meeting(mentorship: Mentorship) -> None:
    start = _start(mentorship)
    _meeting(mentorship, start + timedelta(days=5))
    _meeting(mentorship, start + timedelta(days=9))

    assert health.send_fit_checks(today=start + timedelta(days=18)) == 0
    assert health.send_fit_checks(today=start + timedelta(days=19)) == 2
    assert _checks()[0].due_on == start + timedelta(days=19)


def test_a_cancelled_first_meeting_does_not_count(mentorship: Mentorship) -> None:
    start = _start(mentorship)
    _meeting(mentorship, start + timedelta(days=5), status=MeetingStatus.CANCELLED)

    assert health.send_fit_checks(today=start + timedelta(days=14)) == 2


def test_fit_check_is_asked_and_sent_once_however_often_the_job_runs(
    mentorship: Mentorship,
) -> None:
    day = _start(mentorship) + timedelta(days=14)

    assert health.send_fit_checks(today=day) == 2
    assert health.send_fit_checks(today=day) == 0
    assert health.send_fit_checks(today=day + timedelta(days=3)) == 0

    assert len(_checks()) == 2
    assert len(emails("fit_check")) == 2


def test_the_database_refuses_a_second_fit_check_for_one_side(
    mentorship: Mentorship, mentee: User
) -> None:
    day = _start(mentorship)
    FitCheck.objects.create(mentorship=mentorship, person=mentee, kind="fit", due_on=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        FitCheck.objects.create(
            mentorship=mentorship, person=mentee, kind="fit", due_on=day + timedelta(days=1)
        )


def test_the_database_refuses_an_answer_without_an_answered_time(
    mentorship: Mentorship, mentee: User
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FitCheck.objects.create(
            mentorship=mentorship,
            person=mentee,
            kind="fit",
            due_on=_start(mentorship),
            answer=CheckAnswer.POOR_FIT,
        )


def test_switched_off_check_ins_ask_on_the_page_but_send_no_email(
    mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    mentee.profile.email_check_ins = False
    mentee.profile.save()

    assert health.send_fit_checks(today=_start(mentorship) + timedelta(days=14)) == 2

    assert [e.to for e in emails("fit_check")] == [[mentor.email]]
    assert health.open_check(mentorship, mentee) is not None


def test_only_active_mentorships_are_checked(mentorship: Mentorship, mentee: User) -> None:
    end_mentorship(mentorship=mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED)

    assert health.send_fit_checks(today=_start(mentorship) + timedelta(days=20)) == 0
    assert emails("fit_check") == []


def test_a_deactivated_account_is_not_asked(
    mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    mentor.is_active = False
    mentor.save()

    assert health.send_fit_checks(today=_start(mentorship) + timedelta(days=14)) == 1
    assert [c.person_id for c in _checks()] == [mentee.pk]


# --- Pulse -------------------------------------------------------------------------


def test_pulse_follows_the_fit_check_every_30_days(mentorship: Mentorship) -> None:
    fit_day = _start(mentorship) + timedelta(days=14)
    health.send_fit_checks(today=fit_day)

    assert health.send_pulses(today=fit_day + timedelta(days=29)) == 0
    assert health.send_pulses(today=fit_day + timedelta(days=30)) == 2
    assert health.send_pulses(today=fit_day + timedelta(days=31)) == 0
    assert health.send_pulses(today=fit_day + timedelta(days=60)) == 2

    assert len(emails("pulse_check")) == 4
    assert {c.due_on for c in _checks(CheckKind.PULSE)} == {
        fit_day + timedelta(days=30),
        fit_day + timedelta(days=60),
    }


def test_a_missed_week_catches_up_with_one_pulse_not_every_missed_one(
    mentorship: Mentorship,
) -> None:
    fit_day = _start(mentorship) + timedelta(days=14)
    health.send_fit_checks(today=fit_day)

    assert health.send_pulses(today=fit_day + timedelta(days=95)) == 2
    assert {c.due_on for c in _checks(CheckKind.PULSE)} == {fit_day + timedelta(days=90)}


def test_the_cohort_sets_the_pulse_interval_and_zero_switches_it_off(
    mentorship: Mentorship,
) -> None:
    fit_day = _start(mentorship) + timedelta(days=14)
    health.send_fit_checks(today=fit_day)
    cohort = mentorship.cohort

    cohort.pulse_interval_days = 14
    cohort.save()
    assert health.send_pulses(today=fit_day + timedelta(days=14)) == 2

    cohort.pulse_interval_days = 0
    cohort.save()
    assert health.send_pulses(today=fit_day + timedelta(days=120)) == 0


# --- Answers -----------------------------------------------------------------------


@pytest.fixture
def check(mentorship: Mentorship, mentee: User) -> FitCheck:
    health.send_fit_checks(today=_start(mentorship) + timedelta(days=14))
    return FitCheck.objects.get(person=mentee)


def test_an_answer_is_recorded_once(check: FitCheck, mentee: User) -> None:
    health.answer_check(check=check, by=mentee, answer=CheckAnswer.GOING_WELL, comment=" Great ")

    check.refresh_from_db()
    assert (check.answer, check.comment) == (CheckAnswer.GOING_WELL, "Great")
    assert check.answered_at is not None
    with pytest.raises(ValidationError, match="already answered"):
        health.answer_check(check=check, by=mentee, answer=CheckAnswer.POOR_FIT)
    check.refresh_from_db()
    assert check.answer == CheckAnswer.GOING_WELL


def test_only_the_person_asked_answers(check: FitCheck, mentor: User) -> None:
    with pytest.raises(PermissionDenied):
        health.answer_check(check=check, by=mentor, answer=CheckAnswer.POOR_FIT)


@pytest.mark.parametrize("answer", ["", "maybe", "GOING_WELL", "x" * 500])
def test_a_made_up_answer_is_refused(check: FitCheck, mentee: User, answer: str) -> None:
    with pytest.raises(ValidationError) as caught:
        health.answer_check(check=check, by=mentee, answer=answer)
    assert "answer" in caught.value.message_dict
    check.refresh_from_db()
    assert not check.is_answered


def test_an_ended_mentorship_takes_no_answer(
    check: FitCheck, mentorship: Mentorship, mentee: User
) -> None:
    end_mentorship(mentorship=mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED)
    with pytest.raises(ValidationError, match="ended"):
        health.answer_check(check=check, by=mentee, answer=CheckAnswer.GOING_WELL)
    mentorship.refresh_from_db()
    assert health.open_check(mentorship, mentee) is None


def test_not_a_good_fit_tells_the_cohorts_admins_once(
    check: FitCheck, mentorship: Mentorship, mentee: User
) -> None:
    admin = UserFactory(is_staff=True)
    away = UserFactory(is_staff=True, is_active=False)
    mentorship.cohort.admins.add(admin, away)

    health.answer_check(check=check, by=mentee, answer=CheckAnswer.POOR_FIT, comment="No time.")

    (email,) = emails("fit_concern")
    assert email.to == [admin.email]
    assert "No time." in email.body_text
    assert "not a good fit" in email.subject.lower()
    assert email.key == f"fit-concern:{check.pk}:{admin.pk}"


def test_other_answers_tell_nobody(check: FitCheck, mentorship: Mentorship, mentee: User) -> None:
    mentorship.cohort.admins.add(UserFactory(is_staff=True))
    health.answer_check(check=check, by=mentee, answer=CheckAnswer.NOT_SURE)
    assert emails("fit_concern") == []


def test_the_open_check_is_the_latest_unanswered_one(
    check: FitCheck, mentorship: Mentorship, mentee: User
) -> None:
    assert health.open_check(mentorship, mentee) == check
    health.answer_check(check=check, by=mentee, answer=CheckAnswer.GOING_WELL)
    assert health.open_check(mentorship, mentee) is None
    health.send_pulses(today=check.due_on + timedelta(days=30))
    assert health.open_check(mentorship, mentee).kind == CheckKind.PULSE  # type: ignore[union-attr]


def test_ending_after_a_poor_fit_reopens_the_mentees_search(
    check: FitCheck, mentorship: Mentorship, mentee: User
) -> None:
    health.answer_check(check=check, by=mentee, answer=CheckAnswer.POOR_FIT)
    end_mentorship(
        mentorship=mentorship,
        by=mentee,
        outcome=MentorshipStatus.ENDED_EARLY,
        reason="It wasn't a good fit for us.",
    )

    # With no active mentorship, the mentee can ask another mentor in the cohort.
    other = ProfileFactory(wants_mentoring=False, wants_to_mentor=True).user
    request = send_request(
        mentee=mentee,
        mentor_enrollment=other.enrollments.get(role=Role.MENTOR),
        message="I would love to learn how you approach system design reviews. " * 2,
    )
    assert request.pk is not None
    assert len(emails("mentorship_ended")) == 2


# --- Idle pairs --------------------------------------------------------------------


def test_a_message_counts_as_activity_for_the_nudge(mentorship: Mentorship, mentee: User) -> None:
    start = _start(mentorship)
    _message(mentorship, mentee, start + timedelta(days=20))

    assert reminders.send_meeting_nudges(today=start + timedelta(days=30)) == 0
    assert reminders.send_meeting_nudges(today=start + timedelta(days=49)) == 0
    assert reminders.send_meeting_nudges(today=start + timedelta(days=50)) == 2
    assert reminders.send_meeting_nudges(today=start + timedelta(days=50)) == 0
    assert "last met or wrote to each other 30 days ago" in emails("meeting_nudge")[0].body_text


def test_the_latest_of_a_meeting_and_a_message_counts(mentorship: Mentorship, mentor: User) -> None:
    start = _start(mentorship)
    _message(mentorship, mentor, start + timedelta(days=5))
    _meeting(mentorship, start + timedelta(days=12))
    today = start + timedelta(days=45)

    assert set(quiet_mentorships(today).values_list("pk", flat=True)) == {mentorship.pk}
    row = quiet_mentorships(today).get()
    assert timezone.localdate(row.quiet_since) == start + timedelta(days=12)  # type: ignore[attr-defined]


def test_a_message_posted_through_the_service_resets_the_idle_clock(
    mentorship: Mentorship, mentee: User
) -> None:
    post_mentorship_message(mentorship=mentorship, author=mentee, body="Still there?")
    today = timezone.localdate() + timedelta(days=29)
    assert not quiet_mentorships(today).exists()


def test_sixty_idle_days_flag_the_pair(mentorship: Mentorship) -> None:
    start = _start(mentorship)
    assert not quiet_mentorships(start + timedelta(days=59), days=FLAG_IDLE_DAYS).exists()
    assert quiet_mentorships(start + timedelta(days=60), days=FLAG_IDLE_DAYS).exists()


@pytest.fixture
def idle_cohort(mentorship: Mentorship) -> Mentorship:
    mentorship.cohort.end_after_idle_days = 60
    mentorship.cohort.save()
    return mentorship


def test_idle_mentorships_are_kept_when_the_cohort_never_ends_them(
    mentorship: Mentorship,
) -> None:
    assert health.close_idle_mentorships(today=_start(mentorship) + timedelta(days=400)) == 0
    mentorship.refresh_from_db()
    assert mentorship.is_active


def test_idle_mentorship_is_warned_a_week_ahead_then_ended_kindly(
    idle_cohort: Mentorship, mentee: User, mentor: User
) -> None:
    mentorship = idle_cohort
    start = _start(mentorship)

    assert health.close_idle_mentorships(today=start + timedelta(days=52)) == 0
    assert health.close_idle_mentorships(today=start + timedelta(days=53)) == 1
    assert health.close_idle_mentorships(today=start + timedelta(days=53)) == 0
    warnings = emails("idle_warning")
    assert sorted(e.to[0] for e in warnings) == sorted([mentee.email, mentor.email])
    assert "will close on" in warnings[0].subject

    assert health.close_idle_mentorships(today=start + timedelta(days=59)) == 0
    mentorship.refresh_from_db()
    assert mentorship.is_active

    assert health.close_idle_mentorships(today=start + timedelta(days=60)) == 1
    mentorship.refresh_from_db()
    assert mentorship.status == MentorshipStatus.ENDED_EARLY
    assert mentorship.ended_by is None
    assert "no meeting or message for 60 days" in mentorship.end_reason
    # Its own email, not the generic "mentorship ended" one.
    assert not emails("mentorship_ended")
    ended = emails("idle_ended")
    assert sorted(e.to[0] for e in ended) == sorted([mentee.email, mentor.email])
    assert "no meeting or message between you for 60 days" in " ".join(ended[0].body_text.split())
    assert health.close_idle_mentorships(today=start + timedelta(days=61)) == 0


def test_an_idle_ending_always_gives_a_full_weeks_notice(idle_cohort: Mentorship) -> None:
    mentorship = idle_cohort
    start = _start(mentorship)
    # The job first runs long after the pair went quiet (e.g. the setting is new).
    assert health.close_idle_mentorships(today=start + timedelta(days=90)) == 1
    assert health.close_idle_mentorships(today=start + timedelta(days=96)) == 0
    assert health.close_idle_mentorships(today=start + timedelta(days=97)) == 1
    mentorship.refresh_from_db()
    assert not mentorship.is_active


def test_activity_after_the_warning_keeps_the_mentorship(
    idle_cohort: Mentorship, mentee: User
) -> None:
    mentorship = idle_cohort
    start = _start(mentorship)
    health.close_idle_mentorships(today=start + timedelta(days=53))
    _message(mentorship, mentee, start + timedelta(days=55))

    assert health.close_idle_mentorships(today=start + timedelta(days=60)) == 0
    mentorship.refresh_from_db()
    assert mentorship.is_active
    assert IdleNotice.objects.count() == 1


def test_an_upcoming_meeting_keeps_an_idle_mentorship(idle_cohort: Mentorship) -> None:
    start = _start(idle_cohort)
    _meeting(idle_cohort, start + timedelta(days=70))
    assert health.close_idle_mentorships(today=start + timedelta(days=65)) == 0


def test_an_idle_ending_reopens_the_search_like_any_ending(
    idle_cohort: Mentorship, mentee: User
) -> None:
    start = _start(idle_cohort)
    health.close_idle_mentorships(today=start + timedelta(days=53))
    health.close_idle_mentorships(today=start + timedelta(days=60))

    other = mentorship_between(mentee)
    assert other.is_active


def test_an_idle_pair_gets_its_nudge_once_from_the_daily_job(
    mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    Mentorship.objects.filter(pk=mentorship.pk).update(
        started_at=timezone.now() - timedelta(days=31)
    )
    tasks.send_reminders()
    tasks.send_reminders()
    assert sorted(e.to[0] for e in emails("meeting_nudge")) == sorted([mentee.email, mentor.email])


def test_the_daily_health_job_is_safe_to_run_twice(mentorship: Mentorship) -> None:
    Mentorship.objects.filter(pk=mentorship.pk).update(
        started_at=timezone.now() - timedelta(days=15)
    )
    assert tasks.send_health_checks() == 2
    assert tasks.send_health_checks() == 0
    assert len(emails("fit_check")) == 2


def _end_idle(mentorship: Mentorship) -> None:
    """Warn on day 53, end on day 60: the idle job as it runs day after day."""
    start = _start(mentorship)
    health.close_idle_mentorships(today=start + timedelta(days=53))
    health.close_idle_mentorships(today=start + timedelta(days=60))
    mentorship.refresh_from_db()
    assert not mentorship.is_active


def _body(email: object) -> str:
    return " ".join(email.body_text.split())  # type: ignore[attr-defined]


def test_an_idle_ending_says_why_after_which_notice_and_what_now(
    idle_cohort: Mentorship, mentee: User, mentor: User
) -> None:
    admin = ProfileFactory(display_name="Pat Organiser", user__email="pat@example.org").user
    idle_cohort.cohort.admins.add(admin)
    _end_idle(idle_cohort)
    warned_on = timezone.localdate(IdleNotice.objects.get().warned_at)
    ends_on = _start(idle_cohort) + timedelta(days=60)

    to_mentee = next(e for e in emails("idle_ended") if e.to == [mentee.email])
    to_mentor = next(e for e in emails("idle_ended") if e.to == [mentor.email])
    assert to_mentee.subject.endswith(
        f"Your mentorship with {mentor.get_full_name()} has closed after 60 quiet days"
    )
    for email in (to_mentee, to_mentor):
        body = _body(email)
        assert (
            "has now closed, because there was no meeting or message between you for 60 days"
            in body
        )
        assert f"follows the notice we sent you on {date_format(warned_on)}" in body
        assert f"close on {date_format(ends_on)}" in body
        assert "Pat Organiser, pat@example.org" in body
        assert idle_cohort.get_absolute_url() in body
    assert "your mentor suggestions and requests are open again" in _body(to_mentee)
    assert "/mentors/" in _body(to_mentee) and "/dashboard/" in _body(to_mentee)
    assert "your place is free again" in _body(to_mentor)
    assert "suggestions and requests are open again" not in _body(to_mentor)


def test_an_idle_ending_is_emailed_once(
    idle_cohort: Mentorship, mentee: User, mentor: User
) -> None:
    _end_idle(idle_cohort)
    start = _start(idle_cohort)
    for day in (60, 61, 90):
        health.close_idle_mentorships(today=start + timedelta(days=day))
    assert len(emails("idle_ended")) == 2


def test_the_idle_ending_reaches_even_someone_who_switched_check_ins_off(
    idle_cohort: Mentorship, mentee: User, mentor: User
) -> None:
    # They were warned whatever their settings; they hear of the ending the same way.
    mentee.profile.email_check_ins = False
    mentee.profile.save()
    _end_idle(idle_cohort)
    assert sorted(e.to[0] for e in emails("idle_ended")) == sorted([mentee.email, mentor.email])
    assert not emails("mentorship_ended")


def test_an_idle_ending_without_programme_admins_still_says_whom_to_ask(
    idle_cohort: Mentorship, mentee: User
) -> None:
    _end_idle(idle_cohort)
    body = _body(next(e for e in emails("idle_ended") if e.to == [mentee.email]))
    assert "none is listed for it yet" in body


def test_ending_a_mentorship_oneself_still_sends_the_usual_email(
    mentorship: Mentorship, mentee: User
) -> None:
    end_mentorship(
        mentorship=mentorship, by=mentee, outcome=MentorshipStatus.ENDED_EARLY, reason="Moving."
    )
    assert len(emails("mentorship_ended")) == 2 and not emails("idle_ended")
