"""Site-wide pages: landing, error pages, health check, and the navbar that fits a role."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts.models import User
from goals import selectors as goals_selectors
from goals import services as goal_services
from goals.models import Goal
from matching import services as matching_services
from matching.models import Enrollment, Mentorship, MentorshipRequest, Role
from tests.factories import REQUEST_MESSAGE, ProfileFactory
from tests.goals.conftest import metric_draft

pytestmark = pytest.mark.django_db


def test_landing_page_explains_the_programme(client):
    html = client.get(reverse("home")).content.decode()
    assert "How it works" in html
    assert reverse("account_signup") in html
    # Everything is served by the app itself: no CDN.
    assert "cdn" not in html.lower() and "https://" not in html


def test_unknown_page_is_friendly_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_server_error_is_friendly_500(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.urls_boom"
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_healthz_answers_when_the_database_does(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_navbar_fits_the_roles(client, mentee, mentor, staff):
    client.force_login(mentee)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-role-nav="mentee"' in html and 'data-role-nav="mentor"' not in html
    assert reverse("admin:index") not in html

    client.force_login(mentor)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-role-nav="mentor"' in html and 'data-role-nav="mentee"' not in html

    client.force_login(staff)
    assert reverse("admin:index") in client.get(reverse("dashboard")).content.decode()


# --- The mentor's navbar badges -------------------------------------------------------------


def _badges(client: Client) -> dict[str, int]:
    """The counts the navbar's badges show on the dashboard, by what they wait for."""
    html = client.get(reverse("dashboard")).content.decode()
    found = re.findall(r'aria-label="(\d+) waiting for your (answer|review)">(\d+)</span>', html)
    assert all(label == shown for label, _, shown in found)
    return {kind: int(n) for n, kind, _ in found}


def _mentor_user(name: str) -> User:
    return ProfileFactory(
        wants_mentoring=False, wants_to_mentor=True, mentor_capacity=5, display_name=name
    ).user


def _ask(mentee: User, mentor: User) -> MentorshipRequest:
    enrollment = Enrollment.objects.get(
        user=mentor, cohort=matching_services.default_cohort(), role=Role.MENTOR
    )
    return matching_services.send_request(
        mentee=mentee, mentor_enrollment=enrollment, message=REQUEST_MESSAGE
    )


def _submitted_goal(mentorship: Mentorship, title: str) -> Goal:
    draft = metric_draft(title=title)
    goal = goal_services.save_goal(mentorship=mentorship, by=mentorship.mentee, draft=draft)
    return goal_services.submit_goal(goal=goal, by=mentorship.mentee)


def test_a_mentor_sees_requests_and_goals_waiting_for_them_only(client, mentee) -> None:
    mentor, other_mentor = _mentor_user("Mo Mentor"), _mentor_user("Other Mentor")
    client.force_login(mentor)
    assert _badges(client) == {}

    mentees = [ProfileFactory(display_name=f"Asker {n}").user for n in range(4)]
    requests = [_ask(person, mentor) for person in mentees]
    _ask(mentee, other_mentor)  # someone else's request
    matching_services.decline_request(request=requests[1], by=mentor, reason="not_a_fit")
    paired = matching_services.accept_request(request=requests[0], by=mentor)
    ending = matching_services.accept_request(request=requests[2], by=mentor)
    assert _badges(client) == {"answer": 1}

    _submitted_goal(paired, "Lead a design review for my team")
    goal_services.save_goal(mentorship=paired, by=paired.mentee, draft=metric_draft())
    _submitted_goal(ending, "Give a talk at the local meetup")
    elsewhere = matching_services.accept_request(
        request=_ask(mentees[1], other_mentor), by=other_mentor
    )
    _submitted_goal(elsewhere, "Ship the billing service")
    assert _badges(client) == {"answer": 1, "review": 2}

    # A goal of a mentorship that ended waits for nobody's review.
    matching_services.end_mentorship(mentorship=ending, by=mentor, outcome="completed")
    assert _badges(client) == {"answer": 1, "review": 1}


def test_the_badges_one_query_counts_what_two_plain_counts_do(mentee) -> None:
    mentor = _mentor_user("Mo Mentor")

    def plain() -> tuple[int, int]:
        waiting = MentorshipRequest.objects.pending().filter(mentor_enrollment__user=mentor)
        return waiting.count(), goals_selectors.goals_awaiting_review(mentor)

    assert goals_selectors.mentor_waiting_counts(mentor) == plain() == (0, 0)
    requests = [_ask(ProfileFactory(display_name=f"Asker {n}").user, mentor) for n in range(3)]
    paired = matching_services.accept_request(request=requests[0], by=mentor)
    _submitted_goal(paired, "Lead a design review for my team")
    assert goals_selectors.mentor_waiting_counts(mentor) == plain() == (2, 1)


def test_mentees_get_no_badges_and_no_counting_queries(client, mentee, mentor) -> None:
    _ask(mentee, mentor)
    client.force_login(mentee)
    with CaptureQueriesContext(connection) as captured:
        assert _badges(client) == {}
    request_table = MentorshipRequest._meta.db_table
    assert not [q for q in captured if f'COUNT(*) AS "__count" FROM "{request_table}"' in q["sql"]]
