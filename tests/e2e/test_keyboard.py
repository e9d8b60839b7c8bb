"""A mentee who uses no mouse asks for a mentor: from the dashboard to the directory, a
search, the mentor's page and the request, with Tab, Shift+Tab, Enter, Space and typing
only; wherever the focus is, it can be seen."""

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from matching.models import MentorshipRequest, RequestStatus
from profiles.models import SkillKind
from tests.e2e.test_mentoring_journey import (
    FIRST_GOAL,
    REQUEST_MESSAGE,
    log_in,
    main_nav,
    make_mentor,
    person,
)
from tests.factories import PASSWORD

Screenshot = Callable[[Page, str], Path]

# More than any page here needs between two stops, few enough to fail fast.
MAX_TABS = 60

# Whether the focused element matches :focus-visible and draws an outline around itself
# (Bootstrap's own pale halo alone would not count: site.css adds a solid ring).
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || !el.matches(":focus-visible")) return false;
  const style = getComputedStyle(el);
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
}"""


def is_focused(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``target`` has the focus, and check it shows."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if is_focused(target):
            break
    else:
        raise AssertionError(f"{MAX_TABS} presses of {key} never reached {target}")
    assert page.evaluate(FOCUS_SHOWN), f"the focus on {target} is not visible"


def test_mentee_sends_a_request_with_the_keyboard_only(page: Page, screenshot: Screenshot) -> None:
    priya = person(
        name="Priya Raman",
        email="priya@example.org",
        kind=SkillKind.LEARN,
        skill="System design",
        mentors=False,
    )
    marta = make_mentor("Marta Kowalska", "marta@example.org", "System design")
    make_mentor("Kenji Watanabe", "kenji@example.org", "Marketing")
    # Without transitions, the focus ring is drawn at once: in the check and the screenshots.
    page.emulate_media(reduced_motion="reduce")
    log_in(page, priya.email, PASSWORD)

    # From the dashboard, through the main navigation to the directory.
    tab_to(page, main_nav(page).get_by_role("link", name="Find a mentor"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Find a mentor")).to_be_visible()

    # The skip link jumps past the navigation; the search box is next.
    skip = page.get_by_role("link", name="Skip to content")
    tab_to(page, skip)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    search = page.get_by_role("search", name="Filter mentors").get_by_label("Search")
    page.keyboard.press("Tab")
    expect(search).to_be_focused()
    page.keyboard.type("Marta")
    page.keyboard.press("Enter")
    mentors = page.get_by_role("region", name="Mentors")
    expect(mentors.get_by_role("link", name="Kenji Watanabe")).to_have_count(0)

    tab_to(page, mentors.get_by_role("link", name="Marta Kowalska"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Marta Kowalska", exact=True)).to_be_visible()

    # The request form is on the mentor's page: message, first goal, then send.
    message = page.get_by_label("Your message")
    tab_to(page, message)
    page.keyboard.type(REQUEST_MESSAGE)
    first_goal = page.get_by_label("A first goal idea (optional)")
    tab_to(page, first_goal)
    page.keyboard.type(FIRST_GOAL)
    # Back to the message to read it over, then on to the button.
    tab_to(page, message, backwards=True)
    expect(message).to_have_value(REQUEST_MESSAGE)
    send = page.get_by_role("button", name="Send request")
    tab_to(page, send)
    screenshot(page, "send-request-focused")
    page.keyboard.press("Space")

    expect(page).to_have_url(re.compile(r"/requests/\d+/$"))
    expect(page.get_by_role("heading", name="Your request to Marta Kowalska")).to_be_visible()
    screenshot(page, "request-sent")
    request = MentorshipRequest.objects.get()
    assert request.mentee_enrollment.user == priya
    assert request.mentor_enrollment.user == marta
    assert request.status == RequestStatus.PENDING
    assert request.message == REQUEST_MESSAGE
    assert request.first_goal == FIRST_GOAL
