"""Single sign-on through a real OpenID Connect provider on loopback (tests/sso/provider.mjs):
an account made on the spot with the address the provider vouches for, an existing account
connected rather than duplicated, and no button while nothing is configured."""

from django.test import Client
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from core.outbox.models import OutboxEmail
from tests.factories import ProfileFactory, UserFactory
from tests.sso.oidc import PROVIDER_ID, Provider, configure, sign_in_at_provider

pytestmark = pytest.mark.django_db

LOGIN_URL = f"/accounts/oidc/{PROVIDER_ID}/login/"


def sign_in_with_acme(client: Client, *, login: str, next_url: str = "") -> str:
    """Press "Sign in with Acme", sign in at the provider, come back: the final address."""
    query = f"?next={next_url}" if next_url else ""
    response = client.post(LOGIN_URL + query)
    assert response.status_code == 302, response
    back = sign_in_at_provider(response.url, login=login)
    assert back.startswith(f"http://testserver/accounts/oidc/{PROVIDER_ID}/login/callback/")
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 302, response.content[:2000]
    return response.url


def test_login_page_offers_no_single_sign_on_when_none_is_configured(client: Client) -> None:
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with" not in page
    assert "through your organisation" not in page


def test_login_page_offers_the_configured_provider(client: Client, sso: Provider) -> None:
    page = client.get(reverse("account_login") + "?next=/programmes/").content.decode()
    assert "Sign in with Acme" in page
    # The button posts to allauth, which sends the browser on to the provider.
    assert f'action="{LOGIN_URL}?process=login&amp;next=%2Fprogrammes%2F"' in page


def test_csp_lets_the_button_go_on_to_the_provider(client: Client, sso: Provider) -> None:
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    assert f"form-action 'self' {sso.issuer}" in policy


def test_first_sign_in_creates_a_verified_account_and_onboards(
    client: Client, sso: Provider
) -> None:
    landed = sign_in_with_acme(client, login="ada")

    user = User.objects.get(email="ada@acme.example")
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()
    assert SocialAccount.objects.filter(user=user, provider=PROVIDER_ID, uid="ada").exists()
    assert not user.has_usable_password()
    # No second verification email: the provider vouched for the address. A welcome, yes.
    sent = [email.template for email in OutboxEmail.objects.all() if user.email in email.to]
    assert sent == ["welcome"]
    # Signed in, and the usual onboarding comes first.
    assert client.get(landed).url == reverse("profiles:onboarding-start")


def test_second_sign_in_finds_the_same_account(client: Client, sso: Provider) -> None:
    sign_in_with_acme(client, login="ada")
    client.logout()
    sign_in_with_acme(Client(), login="ada")
    assert User.objects.filter(email="ada@acme.example").count() == 1


def test_existing_account_with_the_verified_address_is_connected_not_duplicated(
    client: Client, sso: Provider
) -> None:
    grace = ProfileFactory(user__email="grace@acme.example").user

    landed = sign_in_with_acme(client, login="grace", next_url="/programmes/")

    assert landed == "/programmes/"
    assert User.objects.filter(email__iexact="grace@acme.example").count() == 1
    assert SocialAccount.objects.get(provider=PROVIDER_ID, uid="grace").user == grace
    assert client.get("/programmes/").wsgi_request.user == grace


def test_an_address_the_provider_does_not_vouch_for_takes_over_no_account(
    client: Client, sso: Provider
) -> None:
    target = UserFactory(email="mallory-target@acme.example")

    landed = sign_in_with_acme(client, login="mallory")

    # allauth answers as to any sign-up with a taken address ("check your email"),
    # without saying whether it is taken; nobody is signed in, nothing is connected.
    assert landed == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact=target.email).get() == target
    assert not SocialAccount.objects.filter(user=target).exists()
    assert not client.get(reverse("dashboard")).wsgi_request.user.is_authenticated


def test_a_provider_that_is_down_gets_a_failure_page_not_a_500(client: Client, settings) -> None:
    configure(settings, Provider(issuer="http://127.0.0.1:9"))  # nothing listens there
    response = client.post(LOGIN_URL)
    assert response.status_code == 503
    assert "Third-Party Login Failure" in response.content.decode()
