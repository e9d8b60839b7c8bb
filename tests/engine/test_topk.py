import numpy as np
import pytest

from matching.engine import topk
from matching.engine.topk import top_k, top_k_row


def full_sort_top_k(
    scores: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The obvious reference: sort every row by (score desc, column asc)."""
    n, m = scores.shape
    idx = np.full((n, k), -1)
    vals = np.full((n, k), np.nan)
    for i in range(n):
        cols = np.arange(m) if allowed is None else np.flatnonzero(allowed[i])
        best = cols[np.lexsort((cols, -scores[i, cols]))][:k]
        idx[i, : best.size] = best
        vals[i, : best.size] = scores[i, best]
    return idx, vals


def assert_same(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray]) -> None:
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1], equal_nan=True)


@pytest.mark.parametrize("seed", range(40))
def test_top_k_matches_full_sort_on_random_matrices(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 40)), int(rng.integers(1, 80))
    k = int(rng.integers(1, 90))
    dtype = np.float32 if seed % 2 else np.float64
    scores = rng.normal(size=(n, m)).astype(dtype)
    allowed = None if seed % 3 == 0 else rng.random((n, m)) < rng.random()
    assert_same(top_k(scores, k, allowed), full_sort_top_k(scores, k, allowed))


@pytest.mark.parametrize("seed", range(8))
def test_wide_rows_take_the_prefiltered_path_and_still_match_full_sort(seed: int) -> None:
    # Wide rows go through the sampled lower bound; masks leave some rows nearly empty
    # (the fallback for rows whose sample is short of k) and integer scores make ties.
    rng = np.random.default_rng(100 + seed)
    n, m, k = 60, 3000, int(rng.integers(1, 40))
    scores = rng.random((n, m)) if seed % 2 else rng.integers(0, 50, (n, m)).astype(float)
    density = rng.random((n, 1)) ** 3
    allowed = rng.random((n, m)) < density
    assert_same(top_k(scores, k, allowed), full_sort_top_k(scores, k, allowed))
    assert_same(top_k(scores, k), full_sort_top_k(scores, k))


def test_rows_with_fewer_allowed_columns_than_k_are_padded() -> None:
    scores = np.array([[0.3, 0.9, 0.5], [0.1, 0.2, 0.4]])
    allowed = np.array([[True, False, True], [False, False, False]])
    idx, vals = top_k(scores, 3, allowed)
    np.testing.assert_array_equal(idx, [[2, 0, -1], [-1, -1, -1]])
    np.testing.assert_allclose(vals, [[0.5, 0.3, np.nan], [np.nan] * 3], equal_nan=True)


def test_k_zero_gives_empty_results() -> None:
    idx, vals = top_k(np.ones((4, 3)), 0)
    assert idx.shape == (4, 0)
    assert vals.shape == (4, 0)


def test_k_beyond_the_number_of_columns_pads_the_rest() -> None:
    idx, vals = top_k(np.array([[1.0, 3.0]]), 4)
    np.testing.assert_array_equal(idx, [[1, 0, -1, -1]])
    np.testing.assert_allclose(vals, [[3.0, 1.0, np.nan, np.nan]], equal_nan=True)


@pytest.mark.parametrize("m", [10, 4000])
def test_ties_go_to_the_lower_column_index(m: int) -> None:
    scores = np.zeros((3, m))
    scores[1, m - 1] = 1.0
    idx, _ = top_k(scores, 3)
    np.testing.assert_array_equal(idx, [[0, 1, 2], [m - 1, 0, 1], [0, 1, 2]])


def test_result_does_not_depend_on_the_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 5, (50, 300)).astype(np.float32)
    allowed = rng.random((50, 300)) < 0.7
    whole = top_k(scores, 12, allowed)
    monkeypatch.setattr(topk, "BLOCK_CELLS", 1)
    assert_same(top_k(scores, 12, allowed), whole)


def test_values_keep_float32_and_integers_become_float64() -> None:
    assert top_k(np.ones((2, 3), dtype=np.float32), 2)[1].dtype == np.float32
    assert top_k(np.ones((2, 3), dtype=np.int64), 2)[1].dtype == np.float64


def test_nan_outside_allowed_pairs_is_ignored() -> None:
    scores = np.array([[np.nan, 0.2, 0.7]])
    allowed = np.array([[False, True, True]])
    idx, _ = top_k(scores, 3, allowed)
    np.testing.assert_array_equal(idx, [[2, 1, -1]])


@pytest.mark.parametrize("seed", range(10))
def test_top_k_row_agrees_with_top_k(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    m = int(rng.integers(1, 2500))
    row = rng.integers(0, 20, m).astype(float) if seed % 2 else rng.random(m)
    allowed = None if seed % 3 == 0 else rng.random(m) < 0.5
    k = int(rng.integers(0, 50))
    idx, vals = top_k_row(row, k, allowed)
    want = top_k(row[np.newaxis], k, None if allowed is None else allowed[np.newaxis])
    np.testing.assert_array_equal(idx, want[0][0])
    np.testing.assert_allclose(vals, want[1][0], equal_nan=True)


@pytest.mark.parametrize(
    ("scores", "k", "allowed", "message"),
    [
        (np.ones(3), 1, None, "2-D"),
        (np.ones((2, 2, 2)), 1, None, "2-D"),
        (np.ones((2, 3)), -1, None, "negative"),
        (np.ones((2, 3)), 1.5, None, "whole number"),
        (np.ones((2, 3)), True, None, "whole number"),
        (np.ones((2, 3)), 1, np.ones((3, 2), dtype=bool), "shape"),
        (np.ones((2, 3)), 1, np.full((2, 3), 0.5), "boolean"),
        (np.array([[1.0, np.nan]]), 1, None, "NaN"),
        (np.array([[1.0, np.inf]]), 1, np.array([[False, True]]), "NaN or infinite"),
        (np.array([["a", "b"]]), 1, None, "real numbers"),
        (np.ones((2, 3), dtype=bool), 1, None, "real numbers"),
    ],
)
def test_top_k_rejects_bad_input(scores, k, allowed, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        top_k(scores, k, allowed)


@pytest.mark.parametrize(
    ("row", "k", "allowed", "message"),
    [
        (np.ones((1, 3)), 1, None, "1-D"),
        (np.ones(3), -2, None, "negative"),
        (np.ones(3), 1, np.ones(4, dtype=bool), "shape"),
        (np.array([np.nan, 1.0]), 1, None, "NaN"),
    ],
)
def test_top_k_row_rejects_bad_input(row, k, allowed, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        top_k_row(row, k, allowed)
