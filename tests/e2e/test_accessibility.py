"""Accessibility, checked by axe-core in the browser on every page a person goes through:
no serious or critical violation on the way in, through onboarding, finding a mentor,
goals, the review board, meetings and the account pages.

axe-core comes from npm (`npm ci`, which `make test` runs) and is evaluated in the page
through DevTools, which the site's Content-Security-Policy does not apply to: adding it
as a <script> tag would be the inline or outside script the policy forbids.
"""

import re
from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import timezone

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from goals import services
from goals.models import FitCheck, Goal, GoalStatus, Meeting
from goals.services import meetings
from matching.models import Mentorship
from matching.services import accept_request, send_request
from tests.e2e.test_mentoring_journey import REQUEST_MESSAGE, log_in, make_mentor
from tests.e2e.words import t
from tests.factories import PASSWORD, ProfileFactory, UserFactory, site_programme_admin
from tests.goals.conftest import metric_draft
from tests.helpers import totp_code

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def _axe_source() -> str:
    if not AXE_PATH.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE_PATH}). Run `npm ci` (or `make test`, which does) "
            "at the repository root to install the version pinned in package-lock.json.",
            pytrace=False,
        )
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page: Page, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # The library installs itself as window.axe; a new page needs it again.
        page.evaluate(_axe_source())
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    """Each violation's id, impact and help, with its first few elements and why they fail."""
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} [{v['impact']}] {v['help']} ({len(v['nodes'])} elements)")
        for node in v["nodes"][:3]:
            checks = node["any"] + node["all"] + node["none"]
            why = checks[0]["message"] if checks else ""
            lines.append(f"    {' '.join(node['target'])}: {why}")
    return "\n".join(lines)


class Audit:
    """Checks page after page and reports every page's violations at the end, so one run
    shows all there is to fix rather than only the first page."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}
        self.checked = 0

    def __call__(self, page: Page, path: str | None = None) -> None:
        """Open ``path`` (or stay on the current page) and check it."""
        if path is not None:
            response = page.goto(path)
            # A redirect (to the login page, say) would check some other page.
            assert response is not None and response.ok, f"{path}: {response and response.status}"
            assert urlsplit(page.url).path == urlsplit(path).path, f"{path} went to {page.url}"
        self.checked += 1
        violations = axe_violations(page)
        if violations:
            self.found[page.url] = describe(violations)

    def assert_clean(self) -> None:
        assert self.checked
        report = "\n".join(f"{url}\n{found}" for url, found in self.found.items())
        assert not self.found, f"serious or critical accessibility violations:\n{report}"


@pytest.fixture
def audit() -> Audit:
    return Audit()


def mentorship_between(mentee: User, mentor: User) -> Mentorship:
    request = send_request(
        mentee=mentee,
        mentor_enrollment=mentor.enrollments.get(role="mentor"),
        message=REQUEST_MESSAGE,
    )
    return accept_request(request=request, by=mentor)


def log_in_to(page: Page, email: str) -> None:
    """Log in without expecting the dashboard: newcomers land on onboarding."""
    page.goto(reverse("account_login"))
    page.get_by_label(t("Email")).fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=t("Sign In")).click()
    page.wait_for_load_state()


def test_public_pages_are_accessible(page: Page, audit: Audit) -> None:
    audit(page, "/")
    audit(page, reverse("account_signup"))
    # The same form after a rejected submit, with its errors next to the fields.
    page.get_by_role("button", name="Sign Up").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit(page)
    audit(page, reverse("account_login"))
    audit(page, reverse("account_reset_password"))
    audit.assert_clean()


def test_onboarding_steps_are_accessible(page: Page, audit: Audit) -> None:
    newcomer = UserFactory()
    log_in_to(page, newcomer.email)
    expect(page).to_have_url(re.compile(r"/onboarding/role/$"))
    audit(page)
    page.get_by_label("I want a mentor to help me grow").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/onboarding/about/$"))
    audit(page)
    # Sent empty, the step explains every missing answer: that state must be readable too.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit(page)
    # The skills step needs the essentials, which the factory fills in.
    ProfileFactory(user=UserFactory(email="skills@example.org"), onboarded_at=None)
    page.context.clear_cookies()
    log_in_to(page, "skills@example.org")
    expect(page).to_have_url(re.compile(r"/onboarding/skills/$"))
    audit(page)
    audit.assert_clean()


def test_mentee_and_mentor_pages_are_accessible(
    page: Page, second_page: Page, audit: Audit
) -> None:
    mentee = ProfileFactory(user__email="ada@example.org", wants_mentoring=True).user
    mentor = make_mentor(
        "Marta Kowalska", "marta@example.org", "System design", headline="Principal engineer"
    )
    olu = make_mentor("Olu Adeyemi", "olu@example.org", "Marketing", is_accepting_requests=False)
    enrollment = mentor.enrollments.get(role="mentor")
    log_in(page, mentee.email, PASSWORD)

    audit(page)  # the mentee's dashboard
    audit(page, reverse("matching:directory"))
    audit(page, reverse("matching:directory") + "?q=engineer&free_only=on&sort=fit")
    audit(page, reverse("matching:mentor-detail", args=[olu.enrollments.get(role="mentor").pk]))
    audit(page, reverse("matching:mentor-detail", args=[enrollment.pk]))
    # The request form, rejected for a message too short.
    page.get_by_label("Your message").fill("Too short.")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#div_id_message .invalid-feedback")).to_be_visible()
    audit(page)
    request = send_request(mentee=mentee, mentor_enrollment=enrollment, message=REQUEST_MESSAGE)
    audit(page, request.get_absolute_url())
    audit(page, reverse("matching:requests"))
    audit(page, reverse("matching:cohorts"))
    audit(page, reverse("profiles:detail"))
    audit(page, reverse("profiles:edit"))
    audit(page, reverse("profiles:email-settings"))
    audit(page, reverse("privacy-data"))
    audit(page, reverse("privacy-delete"))

    # The mentor, with the request waiting for an answer.
    log_in(second_page, mentor.email, PASSWORD)
    audit(second_page)  # the mentor's dashboard
    audit(second_page, reverse("matching:requests"))
    audit(second_page, request.get_absolute_url())
    audit.assert_clean()


def test_goal_and_meeting_pages_are_accessible(page: Page, second_page: Page, audit: Audit) -> None:
    mentee = ProfileFactory(user__email="ada@example.org", wants_mentoring=True).user
    mentor = ProfileFactory(
        user__email="grace@example.org", wants_mentoring=False, wants_to_mentor=True
    ).user
    mentorship = mentorship_between(mentee, mentor)
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=metric_draft())
    goal = services.submit_goal(goal=goal, by=mentee)
    goal = services.review_goal(goal=goal, by=mentor, approve=True)
    services.log_progress(goal=goal, by=mentee, value=Decimal(26), note="First survey back.")
    waiting = services.save_goal(
        mentorship=mentorship, by=mentee, draft=metric_draft(title="Improve NPS from 40 to 50")
    )
    services.submit_goal(goal=waiting, by=mentee)
    meeting = meetings.schedule_meeting(
        mentorship=mentorship,
        by=mentor,
        starts_at=(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0),
        duration_minutes=45,
        format="video",
        location="https://meet.example.org/abc",
        agenda="Your talk outline.",
    )
    past = meetings.schedule_meeting(
        mentorship=mentorship,
        by=mentee,
        starts_at=(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0),
        duration_minutes=30,
        format="phone",
    )
    Meeting.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    meetings.add_note(meeting=past, by=mentee, body="We picked a topic.")
    meetings.add_action_item(meeting=past, by=mentee, owner=mentee, title="Write the outline")
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.IN_PROGRESS

    log_in(page, mentee.email, PASSWORD)
    audit(page)  # the mentee's dashboard, with a mentor and goals
    audit(page, mentorship.get_absolute_url())
    audit(page, reverse("goals:create", args=[mentorship.pk]))
    # A vague goal, coached next to its fields.
    page.get_by_label("Title").fill("get better")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit(page)
    audit(page, reverse("goals:detail", args=[goal.pk]))
    expect(page.locator("svg.progress-chart")).to_be_visible()
    audit(page, reverse("goals:edit", args=[waiting.pk]))
    audit(page, reverse("goals:meeting-list", args=[mentorship.pk]))
    audit(page, reverse("goals:meeting-create", args=[mentorship.pk]))
    audit(page, reverse("goals:meeting-log", args=[mentorship.pk]))
    # A future date refused next to the field, and the action form open after logging.
    page.get_by_label("Date").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit(page)
    audit(page, f"{past.get_absolute_url()}?follow_up=1")
    audit(page, meeting.get_absolute_url())
    audit(page, past.get_absolute_url())

    log_in(second_page, mentor.email, PASSWORD)
    audit(second_page)  # the mentor's dashboard, with a mentee
    audit(second_page, reverse("goals:review-board"))
    audit(second_page, reverse("goals:detail", args=[waiting.pk]))
    audit(second_page, reverse("goals:meeting-edit", args=[meeting.pk]))
    audit(second_page, reverse("profiles:role"))
    audit.assert_clean()


def test_preference_window_pages_are_accessible(page: Page, audit: Audit) -> None:
    from matching.services import default_cohort
    from matching.services.preferences import add_preference
    from matching.services.suggestions import recompute_suggestions
    from tests.e2e.test_preference_journey import community, open_window

    priya, mentors = community()
    cohort = default_cohort()
    open_window(cohort)
    recompute_suggestions(cohort=cohort)
    chooser = priya.enrollments.get(role="mentee")
    log_in(page, priya.email, PASSWORD)
    audit(page)  # the dashboard, with its invitation to choose
    audit(page, reverse("matching:choices", args=[chooser.pk]))  # nobody chosen yet
    marta = mentors["marta"].enrollments.get(role="mentor")
    add_preference(chooser=chooser, chosen=marta, by=priya)
    add_preference(chooser=chooser, chosen=mentors["olu"].enrollments.get(role="mentor"), by=priya)
    audit(page, reverse("matching:choices", args=[chooser.pk]))  # a list to reorder
    audit(page, reverse("matching:mentor-detail", args=[marta.pk]))  # "your 1st choice"
    kenji = mentors["kenji"].enrollments.get(role="mentor")
    audit(page, reverse("matching:mentor-detail", args=[kenji.pk]))  # "Add to my choices"
    audit.assert_clean()


def test_fit_check_pages_are_accessible(page: Page, audit: Audit) -> None:
    mentee = ProfileFactory(user__email="ada@example.org", wants_mentoring=True).user
    mentor = ProfileFactory(
        user__email="grace@example.org", wants_mentoring=False, wants_to_mentor=True
    ).user
    mentorship = mentorship_between(mentee, mentor)
    check = FitCheck.objects.create(
        mentorship=mentorship, person=mentee, kind="fit", due_on=timezone.localdate()
    )

    log_in(page, mentee.email, PASSWORD)
    audit(page, mentorship.get_absolute_url())  # with the "Is this working?" prompt
    audit(page, check.get_absolute_url() + "?answer=poor_fit")
    # Refused without an answer, explained next to the field.
    page.goto(check.get_absolute_url())
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit(page)
    # Answered "Not a good fit": the kind ending is offered.
    page.get_by_role("radio", name="Not a good fit").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("region", name="End the mentorship kindly")).to_be_visible()
    audit(page)
    audit.assert_clean()


def test_language_states_are_accessible(page: Page, audit: Audit) -> None:
    """The directory with everyone shown (mentors she shares no language with say so)
    and the page of a mentor she cannot ask for want of a shared language."""
    mentee = ProfileFactory(
        user__email="emma@example.org", wants_mentoring=True, languages=["en"]
    ).user
    make_mentor("Marta Kowalska", "marta@example.org", "System design", languages=["en"])
    wei = make_mentor("Wei Chen", "wei@example.org", "System design", languages=["zh"])
    log_in(page, mentee.email, PASSWORD)

    audit(page, reverse("matching:directory") + "?filtered=1")
    expect(page.get_by_text("No language in common: they speak Chinese")).to_be_visible()
    audit(page, reverse("matching:mentor-detail", args=[wei.enrollments.get(role="mentor").pk]))
    expect(page.get_by_text(re.compile(r"You can't ask Wei Chen"))).to_be_visible()


@pytest.mark.parametrize("journey_language", ["de"])
def test_german_pages_are_accessible(page: Page, second_page: Page, audit: Audit) -> None:
    """The pages people spend most time on, in German: longer words, other labels, the
    page's language said in its markup."""
    mentee = ProfileFactory(user__email="ada@example.org", wants_mentoring=True).user
    mentor = make_mentor(
        "Marta Kowalska", "marta@example.org", "System design", headline="Principal engineer"
    )
    make_mentor("Olu Adeyemi", "olu@example.org", "Marketing", is_accepting_requests=False)
    mentorship = mentorship_between(mentee, mentor)
    goal = services.save_goal(mentorship=mentorship, by=mentee, draft=metric_draft())
    goal = services.submit_goal(goal=goal, by=mentee)
    goal = services.review_goal(goal=goal, by=mentor, approve=True)
    services.log_progress(goal=goal, by=mentee, value=Decimal(26), note="First survey back.")

    log_in(page, mentee.email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    audit(page)  # the mentee's dashboard, with a mentor and a goal
    audit(page, reverse("goals:detail", args=[goal.pk]))
    expect(page.locator("svg.progress-chart")).to_be_visible()
    audit(page, reverse("matching:directory"))

    # The programme admin of the cohort, at the admin's home.
    admin = site_programme_admin(mentorship.cohort)
    log_in_to(second_page, admin.email)
    second_page.get_by_label(t("Code")).fill(totp_code())
    second_page.get_by_role("button", name=t("Sign In")).click()
    expect(second_page).to_have_url(re.compile(r"/dashboard/$"))
    audit(second_page, reverse("admin:index"))
    expect(second_page.get_by_role("heading", name=t("Your running programmes"))).to_be_visible()
    expect(second_page.locator("html")).to_have_attribute("lang", "de")
    audit.assert_clean()
