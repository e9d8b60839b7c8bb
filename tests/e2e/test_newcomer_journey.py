"""A newcomer's first visit, told through the browser: landing, sign-up, verification,
onboarding and the dashboard; and a returning mentor who logs in and out again."""

import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.utils.text import capfirst

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from profiles.models import Profile, Skill, SkillKind
from tests.e2e.words import t, tc

NEW_PASSWORD = "correct-horse-battery-staple"
Screenshot = Callable[[Page, str], Path]

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def sign_in(page: Page, *, email: str, password: str) -> None:
    """Fill and send the login form on the current page."""
    page.get_by_label(t("Email")).fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name=t("Sign In")).click()


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name=tc("navigation landmark", "Main"))


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_newcomer_signs_up_verifies_and_onboards_as_mentee(
    page: Page, screenshot: Screenshot, journey_language: str
) -> None:
    page.goto("/")
    expect(
        page.get_by_role(
            "heading", name=t("Find a mentor who has walked the path you want to take.")
        )
    ).to_be_visible()
    screenshot(page, "landing")

    page.get_by_role("link", name=t("Join as a mentee or mentor")).click()
    page.get_by_label(t("Email")).fill("ada@example.org")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Sign Up")).click()
    expect(page.get_by_role("heading", name=t("Verify Your Email Address"))).to_be_visible()

    # The live server runs in this process, so its mail lands in this outbox.
    assert mail.outbox, "no verification email was sent"
    verification = mail.outbox[-1]
    assert verification.to == ["ada@example.org"]
    # It speaks the language of the page she signed up on.
    assert t("Please Confirm Your Email Address") in verification.subject
    link = CONFIRM_LINK.search(verification.body)
    assert link, f"no confirmation link in:\n{verification.body}"
    page.goto(link.group(0))
    page.get_by_role("button", name=t("Confirm")).click()

    # Step 1: role.
    expect(page).to_have_url(re.compile(r"/onboarding/role/$"))
    # Her account keeps the language she signed up in, and the welcome speaks it too.
    assert User.objects.get(email="ada@example.org").language == journey_language
    welcome = t("Welcome to %(site_name)s", site_name=settings.SITE_NAME)
    assert mail.outbox[-1].subject.endswith(welcome)
    expect(page.get_by_role("heading", name=t("What brings you here?"))).to_be_visible()
    page.get_by_label(t("I want a mentor to help me grow")).check()
    expect(page.get_by_label(t("I want to mentor others"))).not_to_be_checked()
    page.get_by_role("button", name=t("Continue")).click()

    # Step 2: about you.
    expect(page).to_have_url(re.compile(r"/onboarding/about/$"))
    page.get_by_label(t("Your name")).fill("Ada Lovelace")
    page.get_by_label(t("Headline")).fill("Analyst moving into machine learning")
    page.get_by_label(capfirst(t("current role"))).fill("Data analyst")
    page.get_by_label(t("Industry")).select_option(label=t("Research & academia"))
    page.get_by_label(capfirst(t("years of experience"))).fill("4")
    page.get_by_label(t("Career stage")).select_option(label=t("Mid-level (3–8 years)"))
    page.get_by_label(t("English"), exact=True).check()
    page.get_by_label(t("Time zone")).select_option("Europe/Lisbon")
    page.get_by_label(t("Hours per month")).fill("6")
    page.get_by_label(t("Video call")).check()
    page.get_by_label(t("Where do you want your career to go?")).fill(
        "Lead a small machine learning team within two years."
    )
    screenshot(page, "onboarding-about")
    page.get_by_role("button", name=t("Continue")).click()

    # Step 3: skills, one from the vocabulary and one nobody has named before.
    expect(page).to_have_url(re.compile(r"/onboarding/skills/$"))
    page.get_by_label(t("Skill %(number)s", number=1), exact=True).fill("Public speaking")
    page.get_by_label(t("Skill %(number)s", number=2), exact=True).fill("Kotlin multiplatform")
    rows = page.locator("fieldset[data-prefix='learn'] .skill-row")
    shown = rows.count()
    page.get_by_role("button", name=t("Add another skill")).click()
    expect(rows).to_have_count(shown + 1)
    added = page.get_by_label(t("Skill %(number)s", number=shown + 1), exact=True)
    expect(added).to_be_focused()
    expect(added).to_have_value("")
    page.get_by_role("button", name=t("Finish")).click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(
        page.get_by_role("heading", name=t("Welcome, %(name)s", name="Ada Lovelace"))
    ).to_be_visible()
    journey = page.get_by_role("region", name=t("Your mentoring journey"))
    expect(journey).to_contain_text("Public speaking")
    expect(journey).to_contain_text("Kotlin multiplatform")
    expect(page.get_by_role("heading", name=t("Mentoring others"))).to_have_count(0)
    screenshot(page, "dashboard")

    profile = Profile.objects.get(user__email="ada@example.org")
    assert profile.is_onboarded
    assert (profile.wants_mentoring, profile.wants_to_mentor) == (True, False)
    assert profile.time_zone == "Europe/Lisbon"
    assert list(profile.languages.values_list("code", flat=True)) == ["en"]
    learning = profile.skills.filter(kind=SkillKind.LEARN).values_list("skill__name", flat=True)
    assert sorted(learning) == ["Kotlin multiplatform", "Public speaking"]
    new_skill = Skill.objects.get(name__iexact="Kotlin multiplatform")
    assert not new_skill.is_curated


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_mentor_logs_in_to_dashboard_and_logs_out(page: Page, mentor: User, password: str) -> None:
    page.goto("/")
    main_nav(page).get_by_role("link", name=t("Sign in")).click()
    sign_in(page, email=mentor.email, password=password)

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    name = mentor.profile.display_name
    expect(page.get_by_role("heading", name=t("Welcome, %(name)s", name=name))).to_be_visible()
    mentoring = page.get_by_role("region", name=t("Mentoring others"))
    expect(mentoring).to_be_visible()
    expect(mentoring).to_contain_text("Python")

    main_nav(page).get_by_role("button", name=name).click()
    page.get_by_role("button", name=t("Sign out")).click()

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_role("alert")).to_contain_text(t("You have signed out."))
    expect(page.get_by_role("link", name=t("Join as a mentee or mentor"))).to_be_visible()
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_rejected_about_form_explains_and_keeps_what_was_typed(
    page: Page, newcomer: User, password: str
) -> None:
    page.goto("/accounts/login/")
    sign_in(page, email=newcomer.email, password=password)
    expect(page).to_have_url(re.compile(r"/onboarding/role/$"))
    page.get_by_label(t("I want a mentor to help me grow")).check()
    page.get_by_role("button", name=t("Continue")).click()

    expect(page).to_have_url(re.compile(r"/onboarding/about/$"))
    page.get_by_label(t("Your name")).fill("Grace Hopper")
    page.get_by_label(t("Headline")).fill("Compiler pioneer learning to lead")
    page.get_by_label(t("Time zone")).select_option("America/New_York")
    page.get_by_role("button", name=t("Continue")).click()

    # Still on step 2, with every missing answer explained next to its field.
    expect(page).to_have_url(re.compile(r"/onboarding/about/$"))
    for field in [
        "job_title",
        "industry",
        "years_experience",
        "career_stage",
        "hours_per_month",
        "career_goals",
        "languages",
    ]:
        expect(page.locator(f"#div_id_{field} .invalid-feedback")).to_be_visible()
    expect(page.get_by_label(t("Your name"))).to_have_value("Grace Hopper")
    expect(page.get_by_label(t("Headline"))).to_have_value("Compiler pioneer learning to lead")
    expect(page.get_by_label(t("Time zone"))).to_have_value("America/New_York")
    expect(page.locator("#div_id_display_name .invalid-feedback")).to_have_count(0)
    assert Profile.objects.get(user=newcomer).essentials_done_at is None
