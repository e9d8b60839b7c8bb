"""Meeting services: who may schedule, change and cancel, what everyone is sent, and the
rules for notes and action items after a meeting."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

import pytest

from accounts.models import User
from core.outbox.models import OutboxEmail
from goals import services
from goals.models import ActionItem, Meeting, MeetingNote, MeetingStatus
from goals.services import meetings
from matching.models import Mentorship
from matching.services import end_mentorship
from tests.factories import ProfileFactory, mentorship_between, site_programme_admin
from tests.goals.conftest import days, metric_draft
from tests.helpers import emails

pytestmark = pytest.mark.django_db


def soon(hours: int = 48) -> datetime:
    """A future instant on a whole minute, as the form would produce."""
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


def schedule(mentorship: Mentorship, by: User, **overrides: Any) -> Meeting:
    values: dict[str, Any] = {
        "starts_at": soon(),
        "duration_minutes": 45,
        "format": "video",
        "location": "https://meet.example.org/abc",
        "agenda": "Your talk outline.",
    }
    return meetings.schedule_meeting(mentorship=mentorship, by=by, **{**values, **overrides})


def move_to_past(meeting: Meeting, hours: int = 2) -> Meeting:
    """Meetings cannot be scheduled in the past; time passing is simulated instead."""
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=hours))
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def tokyo_mentor(mentor: User) -> User:
    mentor.profile.time_zone = "Asia/Tokyo"
    mentor.profile.display_name = "Otto Mentor"
    mentor.profile.save()
    return mentor


@pytest.fixture
def admin(mentorship: Mentorship) -> User:
    return site_programme_admin(mentorship.cohort)


@pytest.fixture
def meeting(mentorship: Mentorship, mentee: User) -> Meeting:
    return schedule(mentorship, mentee)


@pytest.fixture
def past_meeting(meeting: Meeting) -> Meeting:
    return move_to_past(meeting)


# --- Scheduling ----------------------------------------------------------------------


@pytest.mark.parametrize("side", ["mentee", "mentor"])
def test_either_side_schedules_and_both_get_an_invitation(mentorship, mentee, mentor, side):
    by = {"mentee": mentee, "mentor": mentor}[side]
    meeting = schedule(mentorship, by)

    assert meeting.scheduled_by == by and meeting.sequence == 0
    assert meeting.status == MeetingStatus.SCHEDULED
    sent = emails("meeting_invitation")
    assert sorted(e.to[0] for e in sent) == sorted([mentee.email, mentor.email])
    for email in sent:
        (attachment,) = email.attachments
        assert attachment["mimetype"] == "text/calendar"
        assert attachment["params"] == {"method": "REQUEST"}
        assert "METHOD:REQUEST" in attachment["content"]
        assert email.key.startswith(f"meeting:{meeting.pk}:0:")


def test_each_person_reads_the_time_in_their_own_zone(mentorship, mentee, tokyo_mentor):
    mentorship = Mentorship.objects.get(pk=mentorship.pk)  # as a request would load it
    starts_at = soon(24 * 5).replace(hour=17, minute=0)
    meeting = schedule(mentorship, mentee, starts_at=starts_at)
    berlin = meetings.describe_time(meeting, "Europe/Berlin")
    tokyo = meetings.describe_time(meeting, "Asia/Tokyo")

    (to_mentee,) = [e for e in emails("meeting_invitation") if e.to == [mentee.email]]
    (to_mentor,) = [e for e in emails("meeting_invitation") if e.to == [tokyo_mentor.email]]
    assert berlin in to_mentee.body_text and "(Europe/Berlin)" in berlin
    assert tokyo in to_mentor.body_text and "(Asia/Tokyo)" in tokyo
    assert tokyo not in to_mentee.body_text
    # 17:00 UTC is 02:00 the next day in Tokyo.
    assert "02:00–02:45" in tokyo
    assert to_mentor.subject.startswith("[Mentorship] Meeting with ")


def test_describe_time_names_the_day_in_words():
    meeting = Meeting(starts_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC), duration_minutes=45)
    assert (
        meetings.describe_time(meeting, "Europe/Berlin")
        == "Tuesday 1 December 2026, 18:00–18:45 (Europe/Berlin)"
    )
    late = Meeting(starts_at=datetime(2026, 12, 1, 22, 30, tzinfo=UTC), duration_minutes=60)
    assert meetings.describe_time(late, "Europe/Berlin") == (
        "Tuesday 1 December 2026, 23:30–Wednesday 2 December, 00:30 (Europe/Berlin)"
    )


def test_people_outside_the_mentorship_cannot_schedule(mentorship, stranger, staff, admin):
    for person in (stranger, staff, admin):
        with pytest.raises(PermissionDenied):
            schedule(mentorship, person)
    assert (
        not Meeting.objects.exists()
        and not OutboxEmail.objects.filter(template__startswith="meeting_").exists()
    )


def test_an_ended_mentorship_gets_no_new_meetings(mentorship, mentee, mentor):
    end_mentorship(mentorship=mentorship, by=mentor, outcome="completed")
    mentorship.refresh_from_db()
    with pytest.raises(ValidationError, match="ended"):
        schedule(mentorship, mentee)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("starts_at", "past", "future"),
        ("starts_at", "naive", "time zone"),
        ("starts_at", "next_decade", "a year ahead"),
        ("duration_minutes", 10, "between 15 minutes"),
        ("duration_minutes", 481, "between 15 minutes"),
        ("duration_minutes", "45", "between 15 minutes"),
        ("format", "carrier pigeon", "video, phone or in person"),
        ("location", "x" * 301, "300"),
        ("agenda", "x" * 3001, "3000"),
    ],
)
def test_bad_details_are_refused_by_field(mentorship, mentee, field, value, message):
    if value == "past":
        value = timezone.now() - timedelta(minutes=1)
    elif value == "naive":
        value = soon().replace(tzinfo=None)
    elif value == "next_decade":
        value = soon(24 * 3650)
    with pytest.raises(ValidationError) as caught:
        schedule(mentorship, mentee, **{field: value})
    assert message in " ".join(caught.value.message_dict[field])
    assert (
        not Meeting.objects.exists()
        and not OutboxEmail.objects.filter(template__startswith="meeting_").exists()
    )


def test_place_and_agenda_are_trimmed(mentorship, mentee):
    meeting = schedule(mentorship, mentee, location="  Café Central  ", agenda="\n Goals \n")
    assert meeting.location == "Café Central" and meeting.agenda == "Goals"


# --- Rescheduling --------------------------------------------------------------------


def _details(meeting: Meeting, **changes: Any) -> dict[str, Any]:
    values = {
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "format": meeting.format,
        "location": meeting.location,
        "agenda": meeting.agenda,
    }
    return {**values, **changes}


def test_rescheduling_bumps_the_sequence_and_sends_updated_invitations(meeting, mentee, mentor):
    old_time = meetings.describe_time(meeting, "Europe/Berlin")
    new_start = meeting.starts_at + timedelta(days=1)
    moved = meetings.reschedule_meeting(
        meeting=meeting, by=mentor, **_details(meeting, starts_at=new_start)
    )

    assert moved.sequence == 1 and moved.starts_at == new_start
    assert moved.scheduled_by == mentee  # the organizer stays the same for calendars
    sent = emails("meeting_updated")
    assert sorted(e.to[0] for e in sent) == sorted([mentee.email, mentor.email])
    for email in sent:
        (attachment,) = email.attachments
        assert attachment["params"] == {"method": "REQUEST"}
        assert "SEQUENCE:1" in attachment["content"]
        assert email.subject.startswith("[Mentorship] Meeting moved")
    (to_mentee,) = [e for e in sent if e.to == [mentee.email]]
    assert f"(was {old_time})" in to_mentee.body_text


def test_changing_only_the_place_says_updated_not_moved(meeting, mentee):
    meetings.reschedule_meeting(meeting=meeting, by=mentee, **_details(meeting, location="Room 4"))
    (email, _) = emails("meeting_updated")
    assert "Meeting updated" in email.subject and "(was " not in email.body_text


def test_resubmitting_the_same_details_sends_nothing(meeting, mentee):
    again = meetings.reschedule_meeting(meeting=meeting, by=mentee, **_details(meeting))
    assert again.sequence == 0
    assert emails("meeting_updated") == []


def test_rescheduling_into_the_past_is_refused(meeting, mentee):
    with pytest.raises(ValidationError, match="future"):
        meetings.reschedule_meeting(
            meeting=meeting,
            by=mentee,
            **_details(meeting, starts_at=timezone.now() - timedelta(hours=1)),
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_a_meeting_that_started_or_was_cancelled_cannot_be_moved(meeting, mentee):
    later = _details(meeting, starts_at=soon(96))
    meetings.cancel_meeting(meeting=meeting, by=mentee)
    with pytest.raises(ValidationError, match="cancelled"):
        meetings.reschedule_meeting(meeting=meeting, by=mentee, **later)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.SCHEDULED)
    move_to_past(meeting)
    with pytest.raises(ValidationError, match="already started"):
        meetings.reschedule_meeting(meeting=meeting, by=mentee, **later)


def test_only_participants_reschedule(meeting, stranger, admin):
    for person in (stranger, admin):
        with pytest.raises(PermissionDenied):
            meetings.reschedule_meeting(
                meeting=meeting, by=person, **_details(meeting, starts_at=soon(96))
            )
    meeting.refresh_from_db()
    assert meeting.sequence == 0


# --- Cancelling ----------------------------------------------------------------------


def test_cancelling_sends_a_cancel_invitation_to_both(meeting, mentee, mentor):
    cancelled = meetings.cancel_meeting(meeting=meeting, by=mentor, reason=" Ill today ")

    assert cancelled.status == MeetingStatus.CANCELLED
    assert cancelled.cancelled_by == mentor and cancelled.cancelled_at is not None
    assert cancelled.cancel_reason == "Ill today" and cancelled.sequence == 1
    sent = emails("meeting_cancelled")
    assert sorted(e.to[0] for e in sent) == sorted([mentee.email, mentor.email])
    for email in sent:
        (attachment,) = email.attachments
        assert attachment["params"] == {"method": "CANCEL"}
        assert "METHOD:CANCEL" in attachment["content"]
        assert "STATUS:CANCELLED" in attachment["content"]
        assert "Ill today" in email.body_text


def test_cancelling_twice_is_refused_and_sends_nothing_more(meeting, mentee, mentor):
    meetings.cancel_meeting(meeting=meeting, by=mentee)
    with pytest.raises(ValidationError, match="already cancelled"):
        meetings.cancel_meeting(meeting=meeting, by=mentor)
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.cancelled_by == mentee
    assert len(emails("meeting_cancelled")) == 2


def test_a_meeting_that_started_cannot_be_cancelled(past_meeting, mentee):
    with pytest.raises(ValidationError, match="already started"):
        meetings.cancel_meeting(meeting=past_meeting, by=mentee)


def test_only_participants_cancel(meeting, stranger, staff, admin):
    for person in (stranger, staff, admin):
        with pytest.raises(PermissionDenied):
            meetings.cancel_meeting(meeting=meeting, by=person)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_meeting_can_still_be_cancelled_after_the_mentorship_ends(
    mentorship, meeting, mentee, mentor
):
    end_mentorship(mentorship=mentorship, by=mentor, outcome="completed")
    assert meetings.cancel_meeting(meeting=meeting, by=mentee).is_cancelled


def test_a_cancel_reason_has_a_limit(meeting, mentee):
    with pytest.raises(ValidationError) as caught:
        meetings.cancel_meeting(meeting=meeting, by=mentee, reason="x" * 1001)
    assert "reason" in caught.value.message_dict


# --- Emails: once per version, delivered with the calendar part ------------------------------


def test_each_version_is_emailed_once(meeting, mentee):
    # Running the email step again for the same SEQUENCE queues nothing new.
    meetings._invite(meeting, template="meeting_invitation", by=mentee)
    assert len(emails("meeting_invitation")) == 2
    keys = {e.key for e in emails("meeting_invitation")}
    assert keys == {
        f"meeting:{meeting.pk}:0:{meeting.mentorship.mentee.pk}",
        f"meeting:{meeting.pk}:0:{meeting.mentorship.mentor.pk}",
    }


def test_delivered_emails_carry_a_text_calendar_part(
    mentorship, mentee, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(mentorship, mentee)
    with django_capture_on_commit_callbacks(execute=True):
        meetings.cancel_meeting(meeting=meeting, by=mentor)

    assert len(mail.outbox) == 4
    methods = []
    for message in mail.outbox:
        parts = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
        (part,) = parts
        assert part.get_filename() == "invite.ics"
        methods.append(part.get_param("method"))
    assert methods == ["REQUEST", "REQUEST", "CANCEL", "CANCEL"]


# --- Notes ---------------------------------------------------------------------------


def test_notes_wait_until_the_meeting_has_started(meeting, mentee):
    with pytest.raises(ValidationError, match="once the meeting has started"):
        meetings.add_note(meeting=meeting, by=mentee, body="Too early")
    assert not MeetingNote.objects.exists()


def test_a_cancelled_meeting_takes_no_notes(meeting, mentee):
    meetings.cancel_meeting(meeting=meeting, by=mentee)
    move_to_past(meeting)
    with pytest.raises(ValidationError, match="cancelled"):
        meetings.add_note(meeting=meeting, by=mentee, body="Never happened")


def test_shared_and_private_notes(past_meeting, mentee, mentor, admin):
    shared = meetings.add_note(meeting=past_meeting, by=mentee, body=" We agreed on a topic. ")
    private = meetings.add_note(
        meeting=past_meeting, by=mentor, body="She seemed unsure.", is_private=True
    )

    assert shared.body == "We agreed on a topic." and not shared.is_private
    assert set(MeetingNote.objects.readable_by(mentor)) == {shared, private}
    assert set(MeetingNote.objects.readable_by(mentee)) == {shared}
    assert set(MeetingNote.objects.readable_by(admin)) == {shared}


def test_an_empty_or_overlong_note_is_refused(past_meeting, mentee):
    for body in ("   ", "x" * 5001):
        with pytest.raises(ValidationError) as caught:
            meetings.add_note(meeting=past_meeting, by=mentee, body=body)
        assert "body" in caught.value.message_dict


def test_only_participants_write_notes(past_meeting, stranger, admin):
    for person in (stranger, admin):
        with pytest.raises(PermissionDenied):
            meetings.add_note(meeting=past_meeting, by=person, body="Hello")


def test_notes_stop_when_the_mentorship_ends(mentorship, past_meeting, mentee, mentor):
    end_mentorship(mentorship=mentorship, by=mentor, outcome="completed")
    with pytest.raises(ValidationError, match="ended"):
        meetings.add_note(meeting=past_meeting, by=mentee, body="Late thought")


# --- Action items --------------------------------------------------------------------


def test_an_action_item_for_either_side_linked_to_a_goal(past_meeting, mentee, mentor, make_goal):
    goal = make_goal()
    item = meetings.add_action_item(
        meeting=past_meeting,
        by=mentor,
        owner=mentee,
        title=" Draft  the outline ",
        due_on=days(7),
        goal=goal,
    )
    assert item.owner == mentee and item.created_by == mentor and item.goal == goal
    assert item.title == "Draft the outline" and not item.is_done
    mine = meetings.add_action_item(
        meeting=past_meeting, by=mentor, owner=mentor, title="Send slides"
    )
    assert mine.goal is None and mine.due_on is None


def test_action_items_wait_until_the_meeting_has_started(meeting, mentee):
    with pytest.raises(ValidationError, match="once the meeting has started"):
        meetings.add_action_item(meeting=meeting, by=mentee, owner=mentee, title="Too early")
    assert not ActionItem.objects.exists()


def test_the_owner_is_one_of_the_two(past_meeting, mentee, stranger):
    with pytest.raises(ValidationError) as caught:
        meetings.add_action_item(meeting=past_meeting, by=mentee, owner=stranger, title="Help")
    assert "owner" in caught.value.message_dict


def test_a_goal_of_another_mentorship_cannot_be_linked(past_meeting, mentee):
    other = mentorship_between()
    foreign = services.save_goal(mentorship=other, by=other.mentee, draft=metric_draft())
    with pytest.raises(ValidationError) as caught:
        meetings.add_action_item(
            meeting=past_meeting, by=mentee, owner=mentee, title="Borrowed", goal=foreign
        )
    assert "goal" in caught.value.message_dict
    assert not ActionItem.objects.exists()


def test_an_action_item_needs_a_title_and_a_due_date_not_in_the_past(past_meeting, mentee):
    with pytest.raises(ValidationError) as caught:
        meetings.add_action_item(
            meeting=past_meeting, by=mentee, owner=mentee, title="  ", due_on=days(-3)
        )
    assert set(caught.value.message_dict) == {"title", "due_on"}


def test_only_participants_add_action_items(past_meeting, mentee, stranger, admin):
    for person in (stranger, admin):
        with pytest.raises(PermissionDenied):
            meetings.add_action_item(meeting=past_meeting, by=person, owner=mentee, title="X")


def test_ticking_an_action_item_off_and_on_again(past_meeting, mentee, mentor):
    item = meetings.add_action_item(meeting=past_meeting, by=mentee, owner=mentee, title="Read")
    done = meetings.set_action_item_done(item=item, by=mentor, done=True)
    assert done.is_done
    first_done_at = done.done_at
    # Setting the state it already has changes nothing, so a double click is harmless.
    assert meetings.set_action_item_done(item=item, by=mentee, done=True).done_at == first_done_at
    assert not meetings.set_action_item_done(item=item, by=mentee, done=False).is_done


def test_only_participants_tick_action_items(past_meeting, mentee, stranger, admin):
    item = meetings.add_action_item(meeting=past_meeting, by=mentee, owner=mentee, title="Read")
    for person in (stranger, admin):
        with pytest.raises(PermissionDenied):
            meetings.set_action_item_done(item=item, by=person, done=True)
    item.refresh_from_db()
    assert not item.is_done


# --- Selectors -----------------------------------------------------------------------


def test_meeting_for_reads_for_admins_but_changes_only_for_participants(
    meeting, mentee, mentor, admin, stranger, staff
):
    for person in (mentee, mentor, admin):
        assert meetings.meeting_for(person, meeting.pk) == meeting
    for person in (mentee, mentor):
        assert meetings.meeting_for(person, meeting.pk, to_change=True) == meeting
    with pytest.raises(Http404):
        meetings.meeting_for(admin, meeting.pk, to_change=True)
    for person in (stranger, staff):
        with pytest.raises(Http404):
            meetings.meeting_for(person, meeting.pk)


def test_a_cohort_with_several_admins_still_finds_one_meeting(meeting, mentee, mentorship):
    for _ in range(2):
        mentorship.cohort.admins.add(ProfileFactory(enrolled=False).user)
    assert meetings.meeting_for(mentee, meeting.pk) == meeting
    assert meetings.mentorship_with_meetings_for(mentee, mentorship.pk) == mentorship
