from functools import cache

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from goals.models import Goal, GoalStatus
from matching.models import (
    Enrollment,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name, for titles and the navbar."""
    return {"site_name": settings.SITE_NAME}


# What the navbar links to, by the name the template uses.
NAV = {
    "home": "home",
    "dashboard": "dashboard",
    "directory": "matching:directory",
    "requests": "matching:requests",
    "review_board": "goals:review-board",
    "role": "profiles:role",
    "cohorts": "matching:cohorts",
    "admin": "admin:index",
    "profile": "profiles:detail",
    "onboarding_start": "profiles:onboarding-start",
    "account_email": "account_email",
    "account_change_password": "account_change_password",
    "mfa_index": "mfa_index",
    "account_logout": "account_logout",
    "account_login": "account_login",
    "account_signup": "account_signup",
}


@cache
def _nav_urls(prefix: str) -> dict[str, str]:
    return {key: reverse(name) for key, name in NAV.items()}


def nav(request: HttpRequest) -> dict[str, dict[str, str]]:
    """The navbar's links, reversed once per process (per script prefix), not per page."""
    return {"nav": _nav_urls(get_script_prefix())}


@cache
def _badge_sql() -> str:
    requests = MentorshipRequest._meta.db_table
    enrollments = Enrollment._meta.db_table
    goals = Goal._meta.db_table
    mentorships = Mentorship._meta.db_table
    return f"""
        SELECT
            (SELECT COUNT(*) FROM {requests} r
               JOIN {enrollments} e ON r.mentor_enrollment_id = e.id
              WHERE r.status = %s AND e.user_id = %s),
            (SELECT COUNT(*) FROM {goals} g
               JOIN {mentorships} m ON g.mentorship_id = m.id
               JOIN {enrollments} e ON m.mentor_enrollment_id = e.id
              WHERE g.status = %s AND m.status = %s AND e.user_id = %s)
    """


def mentor_badges(request: HttpRequest) -> dict[str, int]:
    """A mentor's navbar badges: requests waiting for an answer and goals waiting for a
    review. Nothing for anyone else; for mentors one query on every page, written as SQL
    because compiling the same two counts through the ORM cost more than running them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = getattr(user, "profile", None)
    if profile is None or not profile.wants_to_mentor:
        return {}
    params = [
        RequestStatus.PENDING,
        user.pk,
        GoalStatus.SUBMITTED,
        MentorshipStatus.ACTIVE,
        user.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_badge_sql(), params)
        requests, goals = cursor.fetchone()
    return {"pending_requests_count": requests, "goals_to_review_count": goals}
