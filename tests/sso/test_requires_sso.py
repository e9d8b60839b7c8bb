"""A programme can require single sign-on: its people are refused a password sign-in
and a password reset, with the reason and the way in; staff are exempt, and nothing is
refused while the site offers no single sign-on."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

import pytest

from accounts import sso
from accounts.models import User
from core.outbox.models import OutboxEmail
from matching.models import Cohort, EnrollmentStatus, Role
from tests.factories import CohortFactory, ProfileFactory
from tests.programmes.people import enroll
from tests.sso.oidc import Provider, configure
from tests.sso.test_sign_in import sign_in_with_acme

pytestmark = pytest.mark.django_db

REFUSAL = "Acme Mentoring signs you in through your organisation, not with a password here."


@pytest.fixture
def offered(settings) -> None:
    """The site offers "Sign in with Acme" (nothing here contacts the provider)."""
    configure(settings, Provider(issuer="http://127.0.0.1:9"))


@pytest.fixture
def programme() -> Cohort:
    return CohortFactory(name="Acme Mentoring", requires_sso=True)


@pytest.fixture
def member(programme: Cohort) -> User:
    return enroll(programme, Role.MENTEE, user__email="lin@acme.example").user


def sign_in(client: Client, user: User, password: str) -> str:
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    return response.content.decode() if response.status_code == 200 else response.url


def test_member_is_refused_a_password_sign_in_and_told_the_way_in(
    client: Client, offered: None, member: User, password: str
) -> None:
    page = sign_in(client, member, password)
    assert REFUSAL in page
    assert "Use “Sign in with Acme” instead." in page
    assert not client.get(reverse("dashboard")).wsgi_request.user.is_authenticated


def test_a_wrong_password_says_nothing_about_programmes(
    client: Client, offered: None, member: User
) -> None:
    page = sign_in(client, member, "not-the-password")
    assert "Acme Mentoring" not in page
    assert "The email address and/or password you specified are not correct." in page


def test_people_of_other_programmes_sign_in_with_their_password(
    client: Client, offered: None, programme: Cohort, password: str
) -> None:
    other = enroll(CohortFactory(), Role.MENTEE).user
    assert sign_in(client, other, password) == reverse("dashboard")


def test_people_who_left_the_programme_sign_in_with_their_password(
    client: Client, offered: None, member: User, password: str
) -> None:
    member.enrollments.update(status=EnrollmentStatus.LEFT)
    assert sign_in(client, member, password) == reverse("dashboard")


def test_staff_are_exempt(client: Client, offered: None, programme: Cohort, password: str) -> None:
    # They already prove a second factor, and they repair a broken identity provider.
    admin = ProfileFactory(user__is_staff=True).user
    programme.enrollments.create(user=admin, role=Role.MENTOR)
    assert sso.programmes_requiring(admin) == []
    # The password is taken; their authenticator app's code is asked next.
    assert sign_in(client, admin, password) == reverse("mfa_authenticate")


def test_nothing_is_refused_while_the_site_offers_no_single_sign_on(
    client: Client, member: User, password: str
) -> None:
    # Otherwise a programme switched to SSO on a site without it would lock people out.
    assert sign_in(client, member, password) == reverse("dashboard")


def test_member_signs_in_through_the_provider(client: Client, sso: Provider) -> None:
    grace = enroll(
        CohortFactory(name="Acme Mentoring", requires_sso=True),
        Role.MENTEE,
        user__email="grace@acme.example",
    ).user
    assert sign_in_with_acme(client, login="grace") == reverse("dashboard")
    assert client.get(reverse("dashboard")).wsgi_request.user == grace


def test_password_reset_sends_the_way_in_instead_of_a_link(
    client: Client, offered: None, member: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": member.email})
    # The same answer as for any address: nothing tells a stranger who is a member.
    assert response.url == reverse("account_reset_password_done")
    assert list(OutboxEmail.objects.values_list("template", flat=True)) == ["password_reset_sso"]
    [email] = mail.outbox
    assert email.to == [member.email]
    assert email.subject.endswith("You sign in through your organisation")
    assert "choose “Sign in with Acme”" in email.body
    assert "/accounts/password/reset/key/" not in email.body


def test_an_older_reset_link_sets_no_password(
    client: Client, member: User, password: str, settings, django_capture_on_commit_callbacks
) -> None:
    # The link was sent before the site offered single sign-on...
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": member.email})
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    # ...and is used after.
    configure(settings, Provider(issuer="http://127.0.0.1:9"))
    new = "another-long-passphrase-77"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assert User.objects.get(pk=member.pk).check_password(password)
