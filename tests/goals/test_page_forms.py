"""The goal and meeting pages' forms, as rendered by crispy-forms: every field has its
label, a rejected form shows each error with its field, and what was typed stays."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from goals.models import Goal, GoalStatus, Meeting
from goals.services import meetings, obstacles
from matching.models import Mentorship
from tests.form_html import error_of, has_error, help_of, label_of, options_of, value_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(make_goal) -> Goal:
    return make_goal(GoalStatus.IN_PROGRESS)


@pytest.fixture
def past_meeting(mentorship: Mentorship, mentee: User) -> Meeting:
    meeting = meetings.schedule_meeting(
        mentorship=mentorship,
        by=mentee,
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=45,
        format="video",
        agenda="Plan the quarter.",
    )
    # Scheduling refuses the past; a meeting that happened was scheduled back then.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(days=1))
    return meeting


def _goal_page(client: Client, goal: Goal) -> str:
    response = client.get(reverse("goals:detail", args=[goal.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _post(client: Client, name: str, pk: int, data: dict[str, str]) -> str:
    response = client.post(reverse(name, args=[pk]), data)
    assert response.status_code == 200  # the page again, with the form's errors
    return response.content.decode()


def test_goal_page_forms_are_labelled(client: Client, mentee: User, goal: Goal) -> None:
    client.force_login(mentee)
    page = _goal_page(client, goal)
    assert label_of(page, "id_value") == f"New value of {goal.metric_name}"
    assert label_of(page, "id_note") == "Note"
    assert label_of(page, "id_body") == "Comment"
    assert label_of(page, "id_obstacle_category") == "What kind of obstacle?"
    assert help_of(page, "id_obstacle_description") == (
        "Your mentor reads this and answers with advice."
    )
    for field_id in ("id_value", "id_note", "id_body", "id_obstacle_description"):
        assert not has_error(page, field_id)


def test_rejected_progress_keeps_the_value_and_note_typed(
    client: Client, mentee: User, goal: Goal
) -> None:
    client.force_login(mentee)
    page = _post(client, "goals:progress", goal.pk, {"value": "abc", "note": "Ran <two> demos"})
    assert error_of(page, "id_value") == "Enter a number."
    assert value_of(page, "id_value") == "abc"
    assert value_of(page, "id_note") == "Ran <two> demos"
    assert not has_error(page, "id_note")


def test_an_empty_comment_is_refused_next_to_its_field(
    client: Client, mentee: User, goal: Goal
) -> None:
    client.force_login(mentee)
    page = _post(client, "goals:comment", goal.pk, {"body": "  "})
    assert error_of(page, "id_body") == "This field is required."


def test_a_rejected_obstacle_keeps_its_kind_and_says_what_is_missing(
    client: Client, mentee: User, goal: Goal
) -> None:
    client.force_login(mentee)
    page = _post(client, "goals:obstacle-flag", goal.pk, {"category": "time", "description": ""})
    assert error_of(page, "id_obstacle_description") == "This field is required."
    assert help_of(page, "id_obstacle_description").startswith("Your mentor reads this")
    assert value_of(page, "id_obstacle_category") == "Time"
    assert not has_error(page, "id_obstacle_category")


def test_each_open_obstacle_has_its_own_advice_field_and_error(
    client: Client, mentee: User, mentor: User, goal: Goal
) -> None:
    first, second = (
        obstacles.flag_obstacle(goal=goal, by=mentee, category=kind, description=text)
        for kind, text in (("time", "Busy quarter."), ("skills", "New to SQL."))
    )
    client.force_login(mentor)
    page = _goal_page(client, goal)
    for obstacle in (first, second):
        assert label_of(page, f"id_obstacle{obstacle.pk}_advice") == "Your advice"

    page = _post(client, "goals:obstacle-advise", second.pk, {"advice": ""})
    assert error_of(page, f"id_obstacle{second.pk}_advice") == "This field is required."
    assert not has_error(page, f"id_obstacle{first.pk}_advice")


def test_asking_for_changes_without_a_comment_is_refused_next_to_it(
    client: Client, mentor: User, make_goal
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    client.force_login(mentor)
    assert help_of(_goal_page(client, goal), "id_comment").startswith("Needed when asking")
    page = _post(client, "goals:review", goal.pk, {"decision": "changes", "comment": ""})
    assert error_of(page, "id_comment")
    assert help_of(page, "id_comment").startswith("Needed when asking")


def test_meeting_forms_keep_what_was_typed_and_show_errors_with_their_fields(
    client: Client, mentee: User, mentor: User, mentorship: Mentorship, past_meeting: Meeting
) -> None:
    client.force_login(mentee)
    page = client.get(reverse("goals:meeting-detail", args=[past_meeting.pk])).content.decode()
    assert label_of(page, "id_body") == "Note"
    assert help_of(page, "id_is_private").startswith("Private notes are never shown")
    assert label_of(page, "id_title") == "What will be done"
    assert set(options_of(page, "id_owner")) == {mentee.get_full_name(), mentor.get_full_name()}

    page = _post(
        client,
        "goals:meeting-action",
        past_meeting.pk,
        {"title": "Book the <big> room", "owner": str(mentor.pk), "due_on": "soon"},
    )
    assert error_of(page, "id_due_on") == "Enter a valid date."
    assert value_of(page, "id_due_on") == "soon"
    assert value_of(page, "id_title") == "Book the <big> room"
    assert value_of(page, "id_owner") == mentor.get_full_name()
    assert not has_error(page, "id_title")

    page = _post(client, "goals:meeting-note", past_meeting.pk, {"body": "", "is_private": "on"})
    assert error_of(page, "id_body") == "This field is required."
    assert value_of(page, "id_is_private") == "on"
