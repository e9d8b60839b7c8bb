from django.shortcuts import get_object_or_404

from accounts.models import User
from goals.models import Goal


def goal_for(user: User, pk: int) -> Goal:
    """A goal of one of this person's mentorships, or 404."""
    return get_object_or_404(
        Goal.objects.for_user(user).select_related(
            "mentorship__cohort",
            "mentorship__mentee_enrollment__user__profile",
            "mentorship__mentor_enrollment__user__profile",
        ),
        pk=pk,
    )
