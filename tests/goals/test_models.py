"""What the database itself guarantees about goals, and who can see them."""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from goals.models import CLOSED, TRANSITIONS, Goal, GoalEvent, GoalStatus, Milestone
from matching.models import Mentorship
from tests.factories import ProfileFactory, mentorship_between
from tests.goals.conftest import OUTCOME, PLAN, RELEVANCE, MakeGoal, days

pytestmark = pytest.mark.django_db


def _goal(mentorship: Mentorship, **fields: Any) -> Goal:
    """A goal written straight to the table, past every service check."""
    values: dict[str, Any] = {
        "title": "Improve NPS from 20 to 40",
        "outcome": OUTCOME,
        "measure": "metric",
        "metric_name": "NPS",
        "baseline": Decimal(20),
        "target": Decimal(40),
        "plan": PLAN,
        "relevance": RELEVANCE,
        "starts_on": timezone.localdate(),
        "target_date": days(60),
    }
    return Goal.objects.create(mentorship=mentorship, **{**values, **fields})


# --- Constraints ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"baseline": Decimal(20), "target": Decimal(20)}, id="baseline-equals-target"),
        pytest.param({"baseline": Decimal(0), "target": Decimal(0)}, id="both-zero"),
        pytest.param({"baseline": None}, id="no-baseline"),
        pytest.param({"target": None}, id="no-target"),
        pytest.param({"baseline": None, "target": None}, id="no-numbers"),
    ],
)
def test_a_metric_goal_needs_two_different_numbers(
    fields: dict[str, Any], mentorship: Mentorship
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _goal(mentorship, status=GoalStatus.SUBMITTED, **fields)
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"baseline": Decimal(20), "target": Decimal(20)}, id="baseline-equals-target"),
        pytest.param({"target": None}, id="no-target"),
        pytest.param({"measure": "", "baseline": None, "target": None}, id="no-measure"),
        pytest.param({"measure": "", "target_date": None}, id="no-measure-no-date"),
    ],
)
def test_a_draft_may_be_incomplete(fields: dict[str, Any], mentorship: Mentorship) -> None:
    _goal(mentorship, status=GoalStatus.DRAFT, **fields)
    assert Goal.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"baseline": Decimal(1), "target": None}, id="baseline"),
        pytest.param({"baseline": None, "target": Decimal(1)}, id="target"),
        pytest.param({"baseline": Decimal(1), "target": Decimal(2)}, id="both"),
    ],
)
def test_a_milestones_goal_has_no_numbers(fields: dict[str, Any], mentorship: Mentorship) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _goal(mentorship, measure="milestones", **fields)
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("measure", "status"),
    [("", GoalStatus.SUBMITTED), ("percent", GoalStatus.SUBMITTED), ("percent", GoalStatus.DRAFT)],
)
def test_a_goal_has_a_known_measure(measure: str, status: str, mentorship: Mentorship) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _goal(mentorship, measure=measure, status=status)


def test_the_target_date_cannot_come_before_the_start(mentorship: Mentorship) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _goal(mentorship, starts_on=days(10), target_date=days(9))
    assert not Goal.objects.exists()


def test_an_agreed_goal_has_a_target_date(mentorship: Mentorship) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _goal(mentorship, status=GoalStatus.APPROVED, target_date=None)
    assert not Goal.objects.exists()


def test_consistent_goals_are_stored(mentorship: Mentorship) -> None:
    _goal(mentorship)
    _goal(mentorship, baseline=Decimal(10), target=Decimal("7.5"))
    _goal(mentorship, measure="milestones", metric_name="", baseline=None, target=None)
    _goal(mentorship, starts_on=days(30), target_date=days(30))
    assert Goal.objects.count() == 4


def test_milestone_positions_are_unique_per_goal(mentorship: Mentorship) -> None:
    first = _goal(mentorship, measure="milestones", baseline=None, target=None)
    second = _goal(mentorship, measure="milestones", baseline=None, target=None)
    Milestone.objects.create(goal=first, position=0, title="Design")
    Milestone.objects.create(goal=second, position=0, title="Design")
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(goal=first, position=0, title="Deploy")
    assert Milestone.objects.count() == 2


# --- Who sees a goal ------------------------------------------------------------------------


def _pair() -> tuple[User, User, Mentorship]:
    pair = mentorship_between()
    return pair.mentee, pair.mentor, pair


def test_both_sides_see_a_goal_and_a_stranger_does_not(
    mentorship: Mentorship, mentee: User, mentor: User, stranger: User
) -> None:
    goal = _goal(mentorship)
    other_mentee, other_mentor, other = _pair()
    elsewhere = _goal(other)

    assert list(Goal.objects.for_user(mentee)) == [goal]
    assert list(Goal.objects.for_user(mentor)) == [goal]
    assert list(Goal.objects.for_user(other_mentee)) == [elsewhere]
    assert list(Goal.objects.for_user(other_mentor)) == [elsewhere]
    assert not Goal.objects.for_user(stranger).exists()


def test_a_mentor_sees_the_goals_of_each_mentee_once(
    mentorship: Mentorship, mentor: User, mentee: User
) -> None:
    second_mentee = ProfileFactory(wants_mentoring=True, wants_to_mentor=False).user
    second = mentorship_between(second_mentee, mentor)
    mine = [_goal(mentorship), _goal(mentorship, target_date=days(70))]
    theirs = _goal(second, target_date=days(80))

    assert list(Goal.objects.for_user(mentor)) == [*mine, theirs]
    assert list(Goal.objects.for_user(mentee)) == mine
    assert list(Goal.objects.for_user(second_mentee)) == [theirs]


def test_open_goals_leave_out_closed_ones(mentorship: Mentorship, mentee: User) -> None:
    goals = {status: _goal(mentorship, status=status) for status in GoalStatus}
    expected = [goals[s] for s in GoalStatus if s not in CLOSED]
    assert list(Goal.objects.for_user(mentee).open().order_by("pk")) == expected


def test_goals_are_listed_by_target_date(mentorship: Mentorship) -> None:
    late = _goal(mentorship, target_date=days(90))
    soon = _goal(mentorship, target_date=days(20))
    assert list(mentorship.goals.all()) == [soon, late]


# --- Links, labels and derived values ----------------------------------------------------


def test_a_goal_links_to_its_own_page(mentorship: Mentorship) -> None:
    # Goals used to live at /mentorships/<pk>/#goal-<id>; they now have pages of their own.
    goal = _goal(mentorship)
    assert goal.get_absolute_url() == reverse("goals:detail", args=[goal.pk])
    assert goal.get_absolute_url() == f"/goals/{goal.pk}/"


def test_labels_read_well(mentorship: Mentorship, mentee: User) -> None:
    goal = _goal(mentorship)
    assert str(goal) == "Improve NPS from 20 to 40"
    created = GoalEvent.objects.create(goal=goal, actor=mentee, to_status=GoalStatus.DRAFT)
    moved = GoalEvent.objects.create(
        goal=goal, actor=mentee, from_status=GoalStatus.DRAFT, to_status=GoalStatus.SUBMITTED
    )
    assert str(created) == "Improve NPS from 20 to 40: new → draft"
    assert str(moved) == "Improve NPS from 20 to 40: draft → submitted"


@pytest.mark.parametrize(
    ("status", "editable", "closed"),
    [
        (GoalStatus.DRAFT, True, False),
        (GoalStatus.CHANGES_REQUESTED, True, False),
        (GoalStatus.SUBMITTED, False, False),
        (GoalStatus.APPROVED, False, False),
        (GoalStatus.IN_PROGRESS, False, False),
        (GoalStatus.ACHIEVED, False, True),
        (GoalStatus.NOT_ACHIEVED, False, True),
        (GoalStatus.ABANDONED, False, True),
    ],
)
def test_editable_and_closed_follow_the_status(status: str, editable: bool, closed: bool) -> None:
    goal = Goal(status=status)
    assert (goal.is_editable, goal.is_closed) == (editable, closed)


def test_a_closed_goal_goes_nowhere() -> None:
    assert not [key for key in TRANSITIONS if key[0] in CLOSED]
    assert set(TRANSITIONS.values()) == {"mentee", "mentor"}


def test_a_metric_goal_without_a_value_is_at_zero() -> None:
    goal = Goal(measure="metric", baseline=Decimal(20), target=Decimal(40))
    assert goal.progress_percent() == 0
    goal.current_value = Decimal(35)
    assert goal.progress_percent() == 75


def test_a_checklist_without_milestones_is_at_zero(mentorship: Mentorship) -> None:
    goal = _goal(mentorship, measure="milestones", baseline=None, target=None)
    assert goal.progress_percent() == 0
    Milestone.objects.create(goal=goal, position=0, title="Design", done_at=timezone.now())
    Milestone.objects.create(goal=goal, position=1, title="Build")
    Milestone.objects.create(goal=goal, position=2, title="Ship")
    assert goal.progress_percent() == 33


def test_deleting_a_mentorship_takes_its_goals_along(
    make_goal: MakeGoal, mentorship: Mentorship
) -> None:
    make_goal(GoalStatus.SUBMITTED)
    mentorship.delete()
    assert not Goal.objects.exists()
    assert not GoalEvent.objects.exists()
