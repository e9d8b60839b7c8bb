"""Goal pages: who may see and change a goal, and the form's coaching."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from goals.models import Goal, GoalStatus
from goals.services import save_goal
from goals.smart import GoalDraft
from matching.models import Cohort
from matching.services import join_cohort
from tests.factories import ProfileFactory, mentorship_between

pytestmark = pytest.mark.django_db

MESSAGE = "I would love your help growing into a tech lead role over the next year, please."


@pytest.fixture
def mentorship(mentee, mentor):
    return mentorship_between(mentee, mentor, message=MESSAGE)


def _draft(**overrides) -> GoalDraft:
    fields = {
        "title": "Give a talk at the Python meetup",
        "outcome": "A 20-minute talk about our test suite, given to at least 30 people.",
        "measure": "milestones",
        "plan": "Pick the topic this week, outline it, rehearse twice with my mentor.",
        "relevance": "Speaking in public is what my target role of tech lead asks of me.",
        "target_date": timezone.localdate() + timedelta(days=60),
        "milestones": [("Outline", None), ("Rehearse", None), ("Give the talk", None)],
    }
    return GoalDraft(**{**fields, **overrides})


@pytest.fixture
def goal(mentorship, mentee):
    return save_goal(mentorship=mentorship, by=mentee, draft=_draft())


def _other_cohort_member():
    person = ProfileFactory(wants_mentoring=True, enrolled=False).user
    join_cohort(
        user=person, cohort=Cohort.objects.create(name="Other", slug="other"), role="mentee"
    )
    return person


@pytest.mark.parametrize(
    ("who", "status"),
    [("mentee", 200), ("mentor", 200), ("stranger", 404), ("other_cohort", 404), ("staff", 404)],
)
def test_goal_page_access(client, goal, mentee, mentor, staff, who, status):
    people = {
        "mentee": mentee,
        "mentor": mentor,
        "stranger": ProfileFactory(wants_mentoring=True).user,
        "other_cohort": _other_cohort_member(),
        "staff": staff,
    }
    client.force_login(people[who])
    assert client.get(reverse("goals:detail", args=[goal.pk])).status_code == status
    assert client.get(reverse("goals:edit", args=[goal.pk])).status_code == status


def test_anonymous_is_sent_to_login(client, goal):
    response = client.get(reverse("goals:detail", args=[goal.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_strangers_cannot_act_on_a_goal(client, goal):
    client.force_login(ProfileFactory(wants_mentoring=True).user)
    for name in ("submit", "review", "progress", "close", "comment"):
        assert client.post(reverse(f"goals:{name}", args=[goal.pk])).status_code == 404
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.DRAFT


def test_the_mentor_cannot_submit_the_mentees_goal(client, goal, mentor):
    client.force_login(mentor)
    assert client.post(reverse("goals:submit", args=[goal.pk])).status_code == 403
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.DRAFT


def test_a_vague_goal_gets_coaching_next_to_the_field_and_keeps_the_text(
    client, mentorship, mentee
):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:create", args=[mentorship.pk]),
        {
            "title": "get better at Python",
            "outcome": "short",
            "measure": "metric",
            "plan": "x",
            "intent": "submit",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Say what you will be able to do" in html and "is-invalid" in html
    assert 'value="get better at Python"' in html
    assert not Goal.objects.exists()


def test_live_checklist_reports_the_criteria(client, mentorship, mentee):
    client.force_login(mentee)
    url = reverse("goals:check", args=[mentorship.pk])
    data = client.post(url, {"title": "Give a talk at the Python meetup"}).json()
    assert data["criteria"]["specific"] is False  # the outcome is still missing
    assert data["criteria"]["achievable"] is False
    full = {
        "title": "Give a talk at the Python meetup",
        "outcome": "A 20-minute talk about our test suite, given to at least 30 people.",
        "measure": "milestones",
        "milestones": "Outline\nRehearse\nGive the talk",
        "plan": "Pick the topic this week, outline it, rehearse twice with my mentor.",
        "relevance": "Speaking in public is what my target role of tech lead asks of me.",
        "target_date": (timezone.localdate() + timedelta(days=60)).isoformat(),
    }
    assert all(client.post(url, full).json()["criteria"].values())


def test_submit_review_and_progress_through_the_pages(client, goal, mentee, mentor):
    client.force_login(mentee)
    client.post(reverse("goals:submit", args=[goal.pk]))
    client.force_login(mentor)
    refused = client.post(reverse("goals:review", args=[goal.pk]), {"decision": "changes"})
    assert refused.status_code == 200 and "Say what should change" in refused.content.decode()
    client.post(reverse("goals:review", args=[goal.pk]), {"decision": "approve", "comment": ""})
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.APPROVED
    client.force_login(mentee)
    first = goal.milestones.first()
    client.post(reverse("goals:progress", args=[goal.pk]), {"milestones": [str(first.pk)]})
    goal.refresh_from_db()
    assert goal.status == GoalStatus.IN_PROGRESS and goal.progress_percent() == 33
    page = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert "33% done" in page
