"""Each person's language: chosen on the site, kept on the account, used in their email."""

from django.conf import settings
from django.core import mail

import pytest

from accounts.models import User
from core.outbox import services as outbox
from core.outbox.services import Queued
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GERMAN_FOOTER = "Wählen Sie, welche E-Mails Sie erhalten"
ENGLISH_FOOTER = "Choose which emails you get"


def _choose(client, language: str, next_url: str = "/"):
    return client.post("/language/", {"language": language, "next": next_url})


def test_a_visitor_gets_the_language_their_browser_asks_for(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    assert page["Content-Language"] == "de"
    assert '<html lang="de">' in page.content.decode()
    assert "Sprache ändern" in page.content.decode()


def test_a_visitor_without_a_preference_gets_the_site_language(client):
    page = client.get("/")
    assert page["Content-Language"] == settings.LANGUAGE_CODE


def test_a_visitor_chooses_a_language_and_keeps_it_on_the_next_page(client):
    response = _choose(client, "de", "/?from=footer")
    assert response.status_code == 302
    assert response["Location"] == "/?from=footer"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "de"


def test_a_signed_in_choice_is_kept_on_the_account_across_sessions(client):
    user = UserFactory()
    client.force_login(user)
    _choose(client, "de")
    user.refresh_from_db()
    assert user.language == "de"
    client.logout()
    client.cookies.clear()
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "de"


def test_the_person_s_language_wins_over_the_browser_s(client):
    user = UserFactory(language="de")
    client.force_login(user)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB")["Content-Language"] == "de"


def test_an_unknown_language_changes_nothing(client):
    user = UserFactory(language="de")
    client.force_login(user)
    response = _choose(client, "xx")
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    user.refresh_from_db()
    assert user.language == "de"


def test_an_off_site_next_goes_home_instead(client):
    response = _choose(client, "de", "https://evil.example/")
    assert response["Location"] == "/"


def test_choosing_is_a_post(client):
    assert client.get("/language/?language=de").status_code == 405


def test_signing_up_keeps_the_browser_s_language(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {
                "email": "neu@example.org",
                "password1": "a long enough passphrase 42",
                "password2": "a long enough passphrase 42",
            },
            HTTP_ACCEPT_LANGUAGE="de",
        )
    assert User.objects.get(email="neu@example.org").language == "de"
    (verification,) = mail.outbox
    assert GERMAN_FOOTER in verification.body


def test_an_email_speaks_its_recipient_s_language_not_the_sender_s(
    django_capture_on_commit_callbacks,
):
    UserFactory(email="Ana@Example.org", language="de")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("welcome", to=["ana@example.org"], context={}, key="w:de")
        outbox.enqueue("welcome", to=["nobody@example.org"], context={}, key="w:none")
    german, default = mail.outbox
    assert GERMAN_FOOTER in german.body
    assert ENGLISH_FOOTER in default.body


def test_one_email_to_people_of_two_languages_uses_the_site_language(
    django_capture_on_commit_callbacks,
):
    UserFactory(email="ana@example.org", language="de")
    UserFactory(email="bo@example.org", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("welcome", to=["ana@example.org", "bo@example.org"], context={})
    (sent,) = mail.outbox
    assert ENGLISH_FOOTER in sent.body


def test_bulk_emails_each_speak_their_recipient_s_language(django_capture_on_commit_callbacks):
    UserFactory(email="ana@example.org", language="de")
    UserFactory(email="bo@example.org", language="en")
    emails = [
        Queued(to=["ana@example.org"], context={}, key="bulk:ana"),
        Queued(to=["bo@example.org"], context={}, key="bulk:bo"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_many("welcome", emails)
    by_address = {sent.to[0]: sent.body for sent in mail.outbox}
    assert GERMAN_FOOTER in by_address["ana@example.org"]
    assert ENGLISH_FOOTER in by_address["bo@example.org"]


def test_the_profile_form_shows_the_language_in_use_and_saves_a_new_one(client, mentee):
    from tests.profiles.test_views import ABOUT

    client.force_login(mentee)
    page = client.get("/profile/edit/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<option value="de" selected>' in page
    response = client.post("/profile/edit/", {**ABOUT, "site_language": "de"})
    assert response.status_code == 302
    mentee.refresh_from_db()
    assert mentee.language == "de"
    # A refused form changes no language.
    client.post("/profile/edit/", {**ABOUT, "display_name": "", "site_language": "en"})
    mentee.refresh_from_db()
    assert mentee.language == "de"
