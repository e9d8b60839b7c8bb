"""The email settings page every email links to: who reaches it, and what saving does."""

import re

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from core.email import settings_url
from profiles.models import Profile

pytestmark = pytest.mark.django_db

URL = reverse("profiles:email-settings")


def _profile(user: User) -> Profile:
    return Profile.objects.get(user=user)


@pytest.fixture
def browser() -> Client:
    """A client that, like a browser, must send the CSRF token the form carries."""
    return Client(enforce_csrf_checks=True)


def _save(client: Client, **ticked: str) -> HttpResponse:
    """Submit the form as a browser would: the token always comes along, and unticked
    checkboxes are simply absent."""
    page = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client.post(URL, {"csrfmiddlewaretoken": token, **ticked})


def test_the_link_in_every_email_points_here() -> None:
    assert settings_url() == f"http://testserver{URL}"
    assert URL == "/profile/emails/"


def test_anonymous_visitor_is_sent_to_log_in_and_back(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={URL}"


def test_anonymous_post_changes_nothing(client: Client, mentee: User) -> None:
    response = client.post(URL, {"email_reminders": ""})

    assert response.status_code == 302
    assert _profile(mentee).email_reminders is True
    assert _profile(mentee).email_digest is True


def test_person_sees_both_settings_switched_on_by_default(client: Client, mentee: User) -> None:
    client.force_login(mentee)

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Email settings" in page
    assert "Goal and meeting reminders" in page
    assert "Weekly digest" in page
    form = response.context["form"]
    assert form.instance.pk == _profile(mentee).pk
    assert form["email_reminders"].value() is True
    assert form["email_digest"].value() is True
    for name in ("email_reminders", "email_digest"):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*checked', page), name


def test_switching_reminders_off_saves_and_says_so(browser: Client, mentee: User) -> None:
    browser.force_login(mentee)

    response = _save(browser, email_digest="on")

    assert response.status_code == 302
    assert response.url == URL
    profile = _profile(mentee)
    assert profile.email_reminders is False
    assert profile.email_digest is True
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Your email settings are saved."
    ]


def test_switching_everything_off_shows_it_off_afterwards(browser: Client, mentor: User) -> None:
    browser.force_login(mentor)

    assert _save(browser).status_code == 302
    response = browser.get(URL)

    assert "Your email settings are saved." in response.content.decode()
    profile = _profile(mentor)
    assert (profile.email_reminders, profile.email_digest) == (False, False)
    form = response.context["form"]
    assert form["email_reminders"].value() is False
    assert form["email_digest"].value() is False


def test_switching_back_on(browser: Client, mentee: User) -> None:
    Profile.objects.filter(user=mentee).update(email_reminders=False, email_digest=False)
    browser.force_login(mentee)

    _save(browser, email_reminders="on", email_digest="on")

    profile = _profile(mentee)
    assert (profile.email_reminders, profile.email_digest) == (True, True)


def test_saving_touches_only_your_own_profile(browser: Client, mentee: User, mentor: User) -> None:
    browser.force_login(mentee)

    _save(browser)

    assert _profile(mentee).email_reminders is False
    other = _profile(mentor)
    assert (other.email_reminders, other.email_digest) == (True, True)


def test_saving_leaves_the_rest_of_the_profile_alone(browser: Client, mentee: User) -> None:
    before = _profile(mentee)
    browser.force_login(mentee)

    _save(browser, display_name="Someone Else", mentor_capacity="9")

    after = _profile(mentee)
    assert after.display_name == before.display_name
    assert after.mentor_capacity == before.mentor_capacity
    assert after.email_reminders is False


def test_a_post_without_the_csrf_token_is_refused(browser: Client, mentee: User) -> None:
    browser.force_login(mentee)

    assert browser.post(URL, {"email_digest": "on"}).status_code == 403
    assert _profile(mentee).email_reminders is True


def test_someone_still_onboarding_can_reach_their_email_settings(client, newcomer):
    # Every email links here, including the ones sent before onboarding is finished.
    client.force_login(newcomer)
    response = client.get(URL)
    assert response.status_code == 200
    client.post(URL, {"email_digest": ""})
    assert _profile(newcomer).email_digest is False
