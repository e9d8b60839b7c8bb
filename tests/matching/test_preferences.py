"""Stated preferences: the rules of the window and of the list, pinned in the services."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

import pytest

from matching.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Mentorship,
    Preference,
    PreferenceWindow,
    Role,
)
from matching.reasons import ordinal
from matching.services.preferences import (
    add_preference,
    move_preference,
    remove_preference,
)
from tests.factories import CohortFactory, EnrollmentFactory, ProfileFactory
from tests.programmes.people import enroll

pytestmark = pytest.mark.django_db


def window_cohort(*, opens: int = -1, closes: int = 3, **fields: Any) -> Cohort:
    """A cohort whose window opened/closes this many days from now."""
    now = timezone.now()
    return CohortFactory(
        preferences_open_at=now + timedelta(days=opens),
        preferences_close_at=now + timedelta(days=closes),
        **fields,
    )


@pytest.fixture
def cohort() -> Cohort:
    return window_cohort()


@pytest.fixture
def mentee(cohort: Cohort) -> Enrollment:
    return enroll(cohort, Role.MENTEE, display_name="Mia Mentee")


@pytest.fixture
def mentors(cohort: Cohort) -> list[Enrollment]:
    return [enroll(cohort, Role.MENTOR, display_name=f"Mentor {i}") for i in range(6)]


def listed(chooser: Enrollment) -> list[int]:
    return list(
        Preference.objects.filter(chooser=chooser).order_by("rank").values_list("chosen", flat=True)
    )


def add(chooser: Enrollment, chosen: Enrollment, **kwargs: Any) -> Preference:
    return add_preference(chooser=chooser, chosen=chosen, by=chooser.user, **kwargs)


# --- The window ---------------------------------------------------------------


def test_the_window_is_none_upcoming_open_then_closed():
    now = timezone.now()
    assert CohortFactory().preference_window(now) == PreferenceWindow.NONE
    cohort = window_cohort(opens=1, closes=3)
    assert cohort.preference_window(now) == PreferenceWindow.UPCOMING
    assert cohort.preference_window(now + timedelta(days=2)) == PreferenceWindow.OPEN
    assert cohort.preference_window(cohort.preferences_close_at) == PreferenceWindow.CLOSED


def test_a_window_that_closes_before_it_opens_is_refused_by_the_form_and_the_database():
    cohort = window_cohort(opens=2, closes=5)
    cohort.preferences_close_at = cohort.preferences_open_at - timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        cohort.full_clean()
    assert "close after they open" in str(refused.value.message_dict["preferences_close_at"])
    with pytest.raises(IntegrityError), transaction.atomic():
        cohort.save()


def test_a_window_needs_both_ends():
    cohort = CohortFactory(preferences_open_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        cohort.full_clean()
    assert "preferences_close_at" in refused.value.message_dict


@pytest.mark.parametrize(
    ("opens", "closes", "words"),
    [(1, 3, "open on"), (-5, -1, "have closed")],
)
def test_nothing_changes_outside_the_window(opens, closes, words):
    cohort = window_cohort(opens=opens, closes=closes)
    mentee, mentor = enroll(cohort, Role.MENTEE), enroll(cohort, Role.MENTOR)
    with pytest.raises(ValidationError, match=words):
        add(mentee, mentor)
    assert not Preference.objects.exists()


def test_a_cohort_without_a_window_takes_no_choices():
    cohort = CohortFactory()
    mentee, mentor = enroll(cohort, Role.MENTEE), enroll(cohort, Role.MENTOR)
    with pytest.raises(ValidationError, match="not asking for choices"):
        add(mentee, mentor)


def test_a_closed_cohort_takes_no_choices(mentee, mentors, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(closed_at=timezone.now())
    mentee.refresh_from_db()
    with pytest.raises(ValidationError, match="have closed"):
        add(mentee, mentors[0])


# --- Adding -------------------------------------------------------------------


def test_choices_are_ranked_in_the_order_they_are_added(mentee, mentors):
    first = add(mentee, mentors[0])
    second = add(mentee, mentors[1])
    assert (first.rank, second.rank) == (1, 2)
    assert first.cohort_id == mentee.cohort_id
    assert listed(mentee) == [mentors[0].pk, mentors[1].pk]


def test_adding_someone_twice_adds_them_once_where_they_were(mentee, mentors):
    add(mentee, mentors[0])
    add(mentee, mentors[1])
    again = add(mentee, mentors[0])
    assert again.rank == 1
    assert Preference.objects.filter(chooser=mentee).count() == 2


def test_at_most_five_choices(mentee, mentors):
    for mentor in mentors[:5]:
        add(mentee, mentor)
    with pytest.raises(ValidationError, match="5 choices already"):
        add(mentee, mentors[5])
    assert len(listed(mentee)) == 5


def test_a_mentor_of_another_cohort_cannot_be_chosen(mentee):
    elsewhere = enroll(window_cohort(), Role.MENTOR)
    with pytest.raises(ValidationError, match="Pick a mentor of"):
        add(mentee, elsewhere)


def test_another_mentee_cannot_be_chosen(mentee, cohort):
    with pytest.raises(ValidationError, match="Pick a mentor of"):
        add(mentee, enroll(cohort, Role.MENTEE))


def test_a_mentor_who_left_cannot_be_chosen(mentee, mentors):
    Enrollment.objects.filter(pk=mentors[0].pk).update(status=EnrollmentStatus.LEFT)
    mentors[0].refresh_from_db()
    with pytest.raises(ValidationError, match="Pick a mentor of"):
        add(mentee, mentors[0])


def test_nobody_chooses_themselves(cohort):
    both = ProfileFactory(wants_mentoring=True, wants_to_mentor=True, enrolled=False).user
    as_mentee = EnrollmentFactory(user=both, cohort=cohort, role=Role.MENTEE)
    as_mentor = EnrollmentFactory(user=both, cohort=cohort, role=Role.MENTOR)
    with pytest.raises(ValidationError, match="choose yourself"):
        add(as_mentee, as_mentor)


def test_and_the_database_agrees(mentee):
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(cohort=mentee.cohort, chooser=mentee, chosen=mentee, rank=1)


def test_only_the_chooser_changes_their_list(mentee, mentors, cohort):
    someone = enroll(cohort, Role.MENTEE).user
    with pytest.raises(PermissionDenied):
        add_preference(chooser=mentee, chosen=mentors[0], by=someone)
    assert not Preference.objects.exists()


def test_a_pair_the_engine_forbids_cannot_be_chosen(mentee, cohort):
    french = enroll(cohort, Role.MENTOR, languages=["fr"], display_name="Fanny")
    with pytest.raises(ValidationError, match="share no language"):
        add(mentee, french)


def test_a_full_mentor_cannot_be_chosen(mentee, cohort):
    busy = enroll(cohort, Role.MENTOR, display_name="Busy Bee", is_accepting_requests=False)
    with pytest.raises(ValidationError, match="no free place"):
        add(mentee, busy)


def test_a_mentee_with_a_mentor_here_has_nothing_to_choose(mentee, mentors, cohort):
    Mentorship.objects.create(cohort=cohort, mentee_enrollment=mentee, mentor_enrollment=mentors[0])
    with pytest.raises(ValidationError, match="already have a mentor"):
        add(mentee, mentors[1])


def test_a_mentee_who_left_chooses_no_more(mentee, mentors):
    Enrollment.objects.filter(pk=mentee.pk).update(status=EnrollmentStatus.LEFT)
    with pytest.raises(ValidationError, match="no longer taking part"):
        add(mentee, mentors[0])


# --- Reordering and removing ----------------------------------------------------


def test_moving_names_the_place_and_the_others_close_up(mentee, mentors):
    for mentor in mentors[:3]:
        add(mentee, mentor)
    moved = move_preference(chooser=mentee, chosen=mentors[2], rank=1, by=mentee.user)
    assert moved.rank == 1
    assert listed(mentee) == [mentors[2].pk, mentors[0].pk, mentors[1].pk]
    # The same move posted again (a double click) changes nothing more.
    move_preference(chooser=mentee, chosen=mentors[2], rank=1, by=mentee.user)
    assert listed(mentee) == [mentors[2].pk, mentors[0].pk, mentors[1].pk]


def test_moving_down_and_past_the_end(mentee, mentors):
    for mentor in mentors[:3]:
        add(mentee, mentor)
    move_preference(chooser=mentee, chosen=mentors[0], rank=2, by=mentee.user)
    assert listed(mentee) == [mentors[1].pk, mentors[0].pk, mentors[2].pk]
    move_preference(chooser=mentee, chosen=mentors[1], rank=5, by=mentee.user)
    assert listed(mentee) == [mentors[0].pk, mentors[2].pk, mentors[1].pk]


def test_moving_someone_not_listed_is_refused(mentee, mentors):
    add(mentee, mentors[0])
    with pytest.raises(ValidationError, match="not among your choices"):
        move_preference(chooser=mentee, chosen=mentors[1], rank=1, by=mentee.user)


def test_removing_moves_the_others_up_and_twice_is_harmless(mentee, mentors):
    for mentor in mentors[:3]:
        add(mentee, mentor)
    remove_preference(chooser=mentee, chosen=mentors[0], by=mentee.user)
    assert listed(mentee) == [mentors[1].pk, mentors[2].pk]
    assert list(Preference.objects.filter(chooser=mentee).values_list("rank", flat=True)) == [1, 2]
    remove_preference(chooser=mentee, chosen=mentors[0], by=mentee.user)
    assert listed(mentee) == [mentors[1].pk, mentors[2].pk]


def test_a_removed_place_can_be_filled_again(mentee, mentors):
    for mentor in mentors[:5]:
        add(mentee, mentor)
    remove_preference(chooser=mentee, chosen=mentors[1], by=mentee.user)
    assert add(mentee, mentors[5]).rank == 5


def test_reordering_and_removing_stop_when_the_window_closes(mentee, mentors, cohort):
    add(mentee, mentors[0])
    add(mentee, mentors[1])
    later = cohort.preferences_close_at + timedelta(minutes=1)
    with pytest.raises(ValidationError, match="have closed"):
        move_preference(chooser=mentee, chosen=mentors[1], rank=1, by=mentee.user, now=later)
    with pytest.raises(ValidationError, match="have closed"):
        remove_preference(chooser=mentee, chosen=mentors[1], by=mentee.user, now=later)
    assert listed(mentee) == [mentors[0].pk, mentors[1].pk]


# --- Mentors ------------------------------------------------------------------


def test_mentors_rank_only_when_the_cohort_lets_them(mentee, mentors):
    add(mentee, mentors[0])
    with pytest.raises(ValidationError, match="only mentees choose"):
        add(mentors[0], mentee)


def test_mentors_rank_the_mentees_who_listed_them():
    cohort = window_cohort(has_mentor_preferences=True)
    mentor = enroll(cohort, Role.MENTOR)
    keen, other = enroll(cohort, Role.MENTEE), enroll(cohort, Role.MENTEE)
    add(keen, mentor)
    assert add(mentor, keen).rank == 1
    with pytest.raises(ValidationError, match="mentees who listed you"):
        add(mentor, other)


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 5, 11, 21)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "5th",
        "11th",
        "21st",
    ]
