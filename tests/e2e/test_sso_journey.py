"""Single sign-on, told through the browser: a newcomer signs in with their company
account at a real OpenID Connect provider on loopback (tests/sso/provider.mjs), consents,
comes back signed in, onboards and signs out; a person whose programme requires single
sign-on tries their password and is told to use the company sign-in."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from matching.models import Role
from tests.factories import CohortFactory
from tests.programmes.people import enroll
from tests.sso.oidc import Provider, callback_url, configure, running_provider


@pytest.fixture
def acme(settings, live_server: LiveServer) -> Iterator[Provider]:
    """The company's identity provider, which knows the live server as its client."""
    with running_provider(redirect_uris=[callback_url(live_server.url)]) as provider:
        configure(settings, provider)
        yield provider


def loopback_only(page: Page) -> None:
    # The provider's development pages ask for a web font; the tests use no network.
    def refuse(route: Route) -> None:
        route.abort()

    page.context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), refuse)


def test_newcomer_signs_in_with_the_company_account_onboards_and_signs_out(
    page: Page, acme: Provider, screenshot
) -> None:
    loopback_only(page)
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Acme").click()

    # At the provider: its own sign-in and consent pages.
    expect(page).to_have_url(re.compile(rf"^{re.escape(acme.issuer)}/interaction/"))
    page.locator("input[name=login]").fill("ada")
    page.locator("input[name=password]").fill("whatever-the-company-uses")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    # Back on the site, signed in, and onboarding comes first.
    expect(page).to_have_url(re.compile(r"/onboarding/role/$"))
    screenshot(page, "onboarding-after-sso")
    user = User.objects.get(email="ada@acme.example")
    assert user.socialaccount_set.filter(uid="ada").exists()
    page.get_by_label("I want a mentor to help me grow").check()
    page.get_by_role("button", name="Continue").click()
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
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/onboarding/skills/$"))

    # Signing out of the site.
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Ada Lovelace").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert")).to_contain_text("You have signed out.")
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_password_sign_in_is_refused_in_a_programme_that_requires_single_sign_on(
    page: Page, settings, password: str
) -> None:
    configure(settings, Provider(issuer="http://127.0.0.1:9"))  # offered, never reached
    member = enroll(
        CohortFactory(name="Acme Mentoring", requires_sso=True),
        Role.MENTEE,
        user__email="lin@acme.example",
    ).user

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()

    # Where a wrong password is explained, above the form.
    expect(page.get_by_role("main")).to_contain_text(
        "Acme Mentoring signs you in through your organisation, not with a password here. "
        "Use “Sign in with Acme” instead."
    )
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="Sign in with Acme")).to_be_visible()
