"""Goals, meetings and their calendar invitations in German, for a person who chose it.

The German comes from the compiled catalogue (``make messages``): these tests fail when a
word of the goals pages is left out of it."""

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

import icalendar
import pytest

from accounts.models import User
from goals import services
from goals.models import Goal, GoalStatus, Meeting
from goals.services import meetings
from matching.models import Mentorship
from tests.goals.conftest import MakeGoal, goal_form_data, metric_draft
from tests.helpers import emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_mentee(mentee: User) -> User:
    mentee.language = "de"
    mentee.save(update_fields=["language"])
    return mentee


def _page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    return response.content.decode()


def _meeting(mentorship: Mentorship, by: User, **details) -> Meeting:
    starts_at = (timezone.now() + timedelta(days=3)).replace(
        hour=16, minute=0, second=0, microsecond=0
    )
    return meetings.schedule_meeting(
        mentorship=mentorship,
        by=by,
        starts_at=starts_at,
        duration_minutes=45,
        format="video",
        location="https://meet.example.org/abc",
        agenda=details.get("agenda", "Vortragsgliederung"),
    )


def _event(ics: str) -> icalendar.Event:
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return event


def test_the_goal_page_is_german_with_numbers_for_people_and_for_machines(
    client, german_mentee, make_goal: MakeGoal
):
    goal = make_goal(GoalStatus.IN_PROGRESS, metric_draft(baseline=Decimal(20)))
    services.log_progress(goal=goal, by=german_mentee, value=Decimal("27.5"))
    client.force_login(german_mentee)

    html = _page(client, goal.get_absolute_url())

    for german in (
        "Ihr Mentoring",
        "In Arbeit",
        "Fortschritt im Vergleich zum Plan",
        "Spezifisch",
        "Terminiert",
        "Fortschrittsprotokoll",
        "Ein Hindernis melden",
        "Fortschritt eintragen",
        "(jetzt 27,50)",  # a number people read: German decimal comma
    ):
        assert german in html, german
    for english in ("Your mentorship", "Progress against the plan", "Progress log", "History"):
        assert english not in html, english
    # The chart speaks German too, and its geometry stays machine-readable.
    assert "Heute</text>" in html and "Today" not in html
    # 27.5 of 20 → 40 is 37 %: the bar's value keeps its digits, its label is German.
    assert 'value="37"' in html and 'aria-label="Fortschritt: 37 %"' in html
    assert re.search(
        r'<polyline class="chart-plan"[^>]* points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"', html
    )


def test_a_refused_goal_form_explains_itself_in_german(client, german_mentee, mentorship):
    client.force_login(german_mentee)
    data = goal_form_data(title="Improve", measure="", intent="submit")

    response = client.post(reverse("goals:create", args=[mentorship.pk]), data)

    html = response.content.decode()
    assert response.status_code == 200 and not Goal.objects.exists()
    assert "Sagen Sie, was Sie danach können oder zeigen" in html
    assert "Wählen Sie, wie Sie es messen: mit einer Zahl oder einer Checkliste" in html
    assert "Zieldatum" in html and "Ein SMART-Ziel setzen" in html
    assert "Choose how you will measure it" not in html
    assert "Target date" not in html


def test_submitting_a_goal_says_so_in_german(client, german_mentee, make_goal: MakeGoal):
    goal = make_goal(GoalStatus.DRAFT)
    client.force_login(german_mentee)

    response = client.post(reverse("goals:submit", args=[goal.pk]), follow=True)

    html = response.content.decode()
    assert "Zur Prüfung an Ihre Mentor:in gesendet." in html
    assert "Sent to your mentor for review." not in html


def test_closing_a_goal_names_its_ending_in_german(client, german_mentee, make_goal: MakeGoal):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    client.force_login(german_mentee)

    response = client.post(
        reverse("goals:close", args=[goal.pk]), {"outcome": "achieved"}, follow=True
    )

    assert "Ziel als „erreicht“ abgeschlossen." in response.content.decode()


def test_the_live_checklist_coaches_in_german(client, german_mentee, mentorship):
    client.force_login(german_mentee)

    answer = client.post(reverse("goals:check", args=[mentorship.pk]), {"title": "x"}).json()

    assert answer["errors"]["target_date"] == [
        "Wählen Sie das Datum, bis zu dem Sie es erreichen wollen."
    ]
    assert answer["criteria"]["time_bound"] is False


def test_the_checklist_words_of_the_script_come_from_the_german_catalogue(
    client, german_mentee, mentorship
):
    client.force_login(german_mentee)
    html = _page(client, reverse("goals:create", args=[mentorship.pk]))
    catalogue, script = reverse("javascript-catalog"), "js/goals.js"
    # The catalogue is loaded before the script that asks it for words.
    assert html.index(f'src="{catalogue}"') < html.index(script)
    assert "noch nicht erfüllt" in html  # the checklist as the server draws it

    served = client.get(catalogue, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "noch nicht erf\\u00fcllt" in served or "noch nicht erfüllt" in served


def test_the_meeting_page_is_german(client, german_mentee, mentorship, mentor):
    meeting = _meeting(mentorship, mentor)
    client.force_login(german_mentee)

    html = _page(client, meeting.get_absolute_url())

    weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
    local = meeting.starts_at.astimezone(ZoneInfo(meetings.zone_of(german_mentee)))
    assert f"{weekday[local.weekday()]}, {local.day}. " in html
    for german in (
        "Angezeigt in Ihrer Zeitzone",
        "Geplant",
        "Ort oder Link",
        "Dieses Treffen absagen",
    ):
        assert german in html, german
    for english in ("Shown in your time zone", "Place or link", "Cancel this meeting"):
        assert english not in html, english


def test_the_meetings_list_and_its_form_are_german(client, german_mentee, mentorship):
    client.force_login(german_mentee)

    listing = _page(client, reverse("goals:meeting-list", args=[mentorship.pk]))
    form = _page(client, reverse("goals:meeting-create", args=[mentorship.pk]))

    assert "Demnächst" in listing and "Keine Treffen geplant." in listing
    assert "Coming up" not in listing
    assert "Planen und Einladungen senden" in form and "45 Minuten" in form
    assert "45 minutes" not in form


def test_a_meeting_s_ics_for_a_german_person_is_german(client, german_mentee, mentorship, mentor):
    meeting = _meeting(mentorship, mentor)
    client.force_login(german_mentee)

    response = client.get(reverse("goals:meeting-ics", args=[meeting.pk]))
    event = _event(response.content.decode())

    names = f"{mentor.get_full_name()} und {german_mentee.get_full_name()}"
    assert str(event["summary"]) == f"Mentoring: {names}"
    assert "Vortragsgliederung" in str(event["description"])
    assert "Die Seite des Treffens, für Notizen und Aufgaben: http" in str(event["description"])


def test_each_invitation_speaks_its_recipient_s_language(german_mentee, mentorship, mentor):
    """An English-speaking mentor schedules; the German mentee's email and calendar entry
    are German, the mentor's English."""
    _meeting(mentorship, mentor)

    by_person = {e.to[0]: e for e in emails("meeting_invitation")}
    german = _event(by_person[german_mentee.email].attachments[0]["content"])
    english = _event(by_person[mentor.email].attachments[0]["content"])

    assert str(german["summary"]).startswith("Mentoring: ") and " und " in str(german["summary"])
    assert "Die Seite des Treffens" in str(german["description"])
    assert " and " in str(english["summary"])
    assert "The meeting's page" in str(english["description"])
    assert german["uid"] == english["uid"]


def test_the_review_board_counts_in_german(client, mentor, make_goal: MakeGoal):
    make_goal(GoalStatus.SUBMITTED)
    mentor.language = "de"
    mentor.save(update_fields=["language"])
    client.force_login(mentor)

    html = _page(client, reverse("goals:review-board"))

    assert "1 Ziel wartet auf Ihre Prüfung." in html
    assert "Braucht Ihre Prüfung" in html and "Wartet auf Prüfung" in html
    assert "goal waits" not in html


def test_date_fields_keep_their_values_in_german(client, german_mentee, mentorship, mentor):
    """A date input takes ISO dates only: a German-formatted value ("23.02.2027") would
    show an empty field, and saving it would lose the date."""
    goal = Goal.objects.create(
        mentorship=mentorship,
        title="Speak at a meetup",
        target_date=timezone.localdate() + timedelta(days=80),
    )
    client.force_login(german_mentee)
    page = _page(client, reverse("goals:edit", args=[goal.pk]))
    assert f'value="{goal.target_date.isoformat()}"' in page
    meeting = _meeting(mentorship, mentor)
    page = _page(client, reverse("goals:meeting-edit", args=[meeting.pk]))
    local = timezone.localtime(meeting.starts_at, ZoneInfo(german_mentee.profile.time_zone))
    assert f'value="{local.date().isoformat()}"' in page
