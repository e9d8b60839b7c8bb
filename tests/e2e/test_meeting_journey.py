"""A meeting told through two browsers in two time zones: the mentor in Berlin schedules
it, both get an invitation in their own time, the mentee in Tokyo sees it on the
mentorship page, and after the meeting she keeps a private note and an action item."""

import email
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import dateformat, timezone

import icalendar
import pytest
from playwright.sync_api import Page, expect

from goals.models import ActionItem, Meeting, MeetingNote
from matching.services import accept_request, send_request
from tests.e2e.test_mentoring_journey import REQUEST_MESSAGE, log_in
from tests.e2e.words import t, tc
from tests.factories import PASSWORD, ProfileFactory


def link_words(sentence: str) -> str:
    """The words of the one link in a translated sentence (``<a href=...>words</a>``)."""
    return re.search(r"<a [^>]*>(.*?)</a>", sentence).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_a_meeting_is_scheduled_in_one_zone_and_seen_in_another(
    page: Page, second_page: Page, screenshot
) -> None:
    mentee = ProfileFactory(
        user__email="mika@example.org",
        display_name="Mika Mentee",
        wants_mentoring=True,
        time_zone="Asia/Tokyo",
    ).user
    mentor = ProfileFactory(
        user__email="bea@example.org",
        display_name="Bea Mentor",
        wants_to_mentor=True,
        time_zone="Europe/Berlin",
    ).user
    mentorship = accept_request(
        request=send_request(
            mentee=mentee,
            mentor_enrollment=mentor.enrollments.get(role="mentor"),
            message=REQUEST_MESSAGE,
        ),
        by=mentor,
    )
    mail.outbox.clear()
    # A winter day, so Berlin is UTC+1 and Tokyo UTC+9 whatever day the test runs.
    today = timezone.localdate()
    day = today.replace(year=today.year + 1, month=1, day=12)

    # The mentor schedules 09:30 in Berlin.
    log_in(second_page, mentor.email, PASSWORD)
    second_page.goto(mentorship.get_absolute_url())
    schedule_one = link_words(
        t(
            'No meeting planned. <a href="%(create_url)s">Schedule one</a>: both of you get '
            "a calendar invitation."
        )
    )
    second_page.get_by_role("link", name=schedule_one).click()
    expect(
        second_page.get_by_text(
            t("Type the date and time in your own time zone, %(zone)s.", zone="Europe/Berlin")
        )
    ).to_be_visible()
    second_page.get_by_label(t("Date")).fill(day.isoformat())
    second_page.get_by_label(t("Time")).fill("09:30")
    second_page.get_by_label(t("Place or link")).fill("https://meet.example.org/bea-mika")
    second_page.get_by_label(t("Agenda")).fill("Your first goal and how we will work together.")
    second_page.get_by_role("button", name=t("Schedule and send invitations")).click()
    expect(second_page.get_by_role("heading", name=re.compile("09:30"))).to_be_visible()

    # Each person gets an invitation in their own zone, with the same UTC time in the .ics.
    meeting = Meeting.objects.get()
    assert meeting.starts_at.isoformat() == f"{day.isoformat()}T08:30:00+00:00"
    by_person = {m.to[0]: m for m in mail.outbox}
    assert (
        "09:30" in by_person[mentor.email].body
        and "(Europe/Berlin)" in by_person[mentor.email].body
    )
    assert (
        "17:30" in by_person[mentee.email].body and "(Asia/Tokyo)" in by_person[mentee.email].body
    )
    parsed = email.message_from_bytes(by_person[mentee.email].message().as_bytes())
    ics = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    event = icalendar.Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("dtstart").isoformat() == f"{day.isoformat()}T08:30:00+00:00"

    # The mentee sees 17:30 Tokyo time on her mentorship page.
    log_in(page, mentee.email, PASSWORD)
    page.goto(mentorship.get_absolute_url())
    expect(page.locator("#next-meeting")).to_contain_text("17:30")
    in_tokyo = datetime.combine(day, time(17, 30), tzinfo=ZoneInfo("Asia/Tokyo"))
    expect(page.locator("#next-meeting")).to_contain_text(
        dateformat.format(in_tokyo, tc("date format", "l j F Y, H:i"))
    )
    expect(page.locator("#next-meeting")).to_contain_text("Asia/Tokyo")

    # After the meeting she keeps a private note and an action item for herself.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    page.goto(meeting.get_absolute_url())
    page.get_by_role("textbox", name=re.compile("^" + re.escape(t("Note")))).fill(
        "I felt nervous about the talk; Bea suggested a lightning talk."
    )
    page.get_by_label(t("Only for me")).check()
    page.get_by_role("button", name=t("Save note")).click()
    expect(page.get_by_text(t("Only you can see this"))).to_be_visible()
    page.get_by_text(t("Add an action item")).click()
    page.get_by_label(t("What will be done")).fill("Submit a lightning talk proposal")
    page.get_by_label(t("Due")).fill((today + timedelta(days=7)).isoformat())
    page.get_by_role("button", name=t("Add"), exact=True).click()
    expect(page.get_by_text("Submit a lightning talk proposal")).to_be_visible()
    screenshot(page, "meeting-notes")
    assert MeetingNote.objects.get().is_private
    assert ActionItem.objects.get().owner == mentee

    # The mentor does not see her private note.
    second_page.goto(meeting.get_absolute_url())
    expect(second_page.get_by_text("Submit a lightning talk proposal")).to_be_visible()
    expect(second_page.get_by_text("I felt nervous")).to_have_count(0)
