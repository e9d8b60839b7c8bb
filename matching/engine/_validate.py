"""Input checks shared by the engine's public functions.

Every check raises ``ValueError`` with a message that names the argument, so a caller can
show it as is. The helpers also normalise their input (``np.asarray``, dtype) and return it,
so each public function validates and converts in one step.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

MODES = ("optimal", "stable")


def score_matrix(scores: Any, name: str = "scores") -> np.ndarray:
    """A 2-D real matrix; integers become float64, float32 stays float32 (half the memory)."""
    arr = np.asarray(scores)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (mentees × mentors), got {arr.ndim}-D.")
    return _real_floats(arr, name)


def score_row(row: Any, name: str = "row") -> np.ndarray:
    """A 1-D real vector: one mentee's scores for every mentor."""
    arr = np.asarray(row)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got {arr.ndim}-D.")
    return _real_floats(arr, name)


def _real_floats(arr: np.ndarray, name: str) -> np.ndarray:
    # bool is technically an integer dtype, but a bool "score" is almost surely a mix-up
    # with the allowed mask.
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if np.issubdtype(arr.dtype, np.integer) or arr.dtype.itemsize > 8:
        return arr.astype(np.float64)
    if arr.dtype.itemsize < 4:
        return arr.astype(np.float32)
    return arr


def mask(allowed: Any, shape: tuple[int, ...], name: str = "allowed") -> np.ndarray | None:
    """A boolean mask of ``shape`` (``None`` stays ``None``: everything allowed)."""
    if allowed is None:
        return None
    arr = np.asarray(allowed)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} like the scores, got {arr.shape}.")
    if arr.dtype == bool:
        return arr
    if np.issubdtype(arr.dtype, np.integer) and bool(((arr == 0) | (arr == 1)).all()):
        return arr.astype(bool)
    raise ValueError(f"{name} must be a boolean mask, got dtype {arr.dtype}.")


def same_shape_scores(other: Any, shape: tuple[int, ...], name: str) -> np.ndarray:
    """A second score matrix (e.g. ``mentor_scores``) that must line up with ``scores``."""
    arr = score_matrix(other, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape} like the scores, got {arr.shape}.")
    return arr


def capacities_vector(capacities: Any, n_mentors: int) -> np.ndarray:
    """Non-negative whole numbers, one per mentor, as int64."""
    arr = np.asarray(capacities)
    if arr.ndim != 1 or arr.shape[0] != n_mentors:
        raise ValueError(
            f"capacities must be a 1-D array with one entry per mentor ({n_mentors}), "
            f"got shape {arr.shape}."
        )
    if arr.dtype == bool:
        raise ValueError("capacities must be whole numbers, got booleans.")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all() or not (arr == np.round(arr)).all():
            raise ValueError("capacities must be whole numbers.")
    elif not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"capacities must be whole numbers, got dtype {arr.dtype}.")
    if arr.size and arr.min() < 0:
        mentor = int(np.argmin(arr))
        raise ValueError(f"capacities must not be negative (mentor {mentor} has {arr[mentor]}).")
    return arr.astype(np.int64)


def finite_where_allowed(scores: np.ndarray, allowed: np.ndarray | None, name: str) -> None:
    """Reject NaN/inf where a pair may be used; excluded pairs may hold anything."""
    finite = np.isfinite(scores)
    if finite.all():
        return
    bad = ~finite if allowed is None else ~finite & allowed
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} contains NaN or infinite values at allowed pairs (first at {where}); "
            "score them or exclude them with `allowed`."
        )


def k_value(k: Any) -> int:
    """A whole, non-negative number of results."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(f"k must be a whole number, got {k!r}.")
    if k < 0:
        raise ValueError(f"k must not be negative, got {k}.")
    return int(k)


def mode_value(mode: Any) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}.")
    return str(mode)


def assignment_vector(assignment: Any, n_mentees: int, n_mentors: int) -> np.ndarray:
    """One mentor index per mentee, -1 for unassigned, as int64."""
    arr = np.asarray(assignment)
    if arr.ndim != 1 or arr.shape[0] != n_mentees:
        raise ValueError(
            f"assignment must be a 1-D array with one entry per mentee ({n_mentees}), "
            f"got shape {arr.shape}."
        )
    if arr.size and (arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"assignment must hold mentor indices (integers), got {arr.dtype}.")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < -1 or arr.max() >= n_mentors):
        raise ValueError(f"assignment entries must be -1 or a mentor index below {n_mentors}.")
    return arr
