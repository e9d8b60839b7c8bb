"""Quality figures for an assignment: coverage, scores, stability and load spread."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _validate
from .topk import BLOCK_CELLS


def assignment_metrics(
    assignment: Any,
    scores: Any,
    capacities: Any,
    allowed: Any = None,
    mentor_scores: Any = None,
) -> dict[str, float | int]:
    """Summarise ``assignment`` (one mentor index per mentee, -1 = unassigned).

    Keys:

    - ``coverage``: matched mentees / mentees (1.0 when there are no mentees);
    - ``matched``: number of matched mentees;
    - ``total_score``, ``min_score``, ``p10_score``: over matched pairs' ``scores``
      (``min_score`` and ``p10_score`` are NaN when nobody is matched);
    - ``blocking_pairs``: allowed pairs (i, j) where mentee i strictly prefers j to its
      mentor (or is unmatched) and mentor j has a free place or strictly prefers i (by
      ``mentor_scores``, default ``scores``) to its worst assigned mentee;
    - ``load_std``, ``load_max_minus_min``: spread of load / capacity over mentors with
      capacity > 0 (0.0 when there are none).
    """
    scores = _validate.score_matrix(scores)
    n, m = scores.shape
    caps = _validate.capacities_vector(capacities, m)
    allowed = _validate.mask(allowed, scores.shape)
    _validate.finite_where_allowed(scores, allowed, "scores")
    if mentor_scores is None:
        mentor_scores = scores
    else:
        mentor_scores = _validate.same_shape_scores(mentor_scores, scores.shape, "mentor_scores")
        _validate.finite_where_allowed(mentor_scores, allowed, "mentor_scores")
    assignment = _validate.assignment_vector(assignment, n, m)

    mentees = np.flatnonzero(assignment >= 0)
    mentors = assignment[mentees]
    pair_scores = scores[mentees, mentors].astype(np.float64)
    matched = int(mentees.size)
    load = np.bincount(mentors, minlength=m)
    open_mentors = caps > 0
    utilisation = load[open_mentors] / caps[open_mentors]
    return {
        "coverage": matched / n if n else 1.0,
        "matched": matched,
        "total_score": float(pair_scores.sum()),
        "min_score": float(pair_scores.min()) if matched else float("nan"),
        "p10_score": float(np.percentile(pair_scores, 10)) if matched else float("nan"),
        "blocking_pairs": _blocking_pairs(
            assignment, pair_scores, load, scores, caps, allowed, mentor_scores
        ),
        "load_std": float(utilisation.std()) if utilisation.size else 0.0,
        "load_max_minus_min": (
            float(utilisation.max() - utilisation.min()) if utilisation.size else 0.0
        ),
    }


def price_of_stability(stable_total: float, optimal_total: float) -> float:
    """Share of the optimal total a stable assignment keeps (1.0 when the optimum is 0)."""
    if optimal_total == 0:
        return 1.0
    return float(stable_total) / float(optimal_total)


def _blocking_pairs(
    assignment: np.ndarray,
    pair_scores: np.ndarray,
    load: np.ndarray,
    scores: np.ndarray,
    caps: np.ndarray,
    allowed: np.ndarray | None,
    mentor_scores: np.ndarray,
) -> int:
    n, m = scores.shape
    mentees = np.flatnonzero(assignment >= 0)
    mentors = assignment[mentees]
    # An unmatched mentee prefers any allowed mentor to nothing.
    own = np.full(n, -np.inf)
    own[mentees] = pair_scores
    # A mentor with no mentees has an infinitely good "worst", so only a free place helps.
    worst = np.full(m, np.inf)
    np.minimum.at(worst, mentors, mentor_scores[mentees, mentors].astype(np.float64))
    has_room = load < caps

    count = 0
    # Row blocks keep the boolean temporaries small on 10,000 × 2,000 inputs.
    step = max(1, BLOCK_CELLS // max(m, 1))
    for start in range(0, n, step):
        stop = min(n, start + step)
        blocking = scores[start:stop] > own[start:stop, np.newaxis]
        blocking &= has_room | (mentor_scores[start:stop] > worst)
        if allowed is not None:
            blocking &= allowed[start:stop]
        count += int(np.count_nonzero(blocking))
    return count
