"""The programme admin's side of preference windows: the cohort's window fields, the
bonus weight (a new weights version), and the read-only list of who chose whom."""

from datetime import timedelta

from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

import pytest

from matching.models import AuditAction, AuditEntry, Cohort, MatchWeights, Role
from matching.services.preferences import add_preference
from matching.services.suggestions import current_weights
from tests.factories import make_programme_admin
from tests.matching.test_audit import WEIGHTS
from tests.matching.test_preferences import window_cohort
from tests.programmes.people import enroll

pytestmark = pytest.mark.django_db


def cohort_form(cohort: Cohort, user, **changes):
    """The cohort admin's own form, filled with the cohort as it is plus ``changes``."""
    request = RequestFactory().get("/")
    request.user = user
    form_class = admin.site._registry[Cohort].get_form(request, cohort)
    data = {k: v for k, v in model_to_dict(cohort).items() if v is not None}
    data["admins"] = [u.pk for u in cohort.admins.all()]
    for name in ("preferences_open_at", "preferences_close_at", "created_at"):
        value = changes.pop(name, getattr(cohort, name))
        data.pop(name, None)
        if value is not None:
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
    return form_class(data={**data, **changes}, instance=cohort)


def test_the_cohort_page_has_the_window_with_its_help(client):
    cohort = window_cohort()
    owner = make_programme_admin(cohort)
    client.force_login(owner)
    page = client.get(reverse("admin:matching_cohort_change", args=[cohort.pk])).content.decode()
    for words in ("Choices open at", "Choices close at", "Mentors rank too", "two days before"):
        assert words in page


def test_the_window_must_close_after_it_opens(staff):
    cohort = window_cohort()
    opens = timezone.now().replace(microsecond=0) + timedelta(days=3)
    form = cohort_form(
        cohort, staff, preferences_open_at=opens, preferences_close_at=opens - timedelta(days=1)
    )
    assert not form.is_valid()
    assert form.errors["preferences_close_at"] == ["Choices must close after they open."]
    fine = cohort_form(
        cohort, staff, preferences_open_at=opens, preferences_close_at=opens + timedelta(days=7)
    )
    assert fine.is_valid(), fine.errors


def test_the_bonus_is_saved_as_a_new_weights_version(client):
    cohort = window_cohort()
    owner = make_programme_admin(cohort)
    first = current_weights(cohort)
    client.force_login(owner)
    response = client.post(
        reverse("admin:matching_matchweights_add"),
        {**WEIGHTS, "skills": "0.35", "cohort": cohort.pk, "preference_bonus": "0.6"},
    )
    assert response.status_code == 302
    latest = MatchWeights.objects.filter(cohort=cohort).order_by("-version").first()
    assert (latest.version, latest.preference_bonus) == (first.version + 1, 0.6)
    entry = AuditEntry.objects.get(action=AuditAction.WEIGHTS_CHANGED)
    assert entry.details["changes"] == {"preference_bonus": [0.2, 0.6]}


def test_a_negative_bonus_is_refused(client):
    cohort = window_cohort()
    client.force_login(make_programme_admin(cohort))
    response = client.post(
        reverse("admin:matching_matchweights_add"),
        {**WEIGHTS, "cohort": cohort.pk, "preference_bonus": "-1"},
    )
    assert response.status_code == 200
    assert not MatchWeights.objects.filter(cohort=cohort, preference_bonus__lt=0).exists()


def test_programme_admins_see_their_cohorts_choices_only(client):
    mine, theirs = window_cohort(), window_cohort()
    for cohort, name in ((mine, "Mine"), (theirs, "Theirs")):
        mentee = enroll(cohort, Role.MENTEE, user__email=f"{name.lower()}-mentee@example.org")
        mentor = enroll(cohort, Role.MENTOR)
        add_preference(chooser=mentee, chosen=mentor, by=mentee.user)
    client.force_login(make_programme_admin(mine))
    page = client.get(reverse("admin:matching_preference_changelist")).content.decode()
    assert "mine-mentee@example.org" in page
    assert "theirs-mentee@example.org" not in page
    console = client.get(reverse("admin:matching_cohort_change", args=[mine.pk])).content.decode()
    assert reverse("admin:matching_preference_changelist") + f"?cohort={mine.pk}" in console
