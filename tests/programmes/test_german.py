"""The programme admin's console in German: a programme admin who chose German reads the
admin home, the cohort report, the import preview and the actions in German, and a
member answers a survey in German. Numbers people read follow German (a decimal comma);
numbers in attributes and drawings keep the dot."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

import pytest

from accounts.models import User
from goals.models import CheckAnswer, FitCheck
from matching.models import Cohort, Mentorship, RequestStatus, Role
from programmes.models import ImportBatch, SurveyKind, SurveyResponse
from tests.factories import CohortFactory, make_programme_admin
from tests.programmes.cohort_builders import enroll, make_meeting, make_mentorship, make_request
from tests.programmes.people import csv_upload

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A request leaves its language active on the thread: the tests after these ones,
    which call code directly, expect the site's default again."""
    yield
    translation.deactivate()


def _german(user: User) -> User:
    user.language = "de"
    user.save(update_fields=["language"])
    return user


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def cohort() -> Cohort:
    return CohortFactory(name="Frühling 2027", slug="fruehling")


@pytest.fixture
def pair(cohort: Cohort) -> Mentorship:
    """One mentorship, three months old, whose mentee said it is not a good fit."""
    mentorship = make_mentorship(
        enroll(cohort, Role.MENTOR),
        enroll(cohort, Role.MENTEE),
        started_at=NOW - timedelta(days=90),
    )
    FitCheck.objects.create(
        mentorship=mentorship,
        person=mentorship.mentee_enrollment.user,
        kind="fit",
        due_on=timezone.localdate(),
        answer=CheckAnswer.POOR_FIT,
        answered_at=NOW,
    )
    return mentorship


@pytest.fixture
def admin_client(client, cohort: Cohort):
    """A programme admin of ``cohort`` (staff, with two-factor) who chose German; the
    browser asks for English, and the account's choice wins."""
    client.force_login(_german(make_programme_admin(cohort)))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_admin_home_and_what_needs_attention_are_in_german(
    admin_client, cohort: Cohort, pair: Mentorship
) -> None:
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert '<html lang="de"' in html
    assert "Ihre laufenden Programme" in html
    assert "Braucht Aufmerksamkeit" in html
    assert "1 Mentoring, bei dem jemand angegeben hat, dass es nicht gut passt" in html
    assert "0 läuft gut · 0 unsicher · 1 passt nicht gut" in html
    assert "1 Mentor:in · 1 Mentee" in html
    assert "Programmverwaltung" in html  # the site's index title
    assert "Abmelden" in html  # Django's own admin words, from Django's catalogue
    for english in ("Your running programmes", "Needs attention", "not a good fit", "Log out"):
        assert english not in html
    # A number in an attribute stays a plain number.
    assert f'aria-labelledby="programme-{cohort.pk}"' in html


def test_the_cohort_report_is_in_german_with_german_numbers(
    admin_client, cohort: Cohort, pair: Mentorship
) -> None:
    # Three meetings in two mentorships: 1.5 a mentorship, written 1,5 in German.
    other = make_mentorship(
        enroll(cohort, Role.MENTOR),
        enroll(cohort, Role.MENTEE),
        started_at=NOW - timedelta(days=60),
    )
    for mentorship, days_ago in ((pair, 30), (pair, 20), (other, 10)):
        make_meeting(mentorship, NOW - timedelta(days=days_ago))
    # Three requests, one still waiting: its bar is a third as long as "Sent", 133.3 wide.
    mentor = pair.mentor_enrollment
    for status in (RequestStatus.PENDING, RequestStatus.WITHDRAWN, RequestStatus.EXPIRED):
        make_request(enroll(cohort, Role.MENTEE), mentor, status=status)
    html = admin_client.get(reverse("admin:programmes_cohort_report", args=[cohort.pk]))
    html = html.content.decode()
    assert "Bericht: Frühling 2027" in html
    assert "Teilnahmen im Zeitverlauf" in html
    assert 'Mittelwert pro Mentoring</th><td class="num">1,5</td>' in html
    assert "Alle Zahlen als CSV herunterladen" in html
    assert '<a href="/admin/">Start</a>' in html  # Django's "Home" in the breadcrumbs
    assert "Teilnahmen im Zeitverlauf in Frühling 2027</title>" in html  # a chart's title
    for english in ("Enrollment over time", "Mean per mentorship", "Download all numbers"):
        assert english not in html
    # Drawing coordinates and sizes keep the dot, whatever the language.
    charts = re.findall(r'<svg [^>]*class="report-chart".*?</svg>', html, re.S)
    assert len(charts) == 6
    sizes = re.findall(r' (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', "".join(charts))
    assert sizes and all(re.fullmatch(r"-?\d+(\.\d+)?", size) for size in sizes)
    assert any("." in size for size in sizes)


def test_the_report_and_exports_download_with_german_headers(
    admin_client, cohort: Cohort, pair: Mentorship
) -> None:
    report = admin_client.get(reverse("admin:programmes_cohort_report_csv", args=[cohort.pk]))
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert rows[0] == ["Bereich", "Kennzahl", "Wert"]
    assert ["Übersicht", "Mentor:innen angemeldet", "1"] in rows
    export = admin_client.get(
        reverse("admin:programmes_cohort_export", args=[cohort.pk, "participants"])
    )
    header = next(csv.reader(io.StringIO(export.content.decode().lstrip("\ufeff"))))
    assert header[:4] == ["Kohorte", "Name", "E-Mail", "Rolle"]
    # The file's name is a machine name: it stays as it is.
    assert "fruehling-participants-" in export["Content-Disposition"]


def test_an_import_preview_with_a_row_error_is_in_german(
    admin_client, cohort: Cohort, django_capture_on_commit_callbacks
) -> None:
    upload = reverse("admin:programmes_cohort_import", args=[cohort.pk])
    page = admin_client.get(upload).content.decode()
    assert "Teilnehmende importieren" in page and "Hochladen und Vorschau ansehen" in page
    assert "Höchstens 1 MB und 5.000 Personen, gespeichert als CSV UTF-8." in page

    # A form error, next to the field, in German.
    refused = admin_client.post(upload, {"file": csv_upload(" \n")}).content.decode()
    assert "Bitte korrigieren Sie den unten aufgeführten Fehler." in refused
    assert "Die Datei ist leer." in refused and "The file is empty." not in refused

    data = "email,name,role\nana@example.org,Ana Silva,mentor\nbo@example.org,Bo Chen,\n"
    preview = admin_client.post(upload, {"file": csv_upload(data)}, follow=True)
    html = preview.content.decode()
    assert "Importvorschau: people.csv" in html
    assert "2 Zeilen aus <strong>people.csv</strong> gelesen" in html
    assert "<strong>1</strong> bereit zum Import, <strong>1</strong> mit Fehlern." in html
    assert "<li>Die Rolle fehlt: Schreiben Sie mentor oder mentee.</li>" in html
    assert "1 Zeile hat Fehler, siehe unten." in html
    assert "Die 1 fehlerhafte Zeile überspringen und 1 importieren" in html
    assert "Role is missing" not in html and "ready to import" not in html

    # Skipping the bad row: the flash message is German too, and so is the result.
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        started = admin_client.post(
            reverse("admin:programmes_cohort_import_apply", args=[cohort.pk, batch.pk]),
            {"skip_invalid": "1"},
        )
    assert _messages(started)[0].startswith("1 Person wird im Hintergrund importiert.")
    done = admin_client.get(started.url).content.decode()
    assert ": 1 eingeladen, 1 übersprungen." in done and "Zu den Einladungen" in done


def test_closing_asks_and_answers_in_german(admin_client, cohort: Cohort, pair: Mentorship) -> None:
    changelist = reverse("admin:matching_cohort_changelist")
    data = {"action": "close_cohorts", "_selected_action": [cohort.pk]}
    confirm = admin_client.post(changelist, data).content.decode()
    assert "Das wird passieren:" in confirm
    assert "1 aktives Mentoring wird abgeschlossen" in confirm
    assert 'value="Ja, ich bin sicher"' in confirm
    done = admin_client.post(changelist, {**data, "post": "yes"})
    assert _messages(done) == [
        "Frühling 2027: geschlossen. Aktive Mentorings sind abgeschlossen und die "
        "Abschlussumfrage ist unterwegs."
    ]


def test_a_member_answers_a_survey_in_german(client, cohort: Cohort, pair: Mentorship) -> None:
    mentee = _german(pair.mentee_enrollment.user)
    response = SurveyResponse.objects.create(
        cohort=cohort, user=mentee, role=Role.MENTEE, kind=SurveyKind.MIDPOINT
    )
    client.force_login(mentee)
    page = client.get(response.get_absolute_url()).content.decode()
    assert "Zwischenumfrage: Frühling 2027" in page
    assert "Wie zufrieden sind Sie bisher mit dem Programm?" in page
    assert "Gute Fortschritte bei den meisten meiner Ziele" in page
    assert "Antworten senden" in page and "Send my answers" not in page

    refused = client.post(response.get_absolute_url(), {"comments": "Gut"}).content.decode()
    assert "Wählen Sie, wie zufrieden Sie sind, von 1 bis 5." in refused
    assert "Choose how satisfied" not in refused

    answers = {"satisfaction": "4", "recommend": "9", "goal_progress": "2"}
    client.post(response.get_absolute_url(), answers)
    thanks = client.get(response.get_absolute_url()).content.decode()
    assert "Ihre Antworten auf die Zwischenumfrage von Frühling 2027 sind angekommen" in thanks


def test_the_admin_names_models_and_fields_in_german(admin_client, cohort: Cohort) -> None:
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Kohorten" in index
    assert "Umfrageantworten" in index
    for english in (">Cohorts<", ">Survey responses<", ">Fit checks<"):
        assert english not in index

    page = admin_client.get(reverse("admin:matching_cohort_change", args=[cohort.pk]))
    html = page.content.decode()
    assert "Kohorte ändern" in html
    assert "Beginnt am" in html  # the field "starts on", capitalised by Django
    assert "Beitrittsart" in html
    assert "Endet am" in html
    for english in ("Change cohort", "cohort ändern", "Starts on", "Join mode", "Ends on"):
        assert english not in html
