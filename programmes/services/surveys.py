"""The mid-point and end-of-cohort surveys: sent with a personal link, answered once.

Who gets one: every active account with an active enrollment in the cohort, once per
survey kind (the database allows one response per cohort, person and kind). Someone
enrolled both as mentor and as mentee gets one survey, recorded with their mentee role.
Sending again reaches only people who joined since, so a second click sends nothing.
Answers are for the cohort's programme admins only (the report and a read-only admin).
"""

from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from core.outbox import services as outbox
from matching.admin_scoping import can_administer
from matching.models import AuditAction, Cohort, Enrollment, EnrollmentStatus, Role
from matching.services import audit
from programmes.models import GoalProgress, SurveyKind, SurveyResponse

# Declared on the TextField (the stubs allow a field without one).
MAX_COMMENTS = cast(int, SurveyResponse._meta.get_field("comments").max_length)


def require_cohort_admin(user: User, cohort: Cohort) -> None:
    """Only the cohort's own programme admins (or a superuser) act on it."""
    if not (can_administer(user, cohort) and user.has_perm("matching.change_cohort")):
        raise PermissionDenied


def survey_recipients(*, cohort: Cohort, kind: str) -> list[Enrollment]:
    """One enrollment per person who would get this survey now (none of it yet)."""
    enrollments = (
        Enrollment.objects.filter(
            cohort=cohort, status=EnrollmentStatus.ACTIVE, user__is_active=True
        )
        .filter(
            ~Exists(SurveyResponse.objects.filter(cohort=cohort, kind=kind, user=OuterRef("user")))
        )
        .select_related("user__profile")
        # "mentee" sorts before "mentor": a person in both roles answers as mentee.
        .order_by("user_id", "role")
    )
    seen: set[int] = set()
    recipients = []
    for enrollment in enrollments:
        if enrollment.user_id not in seen:
            seen.add(enrollment.user_id)
            recipients.append(enrollment)
    return recipients


@transaction.atomic
def send_survey(*, cohort: Cohort, kind: str, by: User) -> int:
    """Create and email a survey for each participant who has none of this kind yet.
    Returns how many were sent."""
    require_cohort_admin(by, cohort)
    if kind not in SurveyKind.values:
        raise ValidationError(gettext("Choose the mid-point or the end-of-cohort survey."))
    kind = SurveyKind(kind)
    # The cohort row lock queues concurrent sends, so the second one sees the first's rows.
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if kind == SurveyKind.MIDPOINT and cohort.closed_at is not None:
        raise ValidationError(
            gettext("%(cohort)s is closed: a mid-point survey no longer fits.")
            % {"cohort": cohort.name}
        )
    now = timezone.now()
    sent = 0
    for enrollment in survey_recipients(cohort=cohort, kind=kind):
        response = SurveyResponse.objects.create(
            cohort=cohort, user=enrollment.user, role=enrollment.role, kind=kind, sent_at=now
        )
        outbox.enqueue(
            "survey",
            to=[enrollment.user.email],
            context={
                "response": response,
                "cohort": cohort,
                "name": enrollment.user.get_full_name(),
                "is_end": kind == SurveyKind.END,
                "is_mentor": response.role == Role.MENTOR,
            },
            key=f"survey:{response.pk}",
        )
        sent += 1
    if sent:
        audit.record(
            actor=by,
            cohort=cohort,
            action=AuditAction.SURVEY_SENT,
            summary=f"Sent the {kind.label.lower()} of {cohort.name} to {sent} people",
            details={"kind": kind.value, "sent": sent},
        )
    return sent


def _whole(value: object, low: int, high: int) -> int | None:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high and str(number) == str(value).strip() else None


@transaction.atomic
def answer_survey(
    *,
    response: SurveyResponse,
    satisfaction: int,
    recommend: int,
    goal_progress: int,
    comments: str = "",
) -> SurveyResponse:
    """Record the answers. A survey is answered once; a second answer is refused."""
    response = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    if response.is_answered:
        raise ValidationError(
            gettext("You have already answered this survey; answers can't be changed.")
        )
    errors: dict[str, str] = {}
    score = _whole(satisfaction, 1, 5)
    if score is None:
        errors["satisfaction"] = gettext("Choose how satisfied you are, from 1 to 5.")
    recommended = _whole(recommend, 0, 10)
    if recommended is None:
        errors["recommend"] = gettext("Choose how likely you are to recommend it, from 0 to 10.")
    progress = _whole(goal_progress, min(GoalProgress.values), max(GoalProgress.values))
    if progress is None:
        errors["goal_progress"] = gettext("Choose how far the goals have come.")
    comments = (comments or "").strip()
    if len(comments) > MAX_COMMENTS:
        errors["comments"] = gettext("Keep your comments under %(count)s characters.") % {
            "count": MAX_COMMENTS
        }
    if errors:
        raise ValidationError(errors)
    response.satisfaction = score
    response.recommend = recommended
    response.goal_progress = progress
    response.comments = comments
    response.answered_at = timezone.now()
    response.save(
        update_fields=["satisfaction", "recommend", "goal_progress", "comments", "answered_at"]
    )
    return response
