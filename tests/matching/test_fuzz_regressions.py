"""Crashes the fuzz suite (tests/fuzz) found in the matching pages and their admin."""

from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse

import pytest

from accounts.models import User
from matching.models import Cohort, MatchRun, MatchRunPair, MatchRunStatus, Role
from matching.services import default_cohort
from programmes.groups import PROGRAMME_ADMIN_GROUP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Not row ids: int() refuses the first two, SQLite cannot hold the last two.
NOT_IDS = ["9" * 5000, "²", str(2**63), "9" * 30]


@pytest.fixture
def programme_admin(community: Cohort) -> User:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
    community.admins.add(user)
    return user


@pytest.mark.parametrize("skill", NOT_IDS)
def test_the_directory_drops_a_skill_filter_that_is_no_id(client, mentee, skill):
    client.force_login(mentee)
    response = client.get(reverse("matching:directory"), {"skills": skill})
    assert response.status_code == 200


@pytest.fixture
def pair(community: Cohort, programme_admin: User, make_mentee, make_mentor) -> MatchRunPair:
    run = MatchRun.objects.create(
        cohort=community, mode="optimal", status=MatchRunStatus.DRAFT, created_by=programme_admin
    )
    return MatchRunPair.objects.create(
        run=run, mentee_enrollment=make_mentee(), mentor_enrollment=make_mentor(), score=0.5
    )


@pytest.mark.parametrize("posted", ["", "abc", "1.0", *NOT_IDS])
def test_changing_a_pairs_mentor_to_no_id_asks_for_a_mentor(client, programme_admin, pair, posted):
    client.force_login(programme_admin)
    url = reverse("admin:matching_matchrun_change_mentor", args=[pair.run_id, pair.pk])
    response = client.post(url, {"mentor_enrollment": posted})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Pick a mentor of this cohort."
    ]
    pair.refresh_from_db()
    assert pair.mentor_enrollment.role == Role.MENTOR


@pytest.mark.parametrize("ticked", ["", "x", "0.0", *NOT_IDS])
def test_an_admin_action_on_ticked_rows_that_are_no_ids_is_refused(client, programme_admin, ticked):
    cohort = default_cohort()
    client.force_login(programme_admin)
    response = client.post(
        reverse("admin:matching_cohort_changelist"),
        {"action": "close_cohorts", helpers.ACTION_CHECKBOX_NAME: [ticked], "post": "yes"},
    )
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["Tick the rows to act on in the list."]
    cohort.refresh_from_db()
    assert cohort.closed_at is None
