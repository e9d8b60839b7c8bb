"""A newcomer's first visit, told through the browser: landing, sign-up, verification,
onboarding and the dashboard; and a returning mentor who logs in and out again."""

import re
from collections.abc import Callable
from pathlib import Path

from django.core import mail

from playwright.sync_api import Page, expect

from accounts.models import User
from profiles.models import Profile, Skill, SkillKind

NEW_PASSWORD = "correct-horse-battery-staple"
Screenshot = Callable[[Page, str], Path]

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def sign_in(page: Page, *, email: str, password: str) -> None:
    """Fill and send the login form on the current page."""
    page.get_by_label("Email").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_newcomer_signs_up_verifies_and_onboards_as_mentee(
    page: Page, screenshot: Screenshot
) -> None:
    page.goto("/")
    expect(
        page.get_by_role("heading", name="Find a mentor who has walked the path you want to take.")
    ).to_be_visible()
    screenshot(page, "landing")

    page.get_by_role("link", name="Join as a mentee or mentor").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    # The live server runs in this process, so its mail lands in this outbox.
    assert mail.outbox, "no verification email was sent"
    verification = mail.outbox[-1]
    assert verification.to == ["ada@example.org"]
    link = CONFIRM_LINK.search(verification.body)
    assert link, f"no confirmation link in:\n{verification.body}"
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirm").click()

    # Step 1: role.
    expect(page).to_have_url(re.compile(r"/onboarding/role/$"))
    expect(page.get_by_role("heading", name="What brings you here?")).to_be_visible()
    page.get_by_label("I want a mentor to help me grow").check()
    expect(page.get_by_label("I want to mentor others")).not_to_be_checked()
    page.get_by_role("button", name="Continue").click()

    # Step 2: about you.
    expect(page).to_have_url(re.compile(r"/onboarding/about/$"))
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Headline").fill("Analyst moving into machine learning")
    page.get_by_label("Current role").fill("Data analyst")
    page.get_by_label("Industry").select_option(label="Research & academia")
    page.get_by_label("Years of experience").fill("4")
    page.get_by_label("Career stage").select_option(label="Mid-level (3–8 years)")
    page.get_by_label("English", exact=True).check()
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_label("Hours per month").fill("6")
    page.get_by_label("Video call").check()
    page.get_by_label("Where do you want your career to go?").fill(
        "Lead a small machine learning team within two years."
    )
    screenshot(page, "onboarding-about")
    page.get_by_role("button", name="Continue").click()

    # Step 3: skills, one from the vocabulary and one nobody has named before.
    expect(page).to_have_url(re.compile(r"/onboarding/skills/$"))
    page.get_by_label("Skill 1", exact=True).fill("Public speaking")
    page.get_by_label("Skill 2", exact=True).fill("Kotlin multiplatform")
    rows = page.locator("fieldset[data-prefix='learn'] .skill-row")
    shown = rows.count()
    page.get_by_role("button", name="Add another skill").click()
    expect(rows).to_have_count(shown + 1)
    added = page.get_by_label(f"Skill {shown + 1}", exact=True)
    expect(added).to_be_focused()
    expect(added).to_have_value("")
    page.get_by_role("button", name="Finish").click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", name="Welcome, Ada Lovelace")).to_be_visible()
    journey = page.get_by_role("region", name="Your mentoring journey")
    expect(journey).to_contain_text("Public speaking")
    expect(journey).to_contain_text("Kotlin multiplatform")
    expect(page.get_by_role("heading", name="Mentoring others")).to_have_count(0)
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


def test_mentor_logs_in_to_dashboard_and_logs_out(page: Page, mentor: User, password: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    sign_in(page, email=mentor.email, password=password)

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    name = mentor.profile.display_name
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    mentoring = page.get_by_role("region", name="Mentoring others")
    expect(mentoring).to_be_visible()
    expect(mentoring).to_contain_text("Python")

    page.get_by_role("navigation", name="Main").get_by_role("button", name=name).click()
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page.get_by_role("alert")).to_contain_text("You have signed out.")
    expect(page.get_by_role("link", name="Join as a mentee or mentor")).to_be_visible()
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_rejected_about_form_explains_and_keeps_what_was_typed(
    page: Page, newcomer: User, password: str
) -> None:
    page.goto("/accounts/login/")
    sign_in(page, email=newcomer.email, password=password)
    expect(page).to_have_url(re.compile(r"/onboarding/role/$"))
    page.get_by_label("I want a mentor to help me grow").check()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/onboarding/about/$"))
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Headline").fill("Compiler pioneer learning to lead")
    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_role("button", name="Continue").click()

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
    expect(page.get_by_label("Your name")).to_have_value("Grace Hopper")
    expect(page.get_by_label("Headline")).to_have_value("Compiler pioneer learning to lead")
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    expect(page.locator("#div_id_display_name .invalid-feedback")).to_have_count(0)
    assert Profile.objects.get(user=newcomer).essentials_done_at is None
