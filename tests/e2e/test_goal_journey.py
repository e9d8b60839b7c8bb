"""A goal from vague idea to progress, told through two browsers: the mentee's draft gets
SMART coaching, the mentor asks for a change, the mentee revises, the mentor approves from
the review board, and the progress the mentee logs shows on the goal's chart."""

import re
from datetime import timedelta

from django.utils import timezone

import pytest
from playwright.sync_api import Page, expect

from goals.models import Goal, GoalStatus
from matching.services import accept_request, send_request
from tests.e2e.test_mentoring_journey import REQUEST_MESSAGE, log_in, main_nav
from tests.e2e.words import t, tc
from tests.factories import PASSWORD, ProfileFactory

VAGUE = "get better at Python"
SMART_TITLE = "Give 4 talks about Python testing at meetups"
CHANGE_REQUEST = "Name the meetups you have in mind, so we can plan the dates."
COACHING_TITLE = (
    "Say what you will be able to do or show, not what you will work on: for "
    "example 'Lead a design review for my team' instead of 'get better at "
    "design'."
)


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_a_vague_goal_becomes_smart_is_reviewed_and_shows_progress(
    page: Page, second_page: Page, screenshot
) -> None:
    mentee = ProfileFactory(
        user__email="ada@example.org",
        display_name="Ada Mentee",
        wants_mentoring=True,
        career_goals="Become a recognised speaker on testing in the Python community.",
    ).user
    mentor = ProfileFactory(
        user__email="grace@example.org", display_name="Grace Mentor", wants_to_mentor=True
    ).user
    mentorship = accept_request(
        request=send_request(
            mentee=mentee,
            mentor_enrollment=mentor.enrollments.get(role="mentor"),
            message=REQUEST_MESSAGE,
        ),
        by=mentor,
    )

    # The mentee starts a goal from the mentorship page with a vague title.
    log_in(page, mentee.email, PASSWORD)
    page.goto(mentorship.get_absolute_url())
    page.get_by_role("link", name=t("New goal")).click()
    expect(page.get_by_text("Become a recognised speaker on testing")).to_be_visible()
    page.get_by_label(t("Title")).fill(VAGUE)
    page.get_by_label(t("What exactly will be achieved")).fill(
        "Four talks given at Python meetups, each with slides and a recording online."
    )
    checklist = page.get_by_role("region", name=t("SMART checklist"))
    expect(checklist.locator('[data-criterion="specific"] .smart-state')).to_have_text(
        tc("SMART criterion", "not met yet")
    )
    page.get_by_role("button", name=t("Submit for review")).click()
    # Coaching next to the field; nothing typed is lost, nothing saved.
    expect(page.get_by_text(t(COACHING_TITLE))).to_be_visible()
    expect(page.get_by_label(t("Title"))).to_have_value(VAGUE)
    expect(page.get_by_label(t("What exactly will be achieved"))).to_have_value(re.compile("Four"))
    assert not Goal.objects.exists()
    screenshot(page, "vague-goal-coached")

    # The mentee fixes it: a title that says what they will do, and a number to reach.
    page.get_by_label(t("Title")).fill(SMART_TITLE)
    page.get_by_label(t("A number I can measure")).check()
    page.get_by_label(t("What you will count (for a number)")).fill("talks given")
    page.get_by_label(t("Unit (for a number)")).fill("talks")
    page.get_by_label(t("Where you are today (for a number)")).fill("0")
    page.get_by_label(t("Target (for a number)")).fill("4")
    page.get_by_label(t("Plan, resources and first steps")).fill(
        "Pick a topic this week, write the outline, rehearse with my mentor, then apply."
    )
    page.get_by_label(t("Why it matters")).fill(
        "Speaking is how I become the testing speaker my career goals describe."
    )
    target = timezone.localdate() + timedelta(days=80)
    page.get_by_label(t("Target date")).fill(target.isoformat())
    for criterion in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        expect(checklist.locator(f'[data-criterion="{criterion}"] .smart-state')).to_have_text(
            tc("SMART criterion", "met")
        )
    page.get_by_role("button", name=t("Save draft")).click()
    expect(page.get_by_role("heading", name=SMART_TITLE)).to_be_visible()
    page.get_by_role("button", name=t("Submit for review")).click()
    expect(page.get_by_text(t("Sent to your mentor for review."))).to_be_visible()

    # The mentor sees it waiting on the review board and asks for a change.
    log_in(second_page, mentor.email, PASSWORD)
    main_nav(second_page).get_by_role(
        "link", name=re.compile(re.escape(t("Mentees' goals")))
    ).click()
    expect(second_page.get_by_text(t("Needs your review"))).to_be_visible()
    second_page.get_by_role("link", name=SMART_TITLE).click()
    review = second_page.get_by_role("region", name=t("Your review"))
    review.get_by_role("button", name=t("Request changes")).click()
    expect(
        second_page.get_by_text(t("Say what should change, so the mentee can revise."))
    ).to_be_visible()
    review.get_by_label(t("Comment")).fill(CHANGE_REQUEST)
    review.get_by_role("button", name=t("Request changes")).click()
    expect(second_page.get_by_text(t("Your suggestions are sent."))).to_be_visible()

    # The mentee revises and submits again.
    page.reload()
    # The mentor's words are with the comments, not only in the history.
    expect(
        page.get_by_role("region", name=t("Comments")).get_by_text(CHANGE_REQUEST)
    ).to_be_visible()
    page.get_by_role("link", name=t("Edit")).click()
    page.get_by_label(t("What exactly will be achieved")).fill(
        "Four talks given at PyLadies Berlin and Python Users Berlin, slides and recordings online."
    )
    page.get_by_role("button", name=t("Save draft")).click()
    page.get_by_role("button", name=t("Submit for review")).click()
    expect(page.get_by_text(t("Sent to your mentor for review."))).to_be_visible()

    # The mentor approves.
    second_page.reload()
    second_page.get_by_role("region", name=t("Your review")).get_by_role(
        "button", name=t("Approve")
    ).click()
    expect(second_page.get_by_text(t("Approved."))).to_be_visible()
    assert Goal.objects.get().status == GoalStatus.APPROVED

    # The mentee logs progress, and the chart shows it against the plan.
    page.reload()
    progress = page.get_by_role("region", name=t("Log progress"))
    progress.get_by_label(t("New value of %(metric)s", metric="talks given")).fill("1")
    progress.get_by_label(t("Note")).fill("First talk given at PyLadies Berlin.")
    progress.get_by_role("button", name=t("Log progress")).click()
    expect(page.get_by_text(t("Progress logged."))).to_be_visible()
    chart = page.locator("svg.progress-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_contain_text(SMART_TITLE)
    expect(page.get_by_text(t("%(percent)s%% done", percent=25))).to_be_visible()
    pace = re.compile("|".join(re.escape(t(words)) for words in ("Ahead", "On track", "Behind")))
    expect(page.get_by_text(pace).first).to_be_visible()
    screenshot(page, "progress-chart")
    assert Goal.objects.get().status == GoalStatus.IN_PROGRESS
