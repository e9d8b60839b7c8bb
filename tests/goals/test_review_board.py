"""The mentor's review board: every mentee's goals, with what needs attention."""

import re

from django.urls import reverse

import pytest

from goals import services
from goals.models import Goal, GoalComment, GoalStatus
from goals.selectors import review_board
from tests.factories import ProfileFactory, mentorship_between
from tests.goals.conftest import days, metric_draft, milestones_draft

pytestmark = pytest.mark.django_db

BOARD = reverse("goals:review-board")


def _second_mentee(mentor):
    mentee = ProfileFactory(wants_mentoring=True, display_name="Zoe Second").user
    return mentorship_between(mentee, mentor)


def test_the_board_flags_goals_to_review_and_overdue_ones(client, make_goal, mentor):
    waiting = make_goal(GoalStatus.SUBMITTED)
    late = make_goal(
        GoalStatus.IN_PROGRESS, draft=metric_draft(title="Give three talks at meetups")
    )
    Goal.objects.filter(pk=late.pk).update(starts_on=days(-30), target_date=days(-2))
    client.force_login(mentor)
    html = client.get(BOARD).content.decode()
    assert waiting.title in html and late.title in html
    assert "1 goal waits for your review." in html
    assert html.count("flag-review") == 1 and html.count("flag-overdue") == 1
    assert html.index(waiting.title) < html.index(late.title)  # reviews come first
    assert "▼ Behind" in html  # past its date with no progress


def test_late_milestones_and_the_next_one_are_named(client, make_goal, mentor):
    goal = make_goal(GoalStatus.IN_PROGRESS, draft=milestones_draft())
    goal.milestones.filter(position=0).update(due_on=days(-1))
    client.force_login(mentor)
    html = client.get(BOARD).content.decode()
    assert "“Design the data model” was due" in html
    assert "Next: “Add token authentication”" not in html  # the late one comes first
    board = review_board(mentor)
    row = board[0].goals[0]
    assert [m.title for m in row.late_milestones] == ["Design the data model"]


def test_the_board_lists_each_mentee_and_only_the_mentors_own(client, make_goal, mentor):
    make_goal(GoalStatus.SUBMITTED)
    other = _second_mentee(mentor)
    other_goal = Goal.objects.create(
        mentorship=other,
        title="Publish two blog posts",
        outcome="x" * 40,
        measure="metric",
        metric_name="posts",
        baseline=0,
        target=2,
        plan="p" * 50,
        relevance="r" * 40,
        target_date=days(30),
    )
    someone_else = ProfileFactory(wants_to_mentor=True).user
    client.force_login(someone_else)
    html = client.get(BOARD).content.decode()
    assert "You have no active mentees yet" in html and other_goal.title not in html
    client.force_login(mentor)
    html = client.get(BOARD).content.decode()
    assert "Zoe Second" in html and other_goal.title in html


def test_the_query_count_does_not_grow_with_goals(
    client, make_goal, mentor, django_assert_max_num_queries
):
    make_goal(GoalStatus.SUBMITTED)
    client.force_login(mentor)
    client.get(BOARD)
    with django_assert_max_num_queries(20) as few:
        client.get(BOARD)
    for i in range(6):
        make_goal(
            GoalStatus.SUBMITTED, draft=milestones_draft(title=f"Ship release {i} to production")
        )
    second = _second_mentee(mentor)
    GoalComment.objects.create(goal=Goal.objects.first(), author=mentor, body="Looks good")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BOARD)
    assert "Ship release 5 to production" in response.content.decode()
    assert second.mentee.profile.display_name in response.content.decode()


def test_commenting_from_the_board_returns_to_the_board(client, make_goal, mentor, mentee):
    goal = make_goal(GoalStatus.SUBMITTED)
    client.force_login(mentor)
    back = f"{BOARD}#goal-{goal.pk}"
    response = client.post(
        reverse("goals:comment", args=[goal.pk]), {"body": "Which teams?", "next": back}
    )
    assert response.status_code == 302 and response.url == back
    assert goal.comments.get().body == "Which teams?"
    assert "Which teams?" in client.get(BOARD).content.decode()


def test_an_outside_next_address_is_ignored(client, make_goal, mentor):
    goal = make_goal(GoalStatus.SUBMITTED)
    client.force_login(mentor)
    response = client.post(
        reverse("goals:comment", args=[goal.pk]),
        {"body": "Hello", "next": "https://evil.example/steal"},
    )
    assert response.url == goal.get_absolute_url()


def test_the_navbar_counts_goals_waiting_for_review(client, make_goal, mentor, mentee):
    make_goal(GoalStatus.SUBMITTED)
    client.force_login(mentor)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'aria-label="1 waiting for your review"' in html
    client.force_login(mentee)
    assert "waiting for your review" not in client.get(reverse("dashboard")).content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(BOARD)
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("who", ["mentee", "staff"])
def test_people_who_mentor_no_one_see_an_empty_board(client, make_goal, mentee, staff, who):
    goal = make_goal(GoalStatus.SUBMITTED)
    client.force_login({"mentee": mentee, "staff": staff}[who])
    response = client.get(BOARD)
    assert response.status_code == 200 and goal.title not in response.content.decode()


def _board_row(html, goal):
    """The board's entry for one goal."""
    return html.split(f'id="goal-{goal.pk}"')[1].split("</li>\n    \n")[0]


def test_review_feedback_is_among_the_comments_on_the_board(client, make_goal, mentor, mentee):
    goal = make_goal(GoalStatus.SUBMITTED)
    services.comment_on_goal(goal=goal, by=mentee, body="Ready when you are.")
    services.review_goal(goal=goal, by=mentor, approve=False, comment="Say which teams.")
    services.comment_on_goal(goal=goal, by=mentee, body="Two client teams, thanks.")
    client.force_login(mentor)
    row = _board_row(client.get(BOARD).content.decode(), goal)
    assert "Comments (3)" in row
    assert "No comments yet." not in row
    assert re.search(r'class="badge goal-decision text-bg-warning">.*Changes requested<', row)
    positions = [row.index(t) for t in ("Ready when", "Say which teams.", "Two client teams")]
    assert positions == sorted(positions)


def test_the_board_shows_the_latest_few_of_comments_and_feedback(client, make_goal, mentor, mentee):
    goal = make_goal(GoalStatus.SUBMITTED)
    for n in range(3):
        services.comment_on_goal(goal=goal, by=mentee, body=f"Early note {n}.")
    services.review_goal(goal=goal, by=mentor, approve=False, comment="Say which teams.")
    client.force_login(mentor)
    row = _board_row(client.get(BOARD).content.decode(), goal)
    assert "Comments (4)" in row and "See all comments" in row
    assert "Say which teams." in row and "Early note 0." not in row


def test_a_goal_without_comments_or_feedback_says_so_on_the_board(client, make_goal, mentor):
    goal = make_goal(GoalStatus.APPROVED)  # approved without a word
    client.force_login(mentor)
    row = _board_row(client.get(BOARD).content.decode(), goal)
    assert "Comments (0)" in row and "No comments yet." in row


def test_another_mentor_never_sees_the_feedback(client, make_goal, mentor):
    make_goal(GoalStatus.CHANGES_REQUESTED)  # "Name the two client teams."
    someone_else = ProfileFactory(wants_to_mentor=True).user
    client.force_login(someone_else)
    assert "Name the two client teams." not in client.get(BOARD).content.decode()
    client.force_login(mentor)
    assert "Name the two client teams." in client.get(BOARD).content.decode()
