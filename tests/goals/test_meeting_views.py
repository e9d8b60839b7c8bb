"""Meeting pages: who may open and change what, private notes, and forms that explain."""

import zoneinfo
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from goals import services
from goals.models import ActionItem, Meeting, MeetingNote, MeetingStatus
from goals.services import meetings
from matching.models import Cohort
from matching.services import join_cohort
from tests.factories import ProfileFactory, mentorship_between, site_programme_admin
from tests.goals.conftest import metric_draft
from tests.goals.test_meetings import move_to_past, schedule, soon

pytestmark = pytest.mark.django_db

PEOPLE = ["mentee", "mentor", "admin", "stranger", "other_cohort", "staff", "anonymous"]
READERS = {"mentee", "mentor", "admin"}
PARTICIPANTS = {"mentee", "mentor"}


def _other_cohort_member():
    person = ProfileFactory(wants_mentoring=True, enrolled=False).user
    join_cohort(
        user=person, cohort=Cohort.objects.create(name="Other", slug="other"), role="mentee"
    )
    return person


@pytest.fixture
def admin(mentorship):
    """A programme admin of the mentorship's cohort: reads everything, changes nothing."""
    return site_programme_admin(mentorship.cohort)


@pytest.fixture
def people(mentee, mentor, admin, stranger, staff):
    return {
        "mentee": mentee,
        "mentor": mentor,
        "admin": admin,
        "stranger": stranger,
        "other_cohort": _other_cohort_member(),
        "staff": staff,  # a superuser, but not an admin of this cohort
        "anonymous": None,
    }


@pytest.fixture
def upcoming(mentorship, mentee):
    return schedule(mentorship, mentee)


@pytest.fixture
def past(mentorship, mentor):
    return move_to_past(schedule(mentorship, mentor, starts_at=soon(24)))


@pytest.fixture
def item(past, mentee):
    return meetings.add_action_item(meeting=past, by=mentee, owner=mentee, title="Draft outline")


def _login(client, person):
    if person is not None:
        client.force_login(person)


def _assert_login_redirect(response):
    assert response.status_code == 302 and reverse("account_login") in response.url


# --- The access matrix: every view, every kind of visitor ------------------------------------


READ_VIEWS = [
    ("goals:meeting-list", "mentorship", READERS),
    ("goals:meeting-detail", "upcoming", READERS),
    ("goals:meeting-detail", "past", READERS),
    ("goals:meeting-create", "mentorship", PARTICIPANTS),
    ("goals:meeting-edit", "upcoming", PARTICIPANTS),
    ("goals:meeting-ics", "upcoming", PARTICIPANTS),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("name", "target", "allowed"), READ_VIEWS)
def test_who_may_open_each_page(client, request, people, who, name, target, allowed):
    obj = request.getfixturevalue(target)
    _login(client, people[who])
    response = client.get(reverse(name, args=[obj.pk]))
    if who == "anonymous":
        _assert_login_redirect(response)
    else:
        assert response.status_code == (200 if who in allowed else 404)


def _future_form(**changes):
    day = timezone.localdate() + timedelta(days=3)
    data = {
        "date": day.isoformat(),
        "time": "10:00",
        "duration_minutes": "60",
        "format": "phone",
        "location": "+49 30 1234567",
        "agenda": "Mock interview",
    }
    return {**data, **changes}


# (URL name, the object in the URL, POST data, what changed when it worked)
WRITE_VIEWS = [
    (
        "goals:meeting-create",
        "mentorship",
        _future_form,
        lambda: Meeting.objects.filter(agenda="Mock interview", sequence=0).exists(),
    ),
    (
        "goals:meeting-edit",
        "upcoming",
        _future_form,
        lambda: Meeting.objects.filter(sequence=1).exists(),
    ),
    (
        "goals:meeting-cancel",
        "upcoming",
        lambda: {"reason": "Ill"},
        lambda: Meeting.objects.filter(status=MeetingStatus.CANCELLED).exists(),
    ),
    (
        "goals:meeting-note",
        "past",
        lambda: {"body": "We agreed on a topic."},
        lambda: MeetingNote.objects.exists(),
    ),
    (
        "goals:meeting-action",
        "past",
        lambda: {"title": "Send the slides"},
        lambda: ActionItem.objects.filter(title="Send the slides").exists(),
    ),
    (
        "goals:action-toggle",
        "item",
        lambda: {"done": "1"},
        lambda: ActionItem.objects.filter(done_at__isnull=False).exists(),
    ),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("name", "target", "data", "changed"), WRITE_VIEWS)
def test_only_the_two_participants_change_anything(
    client, request, people, upcoming, past, item, who, name, target, data, changed
):
    obj = request.getfixturevalue(target)
    _login(client, people[who])
    post = data()
    if name == "goals:meeting-action" and who in PARTICIPANTS:
        post["owner"] = str(people[who].pk)
    response = client.post(reverse(name, args=[obj.pk]), post)
    if who == "anonymous":
        _assert_login_redirect(response)
    elif who in PARTICIPANTS:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert changed()
        return
    else:
        # Admins read meetings but are neither side: to them a change is "not found".
        assert response.status_code == 404
    assert not changed()


@pytest.mark.parametrize(
    "name", ["goals:meeting-cancel", "goals:meeting-note", "goals:meeting-action"]
)
def test_actions_answer_only_post(client, mentee, upcoming, name):
    client.force_login(mentee)
    assert client.get(reverse(name, args=[upcoming.pk])).status_code == 405


def test_an_unknown_meeting_is_not_found(client, mentee):
    client.force_login(mentee)
    assert client.get(reverse("goals:meeting-detail", args=[999999])).status_code == 404


# --- What each reader sees -------------------------------------------------------------------


def test_private_notes_are_seen_only_by_their_writer(client, past, mentee, mentor, admin):
    meetings.add_note(meeting=past, by=mentor, body="Shared summary of the talk plan.")
    meetings.add_note(meeting=past, by=mentor, body="My private worry.", is_private=True)
    url = reverse("goals:meeting-detail", args=[past.pk])

    client.force_login(mentor)
    page = client.get(url).content.decode()
    assert "My private worry." in page and "Only you can see this" in page
    for reader in (mentee, admin):
        client.force_login(reader)
        page = client.get(url).content.decode()
        assert "Shared summary of the talk plan." in page
        assert "My private worry." not in page and "Only you can see this" not in page


def test_a_private_note_through_the_page(client, past, mentee, mentor):
    client.force_login(mentee)
    client.post(
        reverse("goals:meeting-note", args=[past.pk]), {"body": "Just mine", "is_private": "on"}
    )
    assert MeetingNote.objects.get().is_private
    client.force_login(mentor)
    assert (
        "Just mine"
        not in client.get(reverse("goals:meeting-detail", args=[past.pk])).content.decode()
    )


def test_everyone_reads_the_time_in_their_own_zone(client, mentorship, mentee, mentor):
    mentor.profile.time_zone = "Asia/Tokyo"
    mentor.profile.save()
    meeting = schedule(mentorship, mentee)
    url = reverse("goals:meeting-detail", args=[meeting.pk])
    for person, zone in ((mentee, "Europe/Berlin"), (mentor, "Asia/Tokyo")):
        client.force_login(person)
        page = client.get(url).content.decode()
        assert meetings.describe_time(meeting, zone) in page
    listing = client.get(reverse("goals:meeting-list", args=[mentorship.pk])).content.decode()
    assert meetings.describe_time(meeting, "Asia/Tokyo") in listing


def test_the_admin_sees_no_buttons_to_change_anything(client, upcoming, admin):
    client.force_login(admin)
    page = client.get(reverse("goals:meeting-detail", args=[upcoming.pk])).content.decode()
    assert reverse("goals:meeting-cancel", args=[upcoming.pk]) not in page
    assert reverse("goals:meeting-edit", args=[upcoming.pk]) not in page
    assert reverse("goals:meeting-ics", args=[upcoming.pk]) not in page


def test_the_ics_download(client, upcoming, mentor):
    client.force_login(mentor)
    response = client.get(reverse("goals:meeting-ics", args=[upcoming.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "BEGIN:VCALENDAR" in body and f"UID:{upcoming.uid}@testserver" in body


def test_the_mentorship_page_shows_the_last_and_the_next_meeting(client, mentorship, mentee, past):
    older = move_to_past(schedule(mentorship, mentee, starts_at=soon(20)), hours=72)
    cancelled = schedule(mentorship, mentee, starts_at=soon(30))
    meetings.cancel_meeting(meeting=cancelled, by=mentee)
    upcoming = schedule(mentorship, mentee, starts_at=soon(72))
    later = schedule(mentorship, mentee, starts_at=soon(96))
    client.force_login(mentee)
    page = client.get(reverse("matching:mentorship-detail", args=[mentorship.pk])).content.decode()
    assert reverse("goals:meeting-list", args=[mentorship.pk]) in page
    assert f'Last: <a href="{past.get_absolute_url()}"' in page
    assert f'Next: <a href="{upcoming.get_absolute_url()}"' in page
    for other in (older, cancelled, later):
        assert other.get_absolute_url() not in page


# --- Forms that explain, and keep what was typed ---------------------------------------------


def test_a_past_time_is_explained_next_to_the_field_and_keeps_the_input(client, mentorship, mentee):
    client.force_login(mentee)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("goals:meeting-create", args=[mentorship.pk]),
        _future_form(date=yesterday, agenda="Keep this agenda"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a time in the future." in html and "is-invalid" in html
    assert "Keep this agenda" in html and f'value="{yesterday}"' in html
    assert "Europe/Berlin" in html  # the zone the time is read in
    assert not Meeting.objects.exists()


def _next_spring_forward() -> date:
    """The next last Sunday of March, when Berlin's clocks skip 02:00-03:00."""
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        day = date(year, 3, 31)
        day -= timedelta(days=(day.weekday() + 1) % 7)
        if day > today + timedelta(days=1):
            return day
    raise AssertionError("unreachable")


def test_a_time_the_clocks_skip_is_refused_on_the_time_field(client, mentorship, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:meeting-create", args=[mentorship.pk]),
        _future_form(date=_next_spring_forward().isoformat(), time="02:30"),
    )
    html = response.content.decode()
    assert response.status_code == 200 and "does not exist" in html and "03:30" in html
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "garbage",
    [
        {"date": "not a date", "time": "25:99", "duration_minutes": "abc", "format": "x"},
        {"duration_minutes": "10"},
        {"date": "9999-99-99"},
        {"date": "", "time": ""},
        {"location": "x" * 400},
    ],
)
def test_garbage_in_the_meeting_form_is_a_form_error(client, mentorship, mentee, garbage):
    client.force_login(mentee)
    url = reverse("goals:meeting-create", args=[mentorship.pk])
    response = client.post(url, _future_form(**garbage))
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "garbage",
    [
        {"title": "", "owner": "999999"},
        {"title": "Read", "owner": "abc", "goal": "abc", "due_on": "garbage"},
        {"title": "Read", "goal": "999999"},
    ],
)
def test_garbage_in_the_action_form_is_a_form_error(client, past, mentee, garbage):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:meeting-action", args=[past.pk]), {"owner": str(mentee.pk), **garbage}
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not ActionItem.objects.exists()


def test_a_goal_of_another_mentorship_is_not_a_choice(client, past, mentee):
    other = mentorship_between()
    foreign = services.save_goal(mentorship=other, by=other.mentee, draft=metric_draft())
    client.force_login(mentee)
    response = client.post(
        reverse("goals:meeting-action", args=[past.pk]),
        {"title": "Borrow", "owner": str(mentee.pk), "goal": str(foreign.pk)},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not ActionItem.objects.exists()


def test_a_note_before_the_meeting_explains_why(client, upcoming, mentee):
    client.force_login(mentee)
    response = client.post(reverse("goals:meeting-note", args=[upcoming.pk]), {"body": "Too early"})
    assert response.status_code == 200
    assert "once the meeting has started" in response.content.decode()
    assert not MeetingNote.objects.exists()


def test_cancelling_twice_through_the_page_is_explained(client, upcoming, mentee, mentor):
    client.force_login(mentee)
    client.post(reverse("goals:meeting-cancel", args=[upcoming.pk]))
    client.force_login(mentor)
    response = client.post(reverse("goals:meeting-cancel", args=[upcoming.pk]))
    assert response.status_code == 200 and "already cancelled" in response.content.decode()


def test_a_garbage_toggle_value_means_not_done(client, item, mentee):
    client.force_login(mentee)
    url = reverse("goals:action-toggle", args=[item.pk])
    assert client.post(url, {"done": "1"}).status_code == 302
    assert client.post(url, {"done": "banana"}).status_code == 302
    item.refresh_from_db()
    assert not item.is_done


def test_rescheduling_through_the_page_shows_the_current_values(client, upcoming, mentee):
    client.force_login(mentee)
    page = client.get(reverse("goals:meeting-edit", args=[upcoming.pk])).content.decode()
    local = timezone.localtime(upcoming.starts_at, zoneinfo.ZoneInfo("Europe/Berlin"))
    assert f'value="{local:%Y-%m-%d}"' in page and f'value="{local:%H:%M}"' in page
    assert "Your talk outline." in page
