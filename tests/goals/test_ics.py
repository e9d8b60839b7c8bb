"""Calendar invitations: the .ics parses, and carries the right instant in UTC."""

from datetime import UTC, date, datetime, time, timedelta

from django.core import mail
from django.utils import timezone

import icalendar
import pytest

from goals.ics import build_ics
from goals.meeting_forms import MeetingForm, local_datetime
from goals.models import Meeting
from goals.services import meetings
from tests.helpers import emails

pytestmark = pytest.mark.django_db


def next_date(month: int, day: int) -> date:
    """The next ``month``/``day`` from tomorrow on: always in the future, within a year."""
    today = timezone.localdate()
    candidate = date(today.year, month, day)
    return (
        candidate
        if candidate > today + timedelta(days=1)
        else candidate.replace(year=today.year + 1)
    )


def event_of(ics: str) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def schedule_at(mentorship, by, zone: str, day: date, at: str = "09:30") -> Meeting:
    """Schedule through the form, as someone in ``zone`` would type it."""
    form = MeetingForm(
        {
            "date": day.isoformat(),
            "time": at,
            "duration_minutes": "45",
            "format": "video",
            "location": "https://meet.example.org/abc",
            "agenda": "Talk outline\nNext steps",
        },
        zone=zone,
    )
    assert form.is_valid(), form.errors
    return meetings.schedule_meeting(mentorship=mentorship, by=by, **form.details())


@pytest.mark.parametrize(
    ("month", "utc_hour"),
    [(1, 8), (7, 7)],  # CET is UTC+1 in winter, CEST UTC+2 in summer
    ids=["winter", "summer"],
)
def test_0930_in_berlin_is_written_as_the_utc_instant(mentorship, mentee, month, utc_hour):
    day = next_date(month, 15)
    meeting = schedule_at(mentorship, mentee, "Europe/Berlin", day)
    expected = datetime.combine(day, time(utc_hour, 30), tzinfo=UTC)

    assert meeting.starts_at == expected
    ics = build_ics(meeting)
    assert f"DTSTART:{expected:%Y%m%dT%H%M%S}Z" in ics
    _, event = event_of(ics)
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == expected and start.utcoffset() == timedelta(0)
    assert end - start == timedelta(minutes=45)


def test_0930_in_tokyo_is_0030_utc(mentorship, mentor):
    day = next_date(1, 15)
    meeting = schedule_at(mentorship, mentor, "Asia/Tokyo", day)
    _, event = event_of(build_ics(meeting))
    assert event.decoded("dtstart") == datetime.combine(day, time(0, 30), tzinfo=UTC)


def test_the_invitation_names_the_event_and_the_people(mentorship, mentee, mentor):
    meeting = schedule_at(mentorship, mentee, "Europe/Berlin", next_date(1, 15))
    calendar, event = event_of(build_ics(meeting))

    assert calendar["version"] == "2.0" and calendar["prodid"]
    assert calendar["method"] == "REQUEST"
    assert str(event["uid"]) == f"{meeting.uid}@testserver"
    assert event.decoded("sequence") == 0
    assert event["status"] == "CONFIRMED"
    assert "Talk outline\nNext steps" in str(event["description"])
    assert f"http://testserver/meetings/{meeting.pk}/" in str(event["description"])
    assert str(event["location"]) == "https://meet.example.org/abc"
    assert str(event["organizer"]) == f"mailto:{mentee.email}"
    assert {str(a) for a in event["attendee"]} == {
        f"mailto:{mentee.email}",
        f"mailto:{mentor.email}",
    }
    assert event.decoded("dtstamp").utcoffset() == timedelta(0)


def test_updates_keep_the_uid_and_raise_the_sequence(mentorship, mentee, mentor):
    meeting = schedule_at(mentorship, mentee, "Europe/Berlin", next_date(1, 15))
    meetings.reschedule_meeting(
        meeting=meeting,
        by=mentor,
        starts_at=meeting.starts_at + timedelta(hours=1),
        duration_minutes=60,
        format="phone",
        location="+49 30 1234567",
        agenda=meeting.agenda,
    )
    meetings.cancel_meeting(meeting=meeting, by=mentor, reason="Travelling")

    versions = [
        (email.template, event_of(email.attachments[0]["content"]))
        for email in emails("meeting_invitation")[:1]
        + emails("meeting_updated")[:1]
        + emails("meeting_cancelled")[:1]
    ]
    uids = {str(event["uid"]) for _, (_, event) in versions}
    assert uids == {f"{meeting.uid}@testserver"}
    assert [(c["method"], e.decoded("sequence"), e["status"]) for _, (c, e) in versions] == [
        ("REQUEST", 0, "CONFIRMED"),
        ("REQUEST", 1, "CONFIRMED"),
        ("CANCEL", 2, "CANCELLED"),
    ]
    _, (_, updated) = versions[1]
    assert updated.decoded("dtend") - updated.decoded("dtstart") == timedelta(minutes=60)


def test_the_sent_email_carries_a_parsable_calendar_part(
    mentorship, mentee, mentor, django_capture_on_commit_callbacks
):
    day = next_date(7, 15)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule_at(mentorship, mentee, "Europe/Berlin", day)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentee.email, mentor.email])
    for message in mail.outbox:
        (part,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "REQUEST"
        assert part.get_filename() == "invite.ics"
        _, event = event_of(part.get_payload(decode=True).decode())
        assert event.decoded("dtstart") == datetime.combine(day, time(7, 30), tzinfo=UTC)
        assert str(event["uid"]) == f"{meeting.uid}@testserver"


def test_an_unknown_method_is_refused(mentorship, mentee):
    meeting = schedule_at(mentorship, mentee, "Europe/Berlin", next_date(1, 15))
    with pytest.raises(ValueError, match="PUBLISH"):
        build_ics(meeting, method="PUBLISH")


# --- Clock changes: times typed in a zone that skips or repeats an hour -----------------


def test_a_time_the_clocks_skip_is_refused_with_a_suggestion():
    # Berlin went from 02:00 straight to 03:00 on 29 March 2026.
    instant, problem = local_datetime(date(2026, 3, 29), time(2, 30), "Europe/Berlin")
    assert instant is None
    assert "does not exist" in problem and "03:30" in problem


def test_a_time_the_clocks_repeat_means_the_first_one():
    # Berlin went from 03:00 back to 02:00 on 25 October 2026: 02:30 happened twice.
    instant, problem = local_datetime(date(2026, 10, 25), time(2, 30), "Europe/Berlin")
    assert problem == ""
    assert instant.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_an_ordinary_time_converts_plainly():
    instant, _ = local_datetime(date(2026, 12, 1), time(18, 0), "Europe/Berlin")
    assert instant.astimezone(UTC) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
