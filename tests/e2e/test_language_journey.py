"""A mentee and the languages mentors speak, told through the browser: the directory lists
only mentors she can talk to and says which language they share, unticking that filter
shows the rest with the reason, and a request to someone she shares no language with is
refused with that reason, keeping what she wrote."""

from collections.abc import Callable
from pathlib import Path

from django.utils.html import strip_tags

import pytest
from playwright.sync_api import Page, expect

from matching.models import MentorshipRequest
from profiles.models import SkillKind
from tests.e2e.test_mentoring_journey import REQUEST_MESSAGE, log_in, main_nav, make_mentor, person
from tests.e2e.words import t
from tests.factories import PASSWORD

Screenshot = Callable[[Page, str], Path]


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_mentee_sees_who_shares_her_language_and_a_mismatched_request_is_refused(
    page: Page, screenshot: Screenshot
) -> None:
    emma = person(
        name="Emma Brown",
        email="emma@example.org",
        kind=SkillKind.LEARN,
        skill="Data analysis",
        mentors=False,
        languages=["en"],
    )
    make_mentor("Marta Kowalska", "marta@example.org", "Data analysis", languages=["en", "pl"])
    make_mentor("Wei Chen", "wei@example.org", "Data analysis", languages=["zh"])
    ioana = make_mentor(
        "Ioana Popescu", "ioana@example.org", "Data analysis", languages=["en", "ro"]
    )
    cohort = ioana.enrollments.get().cohort.name
    both_speak_english = t("You both speak %(languages)s", languages=t("English"))

    # Emma looks for a mentor: only those she can talk to are listed, and each card says
    # which language they share.
    log_in(page, emma.email, PASSWORD)
    main_nav(page).get_by_role("link", name=t("Find a mentor")).click()
    filters = page.get_by_role("search", name=t("Filter mentors"))
    shared_language = filters.get_by_label(t("Speaks a language I speak"))
    expect(shared_language).to_be_checked()
    mentors = page.get_by_role("region", name=t("Mentors"))
    expect(mentors.get_by_role("link", name="Marta Kowalska")).to_be_visible()
    expect(mentors.get_by_role("link", name="Wei Chen")).to_have_count(0)
    marta_card = mentors.get_by_role("article").filter(has_text="Marta Kowalska")
    expect(marta_card).to_contain_text(both_speak_english)
    screenshot(page, "directory-shared-language")

    # Unticking the filter shows everyone, with a plain warning where nothing is shared.
    shared_language.uncheck()
    filters.get_by_role("button", name=t("Apply filters")).click()
    expect(shared_language).not_to_be_checked()
    wei_card = mentors.get_by_role("article").filter(has_text="Wei Chen")
    expect(wei_card).to_contain_text(
        t("No language in common: they speak %(languages)s", languages=t("Chinese"))
    )
    screenshot(page, "directory-everyone")

    # She opens Ioana's page and starts writing; meanwhile Ioana's profile now says she
    # speaks Romanian only.
    mentors.get_by_role("link", name="Ioana Popescu").click()
    mentor_url = page.url
    expect(page.locator(".language-fit")).to_have_text(both_speak_english)
    page.get_by_label(t("Your message")).fill(REQUEST_MESSAGE)
    ioana.profile.languages.set(["ro"])
    page.get_by_role("button", name=t("Send request")).click()

    # The request is refused, saying why and what she can do; nothing was sent.
    refusal = t(
        "You and %(name)s have no language in common: they speak %(theirs)s, and your "
        "profile lists %(mine)s. %(cohort)s asks mentor and mentee to share a language: "
        "choose a mentor who speaks one of yours, or add a language you speak to your profile.",
        name="Ioana Popescu",
        theirs=t("Romanian"),
        mine=t("English"),
        cohort=cohort,
    )
    expect(page.get_by_role("alert").filter(has_text=refusal)).to_be_visible()
    expect(page.locator(".language-fit")).to_have_text(
        t("No language in common: they speak %(languages)s", languages=t("Romanian"))
    )
    # What she wrote is kept, to reuse with another mentor.
    expect(page.get_by_label(t("What you wrote, to reuse"))).to_have_value(REQUEST_MESSAGE)
    screenshot(page, "request-refused")
    assert not MentorshipRequest.objects.exists()

    # Coming back later, the page explains instead of offering a request.
    page.goto(mentor_url)
    expect(page.get_by_role("button", name=t("Send request"))).to_have_count(0)
    explanation = t(
        "You can't ask %(name)s in %(cohort)s: you have no language in common (they speak "
        "%(theirs)s; your profile lists %(mine)s). This programme asks mentor and mentee to "
        'share a language. <a href="%(directory_url)s">See mentors who speak one of '
        "yours</a>.",
        name="Ioana Popescu",
        cohort=cohort,
        theirs=t("Romanian"),
        mine=t("English"),
        directory_url="",
    )
    expect(page.get_by_text(strip_tags(explanation))).to_be_visible()
    page.get_by_role("link", name=t("See mentors who speak one of yours")).click()
    expect(page.get_by_role("heading", name=t("Find a mentor"))).to_be_visible()
    screenshot(page, "back-to-the-directory")
