"""The directory's skills filter is a searchable tag picker (Tom Select over the native
multi-select): a mentee types part of a skill's name, picks several, takes one off with a
click or Backspace, on a desktop and on a phone; without JavaScript the plain select
still filters; and axe finds nothing serious with the picker's list open."""

from collections.abc import Iterator

from django.utils.translation import get_language
from django.utils.translation.trans_real import DjangoTranslation

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from profiles.models import SkillKind
from tests.e2e.test_accessibility import axe_violations, describe
from tests.e2e.test_layout import PHONE
from tests.e2e.test_mentoring_journey import log_in, make_mentor, person
from tests.e2e.words import t, tn
from tests.factories import PASSWORD

IN_BOTH_LANGUAGES = pytest.mark.parametrize("journey_language", ["en", "de"])


@pytest.fixture
def mentee() -> str:
    """A mentee, and mentors who teach system design, public speaking and marketing."""
    make_mentor("Marta Kowalska", "marta@example.org", "System design")
    make_mentor("Ama Mensah", "ama@example.org", "Public speaking")
    make_mentor("Kenji Watanabe", "kenji@example.org", "Marketing")
    return person(
        name="Priya Raman",
        email="priya@example.org",
        kind=SkillKind.LEARN,
        skill="System design",
        mentors=False,
    ).email


def filters(page: Page) -> Locator:
    return page.get_by_role("search", name=t("Filter mentors"))


def skills_box(page: Page) -> Locator:
    """The picker's text box, which the field's label names."""
    return filters(page).get_by_role("combobox", name=t("Skills"))


def chips(page: Page) -> Locator:
    return filters(page).locator(".ts-control [data-ts-item]")


def said_by_script(words: str, /, **values: str) -> str:
    """What the picker's script says (Django's script catalogue, djangojs), in the
    journey's language."""
    return DjangoTranslation(get_language(), domain="djangojs").gettext(words) % values


def matches(count: int) -> str:
    """The directory's count of the mentors it found."""
    return tn("%(counter)s match.", "%(counter)s matches.", count)


def mentor_links(page: Page) -> Locator:
    return page.get_by_role("region", name=t("Mentors")).get_by_role("link")


@IN_BOTH_LANGUAGES
def test_mentee_types_to_pick_two_skills_and_sees_their_mentors(
    page: Page, mentee: str, screenshot
) -> None:
    log_in(page, mentee, PASSWORD)
    page.goto("/mentors/")
    box = skills_box(page)
    # No Ctrl-click: the hint under the field speaks of typing.
    expect(
        filters(page).get_by_text(
            t("Mentors who can teach any of these. Type to search; pick as many as you like.")
        )
    ).to_be_visible()

    # Part of a name narrows the list; Enter picks the first match.
    box.fill("syst")
    listbox = filters(page).get_by_role("listbox", name=t("Skills"))
    expect(listbox.get_by_role("option", name="System design")).to_be_visible()
    expect(listbox.get_by_role("option", name="Marketing")).to_have_count(0)
    box.press("Enter")
    # The typed text is cleared for the next skill, which she picks with the mouse.
    expect(box).to_have_value("")
    box.press_sequentially("speak")
    listbox.get_by_role("option", name="Public speaking").click()
    expect(chips(page)).to_have_text(["System design×", "Public speaking×"])
    screenshot(page, "two-skills-picked")
    filters(page).get_by_role("button", name=t("Apply filters")).click()

    expect(page.get_by_text(matches(2))).to_be_visible()
    expect(mentor_links(page).filter(has_text="Marta Kowalska")).to_have_count(1)
    expect(mentor_links(page).filter(has_text="Ama Mensah")).to_have_count(1)
    expect(mentor_links(page).filter(has_text="Kenji Watanabe")).to_have_count(0)
    # The page comes back with both still picked.
    expect(chips(page)).to_have_count(2)

    # A chip's × takes it off; Backspace in the empty box takes off the last one.
    filters(page).get_by_role(
        "button", name=said_by_script("Remove %(skill)s", skill="Public speaking")
    ).click()
    expect(chips(page)).to_have_text(["System design×"])
    skills_box(page).press("Backspace")
    expect(chips(page)).to_have_count(0)
    skills_box(page).fill("mark")
    skills_box(page).press("Enter")
    filters(page).get_by_role("button", name=t("Apply filters")).click()
    expect(page.get_by_text(matches(1))).to_be_visible()
    expect(mentor_links(page).filter(has_text="Kenji Watanabe")).to_have_count(1)


@IN_BOTH_LANGUAGES
def test_the_picker_works_from_the_keyboard_alone(page: Page, mentee: str) -> None:
    log_in(page, mentee, PASSWORD)
    page.goto("/mentors/")
    filters(page).get_by_label(t("Sort")).focus()
    page.keyboard.press("Tab")
    expect(skills_box(page)).to_be_focused()
    page.keyboard.type("sys")
    page.keyboard.press("Enter")
    page.keyboard.type("mark")
    page.keyboard.press("Enter")
    expect(chips(page)).to_have_text(["System design×", "Marketing×"])
    # Tab leaves the picker for the next filter, and comes back to it.
    page.keyboard.press("Tab")
    expect(filters(page).get_by_label(t("Industry"))).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(skills_box(page)).to_be_focused()
    page.keyboard.press("Backspace")
    expect(chips(page)).to_have_text(["System design×"])
    # Enter with nothing typed and the list closed submits the form, as in any field.
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    expect(page.get_by_text(matches(1))).to_be_visible()
    expect(mentor_links(page).filter(has_text="Marta Kowalska")).to_have_count(1)


@IN_BOTH_LANGUAGES
def test_the_picker_works_on_a_phone(page: Page, mentee: str, screenshot) -> None:
    log_in(page, mentee, PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto("/mentors/")
    page.get_by_role("button", name=t("Filters")).click()
    skills_box(page).fill("design")
    skills_box(page).press("Enter")
    skills_box(page).fill("market")
    skills_box(page).press("Enter")
    expect(chips(page)).to_have_count(2)
    # The picker stays inside the screen, however many chips it holds.
    wrapper = filters(page).locator(".ts-wrapper").bounding_box()
    assert wrapper and wrapper["x"] >= 0 and wrapper["x"] + wrapper["width"] <= PHONE["width"]
    screenshot(page, "picker-phone")
    filters(page).get_by_role("button", name=t("Apply filters")).click()
    expect(page.get_by_text(matches(2))).to_be_visible()


@IN_BOTH_LANGUAGES
def test_the_directory_with_the_picker_open_is_accessible(page: Page, mentee: str) -> None:
    log_in(page, mentee, PASSWORD)
    page.goto("/mentors/")
    # A chip picked, the list open on what matches the next few letters.
    skills_box(page).fill("design")
    skills_box(page).press("Enter")
    skills_box(page).fill("s")
    listbox = filters(page).get_by_role("listbox", name=t("Skills"))
    expect(listbox.get_by_role("option", name="Public speaking")).to_be_visible()
    expect(chips(page)).to_have_count(1)
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.fixture
def page_without_js(
    browser: Browser, live_server: LiveServer, journey_language: str, _journey_words: None
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale=journey_language
    )
    yield context.new_page()
    context.close()


@IN_BOTH_LANGUAGES
def test_without_javascript_the_plain_select_filters(page_without_js: Page, mentee: str) -> None:
    page = page_without_js
    log_in(page, mentee, PASSWORD)
    page.goto("/mentors/")
    filters(page).get_by_label(t("Skills")).select_option(label=["System design", "Marketing"])
    filters(page).get_by_role("button", name=t("Apply filters")).click()
    expect(page.get_by_text(matches(2))).to_be_visible()
    expect(mentor_links(page).filter(has_text="Ama Mensah")).to_have_count(0)
