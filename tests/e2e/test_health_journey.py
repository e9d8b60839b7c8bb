"""A pair that does not click, told through the browser: two weeks in, the mentee opens
"Not a good fit" from the fit-check email, confirms it, ends the mentorship kindly and
finds mentors suggested to her again; the programme team hears of it once."""

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.utils import timezone

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from goals.models import CheckAnswer, FitCheck
from goals.services import health
from matching.models import Mentorship, MentorshipStatus
from profiles.models import SkillKind
from tests.e2e.test_mentoring_journey import log_in, make_mentor, person
from tests.e2e.words import t
from tests.factories import PASSWORD, UserFactory, mentorship_between
from tests.helpers import emails

Screenshot = Callable[[Page, str], Path]


def _link(body: str, label: str) -> str:
    """The path of the email's link after ``label:``."""
    found = re.search(rf"^{re.escape(label)}: (\S+)$", body, re.M)
    assert found, body
    url = urlsplit(found[1])
    return f"{url.path}?{url.query}"


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_mentee_says_not_a_good_fit_ends_kindly_and_sees_suggestions_again(
    page: Page, screenshot: Screenshot, journey_language: str
) -> None:
    priya = person(
        name="Priya Raman",
        email="priya@example.org",
        kind=SkillKind.LEARN,
        skill="System design",
        mentors=False,
        headline="Backend developer growing into architecture",
    )
    marta = make_mentor("Marta Kowalska", "marta@example.org", "System design")
    make_mentor("Kenji Watanabe", "kenji@example.org", "System design")
    # Priya reads the site, and her email, in the journey's language.
    User.objects.filter(pk=priya.pk).update(language=journey_language)
    mentorship = mentorship_between(priya, marta)
    Mentorship.objects.filter(pk=mentorship.pk).update(
        started_at=timezone.now() - timedelta(days=15)
    )
    admin = UserFactory(is_staff=True, email="lead@example.org")
    mentorship.cohort.admins.add(admin)

    assert health.send_fit_checks() == 2
    [email] = [e for e in emails("fit_check") if e.to == [priya.email]]
    # The question reaches her in her language.
    assert email.subject.endswith(
        t("Is your mentorship with %(other)s working?", other="Marta Kowalska")
    )

    log_in(page, priya.email, PASSWORD)
    # The question also waits on the mentorship page.
    page.goto(mentorship.get_absolute_url())
    prompt = page.get_by_role("region", name=t("Is this working?"))
    expect(prompt.get_by_role("link", name=t("Not a good fit"))).to_be_visible()
    screenshot(page, "prompt-on-mentorship-page")

    page.goto(_link(email.body_text, t("Not a good fit")))
    expect(page.get_by_role("heading", name=t("Is this working?"))).to_be_visible()
    expect(page.get_by_role("radio", name=t("Not a good fit"))).to_be_checked()
    # Opening the link answered nothing yet.
    assert not FitCheck.objects.get(person=priya).is_answered
    screenshot(page, "confirm-answer")

    page.get_by_label(t("Anything to add? (optional)")).fill("We want different things.")
    page.get_by_role("button", name=t("Send my answer")).click()
    expect(
        page.get_by_role("alert").filter(has_text=t("Thank you for your answer."))
    ).to_be_visible()
    ending = page.get_by_role("region", name=t("End the mentorship kindly"))
    expect(ending).to_be_visible()
    assert FitCheck.objects.get(person=priya).answer == CheckAnswer.POOR_FIT
    assert [e.to for e in emails("fit_concern")] == [[admin.email]]
    screenshot(page, "offer-to-end")

    # The ending form comes filled in with a kind reason; she keeps it.
    expect(ending.get_by_label(t("It's ending early"))).to_be_checked()
    ending.get_by_role("button", name=t("End mentorship")).click()
    expect(
        page.get_by_text(t("The mentorship has ended. Please leave a short feedback."))
    ).to_be_visible()
    mentorship.refresh_from_db()
    assert mentorship.status == MentorshipStatus.ENDED_EARLY
    assert mentorship.end_reason == t("It wasn't a good fit for us. Thank you for your time.")
    screenshot(page, "ended")

    # Her search is open again: the dashboard suggests another mentor.
    page.goto("/dashboard/")
    expect(page.get_by_text(t("Suggested for you"))).to_be_visible()
    expect(page.get_by_role("link", name="Kenji Watanabe")).to_be_visible()
    screenshot(page, "suggestions-again")
