"""Closing a goal from its page: the endings its status allows, errors kept in place."""

import re

from django.urls import reverse

import pytest

from goals.models import GoalEvent, GoalStatus

pytestmark = pytest.mark.django_db


def _endings(html: str) -> list[str]:
    form = html.split('id="close-heading"', 1)[1].split("</form>", 1)[0]
    return re.findall(r'name="outcome" value="([^"]+)"', form)


def test_a_goal_in_progress_can_end_three_ways(client, make_goal, mentee):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    client.force_login(mentee)
    html = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert _endings(html) == ["achieved", "not_achieved", "abandoned"]


@pytest.mark.parametrize("status", [GoalStatus.DRAFT, GoalStatus.APPROVED])
def test_a_goal_not_started_can_only_be_abandoned(client, make_goal, mentee, status):
    goal = make_goal(status)
    client.force_login(mentee)
    html = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert _endings(html) == ["abandoned"]


@pytest.mark.parametrize("status", [GoalStatus.SUBMITTED, GoalStatus.ACHIEVED])
def test_no_close_form_while_in_review_or_once_closed(client, make_goal, mentee, status):
    goal = make_goal(status)
    client.force_login(mentee)
    html = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert 'id="close-heading"' not in html


def test_the_mentor_is_not_offered_to_close(client, make_goal, mentor):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    client.force_login(mentor)
    html = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert 'id="close-heading"' not in html
    response = client.post(reverse("goals:close", args=[goal.pk]), {"outcome": "achieved"})
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.status == GoalStatus.IN_PROGRESS


def test_the_mentee_closes_a_goal_with_a_word_about_it(client, make_goal, mentee):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    client.force_login(mentee)
    response = client.post(
        reverse("goals:close", args=[goal.pk]),
        {"outcome": "achieved", "comment": "Gave the talk to 45 people."},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == goal.get_absolute_url()
    html = response.content.decode()
    assert "Goal closed as achieved" in html and 'id="close-heading"' not in html
    goal.refresh_from_db()
    assert goal.status == GoalStatus.ACHIEVED
    event = GoalEvent.objects.filter(goal=goal).latest("pk")
    assert (event.to_status, event.comment) == ("achieved", "Gave the talk to 45 people.")


def test_no_ending_chosen_says_so_next_to_the_field_and_keeps_the_comment(
    client, make_goal, mentee
):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    events = GoalEvent.objects.count()
    client.force_login(mentee)
    response = client.post(
        reverse("goals:close", args=[goal.pk]), {"comment": "Ran out of time this quarter."}
    )
    assert response.status_code == 200
    form = response.content.decode().split('id="close-heading"', 1)[1].split("</form>", 1)[0]
    assert "This field is required." in form
    assert "Ran out of time this quarter." in form
    goal.refresh_from_db()
    assert goal.status == GoalStatus.IN_PROGRESS and GoalEvent.objects.count() == events


def test_an_ending_the_status_does_not_allow_is_refused_next_to_the_field(
    client, make_goal, mentee
):
    goal = make_goal(GoalStatus.DRAFT)
    client.force_login(mentee)
    response = client.post(reverse("goals:close", args=[goal.pk]), {"outcome": "achieved"})
    assert response.status_code == 200
    form = response.content.decode().split('id="close-heading"', 1)[1].split("</form>", 1)[0]
    assert "Select a valid choice" in form
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DRAFT


def test_strangers_and_anonymous_cannot_close(client, make_goal, stranger):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    url = reverse("goals:close", args=[goal.pk])
    response = client.post(url, {"outcome": "abandoned"})
    assert response.status_code == 302 and "login" in response.url
    client.force_login(stranger)
    assert client.post(url, {"outcome": "abandoned"}).status_code == 404
    goal.refresh_from_db()
    assert goal.status == GoalStatus.IN_PROGRESS
