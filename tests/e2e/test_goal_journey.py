"""A goal from vague idea to progress, told through two browsers: the mentee's draft gets
SMART coaching, the mentor asks for a change, the mentee revises, the mentor approves from
the review board, and the progress the mentee logs shows on the goal's chart."""

import re
from datetime import timedelta

from django.utils import timezone

from playwright.sync_api import Page, expect

from goals.models import Goal, GoalStatus
from matching.services import accept_request, send_request
from tests.e2e.test_mentoring_journey import REQUEST_MESSAGE, log_in, main_nav
from tests.factories import PASSWORD, ProfileFactory

VAGUE = "get better at Python"
SMART_TITLE = "Give 4 talks about Python testing at meetups"
CHANGE_REQUEST = "Name the meetups you have in mind, so we can plan the dates."


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
    page.get_by_role("link", name="New goal").click()
    expect(page.get_by_text("Become a recognised speaker on testing")).to_be_visible()
    page.get_by_label("Title").fill(VAGUE)
    page.get_by_label("What exactly will be achieved").fill(
        "Four talks given at Python meetups, each with slides and a recording online."
    )
    checklist = page.get_by_role("region", name="SMART checklist")
    expect(checklist.locator('[data-criterion="specific"] .smart-state')).to_have_text(
        "not met yet"
    )
    page.get_by_role("button", name="Submit for review").click()
    # Coaching next to the field; nothing typed is lost, nothing saved.
    expect(page.get_by_text("Say what you will be able to do or show")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(VAGUE)
    expect(page.get_by_label("What exactly will be achieved")).to_have_value(re.compile("Four"))
    assert not Goal.objects.exists()
    screenshot(page, "vague-goal-coached")

    # The mentee fixes it: a title that says what they will do, and a number to reach.
    page.get_by_label("Title").fill(SMART_TITLE)
    page.get_by_label("A number I can measure").check()
    page.get_by_label("What you will count").fill("talks given")
    page.get_by_label("Unit").fill("talks")
    page.get_by_label("Where you are today").fill("0")
    page.get_by_label("Target (for a number)").fill("4")
    page.get_by_label("Plan, resources and first steps").fill(
        "Pick a topic this week, write the outline, rehearse with my mentor, then apply."
    )
    page.get_by_label("Why it matters").fill(
        "Speaking is how I become the testing speaker my career goals describe."
    )
    target = timezone.localdate() + timedelta(days=80)
    page.get_by_label("Target date").fill(target.isoformat())
    for criterion in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        expect(checklist.locator(f'[data-criterion="{criterion}"] .smart-state')).to_have_text(
            "met"
        )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=SMART_TITLE)).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Sent to your mentor for review.")).to_be_visible()

    # The mentor sees it waiting on the review board and asks for a change.
    log_in(second_page, mentor.email, PASSWORD)
    main_nav(second_page).get_by_role("link", name=re.compile("Mentees' goals")).click()
    expect(second_page.get_by_text("Needs your review")).to_be_visible()
    second_page.get_by_role("link", name=SMART_TITLE).click()
    review = second_page.get_by_role("region", name="Your review")
    review.get_by_role("button", name="Request changes").click()
    expect(second_page.get_by_text("Say what should change")).to_be_visible()
    review.get_by_label("Comment").fill(CHANGE_REQUEST)
    review.get_by_role("button", name="Request changes").click()
    expect(second_page.get_by_text("Your suggestions are sent.")).to_be_visible()

    # The mentee revises and submits again.
    page.reload()
    # The mentor's words are with the comments, not only in the history.
    expect(page.get_by_role("region", name="Comments").get_by_text(CHANGE_REQUEST)).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("What exactly will be achieved").fill(
        "Four talks given at PyLadies Berlin and Python Users Berlin, slides and recordings online."
    )
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Sent to your mentor for review.")).to_be_visible()

    # The mentor approves.
    second_page.reload()
    second_page.get_by_role("region", name="Your review").get_by_role(
        "button", name="Approve"
    ).click()
    expect(second_page.get_by_text("Approved.")).to_be_visible()
    assert Goal.objects.get().status == GoalStatus.APPROVED

    # The mentee logs progress, and the chart shows it against the plan.
    page.reload()
    progress = page.get_by_role("region", name="Log progress")
    progress.get_by_label("New value of talks given").fill("1")
    progress.get_by_label("Note").fill("First talk given at PyLadies Berlin.")
    progress.get_by_role("button", name="Log progress").click()
    expect(page.get_by_text("Progress logged.")).to_be_visible()
    chart = page.locator("svg.progress-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_contain_text(SMART_TITLE)
    expect(page.get_by_text("25% done")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Ahead|On track|Behind")).first).to_be_visible()
    screenshot(page, "progress-chart")
    assert Goal.objects.get().status == GoalStatus.IN_PROGRESS
