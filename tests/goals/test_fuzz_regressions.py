"""Crashes the fuzz suite (tests/fuzz) found in the goal pages, pinned one by one."""

from django.urls import reverse

import pytest

from goals.models import Goal, GoalStatus, ProgressUpdate
from tests.goals.conftest import OUTCOME, PLAN, RELEVANCE, days

pytestmark = pytest.mark.django_db


def _goal_post(**fields: str) -> dict[str, str]:
    return {
        "title": "Improve NPS from 20 to 40",
        "outcome": OUTCOME,
        "measure": "metric",
        "metric_name": "NPS",
        "metric_unit": "points",
        "baseline": "20",
        "target": "40",
        "plan": PLAN,
        "relevance": RELEVANCE,
        "target_date": days(60).isoformat(),
        **fields,
    }


def test_the_live_checklist_answers_an_empty_post(client, mentee, mentorship):
    # An empty body left the form unbound, and an unbound form has no cleaned data.
    client.force_login(mentee)
    response = client.post(reverse("goals:check", args=[mentorship.pk]))
    assert response.status_code == 200
    assert not any(response.json()["criteria"].values())


@pytest.mark.parametrize("target", ["0", "12:30", "review", "//evil.example/x"])
def test_a_comment_ignores_a_next_that_is_no_path_here(client, mentor, make_goal, target):
    # redirect() tried "next" as a URL name first: "0" or "12:30" crashed after saving.
    goal = make_goal(GoalStatus.IN_PROGRESS)
    client.force_login(mentor)
    response = client.post(
        reverse("goals:comment", args=[goal.pk]), {"body": "Nice progress!", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == goal.get_absolute_url()
    assert goal.comments.count() == 1


@pytest.mark.parametrize("baseline", ["99999999999", "12345678901.5", "1.005"])
def test_a_baseline_the_database_cannot_hold_is_refused_by_the_form(
    client, mentee, mentorship, baseline
):
    # The form allowed 12 digits in any place; the column keeps 10 before the point and
    # 2 after. SQLite saved it anyway and the goal page crashed reading it back.
    client.force_login(mentee)
    response = client.post(
        reverse("goals:create", args=[mentorship.pk]), _goal_post(baseline=baseline)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["baseline"]
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    "rows",
    [
        {"milestones-0-title": "Design\x00 the model", "milestones-1-title": "Deploy"},
        {"milestones": "Design the model\nDe\x00ploy"},
    ],
)
def test_a_milestone_title_with_a_null_character_is_refused(client, mentee, mentorship, rows):
    # The widget reads titles straight from the POST, past CharField's NUL check: SQLite
    # stored them, PostgreSQL crashed on them.
    client.force_login(mentee)
    response = client.post(
        reverse("goals:create", args=[mentorship.pk]),
        _goal_post(measure="milestones", baseline="", target="", **rows),
    )
    assert response.status_code == 200
    assert "null characters are not allowed" in str(response.context["form"].errors["milestones"])
    assert not Goal.objects.exists()


def test_a_progress_value_the_database_cannot_hold_is_refused(client, mentee, make_goal):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    client.force_login(mentee)
    response = client.post(reverse("goals:progress", args=[goal.pk]), {"value": "99999999999"})
    assert response.status_code == 200
    assert response.context["progress_form"].errors["value"]
    assert not ProgressUpdate.objects.exists()
