from celery import shared_task

from goals.services import health, reminders


@shared_task(name="goals.tasks.send_reminders")
def send_reminders() -> int:
    """Daily: goals due soon or overdue, and mentorships with no meeting or message for a month.

    Safe to run twice or to overlap: every email has an idempotency key in the outbox.
    """
    return reminders.send_goal_reminders() + reminders.send_meeting_nudges()


@shared_task(name="goals.tasks.send_review_digests")
def send_review_digests() -> int:
    """Weekly: each mentor's goals awaiting review, at most once per ISO week."""
    return reminders.send_review_digests()


@shared_task(name="goals.tasks.send_health_checks")
def send_health_checks() -> int:
    """Daily: fit checks two weeks in, pulses after, and idle mentorships warned, then
    ended where their programme asks for it. Safe to run twice: checks and notices are
    unique rows, and every email has an outbox key."""
    return health.send_fit_checks() + health.send_pulses() + health.close_idle_mentorships()
