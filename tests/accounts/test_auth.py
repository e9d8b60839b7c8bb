"""Logging in and managing an account: throttling, the admin door, 2FA, email changes."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

from accounts.models import User
from core.outbox.models import OutboxEmail
from tests.factories import UserFactory
from tests.helpers import totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def _login(client, email: str, password: str):
    return client.post(LOGIN, {"login": email, "password": password})


def test_login_with_email_any_case(client, mentee, password):
    response = _login(client, mentee.email.upper(), password)
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_wrong_password_keeps_the_email_and_says_so(client, mentee):
    response = _login(client, mentee.email, "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "not correct" in html
    assert f'value="{mentee.email}"' in html


def test_repeated_failures_from_one_machine_stop_that_machine(client, mentee, password):
    for _ in range(5):
        assert _login(client, mentee.email, "guess-guess-guess").status_code == 200
    response = _login(client, mentee.email, password)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_guesser_elsewhere_does_not_lock_the_owner_out(mentee, password):
    guesser, owner = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(6):
        _login(guesser, mentee.email, "guess-guess-guess")
    assert "Too many failed" in _login(guesser, mentee.email, password).content.decode()
    response = _login(owner, mentee.email, password)
    assert response.status_code == 302
    assert owner.get(reverse("dashboard")).status_code == 200


def test_login_works_while_the_broker_is_down(client, mentee, password, broker_down):
    assert _login(client, mentee.email, password).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_signup_succeeds_while_the_broker_is_down(client, broker_down):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "outage@example.org",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
        },
    )
    assert response.status_code == 302
    row = OutboxEmail.objects.get(to=["outage@example.org"])
    assert row.sent_at is None  # waits for the sweep
    assert mail.outbox == []


class TestAdminDoor:
    def test_anonymous_admin_is_sent_to_the_site_login(self, client):
        response = client.get("/admin/login/?next=/admin/")
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)

    def test_admin_login_form_cannot_be_used_to_guess_passwords(self, client, staff, password):
        response = client.post("/admin/login/", {"username": staff.email, "password": password})
        assert response.status_code == 302 and response.url.startswith(LOGIN)
        assert client.get("/admin/").status_code == 302

    def test_admin_guessing_is_throttled_like_the_site(self, client, staff, password):
        for _ in range(5):
            _login(client, staff.email, "guess-guess-guess")
        assert "Too many failed" in _login(client, staff.email, password).content.decode()

    def test_staff_reach_the_admin_with_password_and_code(self, client, staff, password):
        response = _login(client, staff.email, password)
        assert response.url == reverse("mfa_authenticate")
        assert client.get("/admin/").status_code == 302
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert response.status_code == 302
        assert client.get("/admin/").status_code == 200

    def test_a_wrong_code_keeps_staff_out(self, client, staff, password):
        _login(client, staff.email, password)
        wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert response.status_code == 200
        assert "Incorrect code" in response.content.decode()
        assert client.get("/admin/").status_code == 302

    def test_non_staff_are_refused(self, client, mentee):
        client.force_login(mentee)
        assert client.get("/admin/login/").status_code == 403
        assert client.get("/admin/").status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(
    client, mentee, django_capture_on_commit_callbacks
):
    url = reverse("account_reset_password")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": mentee.email})
        unknown = client.post(url, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    templates = sorted(OutboxEmail.objects.values_list("template", flat=True))
    assert templates == ["account/email/password_reset_key", "account/email/unknown_account"]


def test_password_reset_from_emailed_link(client, mentee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": mentee.email})
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    new = "another-long-passphrase-77"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert User.objects.get(pk=mentee.pk).check_password(new)


def test_password_change_needs_the_old_password(client, mentee, password):
    client.force_login(mentee)
    url = reverse("account_change_password")
    new = "brand-new-passphrase-2026"
    bad = client.post(url, {"oldpassword": "wrong", "password1": new, "password2": new})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert User.objects.get(pk=mentee.pk).check_password(password)
    good = client.post(url, {"oldpassword": password, "password1": new, "password2": new})
    assert good.status_code == 302
    assert User.objects.get(pk=mentee.pk).check_password(new)


def test_email_change_keeps_the_old_address_until_the_new_one_is_verified(
    client, mentee, django_capture_on_commit_callbacks
):
    client.force_login(mentee)
    old = mentee.email
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email"), {"action_add": "", "email": "new@ex.org"})
    assert response.status_code == 302
    assert User.objects.get(pk=mentee.pk).email == old
    pending = EmailAddress.objects.get(user=mentee, email="new@ex.org")
    assert not pending.verified
    link = re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)
    assert User.objects.get(pk=mentee.pk).email == "new@ex.org"
    assert list(EmailAddress.objects.filter(user=mentee).values_list("email", flat=True)) == [
        "new@ex.org"
    ]
    # Verifying a second address does not welcome the person a second time.
    assert OutboxEmail.objects.filter(template="welcome").count() <= 1


@pytest.fixture
def staff_without_two_factor(db):
    return UserFactory(is_staff=True, is_superuser=True, two_factor=False)


class TestStaffNeedASecondFactor:
    @pytest.mark.parametrize(
        "path", ["/admin/", "/admin/matching/cohort/", "/admin/accounts/user/1/change/"]
    )
    def test_staff_without_an_authenticator_are_sent_to_set_one_up(
        self, client, staff_without_two_factor, path
    ):
        client.force_login(staff_without_two_factor)
        response = client.get(path, follow=True)
        assert response.redirect_chain[0][0] == reverse("mfa_activate_totp")
        assert "The admin asks for two-factor authentication" in response.content.decode()

    def test_they_can_still_sign_out_of_the_admin(self, client, staff_without_two_factor):
        client.force_login(staff_without_two_factor)
        response = client.post("/admin/logout/")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    def test_a_deployment_may_turn_the_rule_off(self, client, staff_without_two_factor, settings):
        settings.ADMIN_REQUIRES_TWO_FACTOR = False
        client.force_login(staff_without_two_factor)
        assert client.get("/admin/").status_code == 200

    def test_members_pages_do_not_ask(self, client, staff_without_two_factor):
        client.force_login(staff_without_two_factor)
        assert client.get(reverse("account_email")).status_code == 200

    def test_staff_set_up_an_authenticator_and_then_reach_the_admin(
        self, client, staff_without_two_factor, password
    ):
        staff = staff_without_two_factor
        _login(client, staff.email, password)
        assert client.get("/admin/").url == reverse("mfa_activate_totp")
        page = client.get(reverse("mfa_activate_totp"), follow=True)
        if page.redirect_chain:
            # Sensitive changes ask for the password again, as a user would see.
            assert "reauthenticate" in page.redirect_chain[-1][0]
            client.post(page.redirect_chain[-1][0], {"password": password})
            page = client.get(reverse("mfa_activate_totp"))
        assert page.status_code == 200
        secret = client.session[SECRET_SESSION_KEY]
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
        assert client.get("/admin/").status_code == 200

        # From now on a password alone is not enough.
        client.logout()
        response = _login(client, staff.email, password)
        assert response.url == reverse("mfa_authenticate")
        assert client.get("/admin/").status_code == 302
