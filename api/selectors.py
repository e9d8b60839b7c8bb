"""Reads of the API: whose token may do what, and the rows a token may see.

Every queryset starts from the cohorts the token's owner runs (``scoped_cohorts``), the
same rule as the admin's (matching.admin_scoping), so an object of another cohort is
simply not found: "not yours" and "does not exist" both answer 404.
"""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from goals.models import Goal, MeetingStatus
from matching.models import Cohort, Enrollment, Mentorship
from programmes.models import Invitation


def may_use_api(user: User) -> bool:
    """A superuser, or staff allowed to view cohorts (the Programme admin group). A
    member without staff rights never has a usable token."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.has_perm("matching.view_cohort")


def scoped_cohorts(user: User) -> QuerySet[Cohort]:
    if not may_use_api(user):
        return Cohort.objects.none()
    return Cohort.objects.administered_by(user)


def cohorts(user: User) -> QuerySet[Cohort]:
    return scoped_cohorts(user).order_by("pk")


def enrollments(user: User) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(cohort__in=scoped_cohorts(user).values("pk"))
        .select_related("user")
        .order_by("pk")
    )


def mentorships(user: User) -> QuerySet[Mentorship]:
    planned = Q(meetings__status=MeetingStatus.SCHEDULED)
    return (
        Mentorship.objects.filter(cohort__in=scoped_cohorts(user).values("pk"))
        .select_related("mentor_enrollment", "mentee_enrollment")
        .annotate(
            meeting_count=Count("meetings", filter=planned, distinct=True),
            meetings_held=Count(
                "meetings",
                filter=planned & Q(meetings__starts_at__lt=timezone.now()),
                distinct=True,
            ),
            goal_count=Count("goals", distinct=True),
        )
        .order_by("pk")
    )


def goals(user: User) -> QuerySet[Goal]:
    # Only what the progress needs: never the goal's own words (title, outcome, plan...).
    return (
        Goal.objects.filter(mentorship__cohort__in=scoped_cohorts(user).values("pk"))
        .select_related("mentorship")
        .only(
            "pk",
            "mentorship__id",
            "mentorship__cohort_id",
            "measure",
            "baseline",
            "target",
            "current_value",
            "starts_on",
            "target_date",
            "status",
            "created_at",
            "updated_at",
        )
        .prefetch_related("milestones")
        .order_by("pk")
    )


def invitations(user: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(cohort__in=scoped_cohorts(user).values("pk")).order_by("pk")
