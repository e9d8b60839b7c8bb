"""The choices pages: who may open and post them, what they show in and out of the window,
and the ways in from the dashboard and the mentor's page."""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from matching.models import Cohort, Enrollment, Preference, Role, Suggestion
from matching.services.preferences import add_preference
from tests.factories import ProfileFactory
from tests.matching.test_preferences import window_cohort
from tests.programmes.people import enroll

pytestmark = pytest.mark.django_db


class World:
    """The cast: the owner of the list, another mentee and a mentor of the same cohort,
    a mentee of another cohort, staff enrolled nowhere, and the anonymous visitor."""

    def __init__(self) -> None:
        self.cohort = window_cohort()
        self.owner = enroll(self.cohort, Role.MENTEE, display_name="Olive Owner")
        self.other_mentee = enroll(self.cohort, Role.MENTEE, display_name="Otto Other")
        self.mentor = enroll(self.cohort, Role.MENTOR, display_name="Marta Mentor")
        self.second = enroll(self.cohort, Role.MENTOR, display_name="Sami Second")
        self.elsewhere = enroll(window_cohort(), Role.MENTEE, display_name="Elsa Elsewhere")
        self.staff = ProfileFactory(
            user__is_staff=True, user__is_superuser=True, enrolled=False
        ).user

    def user(self, actor: str) -> User | None:
        return {
            "owner": self.owner.user,
            "other_mentee": self.other_mentee.user,
            "mentor": self.mentor.user,
            "other_cohort": self.elsewhere.user,
            "staff": self.staff,
            "anonymous": None,
        }[actor]


@pytest.fixture
def world() -> World:
    return World()


def as_(client: Client, user: User | None) -> Client:
    if user is not None:
        client.force_login(user)
    return client


def page_url(enrollment: Enrollment) -> str:
    return reverse("matching:choices", args=[enrollment.pk])


def post(client: Client, enrollment: Enrollment, action: str, **data: object):
    return client.post(reverse(f"matching:choice-{action}", args=[enrollment.pk]), data)


def said(response) -> str:
    """The message a post left last (they pile up until a page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def listed(enrollment: Enrollment) -> list[int]:
    return list(
        Preference.objects.filter(chooser=enrollment)
        .order_by("rank")
        .values_list("chosen_id", flat=True)
    )


# --- Access -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("owner", 200),
        ("other_mentee", 404),
        ("mentor", 404),
        ("other_cohort", 404),
        ("staff", 404),
        ("anonymous", "login"),
    ],
)
def test_only_the_owner_opens_their_choices(client, world, actor, expected):
    response = as_(client, world.user(actor)).get(page_url(world.owner))
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("actor", ["other_mentee", "mentor", "other_cohort", "staff", "anonymous"])
@pytest.mark.parametrize("action", ["add", "move", "remove"])
def test_nobody_else_changes_them(client, world, actor, action):
    add_preference(chooser=world.owner, chosen=world.second, by=world.owner.user)
    response = post(
        as_(client, world.user(actor)), world.owner, action, chosen=world.mentor.pk, rank=1
    )
    assert response.status_code in (302, 404)
    if response.status_code == 302:  # the anonymous visitor
        assert response.url.startswith(reverse("account_login"))
    assert listed(world.owner) == [world.second.pk]


def test_a_mentor_has_no_choices_page_unless_the_cohort_lets_mentors_rank(client, world):
    client.force_login(world.mentor.user)
    assert client.get(page_url(world.mentor)).status_code == 404
    Cohort.objects.filter(pk=world.cohort.pk).update(has_mentor_preferences=True)
    assert client.get(page_url(world.mentor)).status_code == 200


def test_a_cohort_without_a_window_has_no_choices_page(client):
    cohort = window_cohort()
    Cohort.objects.filter(pk=cohort.pk).update(preferences_open_at=None, preferences_close_at=None)
    mentee = enroll(cohort, Role.MENTEE)
    client.force_login(mentee.user)
    assert client.get(page_url(mentee)).status_code == 404


# --- The page and its posts -------------------------------------------------------


def test_the_owner_adds_reorders_and_removes(client, world):
    client.force_login(world.owner.user)
    response = post(client, world.owner, "add", chosen=world.mentor.pk)
    assert response.status_code == 302 and response.url == page_url(world.owner)
    assert said(response) == "Marta Mentor is your 1st choice."
    post(client, world.owner, "add", chosen=world.second.pk)
    assert listed(world.owner) == [world.mentor.pk, world.second.pk]

    response = post(client, world.owner, "move", chosen=world.second.pk, rank=1)
    assert said(response) == "Sami Second is now your 1st choice."
    assert listed(world.owner) == [world.second.pk, world.mentor.pk]

    page = client.get(page_url(world.owner)).content.decode()
    listing = page[page.index('id="choices-heading"') :]
    assert listing.index("Sami Second") < listing.index("Marta Mentor")
    assert "Your choices" in page and "(2 of 5)" in page
    assert 'aria-label="Move Marta Mentor up"' in page

    post(client, world.owner, "remove", chosen=world.second.pk)
    assert listed(world.owner) == [world.mentor.pk]


def test_an_add_posted_twice_adds_once(client, world):
    client.force_login(world.owner.user)
    post(client, world.owner, "add", chosen=world.mentor.pk)
    post(client, world.owner, "add", chosen=world.mentor.pk)
    assert listed(world.owner) == [world.mentor.pk]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"chosen": "abc"},
        {"chosen": "9" * 30},
        {"chosen": "-1"},
        {"chosen": "1", "rank": "x"},
        {"chosen": "\x00"},
    ],
)
@pytest.mark.parametrize("action", ["add", "move", "remove"])
def test_junk_is_refused_with_a_message(client, world, data, action):
    client.force_login(world.owner.user)
    response = post(client, world.owner, action, **data)
    assert response.status_code in (302, 400)
    assert not Preference.objects.exists()


def test_someone_of_another_cohort_or_side_cannot_be_added(client, world):
    client.force_login(world.owner.user)
    other_mentor = enroll(window_cohort(), Role.MENTOR)
    for chosen in (other_mentor, world.other_mentee, world.owner):
        response = post(client, world.owner, "add", chosen=chosen.pk)
        assert response.status_code == 302
        assert said(response) == "That person can't be chosen here."
    assert not Preference.objects.exists()


def test_the_page_suggests_the_best_fits_not_yet_listed(client, world):
    for rank, mentor in enumerate((world.mentor, world.second), start=1):
        Suggestion.objects.create(
            cohort=world.cohort,
            mentee_enrollment=world.owner,
            mentor_enrollment=mentor,
            rank=rank,
            score=0.9 - rank / 10,
            reasons=[f"Reason {rank}"],
            weights_version=1,
        )
    add_preference(chooser=world.owner, chosen=world.mentor, by=world.owner.user)
    client.force_login(world.owner.user)
    page = client.get(page_url(world.owner)).content.decode()
    assert '<span class="visually-hidden">: Sami Second</span>' in page
    assert '<span class="visually-hidden">: Marta Mentor</span>' not in page
    assert "70% fit" in page and "Reason 2" in page
    assert f"{reverse('matching:directory')}?cohort={world.cohort.pk}" in page


def test_before_the_window_the_page_says_when_it_opens_and_posts_are_refused(client):
    cohort = window_cohort(opens=2, closes=5)
    mentee, mentor = enroll(cohort, Role.MENTEE), enroll(cohort, Role.MENTOR)
    client.force_login(mentee.user)
    page = client.get(page_url(mentee)).content.decode()
    assert f"Choices for {cohort.name} open on" in page
    assert "Add to my choices" not in page
    response = post(client, mentee, "add", chosen=mentor.pk)
    assert said(response).startswith(f"Choices for {cohort.name} open on")
    assert not Preference.objects.exists()


def test_after_the_window_the_list_shows_but_cannot_change(client, world):
    add_preference(chooser=world.owner, chosen=world.mentor, by=world.owner.user)
    Cohort.objects.filter(pk=world.cohort.pk).update(
        preferences_open_at=timezone.now() - timedelta(days=5),
        preferences_close_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(world.owner.user)
    page = client.get(page_url(world.owner)).content.decode()
    assert f"Choices for {world.cohort.name} closed on" in page
    assert "Marta Mentor" in page and "Move" not in page and "Remove" not in page
    response = post(client, world.owner, "remove", chosen=world.mentor.pk)
    assert said(response) == f"Choices for {world.cohort.name} have closed; they can't be changed."
    assert listed(world.owner) == [world.mentor.pk]


def test_a_mentor_who_ranks_sees_the_mentees_who_listed_them(client, world):
    Cohort.objects.filter(pk=world.cohort.pk).update(has_mentor_preferences=True)
    add_preference(chooser=world.owner, chosen=world.mentor, by=world.owner.user)
    client.force_login(world.mentor.user)
    page = client.get(page_url(world.mentor)).content.decode()
    assert "Mentees who listed you" in page
    assert "Olive Owner" in page and "Otto Other" not in page
    post(client, world.mentor, "add", chosen=world.owner.pk)
    assert listed(world.mentor) == [world.owner.pk]


# --- The ways in ------------------------------------------------------------------


def test_the_dashboard_invites_mentees_during_the_window(client, world):
    client.force_login(world.owner.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert f"Choose who you'd like as a mentor in {world.cohort.name}, until" in page
    assert page_url(world.owner) in page


def test_the_dashboard_is_quiet_outside_the_window(client, world):
    Cohort.objects.filter(pk=world.cohort.pk).update(
        preferences_open_at=timezone.now() + timedelta(days=1),
        preferences_close_at=timezone.now() + timedelta(days=3),
    )
    client.force_login(world.owner.user)
    assert page_url(world.owner) not in client.get(reverse("dashboard")).content.decode()


def test_the_dashboard_does_not_invite_mentors_who_do_not_rank(client, world):
    client.force_login(world.mentor.user)
    assert page_url(world.mentor) not in client.get(reverse("dashboard")).content.decode()


def test_the_mentor_page_offers_to_add_them_during_the_window(client, world):
    client.force_login(world.owner.user)
    url = reverse("matching:mentor-detail", args=[world.mentor.pk])
    page = client.get(url).content.decode()
    assert f"Add to my choices for {world.cohort.name}" in page
    post(client, world.owner, "add", chosen=world.mentor.pk)
    page = client.get(url).content.decode()
    assert "Marta Mentor is your 1st choice" in page
    assert f"Add to my choices for {world.cohort.name}" not in page


def test_the_mentor_page_has_no_button_outside_the_window(client, world):
    Cohort.objects.filter(pk=world.cohort.pk).update(
        preferences_open_at=timezone.now() - timedelta(days=3),
        preferences_close_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(world.owner.user)
    page = client.get(reverse("matching:mentor-detail", args=[world.mentor.pk])).content.decode()
    assert "Add to my choices" not in page
