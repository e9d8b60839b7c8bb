from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from goals import selectors as goals_selectors


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


def mentor_badges(request: HttpRequest) -> dict[str, int]:
    """A mentor's navbar badges: requests waiting for an answer and goals waiting for a
    review, one query on every page a mentor opens. Nothing for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = getattr(user, "profile", None)
    if profile is None or not profile.wants_to_mentor:
        return {}
    requests, goals = goals_selectors.mentor_waiting_counts(user)
    return {"pending_requests_count": requests, "goals_to_review_count": goals}
