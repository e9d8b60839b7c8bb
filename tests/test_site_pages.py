"""Site-wide pages: landing, error pages, health check, and the navbar that fits a role."""

from django.test import Client
from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def test_landing_page_explains_the_programme(client):
    html = client.get(reverse("home")).content.decode()
    assert "How it works" in html
    assert reverse("account_signup") in html
    # Everything is served by the app itself: no CDN.
    assert "cdn" not in html.lower() and "https://" not in html


def test_unknown_page_is_friendly_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_server_error_is_friendly_500(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.urls_boom"
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_healthz_answers_when_the_database_does(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_navbar_fits_the_roles(client, mentee, mentor, staff):
    client.force_login(mentee)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-role-nav="mentee"' in html and 'data-role-nav="mentor"' not in html
    assert reverse("admin:index") not in html

    client.force_login(mentor)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-role-nav="mentor"' in html and 'data-role-nav="mentee"' not in html

    client.force_login(staff)
    assert reverse("admin:index") in client.get(reverse("dashboard")).content.decode()
