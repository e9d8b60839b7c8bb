"""Site-wide pages: the landing page, the dashboard, health and error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from accounts.http import AuthenticatedHttpRequest
from goals import selectors as goals_selectors
from matching import selectors as matching_selectors
from profiles.services import missing_for_onboarding


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    # The profile the onboarding check and the navbar read too, so it is read once.
    profile = request.user.profile
    skills = list(profile.skills.select_related("skill"))
    board = matching_selectors.dashboard_for(
        request.user,
        recently_viewed_ids=request.session.get(matching_selectors.RECENTLY_VIEWED_KEY, []),
    )
    context = {
        "profile": profile,
        "expertise": [s for s in skills if s.kind == "expertise"],
        "learning": [s for s in skills if s.kind == "learn"],
        "missing": missing_for_onboarding(profile, skill_kinds=[s.kind for s in skills]),
        # The board has this person's mentorships and their people: the card reuses them.
        "up_next": goals_selectors.up_next(request.user, mentorships=board.active_mentorships),
        "board": board,
    }
    return render(request, "dashboard.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors or the database: they may be what failed.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"site_name": "Mentorship"}), status=500)
