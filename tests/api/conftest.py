"""A small world for the API: programmes A and B, each with a mentorship, a goal, a
meeting and an invitation; a programme admin of each, a superuser and a member."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

import pytest

from accounts.models import User
from api import services as api_services
from goals import services as goal_services
from goals.models import Goal, Meeting
from goals.services import meetings
from matching.models import Cohort, Enrollment, Mentorship, Role
from matching.services import accept_request, send_request
from programmes.models import Invitation
from programmes.services import invitations
from tests.factories import (
    REQUEST_MESSAGE,
    CohortFactory,
    ProfileFactory,
    UserFactory,
    make_programme_admin,
)
from tests.goals.conftest import milestones_draft
from tests.programmes.people import enroll


def token_for(user: User, name: str = "HR system") -> str:
    _token, secret = api_services.create_token(user=user, name=name)
    return secret


def api(secret: str | None = None) -> Client:
    """A client that sends ``secret`` as its bearer token."""
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return Client(headers=headers)


@dataclass
class Programme:
    cohort: Cohort
    admin: User
    mentor: Enrollment
    mentee: Enrollment
    mentorship: Mentorship
    goal: Goal
    meeting: Meeting
    invitation: Invitation


def pair_in(cohort: Cohort) -> tuple[Enrollment, Enrollment, Mentorship]:
    mentor = enroll(cohort, Role.MENTOR)
    mentee = enroll(cohort, Role.MENTEE)
    request = send_request(mentee=mentee.user, mentor_enrollment=mentor, message=REQUEST_MESSAGE)
    return mentor, mentee, accept_request(request=request, by=mentor.user)


def goal_in(mentorship: Mentorship) -> Goal:
    goal = goal_services.save_goal(
        mentorship=mentorship, by=mentorship.mentee, draft=milestones_draft(), submit=True
    )
    goal = goal_services.review_goal(goal=goal, by=mentorship.mentor, approve=True)
    return goal_services.start_goal(goal=goal, by=mentorship.mentee)


def programme(name: str) -> Programme:
    cohort = CohortFactory(name=name)
    admin = make_programme_admin(cohort)
    mentor, mentee, mentorship = pair_in(cohort)
    meeting = meetings.schedule_meeting(
        mentorship=mentorship,
        by=mentor.user,
        starts_at=(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0),
        duration_minutes=45,
        format="video",
        agenda="Private agenda words",
    )
    invitation = invitations.invite(
        cohort=cohort,
        email=f"new-{cohort.slug}@example.org",
        name="",
        role=Role.MENTEE,
        capacity=None,
        by=admin,
    )
    return Programme(
        cohort, admin, mentor, mentee, mentorship, goal_in(mentorship), meeting, invitation
    )


@pytest.fixture
def a(db) -> Programme:
    return programme("Programme A")


@pytest.fixture
def b(db) -> Programme:
    return programme("Programme B")


@pytest.fixture
def superuser(db) -> User:
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def member(db) -> User:
    return ProfileFactory().user


def revoked(user: User) -> str:
    token, secret = api_services.create_token(user=user, name="old")
    api_services.revoke_token(token=token, by=user)
    return secret


def body(response: Any) -> Any:
    return response.json()
