"""A newcomer's first minutes: sign up, verify from the email, onboard, reach the dashboard."""

import re

from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from core.outbox.models import OutboxEmail
from profiles.models import Profile

pytestmark = pytest.mark.django_db


def _link_in(body: str) -> str:
    match = re.search(r"https?://testserver(/\S+)", body)
    assert match, body
    return match.group(1)


def _sign_up(client, email: str, password: str, capture) -> None:
    with capture(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": email, "password1": password, "password2": password},
        )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")


def test_signup_verify_onboard_dashboard(client, password, django_capture_on_commit_callbacks):
    _sign_up(client, "New.Person@Example.org", password, django_capture_on_commit_callbacks)

    user = User.objects.get(email__iexact="new.person@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    # Unverified people cannot get in.
    assert client.get(reverse("dashboard")).status_code == 302

    # The verification email was written to the outbox and sent exactly once.
    assert len(mail.outbox) == 1
    row = OutboxEmail.objects.get()
    assert row.sent_at is not None
    assert row.template == "account/email/email_confirmation_signup"
    confirm_url = _link_in(mail.outbox[0].body)

    response = client.get(confirm_url)
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url)
    assert EmailAddress.objects.get(user=user).verified
    # Logged in on confirmation, and sent straight to onboarding.
    assert client.get(reverse("dashboard")).url == reverse("profiles:onboarding-start")

    # The welcome email went through the outbox too.
    assert [m.subject for m in mail.outbox][-1].endswith("Welcome to Mentorship")
    assert OutboxEmail.objects.filter(key=f"welcome:{user.pk}", sent_at__isnull=False).exists()

    response = client.post(
        reverse("profiles:onboarding-role"),
        {"wants_mentoring": "on", "mentor_capacity": "2", "is_accepting_requests": "on"},
    )
    assert response.url == reverse("profiles:onboarding-about")
    response = client.post(
        reverse("profiles:onboarding-about"),
        {
            "display_name": "New Person",
            "headline": "Analyst moving into data science",
            "job_title": "Analyst",
            "industry": "finance",
            "years_experience": "3",
            "career_stage": "early",
            "languages": ["en", "es"],
            "time_zone": "America/Bogota",
            "hours_per_month": "4",
            "meeting_formats": ["video", "chat"],
            "career_goals": "Move into a data scientist role at a product company.",
            "target_role": "Data scientist",
        },
    )
    assert response.url == reverse("profiles:onboarding-skills")
    response = client.post(
        reverse("profiles:onboarding-skills"),
        {
            "learn-TOTAL_FORMS": "2",
            "learn-INITIAL_FORMS": "0",
            "learn-0-name": "machine   learning",
            "learn-0-level": "2",
            "learn-1-name": "Causal inference",
            "learn-1-level": "1",
        },
    )
    assert response.url == reverse("dashboard")

    profile = Profile.objects.get(user=user)
    assert profile.is_onboarded
    assert profile.meeting_formats == ["video", "chat"]
    assert sorted(profile.skills.values_list("skill__name", flat=True)) == [
        "Causal inference",
        "Machine learning",
    ]
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "Welcome, New Person" in page.content.decode()


def test_signup_with_taken_address_does_not_reveal_it(
    client, mentee, password, django_capture_on_commit_callbacks
):
    _sign_up(client, mentee.email.upper(), password, django_capture_on_commit_callbacks)
    # Same answer as for a new address; the owner is told by email instead.
    assert User.objects.filter(email__iexact=mentee.email).count() == 1
    row = OutboxEmail.objects.get()
    assert row.template == "account/email/account_already_exists"
    assert [a.lower() for a in row.to] == [mentee.email.lower()]
    assert mail.outbox[-1].subject == row.subject


class CountingHasher(MD5PasswordHasher):
    """Counts the passwords hashed: the slow part of signing up, done on both paths."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("known", [True, False])
def test_signup_costs_one_password_hash_whether_or_not_the_address_is_known(
    client, settings, mentee, password, django_capture_on_commit_callbacks, known
):
    # The answer's time must not tell who is registered: a known address used to
    # answer in a tenth of the time because no password was hashed.
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls = 0
    email = mentee.email if known else "someone.new@example.org"
    _sign_up(client, email, password, django_capture_on_commit_callbacks)
    assert CountingHasher.calls == 1


def test_signup_bad_input_keeps_email_and_saves_nothing(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "kept@example.org", "password1": "short", "password2": "different"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="kept@example.org"' in html
    assert "invalid-feedback" in html
    assert not User.objects.filter(email="kept@example.org").exists()
    assert not OutboxEmail.objects.exists()


def test_password_needs_twelve_characters(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "p@example.org", "password1": "Xq9!vb2#Lm", "password2": "Xq9!vb2#Lm"},
    )
    assert "at least 12 characters" in response.content.decode()
    assert not User.objects.filter(email="p@example.org").exists()
