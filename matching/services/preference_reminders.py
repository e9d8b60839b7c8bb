"""Reminders before a cohort's preference window closes.

Run every hour; within the last ``REMIND_BEFORE`` of an open window it emails each
person asked for choices who has not listed anyone yet: mentees without a mentor in the
cohort, and mentors (when the cohort lets them rank) whom at least one mentee listed.
Once per person per window: the outbox key names the cohort, the closing time and the
enrollment, so a window moved to a new closing time reminds again. People who switched
reminders off in their email settings are skipped.
"""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from matching.models import Cohort, Enrollment, Mentorship, MentorshipStatus, Preference, Role
from matching.services.preferences import local_time

REMIND_BEFORE = timedelta(days=2)


def reminder_key(enrollment: Enrollment, closes_at: datetime) -> str:
    return f"preference-reminder:{enrollment.cohort_id}:{closes_at.isoformat()}:{enrollment.pk}"


def _waiting(cohort: Cohort) -> list[Enrollment]:
    """Who in ``cohort`` is asked for choices and has listed no one yet."""
    stated = Preference.objects.filter(chooser=OuterRef("pk"))
    matched = Mentorship.objects.filter(
        mentee_enrollment=OuterRef("pk"), status=MentorshipStatus.ACTIVE
    )
    listed = Preference.objects.filter(chosen=OuterRef("pk"))
    asked = Q(Q(role=Role.MENTEE), ~Exists(matched))
    if cohort.has_mentor_preferences:
        # A mentor ranks the mentees who listed them: with none, there is nothing to do.
        asked |= Q(Q(role=Role.MENTOR), Exists(listed))
    return list(
        Enrollment.objects.active()
        .filter(
            asked,
            cohort=cohort,
            user__is_active=True,
            user__profile__onboarded_at__isnull=False,
            user__profile__email_reminders=True,
        )
        .exclude(Exists(stated))
        .select_related("user__profile")
        .order_by("pk")
    )


def send_preference_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders due at ``now``; returns how many were queued. Safe to run
    any number of times: each reminder has its own outbox key."""
    now = now or timezone.now()
    cohorts = Cohort.objects.filter(
        closed_at__isnull=True,
        preferences_open_at__lte=now,
        preferences_close_at__gt=now,
        preferences_close_at__lte=now + REMIND_BEFORE,
    ).order_by("pk")
    queued = 0
    for cohort in cohorts:
        closes_at = cohort.preferences_close_at
        assert closes_at is not None  # filtered on above
        people = _waiting(cohort)
        keys = {e.pk: reminder_key(e, closes_at) for e in people}
        sent = set(OutboxEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
        for enrollment in people:
            if keys[enrollment.pk] in sent:
                continue
            user = enrollment.user
            outbox.enqueue(
                "preference_reminder",
                to=[user.email],
                context={
                    "name": user.get_full_name(),
                    "cohort": cohort,
                    "is_mentee": enrollment.role == Role.MENTEE,
                    "closes": local_time(closes_at, user),
                    "hours_left": max(1, round((closes_at - now).total_seconds() / 3600)),
                    "path": reverse("matching:choices", args=[enrollment.pk]),
                },
                key=keys[enrollment.pk],
            )
            queued += 1
    return queued
