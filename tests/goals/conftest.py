"""Fixtures for the goals tests: a mentorship, a stranger, and SMART drafts that pass."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

import pytest

from accounts.models import User
from goals import services
from goals.models import Goal, GoalStatus
from goals.smart import GoalDraft
from matching.models import Mentorship
from tests.factories import ProfileFactory, mentorship_between

# Comfortably above the matching minimum for a request message.

OUTCOME = "A public REST API running in production that two client teams call every day."
PLAN = "Two evenings a week: first the data model, then auth, then deploy with my mentor's help."
RELEVANCE = "A shipped API is what the tech lead role on my profile asks for."


def days(n: int) -> date:
    """A date ``n`` days from today, so tests do not depend on the day they run."""
    return timezone.localdate() + timedelta(days=n)


def metric_draft(**fields: Any) -> GoalDraft:
    """A metric draft that passes every SMART check; override fields to break one."""
    values: dict[str, Any] = {
        "title": "Improve NPS from 20 to 40",
        "outcome": OUTCOME,
        "measure": "metric",
        "metric_name": "NPS",
        "metric_unit": "points",
        "baseline": Decimal(20),
        "target": Decimal(40),
        "plan": PLAN,
        "relevance": RELEVANCE,
        "starts_on": timezone.localdate(),
        "target_date": days(60),
    }
    return GoalDraft(**{**values, **fields})


def goal_form_data(**overrides: str) -> dict[str, str]:
    """What a mentee types into the new-goal form: a milestones goal that passes every
    check; override fields to break one."""
    data = {
        "title": "Give a talk at the Python meetup",
        "outcome": "A 20-minute talk about our test suite, given to at least 30 people.",
        "measure": "milestones",
        "plan": "Pick the topic this week, outline it, rehearse twice with my mentor.",
        "relevance": "Speaking in public is what my target role of tech lead asks of me.",
        "target_date": days(60).isoformat(),
        "milestones-0-title": "Outline the talk",
        "milestones-0-due": days(10).isoformat(),
        "milestones-1-title": "Rehearse with my mentor",
        "milestones-1-due": days(30).isoformat(),
        "milestones-2-title": "Give the talk",
        "milestones-2-due": "",
    }
    return {**data, **overrides}


def milestones_draft(**fields: Any) -> GoalDraft:
    """A milestones draft that passes every SMART check; override fields to break one."""
    values: dict[str, Any] = {
        "title": "Ship a Django REST API to production",
        "outcome": OUTCOME,
        "measure": "milestones",
        "plan": PLAN,
        "relevance": RELEVANCE,
        "starts_on": timezone.localdate(),
        "target_date": days(60),
        "milestones": [
            ("Design the data model", days(10)),
            ("Add token authentication", days(20)),
            ("Write the API tests", days(30)),
            ("Deploy to production", days(50)),
        ],
    }
    return GoalDraft(**{**values, **fields})


@pytest.fixture
def mentorship(mentee: User, mentor: User) -> Mentorship:
    return mentorship_between(mentee, mentor)


@pytest.fixture
def stranger(db: None) -> User:
    """Onboarded and in the same cohort, but no part of the mentorship at hand."""
    return ProfileFactory().user


MakeGoal = Callable[..., Goal]


@pytest.fixture
def make_goal(mentorship: Mentorship, mentee: User, mentor: User) -> MakeGoal:
    """A goal saved through the services and walked to ``status`` the way people would."""

    def make(status: str = GoalStatus.DRAFT, draft: GoalDraft | None = None) -> Goal:
        goal = services.save_goal(mentorship=mentorship, by=mentee, draft=draft or metric_draft())
        path = {
            GoalStatus.DRAFT: [],
            GoalStatus.SUBMITTED: ["submit"],
            GoalStatus.CHANGES_REQUESTED: ["submit", "changes"],
            GoalStatus.APPROVED: ["submit", "approve"],
            GoalStatus.IN_PROGRESS: ["submit", "approve", "start"],
            GoalStatus.ACHIEVED: ["submit", "approve", "start", GoalStatus.ACHIEVED],
            GoalStatus.NOT_ACHIEVED: ["submit", "approve", "start", GoalStatus.NOT_ACHIEVED],
            GoalStatus.ABANDONED: [GoalStatus.ABANDONED],
        }[status]
        for step in path:
            if step == "submit":
                goal = services.submit_goal(goal=goal, by=mentee)
            elif step == "changes":
                goal = services.review_goal(
                    goal=goal, by=mentor, approve=False, comment="Name the two client teams."
                )
            elif step == "approve":
                goal = services.review_goal(goal=goal, by=mentor, approve=True)
            elif step == "start":
                goal = services.start_goal(goal=goal, by=mentee)
            else:
                goal = services.close_goal(goal=goal, by=mentee, outcome=step)
        assert goal.status == status
        return goal

    return make
