"""A mentee finds a mentor, told through the browser: the filtered directory, a request,
a question and answer between both sides, the mentor's accept and the introductions
it sends; and a request too short to send, explained without losing what was typed."""

import re
from collections.abc import Callable
from pathlib import Path

from django.core import mail
from django.utils.html import strip_tags

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from core.outbox.models import OutboxEmail
from matching.models import MentorshipRequest
from profiles.models import SkillKind, SkillLevel
from profiles.services import SkillEntry, set_skills
from tests.e2e.words import t, tc, tn
from tests.factories import PASSWORD, ProfileFactory

Screenshot = Callable[[Page, str], Path]

REQUEST_MESSAGE = (
    "I lead a small backend team and our services keep outgrowing their first design. "
    "Your years on distributed systems at scale are exactly what I hope to learn from."
)
FIRST_GOAL = "Run a design review of our order service by the end of the quarter"
QUESTION = "Happy to help. Which part of the order service worries you most right now?"
ANSWER = "The checkout path: it calls five services in a row and times out under load."


def person(
    *,
    name: str,
    email: str,
    kind: SkillKind,
    skill: str,
    mentors: bool,
    **profile: object,
) -> User:
    """An onboarded person in the Community programme, who teaches or wants to learn ``skill``."""
    created = ProfileFactory(
        user__email=email,
        display_name=name,
        wants_to_mentor=mentors,
        wants_mentoring=not mentors,
        **profile,
    )
    # Mentors teach what they know well; mentees start out knowing a little.
    level = SkillLevel.EXPERT if mentors else SkillLevel.BASIC
    set_skills(profile=created, kind=kind, entries=[SkillEntry(skill, level)])
    return created.user


def make_mentor(name: str, email: str, skill: str, **profile: object) -> User:
    return person(
        name=name, email=email, kind=SkillKind.EXPERTISE, skill=skill, mentors=True, **profile
    )


def log_in(page: Page, email: str, password: str) -> None:
    """Sign in through the login page, as anyone coming back to the site does."""
    page.goto("/accounts/login/")
    page.get_by_label(t("Email")).fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name=t("Sign In")).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name=tc("navigation landmark", "Main"))


def send_message(page: Page, body: str) -> None:
    """Write in a request's conversation and send it."""
    # Crispy marks the required field with an asterisk, which is part of its name.
    page.get_by_role("textbox", name=re.compile(rf"^{re.escape(t('Message'))}\b")).fill(body)
    page.get_by_role("button", name=t("Send message")).click()
    expect(page.get_by_role("alert").filter(has_text=t("Message sent."))).to_be_visible()


def thread(page: Page) -> Locator:
    return page.get_by_role("region", name=t("Conversation"))


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_mentee_finds_a_mentor_who_asks_a_question_then_accepts(
    page: Page, second_page: Page, screenshot: Screenshot, journey_language: str
) -> None:
    # Both use the site in the journey's language, and chose it for their emails too.
    priya = person(
        name="Priya Raman",
        email="priya@example.org",
        kind=SkillKind.LEARN,
        skill="System design",
        mentors=False,
        headline="Backend developer growing into architecture",
        industry="software",
        time_zone="Europe/London",
        years_experience=4,
        user__language=journey_language,
    )
    marta = make_mentor(
        "Marta Kowalska",
        "marta@example.org",
        "System design",
        headline="Principal engineer, distributed systems",
        industry="software",
        time_zone="Europe/Berlin",
        years_experience=15,
        user__language=journey_language,
    )
    make_mentor(
        "Kenji Watanabe",
        "kenji@example.org",
        "Marketing",
        headline="Brand director for consumer apps",
        industry="media",
        time_zone="Asia/Tokyo",
        years_experience=12,
    )
    make_mentor(
        "Olu Adeyemi",
        "olu@example.org",
        "System design",
        headline="Staff engineer, payments platform",
        industry="software",
        time_zone="Africa/Lagos",
        years_experience=10,
        is_accepting_requests=False,
    )

    # Priya looks for someone who can teach system design and has room for her.
    log_in(page, priya.email, PASSWORD)
    main_nav(page).get_by_role("link", name=t("Find a mentor")).click()
    expect(page.get_by_role("heading", name=t("Find a mentor"))).to_be_visible()
    filters = page.get_by_role("search", name=t("Filter mentors"))
    filters.get_by_role("combobox", name=t("Skills")).fill("system")
    filters.get_by_role("option", name="System design").click()
    filters.get_by_label(t("Has a free place")).check()
    filters.get_by_role("button", name=t("Apply filters")).click()

    mentors = page.get_by_role("region", name=t("Mentors"))
    expect(mentors.get_by_role("link", name="Marta Kowalska")).to_be_visible()
    expect(mentors.get_by_role("link", name="Kenji Watanabe")).to_have_count(0)
    expect(mentors.get_by_role("link", name="Olu Adeyemi")).to_have_count(0)
    expect(page.get_by_text(tn("%(counter)s match.", "%(counter)s matches.", 1))).to_be_visible()
    # The filters she chose are still chosen after the page reloads.
    expect(filters.get_by_label(t("Has a free place"))).to_be_checked()
    screenshot(page, "directory-filtered")

    # She asks Marta.
    mentors.get_by_role("link", name="Marta Kowalska").click()
    expect(page.get_by_role("heading", name="Marta Kowalska", exact=True)).to_be_visible()
    page.get_by_label(t("Your message")).fill(REQUEST_MESSAGE)
    page.get_by_label(t("A first goal idea (optional)")).fill(FIRST_GOAL)
    page.get_by_role("button", name=t("Send request")).click()

    expect(page).to_have_url(re.compile(r"/requests/\d+/$"))
    expect(
        page.get_by_role("heading", name=t("Your request to %(name)s", name="Marta Kowalska"))
    ).to_be_visible()
    expect(page.get_by_text(t("Waiting for the mentor"))).to_be_visible()
    expect(page.get_by_text(FIRST_GOAL)).to_be_visible()
    screenshot(page, "request-sent")
    request_url = page.url

    # Marta sees she has a request waiting, and asks a question before deciding.
    log_in(second_page, marta.email, PASSWORD)
    requests_link = main_nav(second_page).get_by_role(
        "link", name=re.compile(rf"^{re.escape(t('Requests'))}")
    )
    expect(requests_link.locator(".badge")).to_have_text("1")
    requests_link.click()
    second_page.get_by_role("link", name="Priya Raman").click()
    expect(
        second_page.get_by_role(
            "heading", name=t("%(name)s would like you as a mentor", name="Priya Raman")
        )
    ).to_be_visible()
    expect(second_page.get_by_text(REQUEST_MESSAGE)).to_be_visible()
    send_message(second_page, QUESTION)
    expect(thread(second_page)).to_contain_text(QUESTION)

    # Priya comes back to her request and answers.
    page.reload()
    expect(thread(page)).to_contain_text(QUESTION)
    send_message(page, ANSWER)
    expect(thread(page)).to_contain_text(ANSWER)

    # Marta reads the answer and accepts.
    second_page.reload()
    expect(thread(second_page)).to_contain_text(ANSWER)
    second_page.get_by_role("button", name=t("Accept and introduce us")).click()

    expect(second_page).to_have_url(re.compile(r"/mentorships/\d+/$"))
    expect(
        second_page.get_by_role("heading", name=t("Mentoring %(name)s", name="Priya Raman"))
    ).to_be_visible()
    expect(second_page.get_by_role("link", name=priya.email)).to_be_visible()
    screenshot(second_page, "mentorship")

    # Both were introduced by email, once each and in their language, and every email went out.
    meet = {
        marta.email: t("Meet %(name)s, your new mentee", name="Priya Raman"),
        priya.email: t("Meet %(name)s, your new mentor", name="Marta Kowalska"),
    }
    introductions = [m for m in mail.outbox if m.subject.endswith(tuple(meet.values()))]
    assert sorted(m.to[0] for m in introductions) == [marta.email, priya.email], [
        (m.to, m.subject) for m in mail.outbox
    ]
    assert all(len(m.to) == 1 and m.subject.endswith(meet[m.to[0]]) for m in introductions)
    intro_rows = OutboxEmail.objects.filter(template="introduction")
    assert intro_rows.count() == 2
    assert all(row.sent_at for row in intro_rows)
    # The question and the answer each told the other side by email.
    message_rows = OutboxEmail.objects.filter(template="request_message")
    assert sorted(row.to[0] for row in message_rows) == [marta.email, priya.email]
    assert all(row.sent_at for row in message_rows)
    wrote = {
        marta.email: t("%(author)s wrote about your mentoring request", author="Priya Raman"),
        priya.email: t("%(author)s wrote about your mentoring request", author="Marta Kowalska"),
    }
    conversation = [m for m in mail.outbox if m.subject.endswith(tuple(wrote.values()))]
    assert sorted(m.to[0] for m in conversation) == [marta.email, priya.email]
    assert all(m.subject.endswith(wrote[m.to[0]]) for m in conversation)

    # Priya's request and dashboard show she has a mentor now.
    page.goto(request_url)
    accepted = t('Accepted! <a href="%(url)s">Go to your mentorship</a>.', url="")
    expect(page.get_by_text(strip_tags(accepted))).to_be_visible()
    main_nav(page).get_by_role("link", name=t("Dashboard")).click()
    journey = page.get_by_role("region", name=t("Your mentoring journey"))
    expect(journey.get_by_text(t("Your mentor: %(name)s", name="Marta Kowalska"))).to_be_visible()
    screenshot(page, "dashboard")


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_too_short_request_is_explained_and_keeps_what_was_typed(
    page: Page, screenshot: Screenshot
) -> None:
    priya = person(
        name="Priya Raman",
        email="priya@example.org",
        kind=SkillKind.LEARN,
        skill="System design",
        mentors=False,
    )
    marta = make_mentor("Marta Kowalska", "marta@example.org", "System design")
    enrollment = marta.enrollments.get()

    log_in(page, priya.email, PASSWORD)
    page.goto(f"/mentors/{enrollment.pk}/")
    short = "Hi Marta, could you mentor me?"
    page.get_by_label(t("Your message")).fill(short)
    page.get_by_label(t("A first goal idea (optional)")).fill(FIRST_GOAL)
    page.get_by_role("button", name=t("Send request")).click()

    hint = page.locator("#div_id_message .invalid-feedback")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text(
        t(
            "Tell them a bit more: at least %(limit_value)d characters (you have %(show_value)d).",
            limit_value=80,
            show_value=len(short),
        )
    )
    expect(page.get_by_label(t("Your message"))).to_have_value(short)
    expect(page.get_by_label(t("A first goal idea (optional)"))).to_have_value(FIRST_GOAL)
    screenshot(page, "request-too-short")
    assert not MentorshipRequest.objects.exists()
