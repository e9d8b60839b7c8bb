import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from matching.engine.metrics import assignment_metrics

# `matching.engine.assign` is also the name of the function re-exported by the package, so
# the module is fetched explicitly to reach its tuning knobs.
assign_module = importlib.import_module("matching.engine.assign")
assign = assign_module.assign

HR_REFERENCE = Path(__file__).with_name("hr_reference.py")


def random_instance(
    rng: np.random.Generator, n: int, m: int, max_cap: int, with_mask: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    scores = rng.normal(size=(n, m))
    caps = rng.integers(0, max_cap + 1, m)
    allowed = rng.random((n, m)) < rng.uniform(0.2, 1.0) if with_mask else None
    return scores, caps, allowed


def exact_optimum(
    scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray | None
) -> tuple[int, float]:
    """(matched, total) of the best maximum-cardinality assignment, by brute-force LSA.

    Every mentor is expanded into one column per place; a used allowed pair earns `big`
    on top of its score, with `big` larger than any score total, so cardinality comes first.
    """
    n, m = scores.shape
    ok = np.ones((n, m), dtype=bool) if allowed is None else allowed
    slot_mentor = np.repeat(np.arange(m), caps)
    if n == 0 or slot_mentor.size == 0 or not ok.any():
        return 0, 0.0
    big = 4.0 * (n + 1) * (np.abs(scores[ok]).max() + 1.0)
    cost = np.where(ok, -(big + scores), 0.0)[:, slot_mentor]
    rows, cols = linear_sum_assignment(cost)
    used = ok[rows, slot_mentor[cols]]
    return int(used.sum()), float(scores[rows[used], slot_mentor[cols[used]]].sum())


def matched_and_total(
    result: np.ndarray, scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray | None
) -> tuple[int, float]:
    """Check feasibility (capacities, allowed pairs) and return (matched, total)."""
    assert result.shape == (scores.shape[0],)
    assert result.dtype == np.int64
    assert ((result >= -1) & (result < scores.shape[1])).all()
    mentees = np.flatnonzero(result >= 0)
    mentors = result[mentees]
    assert (np.bincount(mentors, minlength=caps.size) <= caps).all()
    if allowed is not None:
        assert allowed[mentees, mentors].all()
    return int(mentees.size), float(scores[mentees, mentors].sum())


# ---------------------------------------------------------------------------------------
# Optimal mode
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(150))
def test_optimal_equals_exact_solve_on_small_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 31)), int(rng.integers(1, 9))
    scores, caps, allowed = random_instance(rng, n, m, max_cap=4, with_mask=seed % 4 != 0)
    got = matched_and_total(assign(scores, caps, allowed=allowed), scores, caps, allowed)
    want = exact_optimum(scores, caps, allowed)
    assert got[0] == want[0]
    assert got[1] == pytest.approx(want[1], abs=1e-9)


@pytest.mark.parametrize("formulation", ["square", "rectangular"])
@pytest.mark.parametrize("seed", range(30))
def test_sparse_solver_is_exact_when_candidates_cover_every_mentor(
    monkeypatch: pytest.MonkeyPatch, formulation: str, seed: int
) -> None:
    # With fewer mentors than CANDIDATES the candidate graph is the whole allowed graph, so
    # the large-instance path must find the exact optimum in both formulations.
    monkeypatch.setattr(assign_module, "EXACT_MAX_CELLS", 0)
    monkeypatch.setattr(
        assign_module, "LOOSE_CONTENTION", np.inf if formulation == "rectangular" else -1.0
    )
    rng = np.random.default_rng(1000 + seed)
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 12))
    scores, caps, allowed = random_instance(rng, n, m, max_cap=4, with_mask=seed % 3 != 0)
    got = matched_and_total(assign(scores, caps, allowed=allowed), scores, caps, allowed)
    want = exact_optimum(scores, caps, allowed)
    assert got[0] == want[0]
    assert got[1] == pytest.approx(want[1], abs=1e-9)


@pytest.mark.parametrize(
    ("n", "m", "cap", "density", "popularity"),
    [
        (600, 120, 5, 0.9, 0.0),  # places == mentees
        (600, 120, 5, 0.9, 0.7),  # ... and everyone wants the same mentors
        (450, 120, 5, 0.9, 0.0),  # spare places
        (450, 120, 5, 0.9, 0.7),
        (800, 120, 5, 0.9, 0.3),  # more mentees than places
        (600, 120, 5, 0.05, 0.0),  # sparse allowed pairs
        (600, 150, 1, 0.3, 0.5),
    ],
)
def test_large_instance_path_reaches_exact_cardinality_and_near_optimal_total(
    monkeypatch: pytest.MonkeyPatch, n: int, m: int, cap: int, density: float, popularity: float
) -> None:
    rng = np.random.default_rng(n + m + cap)
    scores = popularity * rng.random((1, m)) + (1 - popularity) * rng.random((n, m))
    caps = np.full(m, cap)
    allowed = rng.random((n, m)) < density
    want = exact_optimum(scores, caps, allowed)
    monkeypatch.setattr(assign_module, "EXACT_MAX_CELLS", 0)
    got = matched_and_total(assign(scores, caps, allowed=allowed), scores, caps, allowed)
    assert got[0] == want[0]
    assert got[1] >= 0.995 * want[1]


@pytest.mark.parametrize("candidates", [1, 2, 3])
@pytest.mark.parametrize("seed", range(25))
def test_refill_and_augmenting_paths_restore_maximum_coverage(
    monkeypatch: pytest.MonkeyPatch, candidates: int, seed: int
) -> None:
    # Tiny candidate lists leave many mentees unplaced by the sparse solve; the repair
    # passes must still reach the maximum number matched.
    monkeypatch.setattr(assign_module, "EXACT_MAX_CELLS", 0)
    monkeypatch.setattr(assign_module, "CANDIDATES", candidates)
    rng = np.random.default_rng(2000 + seed)
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 12))
    scores, caps, allowed = random_instance(rng, n, m, max_cap=4, with_mask=seed % 5 != 0)
    if seed % 3 == 0:
        scores += 3 * rng.normal(size=(1, m))  # popular mentors crowd the short lists
    got = matched_and_total(assign(scores, caps, allowed=allowed), scores, caps, allowed)
    assert got[0] == exact_optimum(scores, caps, allowed)[0]


def test_optimal_prefers_more_matches_over_a_higher_total() -> None:
    # Mentee 0 alone on mentor 0 scores 10; giving mentor 0 to mentee 1 and mentor 1 to
    # mentee 0 scores less but matches both.
    scores = np.array([[10.0, 0.1], [1.0, -5.0]])
    allowed = np.array([[True, True], [True, False]])
    result = assign(scores, [1, 1], allowed=allowed)
    np.testing.assert_array_equal(result, [1, 0])


@pytest.mark.parametrize("mode", ["optimal", "stable"])
def test_degenerate_inputs_leave_everyone_unassigned(mode: str) -> None:
    assert assign(np.zeros((0, 3)), [1, 1, 1], mode).shape == (0,)
    np.testing.assert_array_equal(assign(np.zeros((2, 0)), np.zeros(0, int), mode), [-1, -1])
    np.testing.assert_array_equal(assign(np.ones((2, 2)), [0, 0], mode), [-1, -1])
    nothing = np.zeros((2, 2), dtype=bool)
    np.testing.assert_array_equal(assign(np.ones((2, 2)), [1, 1], mode, nothing), [-1, -1])


@pytest.mark.parametrize("mode", ["optimal", "stable"])
def test_nan_outside_allowed_pairs_is_fine(mode: str) -> None:
    scores = np.array([[np.nan, 1.0], [2.0, np.inf]])
    allowed = np.array([[False, True], [True, False]])
    np.testing.assert_array_equal(assign(scores, [1, 1], mode, allowed), [1, 0])


# ---------------------------------------------------------------------------------------
# Stable mode
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(60))
def test_stable_has_no_blocking_pair(seed: int) -> None:
    rng = np.random.default_rng(3000 + seed)
    n, m = int(rng.integers(1, 120)), int(rng.integers(1, 25))
    scores, caps, allowed = random_instance(rng, n, m, max_cap=5, with_mask=seed % 4 != 0)
    mentor_scores = rng.normal(size=(n, m)) if seed % 2 else None
    if seed % 3 == 0:
        scores = np.round(scores)  # ties, resolved by index
    result = assign(scores, caps, "stable", allowed, mentor_scores)
    matched_and_total(result, scores, caps, allowed)
    metrics = assignment_metrics(result, scores, caps, allowed, mentor_scores)
    assert metrics["blocking_pairs"] == 0


def hr_instance(
    scores: np.ndarray, mentor_scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray
) -> dict:
    n, m = scores.shape
    return {
        "resident_prefs": {
            f"r{i}": [f"h{j}" for j in np.argsort(-scores[i]) if allowed[i, j]] for i in range(n)
        },
        "hospital_prefs": {
            f"h{j}": [f"r{i}" for i in np.argsort(-mentor_scores[:, j]) if allowed[i, j]]
            for j in range(m)
        },
        "capacities": {f"h{j}": int(caps[j]) for j in range(m)},
    }


def resident_optimal(instances: list[dict], tmp_path: Path) -> list[dict[str, str]]:
    # Outside the project (cwd, -P, no PYTHONPATH) `matching` is the PyPI package again.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-P", "-W", "ignore", str(HR_REFERENCE)],
        input=json.dumps(instances),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_stable_equals_the_matching_package_resident_optimal_solution(tmp_path: Path) -> None:
    rng = np.random.default_rng(42)
    cases = []
    for t in range(80):
        n, m = int(rng.integers(1, 30)), int(rng.integers(1, 8))
        scores = rng.random((n, m))  # continuous: strict preferences, no ties
        mentor_scores = rng.random((n, m)) if t % 2 else scores
        caps = rng.integers(0, 4, m)
        allowed = rng.random((n, m)) < (1.0 if t % 4 == 0 else rng.uniform(0.3, 1.0))
        cases.append((scores, mentor_scores, caps, allowed))
    references = resident_optimal([hr_instance(*case) for case in cases], tmp_path)
    for (scores, mentor_scores, caps, allowed), reference in zip(cases, references, strict=True):
        want = np.full(scores.shape[0], -1)
        for resident, hospital in reference.items():
            want[int(resident[1:])] = int(hospital[1:])
        got = assign(scores, caps, "stable", allowed, mentor_scores)
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", range(12))
def test_vectorised_rounds_and_sequential_tail_agree(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = np.random.default_rng(4000 + seed)
    n, m = 300, 40
    popularity = 0.8 if seed % 2 else 0.0  # long preference lists when everyone agrees
    scores = popularity * rng.random((1, m)) + (1 - popularity) * rng.random((n, m))
    caps = rng.integers(0, 8, m)
    allowed = rng.random((n, m)) < 0.8
    mentor_scores = rng.random((n, m))
    if seed % 3 == 0:
        # Ties on both sides, which each phase must break the same way (lower index).
        scores, mentor_scores = np.round(scores * 3), np.round(mentor_scores * 2)
    results = []
    for tail, start in [(0, 16), (10**9, 16), (64, 2)]:
        monkeypatch.setattr(assign_module, "STABLE_TAIL", tail)
        monkeypatch.setattr(assign_module, "PREFS_START", start)
        results.append(assign(scores, caps, "stable", allowed, mentor_scores))
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])
    assert (
        assignment_metrics(results[0], scores, caps, allowed, mentor_scores)["blocking_pairs"] == 0
    )


@pytest.mark.parametrize("tail", [0, 10**9])
def test_stable_ties_go_to_lower_indices(monkeypatch: pytest.MonkeyPatch, tail: int) -> None:
    # Every score ties: mentees take the lowest-index mentor; the full mentor keeps the
    # lowest-index mentees (in vectorised rounds and in the sequential loop alike).
    monkeypatch.setattr(assign_module, "STABLE_TAIL", tail)
    result = assign(np.zeros((4, 2)), [2, 1], "stable")
    np.testing.assert_array_equal(result, [0, 0, 1, -1])


def test_stable_mentors_choose_by_mentor_scores() -> None:
    scores = np.array([[1.0], [0.5]])
    mentor_scores = np.array([[0.0], [1.0]])
    np.testing.assert_array_equal(assign(scores, [1], "stable", None, mentor_scores), [-1, 0])
    np.testing.assert_array_equal(assign(scores, [1], "stable"), [0, -1])


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

GOOD = np.ones((3, 2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": np.ones(3)}, "2-D"),
        ({"scores": np.ones((3, 2, 1))}, "2-D"),
        ({"scores": np.array([["a", "b"]] * 3)}, "real numbers"),
        ({"capacities": [1, 1, 1]}, "one entry per mentor"),
        ({"capacities": [[1, 1]]}, "one entry per mentor"),
        ({"capacities": [1, -1]}, "must not be negative"),
        ({"capacities": [1.5, 1]}, "whole numbers"),
        ({"capacities": [True, True]}, "whole numbers"),
        ({"allowed": np.ones((2, 3), dtype=bool)}, "allowed must have shape"),
        ({"allowed": np.full((3, 2), 0.5)}, "boolean mask"),
        ({"mentor_scores": np.ones((2, 3))}, "mentor_scores must have shape"),
        ({"scores": np.array([[1.0, np.nan]] * 3)}, "NaN or infinite"),
        ({"scores": np.array([[1.0, -np.inf]] * 3)}, "NaN or infinite"),
        ({"mentor_scores": np.array([[np.nan, 1.0]] * 3)}, "mentor_scores contains NaN"),
        ({"mode": "greedy"}, "mode must be one of"),
    ],
)
def test_assign_rejects_bad_input(kwargs: dict, message: str) -> None:
    call = {"scores": GOOD, "capacities": [1, 1], "mode": "optimal", **kwargs}
    with pytest.raises(ValueError, match=message):
        assign(**call)
