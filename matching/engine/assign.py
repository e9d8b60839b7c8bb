"""Assign mentees to mentors within capacities: maximum-weight ("optimal") or stable.

Both modes return one mentor index per mentee (-1 = unassigned) and only use allowed pairs.
"""

from __future__ import annotations

import heapq
from typing import Any, NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from . import _validate
from .topk import BLOCK_CELLS, top_k_unchecked

# Up to this many cells (mentees × capacity slots) the optimal mode solves the dense,
# capacity-expanded problem exactly; above it, the sparse candidate graph takes over.
# The dense solver's time depends on the data: at 1e6 cells it takes 0.03 s on uniform
# scores but 0.45 s when everyone prefers the same mentors, hence the modest limit.
# Module-level so tests can force the large-instance path on mid-size instances.
EXACT_MAX_CELLS = 500_000

# Candidate mentors per mentee in the sparse path, taken twice: by raw score and by score
# relative to the mentor's mean. The second list matters when everyone ranks the same
# mentors first; the first when capacity is loose and only the best mentors get used.
CANDIDATES = 30

# Rounds of re-solving unplaced mentees against the places left (see _refill).
MAX_REFILLS = 20

# When places outnumber mentees and at most this share of mentees cannot all have their
# favourite mentor, the rectangular formulation is used (see _match_rectangular).
LOOSE_CONTENTION = 0.25

# Per-slot tie-break: the t-th place of a mentor costs t * SLOT_EPS more (in units of the
# score range), so equal-score solutions fill earlier places first, deterministically.
SLOT_EPS = 1e-9

# Stable mode: preference lists start this long and grow fourfold for mentees who run out
# (each growth recomputes the row, so fewer, bigger steps are cheaper).
PREFS_START = 16
PREFS_GROWTH = 4

# Stable mode: once fewer mentees than this are proposing, a plain heap loop beats a
# vectorised round's fixed cost.
STABLE_TAIL = 64


def assign(
    scores: Any,
    capacities: Any,
    mode: str = "optimal",
    allowed: Any = None,
    mentor_scores: Any = None,
) -> np.ndarray:
    """One mentor index per mentee (int64, -1 = unassigned).

    ``scores`` is (n_mentees, n_mentors), higher is better; ``capacities`` the places per
    mentor; ``allowed`` a boolean mask of permitted pairs (None = all).

    - ``"optimal"``: as many mentees matched as possible, and among those assignments one
      with the largest total score. Exact up to ``EXACT_MAX_CELLS``; beyond, exact on a
      candidate graph (each mentee's best mentors), which in tests stays within 0.5 % of
      the true optimum and always reaches the maximum number matched.
    - ``"stable"``: mentee-proposing deferred acceptance. Mentees rank mentors by
      ``scores``, mentors rank mentees by ``mentor_scores`` (default ``scores``); ties go
      to the lower index. The result has no blocking pair.
    """
    scores = _validate.score_matrix(scores)
    caps = _validate.capacities_vector(capacities, scores.shape[1])
    mode = _validate.mode_value(mode)
    allowed = _validate.mask(allowed, scores.shape)
    _validate.finite_where_allowed(scores, allowed, "scores")
    if mentor_scores is not None:
        mentor_scores = _validate.same_shape_scores(mentor_scores, scores.shape, "mentor_scores")
        _validate.finite_where_allowed(mentor_scores, allowed, "mentor_scores")
    if mode == "optimal":
        return _optimal(scores, caps, allowed)
    return _stable(scores, caps, allowed, scores if mentor_scores is None else mentor_scores)


# ---------------------------------------------------------------------------------------
# Optimal mode
# ---------------------------------------------------------------------------------------


def _optimal(scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    n = scores.shape[0]
    if n == 0 or not (caps > 0).any():
        return np.full(n, -1, dtype=np.int64)
    if _is_small(n, caps):
        return _solve_exact(scores, caps, allowed)
    result = _solve_sparse(scores, caps, allowed)
    _refill(scores, caps, allowed, result)
    _augment(caps, allowed, result)
    return result


def _is_small(n: int, caps: np.ndarray) -> bool:
    # No mentor can take more mentees than there are, which bounds the expanded size.
    return n * int(np.minimum(caps, n).sum()) <= EXACT_MAX_CELLS


def _solve_exact(scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """Dense capacity-expanded assignment; exact, for small instances."""
    n, m = scores.shape
    result = np.full(n, -1, dtype=np.int64)
    ok = np.broadcast_to(caps > 0, (n, m)) if allowed is None else allowed & (caps > 0)
    rows = np.flatnonzero(ok.any(axis=1))
    cols = np.flatnonzero(ok.any(axis=0))
    if rows.size == 0:
        return result
    sub_ok = ok[np.ix_(rows, cols)]
    sub = np.where(sub_ok, scores[np.ix_(rows, cols)], 0.0).astype(np.float64)
    places = np.minimum(caps[cols], sub_ok.sum(axis=0))

    # Cardinality first: every used pair earns `big` on top of its normalised score (in
    # [0, 1]), and `big` exceeds any total the scores alone can reach, so one more matched
    # pair always beats any gain in score. Disallowed cells earn 0, i.e. "unassigned".
    normed = _normalise(sub, sub_ok)
    big = float(min(rows.size, int(places.sum())) + 2)
    cost = np.where(sub_ok, -(big + normed), 0.0)
    expanded = np.repeat(cost, places, axis=1)
    slot_col = np.repeat(np.arange(cols.size), places)
    r, c = linear_sum_assignment(expanded)
    used = sub_ok[r, slot_col[c]]
    result[rows[r[used]]] = cols[slot_col[c[used]]]
    return result


def _normalise(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Affine map of the usable values onto [0, 1]; a positive scale keeps the optimum."""
    if not ok.any():
        return np.zeros_like(values, dtype=np.float64)
    lo = float(values[ok].min())
    span = float(values[ok].max()) - lo
    return (values - lo) / (span if span > 0 else 1.0)


def _solve_sparse(scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """Solve exactly on a sparse candidate graph, each mentor expanded into its places.

    The result matches as many mentees as the candidate graph allows (cardinality first),
    and among those it has the best total score on that graph.
    """
    n, m = scores.shape
    result = np.full(n, -1, dtype=np.int64)
    edge_row, edge_mentor, favourite = _candidate_edges(scores, caps, allowed)
    if edge_row.size == 0:
        return result
    rows, edge_row = np.unique(edge_row, return_inverse=True)
    edge_score = scores[rows[edge_row], edge_mentor].astype(np.float64)

    # A mentor never needs more places than the mentees that list it.
    places = np.minimum(caps, np.bincount(edge_mentor, minlength=m))
    first_slot = np.cumsum(places) - places
    per_edge = places[edge_mentor]
    slot_rank = np.arange(int(per_edge.sum())) - np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
    lo, hi = edge_score.min(), edge_score.max()
    span = hi - lo if hi > lo else 1.0
    # Pair costs lie in [1, 2]: the sparse solver must never see an explicit zero.
    pair_cost = 1.0 + (hi - edge_score) / span
    slots = _Slots(
        row=np.repeat(edge_row, per_edge),
        col=np.repeat(first_slot[edge_mentor], per_edge) + slot_rank,
        cost=np.repeat(pair_cost, per_edge) + SLOT_EPS * slot_rank,
        n_rows=rows.size,
        n_cols=int(places.sum()),
    )
    favourite_load = np.bincount(favourite[rows], minlength=m)
    contention = np.maximum(favourite_load - places, 0).sum() / rows.size
    if slots.n_cols > slots.n_rows and contention <= LOOSE_CONTENTION:
        r, c = _match_rectangular(slots)
    else:
        r, c = _match_square(slots)
    slot_mentor = np.repeat(np.arange(m), places)
    result[rows[r]] = slot_mentor[c]
    return result


class _Slots(NamedTuple):
    """Candidate (mentee, place) edges with their costs in [1, 2 + small]."""

    row: np.ndarray
    col: np.ndarray
    cost: np.ndarray
    n_rows: int
    n_cols: int


def _unmatched_cost(slots: _Slots) -> float:
    # Leaving a mentee out must cost more than any chain of swaps can save, so the solver
    # always matches as many mentees as possible (cardinality first).
    return 2.0 * (slots.n_rows + 2) + 1.0


def _match_rectangular(slots: _Slots) -> tuple[np.ndarray, np.ndarray]:
    """Mentees × (places + one private "unassigned" column each): fast when few compete.

    SciPy's LAPJVsp skips its initialisation on non-square input and augments from
    scratch for every mentee; that is cheap while most mentees find a free place nearby,
    but slow once many want the same mentors (``LOOSE_CONTENTION``).
    """
    k, n_slots = slots.n_rows, slots.n_cols
    graph = csr_matrix(
        (
            np.concatenate([slots.cost, np.full(k, _unmatched_cost(slots))]),
            (
                np.concatenate([slots.row, np.arange(k)]),
                np.concatenate([slots.col, n_slots + np.arange(k)]),
            ),
        ),
        shape=(k, n_slots + k),
    )
    r, c = min_weight_full_bipartite_matching(graph)
    real = c < n_slots
    return r[real], c[real]


def _match_square(slots: _Slots) -> tuple[np.ndarray, np.ndarray]:
    """The same problem as a square one, on which LAPJVsp runs its fast initialisation.

    Rows are mentees then one stand-in per place; columns are places then one "unassigned"
    column per mentee. A place's stand-in takes the place when it stays empty, or else the
    "unassigned" column of a mentee with an edge to it, so every assignment extends to a
    perfect matching whose cost differs from the assignment's by a constant per matched
    mentee. On 10,000 × 2,000 with capacity 5 it takes ~1.5 s where the rectangular form
    takes ~50 s if everyone wants the same mentors; but each place left empty costs it a
    few milliseconds, which is why loose, uncontended instances go the other way.
    """
    k, n_slots = slots.n_rows, slots.n_cols
    empty_place = 3.0  # above any pair cost; any value >= 0 gives the same optimum
    stand_in = 1.0
    graph = csr_matrix(
        (
            np.concatenate(
                [
                    slots.cost,
                    np.full(k, _unmatched_cost(slots)),
                    np.full(n_slots, empty_place),
                    np.full(slots.row.size, stand_in),
                ]
            ),
            (
                np.concatenate([slots.row, np.arange(k), k + np.arange(n_slots), k + slots.col]),
                np.concatenate(
                    [slots.col, n_slots + np.arange(k), np.arange(n_slots), n_slots + slots.row]
                ),
            ),
        ),
        shape=(k + n_slots, n_slots + k),
    )
    r, c = min_weight_full_bipartite_matching(graph)
    real = (r < k) & (c < n_slots)
    return r[real], c[real]


def _candidate_edges(
    scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mentee, mentor) pairs worth considering, sorted by mentee, and each favourite."""
    usable = caps > 0
    by_score = top_k_unchecked(scores, CANDIDATES, allowed, usable)[0]
    by_margin = top_k_unchecked(
        scores, CANDIDATES, allowed, usable, _column_means(scores, allowed)
    )[0]
    both = np.sort(np.hstack([by_score, by_margin]), axis=1)
    keep = both >= 0
    keep[:, 1:] &= both[:, 1:] != both[:, :-1]
    edge_row, edge_pos = np.nonzero(keep)
    return edge_row, both[edge_row, edge_pos], by_score[:, 0]


def _column_means(scores: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """Each mentor's mean score over the mentees allowed to it (0 when there are none)."""
    if allowed is None:
        return scores.mean(axis=0, dtype=np.float64).astype(scores.dtype)
    n, m = scores.shape
    total = np.zeros(m)
    count = np.zeros(m)
    step = max(1, BLOCK_CELLS // max(m, 1))
    for start in range(0, n, step):
        ok = allowed[start : start + step]
        total += np.where(ok, scores[start : start + step], 0.0).sum(axis=0)
        count += ok.sum(axis=0)
    return (total / np.maximum(count, 1)).astype(scores.dtype)


def _refill(
    scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray | None, result: np.ndarray
) -> None:
    """Give places left over to mentees the candidate graph could not place.

    A mentee whose candidates all filled up may still have allowed mentors with room
    further down its list, so unplaced mentees are solved again against the places left,
    until a round places nobody.
    """
    for _ in range(MAX_REFILLS):
        room = caps - np.bincount(result[result >= 0], minlength=caps.size)
        free = np.flatnonzero(result < 0)
        cols = np.flatnonzero(room > 0)
        if free.size == 0 or cols.size == 0:
            return
        sub_scores = scores[np.ix_(free, cols)]
        sub_allowed = None if allowed is None else allowed[np.ix_(free, cols)]
        solve = _solve_exact if _is_small(free.size, room[cols]) else _solve_sparse
        sub = solve(sub_scores, room[cols], sub_allowed)
        placed = sub >= 0
        if not placed.any():
            return
        result[free[placed]] = cols[sub[placed]]


def _augment(caps: np.ndarray, allowed: np.ndarray | None, result: np.ndarray) -> None:
    """Raise the number matched to the true maximum with augmenting paths.

    After the candidate solve and refill, an unassigned mentee may still be placeable only
    by moving assigned mentees along a chain to a mentor with room. A breadth-first search
    over the full allowed graph finds the shortest such chains (or proves there are none,
    which by Berge's theorem means the cardinality is maximum).
    """
    n, m = result.size, caps.size
    usable = caps > 0
    while True:
        room = caps - np.bincount(result[result >= 0], minlength=m)
        frontier = np.flatnonzero(result < 0)
        if frontier.size == 0 or not (room > 0).any():
            return
        reached_from = np.full(m, -1, dtype=np.int64)  # mentee through which a mentor was reached
        seen = np.zeros(n, dtype=bool)
        seen[frontier] = True
        ends = np.empty(0, dtype=np.int64)
        while frontier.size:
            reach = usable if allowed is None else allowed[frontier] & usable
            reach = np.broadcast_to(reach, (frontier.size, m))
            new = reach.any(axis=0) & (reached_from < 0)
            new_mentors = np.flatnonzero(new)
            if new_mentors.size == 0:
                break
            reached_from[new_mentors] = frontier[reach[:, new_mentors].argmax(axis=0)]
            ends = new_mentors[room[new_mentors] > 0]
            if ends.size:
                break
            # Full mentors pass the search on to the mentees they hold.
            nxt = np.flatnonzero(np.isin(result, new_mentors) & ~seen)
            seen[nxt] = True
            frontier = nxt
        if ends.size == 0:
            return
        moved = np.zeros(n, dtype=bool)
        for end in ends.tolist():
            # Walk back to the unassigned mentee; skip paths that cross one already used.
            path: list[tuple[int, int]] = []
            mentor = end
            while True:
                mentee = int(reached_from[mentor])
                if moved[mentee]:
                    path = []
                    break
                path.append((mentee, mentor))
                if result[mentee] < 0:
                    break
                mentor = int(result[mentee])
            for mentee, mentor in path:
                moved[mentee] = True
                result[mentee] = mentor


# ---------------------------------------------------------------------------------------
# Stable mode
# ---------------------------------------------------------------------------------------


class _Preferences:
    """Mentees' preference lists, computed in growing prefixes only as far as needed.

    Everyone gets the first PREFS_START choices up front. The few mentees who get that far
    down are recomputed with longer prefixes into a separate, smaller table, so one
    unlucky mentee never widens the table of all the others.
    """

    def __init__(self, scores: np.ndarray, allowed: np.ndarray | None, col_ok: np.ndarray):
        self.scores = scores
        self.allowed = allowed
        self.col_ok = col_ok
        self.limit = int(col_ok.sum())
        self.base_width = min(PREFS_START, self.limit)
        # int32 halves the worst case (every list complete: n × m entries).
        self.base = top_k_unchecked(scores, self.base_width, allowed, col_ok)[0].astype(np.int32)
        self.length = np.full(scores.shape[0], self.base_width, dtype=np.int64)
        self.slot = np.full(scores.shape[0], -1, dtype=np.int64)  # row in `long`, if any
        self.long = np.empty((0, self.base_width), dtype=np.int32)

    def extend(self, rows: np.ndarray) -> None:
        """Grow the computed prefix of ``rows`` (capped at the number of usable mentors)."""
        rows = rows[self.length[rows] < self.limit]
        if rows.size == 0:
            return
        width = min(self.limit, PREFS_GROWTH * int(self.length[rows].max()))
        new = rows[self.slot[rows] < 0]
        self.slot[new] = self.long.shape[0] + np.arange(new.size)
        grow_rows = new.size
        grow_cols = max(0, width - self.long.shape[1])
        if grow_rows or grow_cols:
            grown = np.full(
                (self.long.shape[0] + grow_rows, self.long.shape[1] + grow_cols), -1, np.int32
            )
            grown[: self.long.shape[0], : self.long.shape[1]] = self.long
            self.long = grown
        # In chunks, so extending every mentee at once never copies the whole score matrix.
        step = max(1, BLOCK_CELLS // self.scores.shape[1])
        for start in range(0, rows.size, step):
            chunk = rows[start : start + step]
            sub_allowed = None if self.allowed is None else self.allowed[chunk]
            idx = top_k_unchecked(self.scores[chunk], width, sub_allowed, self.col_ok)[0]
            self.long[self.slot[chunk], :width] = idx
        self.length[rows] = width

    def next_choices(self, mentees: np.ndarray, ptr: np.ndarray) -> np.ndarray:
        """Each mentee's mentor at its pointer, -1 once its list is exhausted."""
        short = mentees[ptr[mentees] >= self.length[mentees]]
        if short.size:
            self.extend(short)
        pos = ptr[mentees]
        choice = np.full(mentees.size, -1, dtype=np.int64)
        in_base = pos < self.base_width
        choice[in_base] = self.base[mentees[in_base], pos[in_base]]
        in_long = ~in_base & (pos < self.length[mentees])
        choice[in_long] = self.long[self.slot[mentees[in_long]], pos[in_long]]
        return choice

    def next_choice(self, mentee: int, pos: int) -> int:
        """Scalar :meth:`next_choices` for the sequential tail."""
        if pos < self.base_width:
            return int(self.base[mentee, pos])
        if pos >= self.length[mentee]:
            self.extend(np.array([mentee]))
            if pos >= self.length[mentee]:
                return -1
        return int(self.long[self.slot[mentee], pos])


def _stable(
    scores: np.ndarray, caps: np.ndarray, allowed: np.ndarray | None, mentor_scores: np.ndarray
) -> np.ndarray:
    """Mentee-proposing deferred acceptance with capacities.

    Runs in vectorised rounds (every free mentee proposes at once, every mentor keeps its
    best ``capacity``) while many mentees are free, then finishes the long, thin tail of
    rejection chains one proposal at a time. The mentee-optimal stable matching does not
    depend on the order of proposals, so both phases agree.
    """
    n = scores.shape[0]
    match = np.full(n, -1, dtype=np.int64)
    col_ok = caps > 0
    if n == 0 or not col_ok.any():
        return match
    prefs = _Preferences(scores, allowed, col_ok)
    ptr = np.zeros(n, dtype=np.int64)
    free = np.arange(n)
    while free.size >= STABLE_TAIL:
        choice = prefs.next_choices(free, ptr)
        ptr[free] += 1
        proposing = choice >= 0
        free, choice = free[proposing], choice[proposing]
        if free.size == 0:
            return match
        # Each targeted mentor chooses among its current holders and its new proposers.
        holders = np.flatnonzero(np.isin(match, np.unique(choice)))
        cand = np.concatenate([holders, free])
        mentor = np.concatenate([match[holders], choice])
        key = mentor_scores[cand, mentor]
        order = np.lexsort((cand, -key, mentor))
        cand, mentor = cand[order], mentor[order]
        group_start = np.flatnonzero(np.r_[True, mentor[1:] != mentor[:-1]])
        sizes = np.diff(np.r_[group_start, mentor.size])
        rank = np.arange(mentor.size) - np.repeat(group_start, sizes)
        kept = rank < caps[mentor]
        match[cand[kept]] = mentor[kept]
        match[cand[~kept]] = -1
        free = cand[~kept]
    _stable_tail(mentor_scores, caps, prefs, ptr, match, free)
    return match


def _stable_tail(
    mentor_scores: np.ndarray,
    caps: np.ndarray,
    prefs: _Preferences,
    ptr: np.ndarray,
    match: np.ndarray,
    free: np.ndarray,
) -> None:
    """Sequential deferred acceptance from the current state, one proposal at a time."""
    m = caps.size
    # Heap tops are each mentor's worst holder: lowest mentor score, then highest index.
    heaps: list[list[tuple[float, int]]] = [[] for _ in range(m)]
    held = np.flatnonzero(match >= 0)
    held_keys = mentor_scores[held, match[held]].tolist()
    for mentee, mentor, key in zip(held.tolist(), match[held].tolist(), held_keys, strict=True):
        heaps[mentor].append((key, -mentee))
    for heap in heaps:
        heapq.heapify(heap)
    cap = caps.tolist()
    stack = free.tolist()
    while stack:
        mentee = stack.pop()
        pos = int(ptr[mentee])
        mentor = prefs.next_choice(mentee, pos)
        ptr[mentee] = pos + 1
        if mentor < 0:
            continue
        heap = heaps[mentor]
        entry = (float(mentor_scores[mentee, mentor]), -mentee)
        if len(heap) < cap[mentor]:
            heapq.heappush(heap, entry)
            match[mentee] = mentor
        elif entry > heap[0]:
            bumped = -heapq.heapreplace(heap, entry)[1]
            match[bumped] = -1
            match[mentee] = mentor
            stack.append(bumped)
        else:
            stack.append(mentee)
