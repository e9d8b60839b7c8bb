"""Follow-through, told through a mentee's browser: the conversation before the mentor
accepted opens the mentorship's thread; she logs yesterday's meeting with its notes and
an action item, and the mentorship page shows that meeting and what is still to do."""

import re
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dateformat import format as format_date

import pytest
from playwright.sync_api import Page, expect

from goals.models import ActionItem, Meeting
from matching.services import accept_request, post_request_message, send_request
from tests.e2e.conftest import Screenshot
from tests.e2e.test_mentoring_journey import ANSWER, QUESTION, REQUEST_MESSAGE, log_in
from tests.e2e.words import t, tc
from tests.factories import PASSWORD, ProfileFactory
from tests.helpers import emails


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_a_past_meeting_is_logged_and_followed_through_on_the_mentorship_page(
    page: Page, second_page: Page, screenshot: Screenshot
) -> None:
    mentee = ProfileFactory(
        user__email="lena@example.org",
        display_name="Lena Mentee",
        wants_mentoring=True,
        time_zone="Europe/Berlin",
    ).user
    mentor = ProfileFactory(
        user__email="omar@example.org",
        display_name="Omar Mentor",
        wants_to_mentor=True,
        time_zone="Europe/Berlin",
    ).user
    request = send_request(
        mentee=mentee,
        mentor_enrollment=mentor.enrollments.get(role="mentor"),
        message=REQUEST_MESSAGE,
    )
    post_request_message(request=request, author=mentor, body=QUESTION)
    post_request_message(request=request, author=mentee, body=ANSWER)
    mentorship = accept_request(request=request, by=mentor)

    # The question and answer from before the mentor accepted open the thread.
    log_in(page, mentee.email, PASSWORD)
    page.goto(mentorship.get_absolute_url())
    before = page.locator("#before-mentorship")
    expect(before).to_contain_text(t("Before the mentorship started"))
    expect(before).to_contain_text(REQUEST_MESSAGE[:40])
    expect(before).to_contain_text(QUESTION)
    expect(before).to_contain_text(ANSWER)
    expect(page.locator("#last-meeting")).to_contain_text(t("No meeting yet."))
    screenshot(page, "mentorship-before")

    # They met yesterday evening; she writes it down afterwards.
    yesterday = timezone.localdate() - timedelta(days=1)
    page.locator("#follow-through").get_by_role("link", name=t("Log a past meeting")).click()
    page.get_by_label(t("Date")).fill(yesterday.isoformat())
    page.get_by_label(t("Time")).fill("18:30")
    page.get_by_role("textbox", name=re.compile(rf"^{t('Shared notes')}")).fill(
        "We mapped the checkout path; Omar suggested timing each call first."
    )
    screenshot(page, "log-form")
    page.get_by_role("button", name=t("Log the meeting")).click()
    expect(
        page.get_by_role("alert").filter(
            has_text=t("Meeting logged. Add what each of you will do next below.")
        )
    ).to_be_visible()
    expect(page.get_by_text("We mapped the checkout path")).to_be_visible()
    expect(page.locator(".badge", has_text=tc("a meeting", "Past"))).to_be_visible()

    # Straight on to the action item: its form stands open.
    due = timezone.localdate() + timedelta(days=5)
    page.get_by_label(t("What will be done")).fill("Time each call on the checkout path")
    page.get_by_label(t("Due")).fill(due.isoformat())
    page.get_by_role("button", name=t("Add"), exact=True).click()
    expect(page.get_by_text("Time each call on the checkout path")).to_be_visible()
    screenshot(page, "logged-meeting")
    meeting = Meeting.objects.get()
    assert ActionItem.objects.get().meeting == meeting
    # Nobody is invited to a meeting that is over.
    assert emails("meeting_invitation") == []

    # The mentorship page: the last meeting, and what is still to do, with who and when.
    page.goto(mentorship.get_absolute_url())
    # Shown in her time zone, as she typed it.
    met = format_date(datetime.combine(yesterday, time(18, 30)), tc("date format", "l j F Y, H:i"))
    expect(page.locator("#last-meeting")).to_contain_text(f"{t('Last:')} {met}")
    items = page.get_by_role("list", name=t("Open action items"))
    expect(items).to_contain_text("Time each call on the checkout path")
    due_on = t("due %(date)s", date=format_date(due, tc("date format", "j M Y")))
    expect(items).to_contain_text(f"{t('You')} · {due_on}")
    screenshot(page, "mentorship-after")
    items.get_by_role("link", name="Time each call on the checkout path").click()
    expect(page).to_have_url(re.compile(rf"{meeting.get_absolute_url()}#action-\d+$"))

    # The mentor sees the same, with her name as the owner.
    log_in(second_page, mentor.email, PASSWORD)
    second_page.goto(mentorship.get_absolute_url())
    mentor_items = second_page.get_by_role("list", name=t("Open action items"))
    expect(mentor_items).to_contain_text("Lena Mentee")
    expect(second_page.locator("#before-mentorship")).to_contain_text(QUESTION)
