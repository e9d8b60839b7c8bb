"""Issue #15: "Submit for review" on a goal that is not SMART yet lands on the goal form
with each problem next to its field, once, and everything typed still there; the same
as the form itself reports them."""

import re
from datetime import timedelta

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from goals import services, smart
from goals.forms import GoalForm
from goals.models import Goal, GoalStatus
from matching.models import Cohort, Mentorship
from matching.services import join_cohort
from tests.factories import ProfileFactory
from tests.goals.conftest import MakeGoal, days, metric_draft

pytestmark = pytest.mark.django_db


def _fields_in_error(html: str) -> set[str]:
    return set(re.findall(r'id="id_(\w+)_error"', html))


def _vague(mentorship: Mentorship, mentee: User) -> Goal:
    draft = smart.GoalDraft(
        title="Speak at a meetup", outcome="Be good.", plan="Practise.", target_date=days(40)
    )
    return services.save_goal(mentorship=mentorship, by=mentee, draft=draft)


def _submit(client: Client, goal: Goal) -> object:
    return client.post(reverse("goals:submit", args=[goal.pk]))


def test_submitting_an_incomplete_goal_lands_on_the_form_with_its_field_errors(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    goal = _vague(mentorship, mentee)
    client.force_login(mentee)
    response = _submit(client, goal)
    assert response.status_code == 302
    assert response.url == reverse("goals:edit", args=[goal.pk]) + "?check=submit"

    page = client.get(response.url)
    html = page.content.decode()
    form = page.context["form"]
    expected = {"outcome", "measure", "plan", "relevance"}
    assert _fields_in_error(html) == set(form.errors) == expected
    # What the mentee typed is all there, ready to fix.
    assert 'value="Speak at a meetup"' in html and "\nBe good.</textarea>" in html
    assert f'value="{days(40).isoformat()}"' in html
    # Not the refusal as one message above the form: each problem once, by its field.
    assert "Edit the goal before submitting it" not in html
    assert "This field is required." not in html
    for name, errors in form.errors.items():
        assert len(errors) == 1, (name, errors)
        assert html.count(errors[0].replace("'", "&#x27;")) == 1, errors[0]
    assert "Not sent yet" in html
    # The checklist agrees with the errors.
    assert page.context["checklist"]["time_bound"] is True
    assert page.context["checklist"]["specific"] is False
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DRAFT


def test_only_what_is_still_wrong_is_flagged(
    client: Client, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal()
    Goal.objects.filter(pk=goal.pk).update(relevance="")
    client.force_login(mentee)
    page = client.get(_submit(client, goal).url)
    assert set(page.context["form"].errors) == {"relevance"}
    assert _fields_in_error(page.content.decode()) == {"relevance"}


def test_fixing_the_fields_then_submits_with_no_stale_errors(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    goal = _vague(mentorship, mentee)
    client.force_login(mentee)
    url = _submit(client, goal).url
    data = client.get(url).context["form"].data
    fixed = {
        **data,
        "outcome": "A 20-minute talk about our test suite, given to at least 30 people.",
        "measure": "milestones",
        "milestones-0-title": "Outline the talk",
        "milestones-1-title": "Give the talk",
        "plan": "Pick the topic this week, outline it, rehearse twice with my mentor.",
        "relevance": "Speaking in public is what my target role of tech lead asks of me.",
        "intent": "submit",
    }
    done = client.post(url, fixed, follow=True)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.SUBMITTED
    html = done.content.decode()
    assert "Sent to your mentor for review." in html
    assert "is-invalid" not in html and "Not sent yet" not in html


def test_the_form_built_from_a_goal_posts_what_was_saved(make_goal: MakeGoal) -> None:
    goal = Goal.objects.get(pk=make_goal().pk)
    data = GoalForm.data_for(goal, submit=True)
    assert data["baseline"] == "20.00" and data["target_date"] == days(60).isoformat()
    assert data["intent"] == "submit" and data["submission"]
    form = GoalForm(data, programme_ends=None, today=days(0))
    assert form.is_valid(), form.errors
    assert form.draft().title == goal.title


def test_a_goal_already_under_review_gets_the_plain_refusal(
    client: Client, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    client.force_login(mentee)
    response = _submit(client, goal)
    assert response.status_code == 302 and response.url == goal.get_absolute_url()
    assert any("can't become" in str(m) for m in get_messages(response.wsgi_request))


def test_a_past_date_on_a_draft_is_flagged_on_its_field(
    client: Client, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal()
    Goal.objects.filter(pk=goal.pk).update(
        starts_on=days(-30), target_date=days(0) - timedelta(days=1)
    )
    client.force_login(mentee)
    page = client.get(_submit(client, goal).url)
    assert "target_date" in page.context["form"].errors


def test_the_check_is_only_for_goals_that_can_still_be_edited(
    client: Client, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    client.force_login(mentee)
    page = client.get(reverse("goals:edit", args=[goal.pk]) + "?check=submit")
    assert not page.context["form"].is_bound


def _other_cohort_member() -> User:
    person = ProfileFactory(wants_mentoring=True, enrolled=False).user
    join_cohort(
        user=person, cohort=Cohort.objects.create(name="Other", slug="other"), role="mentee"
    )
    return person


@pytest.mark.parametrize(
    ("who", "status"),
    [("mentee", 302), ("mentor", 403), ("stranger", 404), ("other_cohort", 404), ("staff", 404)],
)
def test_who_may_submit_and_see_the_checked_form(
    client: Client,
    mentorship: Mentorship,
    mentee: User,
    mentor: User,
    stranger: User,
    staff: User,
    who: str,
    status: int,
) -> None:
    goal = _vague(mentorship, mentee)
    people = {
        "mentee": mentee,
        "mentor": mentor,
        "stranger": stranger,
        "other_cohort": _other_cohort_member(),
        "staff": staff,
    }
    client.force_login(people[who])
    assert _submit(client, goal).status_code == status
    checked = client.get(reverse("goals:edit", args=[goal.pk]) + "?check=submit")
    assert checked.status_code == (200 if who in ("mentee", "mentor") else 404)
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DRAFT


def test_anonymous_is_sent_to_login(client: Client, mentorship: Mentorship, mentee: User) -> None:
    goal = _vague(mentorship, mentee)
    for response in (
        _submit(client, goal),
        client.get(reverse("goals:edit", args=[goal.pk]) + "?check=submit"),
    ):
        assert response.status_code == 302 and "login" in response.url
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.DRAFT


def test_a_metric_goal_is_checked_too(client: Client, make_goal: MakeGoal, mentee: User) -> None:
    goal = make_goal(draft=metric_draft(metric_name=""))
    client.force_login(mentee)
    page = client.get(_submit(client, goal).url)
    assert set(page.context["form"].errors) == {"metric_name"}
    assert 'value="20.00"' in page.content.decode()
