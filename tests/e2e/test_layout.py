"""The site's frame at the sizes people use: the navbar of someone who both mentors and is
mentored fits one line at 1280 px and folds away on a phone, and the directory's filters
fold behind one button on a phone so that the mentors come first."""

from playwright.sync_api import Page, expect

from tests.e2e.test_mentoring_journey import log_in, main_nav
from tests.factories import PASSWORD, ProfileFactory

PHONE = {"width": 390, "height": 844}


def _mentor_and_mentee() -> str:
    """Both roles and a programme admin's link: the longest navbar there is."""
    return ProfileFactory(
        user__email="both@example.org",
        user__is_staff=True,
        user__two_factor=False,  # signs in to the site; the admin would ask for one
        display_name="Alexandra Both-Roles",
        wants_mentoring=True,
        wants_to_mentor=True,
    ).user.email


def test_the_navbar_fits_one_line_at_1280_px(page: Page, screenshot) -> None:
    log_in(page, _mentor_and_mentee(), PASSWORD)
    nav = main_nav(page)
    for name in ("Dashboard", "Find a mentor", "Requests", "Mentees' goals", "Programmes"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    brand = nav.get_by_role("link", name="Mentorship").bounding_box()
    one_word = nav.get_by_role("link", name="Dashboard").bounding_box()
    assert brand and one_word
    for name in ("Find a mentor", "Mentees' goals", "Programme admin"):
        box = nav.get_by_role("link", name=name).bounding_box()
        assert box, name
        # One line: no label wraps inside its link, and no link drops below the brand.
        assert box["height"] <= one_word["height"] + 1, (name, box)
        assert abs(box["y"] - one_word["y"]) <= 1, (name, box)
    assert brand["y"] < one_word["y"] + one_word["height"]
    screenshot(page, "navbar-1280")
    # What left the bar is one click away, under the person's name.
    nav.get_by_role("button", name="Alexandra Both-Roles").click()
    expect(nav.get_by_role("link", name="Mentoring availability")).to_be_visible()


def test_on_a_phone_the_navbar_and_the_filters_fold_away(page: Page, screenshot) -> None:
    log_in(page, _mentor_and_mentee(), PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto("/mentors/")
    nav = main_nav(page)
    expect(nav.get_by_role("link", name="Find a mentor")).to_be_hidden()
    nav.get_by_role("button", name="Toggle navigation").click()
    expect(nav.get_by_role("link", name="Find a mentor")).to_be_visible()
    page.reload()

    filters = page.get_by_role("search", name="Filter mentors")
    expect(filters).to_be_hidden()
    screenshot(page, "directory-phone")
    page.get_by_role("button", name="Filters").click()
    expect(filters).to_be_visible()
    expect(filters.get_by_role("button", name="Apply filters")).to_be_visible()
