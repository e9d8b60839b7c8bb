"""Ending a cohort, and nudging its mentors about requests waiting for them.

Closing a cohort, once (a second close changes and sends nothing):

- the cohort records when and by whom, and stops taking new enrollments; enrollments
  themselves stay active, so the report and people's history keep them;
- active mentorships become *completed* (ended now, by the closing admin);
- requests still waiting for a mentor *expire*: the programme ran out before an answer;
- everyone gets the end-of-cohort survey, whose email says the programme has closed.
  That one email replaces the usual per-mentorship "your mentorship has ended" email
  (a mentor of three would otherwise get four emails at once); the mentorship page
  still offers its feedback form. If the end survey went out before the close,
  nobody is emailed again.
"""

from collections import defaultdict
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from matching.models import (
    AuditAction,
    Cohort,
    EnrollmentStatus,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)
from matching.services import audit
from matching.signals import mentorships_ended
from programmes.models import SurveyKind
from programmes.services.surveys import require_cohort_admin, send_survey

CLOSING_REASON = "The programme closed."


@transaction.atomic
def close_cohort(*, cohort: Cohort, by: User) -> Cohort:
    require_cohort_admin(by, cohort)
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.closed_at is not None:
        return cohort
    now = timezone.now()
    active = Mentorship.objects.filter(cohort=cohort, status=MentorshipStatus.ACTIVE)
    ending = list(active.values_list("pk", flat=True))
    completed = active.update(
        status=MentorshipStatus.COMPLETED, ended_at=now, ended_by=by, end_reason=CLOSING_REASON
    )
    mentorships_ended.send(sender=Mentorship, mentorship_ids=ending)
    expired = MentorshipRequest.objects.filter(cohort=cohort, status=RequestStatus.PENDING).update(
        status=RequestStatus.EXPIRED, closed_at=now
    )
    cohort.closed_at = now
    cohort.closed_by = by
    cohort.is_enrollment_open = False
    cohort.save(update_fields=["closed_at", "closed_by", "is_enrollment_open"])
    surveys = send_survey(cohort=cohort, kind=SurveyKind.END, by=by)
    audit.record(
        actor=by,
        cohort=cohort,
        action=AuditAction.COHORT_CLOSED,
        summary=f"Closed {cohort.name}: {completed} mentorships completed",
        obj=cohort,
        details={
            "mentorships_completed": completed,
            "requests_expired": expired,
            "end_surveys_sent": surveys,
        },
    )
    return cohort


def waiting_by_mentor(*, cohort: Cohort, now: datetime) -> dict[User, list[MentorshipRequest]]:
    """The requests still waiting for an answer, oldest first, by mentor."""
    waiting = (
        MentorshipRequest.objects.pending()
        .filter(
            cohort=cohort,
            # Due ones are the expiry sweep's to close, not ours to chase.
            expires_at__gt=now,
            mentor_enrollment__status=EnrollmentStatus.ACTIVE,
            mentor_enrollment__user__is_active=True,
        )
        .select_related("mentor_enrollment__user__profile", "mentee_enrollment__user__profile")
        .order_by("created_at", "pk")
    )
    by_mentor: dict[User, list[MentorshipRequest]] = defaultdict(list)
    for request in waiting:
        by_mentor[request.mentor_enrollment.user].append(request)
    return dict(by_mentor)


def reminder_key(cohort: Cohort, mentor: User, today: date) -> str:
    return f"mentor-reminder:{cohort.pk}:{mentor.pk}:{today.isoformat()}"


@transaction.atomic
def remind_mentors(*, cohort: Cohort, by: User, today: date | None = None) -> int:
    """Email each mentor who has requests waiting in this cohort, at most once a day per
    cohort. Returns how many were emailed."""
    require_cohort_admin(by, cohort)
    today = today or timezone.localdate()
    now = timezone.now()
    by_mentor = waiting_by_mentor(cohort=cohort, now=now)
    keys = {m: reminder_key(cohort, m, today) for m in by_mentor}
    done = set(OutboxEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    reminded = 0
    for mentor, requests in by_mentor.items():
        if keys[mentor] in done:
            continue
        outbox.enqueue(
            "mentor_reminder",
            to=[mentor.email],
            context={
                "cohort": cohort,
                "name": mentor.get_full_name(),
                "rows": [
                    {
                        "request": r,
                        "mentee": r.mentee_enrollment.user.get_full_name(),
                        "days": (now - r.created_at).days,
                    }
                    for r in requests
                ],
            },
            key=keys[mentor],
        )
        reminded += 1
    if reminded:
        audit.record(
            actor=by,
            cohort=cohort,
            action=AuditAction.REMINDERS_SENT,
            summary=f"Reminded {reminded} mentors of {cohort.name} about waiting requests",
            details={"mentors": reminded, "day": today},
        )
    return reminded
