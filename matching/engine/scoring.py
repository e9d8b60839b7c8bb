"""How well each mentor suits each mentee: eight components in [0, 1] and a weighted total.

Pure NumPy/SciPy (no Django), so it can be tested and benchmarked on its own.

How ``score()`` stays fast: every component is linear in something about the mentee, so
the weighted total of a block of mentee rows is a sum of sparse-times-dense products, with
no per-pair arithmetic. The left factor is a sparse (mentees x features) matrix holding
weights; the right factor a dense (features x mentors) matrix holding values:

- goals: the mentee's text terms against the mentors' text, densified for the terms the
  mentees use (built once per call, in column chunks that stay in the CPU cache);
- skills: one left entry per wanted skill and level, against ``min(1, expertise / level)``;
- format: one left entry per format the mentee uses, against the mentors' formats;
- industry/broaden, timezone, experience, availability: the mentee's value of the
  attribute is a key; a table holds the component for every distinct key against every
  mentor, and the mentee's single left entry points at its key's row. Keys are few
  (whole years, quarter-hour offsets); an attribute with more than _MAX_LOOKUP_ROWS
  distinct values gets its tables per block instead, so memory stays bounded.

Each mentee's weights are divided by its own weight total (industry or broaden does not
apply to it) inside the left factor, so the product is already the normalised total.
Hard constraints come out as a bool mask; ``min(product, allowed)`` both zeroes the
disallowed pairs and caps float32 rounding at 1 in a single pass.

Memory: the outputs (5 bytes per pair), the dense factor (4 bytes x (terms used + wanted
skill levels + formats + distinct keys) x mentors: 8 MB for the benchmark's 2,000
mentors, ~35 MB if mentees used all 2^12 hashed terms) and per-thread temporaries of
about 8 bytes x block_size x mentors.
"""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from scipy import sparse

COMPONENTS = (
    "skills",
    "goals",
    "industry",
    "experience",
    "timezone",
    "format",
    "availability",
    "broaden",
)
N_FORMATS = 4
MAX_LEVEL = 3
# Working day 09-17: two people overlap by 8 - (hours apart) hours.
WORKDAY_HOURS = 8.0
# Mentor columns per chunk of the dense factor: small enough for its hot rows to stay in
# the CPU cache while the sparse product walks them (measured: 256 beats 2,000 by ~1.5x).
_CHUNK_BYTES = 4 << 20
_MIN_CHUNK = 256
# Up to this many mentees, goals come from the mentors' sparse text times the mentees'
# densified rows: for one mentee 5x faster than gathering the mentors' term columns.
_DIRECT_TEXT_ROWS = 4
# A lookup with more distinct mentee values than this (continuous data) gets its tables
# per block instead of in the dense factor, which would otherwise grow with the mentees.
_MAX_LOOKUP_ROWS = 1024


@dataclass(frozen=True)
class People:
    """Feature arrays for n people (mentees or mentors); row i is one person.

    Arrays are converted to the dtypes below on construction and checked for shape and
    range, so a mistake surfaces here rather than as a silently wrong score.
    """

    skills: np.ndarray  # (n, S) float32, level 0..3: mentees = level wanted, mentors = expertise
    text: sparse.csr_matrix  # (n, V) float32, rows L2-normalised, non-negative
    industry: np.ndarray  # (n,) int32, -1 unknown
    years: np.ndarray  # (n,) float32 years of experience
    utc_offset: np.ndarray  # (n,) float32 hours, e.g. 5.5
    formats: np.ndarray  # (n, 4) bool: video, phone, in person, chat
    hours: np.ndarray  # (n,) float32 hours per month available
    languages: np.ndarray  # (n, L) bool
    region: np.ndarray  # (n,) int32 world region index, -1 unknown
    organisation: np.ndarray  # (n,) int32 organisation index, -1 unknown
    person: np.ndarray  # (n,) int64 person id (the same person may be mentee and mentor)
    broaden: np.ndarray  # (n,) bool, mentees only: "broaden my perspective"

    def __post_init__(self) -> None:
        skills = np.asarray(self.skills, dtype=np.float32)
        if skills.ndim != 2:
            raise ValueError(f"People.skills must be 2-D (n, S), got shape {skills.shape}.")
        n = skills.shape[0]
        if not np.isfinite(skills).all() or (skills < 0).any() or (skills > MAX_LEVEL).any():
            raise ValueError(f"People.skills levels must lie in [0, {MAX_LEVEL}].")
        converted: dict[str, Any] = {"skills": skills, "text": _checked_text(self.text, n)}
        for name, dtype in (
            ("industry", np.int32),
            ("years", np.float32),
            ("utc_offset", np.float32),
            ("hours", np.float32),
            ("region", np.int32),
            ("organisation", np.int32),
            ("person", np.int64),
            ("broaden", bool),
        ):
            converted[name] = _vector(getattr(self, name), name, n, dtype)
        for name, width in (("formats", N_FORMATS), ("languages", None)):
            value = np.asarray(getattr(self, name), dtype=bool)
            if value.ndim != 2 or value.shape[0] != n or width not in (None, value.shape[1]):
                wanted = f"({n}, {width if width else 'L'})"
                raise ValueError(f"People.{name} must have shape {wanted}, got {value.shape}.")
            converted[name] = value
        for name in ("years", "utc_offset", "hours"):
            if not np.isfinite(converted[name]).all():
                raise ValueError(f"People.{name} must be finite.")
        if (converted["hours"] < 0).any():
            raise ValueError("People.hours must not be negative.")
        for name, value in converted.items():
            # Frozen: the converted arrays replace the given ones once, here.
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return self.skills.shape[0]

    def take(self, rows: np.ndarray | list[int] | slice) -> "People":
        """These rows only, in this order (e.g. one mentee for an on-demand top 10)."""
        if isinstance(rows, slice):
            rows = np.arange(len(self))[rows]
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        return People(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class Weights:
    """How much each component counts, and the experience band a mentor is ideally in."""

    skills: float = 0.35
    goals: float = 0.15
    industry: float = 0.10
    experience: float = 0.15
    timezone: float = 0.10
    format: float = 0.05
    availability: float = 0.05
    broaden: float = 0.05
    experience_min_gap: float = 3.0  # mentor ideally this many years ahead...
    experience_max_gap: float = 15.0  # ...up to this many

    def __post_init__(self) -> None:
        for name, value in self.as_dict().items():
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"Weights.{name} must be a finite number >= 0, got {value!r}.")
        if not any(getattr(self, name) > 0 for name in COMPONENTS):
            raise ValueError("At least one component weight must be greater than 0.")
        if self.experience_min_gap > self.experience_max_gap:
            raise ValueError(
                "Weights.experience_min_gap must not exceed experience_max_gap "
                f"({self.experience_min_gap} > {self.experience_max_gap})."
            )

    def as_dict(self) -> dict[str, float]:
        """All fields, so that ``Weights(**w.as_dict()) == w``."""
        return {name: float(value) for name, value in asdict(self).items()}


# --- Component values, vectorised (shared by score() and components()) ----------------


def _experience_value(gap: np.ndarray, weights: Weights) -> np.ndarray:
    """1 inside the band, a linear ramp up to it, a linear decay over max_gap beyond it."""
    lo, hi = weights.experience_min_gap, weights.experience_max_gap
    below = np.maximum(0.0, gap / lo) if lo > 0 else np.zeros_like(gap)
    # A zero-width band (max_gap == 0) has no decay range: beyond it is simply 0.
    above = np.maximum(0.0, 1.0 - (gap - hi) / hi) if hi > 0 else np.zeros_like(gap)
    return np.where(gap < lo, below, np.where(gap > hi, above, 1.0))


def _timezone_value(delta: np.ndarray) -> np.ndarray:
    # Offsets span -12..+14, so a difference can exceed 24 hours: fold it first.
    d = np.abs(delta) % 24.0
    d = np.minimum(d, 24.0 - d)
    return np.maximum(0.0, WORKDAY_HOURS - d) / WORKDAY_HOURS


def _availability_value(mentee_hours: np.ndarray, mentor_hours: np.ndarray) -> np.ndarray:
    return np.minimum(1.0, mentor_hours / np.maximum(mentee_hours, 1.0))


def _broaden_value(
    ind_i: np.ndarray, reg_i: np.ndarray, ind_j: np.ndarray, reg_j: np.ndarray
) -> np.ndarray:
    other_industry = (ind_i >= 0) & (ind_j >= 0) & (ind_i != ind_j)
    other_region = (reg_i >= 0) & (reg_j >= 0) & (reg_i != reg_j)
    return (other_industry | other_region).astype(np.float64)


def _mentee_coefficients(mentees: People, weights: Weights) -> np.ndarray:
    """1 / (sum of the weights that apply to each mentee); 0 if none applies."""
    everything = sum(getattr(weights, name) for name in COMPONENTS)
    den = np.where(mentees.broaden, everything - weights.industry, everything - weights.broaden)
    with np.errstate(divide="ignore"):
        return np.where(den > 0, 1.0 / np.where(den > 0, den, 1.0), 0.0)


# --- Input checks --------------------------------------------------------------------


def _vector(value: object, name: str, n: int, dtype: type) -> np.ndarray:
    array: np.ndarray = np.asarray(value, dtype=dtype)
    if array.shape != (n,):
        raise ValueError(f"People.{name} must have shape ({n},), got {array.shape}.")
    return array


def _checked_text(text: object, n: int) -> sparse.csr_matrix:
    if not sparse.issparse(text):
        raise ValueError("People.text must be a scipy.sparse matrix (n, V).")
    # scipy-stubs have no overload for "any sparse matrix" converted to a given dtype.
    csr = sparse.csr_matrix(text, dtype=np.float32)  # type: ignore[call-overload]
    if csr.shape[0] != n:
        raise ValueError(f"People.text must have {n} rows like People.skills, got {csr.shape[0]}.")
    if not csr.has_canonical_format:
        # Never sort the caller's matrix in place behind their back.
        csr = csr.copy()
        csr.sum_duplicates()
    if csr.nnz and (not np.isfinite(csr.data).all() or csr.data.min() < 0):
        raise ValueError("People.text must be finite and non-negative.")
    norms = np.sqrt(np.asarray(csr.multiply(csr).sum(axis=1), dtype=np.float64).ravel())
    if (np.abs(norms - 1.0)[norms > 0] > 1e-3).any():
        raise ValueError("People.text rows must be L2-normalised (or empty).")
    return csr


def _check_pair(mentees: People, mentors: People) -> None:
    for name, what in (("skills", "skills"), ("text", "text terms"), ("languages", "languages")):
        a, b = getattr(mentees, name).shape[1], getattr(mentors, name).shape[1]
        if a != b:
            raise ValueError(
                f"Mentees and mentors must use the same {what}: "
                f"{name} has {a} columns for mentees and {b} for mentors."
            )
    levels = mentees.skills
    if (levels != np.round(levels)).any():
        raise ValueError("Mentee skill levels must be whole numbers 0..3.")


def _checked_constraints(
    n: int, m: int, free_places: np.ndarray, blocked: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    free = np.asarray(free_places)
    if free.shape != (m,):
        raise ValueError(f"free_places must have shape ({m},) (one per mentor), got {free.shape}.")
    if blocked is None:
        pairs = np.zeros((0, 2), dtype=np.int64)
    else:
        pairs = np.asarray(blocked)
        if pairs.size == 0:
            pairs = np.zeros((0, 2), dtype=np.int64)
        if pairs.ndim != 2 or pairs.shape[1] != 2:
            raise ValueError(f"blocked must have shape (k, 2), got {pairs.shape}.")
        if not np.issubdtype(pairs.dtype, np.integer):
            raise ValueError("blocked must hold integer (mentee_row, mentor_col) pairs.")
        pairs = pairs.astype(np.int64)
        if len(pairs) and (pairs.min() < 0 or pairs[:, 0].max() >= n or pairs[:, 1].max() >= m):
            raise ValueError(f"blocked pairs must index a ({n}, {m}) score matrix.")
    return free > 0, pairs


# --- score() --------------------------------------------------------------------------


def _equal_pairs(
    left: np.ndarray, right: np.ndarray, *, known_only: bool
) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with left[i] == right[j] (and >= 0 if known_only), without an n x m test."""
    known = np.flatnonzero(right >= 0) if known_only else np.arange(len(right))
    order = known[np.argsort(right[known], kind="stable")]
    ordered = right[order]
    lo = np.searchsorted(ordered, left, "left")
    # Unknown (-1) on the left finds no run: the right side kept only known values.
    counts = np.searchsorted(ordered, left, "right") - lo
    rows = np.repeat(np.arange(len(left)), counts)
    # Position of each pair inside its run of equal mentors, plus the run's start.
    within = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, order[np.repeat(lo, counts) + within]


def _unique_rows(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct bool rows and each row's index among them (via packed bytes: fast)."""
    packed = np.ascontiguousarray(np.packbits(bits, axis=1))
    if packed.shape[1] == 0:
        return bits[:1], np.zeros(len(bits), dtype=np.int64)
    keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return bits[first], inverse.ravel()


@dataclass(frozen=True)
class _Lookup:
    """A component that depends on a single attribute of the mentee.

    Mentees share few distinct values (whole years, quarter-hour offsets, a handful of
    industries), so one table row per distinct value against every mentor, picked by a
    single left entry per mentee, replaces n x m arithmetic.
    """

    weight: str  # name of the component (and of its weight)
    keys: np.ndarray  # (n,) the mentee's value of the attribute
    members: np.ndarray  # (n,) bool: mentees the component counts for
    table: Callable[[np.ndarray], np.ndarray]  # distinct keys (U,) -> values (U, m)


def _lookups(mentees: People, mentors: People, weights: Weights) -> list[_Lookup]:
    """Industry/broaden, timezone, experience and availability, those with a weight."""
    n = len(mentees)
    everyone = np.ones(n, dtype=bool)
    m_industry, m_region = mentors.industry[None, :], mentors.region[None, :]
    m_years = mentors.years.astype(np.float64)[None, :]
    m_utc = mentors.utc_offset.astype(np.float64)[None, :]
    m_hours = mentors.hours.astype(np.float64)[None, :]
    # Industry and region together key the broaden table; +1 keeps "unknown" (-1) >= 0.
    pair_key = (mentees.industry.astype(np.int64) + 1) << 32 | (mentees.region.astype(np.int64) + 1)
    lookups = [
        _Lookup(
            "industry",
            mentees.industry,
            ~mentees.broaden & (mentees.industry >= 0),
            lambda v: (v[:, None] == m_industry).astype(np.float64),
        ),
        _Lookup(
            "broaden",
            pair_key,
            mentees.broaden,
            lambda v: _broaden_value(
                (v >> 32)[:, None] - 1, (v & 0xFFFFFFFF)[:, None] - 1, m_industry, m_region
            ),
        ),
        _Lookup(
            "timezone",
            mentees.utc_offset.astype(np.float64),
            everyone,
            lambda v: _timezone_value(v[:, None] - m_utc),
        ),
        _Lookup(
            "experience",
            mentees.years.astype(np.float64),
            everyone,
            lambda v: _experience_value(m_years - v[:, None], weights),
        ),
        _Lookup(
            "availability",
            mentees.hours.astype(np.float64),
            everyone,
            lambda v: _availability_value(v[:, None], m_hours),
        ),
    ]
    return [lookup for lookup in lookups if getattr(weights, lookup.weight) > 0]


@dataclass(frozen=True)
class _Prepared:
    """What every block needs, built once per score() call."""

    mentees: People
    mentors: People
    weights: Weights
    coef: np.ndarray  # (n,) 1 / applicable weight total
    term_map: np.ndarray  # (V,) text column -> row of the dense factor, -1 unused
    text_direct: bool  # goals via the mentors' sparse text, not the dense factor
    skill_map: np.ndarray  # (3, S) (level, skill) -> row of the dense factor, -1 unused
    format_map: np.ndarray  # (4,) format -> row of the dense factor, -1 unused
    lookup_rows: list[tuple[str, np.ndarray]]  # (weight, (n,) row of the dense factor or -1)
    block_lookups: list[_Lookup]  # too many distinct values: tables built per block
    chunks: list[tuple[int, int, np.ndarray]]  # (first col, end col, dense factor)
    n_rows: int
    free: np.ndarray  # (m,) bool
    blocked: np.ndarray  # (k, 2) sorted by mentee row
    block_same_organisation: bool


def _prepare(
    mentees: People,
    mentors: People,
    weights: Weights,
    free: np.ndarray,
    blocked: np.ndarray,
    block_same_organisation: bool,
) -> _Prepared:
    m = len(mentors)
    n_terms = mentees.text.shape[1]
    n_skills = mentees.skills.shape[1]
    next_row = 0

    # Only features the mentees use get a row of the dense factor: one mentee's top 10
    # then builds a dozen rows, not thousands.
    term_map = np.full(n_terms, -1, dtype=np.int64)
    terms = np.zeros(0, dtype=np.int64)
    text_direct = len(mentees) <= _DIRECT_TEXT_ROWS
    if weights.goals > 0 and not text_direct:
        # Terms no mentor uses just get a zero row: cheaper than checking the mentors.
        wanted = np.zeros(n_terms, dtype=bool)
        wanted[mentees.text.indices] = True
        terms = np.flatnonzero(wanted)
        term_map[terms] = np.arange(len(terms))
        next_row += len(terms)

    skill_map = np.full((MAX_LEVEL, n_skills), -1, dtype=np.int64)
    skill_levels, skill_cols = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if weights.skills > 0 and n_skills:
        wanted = np.stack([(mentees.skills == lvl).any(axis=0) for lvl in (1, 2, 3)])
        asked = np.flatnonzero(wanted.any(axis=0))
        offered = np.zeros(n_skills, dtype=bool)
        offered[asked] = (mentors.skills[:, asked] > 0).any(axis=0)
        skill_levels, skill_cols = np.nonzero(wanted & offered)
        skill_map[skill_levels, skill_cols] = next_row + np.arange(len(skill_cols))
        next_row += len(skill_cols)

    format_map = np.full(N_FORMATS, -1, dtype=np.int64)
    format_cols = np.zeros(0, dtype=np.int64)
    if weights.format > 0:
        format_cols = np.flatnonzero(mentees.formats.any(axis=0) & mentors.formats.any(axis=0))
        format_map[format_cols] = next_row + np.arange(len(format_cols))
        next_row += len(format_cols)

    lookup_rows: list[tuple[str, np.ndarray]] = []
    block_lookups: list[_Lookup] = []
    lookup_tables: list[np.ndarray] = []
    for lookup in _lookups(mentees, mentors, weights):
        members = np.flatnonzero(lookup.members)
        distinct, inverse = np.unique(lookup.keys[members], return_inverse=True)
        if len(distinct) > _MAX_LOOKUP_ROWS:
            block_lookups.append(lookup)
            continue
        row_of = np.full(len(mentees), -1, dtype=np.int64)
        row_of[members] = next_row + inverse.ravel()
        lookup_rows.append((lookup.weight, row_of))
        lookup_tables.append(lookup.table(distinct).astype(np.float32))
        next_row += len(distinct)
    tables = np.concatenate(lookup_tables) if lookup_tables else np.zeros((0, m), np.float32)

    width = max(_MIN_CHUNK, _CHUNK_BYTES // max(1, 4 * next_row))
    width = -(-m // -(-m // width))  # equal chunks, not a sliver at the end
    chunks = []
    for start in range(0, m, width):
        end = min(m, start + width)
        dense = np.empty((next_row, end - start), dtype=np.float32)
        if len(terms):
            dense[: len(terms)] = mentors.text[start:end][:, terms].T.toarray()
        if len(skill_cols):
            levels = (skill_levels + 1).astype(np.float32)
            rows = slice(len(terms), len(terms) + len(skill_cols))
            dense[rows] = np.minimum(1.0, mentors.skills[start:end][:, skill_cols] / levels).T
        if len(format_cols):
            first = len(terms) + len(skill_cols)
            dense[first : first + len(format_cols)] = mentors.formats[start:end][:, format_cols].T
        if len(tables):
            dense[next_row - len(tables) :] = tables[:, start:end]
        chunks.append((start, end, dense))

    return _Prepared(
        mentees=mentees,
        mentors=mentors,
        weights=weights,
        coef=_mentee_coefficients(mentees, weights),
        term_map=term_map,
        text_direct=text_direct,
        skill_map=skill_map,
        format_map=format_map,
        lookup_rows=lookup_rows,
        block_lookups=block_lookups,
        chunks=chunks,
        n_rows=next_row,
        free=free,
        blocked=blocked[np.argsort(blocked[:, 0], kind="stable")],
        block_same_organisation=block_same_organisation,
    )


def _sparse_factor(p: _Prepared, start: int, end: int) -> sparse.csr_matrix:
    """Left factor of one block: every component but the per-block lookups."""
    w, coef = p.weights, p.coef[start:end]
    b = end - start
    parts_rows, parts_cols, parts_vals = [], [], []

    if w.goals > 0 and not p.text_direct:
        text = p.mentees.text[start:end]
        rows = np.repeat(np.arange(b), np.diff(text.indptr))
        cols = p.term_map[text.indices]
        keep = cols >= 0
        parts_rows.append(rows[keep])
        parts_cols.append(cols[keep])
        parts_vals.append(text.data[keep] * (w.goals * coef[rows[keep]]))

    if w.skills > 0 and p.skill_map.shape[1]:
        block = p.mentees.skills[start:end]
        rows, cols = np.nonzero(block)
        levels = block[rows, cols].astype(np.int64)
        wanted = np.bincount(rows, minlength=b)
        target = p.skill_map[levels - 1, cols]
        keep = target >= 0
        rows = rows[keep]
        parts_rows.append(rows)
        parts_cols.append(target[keep])
        parts_vals.append(w.skills * coef[rows] / wanted[rows])

    if w.format > 0:
        block = p.mentees.formats[start:end]
        rows, cols = np.nonzero(block)
        used = block.sum(axis=1)
        target = p.format_map[cols]
        keep = target >= 0
        rows = rows[keep]
        parts_rows.append(rows)
        parts_cols.append(target[keep])
        parts_vals.append(w.format * coef[rows] / used[rows])

    for weight, row_of in p.lookup_rows:
        target = row_of[start:end]
        rows = np.flatnonzero(target >= 0)
        parts_rows.append(rows)
        parts_cols.append(target[rows])
        parts_vals.append(getattr(w, weight) * coef[rows])

    return _csr(b, p.n_rows, parts_rows, parts_cols, parts_vals)


def _csr(
    n_rows: int,
    n_cols: int,
    rows: list[np.ndarray],
    cols: list[np.ndarray],
    vals: list[np.ndarray],
) -> sparse.csr_matrix:
    """CSR from row-sorted pieces; built directly, as the COO route costs 3x (it matters
    for one mentee's top 10)."""
    if not rows:
        # scipy-stubs type an empty matrix made from a shape as float64 only.
        return sparse.csr_matrix((n_rows, n_cols), dtype=np.float32)  # type: ignore[arg-type]
    row = np.concatenate(rows)
    order = np.argsort(row, kind="stable")
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n_rows), out=indptr[1:])
    return sparse.csr_matrix(
        (
            np.concatenate(vals).astype(np.float32)[order],
            np.concatenate(cols)[order],
            indptr,
        ),
        shape=(n_rows, n_cols),
    )


def _table_part(p: _Prepared, start: int, end: int) -> np.ndarray | None:
    """The lookups with too many distinct values for the dense factor, one block, (b, m).

    Only continuous data gets here (e.g. years with decimals): its tables are built per
    block, so their size stays bounded by block_size x mentors.
    """
    if not p.block_lookups:
        return None
    b = end - start
    coef = p.coef[start:end]
    tables: list[np.ndarray] = []
    rows, cols, vals = [], [], []
    offset = 0
    for lookup in p.block_lookups:
        members = np.flatnonzero(lookup.members[start:end])
        if not len(members):
            continue
        distinct, inverse = np.unique(lookup.keys[start:end][members], return_inverse=True)
        tables.append(lookup.table(distinct).astype(np.float32))
        rows.append(members)
        cols.append(offset + inverse.ravel())
        vals.append(getattr(p.weights, lookup.weight) * coef[members])
        offset += len(distinct)
    if not tables:
        return None
    return _csr(b, offset, rows, cols, vals) @ np.concatenate(tables)


def _direct_goals(p: _Prepared, start: int, end: int) -> np.ndarray:
    """Weighted goals of a few mentees against all mentors, (b, m)."""
    text = p.mentees.text[start:end]
    dense = np.zeros((text.shape[1], end - start), dtype=np.float32)
    rows = np.repeat(np.arange(end - start), np.diff(text.indptr))
    dense[text.indices, rows] = text.data * (p.weights.goals * p.coef[start:end][rows])
    return np.ascontiguousarray((p.mentors.text @ dense).T)


def _allowed_block(p: _Prepared, start: int, end: int, out: np.ndarray) -> None:
    """Hard constraints for one block, written into out (b, m)."""
    mentees, mentors = p.mentees, p.mentors
    # Few distinct language sets per block: one row of "shares a language and has a
    # free place" per set, copied to its members.
    sets, inverse = _unique_rows(mentees.languages[start:end])
    shares = (sets.astype(np.float32) @ mentors.languages.T.astype(np.float32)) > 0
    np.take(shares & p.free[None, :], inverse, axis=0, out=out)

    rows, cols = _equal_pairs(mentees.person[start:end], mentors.person, known_only=False)
    out[rows, cols] = False
    if p.block_same_organisation:
        rows, cols = _equal_pairs(
            mentees.organisation[start:end], mentors.organisation, known_only=True
        )
        out[rows, cols] = False
    lo, hi = np.searchsorted(p.blocked[:, 0], [start, end])
    out[p.blocked[lo:hi, 0] - start, p.blocked[lo:hi, 1]] = False


def _score_block(
    p: _Prepared, start: int, end: int, total: np.ndarray, allowed: np.ndarray
) -> None:
    _allowed_block(p, start, end, allowed[start:end])
    left = _sparse_factor(p, start, end)
    table_part = _table_part(p, start, end)
    if p.text_direct and p.weights.goals > 0:
        goals = _direct_goals(p, start, end)
        table_part = goals if table_part is None else np.add(table_part, goals, out=table_part)
    for col_start, col_end, dense in p.chunks:
        part = left @ dense
        if table_part is not None:
            part += table_part[:, col_start:col_end]
        # Every term is >= 0, so this zeroes disallowed pairs and caps rounding at 1.
        np.minimum(
            part, allowed[start:end, col_start:col_end], out=total[start:end, col_start:col_end]
        )


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def score(
    mentees: People,
    mentors: People,
    weights: Weights,
    *,
    free_places: np.ndarray,
    blocked: np.ndarray | None = None,
    block_same_organisation: bool = False,
    block_size: int = 2048,
) -> tuple[np.ndarray, np.ndarray]:
    """Total scores (n_mentees, n_mentors) float32 in [0, 1], and the allowed mask (bool).

    ``blocked``: (k, 2) int array of (mentee_row, mentor_col) pairs never to suggest.
    A pair is allowed when the two share a language, the mentor has a free place, they
    are different people, the pair is not blocked and, with ``block_same_organisation``,
    they do not work for the same known organisation. Disallowed pairs score 0.
    Mentee rows are scored in blocks of at most ``block_size`` rows, in parallel threads
    (NumPy and SciPy release the GIL), which bounds the temporary memory.
    """
    _check_pair(mentees, mentors)
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1, got {block_size}.")
    n, m = len(mentees), len(mentors)
    free, pairs = _checked_constraints(n, m, free_places, blocked)
    total = np.zeros((n, m), dtype=np.float32)
    allowed = np.zeros((n, m), dtype=bool)
    if n == 0 or m == 0:
        return total, allowed
    p = _prepare(mentees, mentors, weights, free, pairs, block_same_organisation)

    workers = min(_workers(), -(-n // block_size))
    # As many blocks as a multiple of the workers, so no thread idles at the end.
    n_blocks = -(-n // block_size)
    n_blocks = -(-n_blocks // workers) * workers
    size = -(-n // n_blocks)
    bounds = [(s, min(n, s + size)) for s in range(0, n, size)]
    if workers == 1:
        for start, end in bounds:
            _score_block(p, start, end, total, allowed)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # list() re-raises the first error of any block.
            list(pool.map(lambda se: _score_block(p, se[0], se[1], total, allowed), bounds))
    return total, allowed


# --- components() ---------------------------------------------------------------------


def components(
    mentees: People, mentors: People, weights: Weights, rows: np.ndarray, cols: np.ndarray
) -> dict[str, np.ndarray]:
    """Each component in [0, 1] for the given (row, col) pairs, plus "total".

    For breakdowns and the reasons of stored suggestions. "total" is what score() gives
    an allowed pair (hard constraints are not checked here). "broaden" is 0 for mentees
    who did not ask for it; "industry" is reported for everyone but does not count in
    the total of mentees who asked to broaden their perspective.
    """
    _check_pair(mentees, mentors)
    rows = np.asarray(rows, dtype=np.int64).reshape(-1)
    cols = np.asarray(cols, dtype=np.int64).reshape(-1)
    if rows.shape != cols.shape:
        raise ValueError(f"rows and cols must have the same length ({len(rows)} != {len(cols)}).")
    if len(rows) and (
        rows.min() < 0 or cols.min() < 0 or rows.max() >= len(mentees) or cols.max() >= len(mentors)
    ):
        raise ValueError(f"Pairs must index a ({len(mentees)}, {len(mentors)}) score matrix.")

    # Field by field rather than via take(): a cohort's suggestions are ~100,000 pairs,
    # and copying every pair's full skill rows would cost gigabytes.
    def pick(name: str) -> tuple[np.ndarray, np.ndarray]:
        return getattr(mentees, name)[rows], getattr(mentors, name)[cols]

    # Skills pair by pair over the mentee's wanted skills only (a sparse walk).
    wanted = sparse.csr_matrix(mentees.skills)
    counts = np.diff(wanted.indptr)[rows]
    pair = np.repeat(np.arange(len(rows)), counts)
    within = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
    entry = np.repeat(wanted.indptr[rows], counts) + within
    skill, level = wanted.indices[entry], wanted.data[entry].astype(np.float64)
    ratio = np.minimum(1.0, mentors.skills[cols[pair], skill] / level)
    skills = np.bincount(pair, ratio, minlength=len(rows)) / np.maximum(counts, 1)

    goals = np.asarray(
        mentees.text[rows].multiply(mentors.text[cols]).sum(axis=1), dtype=np.float64
    ).ravel()
    (ind_a, ind_b), (reg_a, reg_b) = pick("industry"), pick("region")
    (fmt_a, fmt_b), (broaden, _) = pick("formats"), pick("broaden")
    years_a, years_b = (x.astype(np.float64) for x in pick("years"))
    utc_a, utc_b = (x.astype(np.float64) for x in pick("utc_offset"))
    hours_a, hours_b = (x.astype(np.float64) for x in pick("hours"))
    n_formats = fmt_a.sum(axis=1)
    out = {
        "skills": skills,
        "goals": np.clip(goals, 0.0, 1.0),
        "industry": ((ind_a >= 0) & (ind_a == ind_b)).astype(np.float64),
        "experience": _experience_value(years_b - years_a, weights),
        "timezone": _timezone_value(utc_b - utc_a),
        "format": np.where(
            n_formats > 0, (fmt_a & fmt_b).sum(axis=1) / np.maximum(n_formats, 1), 0.0
        ),
        "availability": _availability_value(hours_a, hours_b),
        "broaden": np.where(broaden, _broaden_value(ind_a, reg_a, ind_b, reg_b), 0.0),
    }
    coef = _mentee_coefficients(mentees, weights)[rows]
    total = np.zeros(len(rows))
    for name in COMPONENTS:
        weight = np.full(len(rows), getattr(weights, name))
        if name == "industry":
            weight[broaden] = 0.0
        elif name == "broaden":
            weight[~broaden] = 0.0
        total += weight * out[name]
    out["total"] = np.clip(total * coef, 0.0, 1.0)
    return out


# --- reference_score() ---------------------------------------------------------------


def reference_score(
    mentees: People,
    mentors: People,
    weights: Weights,
    *,
    free_places: np.ndarray,
    blocked: np.ndarray | None = None,
    block_same_organisation: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Plain-Python loops, one pair at a time, straight from the definitions.

    The yardstick for score(): slow, obviously right, and sharing no code with it beyond
    the input checks.
    """
    _check_pair(mentees, mentors)
    n, m = len(mentees), len(mentors)
    free, pairs = _checked_constraints(n, m, free_places, blocked)
    never = {(int(r), int(c)) for r, c in pairs.tolist()}
    w = weights
    lo, hi = w.experience_min_gap, w.experience_max_gap

    def person(people: People, i: int) -> dict:
        text = people.text
        span = slice(text.indptr[i], text.indptr[i + 1])
        return {
            "skills": [float(x) for x in people.skills[i]],
            "text": dict(zip(text.indices[span].tolist(), text.data[span].tolist(), strict=True)),
            "industry": int(people.industry[i]),
            "years": float(people.years[i]),
            "utc": float(people.utc_offset[i]),
            "formats": [bool(x) for x in people.formats[i]],
            "hours": float(people.hours[i]),
            "languages": {k for k, x in enumerate(people.languages[i]) if x},
            "region": int(people.region[i]),
            "org": int(people.organisation[i]),
            "person": int(people.person[i]),
            "broaden": bool(people.broaden[i]),
        }

    def experience(gap: float) -> float:
        if gap < lo:
            if lo == 0:
                return 0.0
            return max(0.0, gap / lo)
        if gap > hi:
            if hi == 0:
                return 0.0
            return max(0.0, 1.0 - (gap - hi) / hi)
        return 1.0

    def pair_total(a: dict, b: dict) -> float:
        wanted = [(s, lvl) for s, lvl in enumerate(a["skills"]) if lvl > 0]
        skills = (
            sum(min(1.0, b["skills"][s] / lvl) for s, lvl in wanted) / len(wanted)
            if wanted
            else 0.0
        )
        goals = sum(v * b["text"].get(t, 0.0) for t, v in a["text"].items())
        goals = min(1.0, max(0.0, goals))
        same_industry = 1.0 if a["industry"] >= 0 and a["industry"] == b["industry"] else 0.0
        d = abs(b["utc"] - a["utc"]) % 24.0
        d = min(d, 24.0 - d)
        timezone = max(0.0, 8.0 - d) / 8.0
        mine = sum(a["formats"])
        both = sum(1 for x, y in zip(a["formats"], b["formats"], strict=True) if x and y)
        fmt = both / mine if mine else 0.0
        availability = min(1.0, b["hours"] / max(a["hours"], 1.0))
        other_industry = (
            a["industry"] >= 0 and b["industry"] >= 0 and a["industry"] != b["industry"]
        )
        other_region = a["region"] >= 0 and b["region"] >= 0 and a["region"] != b["region"]
        broaden = 1.0 if other_industry or other_region else 0.0
        value = {
            "skills": skills,
            "goals": goals,
            "industry": same_industry,
            "experience": experience(b["years"] - a["years"]),
            "timezone": timezone,
            "format": fmt,
            "availability": availability,
            "broaden": broaden,
        }
        skipped = "industry" if a["broaden"] else "broaden"
        num = den = 0.0
        for name in COMPONENTS:
            if name != skipped:
                num += getattr(w, name) * value[name]
                den += getattr(w, name)
        return min(1.0, num / den) if den > 0 else 0.0

    left = [person(mentees, i) for i in range(n)]
    right = [person(mentors, j) for j in range(m)]
    total = np.zeros((n, m), dtype=np.float32)
    allowed = np.zeros((n, m), dtype=bool)
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            ok = (
                bool(a["languages"] & b["languages"])
                and bool(free[j])
                and a["person"] != b["person"]
                and (i, j) not in never
                and not (block_same_organisation and a["org"] >= 0 and a["org"] == b["org"])
            )
            if ok:
                allowed[i, j] = True
                total[i, j] = pair_total(a, b)
    return total, allowed
