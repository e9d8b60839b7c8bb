"""The k best mentors per mentee, best first, ties broken by the lower mentor index.

Results are padded: a row with fewer than ``k`` allowed columns gets index -1 and value NaN
in its trailing slots, so the output is always a dense ``(n_rows, k)`` pair of arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _validate

# Rows are processed in blocks of about this many cells, so temporaries stay near 20 MB
# however tall the matrix is.
BLOCK_CELLS = 1 << 21

# A row is pre-filtered only when a sample of at least this many columns is still a small
# fraction of the row; below that the plain partition is as fast.
_SAMPLE_MIN = 256
_SAMPLE_PER_K = 16


def top_k(scores: Any, k: int, allowed: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ``k`` best allowed columns: ``(indices, values)``, each ``(n_rows, k)``.

    ``indices`` is int64 with -1 where a row has fewer than ``k`` allowed columns; ``values``
    has the scores' float dtype with NaN in those places.
    """
    scores = _validate.score_matrix(scores)
    k = _validate.k_value(k)
    allowed = _validate.mask(allowed, scores.shape)
    _validate.finite_where_allowed(scores, allowed, "scores")
    return top_k_unchecked(scores, k, allowed)


def top_k_row(row: Any, k: int, allowed_row: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """The single-mentee case of :func:`top_k`: ``(indices, values)``, each of length ``k``."""
    row = _validate.score_row(row)
    k = _validate.k_value(k)
    allowed_row = _validate.mask(allowed_row, row.shape, "allowed_row")
    _validate.finite_where_allowed(row, allowed_row, "row")
    n = row.shape[0]
    idx = np.full(k, -1, dtype=np.int64)
    vals = np.full(k, np.nan, dtype=row.dtype)
    kk = min(k, n)
    if kk == 0:
        return idx, vals
    masked = row if allowed_row is None else np.where(allowed_row, row, -np.inf)
    pos, best = _select(masked[np.newaxis, :], kk)
    found = np.isfinite(best[0])
    idx[:kk][found] = pos[0][found]
    vals[:kk][found] = best[0][found]
    return idx, vals


def top_k_unchecked(
    scores: np.ndarray,
    k: int,
    allowed: np.ndarray | None = None,
    col_ok: np.ndarray | None = None,
    shift: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_k` on validated input; ``col_ok`` additionally excludes whole columns.

    ``shift`` (one value per column) is subtracted before ranking, and the returned values
    are the shifted ones. The assignment code uses both to rank by score relative to a
    mentor's typical score, without copying the matrix or validating it again.
    """
    n_rows, n_cols = scores.shape
    idx = np.full((n_rows, k), -1, dtype=np.int64)
    vals = np.full((n_rows, k), np.nan, dtype=scores.dtype)
    kk = min(k, n_cols)
    if kk == 0 or n_rows == 0:
        return idx, vals
    step = max(1, BLOCK_CELLS // n_cols)
    for start in range(0, n_rows, step):
        stop = min(n_rows, start + step)
        ok = None if allowed is None else allowed[start:stop]
        if col_ok is not None:
            ok = col_ok[np.newaxis, :] if ok is None else ok & col_ok
            ok = np.broadcast_to(ok, (stop - start, n_cols))
        block = scores[start:stop] if shift is None else scores[start:stop] - shift
        block_idx, block_vals = _top_k_block(block, ok, kk)
        found = block_idx >= 0
        idx[start:stop, :kk] = block_idx
        vals[start:stop, :kk] = np.where(found, block_vals, np.nan)
    return idx, vals


def _top_k_block(block: np.ndarray, ok: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` (1 ≤ k ≤ n_cols) of one block of rows; -1 where a row runs out."""
    n_rows, n_cols = block.shape
    stride = n_cols // max(_SAMPLE_MIN, _SAMPLE_PER_K * k)
    if stride < 2:
        return _top_k_plain(block, ok, k)

    # The k-th best of a sample of columns can only be below the k-th best of the whole
    # row, so everything under it is safely dropped before the expensive selection. On
    # typical rows that leaves ~k * stride candidates out of n_cols.
    sample = block[:, ::stride]
    if ok is not None:
        sample = np.where(ok[:, ::stride], sample, -np.inf)
    width = sample.shape[1]
    floor = np.partition(sample, width - k, axis=1)[:, width - k]
    keep = block >= floor[:, np.newaxis]
    if ok is not None:
        keep &= ok
    flat = np.flatnonzero(keep)
    rows = flat // n_cols
    counts = np.bincount(rows, minlength=n_rows)

    # Rows whose sample had fewer than k allowed columns keep (nearly) everything; they go
    # through the plain path instead of blowing up the padded candidate matrix.
    heavy = counts > 4 * k * stride
    idx = np.empty((n_rows, k), dtype=np.int64)
    vals = np.empty((n_rows, k), dtype=block.dtype)
    if heavy.any():
        sub_ok = None if ok is None else ok[heavy]
        idx[heavy], vals[heavy] = _top_k_plain(block[heavy], sub_ok, k)
        light_flat = ~heavy[rows]
        flat, rows = flat[light_flat], rows[light_flat]
    light = np.flatnonzero(~heavy)
    if light.size == 0:
        return idx, vals

    # Pack each light row's candidates to the left of a padded matrix. flatnonzero returns
    # them in column order, so "lower position" still means "lower column" for ties.
    row_pos = np.cumsum(~heavy) - 1
    packed_rows = row_pos[rows]
    light_counts = counts[light]
    starts = np.cumsum(light_counts) - light_counts
    within = np.arange(flat.size) - np.repeat(starts, light_counts)
    cols = flat - rows * n_cols
    width = max(k, int(light_counts.max(initial=0)))
    cand_vals = np.full((light.size, width), -np.inf, dtype=block.dtype)
    cand_cols = np.full((light.size, width), -1, dtype=np.int64)
    cand_vals[packed_rows, within] = block[rows, cols]
    cand_cols[packed_rows, within] = cols
    pos, best = _select(cand_vals, k)
    chosen = np.take_along_axis(cand_cols, pos, axis=1)
    chosen[~np.isfinite(best)] = -1
    idx[light], vals[light] = chosen, best
    return idx, vals


def _top_k_plain(block: np.ndarray, ok: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    masked = block if ok is None else np.where(ok, block, -np.inf)
    pos, best = _select(masked, k)
    pos[~np.isfinite(best)] = -1
    return pos, best


def _select(masked: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and values of the k largest per row, ordered by (value desc, position asc).

    ``masked`` holds -inf for unusable cells (returned as -inf too); 1 ≤ k ≤ width.
    """
    n_rows, width = masked.shape
    if k < width:
        part = np.argpartition(masked, width - k, axis=1)[:, width - k :]
        kth = np.take_along_axis(masked, part, axis=1).min(axis=1)
        # argpartition picks arbitrary members of a tie that straddles the cut; those rows
        # are redone so the lowest positions win and results never depend on the sort.
        straddle = np.count_nonzero(masked >= kth[:, np.newaxis], axis=1) > k
        fix = np.flatnonzero(straddle & np.isfinite(kth))
        if fix.size:
            sub = masked[fix]
            cut = kth[fix, np.newaxis]
            above = sub > cut
            tied = sub == cut
            need = k - above.sum(axis=1)
            take = above | (tied & (np.cumsum(tied, axis=1) <= need[:, np.newaxis]))
            part[fix] = np.nonzero(take)[1].reshape(fix.size, k)
    else:
        part = np.tile(np.arange(width), (n_rows, 1))
    part.sort(axis=1)
    vals = np.take_along_axis(masked, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)
