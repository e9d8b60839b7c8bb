from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from accounts.models import User
from goals.models import Goal, GoalStatus
from matching.models import MentorshipRequest, MentorshipStatus


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name, for titles and the navbar."""
    return {"site_name": settings.SITE_NAME}


def _count(qs: object) -> Coalesce:
    rows = qs.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows[:1], output_field=IntegerField()), 0)


def mentor_badges(request: HttpRequest) -> dict[str, int]:
    """A mentor's navbar badges: requests waiting for an answer and goals waiting for a
    review. One query for both, on every page a mentor opens; nothing for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = getattr(user, "profile", None)
    if profile is None or not profile.wants_to_mentor:
        return {}
    pending = MentorshipRequest.objects.pending().filter(mentor_enrollment__user=OuterRef("pk"))
    to_review = Goal.objects.filter(
        status=GoalStatus.SUBMITTED,
        mentorship__status=MentorshipStatus.ACTIVE,
        mentorship__mentor_enrollment__user=OuterRef("pk"),
    )
    requests, goals = (
        User.objects.filter(pk=user.pk).values_list(_count(pending), _count(to_review)).get()
    )
    return {"pending_requests_count": requests, "goals_to_review_count": goals}
