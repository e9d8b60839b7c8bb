"""A form that creates something, posted twice, creates once.

Each form carries a one-time token (core.forms.OnceForm, read by submit_form). Posting
the same form again, straight after (a double click) or later (a retry after a timeout,
the back button), changes nothing and lands on the first post's result.
"""

import re
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import connections
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from core.models import Submission
from goals.models import (
    ActionItem,
    Goal,
    GoalComment,
    GoalStatus,
    Meeting,
    MeetingNote,
    Obstacle,
    ProgressUpdate,
)
from matching.models import Mentorship, MentorshipMessage
from tests.goals.conftest import goal_form_data

pytestmark = pytest.mark.django_db


def _token(html: str, action: str) -> str:
    """The token of the form on the page that posts to ``action`` (named in its action
    attribute, or the page's own address for a form without one)."""
    for attrs, body in re.findall(r"<form([^>]*)>(.*?)</form>", html, re.S):
        target = re.search(r'action="([^"]*)"', attrs)
        if (target.group(1) if target else action) != action:
            continue
        token = re.search(r'name="submission" value="([0-9a-f-]{36})"', body)
        if token:
            return token.group(1)
    raise AssertionError(f"no form posting to {action} carries a token")


def _twice(client: Client, page: str, action: str, data: dict[str, str]) -> list[str]:
    """Open the page, fill its form once, post it twice; the two redirects."""
    token = _token(client.get(page).content.decode(), action)
    answers = [client.post(action, {**data, "submission": token}) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    return [a["Location"] for a in answers]


def _goal_form(mentorship: Mentorship) -> tuple[str, str, dict[str, str]]:
    url = reverse("goals:create", args=[mentorship.pk])
    data = goal_form_data()
    return url, url, data


CASES: dict[str, Callable[..., tuple[str, str, str, dict[str, str], type[Model]]]] = {
    "goal": lambda w: ("mentee", *_goal_form(w.mentorship), Goal),
    "comment": lambda w: (
        "mentor",
        w.goal.get_absolute_url(),
        reverse("goals:comment", args=[w.goal.pk]),
        {"body": "Nice outline, let us rehearse on Friday."},
        GoalComment,
    ),
    "progress": lambda w: (
        "mentee",
        w.goal.get_absolute_url(),
        reverse("goals:progress", args=[w.goal.pk]),
        {"value": "25", "note": "NPS survey from last week."},
        ProgressUpdate,
    ),
    "obstacle": lambda w: (
        "mentee",
        w.goal.get_absolute_url(),
        reverse("goals:obstacle-flag", args=[w.goal.pk]),
        {"category": "time", "description": "Two releases this month eat every evening."},
        Obstacle,
    ),
    "message": lambda w: (
        "mentee",
        w.mentorship.get_absolute_url(),
        reverse("matching:mentorship-detail", args=[w.mentorship.pk]),
        {"body": "Could we move Thursday's call to Friday?"},
        MentorshipMessage,
    ),
    "meeting": lambda w: (
        "mentee",
        reverse("goals:meeting-create", args=[w.mentorship.pk]),
        reverse("goals:meeting-create", args=[w.mentorship.pk]),
        {
            "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "time": "10:00",
            "duration_minutes": "45",
            "format": "video",
            "location": "https://meet.example.org/ada",
            "agenda": "Review the talk outline.",
        },
        Meeting,
    ),
    "action item": lambda w: (
        "mentor",
        w.meeting.get_absolute_url(),
        reverse("goals:meeting-action", args=[w.meeting.pk]),
        {"title": "Send the outline", "owner": str(w.mentorship.mentee.pk), "due_on": ""},
        ActionItem,
    ),
    "note": lambda w: (
        "mentor",
        w.meeting.get_absolute_url(),
        reverse("goals:meeting-note", args=[w.meeting.pk]),
        {"body": "Agreed on three rehearsals.", "is_private": ""},
        MeetingNote,
    ),
}


class World:
    def __init__(self, mentorship: Mentorship, make_goal: Callable[..., Goal], mentee: User):
        self.mentorship = mentorship
        self.goal = make_goal(GoalStatus.APPROVED)
        self.meeting = Meeting.objects.create(
            mentorship=mentorship,
            scheduled_by=mentee,
            starts_at=timezone.now() - timedelta(days=1),
            format="video",
        )


@pytest.fixture
def world(mentorship: Mentorship, make_goal: Callable[..., Goal], mentee: User) -> World:
    return World(mentorship, make_goal, mentee)


@pytest.mark.parametrize("case", CASES)
def test_posting_the_same_form_twice_creates_once_and_lands_on_the_same_page(
    client: Client, world: World, mentee: User, mentor: User, case: str
) -> None:
    who, page, action, data, model = CASES[case](world)
    client.force_login({"mentee": mentee, "mentor": mentor}[who])
    before = model._default_manager.count()
    mail.outbox.clear()
    first, second = _twice(client, page, action, data)
    assert model._default_manager.count() == before + 1
    assert first == second
    # Whatever the first post sent, the second sent nothing more.
    sent = len(mail.outbox)
    client.post(action, {**data, "submission": _token(client.get(page).content.decode(), action)})
    assert model._default_manager.count() == before + 2, "a fresh form creates again"
    assert len(mail.outbox) >= sent


def test_a_refused_post_keeps_its_token_usable(client: Client, world: World, mentee: User) -> None:
    client.force_login(mentee)
    page, action, data = _goal_form(world.mentorship)[0], *_goal_form(world.mentorship)[1:]
    token = _token(client.get(page).content.decode(), action)
    refused = client.post(action, {**data, "title": "", "submission": token})
    assert refused.status_code == 200
    assert f'value="{token}"' in refused.content.decode(), "the re-shown form keeps its token"
    assert not Submission.objects.exists()
    done = client.post(action, {**data, "submission": token})
    assert done.status_code == 302
    assert Goal.objects.filter(title=data["title"]).count() == 1


def test_someone_elses_token_does_not_land_on_their_page(
    client: Client, world: World, mentee: User, mentor: User
) -> None:
    client.force_login(mentor)
    action = reverse("goals:comment", args=[world.goal.pk])
    token = _token(client.get(world.goal.get_absolute_url()).content.decode(), action)
    client.post(action, {"body": "From the mentor.", "submission": token})
    client.force_login(mentee)
    again = client.post(action, {"body": "From the mentee.", "submission": token})
    assert again.status_code == 200
    html = again.content.decode()
    assert "This form was already sent. Reload the page to send it again." in html
    assert "From the mentee." in html  # what was typed is kept
    assert not GoalComment.objects.filter(body="From the mentee.").exists()
    assert GoalComment.objects.filter(body="From the mentor.").count() == 1


on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.mark.skipif(not on_postgresql, reason="two posts at once need two connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_posts_of_one_form_at_once_create_once(mentorship: Mentorship, mentee: User) -> None:
    page, action, data = _goal_form(mentorship)
    viewer = Client()
    viewer.force_login(mentee)
    token = _token(viewer.get(page).content.decode(), action)
    barrier = threading.Barrier(2)
    answers: list[object] = [None, None]

    def post(index: int) -> None:
        client = Client()
        client.force_login(mentee)
        try:
            barrier.wait(timeout=10)
            answers[index] = client.post(action, {**data, "submission": token})
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            answers[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [getattr(a, "status_code", a) for a in answers] == [302, 302]
    assert Goal.objects.filter(title=data["title"]).count() == 1
    assert answers[0]["Location"] == answers[1]["Location"]  # type: ignore[index]
