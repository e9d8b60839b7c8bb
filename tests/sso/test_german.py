"""Single sign-on speaks German: the button, the refusal of a password and its email."""

from django.test import Client
from django.urls import reverse

import pytest

from matching.models import Role
from tests.factories import CohortFactory
from tests.programmes.people import enroll
from tests.sso.oidc import Provider, configure

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(settings) -> None:
    configure(settings, Provider(issuer="http://127.0.0.1:9"))


def test_login_page_offers_the_company_sign_in_in_german(client: Client, offered: None) -> None:
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Oder über Ihre Organisation" in page
    assert "Mit Acme anmelden" in page
    assert "Sign in with Acme" not in page


def test_password_refusal_in_german(client: Client, offered: None, password: str) -> None:
    member = enroll(CohortFactory(name="Acme Mentoring", requires_sso=True), Role.MENTEE).user
    page = client.post(
        reverse("account_login"),
        {"login": member.email, "password": password},
        HTTP_ACCEPT_LANGUAGE="de",
    ).content.decode()
    assert (
        "Bei Acme Mentoring melden Sie sich über Ihre Organisation an, nicht mit einem "
        "Passwort. Nutzen Sie stattdessen „Mit Acme anmelden“."
    ) in page
