"""Issue #15, the goal form as a mentee meets it: errors that still apply, once, next to
their field; drafts saved unfinished; the measure's own fields; the first goal idea; and
on the goal page, milestone dates and the mentor's review feedback among the comments."""

import re
from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from goals import services, smart
from goals.forms import GoalForm
from goals.models import Goal, GoalStatus, Milestone
from matching.models import Mentorship, MentorshipRequest
from tests.goals.conftest import MakeGoal, days, goal_form_data, milestones_draft

pytestmark = pytest.mark.django_db

VAGUE = {
    "title": "get better at Python",
    "outcome": "Be good.",
    "measure": "",
    "plan": "Practise.",
    "relevance": "",
    "target_date": "",
}


def _create(client: Client, mentorship: Mentorship, data: dict[str, str]) -> object:
    return client.post(reverse("goals:create", args=[mentorship.pk]), data)


def _fields_in_error(html: str) -> set[str]:
    """The fields the page marks as wrong: crispy-forms' feedback next to each one."""
    return set(re.findall(r'id="id_(\w+)_error"', html))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_a_vague_goal_then_a_good_one_shows_no_stale_errors(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    client.force_login(mentee)
    first = _create(client, mentorship, {**VAGUE, "intent": "submit"})
    html = first.content.decode()
    assert first.status_code == 200
    assert _fields_in_error(html) == {
        "title",
        "outcome",
        "measure",
        "plan",
        "relevance",
        "target_date",
    }
    assert "This field is required." not in html

    # Half fixed: only what is still wrong is flagged.
    half = goal_form_data(plan="Practise.", relevance="", intent="submit")
    html = _create(client, mentorship, half).content.decode()
    assert _fields_in_error(html) == {"plan", "relevance"}

    done = _create(client, mentorship, goal_form_data(intent="submit"))
    goal = Goal.objects.get()
    assert done.status_code == 302 and done.url == goal.get_absolute_url()
    assert goal.status == GoalStatus.SUBMITTED
    page = client.get(goal.get_absolute_url()).content.decode()
    assert "is-invalid" not in page and "Sent to your mentor for review." in page


def test_each_error_shows_once_next_to_its_field_and_is_not_the_help_text(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    client.force_login(mentee)
    response = _create(client, mentorship, {**VAGUE, "title": "", "intent": "submit"})
    form = response.context["form"]
    html = response.content.decode()
    assert set(form.errors) == _fields_in_error(html)
    assert not form.non_field_errors()
    for name, errors in form.errors.items():
        assert len(errors) == 1, (name, errors)
        message = errors[0]
        # Not the help text again, nor a rewording of it.
        help_words = _words(str(form.fields[name].help_text))
        if help_words:
            assert " ".join(help_words) not in " ".join(_words(message))
            assert _words(message)[:3] != help_words[:3], (message, help_words)
        # Once on the page, inside the field's own feedback.
        escaped = message.replace("'", "&#x27;")
        assert html.count(escaped) == 1, message
        feedback = re.search(rf'id="id_{name}_error".*?</div>', html, re.S)
        assert feedback and escaped in feedback.group(0)


@pytest.mark.parametrize(
    "broken",
    [
        {"plan": "Soon."},
        {"title": "Improve"},
        {"measure": ""},
        {"target_date": ""},
        {"milestones-1-title": "", "milestones-2-title": ""},
    ],
)
def test_the_checklist_and_the_errors_agree(
    client: Client, mentorship: Mentorship, mentee: User, broken: dict[str, str]
) -> None:
    client.force_login(mentee)
    response = _create(client, mentorship, goal_form_data(intent="submit", **broken))
    checklist, errors = response.context["checklist"], response.context["form"].errors
    live = client.post(
        reverse("goals:check", args=[mentorship.pk]), goal_form_data(**broken)
    ).json()
    assert live["criteria"] == checklist
    assert set(live["errors"]) == set(errors)
    for criterion, met in checklist.items():
        flagged = [name for name in smart.CRITERIA[criterion] if name in errors]
        assert met == (not flagged), (criterion, flagged)


def test_a_draft_needs_only_a_title_and_shows_as_a_draft(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    client.force_login(mentee)
    response = _create(client, mentorship, {"title": "Speak at a meetup", "intent": "draft"})
    goal = Goal.objects.get()
    assert response.status_code == 302 and response.url == goal.get_absolute_url()
    assert goal.status == GoalStatus.DRAFT
    assert goal.measure == "" and goal.target_date is None and goal.outcome == ""
    page = client.get(goal.get_absolute_url()).content.decode()
    assert "Not written yet." in page and "No target date yet" in page
    listing = client.get(mentorship.get_absolute_url()).content.decode()
    assert re.search(r"Speak at a meetup</a>\s*<span[^>]*>Draft</span>", listing)


def test_a_draft_without_a_title_is_refused_with_one_message(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    client.force_login(mentee)
    response = _create(client, mentorship, {"outcome": "Something", "intent": "draft"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"title": ["Give the goal a short title."]}
    assert not Goal.objects.exists()


def test_an_unfinished_draft_cannot_be_submitted_until_it_is_completed(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    client.force_login(mentee)
    _create(client, mentorship, {"title": "Speak at a meetup", "intent": "draft"})
    goal = Goal.objects.get()
    refused = client.post(reverse("goals:submit", args=[goal.pk]), follow=True)
    assert "outcome" in refused.context["form"].errors
    goal.refresh_from_db()
    assert goal.status == GoalStatus.DRAFT

    # Reopened, it is as it was left, and completing it submits it.
    edit = client.get(reverse("goals:edit", args=[goal.pk]))
    assert 'value="Speak at a meetup"' in edit.content.decode()
    assert edit.context["checklist"]["specific"] is False
    client.post(reverse("goals:edit", args=[goal.pk]), goal_form_data(intent="submit"))
    goal.refresh_from_db()
    assert goal.status == GoalStatus.SUBMITTED and goal.milestones.count() == 3


def test_a_metric_draft_may_lack_a_number_until_submitted(
    mentorship: Mentorship, mentee: User
) -> None:
    draft = smart.GoalDraft(title="Give three talks", measure="metric", baseline=Decimal(0))
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=draft)
    assert goal.baseline == 0 and goal.target is None
    with pytest.raises(Exception, match="Where do you want to get to"):
        services.submit_goal(goal=goal, by=mentee)


def test_a_draft_cannot_end_before_it_starts(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    client.force_login(mentee)
    response = _create(
        client,
        mentorship,
        {"title": "Speak at a meetup", "target_date": days(-1).isoformat(), "intent": "draft"},
    )
    assert response.context["form"].errors == {"target_date": ["Pick a date in the future."]}


@pytest.mark.parametrize("intent", ["draft", "submit"])
def test_number_fields_are_ignored_for_a_milestones_goal(
    client: Client, mentorship: Mentorship, mentee: User, intent: str
) -> None:
    client.force_login(mentee)
    data = goal_form_data(
        intent=intent, metric_name="talks", metric_unit="talks", baseline="oops", target="3"
    )
    response = _create(client, mentorship, data)
    goal = Goal.objects.get()
    assert response.status_code == 302
    assert (goal.baseline, goal.target, goal.metric_name, goal.metric_unit) == (None, None, "", "")
    assert goal.milestones.count() == 3


def test_milestone_rows_are_ignored_for_a_metric_goal(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    client.force_login(mentee)
    data = goal_form_data(
        intent="submit",
        title="Give 3 talks at meetups this year",
        measure="metric",
        metric_name="talks given",
        baseline="0",
        target="3",
        **{"milestones-1-due": "not a date"},
    )
    assert _create(client, mentorship, data).status_code == 302
    goal = Goal.objects.get()
    assert goal.target == 3 and not Milestone.objects.exists()


def test_the_number_fields_say_when_they_apply(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    client.force_login(mentee)
    html = client.get(reverse("goals:create", args=[mentorship.pk])).content.decode()
    for label in ("What you will count", "Unit", "Where you are today", "Target"):
        assert f"{label} (for a number)" in html
    assert 'data-measure="metric"' in html and "For a number only" in html


def _idea(mentorship: Mentorship, idea: str) -> None:
    MentorshipRequest.objects.filter(pk=mentorship.request_id).update(first_goal=idea)


def test_the_first_goal_idea_starts_the_first_goal(
    client: Client, mentorship: Mentorship, mentee: User, make_goal: MakeGoal
) -> None:
    _idea(mentorship, "Give a talk at the Python meetup")
    client.force_login(mentee)
    url = reverse("goals:create", args=[mentorship.pk])
    html = client.get(url).content.decode()
    assert 'name="title" value="Give a talk at the Python meetup"' in html
    assert "first goal idea in your request" in html
    make_goal()
    html = client.get(url).content.decode()
    assert "Give a talk at the Python meetup" not in html


def test_a_long_first_goal_idea_fills_the_outcome_too(
    client: Client, mentorship: Mentorship, mentee: User
) -> None:
    idea = "Move from support into backend engineering " + "by shipping real features " * 5
    _idea(mentorship, idea)
    client.force_login(mentee)
    form = client.get(reverse("goals:create", args=[mentorship.pk])).context["form"]
    assert len(form.initial["title"]) <= 120
    assert form.initial["outcome"] == " ".join(idea.split())
    assert GoalForm.initial_from_idea("") == {}


def test_the_goal_page_shows_milestone_due_dates_and_what_is_late(
    client: Client, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    today = timezone.localdate()
    first, second, *_ = goal.milestones.all()
    Milestone.objects.filter(pk=first.pk).update(due_on=today - timedelta(days=3))
    Milestone.objects.filter(pk=second.pk).update(due_on=today - timedelta(days=1))
    client.force_login(mentee)
    html = client.get(goal.get_absolute_url()).content.decode()
    assert f"due {today - timedelta(days=3):%-d %b %Y}" in html
    assert "overdue by 3 days" in html and "overdue by 1 day<" in html
    assert f"due {days(30):%-d %b %Y}" in html


def test_review_feedback_shows_among_the_comments(
    client: Client, make_goal: MakeGoal, mentee: User, mentor: User
) -> None:
    goal = make_goal(GoalStatus.CHANGES_REQUESTED)
    for who in (mentee, mentor):
        client.force_login(who)
        html = client.get(goal.get_absolute_url()).content.decode()
        comments = html.split('id="comments-heading"')[1].split("</section>")[0]
        badge = re.search(r'class="badge goal-decision[^"]*">(.*?)</span>\s*</div>', comments)
        assert badge and badge.group(1).endswith("Changes requested")
        assert "Name the two client teams." in comments
        assert "No comments yet." not in html


def test_comments_and_review_feedback_are_in_the_order_written(
    client: Client, make_goal: MakeGoal, mentee: User, mentor: User
) -> None:
    goal = make_goal(GoalStatus.SUBMITTED)
    services.comment_on_goal(goal=goal, by=mentee, body="Ready when you are.")
    services.review_goal(goal=goal, by=mentor, approve=False, comment="Say which teams.")
    services.comment_on_goal(goal=goal, by=mentee, body="Done, thanks.")
    client.force_login(mentee)
    html = client.get(goal.get_absolute_url()).content.decode()
    positions = [html.index(t) for t in ("Ready when", "Say which teams.", "Done, thanks.")]
    assert positions == sorted(positions)


def test_a_goal_without_comments_or_feedback_says_so(
    client: Client, make_goal: MakeGoal, mentee: User
) -> None:
    goal = make_goal(GoalStatus.APPROVED)  # approved without a word
    client.force_login(mentee)
    assert "No comments yet." in client.get(goal.get_absolute_url()).content.decode()


def test_the_review_board_lists_an_undated_draft(
    client: Client, mentorship: Mentorship, mentee: User, mentor: User
) -> None:
    draft = smart.GoalDraft(title="Speak at a meetup")
    services.save_goal(mentorship=mentorship, by=mentee, draft=draft)
    client.force_login(mentor)
    html = client.get(reverse("goals:review-board")).content.decode()
    assert "Speak at a meetup" in html and "No target date yet" in html
