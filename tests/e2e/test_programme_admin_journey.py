"""A programme admin runs a cohort from the admin, told through the browser: a CSV of
participants is imported with a preview, invitations go out and are accepted, optimal
matching runs, the draft is reviewed (a mentor changed by typing a name), compared with a
stable run of the same cohort, and published,
and everyone matched receives their introduction email."""

import re
from collections import Counter
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

import pytest
from playwright.sync_api import Page, expect

from accounts.middleware import SET_UP_MESSAGE
from accounts.models import User
from matching.models import Cohort, Enrollment, MatchingMode, MatchRun, Mentorship
from profiles.models import SkillKind
from profiles.services import SkillEntry, set_skills
from programmes.groups import PROGRAMME_ADMIN_GROUP
from programmes.models import Invitation
from programmes.services.invitations import accept_invitation
from tests.e2e.test_mentoring_journey import log_in
from tests.e2e.words import t, tc, tn
from tests.factories import PASSWORD, ProfileFactory
from tests.helpers import totp_code

MENTORS = [("Ines Mentor", "ines@example.org"), ("Omar Mentor", "omar@example.org")]
MENTEES = [
    ("Lea Mentee", "lea@example.org"),
    ("Sam Mentee", "sam@example.org"),
    ("Kai Mentee", "kai@example.org"),
]


def _person(name: str, email: str, *, mentors: bool) -> None:
    profile = ProfileFactory(
        user__email=email,
        display_name=name,
        wants_to_mentor=mentors,
        wants_mentoring=not mentors,
        mentor_capacity=2,
        enrolled=False,
    )
    kind = SkillKind.EXPERTISE if mentors else SkillKind.LEARN
    set_skills(profile=profile, kind=kind, entries=[SkillEntry("Python", 3 if mentors else 1)])


def message(words: str, **values: str) -> str:
    """A message with a link in it as the admin reads it: the link's words without its
    markup, the ``{name}`` placeholders filled."""
    return re.sub(r"<[^>]+>", "", t(words)).format(**values)


def like(words: str, **values: object) -> re.Pattern[str]:
    """A message as a pattern: the ``%(name)s`` placeholders given in ``values`` filled
    in, the others (a score the engine works out) any text."""
    parts = re.split(r"%\((\w+)\)s", t(words))
    return re.compile(
        "".join(
            re.escape(part)
            if i % 2 == 0
            else re.escape(str(values[part]))
            if part in values
            else ".+?"
            for i, part in enumerate(parts)
        )
    )


def set_up_authenticator_for_the_admin(page: Page, admin_page: str) -> str:
    """The admin first asks for an authenticator app: copy its secret into the "app" and
    type the code it shows. Returns the secret."""
    page.goto(admin_page)
    expect(page.get_by_role("alert")).to_contain_text(str(SET_UP_MESSAGE))
    # allauth asks for the password again before a change to how one signs in.
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=t("Confirm")).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = page.get_by_label(t("Authenticator secret")).input_value()
    page.get_by_label(t("Authenticator code")).fill(totp_code(secret))
    page.get_by_role("button", name=t("Activate")).click()
    expect(page.get_by_role("heading", name=t("Recovery Codes"))).to_be_visible()
    return secret


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_signing_in_to_the_admin_asks_for_the_code(page: Page) -> None:
    admin = ProfileFactory(user__email="ana@example.org", user__is_staff=True).user
    page.goto("/accounts/login/")
    page.get_by_label(t("Email")).fill(admin.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=t("Sign In")).click()
    expect(page.get_by_role("heading", name=t("Two-Factor Authentication"))).to_be_visible()
    page.get_by_label(t("Code")).fill(totp_code())
    page.get_by_role("button", name=t("Sign In")).click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto("/admin/")
    expect(page.get_by_role("heading", name=t("Programme administration"))).to_be_visible()


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_an_admin_imports_matches_and_publishes_a_cohort(
    page: Page, screenshot, journey_language: str
) -> None:
    cohort = Cohort.objects.create(
        name="Spring 2027",
        slug="spring-2027",
        matching_mode=MatchingMode.ADMIN_ASSIGN,
        ends_on=timezone.localdate() + timedelta(days=180),
    )
    # A new programme admin: no authenticator app yet.
    admin = ProfileFactory(
        user__email="pat@example.org",
        user__is_staff=True,
        user__two_factor=False,
        display_name="Pat Admin",
    ).user
    # The admin reads the site in the journey's language, whatever the browser says.
    User.objects.filter(pk=admin.pk).update(language=journey_language)
    admin.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
    cohort.admins.add(admin)
    for name, email in MENTORS:
        _person(name, email, mentors=True)
    for name, email in MENTEES:
        _person(name, email, mentors=False)
    mail.outbox.clear()

    # Import: one bad row is shown next to its line, skipped on purpose.
    rows = ["email,name,role,capacity"]
    rows += [f"{email},{name},mentor,2" for name, email in MENTORS]
    rows += [f"{email},{name},mentee," for name, email in MENTEES]
    rows.append("not-an-email,Nobody,mentee,")
    log_in(page, admin.email, PASSWORD)
    set_up_authenticator_for_the_admin(page, "/admin/")
    screenshot(page, "two-factor-recovery-codes")
    # The admin's home is about their programmes; the cohort's page is one click away.
    page.goto("/admin/")
    expect(page.get_by_role("heading", name=t("Your running programmes"))).to_be_visible()
    screenshot(page, "admin-home")
    page.get_by_role("link", name="Spring 2027").click()
    expect(
        page.get_by_role("heading", name=t("How %(cohort)s is going", cohort="Spring 2027"))
    ).to_be_visible()
    page.get_by_role("link", name=t("Import participants"), exact=True).click()
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "spring.csv",
                "mimeType": "text/csv",
                "buffer": "\n".join(rows).encode(),
            }
        ]
    )
    page.get_by_role("button", name=t("Upload and preview")).click()
    expect(
        page.get_by_text(t("“%(email)s” is not a valid email address.", email="not-an-email"))
    ).to_be_visible()
    expect(
        page.get_by_role(
            "button", name=tn("Import %(counter)s person", "Import %(counter)s people", 5)
        )
    ).to_be_disabled()
    screenshot(page, "import-preview")
    page.get_by_role(
        "button",
        name=tn(
            "Skip the %(counter)s bad row and import %(valid_count)s",
            "Skip the %(counter)s bad rows and import %(valid_count)s",
            1,
            valid_count=5,
        ),
    ).click()
    expect(page.locator(".messagelist")).to_contain_text("5")
    invited = {m.to[0] for m in mail.outbox}
    assert invited == {email for _, email in MENTORS + MENTEES}

    # Everyone accepts; one of them through the link in their email.
    lea = Invitation.objects.get(email="lea@example.org")
    link = re.search(
        r"https?://\S+/invitations/\S+/",
        next(m.body for m in mail.outbox if m.to == ["lea@example.org"]),
    ).group(0)
    context = page.context.browser.new_context(
        base_url=page.url.split("/admin")[0], locale=journey_language
    )
    lea_page = context.new_page()
    log_in(lea_page, lea.email, PASSWORD)
    lea_page.goto(link.replace("http://testserver", ""))
    lea_page.get_by_role("button", name=t("Join %(cohort)s", cohort="Spring 2027")).click()
    expect(lea_page.get_by_text(re.compile("Spring 2027"))).to_be_visible()
    context.close()
    for invitation in Invitation.objects.exclude(pk=lea.pk):
        accept_invitation(invitation=invitation, user=User.objects.get(email=invitation.email))
    assert Enrollment.objects.filter(cohort=cohort, status="active").count() == 5

    # Optimal matching from the cohort's page, which opens the run's draft.
    page.goto(f"/admin/matching/cohort/{cohort.pk}/change/")
    screenshot(page, "cohort-page")
    page.get_by_role("button", name=t("Run optimal matching")).click()
    expect(page.locator(".messagelist")).to_contain_text(
        message(
            '{cohort}: {mode} matching started. <a href="{url}">Open the draft</a> to follow it.',
            cohort="Spring 2027",
            mode=tc("match mode in a sentence", "optimal"),
            url="",
        )
    )
    expect(page.get_by_text("Lea Mentee")).to_be_visible()
    # Each pair says why, in the admin's language.
    expect(page.locator("#pairs .reasons").first).to_contain_text(
        tn(
            "Shares %(shared)s of your %(total)s learning goal: %(skills)s",
            "Shares %(shared)s of your %(total)s learning goals: %(skills)s",
            1,
            shared=1,
            total=1,
            skills="Python",
        )
    )

    # One mentor has a place left: a pair of the other moves to them, found by typing.
    run = MatchRun.objects.get(cohort=cohort)
    load = Counter(run.pairs.values_list("mentor_enrollment__user__email", flat=True))
    (roomy,) = [email for _, email in MENTORS if load[email] < 2]
    moved = run.pairs.exclude(mentor_enrollment__user__email=roomy).first()
    row = page.locator("#pairs tbody tr").filter(has_text=moved.mentee_enrollment.user.email)
    box = row.get_by_label(t("New mentor (name or email)"))
    box.press_sequentially(roomy[:4], delay=50)
    # The page's script fills the suggestions from the run's mentors endpoint.
    expect(page.locator(f"#mentor-options option[value='{roomy}']")).to_have_count(1)
    box.fill(roomy)
    row.get_by_role("button", name=tc("change a pair", "Change")).click()
    expect(page.locator(".messagelist")).to_contain_text(
        like(
            "%(mentee)s now has the mentor %(mentor)s (score %(score)s).",
            mentee=moved.mentee_enrollment.user.get_full_name(),
            mentor=User.objects.get(email=roomy).get_full_name(),
        )
    )
    moved.refresh_from_db()
    assert moved.mentor_enrollment.user.email == roomy
    expect(row.locator(".reasons")).to_contain_text(t("Chosen by the programme team"))
    expect(page.locator("#metrics")).to_contain_text(
        t("%(percent)s%% (%(matched)s matched)", percent=100, matched=3)
    )
    screenshot(page, "match-run-review")
    optimal_url = page.url

    # A stable run of the same cohort, compared with the optimal draft before publishing.
    page.goto(f"/admin/matching/cohort/{cohort.pk}/change/")
    page.get_by_role("button", name=t("Run stable matching")).click()
    expect(page.locator(".messagelist")).to_contain_text(
        message(
            '{cohort}: {mode} matching started. <a href="{url}">Open the draft</a> to follow it.',
            cohort="Spring 2027",
            mode=tc("match mode in a sentence", "stable"),
            url="",
        )
    )
    stable = MatchRun.objects.get(cohort=cohort, mode="stable")
    expect(page.get_by_role("heading", name=t("Compare with"))).to_be_visible()
    page.locator("#compare-with").get_by_role(
        "link", name=re.compile(f"^{re.escape(t('Optimal (best total fit)'))}")
    ).click()
    expect(page.get_by_role("heading", name=t("Compare two match runs"))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/matchrun/{stable.pk}/compare/{run.pk}/$"))
    metrics = page.locator("#compare-metrics")
    expect(metrics.get_by_role("row", name=re.compile(f"^{t('Matched')}"))).to_contain_text("3")
    # The optimal draft was edited by hand, so the two runs differ in at least one pair.
    expect(page.locator("#compare-summary")).to_contain_text(t("Different mentor"))
    screenshot(page, "compare-runs")

    # The optimal draft is the one published.
    page.goto(optimal_url)
    mail.outbox.clear()
    page.get_by_role(
        "button",
        name=tn(
            "Publish %(count)s pair: create mentorships and send introductions",
            "Publish %(count)s pairs: create mentorships and send introductions",
            3,
        ),
    ).click()
    expect(page.locator(".messagelist")).to_contain_text(
        tn(
            "Published: %(count)s mentorship created, introductions on their way.",
            "Published: %(count)s mentorships created, introductions on their way.",
            3,
        )
    )

    # Everyone matched hears about it, once.
    assert Mentorship.objects.filter(cohort=cohort, status="active").count() == 3
    introduced = sorted(address for m in mail.outbox for address in m.to)
    matched = {email for _, email in MENTEES}
    assert matched <= set(introduced)
    assert all(introduced.count(email) == 1 for email in matched)

    # The report shows the cohort as it now stands.
    page.goto(f"/admin/matching/cohort/{cohort.pk}/change/")
    page.get_by_role(
        "link", name=tc("the page of a cohort's numbers", "Report"), exact=True
    ).click()
    expect(page.locator("svg").first).to_be_visible()
    screenshot(page, "cohort-report")
