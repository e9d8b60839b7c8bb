"""Obstacles: the mentee flags, the mentor advises, either side resolves; history is kept."""

from contextlib import AbstractContextManager

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

import pytest

from accounts.models import User
from core.outbox.models import OutboxEmail
from goals.models import Goal, GoalStatus, Obstacle, ObstacleCategory
from goals.services import close_goal, obstacles
from matching.models import MentorshipStatus
from matching.services import end_mentorship
from tests.goals.conftest import MakeGoal
from tests.helpers import emails, refused

pytestmark = pytest.mark.django_db

BLOCKER = "I can't get access to the production logs without a ticket to the ops team."


def _snapshot() -> tuple[list[tuple], int]:
    rows = Obstacle.objects.order_by("pk").values_list(
        "pk", "description", "advice", "advised_at", "resolved_at", "resolution"
    )
    return list(rows), OutboxEmail.objects.count()


def _refused(error: type[Exception], match: str = "") -> AbstractContextManager[None]:
    """The call raises ``error`` and leaves every obstacle and the outbox as they were."""
    return refused(_snapshot, match, error=error)


@pytest.fixture
def goal(make_goal: MakeGoal) -> Goal:
    return make_goal(GoalStatus.IN_PROGRESS)


@pytest.fixture
def obstacle(goal: Goal, mentee: User) -> Obstacle:
    return obstacles.flag_obstacle(
        goal=goal, by=mentee, category=ObstacleCategory.ACCESS, description=BLOCKER
    )


# Flagging


def test_the_mentee_flags_an_obstacle_and_the_mentor_is_emailed_once(goal, mentee, mentor):
    obstacle = obstacles.flag_obstacle(
        goal=goal, by=mentee, category="time", description=f"  {BLOCKER}  "
    )
    assert obstacle.description == BLOCKER and obstacle.raised_by == mentee
    assert obstacle.category == ObstacleCategory.TIME and not obstacle.is_resolved
    (email,) = emails("obstacle_flagged")
    assert email.to == [mentor.email]
    assert BLOCKER in email.body_text and goal.title in email.body_text
    assert f"#obstacle-{obstacle.pk}" in email.body_text


def test_a_draft_goal_can_have_obstacles_too(make_goal, mentee):
    goal = make_goal(GoalStatus.DRAFT)
    assert obstacles.flag_obstacle(goal=goal, by=mentee, category="skills", description=BLOCKER)


@pytest.mark.parametrize("who", ["mentor", "stranger"])
def test_only_the_mentee_flags_obstacles(goal, mentor, stranger, who):
    by = {"mentor": mentor, "stranger": stranger}[who]
    with _refused(PermissionDenied):
        obstacles.flag_obstacle(goal=goal, by=by, category="time", description=BLOCKER)


def test_a_cohort_admin_cannot_flag_obstacles(goal, staff):
    goal.mentorship.cohort.admins.add(staff)
    with _refused(PermissionDenied):
        obstacles.flag_obstacle(goal=goal, by=staff, category="time", description=BLOCKER)


@pytest.mark.parametrize(
    "status", [GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.ABANDONED]
)
def test_a_closed_goal_takes_no_new_obstacles(make_goal, mentee, status):
    goal = make_goal(status)
    with _refused(ValidationError, "closed"):
        obstacles.flag_obstacle(goal=goal, by=mentee, category="time", description=BLOCKER)


def test_an_ended_mentorship_takes_no_new_obstacles(goal, mentee):
    end_mentorship(mentorship=goal.mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED)
    with _refused(ValidationError, "ended"):
        obstacles.flag_obstacle(goal=goal, by=mentee, category="time", description=BLOCKER)


@pytest.mark.parametrize("category", ["", "nope", "TIME"])
def test_an_unknown_category_is_refused_on_its_field(goal, mentee, category):
    with _refused(ValidationError):
        obstacles.flag_obstacle(goal=goal, by=mentee, category=category, description=BLOCKER)
    with pytest.raises(ValidationError) as info:
        obstacles.flag_obstacle(goal=goal, by=mentee, category=category, description=BLOCKER)
    assert "category" in info.value.message_dict


@pytest.mark.parametrize("description", ["", "   \n ", "x" * 2001])
def test_the_description_must_say_something_short_enough(goal, mentee, description):
    with _refused(ValidationError):
        obstacles.flag_obstacle(goal=goal, by=mentee, category="time", description=description)
    with pytest.raises(ValidationError) as info:
        obstacles.flag_obstacle(goal=goal, by=mentee, category="time", description=description)
    assert "description" in info.value.message_dict


# Advice


def test_the_mentor_advises_and_the_mentee_is_emailed_once(obstacle, mentee, mentor):
    advised = obstacles.advise_on_obstacle(
        obstacle=obstacle, by=mentor, advice="  Ask ops for read-only access.  "
    )
    assert advised.advice == "Ask ops for read-only access."
    assert advised.advised_by == mentor and advised.advised_at is not None
    (email,) = emails("obstacle_advice")
    assert email.to == [mentee.email]
    assert "Ask ops for read-only access." in email.body_text and BLOCKER in email.body_text


def test_advising_again_replaces_the_advice_and_emails_again(obstacle, mentor):
    first = obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor, advice="Ask ops.")
    second = obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor, advice="Ask your lead.")
    assert second.advice == "Ask your lead." and second.advised_at >= first.advised_at
    assert Obstacle.objects.get(pk=obstacle.pk).advice == "Ask your lead."
    assert len(emails("obstacle_advice")) == 2


@pytest.mark.parametrize("who", ["mentee", "stranger", "admin"])
def test_only_the_mentor_advises(obstacle, mentee, stranger, staff, who):
    obstacle.goal.mentorship.cohort.admins.add(staff)
    by = {"mentee": mentee, "stranger": stranger, "admin": staff}[who]
    with _refused(PermissionDenied):
        obstacles.advise_on_obstacle(obstacle=obstacle, by=by, advice="Ask ops.")


@pytest.mark.parametrize("advice", ["", "  \n  ", "x" * 3001])
def test_advice_must_say_something_short_enough(obstacle, mentor, advice):
    with _refused(ValidationError):
        obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor, advice=advice)
    with pytest.raises(ValidationError) as info:
        obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor, advice=advice)
    assert "advice" in info.value.message_dict


def test_a_resolved_obstacle_takes_no_more_advice(obstacle, mentee, mentor):
    obstacles.resolve_obstacle(obstacle=obstacle, by=mentee)
    with _refused(ValidationError, "already resolved"):
        obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor, advice="Ask ops.")


def test_no_advice_after_the_mentorship_ended(obstacle, mentee, mentor):
    end_mentorship(
        mentorship=obstacle.goal.mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED
    )
    with _refused(ValidationError, "ended"):
        obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor, advice="Ask ops.")


# Resolving


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_either_side_resolves_and_the_obstacle_stays_in_the_history(
    obstacle, goal, mentee, mentor, who
):
    by = {"mentee": mentee, "mentor": mentor}[who]
    resolved = obstacles.resolve_obstacle(obstacle=obstacle, by=by, resolution=" Got access. ")
    assert resolved.is_resolved and resolved.resolved_by == by
    assert resolved.resolution == "Got access."
    open_, done = obstacles.obstacles_of(goal)
    assert open_ == [] and done == [obstacle]


def test_resolving_without_saying_how_is_fine(obstacle, mentee):
    assert obstacles.resolve_obstacle(obstacle=obstacle, by=mentee).resolution == ""


def test_resolving_twice_is_a_clean_refusal_that_changes_nothing(obstacle, mentee, mentor):
    obstacles.resolve_obstacle(obstacle=obstacle, by=mentee, resolution="Got access.")
    with _refused(ValidationError, "already resolved"):
        obstacles.resolve_obstacle(obstacle=obstacle, by=mentor, resolution="Something else")
    assert Obstacle.objects.get(pk=obstacle.pk).resolved_by == mentee


@pytest.mark.parametrize("who", ["stranger", "admin"])
def test_outsiders_cannot_resolve(obstacle, stranger, staff, who):
    obstacle.goal.mentorship.cohort.admins.add(staff)
    by = {"stranger": stranger, "admin": staff}[who]
    with _refused(PermissionDenied):
        obstacles.resolve_obstacle(obstacle=obstacle, by=by)


def test_a_long_resolution_is_refused(obstacle, mentee):
    with _refused(ValidationError):
        obstacles.resolve_obstacle(obstacle=obstacle, by=mentee, resolution="x" * 2001)


def test_no_resolving_after_the_mentorship_ended(obstacle, mentee):
    end_mentorship(
        mentorship=obstacle.goal.mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED
    )
    with _refused(ValidationError, "ended"):
        obstacles.resolve_obstacle(obstacle=obstacle, by=mentee)


def test_obstacles_on_a_goal_that_closed_can_still_be_advised_and_resolved(
    obstacle, goal, mentee, mentor
):
    close_goal(goal=goal, by=mentee, outcome=GoalStatus.ACHIEVED)
    obstacles.advise_on_obstacle(obstacle=obstacle, by=mentor, advice="For next time: ask early.")
    assert obstacles.resolve_obstacle(obstacle=obstacle, by=mentee).is_resolved


# Reading


def test_open_obstacles_come_first_newest_first_and_resolved_ones_are_kept(goal, mentee):
    first, second, third = (
        obstacles.flag_obstacle(goal=goal, by=mentee, category="time", description=f"{n} {BLOCKER}")
        for n in ("one", "two", "three")
    )
    obstacles.resolve_obstacle(obstacle=second, by=mentee)
    open_, done = obstacles.obstacles_of(goal)
    assert open_ == [third, first] and done == [second]


def test_obstacle_for_answers_404_to_outsiders_and_reads_for_cohort_admins(
    obstacle, mentee, mentor, stranger, staff
):
    assert obstacles.obstacle_for(mentee, obstacle.pk) == obstacle
    assert obstacles.obstacle_for(mentor, obstacle.pk) == obstacle
    for outsider in (stranger, staff):
        with pytest.raises(Http404):
            obstacles.obstacle_for(outsider, obstacle.pk)
    obstacle.goal.mentorship.cohort.admins.add(staff, stranger)  # two admins: still one row
    assert obstacles.obstacle_for(staff, obstacle.pk) == obstacle
    assert obstacles.obstacle_for(mentee, obstacle.pk) == obstacle
