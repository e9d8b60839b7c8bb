"""Obstacle pages: who sees obstacles, who may flag, advise and resolve, and the forms."""

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from core.outbox.models import OutboxEmail
from goals.models import Goal, GoalStatus, Obstacle
from goals.services import obstacles
from matching.models import Cohort, MentorshipStatus
from matching.services import end_mentorship, join_cohort
from tests.factories import ProfileFactory, site_programme_admin

pytestmark = pytest.mark.django_db

BLOCKER = "My manager keeps moving the deadline for the API, so I never get a clear week."


def _other_cohort_member() -> User:
    person = ProfileFactory(wants_mentoring=True, enrolled=False).user
    join_cohort(
        user=person, cohort=Cohort.objects.create(name="Other", slug="other"), role="mentee"
    )
    return person


@pytest.fixture
def goal(make_goal) -> Goal:
    return make_goal(GoalStatus.IN_PROGRESS)


@pytest.fixture
def obstacle(goal: Goal, mentee: User) -> Obstacle:
    return obstacles.flag_obstacle(goal=goal, by=mentee, category="time", description=BLOCKER)


@pytest.fixture
def cohort_admin(goal: Goal) -> User:
    return site_programme_admin(goal.mentorship.cohort)


@pytest.fixture
def people(mentee, mentor, stranger, staff, cohort_admin) -> Callable[[str], User]:
    other = {}

    def person(who: str) -> User:
        if who == "other_cohort":
            other.setdefault(who, _other_cohort_member())
            return other[who]
        return {
            "mentee": mentee,
            "mentor": mentor,
            "stranger": stranger,
            "staff": staff,
            "cohort_admin": cohort_admin,
        }[who]

    return person


def _state(obstacle: Obstacle) -> tuple:
    return (
        Obstacle.objects.filter(pk=obstacle.pk)
        .values_list("advice", "resolved_at", "resolution")
        .get(),
        Obstacle.objects.count(),
        OutboxEmail.objects.count(),
    )


# Seeing obstacles


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentee", 200),
        ("mentor", 200),
        ("cohort_admin", 200),
        ("stranger", 404),
        ("other_cohort", 404),
        ("staff", 404),
    ],
)
def test_who_sees_the_obstacles_on_the_goal_page(client, obstacle, people, who, status):
    client.force_login(people(who))
    response = client.get(reverse("goals:detail", args=[obstacle.goal_id]))
    assert response.status_code == status
    if status == 200:
        assert BLOCKER in response.content.decode()


def test_a_cohort_admin_reads_obstacles_but_gets_no_forms(client, obstacle, cohort_admin):
    client.force_login(cohort_admin)
    html = client.get(reverse("goals:detail", args=[obstacle.goal_id])).content.decode()
    assert "Waiting for the mentor's advice." in html
    for name, pk in (
        ("goals:obstacle-flag", obstacle.goal_id),
        ("goals:obstacle-advise", obstacle.pk),
        ("goals:obstacle-resolve", obstacle.pk),
    ):
        assert reverse(name, args=[pk]) not in html


def test_each_side_gets_its_own_forms(client, obstacle, mentee, mentor):
    url = reverse("goals:detail", args=[obstacle.goal_id])
    client.force_login(mentee)
    html = client.get(url).content.decode()
    assert "Waiting for your mentor's advice." in html
    assert reverse("goals:obstacle-flag", args=[obstacle.goal_id]) in html
    assert reverse("goals:obstacle-resolve", args=[obstacle.pk]) in html
    assert reverse("goals:obstacle-advise", args=[obstacle.pk]) not in html
    client.force_login(mentor)
    html = client.get(url).content.decode()
    assert reverse("goals:obstacle-advise", args=[obstacle.pk]) in html
    assert reverse("goals:obstacle-resolve", args=[obstacle.pk]) in html
    assert reverse("goals:obstacle-flag", args=[obstacle.goal_id]) not in html


# Flagging


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentor", 403),
        ("cohort_admin", 403),
        ("stranger", 404),
        ("other_cohort", 404),
        ("staff", 404),
    ],
)
def test_only_the_mentee_may_flag(client, goal, people, who, status):
    emails = OutboxEmail.objects.count()
    client.force_login(people(who))
    url = reverse("goals:obstacle-flag", args=[goal.pk])
    # Refused whatever the form says, even when it is invalid.
    for data in ({"category": "time", "description": BLOCKER}, {}):
        assert client.post(url, data).status_code == status
    assert not Obstacle.objects.exists() and OutboxEmail.objects.count() == emails


def test_the_mentee_flags_an_obstacle_through_the_page(client, goal, mentee, mentor):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:obstacle-flag", args=[goal.pk]),
        {"category": "access", "description": BLOCKER},
    )
    assert response.status_code == 302
    assert response.url == f"{goal.get_absolute_url()}#obstacles"
    obstacle = Obstacle.objects.get()
    assert obstacle.category == "access" and obstacle.description == BLOCKER
    assert OutboxEmail.objects.filter(template="obstacle_flagged").get().to == [mentor.email]
    html = client.get(response.url).content.decode()
    assert BLOCKER in html and "Access to people or resources" in html


def test_a_rejected_flag_shows_errors_next_to_the_fields_and_keeps_the_text(client, goal, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:obstacle-flag", args=[goal.pk]),
        {"category": "nope", "description": "<b>Half</b> a sentence"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_obstacle_category_error"' in html and "Choose one of the kinds" in html
    assert "&lt;b&gt;Half&lt;/b&gt; a sentence</textarea>" in html
    assert not Obstacle.objects.exists()
    response = client.post(
        reverse("goals:obstacle-flag", args=[goal.pk]), {"category": "time", "description": " "}
    )
    assert (
        response.status_code == 200
        and 'id="id_obstacle_description_error"' in response.content.decode()
    )
    assert 'value="time" selected' in response.content.decode()


def test_flagging_on_a_closed_goal_shows_why_and_keeps_the_text(client, make_goal, mentee):
    goal = make_goal(GoalStatus.ACHIEVED)
    client.force_login(mentee)
    html = client.get(goal.get_absolute_url()).content.decode()
    assert reverse("goals:obstacle-flag", args=[goal.pk]) not in html
    response = client.post(
        reverse("goals:obstacle-flag", args=[goal.pk]),
        {"category": "time", "description": BLOCKER},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This goal is closed" in html and BLOCKER in html
    assert not Obstacle.objects.exists()


def test_the_flag_page_for_a_goal_that_does_not_exist_is_404(client, mentee):
    client.force_login(mentee)
    assert client.post(reverse("goals:obstacle-flag", args=[987654])).status_code == 404


# Advising


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentee", 403),
        ("cohort_admin", 403),
        ("stranger", 404),
        ("other_cohort", 404),
        ("staff", 404),
    ],
)
def test_only_the_mentor_may_advise(client, obstacle, people, who, status):
    before = _state(obstacle)
    client.force_login(people(who))
    url = reverse("goals:obstacle-advise", args=[obstacle.pk])
    for data in ({"advice": "Block Friday mornings."}, {}):
        assert client.post(url, data).status_code == status
    assert _state(obstacle) == before


def test_the_mentor_advises_through_the_page(client, obstacle, mentor, mentee):
    client.force_login(mentor)
    response = client.post(
        reverse("goals:obstacle-advise", args=[obstacle.pk]),
        {"advice": "Block Friday mornings in your calendar."},
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#obstacle-{obstacle.pk}")
    assert Obstacle.objects.get(pk=obstacle.pk).advice == "Block Friday mornings in your calendar."
    assert OutboxEmail.objects.filter(template="obstacle_advice").get().to == [mentee.email]
    client.force_login(mentee)
    html = client.get(obstacle.goal.get_absolute_url()).content.decode()
    assert "Block Friday mornings in your calendar." in html
    assert "Waiting for your mentor" not in html


def test_empty_advice_is_refused_next_to_its_field(client, obstacle, mentor):
    client.force_login(mentor)
    response = client.post(reverse("goals:obstacle-advise", args=[obstacle.pk]), {"advice": ""})
    assert response.status_code == 200
    assert f'id="id_obstacle{obstacle.pk}_advice_error"' in response.content.decode()
    assert Obstacle.objects.get(pk=obstacle.pk).advised_at is None


def test_advising_a_resolved_obstacle_says_why_without_a_500(client, obstacle, mentee, mentor):
    obstacles.resolve_obstacle(obstacle=obstacle, by=mentee)
    client.force_login(mentor)
    response = client.post(
        reverse("goals:obstacle-advise", args=[obstacle.pk]), {"advice": "Too late."}, follow=True
    )
    assert response.status_code == 200 and "already resolved" in response.content.decode()
    assert Obstacle.objects.get(pk=obstacle.pk).advice == ""


# Resolving


@pytest.mark.parametrize(
    ("who", "status"),
    [("cohort_admin", 403), ("stranger", 404), ("other_cohort", 404), ("staff", 404)],
)
def test_outsiders_may_not_resolve(client, obstacle, people, who, status):
    before = _state(obstacle)
    client.force_login(people(who))
    url = reverse("goals:obstacle-resolve", args=[obstacle.pk])
    assert client.post(url, {"resolution": "Done"}).status_code == status
    assert _state(obstacle) == before


@pytest.mark.parametrize("who", ["mentee", "mentor"])
def test_either_side_resolves_and_it_moves_to_resolved(client, obstacle, people, who):
    client.force_login(people(who))
    response = client.post(
        reverse("goals:obstacle-resolve", args=[obstacle.pk]),
        {"resolution": "We agreed a no-meeting Friday."},
    )
    assert response.status_code == 302
    assert Obstacle.objects.get(pk=obstacle.pk).is_resolved
    html = client.get(obstacle.goal.get_absolute_url()).content.decode()
    resolved = html.split(">Resolved</h3>", 1)[1]
    assert BLOCKER in resolved and "We agreed a no-meeting Friday." in resolved
    assert reverse("goals:obstacle-resolve", args=[obstacle.pk]) not in html


def test_resolving_twice_through_the_page_is_a_message_not_a_500(client, obstacle, mentee):
    client.force_login(mentee)
    url = reverse("goals:obstacle-resolve", args=[obstacle.pk])
    client.post(url, {"resolution": "First"})
    response = client.post(url, {"resolution": "Second"}, follow=True)
    assert response.status_code == 200 and "already resolved" in response.content.decode()
    assert Obstacle.objects.get(pk=obstacle.pk).resolution == "First"


def test_a_too_long_resolution_keeps_the_text_next_to_the_field(client, obstacle, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:obstacle-resolve", args=[obstacle.pk]), {"resolution": "y" * 2001}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_obstacle{obstacle.pk}_resolution_error"' in html and "y" * 2001 in html
    assert not Obstacle.objects.get(pk=obstacle.pk).is_resolved


def test_after_the_mentorship_ended_obstacles_are_read_only(client, obstacle, mentee):
    end_mentorship(
        mentorship=obstacle.goal.mentorship, by=mentee, outcome=MentorshipStatus.COMPLETED
    )
    client.force_login(mentee)
    html = client.get(obstacle.goal.get_absolute_url()).content.decode()
    assert BLOCKER in html
    assert reverse("goals:obstacle-resolve", args=[obstacle.pk]) not in html
    assert reverse("goals:obstacle-flag", args=[obstacle.goal_id]) not in html
    response = client.post(reverse("goals:obstacle-resolve", args=[obstacle.pk]), follow=True)
    assert "has ended" in response.content.decode()
    assert not Obstacle.objects.get(pk=obstacle.pk).is_resolved


# Any view, any input


@pytest.mark.parametrize("name", ["goals:obstacle-advise", "goals:obstacle-resolve"])
def test_an_obstacle_that_does_not_exist_is_404(client, mentor, name):
    client.force_login(mentor)
    assert client.post(reverse(name, args=[987654]), {"advice": "x"}).status_code == 404


@pytest.mark.parametrize(
    "name", ["goals:obstacle-flag", "goals:obstacle-advise", "goals:obstacle-resolve"]
)
def test_anonymous_is_sent_to_login(client: Client, obstacle, name):
    pk = obstacle.goal_id if name == "goals:obstacle-flag" else obstacle.pk
    before = _state(obstacle)
    response = client.post(reverse(name, args=[pk]), {"advice": "x", "description": "x"})
    assert response.status_code == 302 and "login" in response.url
    assert _state(obstacle) == before


@pytest.mark.parametrize(
    "name", ["goals:obstacle-flag", "goals:obstacle-advise", "goals:obstacle-resolve"]
)
def test_the_actions_are_post_only(client, obstacle, mentee, mentor, name):
    client.force_login(mentee if name == "goals:obstacle-flag" else mentor)
    pk = obstacle.goal_id if name == "goals:obstacle-flag" else obstacle.pk
    assert client.get(reverse(name, args=[pk])).status_code == 405


def test_text_from_people_is_escaped_on_the_page(client, goal, mentee):
    obstacles.flag_obstacle(
        goal=goal, by=mentee, category="other", description="<script>alert(1)</script>"
    )
    client.force_login(mentee)
    html = client.get(goal.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
