"""The site in German: the landing page, the dashboards, onboarding, the profile, email
settings, the privacy pages, the 404 page and the navbar, for someone who reads German."""

import html
import re

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from matching import services as matching_services
from matching.models import Enrollment, Role
from profiles.models import Profile, ProfileSkill
from tests.factories import REQUEST_MESSAGE, ProfileFactory

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def _page(client: Client, url: str, **extra: str) -> str:
    response = client.get(url, **{**GERMAN, **extra})
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def _german(user: User) -> User:
    """A member who chose German on their account (the footer switch or the profile)."""
    user.language = "de"
    user.save(update_fields=["language"])
    return user


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_visitor_whose_browser_asks_for_german_gets_the_landing_page_in_german(client) -> None:
    page = _page(client, reverse("home"))
    assert '<html lang="de">' in page
    assert "Finden Sie eine Mentor:in, die den Weg schon gegangen ist" in page
    assert "So funktioniert es" in page and "Für Mentees" in page and "Für Mentor:innen" in page
    assert "Zum Inhalt springen" in page
    # The visitor's navbar.
    assert ">Anmelden</a>" in page and ">Am Programm teilnehmen</a>" in page
    for english in ["How it works", "Find a mentor who has walked", "Sign in", "Skip to content"]:
        assert english not in page


def test_the_landing_page_stays_english_for_an_english_browser(client) -> None:
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page and "How it works" in page
    assert "So funktioniert es" not in page


def test_a_mentees_dashboard_and_navbar_in_german(client, mentee) -> None:
    client.force_login(_german(mentee))
    name = mentee.profile.display_name
    page = _page(client, reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")  # the account wins
    assert f"Willkommen, {name}" in page
    assert "Ihr Weg im Mentoring" in page and "Kompetenzen, die Sie lernen möchten" in page
    # Skill names are the shared vocabulary and stay as stored; their level is translated.
    assert "Public speaking" in page and "Solide" in page
    assert "Software & Internet · 5 Jahre Berufserfahrung · Europe/Berlin" in page
    assert "Software engineer bei Acme" in page
    # The navbar of a mentee.
    for german in ["Übersicht", "Mentor:in finden", "Anfragen", "Programme", "Mein Profil"]:
        assert f">{german}</a>" in page, german
    assert "Zwei-Faktor-Authentifizierung" in page and ">Abmelden</button>" in page
    assert 'aria-label="Hauptmenü"' in page
    for english in [
        "Welcome,",
        "Your mentoring journey",
        "Find a mentor<",
        "My profile",
        "Sign out",
    ]:
        assert english not in page


def test_a_mentors_dashboard_and_navbar_badges_in_german(client, mentor, mentee) -> None:
    enrollment = Enrollment.objects.get(
        user=mentor, cohort=matching_services.default_cohort(), role=Role.MENTOR
    )
    matching_services.send_request(
        mentee=mentee, mentor_enrollment=enrollment, message=REQUEST_MESSAGE
    )
    client.force_login(_german(mentor))
    page = _page(client, reverse("dashboard"))
    assert "Andere begleiten" in page and "Warten auf Ihre Antwort (1)" in page
    assert re.search(r"Antwort bis \d{1,2}\. \w+", page)
    assert "von 2 Plätzen belegt" in page
    assert "Offen für neue Anfragen" in page and "Neue Anfragen pausieren" in page
    assert "Kompetenzen, die Sie vermitteln können" in page
    # The mentor's navbar: their links, and the badge's label in German and its number.
    assert ">Ziele der Mentees<" in page and ">Verfügbarkeit fürs Mentoring</a>" in page
    assert 'aria-label="1 wartet auf Ihre Antwort">1</span>' in page
    for english in ["Mentoring others", "places taken", "waiting for your answer", "Pause new"]:
        assert english not in page


def test_onboarding_steps_speak_german_with_their_form_errors(client, newcomer) -> None:
    client.force_login(newcomer)

    page = _page(client, reverse("profiles:onboarding-role"))
    assert "Schritt 1 von 3" in page and "Was führt Sie zu uns?" in page
    assert "Ich möchte eine Mentor:in, die mich weiterbringt" in page
    assert ">Einrichtung abschließen</a>" in page  # the navbar of someone not done yet
    # The progress bar's numbers are numbers, whatever the language.
    assert 'aria-valuenow="1" aria-valuemin="0" aria-valuemax="3"' in page

    response = client.post(reverse("profiles:onboarding-role"), {"mentor_capacity": "2"}, **GERMAN)
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert (
        "Wählen Sie mindestens eines: eine Mentor:in finden, andere begleiten oder beides." in page
    )
    assert "Choose at least one" not in page

    client.post(
        reverse("profiles:onboarding-role"),
        {"wants_mentoring": "on", "mentor_capacity": "2"},
        **GERMAN,
    )
    response = client.post(
        reverse("profiles:onboarding-about"),
        {"display_name": "A", "linkedin_url": "https://example.org/me", "hours_per_month": "50"},
        **GERMAN,
    )
    page = html.unescape(response.content.decode())
    assert "Schritt 2 von 3" in page and "Erzählen Sie uns von sich" in page
    assert "Geben Sie mindestens zwei Zeichen ein." in page
    assert "Geben Sie eine LinkedIn-Adresse ein" in page
    assert "Wählen Sie mindestens eine Art, wie Sie sich treffen möchten." in page
    # Django's own messages come from Django's German catalogue.
    assert "Dieses Feld ist zwingend erforderlich." in page
    assert "Kurzvorstellung" in page and "Bevorzugte Treffen-Formate" in page
    assert "Videoanruf" in page and "Am Anfang der Karriere (0–3 Jahre)" in page
    # Spoken languages are shown in German, stored by their code.
    assert re.search(r'value="de"[^>]*>\s*Deutsch', page) or ">Deutsch<" in page
    # ...in the alphabetical order of their German names ("Ä" counts as "A").
    shown = [page.index(f" {name}\n") for name in ["Arabisch", "Chinesisch", "Dänisch", "Deutsch"]]
    assert shown == sorted(shown) and page.index(" Katalanisch\n") > shown[-1]
    assert "Enter at least two characters" not in page and "Headline" not in page


def test_the_skills_step_refuses_in_german_and_welcomes_in_german(client) -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False, onboarded_at=None)
    ProfileSkill.objects.filter(profile=profile).delete()
    client.force_login(_german(profile.user))

    page = _page(client, reverse("profiles:onboarding-skills"))
    assert "Schritt 3 von 3" in page and "Kompetenz 1" in page and "Niveau für Kompetenz 1" in page
    assert 'placeholder="z. B. Public speaking"' in page and "2 · Solide" in page

    empty = {
        "learn-TOTAL_FORMS": "1",
        "learn-INITIAL_FORMS": "0",
        "learn-0-name": "",
        "learn-0-level": "2",
    }
    page = html.unescape(client.post(reverse("profiles:onboarding-skills"), empty).content.decode())
    assert "Fügen Sie mindestens eine Kompetenz hinzu, die Sie lernen möchten." in page

    filled = {**empty, "learn-0-name": "SQL"}
    response = client.post(reverse("profiles:onboarding-skills"), filled)
    assert response.status_code == 302
    assert _messages(response) == ["Willkommen an Bord! Ihr Profil ist fertig."]


def test_the_profile_page_in_german(client, mentor) -> None:
    Profile.objects.filter(user=mentor).update(bio="Ich helfe gern.")
    client.force_login(_german(mentor))
    page = _page(client, reverse("profiles:detail"))
    assert "Rolle:" in page and "Branche:" in page and "Software & Internet" in page
    assert "5 Jahre · Mit Berufserfahrung (3–8 Jahre)" in page
    assert "Sprachen:</span> Englisch" in page
    assert "Std./Monat · Videoanruf" in page
    assert "Bis zu 2 Mentees über alle Ihre Programme · neue Anfragen möglich" in page
    assert "Über mich" in page and "Kann vermitteln" in page
    assert ">Profil bearbeiten<" in page and ">Mein Konto löschen<" in page
    for english in ["Edit profile", "Industry:", "Video call", "Can teach", "5 years"]:
        assert english not in page


def test_saving_the_profile_says_so_in_german(client, mentee) -> None:
    client.force_login(_german(mentee))
    page = _page(client, reverse("profiles:edit"))
    assert "Ihr Profil bearbeiten" in page and "Sprache der Website und Ihrer E-Mails" in page
    response = client.post(
        reverse("profiles:role"), {"wants_mentoring": "on", "mentor_capacity": "2"}
    )
    assert _messages(response) == ["Ihre Rolleneinstellungen sind gespeichert."]


def test_email_settings_in_german(client, mentee) -> None:
    client.force_login(_german(mentee))
    page = _page(client, reverse("profiles:email-settings"))
    assert "E-Mail-Einstellungen" in page and "Erinnerungen an Ziele und Treffen" in page
    assert "Wöchentliche Zusammenfassung" in page and "Zurück zu Ihrem Profil" in page
    assert "Weekly digest" not in page and "Back to your profile" not in page

    response = client.post(reverse("profiles:email-settings"), {"email_reminders": "on"})
    assert _messages(response) == ["Ihre E-Mail-Einstellungen sind gespeichert."]


def test_the_privacy_pages_in_german(client, mentee) -> None:
    client.force_login(_german(mentee))
    page = _page(client, reverse("privacy-data"))
    assert "Ihre Daten" in page and "Was die Datei enthält" in page
    assert "Meine Daten herunterladen (JSON)" in page and "Mein Konto löschen …" in page

    page = _page(client, reverse("privacy-delete"))
    download = reverse("privacy-download")
    assert f'Bevor Sie gehen, möchten Sie vielleicht <a href="{download}">' in page
    assert "Geben Sie zur Bestätigung DELETE ein" in page and "Ihr aktuelles Passwort" in page

    response = client.post(reverse("privacy-delete"), {"password": "wrong", "confirm": "delete"})
    page = html.unescape(response.content.decode())
    assert "Das ist nicht Ihr aktuelles Passwort." in page
    assert "That isn't your current password" not in page
    assert User.objects.filter(pk=mentee.pk).exists()


def test_deleting_the_account_says_goodbye_in_german(client, mentee, password) -> None:
    client.force_login(_german(mentee))
    response = client.post(reverse("privacy-delete"), {"password": password, "confirm": "DELETE"})
    assert response.status_code == 302
    assert _messages(response) == ["Ihr Konto ist gelöscht. Danke, dass Sie dabei waren."]


def test_the_404_page_in_german(client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/no-such-page/", **GERMAN)
    assert response.status_code == 404
    page = html.unescape(response.content.decode())
    assert "Diese Seite haben wir nicht gefunden" in page and "Zurück zur Startseite" in page
    assert "<title>Seite nicht gefunden" in page
    assert "We couldn't find that page" not in page


def test_the_500_page_in_german(settings) -> None:
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.urls_boom"
    response = Client(raise_request_exception=False).get("/boom/", **GERMAN)
    assert response.status_code == 500
    page = html.unescape(response.content.decode())
    assert '<html lang="de">' in page and "Bei uns ist etwas schiefgelaufen" in page
