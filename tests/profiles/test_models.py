"""Profile model helpers: time zones, initials, avatar colour, meeting formats."""

import hashlib

from django.core.exceptions import ValidationError

import pytest

from profiles.models import (
    MeetingFormat,
    Profile,
    normalize_skill_name,
    time_zone_names,
    validate_time_zone,
)
from tests.factories import ProfileFactory, UserFactory


def test_time_zone_names_offer_canonical_iana_zones_and_utc() -> None:
    names = time_zone_names()
    assert "Europe/Berlin" in names
    assert "America/Sao_Paulo" in names
    assert "UTC" in names
    assert len(names) == len(set(names))


@pytest.mark.parametrize("legacy", ["US/Pacific", "EST", "Etc/GMT+5", "GMT", "posix/Europe/Berlin"])
def test_time_zone_names_leave_out_legacy_aliases(legacy: str) -> None:
    assert legacy not in time_zone_names()


def test_validate_time_zone_accepts_listed_zones() -> None:
    # Returning without raising is the contract; the call itself is the assertion.
    assert validate_time_zone("Europe/Berlin") is None
    assert validate_time_zone("UTC") is None


@pytest.mark.parametrize("bad", ["Mars/Olympus", "US/Pacific", "", "europe/berlin"])
def test_validate_time_zone_rejects_unknown_or_legacy_names(bad: str) -> None:
    with pytest.raises(ValidationError, match="Pick a time zone from the list"):
        validate_time_zone(bad)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("python", "Python"),
        ("  public   speaking ", "Public speaking"),
        ("iOS", "iOS"),
        ("SQL", "SQL"),
        ("\tdata\nscience ", "Data science"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_skill_name_trims_collapses_and_capitalises_all_lowercase(
    raw: str, clean: str
) -> None:
    assert normalize_skill_name(raw) == clean


@pytest.mark.django_db
def test_initials_take_first_letters_of_first_two_words() -> None:
    profile = ProfileFactory(display_name="Ada Lovelace")
    assert profile.initials == "AL"


@pytest.mark.django_db
def test_initials_of_a_single_word_name_is_one_letter() -> None:
    profile = ProfileFactory(display_name="cher")
    assert profile.initials == "C"


@pytest.mark.django_db
def test_initials_use_only_the_first_two_words_of_a_long_name() -> None:
    profile = ProfileFactory(display_name="Grace Brewster Murray Hopper")
    assert profile.initials == "GB"


@pytest.mark.django_db
def test_initials_fall_back_to_email_when_display_name_is_empty() -> None:
    user = UserFactory(email="ada.lovelace@example.org")
    profile = Profile(user=user, display_name="")
    assert profile.initials == "AL"


@pytest.mark.django_db
def test_str_falls_back_to_email_when_display_name_is_empty() -> None:
    user = UserFactory(email="nameless@example.org")
    assert str(Profile(user=user)) == "nameless@example.org"
    assert str(Profile(user=user, display_name="Ada Lovelace")) == "Ada Lovelace"


@pytest.mark.django_db
def test_avatar_hue_is_stable_per_person_and_within_the_colour_wheel() -> None:
    profiles = [ProfileFactory() for _ in range(5)]
    for profile in profiles:
        expected = int.from_bytes(hashlib.sha256(str(profile.user_id).encode()).digest()[:2])
        assert profile.avatar_hue == expected % 360
        assert 0 <= profile.avatar_hue <= 359
        # A fresh load of the same person gets the same colour.
        assert Profile.objects.get(pk=profile.pk).avatar_hue == profile.avatar_hue


def test_avatar_hue_does_not_depend_on_the_name() -> None:
    assert (
        Profile(user_id=7, display_name="Ada").avatar_hue
        == Profile(user_id=7, display_name="Bob").avatar_hue
    )


def test_avatar_hue_covers_the_range_for_many_ids() -> None:
    hues = {Profile(user_id=n).avatar_hue for n in range(1, 2000)}
    assert min(hues) >= 0
    assert max(hues) <= 359
    # Spread out, not collapsed to a handful of colours.
    assert len(hues) > 300


def test_meeting_formats_follow_the_fixed_order_video_phone_in_person_chat() -> None:
    profile = Profile(
        meets_by_video=True, meets_by_phone=True, meets_in_person=True, meets_by_chat=True
    )
    assert profile.meeting_formats == ["video", "phone", "in_person", "chat"]
    assert profile.get_meeting_formats_display() == [
        "Video call",
        "Phone call",
        "In person",
        "Chat",
    ]


def test_meeting_formats_list_only_the_flags_that_are_on() -> None:
    profile = Profile(
        meets_by_video=False, meets_by_phone=False, meets_in_person=True, meets_by_chat=True
    )
    assert profile.meeting_formats == [MeetingFormat.IN_PERSON, MeetingFormat.CHAT]
    assert profile.get_meeting_formats_display() == ["In person", "Chat"]


def test_new_profile_meets_by_video_by_default() -> None:
    assert Profile().meeting_formats == ["video"]


def test_local_time_is_in_the_profile_time_zone() -> None:
    profile = Profile(time_zone="Asia/Tokyo")
    assert str(profile.local_time().tzinfo) == "Asia/Tokyo"


@pytest.mark.django_db
def test_is_onboarded_follows_onboarded_at() -> None:
    assert ProfileFactory().is_onboarded
    assert not ProfileFactory(onboarded_at=None).is_onboarded
