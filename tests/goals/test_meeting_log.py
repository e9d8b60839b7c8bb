"""Logging a meeting that already happened, meetings under way, and what the mentorship
page says about meetings afterwards: the last one, the next one, what is still to do."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from goals.models import Meeting, MeetingNote
from goals.services import meetings
from matching.services import end_mentorship
from tests.factories import site_programme_admin
from tests.goals.conftest import days
from tests.goals.test_double_submit import _twice
from tests.goals.test_meeting_views import (
    PARTICIPANTS,
    PEOPLE,
    _assert_login_redirect,
    _login,
    _other_cohort_member,
)
from tests.goals.test_meetings import move_to_past, schedule, soon
from tests.helpers import emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(mentorship):
    """A programme admin of the mentorship's cohort: reads meetings, logs none."""
    return site_programme_admin(mentorship.cohort)


@pytest.fixture
def people(mentee, mentor, admin, stranger, staff):
    return {
        "mentee": mentee,
        "mentor": mentor,
        "admin": admin,
        "stranger": stranger,
        "other_cohort": _other_cohort_member(),
        "staff": staff,
        "anonymous": None,
    }


def _ago(hours: float):
    return (timezone.now() - timedelta(hours=hours)).replace(second=0, microsecond=0)


def log(mentorship, by, **overrides):
    values = {
        "starts_at": _ago(26),
        "duration_minutes": 60,
        "format": "video",
        "notes": "We picked the talk's topic: our test suite.",
    }
    return meetings.log_meeting(mentorship=mentorship, by=by, **{**values, **overrides})


def _log_form(**changes):
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "date": yesterday.isoformat(),
        "time": "10:00",
        "duration_minutes": "60",
        "format": "video",
        "notes": "Agreed: outline by Friday.",
        "agenda": "The talk",
        "location": "",
    }
    return {**data, **changes}


# --- The service ------------------------------------------------------------------------------


def test_a_logged_meeting_keeps_its_shared_notes_and_invites_nobody(mentorship, mentee):
    meeting = log(mentorship, mentee)
    assert meeting.has_ended() and meeting.scheduled_by == mentee
    note = MeetingNote.objects.get(meeting=meeting)
    assert note.author == mentee and not note.is_private
    assert note.body == "We picked the talk's topic: our test suite."
    assert emails("meeting_invitation") == []


def test_action_items_can_be_added_straight_after_logging(mentorship, mentee, mentor):
    meeting = log(mentorship, mentor, notes="")
    item = meetings.add_action_item(meeting=meeting, by=mentor, owner=mentee, title="Outline")
    assert item.meeting == meeting and not meeting.notes.exists()


def test_a_meeting_still_ahead_cannot_be_logged(mentorship, mentee):
    with pytest.raises(ValidationError, match="schedule the meeting instead"):
        log(mentorship, mentee, starts_at=soon(2))
    assert not Meeting.objects.exists()


def test_a_meeting_over_a_year_ago_cannot_be_logged(mentorship, mentee):
    with pytest.raises(ValidationError, match="up to a year back"):
        log(mentorship, mentee, starts_at=_ago(24 * 400))


def test_only_the_two_participants_log(mentorship, stranger):
    with pytest.raises(PermissionDenied):
        log(mentorship, stranger)
    assert not Meeting.objects.exists()


def test_an_ended_mentorship_logs_nothing(mentorship, mentee):
    end_mentorship(mentorship=mentorship, by=mentee, outcome="completed")
    mentorship.refresh_from_db()
    with pytest.raises(ValidationError, match="ended"):
        log(mentorship, mentee)


def test_too_long_notes_are_refused_next_to_the_field(mentorship, mentee):
    with pytest.raises(ValidationError) as caught:
        log(mentorship, mentee, notes="x" * 5001)
    assert "notes" in caught.value.error_dict


# --- The page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_open_the_log_form(client, people, mentorship, who):
    _login(client, people[who])
    response = client.get(reverse("goals:meeting-log", args=[mentorship.pk]))
    if who == "anonymous":
        _assert_login_redirect(response)
    else:
        assert response.status_code == (200 if who in PARTICIPANTS else 404)


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_two_participants_log_through_the_page(client, people, mentorship, who):
    _login(client, people[who])
    response = client.post(reverse("goals:meeting-log", args=[mentorship.pk]), _log_form())
    if who == "anonymous":
        _assert_login_redirect(response)
    elif who in PARTICIPANTS:
        meeting = Meeting.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{meeting.get_absolute_url()}?follow_up=1#actions-heading"
        assert meeting.notes.get().body == "Agreed: outline by Friday."
        return
    else:
        # Programme admins read meetings, but logging one is for the pair.
        assert response.status_code == 404
    assert not Meeting.objects.exists()


def test_after_logging_the_action_item_form_stands_open(client, mentorship, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("goals:meeting-log", args=[mentorship.pk]), _log_form(), follow=True
    )
    html = response.content.decode()
    assert "Meeting logged." in html and "Agreed: outline by Friday." in html
    assert '<details class="card card-body" open>' in html
    assert reverse("goals:meeting-action", args=[Meeting.objects.get().pk]) in html
    # A calendar file for an evening that is over would help nobody.
    assert reverse("goals:meeting-ics", args=[Meeting.objects.get().pk]) not in html


def test_a_future_time_is_explained_next_to_the_field_and_keeps_the_input(
    client, mentorship, mentee
):
    client.force_login(mentee)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("goals:meeting-log", args=[mentorship.pk]),
        _log_form(date=tomorrow, notes="Keep these notes"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "That time is still ahead: schedule the meeting instead." in html
    assert "is-invalid" in html and "Keep these notes" in html and f'value="{tomorrow}"' in html
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "garbage",
    [
        {"date": "not a date", "time": "25:99", "duration_minutes": "abc", "format": "x"},
        {"date": "", "time": ""},
        {"date": "9999-99-99"},
        {"date": "2001-01-01"},
        {"notes": "x" * 5001},
        {"duration_minutes": "10"},
    ],
)
def test_garbage_in_the_log_form_is_a_form_error(client, mentorship, mentee, garbage):
    client.force_login(mentee)
    response = client.post(reverse("goals:meeting-log", args=[mentorship.pk]), _log_form(**garbage))
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_log_form_posted_twice_logs_once(client, mentorship, mentee):
    client.force_login(mentee)
    url = reverse("goals:meeting-log", args=[mentorship.pk])
    first, second = _twice(client, url, url, _log_form())
    assert first == second
    assert Meeting.objects.count() == 1 and MeetingNote.objects.count() == 1


def test_the_schedule_form_points_to_logging_for_a_past_time(client, mentorship, mentee):
    client.force_login(mentee)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("goals:meeting-create", args=[mentorship.pk]),
        {**_log_form(date=yesterday), "agenda": "x"},
    )
    html = response.content.decode()
    assert "log it instead" in html
    assert reverse("goals:meeting-log", args=[mentorship.pk]) in html


# --- A meeting under way ----------------------------------------------------------------------


def test_a_meeting_under_way_is_not_past(client, mentorship, mentee):
    meeting = move_to_past(schedule(mentorship, mentee), hours=0.25)  # of 45 minutes
    assert meeting.is_in_progress() and not meeting.has_ended()
    client.force_login(mentee)
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "In progress" in detail and ">Past<" not in detail
    # Notes can be written during the meeting.
    assert reverse("goals:meeting-note", args=[meeting.pk]) in detail
    listing = client.get(reverse("goals:meeting-list", args=[mentorship.pk])).content.decode()
    coming_up, past = listing.split('id="past-heading"')
    assert meeting.get_absolute_url() in coming_up and meeting.get_absolute_url() not in past
    page = client.get(mentorship.get_absolute_url()).content.decode()
    assert f'Now: <a href="{meeting.get_absolute_url()}"' in page


def test_an_ended_meeting_is_past(client, mentorship, mentee):
    meeting = move_to_past(schedule(mentorship, mentee), hours=3)
    client.force_login(mentee)
    assert ">Past<" in client.get(meeting.get_absolute_url()).content.decode()


# --- The mentorship page: follow-through --------------------------------------------------------


def test_the_mentorship_page_lists_open_action_items_of_both_sides(
    client, mentorship, mentee, mentor
):
    first = log(mentorship, mentee, starts_at=_ago(24 * 8))
    last = log(mentorship, mentor, starts_at=_ago(3))
    mine = meetings.add_action_item(
        meeting=first, by=mentee, owner=mentee, title="Outline the talk", due_on=days(3)
    )
    theirs = meetings.add_action_item(
        meeting=last, by=mentor, owner=mentor, title="Introduce a meetup organiser"
    )
    done = meetings.add_action_item(meeting=last, by=mentor, owner=mentee, title="Old thing")
    meetings.set_action_item_done(item=done, by=mentee, done=True)
    client.force_login(mentee)
    page = client.get(mentorship.get_absolute_url()).content.decode()
    assert f'Last: <a href="{last.get_absolute_url()}"' in page
    assert f'href="{first.get_absolute_url()}#action-{mine.pk}">Outline the talk</a>' in page
    assert f'href="{last.get_absolute_url()}#action-{theirs.pk}">Introduce a meetup' in page
    assert mentor.get_full_name() in page and f"due {days(3):%-d %b %Y}" in page
    assert "Old thing" not in page
    # The mine-first ordering is by due date: an item with a date comes before one without.
    assert page.index("Outline the talk") < page.index("Introduce a meetup organiser")


def test_the_mentorship_page_without_meetings_offers_both_ways(client, mentorship, mentee):
    client.force_login(mentee)
    page = client.get(mentorship.get_absolute_url()).content.decode()
    assert "No meeting yet." in page and "No meeting planned." in page
    assert reverse("goals:meeting-log", args=[mentorship.pk]) in page
    assert reverse("goals:meeting-create", args=[mentorship.pk]) in page


def test_items_of_a_long_list_stop_and_point_to_the_meetings(client, mentorship, mentee):
    meeting = log(mentorship, mentee)
    for n in range(meetings.OPEN_ITEMS_SHOWN + 2):
        meetings.add_action_item(meeting=meeting, by=mentee, owner=mentee, title=f"Task {n}")
    client.force_login(mentee)
    page = client.get(mentorship.get_absolute_url()).content.decode()
    assert page.count('id="open-action-') == meetings.OPEN_ITEMS_SHOWN
    assert "More on the meetings" in page


def test_follow_through_costs_three_queries_however_much_there_is(
    mentorship, mentee, mentor, django_assert_num_queries
):
    def grow(n):
        meeting = log(mentorship, mentee, starts_at=_ago(30 + n))
        schedule(mentorship, mentor, starts_at=soon(24 + n))
        for owner in (mentee, mentor):
            meetings.add_action_item(meeting=meeting, by=owner, owner=owner, title=f"Do {n}")

    grow(0)
    with django_assert_num_queries(3):
        few = meetings.follow_through(mentorship)
        [item.owner.get_full_name() for item in few.open_items]
    for n in range(1, 6):
        grow(n)
    with django_assert_num_queries(3):
        many = meetings.follow_through(mentorship)
        [(item.owner.get_full_name(), item.meeting.pk) for item in many.open_items]
    assert len(many.open_items) == meetings.OPEN_ITEMS_SHOWN and many.has_more_items


def test_a_logged_meeting_says_who_logged_it(client, mentorship, mentee):
    logged = log(mentorship, mentee, agenda="The talk's outline")
    planned = move_to_past(schedule(mentorship, mentee), hours=3)
    # Planned a week before it took place.
    Meeting.objects.filter(pk=planned.pk).update(created_at=timezone.now() - timedelta(days=7))
    planned.refresh_from_db()
    assert logged.was_logged and not planned.was_logged
    client.force_login(mentee)
    page = client.get(logged.get_absolute_url()).content.decode()
    assert "Logged by" in page and "Topics" in page
    assert "Scheduled by" in client.get(planned.get_absolute_url()).content.decode()
