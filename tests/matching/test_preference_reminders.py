"""Reminders before a preference window closes: once, only to those who chose no one,
only in the last two days."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

import pytest

from core.outbox.models import OutboxEmail
from matching.models import Cohort, Mentorship, Role
from matching.services.preference_reminders import send_preference_reminders
from matching.services.preferences import add_preference
from matching.tasks import send_preference_reminders as reminder_task
from profiles.models import Profile
from tests.factories import CohortFactory
from tests.programmes.people import enroll

pytestmark = pytest.mark.django_db


def closing_in(hours: float, **fields: object) -> Cohort:
    now = timezone.now()
    return CohortFactory(
        preferences_open_at=now - timedelta(days=7),
        preferences_close_at=now + timedelta(hours=hours),
        **fields,
    )


def reminded() -> list[str]:
    return sorted(row.to[0] for row in OutboxEmail.objects.filter(template="preference_reminder"))


def test_mentees_without_choices_are_reminded_once_two_days_before():
    cohort = closing_in(hours=40)
    quiet = enroll(cohort, Role.MENTEE, user__email="quiet@example.org")
    chose = enroll(cohort, Role.MENTEE, user__email="chose@example.org")
    mentor = enroll(cohort, Role.MENTOR, user__email="mentor@example.org")
    add_preference(chooser=chose, chosen=mentor, by=chose.user)

    assert send_preference_reminders() == 1
    assert send_preference_reminders() == 0
    assert reminded() == ["quiet@example.org"]
    email = OutboxEmail.objects.get(template="preference_reminder")
    assert cohort.name in email.subject
    assert f"/choices/{quiet.pk}/" in email.body_text
    assert "Europe/Berlin" in email.body_text  # the closing time, in the mentee's zone


def test_the_task_runs_the_same_reminders():
    cohort = closing_in(hours=10)
    enroll(cohort, Role.MENTEE)
    assert reminder_task() == 1
    assert reminder_task() == 0


def test_the_beat_schedule_runs_it_every_hour():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if "preference" in e["task"]]
    assert [e["task"] for e in entries] == ["matching.tasks.send_preference_reminders"]


@pytest.mark.parametrize("hours", [49, 24 * 5])
def test_nobody_is_reminded_earlier(hours):
    enroll(closing_in(hours=hours), Role.MENTEE)
    assert send_preference_reminders() == 0


def test_nobody_is_reminded_after_the_close_or_before_the_open():
    now = timezone.now()
    enroll(closing_in(hours=-1), Role.MENTEE)
    upcoming = CohortFactory(
        preferences_open_at=now + timedelta(hours=1),
        preferences_close_at=now + timedelta(hours=30),
    )
    enroll(upcoming, Role.MENTEE)
    enroll(CohortFactory(), Role.MENTEE)  # no window at all
    assert send_preference_reminders() == 0


def test_a_closed_cohort_reminds_nobody():
    enroll(closing_in(hours=10, closed_at=timezone.now()), Role.MENTEE)
    assert send_preference_reminders() == 0


def test_matched_mentees_and_people_who_opted_out_are_left_alone():
    cohort = closing_in(hours=10)
    matched = enroll(cohort, Role.MENTEE)
    mentor = enroll(cohort, Role.MENTOR)
    Mentorship.objects.create(cohort=cohort, mentee_enrollment=matched, mentor_enrollment=mentor)
    opted_out = enroll(cohort, Role.MENTEE)
    Profile.objects.filter(user=opted_out.user).update(email_reminders=False)
    assert send_preference_reminders() == 0


def test_mentors_are_reminded_only_when_they_rank_and_someone_listed_them():
    cohort = closing_in(hours=10)
    mentee = enroll(cohort, Role.MENTEE)
    listed = enroll(cohort, Role.MENTOR, user__email="listed@example.org")
    enroll(cohort, Role.MENTOR, user__email="unlisted@example.org")
    add_preference(chooser=mentee, chosen=listed, by=mentee.user)
    assert send_preference_reminders() == 0  # mentors do not rank here

    Cohort.objects.filter(pk=cohort.pk).update(has_mentor_preferences=True)
    assert send_preference_reminders() == 1
    assert reminded() == ["listed@example.org"]
    assert "listed you" in OutboxEmail.objects.get(template="preference_reminder").body_text


def test_a_window_moved_to_a_later_close_reminds_again():
    cohort = closing_in(hours=10)
    enroll(cohort, Role.MENTEE)
    assert send_preference_reminders() == 1
    Cohort.objects.filter(pk=cohort.pk).update(
        preferences_close_at=cohort.preferences_close_at + timedelta(hours=20)
    )
    assert send_preference_reminders() == 1
