"""Rules of the profiles services, and the database constraints that back them."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

import pytest

from profiles.models import Profile, ProfileSkill, Skill, SkillKind
from profiles.services import (
    SkillEntry,
    complete_onboarding,
    get_or_create_skill,
    missing_for_onboarding,
    save_intent,
    set_skills,
)
from profiles.signals import intent_changed, matching_profile_changed
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _skills(profile: Profile, kind: str) -> dict[str, int]:
    rows = ProfileSkill.objects.filter(profile=profile, kind=kind).select_related("skill")
    return {row.skill.name: row.level for row in rows}


# get_or_create_skill


@pytest.mark.parametrize("typed", ["python", "PYTHON", "Python", "  pYtHoN  "])
def test_get_or_create_skill_reuses_existing_skill_whatever_the_case(typed: str) -> None:
    python = Skill.objects.get(name="Python")
    before = Skill.objects.count()

    assert get_or_create_skill(name=typed) == python
    assert Skill.objects.count() == before


def test_get_or_create_skill_collapses_whitespace_before_matching() -> None:
    speaking = Skill.objects.get(name="Public speaking")
    before = Skill.objects.count()

    assert get_or_create_skill(name="  public   speaking ") == speaking
    assert get_or_create_skill(name="Public\tspeaking\n") == speaking
    assert Skill.objects.count() == before


def test_get_or_create_skill_capitalises_a_new_all_lowercase_skill_and_stores_it_once() -> None:
    assert not Skill.objects.filter(name__iexact="event storming").exists()

    skill = get_or_create_skill(name="  event   storming ")

    assert skill.name == "Event storming"
    assert not skill.is_curated
    assert get_or_create_skill(name="EVENT STORMING") == skill
    assert get_or_create_skill(name="event storming") == skill
    assert Skill.objects.filter(name__iexact="event storming").count() == 1


def test_get_or_create_skill_keeps_mixed_case_as_typed() -> None:
    skill = get_or_create_skill(name="iOS")

    assert skill.name == "iOS"
    assert Skill.objects.get(pk=skill.pk).name == "iOS"
    # Typing it in lower case later finds the same entry instead of renaming it.
    assert get_or_create_skill(name="ios") == skill
    assert Skill.objects.get(pk=skill.pk).name == "iOS"


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_get_or_create_skill_refuses_an_empty_name(blank: str) -> None:
    before = Skill.objects.count()

    with pytest.raises(ValidationError, match="A skill needs a name"):
        get_or_create_skill(name=blank)
    assert Skill.objects.count() == before


def test_get_or_create_skill_refuses_a_name_longer_than_sixty_characters() -> None:
    before = Skill.objects.count()

    with pytest.raises(ValidationError, match="under 60 characters"):
        get_or_create_skill(name="a" * 61)
    assert Skill.objects.count() == before


def test_get_or_create_skill_accepts_exactly_sixty_characters() -> None:
    skill = get_or_create_skill(name="b" * 60)
    assert skill.name == "B" + "b" * 59


def test_get_or_create_skill_measures_length_after_collapsing_whitespace() -> None:
    # 58 letters with lots of spaces around them is a short name once tidied.
    skill = get_or_create_skill(name="   " + "c" * 29 + "     " + "d" * 29 + "   ")
    assert len(skill.name) == 59


# set_skills


def test_set_skills_replaces_the_skills_of_one_kind() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False)
    assert _skills(profile, SkillKind.LEARN) == {"Public speaking": 2}

    set_skills(
        profile=profile,
        kind=SkillKind.LEARN,
        entries=[SkillEntry(name="sql", level=1), SkillEntry(name="Negotiation", level=3)],
    )

    assert _skills(profile, SkillKind.LEARN) == {"SQL": 1, "Negotiation": 3}


def test_set_skills_does_not_touch_the_other_kind() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=True)
    assert _skills(profile, SkillKind.EXPERTISE) == {"Python": 2}

    set_skills(profile=profile, kind=SkillKind.LEARN, entries=[SkillEntry(name="Go", level=3)])
    set_skills(profile=profile, kind=SkillKind.LEARN, entries=[])

    assert _skills(profile, SkillKind.EXPERTISE) == {"Python": 2}
    assert _skills(profile, SkillKind.LEARN) == {}


def test_set_skills_allows_the_same_skill_as_expertise_and_to_learn() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=True)

    set_skills(profile=profile, kind=SkillKind.LEARN, entries=[SkillEntry(name="python", level=3)])

    assert _skills(profile, SkillKind.EXPERTISE) == {"Python": 2}
    assert _skills(profile, SkillKind.LEARN) == {"Python": 3}


def test_set_skills_collapses_repeats_in_different_case_keeping_the_higher_level() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False)

    set_skills(
        profile=profile,
        kind=SkillKind.LEARN,
        entries=[
            SkillEntry(name="sql", level=1),
            SkillEntry(name="SQL", level=3),
            SkillEntry(name="  Sql ", level=2),
        ],
    )

    assert _skills(profile, SkillKind.LEARN) == {"SQL": 3}
    assert ProfileSkill.objects.filter(profile=profile, kind=SkillKind.LEARN).count() == 1


def test_set_skills_updates_the_level_of_a_kept_skill_in_place() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False)
    row = ProfileSkill.objects.get(profile=profile, kind=SkillKind.LEARN)

    set_skills(
        profile=profile,
        kind=SkillKind.LEARN,
        entries=[SkillEntry(name="public speaking", level=3)],
    )

    row.refresh_from_db()
    assert row.level == 3
    assert ProfileSkill.objects.filter(profile=profile).count() == 1


def test_set_skills_adds_typed_new_skills_to_the_vocabulary() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False)

    set_skills(
        profile=profile, kind=SkillKind.LEARN, entries=[SkillEntry(name="event storming", level=2)]
    )

    assert Skill.objects.filter(name="Event storming").count() == 1
    assert _skills(profile, SkillKind.LEARN) == {"Event storming": 2}


def test_set_skills_leaves_everything_as_it_was_when_one_entry_is_invalid() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False)
    skills_before = Skill.objects.count()

    with pytest.raises(ValidationError):
        set_skills(
            profile=profile,
            kind=SkillKind.LEARN,
            entries=[SkillEntry(name="brand new skill", level=2), SkillEntry(name="", level=2)],
        )

    assert _skills(profile, SkillKind.LEARN) == {"Public speaking": 2}
    assert Skill.objects.count() == skills_before


def test_set_skills_does_not_touch_other_profiles() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False)
    other = ProfileFactory(wants_mentoring=True, wants_to_mentor=False)

    set_skills(profile=profile, kind=SkillKind.LEARN, entries=[])

    assert _skills(other, SkillKind.LEARN) == {"Public speaking": 2}


# save_intent


def test_save_intent_refuses_neither_intent_and_saves_nothing(newcomer) -> None:
    with pytest.raises(ValidationError, match="Choose at least one"):
        save_intent(
            user=newcomer,
            wants_mentoring=False,
            wants_to_mentor=False,
            mentor_capacity=2,
            is_accepting_requests=True,
        )
    assert not Profile.objects.filter(user=newcomer).exists()


def test_save_intent_refuses_dropping_every_intent_on_an_existing_profile(mentee) -> None:
    with pytest.raises(ValidationError, match="Choose at least one"):
        save_intent(
            user=mentee,
            wants_mentoring=False,
            wants_to_mentor=False,
            mentor_capacity=2,
            is_accepting_requests=True,
        )
    mentee.profile.refresh_from_db()
    assert mentee.profile.wants_mentoring


@pytest.mark.parametrize("capacity", [11, -1, 100])
def test_save_intent_refuses_capacity_outside_zero_to_ten(newcomer, capacity: int) -> None:
    with pytest.raises(ValidationError, match="between 0 and 10"):
        save_intent(
            user=newcomer,
            wants_mentoring=False,
            wants_to_mentor=True,
            mentor_capacity=capacity,
            is_accepting_requests=True,
        )
    assert not Profile.objects.filter(user=newcomer).exists()


def test_save_intent_refuses_bad_capacity_without_changing_an_existing_profile(mentor) -> None:
    with pytest.raises(ValidationError):
        save_intent(
            user=mentor,
            wants_mentoring=True,
            wants_to_mentor=True,
            mentor_capacity=11,
            is_accepting_requests=False,
        )
    mentor.profile.refresh_from_db()
    assert (mentor.profile.wants_mentoring, mentor.profile.mentor_capacity) == (False, 2)
    assert mentor.profile.is_accepting_requests


@pytest.mark.parametrize("capacity", [0, 10])
def test_save_intent_accepts_capacity_at_the_edges(newcomer, capacity: int) -> None:
    profile = save_intent(
        user=newcomer,
        wants_mentoring=False,
        wants_to_mentor=True,
        mentor_capacity=capacity,
        is_accepting_requests=True,
    )
    profile.refresh_from_db()
    assert profile.mentor_capacity == capacity


def test_save_intent_creates_the_profile_when_missing(newcomer) -> None:
    profile = save_intent(
        user=newcomer,
        wants_mentoring=True,
        wants_to_mentor=True,
        mentor_capacity=3,
        is_accepting_requests=False,
    )

    stored = Profile.objects.get(user=newcomer)
    assert stored.pk == profile.pk
    assert stored.wants_mentoring
    assert stored.wants_to_mentor
    assert stored.mentor_capacity == 3
    assert not stored.is_accepting_requests
    # Step 1 only: the person is not onboarded yet.
    assert stored.essentials_done_at is None
    assert stored.onboarded_at is None


def test_save_intent_updates_the_existing_profile(mentee) -> None:
    original = mentee.profile

    profile = save_intent(
        user=mentee,
        wants_mentoring=True,
        wants_to_mentor=True,
        mentor_capacity=5,
        is_accepting_requests=False,
    )

    assert profile.pk == original.pk
    assert Profile.objects.filter(user=mentee).count() == 1
    stored = Profile.objects.get(pk=original.pk)
    assert stored.wants_to_mentor
    assert stored.mentor_capacity == 5
    assert not stored.is_accepting_requests
    # Everything else the person told us stays.
    assert stored.display_name == original.display_name
    assert stored.onboarded_at == original.onboarded_at


@contextmanager
def _heard() -> Iterator[list[tuple[str, int]]]:
    """What profiles tells the apps above it while the block runs, in order."""
    heard: list[tuple[str, int]] = []
    receivers = {}
    for name, signal in (("intent", intent_changed), ("changed", matching_profile_changed)):

        def receiver(
            sender: type[Profile], *, profile: Profile, name: str = name, **_: object
        ) -> None:
            heard.append((name, profile.pk))

        receivers[signal] = receiver
        signal.connect(receiver)
    try:
        yield heard
    finally:
        for signal, receiver in receivers.items():
            signal.disconnect(receiver)


def test_a_changed_intent_is_told_to_listeners_and_enrolls_the_new_mentor(mentee) -> None:
    with _heard() as heard:
        profile = save_intent(
            user=mentee,
            wants_mentoring=True,
            wants_to_mentor=True,
            mentor_capacity=2,
            is_accepting_requests=True,
        )

    assert heard == [("intent", profile.pk), ("changed", profile.pk)]
    # matching listens too: the new mentor is in the community cohort as a mentor.
    assert mentee.enrollments.filter(role="mentor", status="active").exists()


def test_a_profile_not_yet_onboarded_is_not_told_to_matching(newcomer) -> None:
    with _heard() as heard:
        save_intent(
            user=newcomer,
            wants_mentoring=True,
            wants_to_mentor=False,
            mentor_capacity=0,
            is_accepting_requests=True,
        )

    assert heard == []
    assert not newcomer.enrollments.exists()


# complete_onboarding


def test_complete_onboarding_refuses_a_mentor_without_expertise() -> None:
    profile = ProfileFactory(wants_mentoring=False, wants_to_mentor=True, onboarded_at=None)
    ProfileSkill.objects.filter(profile=profile).delete()

    with pytest.raises(ValidationError) as exc:
        complete_onboarding(profile=profile)

    assert exc.value.messages == ["Add at least one skill you can teach."]
    profile.refresh_from_db()
    assert profile.onboarded_at is None


def test_complete_onboarding_refuses_a_mentee_without_a_skill_to_learn() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False, onboarded_at=None)
    ProfileSkill.objects.filter(profile=profile).delete()

    with pytest.raises(ValidationError) as exc:
        complete_onboarding(profile=profile)

    assert exc.value.messages == ["Add at least one skill you want to learn."]
    profile.refresh_from_db()
    assert profile.onboarded_at is None


def test_complete_onboarding_does_not_accept_expertise_in_place_of_learn_skills() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=False, onboarded_at=None)
    ProfileSkill.objects.filter(profile=profile).update(kind=SkillKind.EXPERTISE)

    with pytest.raises(ValidationError, match="skill you want to learn"):
        complete_onboarding(profile=profile)


def test_complete_onboarding_refuses_when_essentials_are_missing() -> None:
    profile = ProfileFactory(onboarded_at=None, essentials_done_at=None)

    with pytest.raises(ValidationError) as exc:
        complete_onboarding(profile=profile)

    assert exc.value.messages == ["Tell us about yourself."]
    profile.refresh_from_db()
    assert profile.onboarded_at is None


def test_complete_onboarding_lists_everything_missing_for_someone_doing_both(newcomer) -> None:
    profile = save_intent(
        user=newcomer,
        wants_mentoring=True,
        wants_to_mentor=True,
        mentor_capacity=2,
        is_accepting_requests=True,
    )

    with pytest.raises(ValidationError) as exc:
        complete_onboarding(profile=profile)

    assert exc.value.messages == [
        "Tell us about yourself.",
        "Add at least one skill you can teach.",
        "Add at least one skill you want to learn.",
    ]


def test_missing_for_onboarding_asks_for_an_intent_first() -> None:
    profile = ProfileFactory(wants_mentoring=False, wants_to_mentor=False, onboarded_at=None)
    assert missing_for_onboarding(profile) == [
        "Say whether you want a mentor, want to mentor, or both."
    ]


def test_complete_onboarding_sets_onboarded_at_when_complete() -> None:
    profile = ProfileFactory(wants_mentoring=True, wants_to_mentor=True, onboarded_at=None)

    result = complete_onboarding(profile=profile)

    assert result.onboarded_at is not None
    profile.refresh_from_db()
    assert profile.onboarded_at == result.onboarded_at
    assert profile.is_onboarded


def test_complete_onboarding_twice_keeps_the_first_timestamp() -> None:
    profile = ProfileFactory(onboarded_at=None)

    first = complete_onboarding(profile=profile).onboarded_at
    second = complete_onboarding(profile=profile).onboarded_at

    assert first is not None
    assert second == first
    profile.refresh_from_db()
    assert profile.onboarded_at == first


def test_complete_onboarding_of_an_onboarded_profile_keeps_its_timestamp(mentee) -> None:
    original = mentee.profile.onboarded_at

    complete_onboarding(profile=mentee.profile)

    mentee.profile.refresh_from_db()
    assert mentee.profile.onboarded_at == original


# Database constraints: the rules hold even for writes that skip the services.


@pytest.mark.parametrize("level", [0, 4])
def test_database_refuses_a_profile_skill_level_outside_one_to_three(mentee, level: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileSkill.objects.create(
            profile=mentee.profile,
            skill=Skill.objects.get(name="Go"),
            kind=SkillKind.LEARN,
            level=level,
        )


def test_database_refuses_an_unknown_profile_skill_kind(mentee) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileSkill.objects.create(
            profile=mentee.profile, skill=Skill.objects.get(name="Go"), kind="teach", level=2
        )


def test_database_refuses_the_same_skill_twice_as_the_same_kind(mentee) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileSkill.objects.create(
            profile=mentee.profile,
            skill=Skill.objects.get(name="Public speaking"),
            kind=SkillKind.LEARN,
        )


def test_database_refuses_mentor_capacity_above_ten(mentor) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=mentor.profile.pk).update(mentor_capacity=11)
    assert Profile.objects.get(pk=mentor.profile.pk).mentor_capacity == 2


def test_database_refuses_a_negative_mentor_capacity(mentor) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=mentor.profile.pk).update(mentor_capacity=-1)


@pytest.mark.parametrize(
    "change", [{"years_experience": 61}, {"hours_per_month": 0}, {"hours_per_month": 41}]
)
def test_database_refuses_experience_and_hours_out_of_range(mentee, change: dict) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=mentee.profile.pk).update(**change)


def test_database_refuses_an_onboarded_profile_without_intent(mentee) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=mentee.profile.pk).update(
            wants_mentoring=False, wants_to_mentor=False
        )


def test_database_allows_a_profile_without_intent_before_onboarding(newcomer) -> None:
    profile = Profile.objects.create(user=newcomer, wants_mentoring=False, wants_to_mentor=False)
    assert profile.pk is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(pk=profile.pk).update(onboarded_at=profile.created_at)


@pytest.mark.parametrize("name", ["rust", "RUST", "Rust"])
def test_database_refuses_a_skill_that_differs_only_in_case(name: str) -> None:
    assert Skill.objects.filter(name="Rust").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Skill.objects.create(name=name)
    assert Skill.objects.filter(name__iexact="rust").count() == 1
