"""Best-fit suggestions: score a cohort with the engine, keep each mentee's top ten.

Recomputing is debounced: every change that matters bumps a counter in the cache
and queues a task a little later; a task that finds the counter moved on leaves the
work to the newer one, so a burst of edits costs one computation.
"""

import csv
import hashlib
import io
import json
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache, partial
from itertools import islice
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

import numpy as np

from accounts.models import User
from core.timezones import overlap_of_offsets
from matching.engine.scoring import Weights, components, score
from matching.engine.topk import top_k
from matching.features import Side, build_side, vocabularies
from matching.models import (
    Cohort,
    Enrollment,
    MatchWeights,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RecomputeStatus,
    RequestStatus,
    Role,
    Suggestion,
    SuggestionRecompute,
)
from matching.reasons import phrase
from profiles.models import Profile, SkillKind

if TYPE_CHECKING:
    from celery import Task

TOP_K = 10
logger = logging.getLogger(__name__)


# --- Weights ----------------------------------------------------------------


def current_weights(cohort: Cohort) -> MatchWeights:
    """The cohort's newest weights; version 1 with the defaults if it has none yet."""
    latest = cohort.weight_versions.order_by("-version").first()
    if latest:
        return latest
    weights, _ = MatchWeights.objects.get_or_create(cohort=cohort, version=1)
    return weights


def weights_for_reading(cohort: Cohort) -> MatchWeights:
    """The cohort's newest weights, or the defaults unsaved: for a page that only looks."""
    return cohort.weight_versions.order_by("-version").first() or MatchWeights(
        cohort=cohort, version=1
    )


def engine_weights(row: MatchWeights) -> Weights:
    values = {name: getattr(row, field) for name, field in MatchWeights.COMPONENT_FIELDS.items()}
    return Weights(
        **values,
        experience_min_gap=row.experience_min_gap,
        experience_max_gap=row.experience_max_gap,
    )


# --- Building one cohort's problem ------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A cohort ready for the engine: who can be matched, and the scores between them."""

    mentees: Side
    mentors: Side
    free_places: np.ndarray
    scores: np.ndarray
    allowed: np.ndarray
    weights: Weights
    weights_version: int

    @cached_property
    def wanted_skills(self) -> list[list[int]]:
        """Per mentee row, the skill columns they want to learn, ascending."""
        return [np.flatnonzero(row > 0).tolist() for row in self.mentees.people.skills]

    @cached_property
    def offered_skills(self) -> list[frozenset[int]]:
        """Per mentor column, the skill columns they offer."""
        return [frozenset(np.flatnonzero(row > 0).tolist()) for row in self.mentors.people.skills]


def _open_mentees(cohort: Cohort) -> list[Enrollment]:
    """Mentees still looking: enrolled, onboarded, without an active mentorship here."""
    return list(
        Enrollment.objects.active()
        .filter(cohort=cohort, role=Role.MENTEE, user__profile__onboarded_at__isnull=False)
        .exclude(mentorships_as_mentee__status=MentorshipStatus.ACTIVE)
        .order_by("pk")
    )


def _mentors(cohort: Cohort) -> list[Enrollment]:
    return list(
        Enrollment.objects.mentors()
        .filter(cohort=cohort, user__profile__onboarded_at__isnull=False)
        .select_related("user__profile")
        .with_load()
        .order_by("pk")
    )


def _with_load(mentors: list[Enrollment]) -> list[Enrollment]:
    """The given mentors again, onboarded ones only, with what places_left() needs."""
    by_pk = {
        e.pk: e
        for e in Enrollment.objects.filter(
            pk__in=[m.pk for m in mentors], user__profile__onboarded_at__isnull=False
        )
        .select_related("user__profile")
        .with_load()
    }
    return [by_pk[m.pk] for m in mentors if m.pk in by_pk]


def _blocked_pairs(mentees: list[Enrollment], mentors: list[Enrollment]) -> np.ndarray:
    """(row, col) pairs never to propose: declined or ended before, dismissed, already asked."""
    row_of_user = {e.user_id: i for i, e in enumerate(mentees)}
    col_of_user = {e.user_id: j for j, e in enumerate(mentors)}
    row_of_enrollment = {e.pk: i for i, e in enumerate(mentees)}
    col_of_enrollment = {e.pk: j for j, e in enumerate(mentors)}
    pairs: set[tuple[int, int]] = set()

    def by_user(rows: Iterable[tuple[int, int]]) -> None:
        for mentee_user, mentor_user in rows:
            if mentee_user in row_of_user and mentor_user in col_of_user:
                pairs.add((row_of_user[mentee_user], col_of_user[mentor_user]))

    # A "no" or an ending anywhere counts: the same two people are not paired again.
    by_user(
        MentorshipRequest.objects.filter(
            status=RequestStatus.DECLINED,
            mentee_enrollment__user_id__in=row_of_user,
            mentor_enrollment__user_id__in=col_of_user,
        ).values_list("mentee_enrollment__user_id", "mentor_enrollment__user_id")
    )
    by_user(
        Mentorship.objects.filter(
            mentee_enrollment__user_id__in=row_of_user,
            mentor_enrollment__user_id__in=col_of_user,
        )
        .exclude(status=MentorshipStatus.ACTIVE)
        .values_list("mentee_enrollment__user_id", "mentor_enrollment__user_id")
    )
    for mentee_enrollment, mentor_enrollment in Suggestion.objects.filter(
        mentee_enrollment_id__in=row_of_enrollment, dismissed_at__isnull=False
    ).values_list("mentee_enrollment_id", "mentor_enrollment_id"):
        if mentor_enrollment in col_of_enrollment:
            pairs.add((row_of_enrollment[mentee_enrollment], col_of_enrollment[mentor_enrollment]))
    for mentee_enrollment, mentor_enrollment in (
        MentorshipRequest.objects.pending()
        .filter(mentee_enrollment_id__in=row_of_enrollment)
        .values_list("mentee_enrollment_id", "mentor_enrollment_id")
    ):
        if mentor_enrollment in col_of_enrollment:
            pairs.add((row_of_enrollment[mentee_enrollment], col_of_enrollment[mentor_enrollment]))
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def build_problem(
    cohort: Cohort,
    *,
    mentees: list[Enrollment] | None = None,
    mentors: list[Enrollment] | None = None,
    read_only: bool = False,
) -> Problem | None:
    """The cohort's problem; ``mentees``/``mentors`` narrow it to a few people.

    Scores do not depend on who else is in the problem (skills and languages are indexed
    site-wide, texts are hashed), so one mentee against a handful of mentors scores the
    same as in the whole cohort's problem, at a fraction of the cost. ``read_only``
    leaves a cohort without weights without them (the defaults are used unsaved).
    """
    mentees = _open_mentees(cohort) if mentees is None else mentees
    mentors = _mentors(cohort) if mentors is None else _with_load(mentors)
    if not mentees or not mentors:
        return None
    skill_index, language_index = vocabularies()
    organisations: dict[str, int] = {}
    shared: dict[str, dict[Any, int]] = {
        "skill_index": skill_index,
        "language_index": language_index,
        "organisation_index": organisations,
    }
    mentee_side = build_side(mentees, kind=SkillKind.LEARN, **shared)
    mentor_side = build_side(mentors, kind=SkillKind.EXPERTISE, **shared)
    free = np.array(
        [
            e.places_left() if p.is_accepting_requests else 0
            for e, p in zip(mentors, mentor_side.profiles, strict=True)
        ],
        dtype=np.int64,
    )
    # A page that scores a pair or two must not write; a run or a recompute may.
    row = weights_for_reading(cohort) if read_only else current_weights(cohort)
    weights = engine_weights(row)
    scores, allowed = score(
        mentee_side.people,
        mentor_side.people,
        weights,
        free_places=free,
        blocked=_blocked_pairs(mentees, mentors),
        block_same_organisation=row.block_same_organisation,
    )
    return Problem(
        mentees=mentee_side,
        mentors=mentor_side,
        free_places=free,
        scores=scores,
        allowed=allowed,
        weights=weights,
        weights_version=row.version,
    )


# --- Reasons ----------------------------------------------------------------


@lru_cache(maxsize=4096)
def _in_a_list(name: str) -> str:
    """'Public speaking' after the first item: 'public speaking'; 'SQL' stays 'SQL'."""
    return name[0].lower() + name[1:] if name[:2] != name[:2].upper() else name


def _list(names: list[str]) -> str:
    return ", ".join([names[0], *map(_in_a_list, names[1:])])


# A cohort has a few dozen distinct offsets and 75,000 pairs of them.
_overlap = lru_cache(maxsize=4096)(overlap_of_offsets)


def reasons_for(
    problem: Problem,
    row: int,
    col: int,
    parts: dict[str, float],
    *,
    most: int = 4,
    weights: dict[str, float] | None = None,
) -> list[str]:
    """2-4 reasons a mentee can check against the mentor's profile, stored as phrases
    (matching.reasons) that are put into words in the reader's language when shown.
    ``weights`` is ``problem.weights.as_dict()``, passed in by callers that explain
    many pairs."""
    mentee, mentor = problem.mentees.profiles[row], problem.mentors.profiles[col]
    wanted, offered = problem.wanted_skills[row], problem.offered_skills[col]
    names = problem.mentees.skill_names
    shared = [names[c] for c in wanted if c in offered]
    weights = weights or problem.weights.as_dict()
    candidates: list[tuple[float, str]] = []
    if shared:
        candidates.append(
            (
                weights["skills"] * parts["skills"],
                phrase("shared_goals", len(shared), len(wanted), _list(shared)),
            )
        )
    gap = (mentor.years_experience or 0) - (mentee.years_experience or 0)
    if gap > 0:
        where = (
            mentor.industry
            if mentor.industry and mentor.industry == mentee.industry and mentor.industry != "other"
            else ""
        )
        candidates.append(
            (weights["experience"] * parts["experience"], phrase("more_years", gap, where))
        )
    # The offsets the problem was scored with: the same moment for every pair.
    hours = _overlap(
        float(problem.mentees.people.utc_offset[row]),
        float(problem.mentors.people.utc_offset[col]),
    )
    if hours >= 1:
        whole = math.floor(hours)
        text = phrase("same_hours") if hours >= 8 else phrase("overlap", whole)
        candidates.append((weights["timezone"] * parts["timezone"], text))
    if parts["goals"] >= 0.15 and (mentee.target_role or mentee.career_goals):
        text = (
            phrase("goal_background", mentee.target_role)
            if mentee.target_role
            else phrase("career_background")
        )
        candidates.append((weights["goals"] * parts["goals"], text))
    if mentee.wants_broader_perspective and parts.get("broaden", 0) >= 1:
        candidates.append(
            (
                weights["broaden"],
                phrase("view_from", mentor.industry)
                if mentor.industry
                else phrase("view_elsewhere"),
            )
        )
    candidates.sort(key=lambda c: -c[0])
    chosen = [text for _, text in candidates[:most]]
    if len(chosen) < 2:
        languages = sorted(
            set(problem.mentees.language_names[row]) & set(problem.mentors.language_names[col])
        )
        if languages:
            chosen.append(phrase("meet_in", languages[0]))
    if len(chosen) < 2:
        chosen.append(phrase("free_place"))
    return chosen


@dataclass(frozen=True)
class Explained:
    """One scored pair, ready to store: who, how well, and why."""

    row: int
    col: int
    score: float
    breakdown: dict[str, float]
    reasons: list[str]


# How often explain() says how far it got: a few updates of the progress row per cohort.
REPORT_EVERY = 10_000

# What a recompute tells whoever follows it: the phase, and how far into it (done, total).
Progress = Callable[[str, int, int], None]


def _quiet(phase: str, done: int, total: int) -> None:
    """The progress of a recompute nobody follows (a test, seed_load)."""


def explain(
    problem: Problem, rows: np.ndarray, cols: np.ndarray, *, progress: Progress = _quiet
) -> list[Explained]:
    """Breakdown and reasons for the given (mentee row, mentor column) pairs."""
    parts = components(problem.mentees.people, problem.mentors.people, problem.weights, rows, cols)
    weights = problem.weights.as_dict()
    names = list(parts)
    # Rounded a column at a time into plain lists, then read pair by pair: several times
    # quicker than indexing arrays, or rounding in a dict comprehension per pair.
    rounded = [[round(value, 4) for value in values.tolist()] for values in parts.values()]
    totals = parts["total"].tolist()
    explained = []
    pairs = zip(rows.tolist(), cols.tolist(), zip(*rounded, strict=True), strict=True)
    for n, (row, col, values) in enumerate(pairs):
        if n and n % REPORT_EVERY == 0:
            progress("explaining", n, len(rows))
        breakdown = dict(zip(names, values, strict=True))
        explained.append(
            Explained(
                row=row,
                col=col,
                score=totals[n],
                breakdown=breakdown,
                reasons=reasons_for(problem, row, col, breakdown, weights=weights),
            )
        )
    return explained


# --- Suggestions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FreshSuggestion:
    """A suggestion as just computed. Its JSON is written once, for the digest and for
    COPY alike: serialising 75,000 breakdowns and reasons twice cost most of a second."""

    mentee_enrollment_id: int
    mentor_enrollment_id: int
    rank: int
    score: float
    breakdown: dict[str, float]
    reasons: list[str]
    breakdown_json: str
    reasons_json: str
    digest: str


def recompute_suggestions(
    *, cohort: Cohort, now: datetime | None = None, progress: Progress = _quiet
) -> int:
    """Replace a cohort's suggestions (dismissed ones stay dismissed). Returns how many.

    ``progress`` hears each phase ("scoring", "explaining", "writing") as it starts, and
    how far explaining got; it is called outside the transaction that writes, so that a
    progress row it updates is seen by other connections at once."""
    now = now or timezone.now()
    progress("scoring", 0, 0)
    problem = build_problem(cohort)
    fresh: list[FreshSuggestion] = []
    weights_version = 0
    if problem is not None:
        cols, _ = top_k(problem.scores, TOP_K, problem.allowed)
        rows = np.repeat(np.arange(cols.shape[0]), cols.shape[1])
        flat = cols.ravel()
        keep = flat >= 0
        rows, flat = rows[keep], flat[keep]
        ranks = np.tile(np.arange(1, TOP_K + 1), cols.shape[0])[keep]
        weights_version = problem.weights_version
        mentee_ids = [e.pk for e in problem.mentees.enrollments]
        mentor_ids = [e.pk for e in problem.mentors.enrollments]
        progress("explaining", 0, len(rows))
        explained = explain(problem, rows, flat, progress=progress)
        # What json.dumps writes, without its cost per call (most of a second here): the
        # breakdown's keys are the same for every pair, and its values floats.
        breakdown_format = (
            "{" + ", ".join(f"{json.dumps(name)}: %r" for name in explained[0].breakdown) + "}"
            if explained
            else ""
        )
        for rank, pair in zip(ranks.tolist(), explained, strict=True):
            breakdown_json = breakdown_format % tuple(pair.breakdown.values())
            reasons_json = "[" + ", ".join(map(encode_basestring_ascii, pair.reasons)) + "]"
            fresh.append(
                FreshSuggestion(
                    mentee_enrollment_id=mentee_ids[pair.row],
                    mentor_enrollment_id=mentor_ids[pair.col],
                    rank=rank,
                    score=pair.score,
                    breakdown=pair.breakdown,
                    reasons=pair.reasons,
                    breakdown_json=breakdown_json,
                    reasons_json=reasons_json,
                    digest=suggestion_digest(
                        rank=rank,
                        score=pair.score,
                        breakdown_json=breakdown_json,
                        reasons_json=reasons_json,
                        weights_version=weights_version,
                    ),
                )
            )
    progress("writing", 0, len(fresh))
    with transaction.atomic():
        # The nightly run and a debounced one may overlap: they take turns here.
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        write_suggestions(
            cohort_id=cohort.pk,
            changes=_changes(cohort, fresh),
            weights_version=weights_version,
            computed_at=now,
        )
        Cohort.objects.filter(pk=cohort.pk).update(suggestions_computed_at=now)
    return len(fresh)


def suggestion_digest(
    *, rank: int, score: float, breakdown_json: str, reasons_json: str, weights_version: int
) -> str:
    """A hash of what a suggestion says (rank, score, breakdown, reasons, weights)."""
    content = f"{rank}|{score!r}|{breakdown_json}|{reasons_json}|{weights_version}"
    return hashlib.md5(content.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Changes:
    """What a recompute writes: pairs new to the cohort, stored pairs whose suggestion
    changed (by the stored row's id), and the ids of stored pairs no longer suggested."""

    new: list[FreshSuggestion]
    changed: list[tuple[int, FreshSuggestion]]
    stale: list[int]


def _changes(cohort: Cohort, fresh: list[FreshSuggestion]) -> Changes:
    """Compare the fresh suggestions with the stored ones, by their digests.

    A recompute after one person's change, or the nightly one, leaves most of a cohort's
    suggestions as they were: rewriting all 75,000 of a 12,000-person cohort costs
    seconds of writing; comparing their digests, a fraction."""
    stored = Suggestion.objects.filter(cohort=cohort, dismissed_at__isnull=True).values_list(
        "mentee_enrollment_id", "mentor_enrollment_id", "pk", "digest"
    )
    by_pair = {(mentee, mentor): (pk, digest) for mentee, mentor, pk, digest in stored}
    new, changed = [], []
    for row in fresh:
        old = by_pair.pop((row.mentee_enrollment_id, row.mentor_enrollment_id), None)
        if old is None:
            new.append(row)
        elif old[1] != row.digest:
            changed.append((old[0], row))
    return Changes(new=new, changed=changed, stale=[pk for pk, _digest in by_pair.values()])


# The columns a stored suggestion is written with; the rest (id, dismissed_at) are the
# database's: a new id, and NULL.
SUGGESTION_COLUMNS = (
    "cohort_id",
    "mentee_enrollment_id",
    "mentor_enrollment_id",
    "rank",
    "score",
    "breakdown",
    "reasons",
    "weights_version",
    "computed_at",
    "digest",
)
# What a changed suggestion rewrites in place; its cohort, pair and id stay.
UPDATED_COLUMNS = SUGGESTION_COLUMNS[3:]


def write_suggestions(
    *,
    cohort_id: int,
    changes: Changes,
    weights_version: int,
    computed_at: datetime,
    use_copy: bool | None = None,
) -> None:
    """Delete the stale suggestions, rewrite the changed ones in place, add the new ones.

    A changed suggestion keeps its row: after a weights change every one of a cohort's
    75,000 suggestions changes, and rewriting them in place costs PostgreSQL no
    foreign-key checks (the keys do not move) and, with the table's spare room on each
    page (migration 0013), no index entries either. On PostgreSQL the rows go in through
    COPY (bulk_create and bulk_update spend seconds building SQL for 75,000 rows' JSON),
    the changed ones into a temporary table that one UPDATE reads. Elsewhere, and with
    ``use_copy=False``, through the ORM. A test pins both to the same rows.
    """
    if use_copy is None:
        use_copy = connection.vendor == "postgresql"
    for start in range(0, len(changes.stale), 5000):
        Suggestion.objects.filter(pk__in=changes.stale[start : start + 5000]).delete()
    if not use_copy:
        Suggestion.objects.bulk_update(
            [
                Suggestion(
                    pk=pk,
                    **_fields(row, weights_version=weights_version, computed_at=computed_at),
                )
                for pk, row in changes.changed
            ],
            UPDATED_COLUMNS,
            batch_size=2000,
        )
        Suggestion.objects.bulk_create(
            [
                Suggestion(
                    cohort_id=cohort_id,
                    mentee_enrollment_id=row.mentee_enrollment_id,
                    mentor_enrollment_id=row.mentor_enrollment_id,
                    **_fields(row, weights_version=weights_version, computed_at=computed_at),
                )
                for row in changes.new
            ],
            batch_size=2000,
        )
        return
    table = Suggestion._meta.db_table
    stamp = computed_at.isoformat()
    with connection.cursor() as cursor:
        if changes.changed:
            # Dropped again below, so a second recompute in one transaction (tests) can
            # create it again; a failure rolls its creation back with everything else.
            cursor.execute(
                "CREATE TEMPORARY TABLE suggestion_update (id bigint, rank smallint, "
                "score double precision, breakdown jsonb, reasons jsonb, "
                "weights_version integer, computed_at timestamptz, digest varchar(32))"
            )
            _copy(
                cursor,
                "suggestion_update",
                ("id", *UPDATED_COLUMNS),
                (
                    (
                        pk,
                        row.rank,
                        row.score,
                        row.breakdown_json,
                        row.reasons_json,
                        weights_version,
                        stamp,
                        row.digest,
                    )
                    for pk, row in changes.changed
                ),
            )
            assignments = ", ".join(f"{name} = fresh.{name}" for name in UPDATED_COLUMNS)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM suggestion_update AS fresh "
                f"WHERE {table}.id = fresh.id"
            )
            cursor.execute("DROP TABLE suggestion_update")
        if changes.new:
            _copy(
                cursor,
                table,
                SUGGESTION_COLUMNS,
                (
                    (
                        cohort_id,
                        row.mentee_enrollment_id,
                        row.mentor_enrollment_id,
                        row.rank,
                        row.score,
                        row.breakdown_json,
                        row.reasons_json,
                        weights_version,
                        stamp,
                        row.digest,
                    )
                    for row in changes.new
                ),
            )


def _fields(row: FreshSuggestion, *, weights_version: int, computed_at: datetime) -> dict:
    return {
        "rank": row.rank,
        "score": row.score,
        "breakdown": row.breakdown,
        "reasons": row.reasons,
        "weights_version": weights_version,
        "computed_at": computed_at,
        "digest": row.digest,
    }


class _CsvStream:
    """A file for COPY to read that writes its CSV as it is read: PostgreSQL parses and
    stores one chunk while Python formats the next, on the machine's other core."""

    def __init__(self, rows: Iterable[Iterable[Any]]) -> None:
        self._rows = iter(rows)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)
        self._pending = ""

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._pending) < size:
            self._writer.writerows(islice(self._rows, 500))
            written = self._buffer.getvalue()
            if not written:
                break
            self._pending += written
            self._buffer.seek(0)
            self._buffer.truncate()
        if size < 0:
            size = len(self._pending)
        chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk

    def readline(self) -> str:  # psycopg2 asks for it only for COPY TO
        raise NotImplementedError


def _copy(cursor: Any, table: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    # psycopg2's COPY; Django's cursor wrapper does not offer it.
    cursor.cursor.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)",
        _CsvStream(rows),
        size=1 << 16,
    )


def dismiss(*, suggestion: Suggestion, by: User) -> Suggestion:
    """The mentee hides a suggestion; recomputing never brings that mentor back."""
    if by.pk != suggestion.mentee_enrollment.user_id:
        raise PermissionDenied
    if suggestion.dismissed_at is None:
        suggestion.dismissed_at = timezone.now()
        suggestion.save(update_fields=["dismissed_at"])
    return suggestion


# --- Debounced recomputation -------------------------------------------------


def _generation_key(cohort_id: int) -> str:
    return f"suggestions:generation:{cohort_id}"


def request_recompute(*, cohort_ids: Iterable[int]) -> None:
    """Ask for a cohort's suggestions to be recomputed soon, once per burst of changes."""
    from matching.tasks import recompute_cohort_suggestions

    for cohort_id in set(cohort_ids):
        key = _generation_key(cohort_id)
        cache.add(key, 0, timeout=None)
        generation = cache.incr(key)
        transaction.on_commit(
            partial(
                _queue,
                recompute_cohort_suggestions,
                cohort_id,
                generation,
            )
        )


def _queue(task: "Task[Any, Any]", cohort_id: int, generation: int) -> None:
    try:
        task.apply_async((cohort_id, generation), countdown=settings.SUGGESTION_DEBOUNCE_SECONDS)
    except Exception:  # noqa: BLE001 - a broker outage must not fail a profile edit
        logger.warning(
            "Could not queue suggestions for cohort %s; the nightly run will catch up.", cohort_id
        )


def run_if_latest(*, cohort_id: int, generation: int | None) -> str:
    """The debounced task body: only the newest request of a burst computes, and tells
    the cohort's page how far it got."""
    if generation is not None and cache.get(_generation_key(cohort_id)) != generation:
        return "superseded"
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    if cohort is None:
        return "gone"
    tracker = _Tracker(cohort_id)
    try:
        count = recompute_suggestions(cohort=cohort, progress=tracker)
    except Exception:
        tracker.failed(
            "It stopped with an error, logged for the developers; the suggestions are as "
            "they were. Recompute again, and tell the developers if it fails again."
        )
        raise
    tracker.finished(count)
    return f"computed {count}"


def mark_queued(*, cohort_ids: Iterable[int]) -> None:
    """The admin asked for a recompute: the cohort's page says so until a worker starts."""
    now = timezone.now()
    for cohort_id in cohort_ids:
        SuggestionRecompute.objects.update_or_create(
            cohort_id=cohort_id,
            defaults={
                "status": RecomputeStatus.QUEUED,
                "phase": "",
                "done": 0,
                "total": 0,
                "requested_at": now,
                "started_at": None,
                "updated_at": now,
                "finished_at": None,
                "error": "",
            },
        )


class _Tracker:
    """Writes a recompute's progress on its cohort's SuggestionRecompute row. Each write
    is its own statement outside the recompute's transaction, so the admin's page (another
    process) sees it at once."""

    def __init__(self, cohort_id: int) -> None:
        self.cohort_id = cohort_id
        now = timezone.now()
        row, _created = SuggestionRecompute.objects.get_or_create(
            cohort_id=cohort_id,
            defaults={"status": RecomputeStatus.RUNNING, "requested_at": now},
        )
        self._update(
            status=RecomputeStatus.RUNNING,
            started_at=now,
            finished_at=None,
            error="",
            # A recompute nobody asked for in the admin (a profile change, the nightly
            # run) was requested when it starts.
            requested_at=row.requested_at if row.status == RecomputeStatus.QUEUED else now,
        )

    def _update(self, **fields: Any) -> None:
        SuggestionRecompute.objects.filter(cohort_id=self.cohort_id).update(
            updated_at=timezone.now(), **fields
        )

    def __call__(self, phase: str, done: int, total: int) -> None:
        self._update(phase=phase, done=done, total=total)

    def finished(self, count: int) -> None:
        self._update(status=RecomputeStatus.DONE, finished_at=timezone.now(), suggestions=count)

    def failed(self, reason: str) -> None:
        self._update(status=RecomputeStatus.FAILED, finished_at=timezone.now(), error=reason)


# A recompute takes seconds, and says how far it got every few; one silent this long
# lost its worker (killed, or restarted mid-run). One queued this long was never picked
# up (no worker running, or the broker lost the task).
RECOMPUTE_STUCK_AFTER = timedelta(minutes=15)
RECOMPUTE_UNCLAIMED_AFTER = timedelta(hours=1)


def fail_stuck_recomputes(*, now: datetime | None = None) -> int:
    """Mark recomputes that will not finish as failed, saying why. Returns how many."""
    now = now or timezone.now()
    stuck = SuggestionRecompute.objects.filter(
        status=RecomputeStatus.RUNNING, updated_at__lt=now - RECOMPUTE_STUCK_AFTER
    ).update(
        status=RecomputeStatus.FAILED,
        finished_at=now,
        error="The worker stopped while recomputing; the suggestions are as they were. "
        "Recompute again.",
    )
    unclaimed = SuggestionRecompute.objects.filter(
        status=RecomputeStatus.QUEUED, updated_at__lt=now - RECOMPUTE_UNCLAIMED_AFTER
    ).update(
        status=RecomputeStatus.FAILED,
        finished_at=now,
        error="No worker started it within an hour: the background workers may be down. "
        "Recompute again, or tell the developers.",
    )
    return stuck + unclaimed


def cohorts_of(user_id: int) -> list[int]:
    return list(
        Enrollment.objects.active()
        .filter(user_id=user_id)
        .values_list("cohort_id", flat=True)
        .distinct()
    )


def profile_changed(*, profile: Profile) -> None:
    """On profiles' matching_profile_changed signal: skills, goals, capacity moved."""
    request_recompute(cohort_ids=cohorts_of(profile.user_id))


def active_cohort_ids() -> list[int]:
    return list(
        Cohort.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate())
        ).values_list("pk", flat=True)
    )
