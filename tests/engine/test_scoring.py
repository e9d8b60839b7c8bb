"""The scoring engine: vectorised score() against the plain-Python yardstick, each
component on hand-built pairs, the hard constraints, and the input checks."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from matching.engine import scoring
from matching.engine.scoring import (
    COMPONENTS,
    People,
    Weights,
    components,
    reference_score,
    score,
)

N_SKILLS = 6
N_TERMS = 16
N_LANGUAGES = 3


def people(n: int, **given: object) -> People:
    """n people with plain defaults (English, video, 4 h, UTC, no skills); override any field."""
    fields: dict[str, object] = {
        "skills": np.zeros((n, N_SKILLS), dtype=np.float32),
        "text": sparse.csr_matrix((n, N_TERMS), dtype=np.float32),
        "industry": np.full(n, -1),
        "years": np.zeros(n),
        "utc_offset": np.zeros(n),
        "formats": np.tile([True, False, False, False], (n, 1)),
        "hours": np.full(n, 4.0),
        "languages": np.tile([True, False, False], (n, 1)),
        "region": np.full(n, -1),
        "organisation": np.full(n, -1),
        "person": np.arange(n) + (0 if given.pop("mentors", False) else 1000),
        "broaden": np.zeros(n, dtype=bool),
    }
    fields.update(given)
    return People(**fields)


def text_rows(*rows: dict[int, float]) -> sparse.csr_matrix:
    """Sparse text rows from {term: weight}, L2-normalised like the real features."""
    dense = np.zeros((len(rows), N_TERMS))
    for i, row in enumerate(rows):
        for term, value in row.items():
            dense[i, term] = value
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return sparse.csr_matrix(dense / np.where(norms > 0, norms, 1), dtype=np.float32)


def one_pair(
    mentee: dict[str, object], mentor: dict[str, object], weights: Weights | None = None
) -> dict[str, float]:
    """components() of a single hand-built mentee and mentor."""
    a = people(1, **{k: np.asarray([v]) for k, v in mentee.items()})
    b = people(1, mentors=True, **{k: np.asarray([v]) for k, v in mentor.items()})
    parts = components(a, b, weights or Weights(), np.array([0]), np.array([0]))
    return {name: float(value[0]) for name, value in parts.items()}


def random_instance(seed: int, n: int = 23, m: int = 11) -> dict[str, object]:
    """A small cohort that exercises every feature, including every odd corner."""
    rng = np.random.default_rng(seed)

    def side(k: int, *, mentors: bool) -> People:
        skills = rng.choice([0, 0, 0, 1, 2, 3], size=(k, N_SKILLS)).astype(np.float32)
        if mentors:
            # Expertise may be fractional (an average of endorsements, say).
            skills[rng.random((k, N_SKILLS)) < 0.2] = 1.5
        else:
            skills[rng.random(k) < 0.2] = 0  # nothing wanted yet
        dense = rng.random((k, N_TERMS)) * (rng.random((k, N_TERMS)) < 0.3)
        dense[rng.random(k) < 0.15] = 0  # no text at all
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        formats = rng.random((k, 4)) < 0.5
        formats[rng.random(k) < 0.2] = False
        languages = rng.random((k, N_LANGUAGES)) < 0.5
        return People(
            skills=skills,
            text=sparse.csr_matrix(dense / np.where(norms > 0, norms, 1), dtype=np.float32),
            industry=rng.integers(-1, 4, k),
            # Continuous years and odd offsets: many distinct values per block.
            years=np.round(rng.uniform(0, 35, k), 2),
            utc_offset=rng.choice([-12, -11, -8, -3.5, 0, 1, 5.5, 5.75, 9, 12, 14], k),
            formats=formats,
            hours=rng.choice([0, 0.5, 1, 2, 4, 7.5, 10], k),
            languages=languages,
            region=rng.integers(-1, 3, k),
            organisation=rng.integers(-1, 3, k),
            person=np.arange(k) + (10_000 if mentors else 0),
            broaden=(rng.random(k) < 0.4) if not mentors else np.zeros(k, dtype=bool),
        )

    mentees, mentors = side(n, mentors=False), side(m, mentors=True)
    # Two mentors are also mentees of the same programme.
    person = mentors.person.copy()
    person[[0, 3]] = mentees.person[[0, n - 1]]
    mentors = People(**{**mentors.__dict__, "person": person})
    values = rng.random(8) * (rng.random(8) < 0.8)
    values[rng.integers(0, 8)] += 0.1  # never all zero
    lo = float(rng.choice([0.0, 2.0, 3.0]))
    weights = Weights(
        **dict(zip(COMPONENTS, values.tolist(), strict=True)),
        experience_min_gap=lo,
        experience_max_gap=lo + float(rng.choice([0.0, 5.0, 12.0])),
    )
    return {
        "mentees": mentees,
        "mentors": mentors,
        "weights": weights,
        "free_places": rng.choice([0, 1, 2], m, p=[0.2, 0.4, 0.4]),
        "blocked": np.stack([rng.integers(0, n, 6), rng.integers(0, m, 6)], axis=1),
        "block_same_organisation": bool(seed % 2),
    }


# --- score() against the yardstick ------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_score_matches_reference_on_random_instances(seed):
    case = random_instance(seed)
    expected, expected_allowed = reference_score(**case)
    for block_size in (2048, 5, 1):
        total, allowed = score(**case, block_size=block_size)
        assert total.dtype == np.float32
        assert total.shape == (23, 11)
        np.testing.assert_array_equal(allowed, expected_allowed)
        np.testing.assert_allclose(total, expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("n", [1, 3])
def test_score_of_a_few_mentees_matches_reference(n):
    # Up to a handful of mentees take a different route for the text (one mentee's top 10).
    case = random_instance(11, n=n, m=30)
    case["blocked"] = None
    expected, expected_allowed = reference_score(**case)
    total, allowed = score(**case)
    np.testing.assert_array_equal(allowed, expected_allowed)
    np.testing.assert_allclose(total, expected, atol=1e-6, rtol=0)


@pytest.mark.parametrize("seed", range(3))
def test_attributes_with_many_distinct_values_match_reference(monkeypatch, seed):
    # Continuous years, offsets or hours get their lookup tables per block instead of in
    # the shared dense factor; force that route on a small instance.
    monkeypatch.setattr(scoring, "_MAX_LOOKUP_ROWS", 3)
    case = random_instance(seed)
    expected, expected_allowed = reference_score(**case)
    for block_size in (2048, 4):
        total, allowed = score(**case, block_size=block_size)
        np.testing.assert_array_equal(allowed, expected_allowed)
        np.testing.assert_allclose(total, expected, atol=1e-6, rtol=0)


def test_random_instances_cover_every_corner():
    # Guards the test above: the instances really contain the awkward cases.
    case = random_instance(0)
    mentees, mentors = case["mentees"], case["mentors"]
    _, allowed = reference_score(**case)
    assert mentees.broaden.any() and not mentees.broaden.all()
    assert (mentees.industry == -1).any() and (mentees.region == -1).any()
    assert (mentees.organisation == -1).any()
    assert ((mentees.skills > 0).sum(axis=1) == 0).any()
    assert (mentees.formats.sum(axis=1) == 0).any()
    assert (case["free_places"] == 0).any()
    assert np.isin(mentors.person, mentees.person).any()
    assert allowed.any() and not allowed.all()


def test_scores_lie_in_unit_interval_and_disallowed_pairs_score_zero():
    total, allowed = score(**random_instance(3))
    assert total.min() >= 0 and total.max() <= 1
    assert (total[~allowed] == 0).all()


def test_perfect_match_scores_one():
    mentee = people(
        1,
        skills=np.array([[3, 0, 0, 0, 0, 0]]),
        text=text_rows({1: 1.0}),
        industry=np.array([2]),
        years=np.array([2.0]),
    )
    mentor = people(
        1,
        mentors=True,
        skills=np.array([[3, 0, 0, 0, 0, 0]]),
        text=text_rows({1: 1.0}),
        industry=np.array([2]),
        years=np.array([10.0]),
    )
    total, allowed = score(mentee, mentor, Weights(), free_places=np.array([1]))
    assert allowed[0, 0]
    assert total[0, 0] == pytest.approx(1.0, abs=1e-6)


def test_components_total_matches_score_for_allowed_pairs():
    case = random_instance(5)
    total, allowed = score(**case)
    rows, cols = np.nonzero(allowed)
    parts = components(case["mentees"], case["mentors"], case["weights"], rows, cols)
    assert set(parts) == {*COMPONENTS, "total"}
    np.testing.assert_allclose(parts["total"], total[rows, cols], atol=1e-6, rtol=0)
    for name in COMPONENTS:
        assert parts[name].shape == rows.shape
        assert parts[name].min() >= 0 and parts[name].max() <= 1


def test_components_of_no_pairs_are_empty():
    case = random_instance(1)
    parts = components(case["mentees"], case["mentors"], case["weights"], [], [])
    assert all(len(values) == 0 for values in parts.values())


def test_scoring_nobody_gives_empty_matrices():
    mentors = people(3, mentors=True)
    total, allowed = score(people(0), mentors, Weights(), free_places=np.ones(3))
    assert total.shape == allowed.shape == (0, 3)


# --- components on hand-built pairs -----------------------------------------------------


PYTHON, SQL = 0, 1


@pytest.mark.parametrize(
    ("wanted", "offered", "expected"),
    [
        ({PYTHON: 3}, {PYTHON: 2}, 2 / 3),
        ({PYTHON: 2}, {PYTHON: 3}, 1.0),  # more expertise than needed still counts as 1
        ({PYTHON: 3, SQL: 1}, {PYTHON: 3}, 0.5),
        ({PYTHON: 1, SQL: 2}, {PYTHON: 1, SQL: 1}, (1 + 0.5) / 2),
        ({}, {PYTHON: 3}, 0.0),  # nothing wanted: no skill match to speak of
    ],
)
def test_skills_component_is_level_aware(wanted, offered, expected):
    def levels(by_skill: dict[int, int]) -> np.ndarray:
        row = np.zeros(N_SKILLS)
        for skill, level in by_skill.items():
            row[skill] = level
        return row

    parts = one_pair({"skills": levels(wanted)}, {"skills": levels(offered)})
    assert parts["skills"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"),
    [
        (1.0, 9.0, 0.0),  # Berlin and Tokyo: no shared working hours
        (1.0, 1.0, 1.0),
        (12.0, -11.0, 7 / 8),  # across the date line they are only an hour apart
        (14.0, -12.0, 6 / 8),  # 26 hours apart is 2 hours apart
        (5.5, 1.0, 3.5 / 8),
        (-5.0, 1.0, 2 / 8),  # New York and Berlin
    ],
)
def test_timezone_component_is_working_day_overlap(mentee, mentor, expected):
    parts = one_pair({"utc_offset": mentee}, {"utc_offset": mentor})
    assert parts["timezone"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("gap", "expected"),
    [
        (-2.0, 0.0),  # mentor behind the mentee
        (0.0, 0.0),
        (1.5, 0.5),
        (3.0, 1.0),  # band edges count as inside
        (9.0, 1.0),
        (15.0, 1.0),
        (22.5, 0.5),
        (30.0, 0.0),
        (40.0, 0.0),
    ],
)
def test_experience_component_has_a_band(gap, expected):
    parts = one_pair({"years": 5.0}, {"years": 5.0 + gap})
    assert parts["experience"] == pytest.approx(expected)


@pytest.mark.parametrize(("gap", "expected"), [(-1.0, 0.0), (0.0, 1.0), (4.0, 1.0), (6.0, 0.5)])
def test_experience_with_zero_min_gap_accepts_any_mentor_not_behind(gap, expected):
    weights = Weights(experience_min_gap=0, experience_max_gap=4)
    parts = one_pair({"years": 1.0}, {"years": 1.0 + gap}, weights)
    assert parts["experience"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"),
    [(3, 3, 1.0), (3, 4, 0.0), (-1, -1, 0.0), (-1, 2, 0.0)],
)
def test_industry_component_needs_the_same_known_industry(mentee, mentor, expected):
    parts = one_pair({"industry": mentee}, {"industry": mentor})
    assert parts["industry"] == expected


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"),
    [
        ([1, 1, 0, 0], [0, 1, 0, 0], 0.5),
        ([1, 0, 0, 0], [1, 1, 1, 1], 1.0),
        ([0, 0, 1, 1], [1, 1, 0, 0], 0.0),
        ([0, 0, 0, 0], [1, 1, 1, 1], 0.0),  # mentee chose no format
    ],
)
def test_format_component_is_share_of_mentee_formats(mentee, mentor, expected):
    parts = one_pair({"formats": np.array(mentee, bool)}, {"formats": np.array(mentor, bool)})
    assert parts["format"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"), [(4, 2, 0.5), (4, 10, 1.0), (0, 0.5, 0.5), (2, 0, 0.0)]
)
def test_availability_component_compares_hours(mentee, mentor, expected):
    parts = one_pair({"hours": float(mentee)}, {"hours": float(mentor)})
    assert parts["availability"] == pytest.approx(expected)


def test_goals_component_is_cosine_of_texts():
    a = people(1, text=text_rows({0: 1.0, 1: 1.0}))
    b = people(2, mentors=True, text=text_rows({1: 1.0, 2: 1.0}, {5: 1.0}))
    parts = components(a, b, Weights(), np.array([0, 0]), np.array([0, 1]))
    np.testing.assert_allclose(parts["goals"], [0.5, 0.0], atol=1e-6)


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"),
    [
        ((1, 0), (1, 1), 1.0),  # same industry, another region
        ((1, 0), (2, 0), 1.0),  # another industry, same region
        ((1, 0), (1, 0), 0.0),
        ((1, -1), (1, 2), 0.0),  # region unknown: cannot tell it is different
        ((-1, 0), (3, 0), 0.0),  # industry unknown
    ],
)
def test_broaden_component_rewards_a_different_industry_or_region(mentee, mentor, expected):
    parts = one_pair(
        {"industry": mentee[0], "region": mentee[1], "broaden": True},
        {"industry": mentor[0], "region": mentor[1]},
    )
    assert parts["broaden"] == expected


def test_broaden_is_zero_for_mentees_who_did_not_ask():
    parts = one_pair({"industry": 1, "region": 0}, {"industry": 2, "region": 1})
    assert parts["broaden"] == 0.0


def test_broaden_mentees_trade_the_industry_weight_for_the_broaden_weight():
    weights = Weights(
        skills=0, goals=0, industry=0.5, experience=0, timezone=0.25, format=0,
        availability=0, broaden=0.25,
    )  # fmt: skip
    same = {"industry": 1, "region": 0, "utc_offset": 0.0}
    other = {"industry": 2, "region": 0, "utc_offset": 4.0}  # timezone 0.5
    # Not broadening: (0.5 * industry 0 + 0.25 * timezone 0.5) / 0.75.
    assert one_pair(same, other, weights)["total"] == pytest.approx(0.125 / 0.75)
    # Broadening: (0.25 * broaden 1 + 0.25 * timezone 0.5) / 0.5; industry does not count.
    assert one_pair({**same, "broaden": True}, other, weights)["total"] == pytest.approx(0.75)


def test_total_is_zero_when_no_weight_applies_to_the_mentee():
    weights = Weights(**dict.fromkeys(COMPONENTS, 0.0) | {"industry": 1.0})
    mentee = {"industry": 1, "broaden": True}
    assert one_pair(mentee, {"industry": 1}, weights)["total"] == 0.0
    total, _ = score(
        people(1, industry=np.array([1]), broaden=np.array([True])),
        people(1, mentors=True, industry=np.array([1])),
        weights,
        free_places=np.array([1]),
    )
    assert total[0, 0] == 0.0


# --- Hard constraints ------------------------------------------------------------------


def allowed_for(mentee: dict, mentor: dict, **kwargs: object) -> bool:
    a = people(1, **{k: np.asarray([v]) for k, v in mentee.items()})
    b = people(1, mentors=True, **{k: np.asarray([v]) for k, v in mentor.items()})
    kwargs.setdefault("free_places", np.array([1]))
    _, allowed = score(a, b, Weights(), **kwargs)
    return bool(allowed[0, 0])


def test_a_plain_pair_is_allowed():
    assert allowed_for({}, {})


def test_pairs_without_a_shared_language_are_not_allowed():
    assert not allowed_for({"languages": [True, False, False]}, {"languages": [False, True, True]})
    assert allowed_for({"languages": [True, True, False]}, {"languages": [False, True, True]})


def test_mentors_without_free_places_are_not_allowed():
    assert not allowed_for({}, {}, free_places=np.array([0]))


def test_nobody_is_matched_with_themselves():
    assert not allowed_for({"person": 7}, {"person": 7})


def test_blocked_pairs_are_not_allowed():
    assert not allowed_for({}, {}, blocked=np.array([[0, 0]]))
    assert allowed_for({}, {}, blocked=np.zeros((0, 2), dtype=int))


def test_same_organisation_is_blocked_only_when_asked():
    colleagues = ({"organisation": 4}, {"organisation": 4})
    assert allowed_for(*colleagues)
    assert not allowed_for(*colleagues, block_same_organisation=True)
    strangers = ({"organisation": -1}, {"organisation": -1})  # unknown is not "the same"
    assert allowed_for(*strangers, block_same_organisation=True)


# --- Input checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"skills": -0.1}, "must be a finite number >= 0"),
        ({"goals": float("nan")}, "must be a finite number >= 0"),
        ({"timezone": float("inf")}, "must be a finite number >= 0"),
        (dict.fromkeys(COMPONENTS, 0.0), "At least one component weight"),
        ({"experience_min_gap": -1.0}, "must be a finite number >= 0"),
        ({"experience_min_gap": 5.0, "experience_max_gap": 4.0}, "must not exceed"),
    ],
)
def test_invalid_weights_are_rejected(given, message):
    with pytest.raises(ValueError, match=message):
        Weights(**given)


def test_weights_round_trip_through_as_dict():
    weights = Weights(skills=0.5, experience_max_gap=20)
    assert Weights(**weights.as_dict()) == weights
    assert set(COMPONENTS) <= set(weights.as_dict())


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"industry": np.zeros(3)}, r"People.industry must have shape \(2,\)"),
        ({"formats": np.zeros((2, 3), bool)}, r"People.formats must have shape \(2, 4\)"),
        ({"skills": np.zeros(2)}, "must be 2-D"),
        ({"skills": np.full((2, N_SKILLS), 4.0)}, r"levels must lie in \[0, 3\]"),
        ({"text": sparse.csr_matrix((3, N_TERMS))}, "must have 2 rows"),
        ({"text": np.zeros((2, N_TERMS))}, "scipy.sparse"),
        ({"text": sparse.csr_matrix(np.full((2, N_TERMS), 1.0))}, "L2-normalised"),
        ({"text": sparse.csr_matrix(np.full((2, N_TERMS), -0.25))}, "non-negative"),
        ({"years": np.array([1.0, np.nan])}, "years must be finite"),
        ({"hours": np.array([1.0, -1.0])}, "hours must not be negative"),
    ],
)
def test_malformed_people_are_rejected(given, message):
    with pytest.raises(ValueError, match=message):
        people(2, **given)


def test_mentees_and_mentors_must_share_vocabularies():
    mentees = people(2)
    mentors = people(
        2, mentors=True, skills=np.zeros((2, N_SKILLS + 1)), languages=np.ones((2, 3), bool)
    )
    with pytest.raises(ValueError, match="same skills: skills has 6 columns for mentees and 7"):
        score(mentees, mentors, Weights(), free_places=np.ones(2))
    with pytest.raises(ValueError, match="same skills"):
        components(mentees, mentors, Weights(), [0], [0])


def test_mentee_levels_must_be_whole():
    mentees = people(1, skills=np.full((1, N_SKILLS), 1.5))
    with pytest.raises(ValueError, match="whole numbers"):
        score(mentees, people(1, mentors=True), Weights(), free_places=np.ones(1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"free_places": np.ones(4)}, r"free_places must have shape \(3,\)"),
        ({"blocked": np.array([1, 2])}, r"blocked must have shape \(k, 2\)"),
        ({"blocked": np.array([[0, 3]])}, r"must index a \(2, 3\) score matrix"),
        ({"blocked": np.array([[-1, 0]])}, "must index"),
        ({"blocked": np.array([[0.0, 1.0]])}, "integer"),
        ({"block_size": 0}, "block_size must be at least 1"),
    ],
)
def test_bad_constraints_are_rejected(kwargs, message):
    kwargs.setdefault("free_places", np.ones(3))
    with pytest.raises(ValueError, match=message):
        score(people(2), people(3, mentors=True), Weights(), **kwargs)


def test_components_reject_mismatched_pairs():
    mentees, mentors = people(2), people(3, mentors=True)
    with pytest.raises(ValueError, match="same length"):
        components(mentees, mentors, Weights(), [0, 1], [0])
    with pytest.raises(ValueError, match=r"must index a \(2, 3\) score matrix"):
        components(mentees, mentors, Weights(), [2], [0])


def test_take_selects_rows_in_order():
    case = random_instance(2)
    picked = case["mentees"].take([4, 1])
    assert len(picked) == 2
    np.testing.assert_array_equal(picked.years, case["mentees"].years[[4, 1]])
    np.testing.assert_array_equal(picked.text.toarray(), case["mentees"].text[[4, 1]].toarray())


def test_engine_imports_nothing_from_django():
    code = (
        "import sys, matching.engine.scoring;"
        "print(any(m.startswith('django') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
