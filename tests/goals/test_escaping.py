"""User-written text is never rendered unescaped: a script in a name, a goal, a comment,
an obstacle or a meeting agenda shows as text on every page that displays it."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from goals import services as goal_services
from goals.models import GoalStatus
from goals.services.meetings import schedule_meeting
from goals.services.obstacles import flag_obstacle
from tests.goals.conftest import metric_draft

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(mentorship, mentee, mentor, make_goal):
    for person in (mentee, mentor):
        person.profile.display_name = f"Eve {PAYLOAD}"[:80]
        person.profile.headline = PAYLOAD
        person.profile.bio = PAYLOAD
        person.profile.save()
    goal = make_goal(
        GoalStatus.SUBMITTED, draft=metric_draft(title=f"Ship 3 {PAYLOAD}"[:120], plan=PAYLOAD * 2)
    )
    goal_services.comment_on_goal(goal=goal, by=mentor, body=PAYLOAD)
    flag_obstacle(goal=goal, by=mentee, category="time", description=PAYLOAD)
    meeting = schedule_meeting(
        mentorship=mentorship,
        by=mentee,
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=45,
        format="video",
        location=f"https://example.org/{PAYLOAD}"[:300],
        agenda=PAYLOAD,
    )
    return goal, meeting


def test_no_page_renders_user_text_as_markup(client, hostile, mentorship, mentee, mentor):
    goal, meeting = hostile
    pages = {
        mentee: [
            reverse("dashboard"),
            reverse("profiles:detail"),
            mentorship.get_absolute_url(),
            goal.get_absolute_url(),
            meeting.get_absolute_url(),
            reverse("goals:meeting-list", args=[mentorship.pk]),
        ],
        mentor: [
            reverse("dashboard"),
            reverse("goals:review-board"),
            goal.get_absolute_url(),
            reverse("matching:directory"),
        ],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            html = response.content.decode()
            assert response.status_code == 200, url
            assert "<script>alert" not in html, url
            assert "<img src=x" not in html, url
            assert "&lt;script&gt;" in html or "&lt;img" in html, url
