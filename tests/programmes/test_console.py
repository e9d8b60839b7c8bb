"""The programme admin's console: the admin home about their programmes, a cohort's page
with its numbers and buttons, and the filtered lists its "needs attention" links open.

Every number is worked out by hand from a cohort built row by row; the query counts are
pinned as the cohort grows, as tests/test_query_counts.py does for the member pages.
"""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from goals.models import Goal, GoalStatus, Milestone
from matching.models import Cohort, EnrollmentStatus, MatchRun, MatchRunStatus, Role
from programmes.models import SurveyKind, SurveyResponse
from programmes.selectors import programme_health
from tests.factories import CohortFactory, UserFactory, make_programme_admin
from tests.programmes.cohort_builders import (
    enroll,
    make_goal,
    make_meeting,
    make_mentorship,
    make_request,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def days_ago(n: int) -> timezone.datetime:
    return NOW - timedelta(days=n)


def build(cohort: Cohort) -> None:
    """Two mentors and five mentees (one left): two mentorships, one of them quiet;
    two requests waiting, one for ten days; a goal behind plan and one on track; two
    surveys sent, one answered; a draft match run."""
    ines, omar = enroll(cohort, Role.MENTOR), enroll(cohort, Role.MENTOR)
    lea, sam, kai, ada = (enroll(cohort, Role.MENTEE) for _ in range(4))
    enroll(cohort, Role.MENTEE, status=EnrollmentStatus.LEFT)
    quiet = make_mentorship(ines, lea, started_at=days_ago(60))
    busy = make_mentorship(ines, sam, started_at=days_ago(60))
    make_meeting(busy, days_ago(5))
    make_request(kai, omar, created_at=days_ago(10))
    make_request(ada, omar, created_at=days_ago(1))
    behind = make_goal(busy, GoalStatus.IN_PROGRESS, days_ago(50))
    Goal.objects.filter(pk=behind.pk).update(
        starts_on=timezone.localdate() - timedelta(days=50),
        target_date=timezone.localdate() + timedelta(days=10),
    )
    for position in (1, 2):
        Milestone.objects.create(goal=behind, position=position, title=f"Step {position}")
    on_track = make_goal(quiet, GoalStatus.IN_PROGRESS, NOW)
    Goal.objects.filter(pk=on_track.pk).update(
        starts_on=timezone.localdate(), target_date=timezone.localdate() + timedelta(days=90)
    )
    for enrollment, answered in ((lea, True), (sam, False)):
        SurveyResponse.objects.create(
            cohort=cohort,
            user=enrollment.user,
            role=Role.MENTEE,
            kind=SurveyKind.MIDPOINT,
            answered_at=NOW if answered else None,
            satisfaction=4 if answered else None,
            recommend=9 if answered else None,
        )
    MatchRun.objects.create(cohort=cohort, mode="optimal", status=MatchRunStatus.DRAFT)


@pytest.fixture
def cohort() -> Cohort:
    cohort = CohortFactory(name="Spring Leaders")
    build(cohort)
    return cohort


@pytest.fixture
def admin_client(client, cohort):
    client.force_login(make_programme_admin(cohort))
    return client


def test_the_numbers_of_a_programme(cohort):
    [health] = programme_health([cohort])
    assert (health.mentors, health.mentees, health.matched_mentees) == (2, 4, 2)
    assert health.matched_percent == 50
    assert (health.requests_waiting, health.slow_requests, health.oldest_request_days) == (
        2,
        1,
        10,
    )
    assert (health.active_mentorships, health.quiet_mentorships) == (2, 1)
    assert health.goals_behind_plan == 1
    assert (health.surveys_sent, health.surveys_answered, health.survey_response_percent) == (
        2,
        1,
        50,
    )
    assert health.draft_runs == 1
    assert [item.text for item in health.attention] == [
        "1 request unanswered for more than 7 days",
        "1 mentorship idle for 60 days or more",
        "1 mentorship with no meeting or message in 30 days",
        "1 goal behind plan",
        "1 matching draft waiting for review",
        "2 mentees without a mentor",
    ]


def test_each_needs_attention_link_lists_exactly_those_rows(admin_client, cohort):
    [health] = programme_health([cohort])
    for item in health.attention:
        response = admin_client.get(item.url)
        assert response.status_code == 200, item.url
        assert response.context["cl"].result_count == item.count, item.text


def test_the_home_shows_the_admins_programmes_and_nothing_of_others(client, cohort):
    other = CohortFactory(name="Autumn Engineers")
    build(other)
    client.force_login(make_programme_admin(cohort))
    html = client.get(reverse("admin:index")).content.decode()
    assert "Your running programmes" in html and "Spring Leaders" in html
    assert "1 goal behind plan" in html
    assert "Autumn Engineers" not in html and f"?cohort={other.pk}" not in html

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index")).content.decode()
    assert "Spring Leaders" in html and "Autumn Engineers" in html


def test_a_closed_programme_leaves_the_home(admin_client, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(closed_at=NOW)
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Spring Leaders" not in html
    assert "You run no programme yet" in html


def test_the_cohort_page_has_the_numbers_buttons_and_lists(admin_client, cohort):
    html = admin_client.get(reverse("admin:matching_cohort_change", args=[cohort.pk]))
    html = html.content.decode()
    assert "How Spring Leaders is going" in html
    assert "1 mentorship with no meeting or message in 30 days" in html
    for button in ("Run optimal matching", "Send end survey…", "Close the cohort…"):
        assert f'value="{button}"' in html
    mentees = reverse("admin:matching_enrollment_changelist")
    assert f'href="{mentees}?cohort={cohort.pk}&amp;role__exact=mentee"' in html


def test_run_matching_from_the_cohort_page_opens_the_run(admin_client, cohort):
    response = admin_client.post(
        reverse("admin:matching_cohort_changelist"),
        {"action": "run_optimal", "_selected_action": str(cohort.pk)},
    )
    run = MatchRun.objects.filter(cohort=cohort, status=MatchRunStatus.QUEUED).get()
    assert response.url == reverse("admin:matching_matchrun_change", args=[run.pk])
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert f'<a href="{response.url}">Open the draft</a>' in message


def test_a_programme_admin_of_another_cohort_cannot_act_from_its_page(client, cohort):
    client.force_login(make_programme_admin(CohortFactory(name="Elsewhere")))
    assert client.get(reverse("admin:matching_cohort_change", args=[cohort.pk])).status_code in (
        302,
        404,
    )
    client.post(
        reverse("admin:matching_cohort_changelist"),
        {"action": "run_optimal", "_selected_action": str(cohort.pk)},
    )
    assert not MatchRun.objects.filter(cohort=cohort, status=MatchRunStatus.QUEUED).exists()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "cohort page",
        "mentees without a mentor",
        "requests waiting",
        "quiet mentorships",
        "goals behind plan",
    ],
)
def test_console_pages_cost_the_same_queries_as_the_programme_grows(admin_client, cohort, page):
    urls = {
        "home": reverse("admin:index"),
        "cohort page": reverse("admin:matching_cohort_change", args=[cohort.pk]),
        "mentees without a mentor": reverse("admin:matching_enrollment_changelist")
        + f"?cohort={cohort.pk}&role__exact=mentee&matched=no",
        "requests waiting": reverse("admin:matching_mentorshiprequest_changelist")
        + f"?cohort={cohort.pk}&status__exact=pending&waiting=slow",
        "quiet mentorships": reverse("admin:matching_mentorship_changelist")
        + f"?cohort={cohort.pk}&quiet=yes",
        "goals behind plan": reverse("admin:goals_goal_changelist")
        + f"?cohort={cohort.pk}&pace=behind",
    }
    url = urls[page]
    _queries(admin_client, url)  # warm caches (content types, sessions)
    before = _queries(admin_client, url)
    build(cohort)
    build(cohort)
    assert _queries(admin_client, url) == before


def test_programme_health_costs_the_same_for_more_cohorts(cohort):
    with CaptureQueriesContext(connection) as one:
        programme_health([cohort])
    others = [CohortFactory() for _ in range(3)]
    for other in others:
        build(other)
    with CaptureQueriesContext(connection) as four:
        health = programme_health([cohort, *others])
    assert len(four) == len(one)
    assert [h.goals_behind_plan for h in health] == [1, 1, 1, 1]


def test_an_empty_programme_says_to_import_people(admin_client):
    empty = CohortFactory(name="Brand New")
    [health] = programme_health([empty])
    assert [(item.text, item.url) for item in health.attention] == [
        (
            "Nobody is enrolled yet: import participants to invite them",
            reverse("admin:programmes_cohort_import", args=[empty.pk]),
        )
    ]


def test_the_cohort_page_says_when_suggestions_were_computed(admin_client, cohort):
    from matching.services.suggestions import recompute_suggestions

    page = reverse("admin:matching_cohort_change", args=[cohort.pk])
    assert "(none computed yet)" in admin_client.get(page).content.decode()
    enroll(cohort, Role.MENTEE)
    enroll(cohort, Role.MENTOR)
    count = recompute_suggestions(cohort=cohort)
    [health] = programme_health([cohort])
    assert health.suggestions == count > 0
    html = admin_client.get(page).content.decode()
    assert "(computed now)" in html
