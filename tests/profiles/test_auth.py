"""The authentication backends load the person's profile with their account."""

import pytest

from accounts.models import User
from profiles.auth import AuthenticationBackend, ModelBackend, person
from profiles.models import Profile
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


def test_the_hand_written_statement_reads_what_the_orm_reads() -> None:
    profile = ProfileFactory(display_name="Ada", wants_to_mentor=True, years_experience=12)
    expected = User.objects.select_related("profile").get(pk=profile.user.pk)
    got = person(profile.user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(expected, field.attname), field.name
    for field in Profile._meta.concrete_fields:
        assert getattr(got.profile, field.attname) == getattr(expected.profile, field.attname), (
            field.name
        )
    assert got.profile.user is got
    assert not got._state.adding and got._state.db == "default"


@pytest.mark.parametrize("malformed", ["abc", "", None, "1; drop table accounts_user"])
def test_a_malformed_id_in_a_session_is_nobody(malformed: object) -> None:
    ProfileFactory()
    assert person(malformed) is None
