"""Seeded synthetic cohorts that look like real ones, for benchmarks and tests.

People draw skills and words from one or two of ~10 topic clusters, so scores have the
structure real ones have (a few mentors fit a mentee much better than the rest); the
categorical features follow skewed distributions (English, a few big industries,
Europe/Americas/Asia time zones), because uniform ones would make every pair look alike.
"""

import zlib
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matching.engine.scoring import People

SIZES: dict[str, tuple[int, int]] = {"S": (200, 40), "M": (2_000, 400), "L": (10_000, 2_000)}
CAPACITY = 5
N_SKILLS = 150
N_CLUSTERS = 10
N_INDUSTRIES = 15
N_ORGANISATIONS = 300
TEXT_DIMENSIONS = 2**12  # as in matching/features.py
WORDS_PER_CLUSTER = 40
N_COMMON_WORDS = 120

# (UTC offset, region index, relative weight): where members of such a community live.
# Regions follow matching/features.py: 0 Africa, 1 America, 3 Asia, 5 Australia, 6 Europe.
TIME_ZONES = (
    (-8.0, 1, 6), (-7.0, 1, 2), (-6.0, 1, 4), (-5.0, 1, 9), (-4.0, 1, 2), (-3.0, 1, 4),
    (0.0, 6, 8), (1.0, 6, 14), (2.0, 6, 6), (3.0, 6, 2),
    (1.0, 0, 2), (2.0, 0, 1), (3.0, 0, 2),
    (5.5, 3, 8), (5.75, 3, 1), (7.0, 3, 2), (8.0, 3, 6), (9.0, 3, 3), (4.0, 3, 2),
    (10.0, 5, 2), (12.0, 5, 1),
)  # fmt: skip
# Language 0 is English; the others are each region's common second languages.
LANGUAGES_BY_REGION = {0: (5, 6), 1: (1, 2), 3: (7, 8, 9, 10), 5: (11,), 6: (3, 4, 5, 1, 2)}
N_LANGUAGES = 12


@dataclass(frozen=True)
class Cohort:
    """One synthetic programme: both sides, the mentors' free places, pairs never to suggest."""

    mentees: People
    mentors: People
    free_places: np.ndarray  # (m,) int64
    blocked: np.ndarray  # (k, 2) int64 (mentee_row, mentor_col)


def _skewed(rng: np.random.Generator, n: int, size: int, power: float = 1.1) -> np.ndarray:
    """Zipf-like choice among n options: a few common, a long tail."""
    p = 1.0 / np.arange(1, n + 1) ** power
    return rng.choice(n, size=size, p=p / p.sum())


def _word_columns() -> tuple[np.ndarray, np.ndarray]:
    """Hash columns of each cluster's topic words and of the common career words."""

    def col(word: str) -> int:
        return zlib.crc32(word.encode()) % TEXT_DIMENSIONS

    topic = np.array(
        [[col(f"topic{c}word{w}") for w in range(WORDS_PER_CLUSTER)] for c in range(N_CLUSTERS)]
    )
    common = np.array([col(f"career{w}") for w in range(N_COMMON_WORDS)])
    return topic, common


def _text(
    rng: np.random.Generator, clusters: np.ndarray, second: np.ndarray, lengths: np.ndarray
) -> sparse.csr_matrix:
    """Bag of hashed words: ~60% topic words of the person's clusters, the rest common."""
    topic, common = _word_columns()
    n = len(clusters)
    rows = np.repeat(np.arange(n), lengths)
    k = len(rows)
    # Within a cluster some words are far more frequent ("python" vs "numba").
    own = np.where(rng.random(k) < 0.75, clusters[rows], second[rows])
    topic_cols = topic[own, _skewed(rng, WORDS_PER_CLUSTER, k, 0.8)]
    common_cols = common[_skewed(rng, N_COMMON_WORDS, k, 0.9)]
    cols = np.where(rng.random(k) < 0.6, topic_cols, common_cols)
    counts = sparse.csr_matrix(
        (np.ones(k, dtype=np.float32), (rows, cols)), shape=(n, TEXT_DIMENSIONS)
    )
    counts.sum_duplicates()
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    return sparse.csr_matrix(
        sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ counts, dtype=np.float32
    )


def _people(rng: np.random.Generator, n: int, *, mentors: bool, first_person: int) -> People:
    primary = _skewed(rng, N_CLUSTERS, n, 0.7)
    second = np.where(rng.random(n) < 0.4, rng.integers(0, N_CLUSTERS, n), primary)
    skills_per_cluster = N_SKILLS // N_CLUSTERS

    skills = np.zeros((n, N_SKILLS), dtype=np.float32)
    count = rng.integers(3, 11, n) if mentors else rng.integers(1, 7, n)
    if not mentors:
        count[rng.random(n) < 0.05] = 0  # has not said what to learn yet
    rows = np.repeat(np.arange(n), count)
    cluster = np.where(rng.random(len(rows)) < 0.8, primary[rows], second[rows])
    cols = cluster * skills_per_cluster + _skewed(rng, skills_per_cluster, len(rows), 0.6)
    # Mentors mostly know their skills well; mentees mostly want to get fairly far.
    level_p = [0.15, 0.35, 0.5] if mentors else [0.2, 0.45, 0.35]
    skills[rows, cols] = rng.choice([1.0, 2.0, 3.0], size=len(rows), p=level_p)

    lengths = rng.integers(20, 51, n) if mentors else rng.integers(4, 15, n)
    text = _text(rng, primary, second, lengths)

    # Industries loosely follow the skill cluster: people work where their skills are used.
    industry = np.where(
        rng.random(n) < 0.5,
        (primary * 3 + rng.integers(0, 2, n)) % N_INDUSTRIES,
        _skewed(rng, N_INDUSTRIES, n),
    ).astype(np.int32)
    industry[rng.random(n) < 0.05] = -1

    zone = rng.choice(
        len(TIME_ZONES),
        size=n,
        p=np.array([z[2] for z in TIME_ZONES]) / sum(z[2] for z in TIME_ZONES),
    )
    utc_offset = np.array([TIME_ZONES[z][0] for z in zone], dtype=np.float32)
    region = np.array([TIME_ZONES[z][1] for z in zone], dtype=np.int32)
    region[rng.random(n) < 0.03] = -1  # time zone "UTC": no region

    languages = np.zeros((n, N_LANGUAGES), dtype=bool)
    languages[:, 0] = rng.random(n) < 0.85
    for i, z in enumerate(zone):
        local = LANGUAGES_BY_REGION[TIME_ZONES[z][1]]
        extra = rng.integers(0 if languages[i, 0] else 1, 3)
        languages[i, rng.choice(local, size=min(int(extra), len(local)), replace=False)] = True

    years = (rng.integers(5, 31, n) if mentors else rng.integers(0, 11, n)).astype(np.float32)
    formats = rng.random((n, 4)) < np.array([0.85, 0.45, 0.3, 0.55])
    formats[rng.random(n) < 0.03] = False
    hours = rng.choice(
        [2.0, 4.0, 6.0, 8.0, 10.0, 12.0] if mentors else [2.0, 4.0, 6.0, 8.0], size=n
    ).astype(np.float32)
    organisation = _skewed(rng, N_ORGANISATIONS, n, 0.9).astype(np.int32)
    organisation[rng.random(n) < 0.1] = -1
    return People(
        skills=skills,
        text=text,
        industry=industry,
        years=years,
        utc_offset=utc_offset,
        formats=formats,
        hours=hours,
        languages=languages,
        region=region,
        organisation=organisation,
        person=np.arange(first_person, first_person + n, dtype=np.int64),
        broaden=(rng.random(n) < 0.1) if not mentors else np.zeros(n, dtype=bool),
    )


def cohort(size: str, seed: int = 0) -> Cohort:
    """The cohort of this size ("S", "M" or "L"); the same seed gives the same cohort."""
    n, m = SIZES[size]
    rng = np.random.default_rng([seed, n, m])
    mentees = _people(rng, n, mentors=False, first_person=0)
    mentors = _people(rng, m, mentors=True, first_person=n)
    # About 2% of mentors are also mentees in the same programme (learning something else).
    both = rng.choice(m, size=max(1, m // 50), replace=False)
    person = mentors.person.copy()
    person[both] = rng.choice(n, size=len(both), replace=False)
    mentors = People(**{**mentors.__dict__, "person": person})
    blocked = np.stack(
        [rng.integers(0, n, max(5, n // 500)), rng.integers(0, m, max(5, n // 500))], 1
    )
    free_places = np.full(m, CAPACITY, dtype=np.int64)
    return Cohort(mentees=mentees, mentors=mentors, free_places=free_places, blocked=blocked)
