"""The Site row that allauth's emails and the admin read follows the settings."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command

import pytest

pytestmark = pytest.mark.django_db


def test_the_site_carries_the_configured_name_and_address():
    site = Site.objects.get_current()
    assert site.name == settings.SITE_NAME
    assert site.domain not in ("", "example.com")


def test_migrate_brings_the_site_in_step_with_changed_settings(settings):
    settings.SITE_NAME = "Acme Mentoring"
    settings.SITE_URL = "https://mentoring.acme.example"
    call_command("migrate", verbosity=0)
    site = Site.objects.get_current()
    assert (site.name, site.domain) == ("Acme Mentoring", "mentoring.acme.example")


def test_account_emails_never_name_example_com(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {
                "email": "new.person@example.org",
                "password1": "a long enough passphrase 42",
                "password2": "a long enough passphrase 42",
            },
        )
    assert mail.outbox, "the verification email was sent"
    body = mail.outbox[0].body
    assert "example.com" not in body
    assert settings.SITE_NAME in body
