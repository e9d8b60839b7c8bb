"""The periodic reminders: who gets which email, when, and never twice."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

import pytest

from accounts.models import User
from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from goals.models import Goal, GoalEvent, GoalStatus, Meeting, MeetingFormat, MeetingStatus
from goals.services import reminders
from matching.models import Mentorship, MentorshipStatus
from matching.services import end_mentorship
from tests.factories import mentorship_between
from tests.goals.conftest import (
    OUTCOME,
    PLAN,
    RELEVANCE,
    MakeGoal,
    days,
    metric_draft,
)
from tests.helpers import emails

pytestmark = pytest.mark.django_db

SETTINGS_LINK = "http://testserver/profile/emails/"


@pytest.fixture(autouse=True)
def _plain_names(mentee: User, mentor: User) -> None:
    # Faker names vary from run to run: pin names the tests can look for.
    _set(mentee, display_name="Mia Mentee")
    _set(mentor, display_name="Otto Mentor")


def _set(user: User, **fields: object) -> None:
    for name, value in fields.items():
        setattr(user.profile, name, value)
    user.profile.save()


def _at(day: date, hour: int = 15) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _goal(mentorship: Mentorship, status: str, **fields: object) -> Goal:
    """A goal written straight to the table, for tests about volume rather than workflow."""
    values = {
        "title": "Run a brown-bag session",
        "outcome": OUTCOME,
        "measure": "milestones",
        "plan": PLAN,
        "relevance": RELEVANCE,
        "target_date": days(60),
        "status": status,
        **fields,
    }
    return Goal.objects.create(mentorship=mentorship, **values)


def _end(mentorship: Mentorship, mentee: User) -> None:
    end_mentorship(mentorship=mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED)


# --- Goals due soon ------------------------------------------------------------------


def test_goal_due_in_seven_days_reminds_the_mentee(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)

    assert reminders.send_goal_reminders(today=goal.target_date - timedelta(days=7)) == 1

    (email,) = emails("goal_due_soon")
    assert email.to == [mentee.email]
    assert email.key == f"goal-due:{goal.pk}:{goal.target_date.isoformat()}"
    assert email.subject == f"[Mentorship] Your goal is due in 7 days: {goal.title}"
    assert "Hello Mia Mentee," in email.body_text
    # The date in the language's own DATE_FORMAT ("Feb. 3, 2027"; "3. Februar 2027").
    assert f"on {goal.target_date:%A}, {date_format(goal.target_date)}." in email.body_text
    assert "so Otto Mentor can see" in email.body_text
    assert f"http://testserver/goals/{goal.pk}/" in email.body_text
    assert SETTINGS_LINK in email.body_text


def test_goal_due_in_eight_days_is_not_reminded_yet(make_goal: MakeGoal) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)

    assert reminders.send_goal_reminders(today=goal.target_date - timedelta(days=8)) == 0
    assert not OutboxEmail.objects.filter(template__startswith="goal_due").exists()


@pytest.mark.parametrize(("days_left", "when"), [(0, "today"), (1, "tomorrow"), (3, "in 3 days")])
def test_due_soon_subject_says_when(make_goal: MakeGoal, days_left: int, when: str) -> None:
    goal = make_goal(GoalStatus.APPROVED)

    reminders.send_goal_reminders(today=goal.target_date - timedelta(days=days_left))

    (email,) = emails("goal_due_soon")
    assert email.subject == f"[Mentorship] Your goal is due {when}: {goal.title}"


def test_a_goal_is_reminded_once_before_and_once_after_its_date(make_goal: MakeGoal) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    target = goal.target_date

    queued = 0
    # Daily for three weeks around the date, and twice on each day.
    for offset in range(-10, 11):
        for _ in range(2):
            queued += reminders.send_goal_reminders(today=target + timedelta(days=offset))

    assert queued == 2
    (due,) = emails("goal_due_soon")
    (overdue,) = emails("goal_overdue")
    assert "in 7 days" in due.subject
    assert overdue.key == f"goal-overdue:{goal.pk}:{target.isoformat()}"


def test_a_job_that_missed_days_still_sends_the_reminder(make_goal: MakeGoal) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)

    assert reminders.send_goal_reminders(today=goal.target_date - timedelta(days=2)) == 1
    assert reminders.send_goal_reminders(today=goal.target_date - timedelta(days=1)) == 0


def test_a_new_target_date_is_reminded_again(make_goal: MakeGoal) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    first = goal.target_date
    reminders.send_goal_reminders(today=first - timedelta(days=5))

    later = first + timedelta(days=20)
    Goal.objects.filter(pk=goal.pk).update(target_date=later)
    reminders.send_goal_reminders(today=first - timedelta(days=4))
    assert len(emails("goal_due_soon")) == 1
    reminders.send_goal_reminders(today=later - timedelta(days=5))

    assert [e.key for e in emails("goal_due_soon")] == [
        f"goal-due:{goal.pk}:{first.isoformat()}",
        f"goal-due:{goal.pk}:{later.isoformat()}",
    ]


def test_overdue_goal_reminds_the_mentee_how_long_ago(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.APPROVED)

    assert reminders.send_goal_reminders(today=goal.target_date + timedelta(days=3)) == 1

    (email,) = emails("goal_overdue")
    assert email.to == [mentee.email]
    assert email.subject == f"[Mentorship] Your goal's target date has passed: {goal.title}"
    assert "3 days ago" in email.body_text
    assert f"http://testserver/goals/{goal.pk}/" in email.body_text
    assert not emails("goal_due_soon")


def test_overdue_goal_is_not_reminded_again_on_later_days(make_goal: MakeGoal) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)

    sent = [
        reminders.send_goal_reminders(today=goal.target_date + timedelta(days=n))
        for n in range(1, 8)
    ]

    assert sent == [1, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("status", [GoalStatus.APPROVED, GoalStatus.IN_PROGRESS])
def test_committed_goals_are_reminded(make_goal: MakeGoal, status: str) -> None:
    goal = make_goal(status)
    assert reminders.send_goal_reminders(today=goal.target_date) == 1
    assert reminders.send_goal_reminders(today=goal.target_date + timedelta(days=1)) == 1


@pytest.mark.parametrize(
    "status",
    [
        # Not committed to yet: the date may still change in review.
        GoalStatus.DRAFT,
        GoalStatus.SUBMITTED,
        GoalStatus.CHANGES_REQUESTED,
        # Closed: nothing left to remind about.
        GoalStatus.ACHIEVED,
        GoalStatus.NOT_ACHIEVED,
        GoalStatus.ABANDONED,
    ],
)
def test_goals_not_yet_agreed_or_closed_are_not_reminded(make_goal: MakeGoal, status: str) -> None:
    goal = make_goal(status)

    assert reminders.send_goal_reminders(today=goal.target_date - timedelta(days=3)) == 0
    assert reminders.send_goal_reminders(today=goal.target_date + timedelta(days=3)) == 0
    assert not OutboxEmail.objects.filter(template__in=["goal_due_soon", "goal_overdue"])


def test_goals_of_an_ended_mentorship_are_not_reminded(
    make_goal: MakeGoal, mentorship: Mentorship, mentee: User
) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    _end(mentorship, mentee)

    assert reminders.send_goal_reminders(today=goal.target_date - timedelta(days=3)) == 0
    assert reminders.send_goal_reminders(today=goal.target_date + timedelta(days=3)) == 0


def test_mentee_who_switched_reminders_off_gets_none(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    _set(mentee, email_reminders=False)

    assert reminders.send_goal_reminders(today=goal.target_date - timedelta(days=3)) == 0
    assert reminders.send_goal_reminders(today=goal.target_date + timedelta(days=3)) == 0


def test_mentor_settings_do_not_matter_for_goal_reminders(
    make_goal: MakeGoal, mentor: User, mentee: User
) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    _set(mentor, email_reminders=False, email_digest=False)

    assert reminders.send_goal_reminders(today=goal.target_date) == 1
    assert [e.to for e in emails("goal_due_soon")] == [[mentee.email]]


def test_deactivated_mentee_gets_no_reminder(make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    User.objects.filter(pk=mentee.pk).update(is_active=False)

    assert reminders.send_goal_reminders(today=goal.target_date) == 0


def test_today_defaults_to_the_local_date(make_goal: MakeGoal) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    Goal.objects.filter(pk=goal.pk).update(target_date=days(7))

    assert reminders.send_goal_reminders() == 1
    assert "in 7 days" in emails("goal_due_soon")[0].subject


# --- No meeting for 30 days ----------------------------------------------------------


def _meeting(
    mentorship: Mentorship, day: date, status: str = MeetingStatus.SCHEDULED, hour: int = 15
) -> Meeting:
    return Meeting.objects.create(
        mentorship=mentorship, starts_at=_at(day, hour), format=MeetingFormat.VIDEO, status=status
    )


def _started(mentorship: Mentorship) -> date:
    return timezone.localdate(mentorship.started_at)


def test_mentorship_that_never_met_is_nudged_after_30_days(
    mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    start = _started(mentorship)

    assert reminders.send_meeting_nudges(today=start + timedelta(days=29)) == 0
    assert reminders.send_meeting_nudges(today=start + timedelta(days=30)) == 2

    by_person = {tuple(e.to): e for e in emails("meeting_nudge")}
    to_mentee = by_person[(mentee.email,)]
    to_mentor = by_person[(mentor.email,)]
    assert to_mentee.subject == "[Mentorship] Time to meet Otto Mentor?"
    assert to_mentor.subject == "[Mentorship] Time to meet Mia Mentee?"
    assert (
        "have not met or written since your mentorship started 30 days ago" in to_mentee.body_text
    )
    assert f"http://testserver/mentorships/{mentorship.pk}/" in to_mentee.body_text
    assert "check-in on Mia Mentee's goals" in to_mentor.body_text
    assert SETTINGS_LINK in to_mentor.body_text
    assert to_mentee.key == f"no-meeting:{mentorship.pk}:{start.isoformat()}:{mentee.pk}"


def test_mentorship_whose_last_meeting_was_30_days_ago_is_nudged(
    mentorship: Mentorship,
) -> None:
    met = _started(mentorship) + timedelta(days=10)
    _meeting(mentorship, met)

    assert reminders.send_meeting_nudges(today=met + timedelta(days=29)) == 0
    assert reminders.send_meeting_nudges(today=met + timedelta(days=30)) == 2
    assert "You and Otto Mentor last met or wrote to each other 30 days ago" in (
        emails("meeting_nudge")[0].body_text
    )


def test_only_the_latest_meeting_counts(mentorship: Mentorship) -> None:
    start = _started(mentorship)
    _meeting(mentorship, start + timedelta(days=2))
    _meeting(mentorship, start + timedelta(days=20))

    assert reminders.send_meeting_nudges(today=start + timedelta(days=40)) == 0
    assert reminders.send_meeting_nudges(today=start + timedelta(days=50)) == 2


def test_cancelled_meetings_do_not_count_as_meeting(mentorship: Mentorship) -> None:
    start = _started(mentorship)
    _meeting(mentorship, start + timedelta(days=20), status=MeetingStatus.CANCELLED)

    assert reminders.send_meeting_nudges(today=start + timedelta(days=30)) == 2


def test_an_upcoming_meeting_means_no_nudge(mentorship: Mentorship) -> None:
    start = _started(mentorship)
    _meeting(mentorship, start + timedelta(days=45))

    assert reminders.send_meeting_nudges(today=start + timedelta(days=35)) == 0
    # Once it has happened, the clock starts again from that meeting.
    assert reminders.send_meeting_nudges(today=start + timedelta(days=74)) == 0
    assert reminders.send_meeting_nudges(today=start + timedelta(days=75)) == 2


def test_a_meeting_later_today_means_no_nudge(mentorship: Mentorship) -> None:
    today = _started(mentorship) + timedelta(days=40)
    _meeting(mentorship, today, hour=23)

    assert reminders.send_meeting_nudges(today=today) == 0


def test_an_upcoming_cancelled_meeting_does_not_stop_the_nudge(mentorship: Mentorship) -> None:
    start = _started(mentorship)
    _meeting(mentorship, start + timedelta(days=45), status=MeetingStatus.CANCELLED)

    assert reminders.send_meeting_nudges(today=start + timedelta(days=35)) == 2


def test_nudge_is_sent_once_per_30_day_stretch(mentorship: Mentorship) -> None:
    start = _started(mentorship)

    sent = {
        n: reminders.send_meeting_nudges(today=start + timedelta(days=n))
        + reminders.send_meeting_nudges(today=start + timedelta(days=n))
        for n in range(25, 95)
    }

    assert {n: count for n, count in sent.items() if count} == {30: 2, 60: 2, 90: 2}
    keys = sorted({e.key.rsplit(":", 1)[0] for e in emails("meeting_nudge")})
    assert keys == sorted(
        f"no-meeting:{mentorship.pk}:{(start + timedelta(days=d)).isoformat()}" for d in (0, 30, 60)
    )


def test_each_side_respects_their_own_setting(
    mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    _set(mentor, email_reminders=False)

    assert reminders.send_meeting_nudges(today=_started(mentorship) + timedelta(days=30)) == 1
    assert [e.to for e in emails("meeting_nudge")] == [[mentee.email]]


def test_the_digest_setting_does_not_stop_nudges(mentorship: Mentorship, mentor: User) -> None:
    _set(mentor, email_digest=False)

    assert reminders.send_meeting_nudges(today=_started(mentorship) + timedelta(days=30)) == 2


def test_ended_mentorship_is_not_nudged(mentorship: Mentorship, mentee: User) -> None:
    _end(mentorship, mentee)

    assert reminders.send_meeting_nudges(today=_started(mentorship) + timedelta(days=30)) == 0


# --- The weekly review digest --------------------------------------------------------


def _monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=(7 - today.weekday()) % 7)


def test_digest_lists_each_goal_waiting_for_review(
    make_goal: MakeGoal, mentor: User, mentee: User
) -> None:
    older = make_goal(GoalStatus.SUBMITTED, draft=metric_draft(title="Raise NPS to 40"))
    newer = make_goal(GoalStatus.SUBMITTED, draft=metric_draft(title="Cut churn to 3%"))
    make_goal(GoalStatus.APPROVED, draft=metric_draft(title="Already approved by my mentor"))
    make_goal(GoalStatus.DRAFT, draft=metric_draft(title="Still a draft for now"))
    monday = _monday()
    submitted = monday - timedelta(days=9)
    GoalEvent.objects.filter(goal=older, to_status=GoalStatus.SUBMITTED).update(
        created_at=_at(submitted)
    )

    assert reminders.send_review_digests(today=monday) == 1

    (email,) = emails("review_digest")
    year, week, _ = monday.isocalendar()
    assert email.to == [mentor.email]
    assert email.key == f"review-digest:{mentor.pk}:{year}-W{week:02d}"
    assert email.subject == "[Mentorship] 2 goals waiting for your review"
    body = email.body_text
    assert "Hello Otto Mentor," in body
    assert f"From Mia Mentee, waiting since {date_format(submitted)} (9 days)" in body
    assert f"http://testserver/goals/{older.pk}/" in body
    assert f"http://testserver/goals/{newer.pk}/" in body
    # Longest waiting first; nothing that is not waiting for the mentor.
    assert body.index("Raise NPS to 40") < body.index("Cut churn to 3%")
    assert "Already approved" not in body and "Still a draft" not in body
    assert SETTINGS_LINK in body


def test_digest_for_a_single_goal_says_so(make_goal: MakeGoal) -> None:
    make_goal(GoalStatus.SUBMITTED)

    reminders.send_review_digests(today=_monday())

    (email,) = emails("review_digest")
    assert email.subject == "[Mentorship] 1 goal waiting for your review"
    assert "A goal is waiting for your review." in email.body_text


def test_digest_is_sent_once_per_iso_week(make_goal: MakeGoal) -> None:
    make_goal(GoalStatus.SUBMITTED)
    monday = _monday()

    sent = [reminders.send_review_digests(today=monday + timedelta(days=n)) for n in range(7)]
    sent += [reminders.send_review_digests(today=monday) for _ in range(2)]

    assert sent == [1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert reminders.send_review_digests(today=monday + timedelta(days=7)) == 1


def test_no_digest_without_goals_waiting(make_goal: MakeGoal) -> None:
    make_goal(GoalStatus.APPROVED)
    make_goal(GoalStatus.CHANGES_REQUESTED)

    assert reminders.send_review_digests(today=_monday()) == 0


def test_mentor_who_switched_the_digest_off_gets_none(make_goal: MakeGoal, mentor: User) -> None:
    make_goal(GoalStatus.SUBMITTED)
    _set(mentor, email_digest=False)

    assert reminders.send_review_digests(today=_monday()) == 0


def test_the_reminders_setting_does_not_stop_the_digest(make_goal: MakeGoal, mentor: User) -> None:
    make_goal(GoalStatus.SUBMITTED)
    _set(mentor, email_reminders=False)

    assert reminders.send_review_digests(today=_monday()) == 1


def test_goals_of_ended_mentorships_are_left_out_of_the_digest(
    make_goal: MakeGoal, mentorship: Mentorship, mentee: User
) -> None:
    make_goal(GoalStatus.SUBMITTED)
    _end(mentorship, mentee)

    assert reminders.send_review_digests(today=_monday()) == 0


def test_each_mentor_gets_only_their_own_goals(make_goal: MakeGoal, mentor: User) -> None:
    make_goal(GoalStatus.SUBMITTED, draft=metric_draft(title="Mine to review"))
    other = mentorship_between()
    _goal(other, GoalStatus.SUBMITTED, title="Someone else's")

    assert reminders.send_review_digests(today=_monday()) == 2

    by_mentor = {tuple(e.to): e.body_text for e in emails("review_digest")}
    assert "Mine to review" in by_mentor[(mentor.email,)]
    assert "Someone else's" not in by_mentor[(mentor.email,)]
    assert "Someone else's" in by_mentor[(other.mentor.email,)]


# --- Queries -------------------------------------------------------------------------
# Each email costs what the outbox needs to store it; everything else is a fixed number
# of reads (the rows, then the keys already sent), however many goals there are.
READS = 2


def _queries(run: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def _enqueue_cost() -> int:
    """Queries the outbox spends storing one email: the baseline per email."""
    return _queries(lambda: outbox.enqueue("welcome", to=["x@example.org"], context={}, key="cost"))


def test_goal_reminders_make_no_query_per_goal_beyond_storing_its_email() -> None:
    for pair in [mentorship_between() for _ in range(3)]:
        for _ in range(4):
            _goal(pair, GoalStatus.IN_PROGRESS, target_date=days(3))
            _goal(pair, GoalStatus.IN_PROGRESS, starts_on=days(-30), target_date=days(-2))

    spent = _queries(lambda: reminders.send_goal_reminders(today=days(0)))

    assert OutboxEmail.objects.filter(template__startswith="goal_").count() == 24
    assert spent == READS + 24 * _enqueue_cost()
    assert _queries(lambda: reminders.send_goal_reminders(today=days(0))) == READS


def test_digest_queries_do_not_grow_with_the_number_of_goals(
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[object]],
) -> None:
    pairs = [mentorship_between() for _ in range(3)]
    for pair in pairs:
        _goal(pair, GoalStatus.SUBMITTED)
    monday = _monday()
    few = _queries(lambda: reminders.send_review_digests(today=monday))
    assert few == READS + 3 * _enqueue_cost()

    OutboxEmail.objects.all().delete()
    for pair in pairs:
        for _ in range(10):
            _goal(pair, GoalStatus.SUBMITTED)
    with django_assert_max_num_queries(few):
        assert reminders.send_review_digests(today=monday) == 3
    with django_assert_max_num_queries(READS):
        assert reminders.send_review_digests(today=monday) == 0


def test_nudges_make_no_query_per_mentorship_beyond_storingemails(
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[object]],
) -> None:
    for pair in [mentorship_between() for _ in range(4)]:
        _meeting(pair, _started(pair) + timedelta(days=1))
        _meeting(pair, _started(pair) + timedelta(days=2), status=MeetingStatus.CANCELLED)
    today = timezone.localdate() + timedelta(days=31)

    spent = _queries(lambda: reminders.send_meeting_nudges(today=today))

    assert OutboxEmail.objects.filter(template="meeting_nudge").count() == 8
    assert spent == READS + 8 * _enqueue_cost()
    with django_assert_max_num_queries(READS):
        assert reminders.send_meeting_nudges(today=today) == 0
