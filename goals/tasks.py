from celery import shared_task

from goals.services import reminders


@shared_task(name="goals.tasks.send_reminders")
def send_reminders() -> int:
    """Daily: goals due soon or overdue, and mentorships that have not met for a month.

    Safe to run twice or to overlap: every email has an idempotency key in the outbox.
    """
    return reminders.send_goal_reminders() + reminders.send_meeting_nudges()


@shared_task(name="goals.tasks.send_review_digests")
def send_review_digests() -> int:
    """Weekly: each mentor's goals awaiting review, at most once per ISO week."""
    return reminders.send_review_digests()
