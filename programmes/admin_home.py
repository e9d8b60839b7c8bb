"""The admin's home page: the viewer's running programmes, how each is going, and what
needs their attention, before the list of models."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.http import signed_in_user
from matching.models import Cohort
from programmes.selectors import programme_health

# The home page shows this many running programmes; the cohort list has them all.
HOME_COHORTS = 12


def home_context(request: HttpRequest) -> dict[str, Any]:
    user = signed_in_user(request)
    if not (user.is_active and user.is_staff and user.has_perm("matching.view_cohort")):
        return {"programmes": None}
    running = Cohort.objects.administered_by(user).filter(closed_at__isnull=True)
    cohorts = list(
        running.select_related("suggestion_recompute").order_by("-starts_on", "name")[:HOME_COHORTS]
    )
    return {
        "programmes": programme_health(cohorts),
        "more_programmes": max(running.count() - len(cohorts), 0),
        "cohort_list_url": reverse("admin:matching_cohort_changelist") + "?closed=no",
    }
