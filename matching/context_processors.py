from django.http import HttpRequest

from matching.models import MentorshipRequest


def navigation(request: HttpRequest) -> dict[str, int]:
    """The mentor's count of requests waiting for an answer, for the navbar badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    pending = MentorshipRequest.objects.pending().filter(mentor_enrollment__user=user).count()
    return {"pending_requests_count": pending}
