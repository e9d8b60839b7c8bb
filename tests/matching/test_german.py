"""Matching in German: the directory, a mentor's page, a request refused for its words or
for want of a shared language, the mentorship page and a programme admin's cohort page,
for someone whose browser (or account) asks for German."""

import html
import re
from collections.abc import Iterator

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation

import pytest

from accounts.models import User
from matching import services
from matching.models import Enrollment, MatchRun, MatchRunPair, MatchRunStatus, Role
from tests.factories import CohortFactory, ProfileFactory, make_programme_admin

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}
MESSAGE = (
    "Ich möchte von der Senior-Entwicklerin zur Teamleitung wechseln, und Sie haben diesen "
    "Schritt selbst gemacht. Könnten wir uns einmal im Monat treffen?"
)


@pytest.fixture(autouse=True)
def _site_language_afterwards() -> Iterator[None]:
    # A German request leaves German active in the test's thread (LocaleMiddleware
    # activates, nothing deactivates): the next test's services would speak German.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _text(response: HttpResponse) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(page).split())


def _html(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def _flashes(response: HttpResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _mentor_enrollment(user: User) -> Enrollment:
    return Enrollment.objects.get(user=user, cohort=services.default_cohort(), role=Role.MENTOR)


def _german(user: User) -> User:
    user.language = "de"
    user.save(update_fields=["language"])
    return user


def test_the_directory_speaks_german_and_caches_its_cards_per_language(
    client: Client, mentee: User, mentor: User
) -> None:
    ProfileFactory(
        wants_mentoring=False,
        wants_to_mentor=True,
        display_name="Pia Pause",
        is_accepting_requests=False,
    )
    client.force_login(mentee)
    response = client.get(reverse("matching:directory"), **GERMAN)
    assert response.status_code == 200
    page = _text(response)
    for german in [
        "Mentor:in finden",
        "Mentor:innen in Ihren Programmen. 2 Treffer.",
        "Sortierung",
        "Spricht eine meiner Sprachen",
        "Filter anwenden",
        "Erfahrung",
        "Sie sprechen beide Englisch",  # a language's name is stored data
        "Nimmt keine Anfragen an",
        "Neue Mentor:in: noch keine Antworten zum Messen",
    ]:
        assert german in page, german
    assert re.search(r"\d von \d Plätzen frei", page)
    assert 'aria-label="Mentor:innen filtern"' in _html(response)
    # (The navbar is base.html's, marked elsewhere.)
    for english in ["Apply filters", "Mentors in your programmes", "Experience", "places free"]:
        assert english not in page, english

    # The cards are cached once rendered: the English reader gets English cards.
    english = _text(client.get(reverse("matching:directory"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Not taking requests" in english and "You both speak English" in english
    assert "Nimmt keine Anfragen an" not in english and "Plätzen frei" not in english


def test_a_mentors_page_in_german(client: Client, mentee: User, mentor: User) -> None:
    client.force_login(_german(mentee))
    name = mentor.profile.display_name
    page = _text(
        client.get(reverse("matching:mentor-detail", args=[_mentor_enrollment(mentor).pk]))
    )
    for german in [
        "Kann helfen bei",
        "Details",
        "Branche",
        "Zeitzone",
        "Trifft sich per",
        "Std./Monat",
        "Programm",
        f"{name} als Mentor:in anfragen",
        "Ihre Nachricht",
        "Eine erste Idee für ein Ziel (optional)",
        "Anfrage senden",
        "Software engineer bei Acme",
    ]:
        assert german in page, german
    assert re.search(r"\d+ Jahre ·", page)
    for english in ["Can help with", "Send request", "Time zone", " years ·", "to mentor you"]:
        assert english not in page, english


def test_a_too_short_request_is_refused_in_german_next_to_the_field(
    client: Client, mentee: User, mentor: User
) -> None:
    client.force_login(mentee)
    url = reverse("matching:request-create", args=[_mentor_enrollment(mentor).pk])
    response = client.post(url, {"message": "Bitte helfen"}, **GERMAN)
    assert response.status_code == 200
    page = _text(response)
    assert "Erzählen Sie etwas mehr: mindestens 80 Zeichen (bisher 12)." in page
    assert "Tell them a bit more" not in page


def test_a_sent_request_is_confirmed_in_german(client: Client, mentee: User, mentor: User) -> None:
    client.force_login(_german(mentee))
    url = reverse("matching:request-create", args=[_mentor_enrollment(mentor).pk])
    response = client.post(url, {"message": MESSAGE})
    assert response.status_code == 302
    name = mentor.get_full_name()
    assert _flashes(response) == [f"Ihre Anfrage ist unterwegs zu {name}."]
    page = _text(client.get(response.url))
    assert f"Ihre Anfrage an {name}" in page and "Anfrage zurückziehen" in page
    assert "Wartet auf die Mentor:in" in page  # the request's status


def test_a_request_without_a_shared_language_is_refused_in_german(
    client: Client, mentee: User
) -> None:
    mentor = ProfileFactory(
        wants_mentoring=False, wants_to_mentor=True, display_name="Fleur Français", languages=["fr"]
    ).user
    mentee.profile.languages.set(["de"])
    client.force_login(_german(mentee))
    url = reverse("matching:mentor-detail", args=[_mentor_enrollment(mentor).pk])
    page = _text(client.get(url))
    assert (
        "Sie können Fleur Français in Community nicht anfragen: Sie haben keine gemeinsame "
        "Sprache (Fleur Français spricht Französisch; Ihr Profil nennt Deutsch)."
    ) in page
    assert "Keine gemeinsame Sprache: spricht Französisch" in page
    assert "Anfrage senden" not in page

    # Posted anyway (an old tab): the service's refusal, in German, above the form.
    response = client.post(
        reverse("matching:request-create", args=[_mentor_enrollment(mentor).pk]),
        {"message": MESSAGE},
    )
    assert response.status_code == 200
    page = _text(response)
    assert (
        "Sie und Fleur Français haben keine gemeinsame Sprache: Fleur Français spricht "
        "Französisch, Ihr Profil nennt Deutsch. Community verlangt, dass Mentor:in und "
        "Mentee eine Sprache teilen: Wählen Sie eine Mentor:in, die eine Ihrer Sprachen spricht"
    ) in page
    assert "Was Sie geschrieben haben, zum Wiederverwenden" in page
    assert "have no language in common" not in page


def test_the_mentorship_page_in_german(client: Client, mentee: User, mentor: User) -> None:
    request = services.send_request(
        mentee=mentee, mentor_enrollment=_mentor_enrollment(mentor), message=MESSAGE
    )
    mentorship = services.accept_request(request=request, by=mentor)
    client.force_login(_german(mentor))
    url = reverse("matching:mentorship-detail", args=[mentorship.pk])
    page = _text(client.get(url))
    name = mentee.profile.display_name
    for german in [
        f"Mentoring mit {name}",
        "Nachrichten",
        "Nachricht senden",
        "Ziele",
        "Noch keine Ziele. Vereinbaren Sie in Ihrem ersten Treffen ein erstes SMART-Ziel",
        f"{name} mit jemandem bekannt machen",
        "Dieses Mentoring beenden",
        "Berufliche Ziele:",
    ]:
        assert german in page, german
    for english in ["Messages", "Send message", "No goals yet", "End this mentorship"]:
        assert english not in page, english

    response = client.post(url, {"body": ""})
    assert "Schreiben Sie zuerst eine Nachricht." in _text(response)
    response = client.post(url, {"body": "Hallo! Passt Ihnen Dienstag?"}, follow=True)
    assert "Hallo! Passt Ihnen Dienstag?" in _text(response)


def test_a_programme_admins_cohort_page_in_german(client: Client) -> None:
    cohort = CohortFactory(name="Spring Leaders")
    client.force_login(make_programme_admin(cohort))
    response = client.get(reverse("admin:matching_cohort_change", args=[cohort.pk]), **GERMAN)
    assert response.status_code == 200
    page = _html(response)
    assert "So läuft Spring Leaders" in page
    assert "Programm steuern" in page and "Berichte und Exporte" in page
    for button in (
        "Optimales Matching starten",
        "Vorschläge neu berechnen",
        "Kohorte abschließen …",
    ):
        assert f'value="{button}"' in page, button
    for english in ["How Spring Leaders is going", "Run optimal matching", "Reports and exports"]:
        assert english not in page, english

    # Its button's action, and the message after it.
    response = client.post(
        reverse("admin:matching_cohort_changelist"),
        {"action": "run_optimal", "_selected_action": str(cohort.pk)},
        **GERMAN,
    )
    [message] = _flashes(response)
    assert message.startswith("Spring Leaders: optimales Matching gestartet.")
    assert "Öffnen Sie den Entwurf</a>" in message


def test_a_draft_in_german_shows_people_their_numbers_the_german_way(client: Client) -> None:
    cohort = CohortFactory(name="Spring Leaders")
    mentee = services.join_cohort(
        user=ProfileFactory(enrolled=False).user, cohort=cohort, role=Role.MENTEE
    )
    mentor = services.join_cohort(
        user=ProfileFactory(enrolled=False, wants_to_mentor=True).user,
        cohort=cohort,
        role=Role.MENTOR,
    )
    run = MatchRun.objects.create(
        cohort=cohort,
        mode="optimal",
        status=MatchRunStatus.DRAFT,
        metrics={"mentees": 1, "mentors": 1, "places": 2, "coverage": 1.0, "matched": 1},
    )
    MatchRunPair.objects.create(
        run=run, mentee_enrollment=mentee, mentor_enrollment=mentor, score=0.8123
    )
    client.force_login(make_programme_admin(cohort))
    response = client.get(reverse("admin:matching_matchrun_change", args=[run.pk]), **GERMAN)
    page = _html(response)
    assert "Vorgeschlagene Paare (1)" in page and "Kennzahlen" in page
    assert "<strong>0,812</strong>" in page  # a score read by people: a decimal comma
    assert "100 % (1 vermittelt)" in page
    assert 'value="1 Paar veröffentlichen: Mentorings anlegen und Kontaktvermittlungen senden"' in (
        page
    )
    # The mentor box's script gets its words from the JavaScript catalogue, loaded first.
    catalogue = page.index(reverse("javascript-catalog"))
    assert catalogue < page.index("js/match-review.js")
    assert "Proposed pairs" not in page
