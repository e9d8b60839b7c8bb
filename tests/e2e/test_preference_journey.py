"""A mentee makes her choices in the programme's preference window, told through the
browser: the dashboard's invitation, a mentor added from her suggestions and one from the
directory, her list reordered."""

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateformat import format as format_date

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from matching.models import Cohort, Preference
from matching.services import default_cohort
from matching.services.suggestions import recompute_suggestions
from profiles.models import SkillKind
from tests.e2e.test_mentoring_journey import log_in, main_nav, make_mentor, person
from tests.e2e.words import t, tc, tn
from tests.factories import PASSWORD

Screenshot = Callable[[Page, str], Path]


def said(page: Page, text: str) -> Locator:
    """The message the site shows after a change."""
    return page.get_by_role("alert").filter(has_text=text)


def ordinal(n: int) -> str:
    """1st, 2nd... as the site writes them in the journey's language (German: 1., 2.)."""
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n, "th")
    return tc("ordinal number", f"%(n)s{suffix}", n=n)


def open_window(cohort: Cohort, days: int = 5) -> None:
    now = timezone.now()
    Cohort.objects.filter(pk=cohort.pk).update(
        name="Spring Cohort",
        preferences_open_at=now - timedelta(days=1),
        preferences_close_at=now + timedelta(days=days),
    )


def community() -> tuple[User, dict[str, User]]:
    priya = person(
        name="Priya Raman",
        email="priya@example.org",
        kind=SkillKind.LEARN,
        skill="System design",
        mentors=False,
        headline="Backend developer growing into architecture",
        time_zone="Europe/London",
        years_experience=4,
    )
    mentors = {
        "marta": make_mentor(
            "Marta Kowalska",
            "marta@example.org",
            "System design",
            headline="Principal engineer, distributed systems",
            years_experience=15,
        ),
        "olu": make_mentor(
            "Olu Adeyemi",
            "olu@example.org",
            "Marketing",
            headline="Growth lead for developer tools",
            industry="media",
            years_experience=10,
        ),
        "kenji": make_mentor(
            "Kenji Watanabe",
            "kenji@example.org",
            "System design",
            headline="Staff engineer, payments platform",
            years_experience=12,
        ),
    }
    return priya, mentors


@pytest.mark.parametrize("journey_language", ["en", "de"])
def test_mentee_chooses_and_orders_her_mentors(page: Page, screenshot: Screenshot) -> None:
    priya, _ = community()
    cohort = default_cohort()
    open_window(cohort)
    recompute_suggestions(cohort=cohort)

    # The dashboard invites her to choose, and says until when.
    log_in(page, priya.email, PASSWORD)
    cohort.refresh_from_db()
    until = format_date(
        timezone.localtime(cohort.preferences_close_at, ZoneInfo("Europe/London")),
        tc("date format: day, month and time", "j F, H:i"),
    )
    invitation = page.get_by_role(
        "region",
        name=t(
            "Choose who you'd like as a mentor in %(cohort)s, until %(until)s",
            cohort="Spring Cohort",
            until=until,
        ),
    )
    expect(invitation).to_be_visible()
    screenshot(page, "choices-dashboard")
    invitation.get_by_role("link", name=t("Make your choices")).click()

    expect(page.get_by_role("heading", name=t("Choose who you'd like as a mentor"))).to_be_visible()
    choices = page.get_by_role("region", name=re.compile(rf"^{t('Your choices')}"))
    expect(choices).to_contain_text(
        t(
            "You haven't chosen anyone yet. Add mentors from your suggestions, "
            "or find them in the directory."
        )
    )
    screenshot(page, "choices-empty")

    # From her suggestions, each saying why: Marta, the closest fit.
    suggested = page.get_by_role("region", name=t("Suggested for you"))
    expect(suggested.get_by_role("listitem").filter(has_text="Marta Kowalska")).to_contain_text(
        tn(
            "Shares %(shared)s of your %(total)s learning goal: %(skills)s",
            "Shares %(shared)s of your %(total)s learning goals: %(skills)s",
            1,
            shared=1,
            total=1,
            skills="System design",
        )
    )
    add_marta = suggested.get_by_role(
        "button", name=re.compile(rf"^{re.escape(t('Add to my choices'))}\W+Marta Kowalska$")
    )
    add_marta.click()
    expect(
        said(
            page,
            t("%(name)s is your %(ordinal)s choice.", name="Marta Kowalska", ordinal=ordinal(1)),
        )
    ).to_be_visible()
    expect(choices.get_by_role("listitem")).to_have_count(1)
    expect(add_marta).to_have_count(0)

    # From the directory: Olu, whom the engine would not have put first.
    page.get_by_role(
        "link", name=t("Browse every mentor in %(cohort)s", cohort="Spring Cohort")
    ).click()
    expect(page.get_by_role("heading", name=t("Find a mentor"))).to_be_visible()
    page.get_by_role("region", name=t("Mentors")).get_by_role("link", name="Olu Adeyemi").click()
    expect(page.get_by_role("heading", name="Olu Adeyemi", exact=True)).to_be_visible()
    screenshot(page, "choices-mentor-page")
    page.get_by_role(
        "button", name=t("Add to my choices for %(cohort)s", cohort="Spring Cohort")
    ).click()
    expect(page).to_have_url(re.compile(r"/choices/\d+/$"))
    expect(
        said(
            page, t("%(name)s is your %(ordinal)s choice.", name="Olu Adeyemi", ordinal=ordinal(2))
        )
    ).to_be_visible()

    # She puts Olu first.
    choices.get_by_role("button", name=t("Move %(name)s up", name="Olu Adeyemi")).click()
    expect(
        said(
            page,
            t("%(name)s is now your %(ordinal)s choice.", name="Olu Adeyemi", ordinal=ordinal(1)),
        )
    ).to_be_visible()
    rows = choices.get_by_role("listitem")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Olu Adeyemi")
    expect(rows.nth(1)).to_contain_text("Marta Kowalska")
    expect(choices).to_contain_text(f"({t('%(count)s of %(max)s', count=2, max=5)})")
    screenshot(page, "choices-ordered")

    assert list(
        Preference.objects.filter(chooser__user=priya)
        .order_by("rank")
        .values_list("chosen__user__email", flat=True)
    ) == ["olu@example.org", "marta@example.org"]

    # Olu's page now says where he stands, and the dashboard that she has chosen.
    main_nav(page).get_by_role("link", name=t("Dashboard")).click()
    expect(page.get_by_role("link", name=t("Review your choices"))).to_be_visible()
    expect(
        page.get_by_text(
            t(
                "You have listed %(listed)s so far; you can change your list until then.",
                listed=2,
            )
        )
    ).to_be_visible()
