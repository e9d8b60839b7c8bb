"""Periodic reminders, queued through the outbox: goals due or overdue, mentorships that
have had no meeting or message for a month, and the mentors' weekly digest of goals awaiting review.

Every function takes ``today`` (the local date, injectable for tests), queues at most
one email per idempotency key and returns how many it queued, so the jobs are safe to
run any number of times a day and catch up after a missed day.

The rules:

- *Due soon*: an approved or in-progress goal whose target date is today or within the
  next 7 days. Drafts, goals sent back for changes and goals awaiting review are left
  out: the mentee has not committed to that date yet, and a submitted goal is on the
  mentor's desk (the weekly digest) rather than the mentee's.
- *Overdue*: the same goals, once their target date has passed.
- Both go to the mentee only, once per goal and target date.
- *No meeting*: an active mentorship with no scheduled meeting today or later, whose
  last activity (a scheduled meeting, cancelled ones do not count, or a message in its
  thread), or its start when it has none, was 30 or more days ago
  (goals.selectors.quiet_mentorships). Each side is told separately, once per 30-day
  stretch without activity (so again after 60 days, 90 days...).
- *Digest*: each mentor with at least one goal awaiting review in an active mentorship,
  once per ISO week.

Only active mentorships count, only active accounts are written to, and people who
switched the email off in their settings are skipped (``email_reminders`` for the first
three, ``email_digest`` for the last).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from goals.models import Goal, GoalEvent, GoalStatus
from goals.selectors import NO_MEETING_DAYS, quiet_mentorships
from matching.models import Mentorship, MentorshipStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

DUE_SOON_DAYS = 7
# Goals the mentee has committed to: the mentor approved the date.
COMMITTED = (GoalStatus.APPROVED, GoalStatus.IN_PROGRESS)

_MENTORSHIP_PEOPLE = (
    "mentorship__mentee_enrollment__user__profile",
    "mentorship__mentor_enrollment__user__profile",
)


@dataclass(frozen=True)
class _Email:
    key: str
    template: str
    to: User
    # Called with no arguments; the lambdas bind their loop variables as defaults.
    context: Callable[..., dict[str, Any]]


def send_goal_reminders(*, today: date | None = None) -> int:
    """Due-soon and overdue reminders to mentees. Returns how many emails were queued."""
    today = today or timezone.localdate()
    goals = (
        Goal.objects.filter(
            status__in=COMMITTED,
            target_date__lte=today + timedelta(days=DUE_SOON_DAYS),
            mentorship__status=MentorshipStatus.ACTIVE,
            mentorship__mentee_enrollment__user__is_active=True,
            mentorship__mentee_enrollment__user__profile__email_reminders=True,
        )
        .select_related(*_MENTORSHIP_PEOPLE)
        .order_by("pk")
    )
    return _queue(_goal_email(goal, today) for goal in goals.iterator(chunk_size=500))


def _goal_email(goal: Goal, today: date) -> _Email:
    # Only committed goals are reminded, and those were submitted with a date.
    assert goal.target_date is not None
    target_date = goal.target_date
    overdue = target_date < today
    # The target date is in the key: a goal given a new date is reminded again.
    kind = "goal-overdue" if overdue else "goal-due"
    mentee = goal.mentorship.mentee
    return _Email(
        key=f"{kind}:{goal.pk}:{target_date.isoformat()}",
        template="goal_overdue" if overdue else "goal_due_soon",
        to=mentee,
        context=lambda: {
            "goal": goal,
            "name": mentee.get_full_name(),
            "mentor": goal.mentorship.mentor.get_full_name(),
            "days": abs((target_date - today).days),
        },
    )


def send_meeting_nudges(*, today: date | None = None) -> int:
    """Nudge both sides of mentorships with no meeting or message for 30 days or more."""
    today = today or timezone.localdate()
    mentorships = cast(
        "QuerySet[WithAnnotations[Mentorship, _Quiet]]",
        quiet_mentorships(today)
        .select_related("mentee_enrollment__user__profile", "mentor_enrollment__user__profile")
        .order_by("pk"),
    )
    return _queue(
        email
        for mentorship in mentorships.iterator(chunk_size=500)
        for email in _nudges(mentorship, today)
    )


# What the queries below annotate on their rows, for the type checker.
class _Quiet(TypedDict):
    quiet_since: datetime
    last_met_at: datetime | None
    last_message_at: datetime | None


class _Waiting(TypedDict):
    waiting_since: datetime


def _nudges(mentorship: "WithAnnotations[Mentorship, _Quiet]", today: date) -> list[_Email]:
    since = timezone.localdate(mentorship.quiet_since)
    quiet_days = (today - since).days
    # One nudge per 30-day stretch: the key names the day the current stretch began,
    # so a job that skips a day still sends it, and day 60 sends the next one.
    stretch = since + timedelta(days=NO_MEETING_DAYS * (quiet_days // NO_MEETING_DAYS - 1))
    emails = []
    for person, other, side in (
        (mentorship.mentee, mentorship.mentor, "mentee"),
        (mentorship.mentor, mentorship.mentee, "mentor"),
    ):
        if not _wants(person, "email_reminders"):
            continue
        emails.append(
            _Email(
                key=f"no-meeting:{mentorship.pk}:{stretch.isoformat()}:{person.pk}",
                template="meeting_nudge",
                to=person,
                context=lambda person=person, other=other, side=side: {
                    "mentorship": mentorship,
                    "name": person.get_full_name(),
                    "other": other.get_full_name(),
                    "side": side,
                    "days": quiet_days,
                    "has_met": mentorship.last_met_at is not None,
                    "has_written": mentorship.last_message_at is not None,
                },
            )
        )
    return emails


def send_review_digests(*, today: date | None = None) -> int:
    """One email per mentor per ISO week listing the goals waiting for their review."""
    today = today or timezone.localdate()
    year, week, _ = today.isocalendar()
    submitted_at = (
        GoalEvent.objects.filter(goal=OuterRef("pk"), to_status=GoalStatus.SUBMITTED)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    goals = (
        Goal.objects.filter(
            status=GoalStatus.SUBMITTED,
            mentorship__status=MentorshipStatus.ACTIVE,
            mentorship__mentor_enrollment__user__is_active=True,
            mentorship__mentor_enrollment__user__profile__email_digest=True,
        )
        .annotate(waiting_since=Coalesce(Subquery(submitted_at), "updated_at"))
        .select_related(*_MENTORSHIP_PEOPLE)
        .order_by("waiting_since", "pk")
    )
    by_mentor: dict[int, list[WithAnnotations[Goal, _Waiting]]] = {}
    for goal in goals:
        by_mentor.setdefault(goal.mentorship.mentor_enrollment.user_id, []).append(goal)
    return _queue(
        _Email(
            key=f"review-digest:{mentor_id}:{year}-W{week:02d}",
            template="review_digest",
            to=waiting[0].mentorship.mentor,
            context=lambda waiting=waiting: {
                "name": waiting[0].mentorship.mentor.get_full_name(),
                "goals": [_digest_row(goal, today) for goal in waiting],
            },
        )
        for mentor_id, waiting in by_mentor.items()
    )


def _digest_row(goal: "WithAnnotations[Goal, _Waiting]", today: date) -> dict[str, Any]:
    since = timezone.localdate(goal.waiting_since)
    return {
        "goal": goal,
        "mentee": goal.mentorship.mentee.get_full_name(),
        "since": since,
        "days": (today - since).days,
    }


def _queue(emails: Iterable[_Email]) -> int:
    """Queue the emails whose key is new. No transaction around the batch on purpose: each
    email commits on its own, so one failure loses nothing and a rerun sends the rest."""
    queued = 0
    emails = iter(emails)
    while chunk := list(islice(emails, 500)):
        # One query per chunk finds what earlier runs sent, instead of one per email,
        # and skips rendering those again.
        sent = set(
            OutboxEmail.objects.filter(key__in=[e.key for e in chunk]).values_list("key", flat=True)
        )
        for email in chunk:
            if email.key in sent:
                continue
            outbox.enqueue(
                email.template, to=[email.to.email], context=email.context(), key=email.key
            )
            queued += 1
    return queued


def _wants(user: User, setting: str) -> bool:
    profile = getattr(user, "profile", None)
    return user.is_active and profile is not None and getattr(profile, setting)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
