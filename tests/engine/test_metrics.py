import math

import numpy as np
import pytest

from matching.engine.metrics import assignment_metrics, price_of_stability

# Mentee 0 sits with mentor 1 but both it and mentor 0 would rather be together; mentee 2
# is unmatched and mentor 1 prefers it to mentee 0.
SCORES = np.array([[0.9, 0.1], [0.8, 0.7], [0.5, 0.6]])
ASSIGNMENT = np.array([1, 0, -1])


def brute_force_blocking_pairs(
    assignment: np.ndarray,
    scores: np.ndarray,
    caps: np.ndarray,
    allowed: np.ndarray | None,
    mentor_scores: np.ndarray,
) -> int:
    n, m = scores.shape
    count = 0
    for i in range(n):
        for j in range(m):
            if (allowed is not None and not allowed[i, j]) or assignment[i] == j:
                continue
            mentee_wants = assignment[i] < 0 or scores[i, j] > scores[i, assignment[i]]
            held = np.flatnonzero(assignment == j)
            mentor_wants = held.size < caps[j] or any(
                mentor_scores[i, j] > mentor_scores[h, j] for h in held
            )
            count += bool(mentee_wants and mentor_wants)
    return count


def test_hand_built_example() -> None:
    metrics = assignment_metrics(ASSIGNMENT, SCORES, [1, 1])
    assert metrics["coverage"] == pytest.approx(2 / 3)
    assert metrics["matched"] == 2
    assert metrics["total_score"] == pytest.approx(0.9)
    assert metrics["min_score"] == pytest.approx(0.1)
    assert metrics["p10_score"] == pytest.approx(0.1 + 0.1 * (0.8 - 0.1))
    # (0, 0): mentee 0 prefers mentor 0, which prefers it to mentee 1.
    # (2, 1): unmatched mentee 2; mentor 1 prefers it (0.6) to mentee 0 (0.1).
    assert metrics["blocking_pairs"] == 2
    assert metrics["load_std"] == 0.0
    assert metrics["load_max_minus_min"] == 0.0


def test_disallowed_pairs_never_block() -> None:
    allowed = np.array([[False, True], [True, True], [True, True]])
    assert assignment_metrics(ASSIGNMENT, SCORES, [1, 1], allowed)["blocking_pairs"] == 1


def test_mentors_judge_by_mentor_scores() -> None:
    mentor_scores = SCORES.copy()
    mentor_scores[:, 1] = [0.9, 0.0, 0.2]  # mentor 1 now prefers its mentee 0 to mentee 2
    metrics = assignment_metrics(ASSIGNMENT, SCORES, [1, 1], mentor_scores=mentor_scores)
    assert metrics["blocking_pairs"] == 1


def test_a_free_place_makes_any_interested_mentee_block() -> None:
    mentor_scores = SCORES.copy()
    mentor_scores[:, 1] = [0.9, 0.0, 0.2]
    # With a second place, mentor 1 takes mentee 2 although it ranks it below mentee 0.
    metrics = assignment_metrics(ASSIGNMENT, SCORES, [1, 2], mentor_scores=mentor_scores)
    assert metrics["blocking_pairs"] == 2


def test_load_spread_counts_only_mentors_with_capacity() -> None:
    scores = np.ones((3, 3))
    metrics = assignment_metrics([0, 0, 1], scores, [2, 4, 0])
    # Utilisation 2/2 and 1/4; the mentor without capacity is left out.
    assert metrics["load_std"] == pytest.approx(0.375)
    assert metrics["load_max_minus_min"] == pytest.approx(0.75)


def test_nobody_matched() -> None:
    metrics = assignment_metrics([-1, -1], np.ones((2, 1)), [0])
    assert metrics["coverage"] == 0.0
    assert metrics["matched"] == 0
    assert metrics["total_score"] == 0.0
    assert math.isnan(metrics["min_score"])
    assert math.isnan(metrics["p10_score"])
    assert metrics["blocking_pairs"] == 0
    assert metrics["load_std"] == 0.0
    assert metrics["load_max_minus_min"] == 0.0


def test_no_mentees_counts_as_full_coverage() -> None:
    metrics = assignment_metrics(np.zeros(0, dtype=int), np.zeros((0, 2)), [1, 1])
    assert metrics["coverage"] == 1.0
    assert metrics["matched"] == 0


@pytest.mark.parametrize("seed", range(30))
def test_blocking_pairs_match_a_brute_force_count(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 25)), int(rng.integers(1, 7))
    scores = rng.integers(0, 4, (n, m)).astype(float)  # ties must not count as blocking
    mentor_scores = rng.integers(0, 4, (n, m)).astype(float) if seed % 2 else scores
    caps = rng.integers(0, 4, m)
    allowed = None if seed % 3 == 0 else rng.random((n, m)) < 0.7
    # A random feasible assignment: each mentee tries one random mentor with room.
    assignment = np.full(n, -1)
    load = np.zeros(m, dtype=int)
    for i in range(n):
        j = int(rng.integers(0, m))
        if rng.random() < 0.8 and load[j] < caps[j] and (allowed is None or allowed[i, j]):
            assignment[i] = j
            load[j] += 1
    got = assignment_metrics(assignment, scores, caps, allowed, mentor_scores)
    want = brute_force_blocking_pairs(assignment, scores, caps, allowed, mentor_scores)
    assert got["blocking_pairs"] == want


def test_price_of_stability() -> None:
    assert price_of_stability(90.0, 100.0) == pytest.approx(0.9)
    assert price_of_stability(0.0, 0.0) == 1.0
    assert price_of_stability(5.0, 0.0) == 1.0


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ([0, 1], "one entry per mentee"),
        ([0, 1, 2], "mentor index below 2"),
        ([0, 1, -2], "-1 or a mentor index"),
        ([0.0, 1.0, -1.0], "integers"),
    ],
)
def test_rejects_bad_assignments(assignment: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assignment_metrics(assignment, SCORES, [1, 1])


def test_rejects_bad_scores_and_capacities() -> None:
    with pytest.raises(ValueError, match="2-D"):
        assignment_metrics(ASSIGNMENT, SCORES[0], [1, 1])
    with pytest.raises(ValueError, match="one entry per mentor"):
        assignment_metrics(ASSIGNMENT, SCORES, [1])
    with pytest.raises(ValueError, match="NaN"):
        assignment_metrics(ASSIGNMENT, np.where(SCORES > 0.85, np.nan, SCORES), [1, 1])
    with pytest.raises(ValueError, match="mentor_scores must have shape"):
        assignment_metrics(ASSIGNMENT, SCORES, [1, 1], mentor_scores=np.ones((2, 2)))
