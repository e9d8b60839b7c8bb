from django.http import HttpRequest

from goals.selectors import goals_awaiting_review


def navigation(request: HttpRequest) -> dict[str, int]:
    """How many goals wait for this mentor's review, for the navbar badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = getattr(user, "profile", None)
    if profile is None or not profile.wants_to_mentor:
        return {}
    return {"goals_to_review_count": goals_awaiting_review(user)}
