"""The authentication backends load the person's profile with their account."""

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts.models import User
from profiles.auth import AuthenticationBackend, ModelBackend
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = [ModelBackend, AuthenticationBackend]


def test_settings_name_both_backends() -> None:
    # A session remembers which backend signed it in: both names must stay valid.
    assert settings.AUTHENTICATION_BACKENDS == [
        "profiles.auth.ModelBackend",
        "profiles.auth.AuthenticationBackend",
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_user_comes_with_their_profile_in_one_query(
    backend: type, django_assert_num_queries
) -> None:
    profile = ProfileFactory(display_name="Ada")
    with django_assert_num_queries(1):
        user = backend().get_user(profile.user.pk)
        assert user.profile.display_name == "Ada"
        assert user.profile.user is user


@pytest.mark.parametrize("backend", BACKENDS)
def test_someone_without_a_profile_yet_has_none(backend: type, django_assert_num_queries) -> None:
    newcomer = UserFactory()
    with django_assert_num_queries(1):
        user = backend().get_user(newcomer.pk)
        assert user == newcomer
        assert getattr(user, "profile", None) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_inactive_and_unknown_people_get_no_user(backend: type) -> None:
    inactive = ProfileFactory().user
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    assert backend().get_user(inactive.pk) is None
    assert backend().get_user(10**9) is None


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("malformed", ["abc", "", None, "1; drop table accounts_user", 10**30])
def test_a_malformed_id_in_a_session_is_nobody(backend: type, malformed: object) -> None:
    ProfileFactory()
    assert backend().get_user(malformed) is None


def test_a_page_reads_the_profile_without_a_query_of_its_own(client: Client) -> None:
    """The onboarding check and the navbar read ``request.user.profile``: the user's
    query brings it, and no other query reads the profile table."""
    user = ProfileFactory(display_name="Ada Lovelace").user
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.wsgi_request.user.profile.display_name == "Ada Lovelace"
    profile_table = user.profile._meta.db_table
    from_profiles = [q["sql"] for q in captured if f'FROM "{profile_table}"' in q["sql"]]
    assert from_profiles == []


def test_a_session_for_a_deactivated_account_is_anonymous(client: Client) -> None:
    user = ProfileFactory().user
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert not response.wsgi_request.user.is_authenticated
