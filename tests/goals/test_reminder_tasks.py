"""The reminder tasks: scheduled, run through Celery, delivered through the outbox."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

import pytest
from celery.schedules import crontab

from accounts.models import User
from core.outbox.models import OutboxEmail
from goals.models import Goal, GoalStatus
from goals.tasks import send_reminders, send_review_digests
from matching.models import Mentorship
from mentorship.celery import app as celery_app
from tests.goals.conftest import MakeGoal, days

pytestmark = pytest.mark.django_db

SETTINGS_LINK = "http://testserver/profile/emails/"


def _sent_to(mailoutbox: list[EmailMessage], subject_part: str) -> list[list[str]]:
    return [m.to for m in mailoutbox if subject_part in m.subject]


def test_daily_task_delivers_goal_and_meeting_reminders(
    make_goal: MakeGoal,
    mentorship: Mentorship,
    mentee: User,
    mentor: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks,
) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    Goal.objects.filter(pk=goal.pk).update(target_date=days(3))
    Mentorship.objects.filter(pk=mentorship.pk).update(
        started_at=timezone.now() - timedelta(days=31)
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.apply().get() == 3

    assert _sent_to(mailoutbox, "Your goal is due in 3 days") == [[mentee.email]]
    assert sorted(_sent_to(mailoutbox, "Time to meet")) == sorted([[mentee.email], [mentor.email]])
    assert all(SETTINGS_LINK in m.body for m in mailoutbox)
    reminders = OutboxEmail.objects.filter(template__in=["goal_due_soon", "meeting_nudge"])
    assert [row.sent_at is not None for row in reminders] == [True, True, True]


def test_daily_task_run_twice_sends_nothing_new(
    make_goal: MakeGoal,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks,
) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS)
    Goal.objects.filter(pk=goal.pk).update(target_date=days(7))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders.apply().get()
        second = send_reminders.apply().get()

    assert (first, second) == (1, 0)
    assert len(mailoutbox) == 1


def test_weekly_task_delivers_the_digest_once(
    make_goal: MakeGoal,
    mentor: User,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks,
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_review_digests.apply().get() == 1
        assert send_review_digests.apply().get() == 0

    (digest,) = mailoutbox
    assert digest.to == [mentor.email]
    assert digest.subject == "[Mentorship] 1 goal waiting for your review"
    assert f"http://testserver/goals/{goal.pk}/" in digest.body
    assert SETTINGS_LINK in digest.body


def test_tasks_do_nothing_when_nothing_is_due(
    make_goal: MakeGoal, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks
) -> None:
    make_goal(GoalStatus.IN_PROGRESS)  # due in 60 days, and the mentorship started today
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders.apply().get() == 0
        assert send_review_digests.apply().get() == 0

    assert mailoutbox == []


def test_beat_runs_reminders_daily_and_the_digest_on_monday_mornings() -> None:
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    assert schedule["goals.tasks.send_reminders"] == crontab(hour=7, minute=0)
    assert schedule["goals.tasks.send_review_digests"] == crontab(
        hour=7, minute=30, day_of_week="mon"
    )
    assert settings.CELERY_TIMEZONE == "UTC"
    assert {"goals.tasks.send_reminders", "goals.tasks.send_review_digests"} <= set(
        celery_app.tasks
    )
