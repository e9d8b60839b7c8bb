"""Cohort-wide matching with stated choices: small hand-built cohorts where the fit alone
gives one pair and the stated choices another."""

from typing import Any

import numpy as np
import pytest

from matching.models import (
    Cohort,
    Enrollment,
    MatchMode,
    MatchRun,
    MatchRunStatus,
    MatchWeights,
    Preference,
    Role,
)
from matching.reasons import all_in_words, in_words
from matching.services import runs
from matching.services.preferences import StatedPreferences
from profiles.models import SkillKind
from profiles.services import SkillEntry, set_skills
from tests.matching.test_preferences import add, window_cohort
from tests.programmes.people import enroll

pytestmark = pytest.mark.django_db


def person(cohort: Cohort, role: Role, name: str, skill: str, **profile: Any) -> Enrollment:
    """Mentees learn ``skill``, mentors teach it: the same skill is the close fit."""
    enrollment = enroll(cohort, role, display_name=name, mentor_capacity=1, **profile)
    kind = SkillKind.LEARN if role == Role.MENTEE else SkillKind.EXPERTISE
    set_skills(profile=enrollment.user.profile, kind=kind, entries=[SkillEntry(skill, 3)])
    return enrollment


def pairs_of(cohort: Cohort, mode: str) -> dict[str, str]:
    """Run the cohort's matching; mentee name -> mentor name."""
    run = MatchRun.objects.create(cohort=cohort, mode=mode)
    assert runs.execute_run(run_id=run.pk).startswith("draft")
    run.refresh_from_db()
    assert run.status == MatchRunStatus.DRAFT
    return {
        p.mentee_enrollment.user.get_full_name(): p.mentor_enrollment.user.get_full_name()
        for p in run.pairs.select_related(
            "mentee_enrollment__user__profile", "mentor_enrollment__user__profile"
        )
    }


def set_bonus(cohort: Cohort, bonus: float) -> None:
    MatchWeights.objects.create(cohort=cohort, version=1, preference_bonus=bonus)


@pytest.fixture
def one_mentee():
    """Mia wants Python; Paul teaches Python (the close fit), Greta gardening."""
    cohort = window_cohort()
    mia = person(cohort, Role.MENTEE, "Mia", "Python")
    paul = person(cohort, Role.MENTOR, "Paul", "Python")
    greta = person(cohort, Role.MENTOR, "Greta", "Gardening")
    return cohort, mia, paul, greta


@pytest.mark.parametrize("mode", [MatchMode.STABLE, MatchMode.OPTIMAL])
def test_without_choices_the_fit_decides(one_mentee, mode):
    cohort, *_ = one_mentee
    set_bonus(cohort, 5.0)
    assert pairs_of(cohort, mode) == {"Mia": "Paul"}


def test_stable_puts_a_stated_choice_first(one_mentee):
    cohort, mia, paul, greta = one_mentee
    add(mia, greta)
    add(mia, paul)
    assert pairs_of(cohort, MatchMode.STABLE) == {"Mia": "Greta"}


def test_optimal_with_a_big_bonus_gives_the_stated_choice(one_mentee):
    cohort, mia, _, greta = one_mentee
    set_bonus(cohort, 2.0)
    add(mia, greta)
    assert pairs_of(cohort, MatchMode.OPTIMAL) == {"Mia": "Greta"}


def test_optimal_with_no_bonus_ignores_stated_choices(one_mentee):
    cohort, mia, _, greta = one_mentee
    set_bonus(cohort, 0.0)
    add(mia, greta)
    assert pairs_of(cohort, MatchMode.OPTIMAL) == {"Mia": "Paul"}


def test_the_draft_says_who_chose_and_keeps_the_real_fit(one_mentee):
    cohort, mia, _, greta = one_mentee
    add(mia, greta)
    run = MatchRun.objects.create(cohort=cohort, mode=MatchMode.STABLE)
    runs.execute_run(run_id=run.pk)
    run.refresh_from_db()
    pair = run.pairs.get()
    assert pair.mentor_enrollment == greta
    assert in_words(pair.reasons[0]) == "Chosen by the mentee (1st choice)"
    # The stored score is the fit, not the fit lifted by the choice.
    assert 0 <= pair.score <= 1
    assert run.metrics["total_score"] == pytest.approx(pair.score)
    assert run.metrics["stated_choosers"] == 1
    assert run.metrics["stated_choices_honoured"] == 1


@pytest.mark.parametrize("mode", [MatchMode.STABLE, MatchMode.OPTIMAL])
def test_a_stated_pair_the_engine_forbids_is_never_made(one_mentee, mode):
    cohort, mia, *_ = one_mentee
    set_bonus(cohort, 100.0)
    # Stated while allowed; Fanny's languages changed since (no shared language now).
    fanny = person(cohort, Role.MENTOR, "Fanny", "Python", languages=["fr"])
    Preference.objects.create(cohort=cohort, chooser=mia, chosen=fanny, rank=1)
    assert pairs_of(cohort, mode) == {"Mia": "Paul"}


@pytest.fixture
def one_mentor():
    """Paul teaches Python, one place; Ada wants Python (the close fit), Ben gardening.
    Both listed Paul first."""
    cohort = window_cohort()
    paul = person(cohort, Role.MENTOR, "Paul", "Python")
    ada = person(cohort, Role.MENTEE, "Ada", "Python")
    ben = person(cohort, Role.MENTEE, "Ben", "Gardening")
    add(ada, paul)
    add(ben, paul)
    return cohort, paul, ada, ben


def test_mentors_go_by_fit_when_they_do_not_rank(one_mentor):
    cohort, paul, _, ben = one_mentor
    # Even a mentor's choice stored earlier counts only while the cohort lets them rank.
    Preference.objects.create(cohort=cohort, chooser=paul, chosen=ben, rank=1)
    assert pairs_of(cohort, MatchMode.STABLE) == {"Ada": "Paul"}


def test_stable_follows_the_mentors_order_when_mentors_rank(one_mentor):
    cohort, paul, _, ben = one_mentor
    Cohort.objects.filter(pk=cohort.pk).update(has_mentor_preferences=True)
    cohort.refresh_from_db()
    add(paul, ben)
    assert pairs_of(cohort, MatchMode.STABLE) == {"Ben": "Paul"}
    run = MatchRun.objects.filter(cohort=cohort).latest("pk")
    assert all_in_words(run.pairs.get().reasons[:2]) == [
        "Chosen by the mentee (1st choice)",
        "Chosen by the mentor (1st choice)",
    ]


def test_optimal_counts_the_mentors_choice_as_a_bonus(one_mentor):
    cohort, paul, _, ben = one_mentor
    Cohort.objects.filter(pk=cohort.pk).update(has_mentor_preferences=True)
    cohort.refresh_from_db()
    set_bonus(cohort, 2.0)
    add(paul, ben)
    assert pairs_of(cohort, MatchMode.OPTIMAL) == {"Ben": "Paul"}


# --- The hook on its own ----------------------------------------------------------------


def _stated(**kwargs: Any) -> StatedPreferences:
    scores = np.array([[0.9, 0.5, 0.1], [0.2, 0.8, 0.7]], dtype=np.float32)
    empty = (np.empty(0, np.int64),) * 3
    defaults: dict[str, Any] = {
        "scores": scores,
        "allowed": np.ones_like(scores, dtype=bool),
        "bonus": 0.5,
        "by_mentees": empty,
        "by_mentors": empty,
    }
    return StatedPreferences(**(defaults | kwargs))


def test_no_choices_leave_the_engine_its_scores():
    stated = _stated()
    assert stated.mentee_scores(MatchMode.STABLE) is stated.scores
    assert stated.mentee_scores(MatchMode.OPTIMAL) is stated.scores
    assert stated.mentor_scores(MatchMode.STABLE) is None


def test_stable_order_is_choices_by_rank_then_fit():
    # Mentee 0 chose mentor 2 first and mentor 1 second.
    stated = _stated(by_mentees=(np.array([0, 0]), np.array([2, 1]), np.array([1, 2])))
    order = np.argsort(-stated.mentee_scores(MatchMode.STABLE), axis=1)
    assert order[0].tolist() == [2, 1, 0]
    assert order[1].tolist() == [1, 2, 0]  # stated nothing: by fit
    assert stated.scores[0, 2] == pytest.approx(0.1)  # the real scores are untouched


def test_optimal_bonus_shrinks_with_the_rank():
    stated = _stated(by_mentees=(np.array([0, 1]), np.array([2, 0]), np.array([1, 5])))
    boosted = stated.mentee_scores(MatchMode.OPTIMAL)
    assert boosted[0, 2] == pytest.approx(0.1 + 0.5)
    assert boosted[1, 0] == pytest.approx(0.2 + 0.5 * 0.2)
    assert boosted[0, 0] == pytest.approx(0.9)
