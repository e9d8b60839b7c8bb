"""The goal form as a mentee meets it (issue #15): the request's first goal idea starts
the goal; a vague attempt is coached next to each field; each error goes away as that
field is fixed, so nothing stale is left once the checklist is full; a half-written goal
saves as a draft; and without scripts every field shows, labelled for when it applies."""

from datetime import timedelta

from django.utils import dateformat, timezone

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from goals.models import Goal, GoalStatus
from matching.models import Mentorship
from matching.services import accept_request, send_request
from tests.e2e.test_mentoring_journey import REQUEST_MESSAGE, log_in
from tests.e2e.words import t, tc
from tests.factories import PASSWORD, ProfileFactory

IDEA = "Give a talk at the Python meetup"
CRITERIA = ("specific", "measurable", "achievable", "relevant", "time_bound")


def _mentorship(first_goal: str = "") -> Mentorship:
    mentee = ProfileFactory(
        user__email="ada@example.org", display_name="Ada Mentee", wants_mentoring=True
    ).user
    mentor = ProfileFactory(
        user__email="grace@example.org", display_name="Grace Mentor", wants_to_mentor=True
    ).user
    request = send_request(
        mentee=mentee,
        mentor_enrollment=mentor.enrollments.get(role="mentor"),
        message=REQUEST_MESSAGE,
        first_goal=first_goal,
    )
    return accept_request(request=request, by=mentor)


def _error(page: Page, field: str):  # type: ignore[no-untyped-def]
    """The error shown next to a field (crispy-forms puts it inside the field's block)."""
    return page.locator(f"#div_id_{field} .invalid-feedback")


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_a_vague_goal_is_coached_then_fixed_with_no_stale_errors(page: Page, screenshot) -> None:
    mentorship = _mentorship(first_goal=IDEA)
    log_in(page, mentorship.mentee.email, PASSWORD)
    page.goto(mentorship.get_absolute_url())
    page.get_by_role("link", name=t("New goal")).click()

    # The idea from the request is already the title.
    expect(page.get_by_label(t("Title"))).to_have_value(IDEA)
    expect(
        page.get_by_text(
            t("Started from the first goal idea in your request: “%(idea)s”", idea=IDEA)
        )
    ).to_be_visible()
    # No measure chosen yet: neither kind's fields show.
    expect(page.get_by_label(t("What you will count (for a number)"))).to_be_hidden()
    expect(page.get_by_label(t("Milestone %(number)s", number=1), exact=True)).to_be_hidden()

    # A vague first attempt, sent for review.
    page.get_by_label(t("Title")).fill("get better at Python")
    page.get_by_label(t("What exactly will be achieved")).fill("Be good.")
    page.get_by_role("button", name=t("Submit for review")).click()
    for field in ("title", "outcome", "measure", "plan", "relevance", "target_date"):
        expect(_error(page, field)).to_have_count(1)
        expect(_error(page, field)).to_be_visible()
    expect(page.get_by_text(t("This field is required."))).to_have_count(0)
    # The coaching is not the help text said twice.
    expect(
        page.get_by_text(t("Describe the result so anyone could tell when it is done."))
    ).to_have_count(1)
    assert not Goal.objects.exists()
    screenshot(page, "vague-goal-coached")

    # Fixing a field takes its error away, while the others stay until fixed.
    page.get_by_label(t("Title")).fill("Give a 20-minute talk at the Python meetup")
    expect(_error(page, "title")).to_have_count(0)
    expect(page.get_by_label(t("Title"))).not_to_have_class("is-invalid")
    expect(_error(page, "outcome")).to_have_count(1)

    page.get_by_label(t("What exactly will be achieved")).fill(
        "A 20-minute talk about our test suite, given to at least 30 people."
    )
    expect(_error(page, "outcome")).to_have_count(0)
    page.get_by_label(t("A checklist of milestones")).check()
    expect(_error(page, "measure")).to_have_count(0)
    # Only the chosen measure's fields show.
    expect(page.get_by_label(t("What you will count (for a number)"))).to_be_hidden()
    expect(page.get_by_label(t("Milestone %(number)s", number=1), exact=True)).to_be_visible()
    today = timezone.localdate()
    page.get_by_label(t("Milestone %(number)s", number=1), exact=True).fill("Outline the talk")
    page.get_by_label(t("Due date of milestone %(number)s", number=1)).fill(
        (today + timedelta(days=10)).isoformat()
    )
    page.get_by_label(t("Milestone %(number)s", number=2), exact=True).fill(
        "Rehearse with my mentor"
    )
    page.get_by_label(t("Plan, resources and first steps")).fill(
        "Pick the topic this week, outline it, rehearse twice with my mentor."
    )
    page.get_by_label(t("Why it matters")).fill(
        "Speaking in public is what my target role of tech lead asks of me."
    )
    page.get_by_label(t("Target date")).fill((today + timedelta(days=60)).isoformat())

    # The page came back with every criterion unmet: these words are the script's, from
    # the JavaScript catalogue (/jsi18n/), in the person's language.
    checklist = page.get_by_role("region", name=t("SMART checklist"))
    for criterion in CRITERIA:
        expect(checklist.locator(f'[data-criterion="{criterion}"] .smart-state')).to_have_text(
            tc("SMART criterion", "met")
        )
    # 5/5 on the checklist, and not one error left on the page.
    expect(page.locator("#goal-form .invalid-feedback")).to_have_count(0)
    expect(page.locator("#goal-form .is-invalid")).to_have_count(0)
    screenshot(page, "fixed-no-stale-errors")

    page.get_by_role("button", name=t("Submit for review")).click()
    expect(page.get_by_text(t("Sent to your mentor for review."))).to_be_visible()
    goal = Goal.objects.get()
    assert goal.status == GoalStatus.SUBMITTED
    assert list(goal.milestones.values_list("title", flat=True)) == [
        "Outline the talk",
        "Rehearse with my mentor",
    ]
    # The milestone's due date is on the goal page.
    due = dateformat.format(today + timedelta(days=10), tc("date format", "j M Y"))
    expect(page.get_by_text(t("due %(date)s", date=due))).to_be_visible()
    screenshot(page, "goal-page")


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_a_half_written_goal_saves_as_a_draft_and_is_finished_later(page: Page, screenshot) -> None:
    mentorship = _mentorship()
    log_in(page, mentorship.mentee.email, PASSWORD)
    page.goto(mentorship.get_absolute_url())
    page.get_by_role("link", name=t("New goal")).click()
    page.get_by_label(t("Title")).fill("Speak at a meetup")
    page.get_by_label(t("A number I can measure")).check()
    expect(page.get_by_label(t("What you will count (for a number)"))).to_be_visible()
    page.get_by_label(t("Where you are today (for a number)")).fill("0")
    page.get_by_role("button", name=t("Save draft")).click()
    expect(page.get_by_text(t("Goal saved as a draft. Submit it when it's ready."))).to_be_visible()
    expect(page.get_by_role("heading", name="Speak at a meetup")).to_be_visible()
    screenshot(page, "draft-saved")

    # Reopened, it is as it was left, and the numbers show for its measure.
    page.get_by_role("link", name=t("Edit")).click()
    expect(page.get_by_label(t("Where you are today (for a number)"))).to_have_value("0.00")
    expect(page.get_by_label(t("Milestone %(number)s", number=1), exact=True)).to_be_hidden()
    goal = Goal.objects.get()
    assert goal.status == GoalStatus.DRAFT and goal.target is None


@pytest.mark.parametrize("journey_language", ["en", "de"])
@pytest.mark.usefixtures("_journey_words")
def test_without_scripts_every_field_shows_labelled_for_when_it_applies(
    browser: Browser, live_server: LiveServer, journey_language: str
) -> None:
    mentorship = _mentorship()
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale=journey_language
    )
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label(t("Email")).fill(mentorship.mentee.email)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name=t("Sign In")).click()
        page.goto(f"/mentorships/{mentorship.pk}/goals/new/")
        expect(page.get_by_label(t("What you will count (for a number)"))).to_be_visible()
        expect(page.get_by_label(t("Milestone %(number)s", number=1), exact=True)).to_be_visible()
        expect(page.get_by_text(t("For a checklist of milestones only."))).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_submitting_an_unfinished_draft_shows_what_to_fix_next_to_each_field(
    page: Page, screenshot
) -> None:
    mentorship = _mentorship()
    log_in(page, mentorship.mentee.email, PASSWORD)
    page.goto(mentorship.get_absolute_url())
    page.get_by_role("link", name=t("New goal")).click()
    page.get_by_label(t("Title")).fill("Speak at a meetup")
    page.get_by_label(t("What exactly will be achieved")).fill("Be good.")
    page.get_by_role("button", name=t("Save draft")).click()
    expect(page.get_by_text(t("Goal saved as a draft. Submit it when it's ready."))).to_be_visible()

    # From the goal page: refused, and sent to the form with each problem by its field.
    page.get_by_role("button", name=t("Submit for review")).click()
    expect(page.get_by_role("heading", name=t("Edit your goal"))).to_be_visible()
    expect(
        page.get_by_text(t("Not sent yet: finish what is marked, then submit it."))
    ).to_be_visible()
    for field in ("outcome", "measure", "plan", "relevance", "target_date"):
        expect(_error(page, field)).to_have_count(1)
        expect(_error(page, field)).to_be_visible()
    expect(_error(page, "title")).to_have_count(0)
    refusal = t("Edit the goal before submitting it: %(problems)s", problems="").rstrip()
    expect(page.get_by_text(refusal)).to_have_count(0)
    # What was typed is kept.
    expect(page.get_by_label(t("Title"))).to_have_value("Speak at a meetup")
    expect(page.get_by_label(t("What exactly will be achieved"))).to_have_value("Be good.")
    screenshot(page, "refused-submission-on-the-form")

    page.get_by_label(t("What exactly will be achieved")).fill(
        "A 20-minute talk about our test suite, given to at least 30 people."
    )
    page.get_by_label(t("A checklist of milestones")).check()
    page.get_by_label(t("Milestone %(number)s", number=1), exact=True).fill("Outline the talk")
    page.get_by_label(t("Milestone %(number)s", number=2), exact=True).fill(
        "Rehearse with my mentor"
    )
    page.get_by_label(t("Plan, resources and first steps")).fill(
        "Pick the topic this week, outline it, rehearse twice with my mentor."
    )
    page.get_by_label(t("Why it matters")).fill(
        "Speaking in public is what my target role of tech lead asks of me."
    )
    page.get_by_label(t("Target date")).fill(
        (timezone.localdate() + timedelta(days=60)).isoformat()
    )
    expect(page.locator("#goal-form .invalid-feedback")).to_have_count(0)
    expect(page.locator("#goal-form .is-invalid")).to_have_count(0)

    page.get_by_role("button", name=t("Submit for review")).click()
    expect(page.get_by_text(t("Sent to your mentor for review."))).to_be_visible()
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    expect(
        page.get_by_text(t("Not sent yet: finish what is marked, then submit it."))
    ).to_have_count(0)
    screenshot(page, "submitted")
    goal = Goal.objects.get()
    assert goal.status == GoalStatus.SUBMITTED and goal.title == "Speak at a meetup"
