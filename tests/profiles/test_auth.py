"""The authentication backends load the person's profile with their account."""

import pytest

from accounts.models import User
from profiles.auth import AuthenticationBackend, ModelBackend
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_user_comes_with_their_profile_in_one_query(
    backend: type, django_assert_num_queries
) -> None:
    profile = ProfileFactory(display_name="Ada")
    with django_assert_num_queries(1):
        user = backend().get_user(profile.user.pk)
        assert user.profile.display_name == "Ada"


def test_someone_without_a_profile_yet_has_none(django_assert_num_queries) -> None:
    newcomer = UserFactory()
    with django_assert_num_queries(1):
        user = ModelBackend().get_user(newcomer.pk)
        assert getattr(user, "profile", None) is None


def test_inactive_and_unknown_people_get_no_user() -> None:
    inactive = ProfileFactory().user
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(10**9) is None
