"""The profile admin: its form reads web addresses as the profile form does."""

import warnings

from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils.deprecation import RemovedInDjango60Warning

import pytest

from profiles.admin import ProfileAdmin
from profiles.models import Profile
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def test_a_bare_linkedin_address_means_https(staff) -> None:
    request = RequestFactory().get("/")
    request.user = staff
    form = ProfileAdmin(Profile, admin.site).get_form(request)
    field = form.base_fields["linkedin_url"]
    assert field.clean("linkedin.com/in/ada") == "https://linkedin.com/in/ada"


def test_the_change_page_opens_without_deprecation_warnings(client, staff) -> None:
    profile = ProfileFactory(display_name="Ada")
    client.force_login(staff)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango60Warning)
        response = client.get(reverse("admin:profiles_profile_change", args=[profile.pk]))
    assert response.status_code == 200 and "Ada" in response.content.decode()
