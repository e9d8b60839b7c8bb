"""Cohort-wide assignment: queue a run, compute a draft, let an admin edit and publish it."""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

import numpy as np

from accounts.models import User
from matching.admin_scoping import can_administer
from matching.engine.assign import assign
from matching.engine.metrics import assignment_metrics, price_of_stability
from matching.models import (
    AuditAction,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    MatchMode,
    MatchRun,
    MatchRunPair,
    MatchRunStatus,
    MatchRunUnmatched,
    Mentorship,
    MentorshipStatus,
    Role,
    UnmatchedReason,
)
from matching.services import (
    close_pending_requests,
    lock_mentor_profile,
    preferences,
    send_introductions,
)
from matching.services.audit import record
from matching.services.suggestions import (
    Explained,
    Problem,
    build_problem,
    explain,
    request_recompute,
    weights_for_reading,
)
from matching.signals import mentorships_started

logger = logging.getLogger(__name__)


def _check_admin(user: User, perm: str, cohort: Cohort) -> None:
    """The permission says what a programme admin may do; the cohort link says where.
    Checked here as well as in the admin, so no other caller can skip it."""
    if not (user.is_active and user.is_staff and user.has_perm(perm)):
        raise PermissionDenied
    if not can_administer(user, cohort):
        raise PermissionDenied


@transaction.atomic
def start_run(*, cohort: Cohort, mode: str, by: User) -> MatchRun:
    """Queue a run; the work happens in a Celery task after this transaction commits."""
    _check_admin(by, "matching.add_matchrun", cohort)
    if mode not in MatchMode.values:
        raise ValidationError(gettext("Choose optimal or stable matching."))
    run = MatchRun.objects.create(cohort=cohort, mode=mode, created_by=by)
    record(
        actor=by,
        cohort=cohort,
        action=AuditAction.RUN_STARTED,
        summary=f"Started {MatchMode(mode).label.lower()} matching for {cohort} (run {run.pk}).",
        obj=run,
        details={"mode": mode},
    )
    transaction.on_commit(partial(_queue, run.pk))
    return run


def _queue(run_id: int) -> None:
    from matching.tasks import run_match_run

    try:
        run_match_run.delay(run_id)
    except Exception:  # noqa: BLE001 - the admin sees the run stay queued and can retry
        logger.warning("Could not queue match run %s.", run_id)


def execute_run(*, run_id: int) -> str:
    """Compute a draft. Safe to run twice: only a queued run is picked up."""
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != MatchRunStatus.QUEUED:
            return "skipped"
        run.status = MatchRunStatus.RUNNING
        run.save(update_fields=["status"])
    try:
        pairs, unmatched, metrics, version, problem = _solve(run)
        metrics.update(preferences.note_stated_choices(run.cohort, pairs, unmatched))
        with transaction.atomic():
            MatchRunPair.objects.filter(run_id=run_id).delete()
            MatchRunPair.objects.bulk_create(pairs, batch_size=2000)
            MatchRunUnmatched.objects.filter(run_id=run_id).delete()
            MatchRunUnmatched.objects.bulk_create(unmatched, batch_size=2000)
            MatchRun.objects.filter(pk=run_id).update(
                status=MatchRunStatus.DRAFT,
                metrics=metrics,
                weights_version=version,
                finished_at=timezone.now(),
            )
    except Exception as exc:
        # Solving or writing: either way the run says it failed, never "running" forever.
        logger.exception("Match run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return "failed"
    # The draft is there for the admin to review; what stability costs comes after.
    if problem is not None:
        try:
            _price_of_stability(run_id, problem, chosen_total=float(metrics["total_score"]))
        except Exception:
            logger.exception("Match run %s: the other mode could not be solved", run_id)
            _note_price_of_stability(run_id, None)
    return f"draft with {len(pairs)} pairs"


# A run takes seconds; one still "running" after this long lost its worker (killed, or
# restarted mid-run) and will not finish: it is marked failed so the admin starts another.
STUCK_AFTER = timedelta(hours=1)


def fail_stuck_runs(*, now: datetime | None = None) -> int:
    """Mark runs whose worker stopped mid-run as failed. Returns how many."""
    now = now or timezone.now()
    return MatchRun.objects.filter(
        status=MatchRunStatus.RUNNING, created_at__lt=now - STUCK_AFTER
    ).update(
        status=MatchRunStatus.FAILED,
        error="The worker stopped while computing this run. Start the run again.",
        finished_at=now,
    )


def _price_of_stability(run_id: int, problem: Problem, *, chosen_total: float) -> None:
    """Solve the cohort in the other mode and note stable ÷ optimal total fit on the run.

    Run after the draft is written, in the same task: the admin reviews the draft while
    this runs (stable matching of a 12,000-person cohort takes seconds)."""
    run = MatchRun.objects.select_related("cohort").get(pk=run_id)
    other_mode = MatchMode.STABLE if run.mode == MatchMode.OPTIMAL else MatchMode.OPTIMAL
    stated = preferences.stated_preferences(run.cohort, problem)
    other = assign(
        stated.mentee_scores(other_mode),
        problem.free_places,
        mode=other_mode,
        allowed=problem.allowed,
        mentor_scores=stated.mentor_scores(other_mode),
    )
    other_total = float(
        assignment_metrics(other, problem.scores, problem.free_places, problem.allowed)[
            "total_score"
        ]
    )
    stable_total, optimal_total = (
        (chosen_total, other_total) if run.mode == MatchMode.STABLE else (other_total, chosen_total)
    )
    _note_price_of_stability(run_id, _plain(price_of_stability(stable_total, optimal_total)))


def _note_price_of_stability(run_id: int, value: object) -> None:
    # Under the row lock edits take, so a concurrent edit's figures are kept.
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(pk=run_id)
        run.metrics = {**run.metrics, "price_of_stability": value}
        run.save(update_fields=["metrics"])


def _solve(
    run: MatchRun,
) -> tuple[list[MatchRunPair], list[MatchRunUnmatched], dict, int | None, Problem | None]:
    problem = build_problem(run.cohort)
    if problem is None:
        return [], [], {"coverage": 0.0, "matched": 0, "mentees": 0, "mentors": 0}, None, None
    scores, allowed, capacities = problem.scores, problem.allowed, problem.free_places
    # What people stated in the preference window: the engine is given their order or
    # a bonus instead of the bare fit; metrics and stored scores keep the fit.
    stated = preferences.stated_preferences(run.cohort, problem)
    chosen = assign(
        stated.mentee_scores(run.mode),
        capacities,
        mode=run.mode,
        allowed=allowed,
        mentor_scores=stated.mentor_scores(run.mode),
    )
    chosen_metrics = assignment_metrics(chosen, scores, capacities, allowed)
    metrics = {k: _plain(v) for k, v in chosen_metrics.items()}
    metrics["mentees"] = len(problem.mentees.enrollments)
    metrics["mentors"] = len(problem.mentors.enrollments)
    metrics["places"] = int(capacities.sum())

    rows = np.flatnonzero(chosen >= 0)
    pairs = [
        MatchRunPair(
            run=run,
            mentee_enrollment=problem.mentees.enrollments[pair.row],
            mentor_enrollment=problem.mentors.enrollments[pair.col],
            score=pair.score,
            breakdown=pair.breakdown,
            reasons=pair.reasons,
        )
        for pair in explain(problem, rows, chosen[rows])
    ]
    return pairs, _unmatched(run, problem, chosen), metrics, problem.weights_version, problem


def _unmatched(run: MatchRun, problem: Problem, chosen: np.ndarray) -> list[MatchRunUnmatched]:
    """Why each mentee left without a mentor: nobody allowed, or the allowed ones full.

    Only here is the allowed mask at hand; the review page reads the stored reasons.
    """
    rows = np.flatnonzero(chosen < 0)
    load = np.bincount(chosen[chosen >= 0], minlength=len(problem.free_places))
    has_room = load < problem.free_places
    allowed = problem.allowed[rows]
    counts: np.ndarray = allowed.sum(axis=1)
    roomy = np.asarray((allowed & has_room).any(axis=1))
    unmatched = []
    for row, count, room in zip(rows.tolist(), counts.tolist(), roomy.tolist(), strict=True):
        if count == 0:
            reason = UnmatchedReason.NO_ALLOWED_MENTOR
        elif not room:
            reason = UnmatchedReason.ALLOWED_MENTORS_FULL
        else:
            reason = UnmatchedReason.NOT_CHOSEN
        unmatched.append(
            MatchRunUnmatched(
                run=run,
                mentee_enrollment=problem.mentees.enrollments[row],
                reason=reason,
                allowed_mentors=count,
            )
        )
    return unmatched


def _plain(value: object) -> object:
    """JSON-safe numbers (NaN becomes None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


# --- Editing a draft --------------------------------------------------------


def _lock_draft(run: MatchRun) -> MatchRun:
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.status != MatchRunStatus.DRAFT:
        raise ValidationError(gettext("Only a draft can be changed."))
    return run


def _person(enrollment: Enrollment) -> str:
    return enrollment.user.email


def _name(enrollment: Enrollment) -> str:
    return enrollment.user.get_full_name() or enrollment.user.email


def _fit(
    run: MatchRun,
    mentee: Enrollment,
    mentor: Enrollment,
    *,
    pair: MatchRunPair | None = None,
) -> Explained:
    """The engine's word on one pair in this draft: scored, or refused with the reason.

    Places count the draft's other pairs as taken; the rest is the allowed mask of the
    engine, for these two people only (a fraction of a second, not the cohort's problem).
    """
    if (
        mentor.cohort_id != run.cohort_id
        or mentor.role != Role.MENTOR
        or mentor.status != EnrollmentStatus.ACTIVE
    ):
        raise ValidationError(gettext("Pick a mentor of this cohort."))
    if mentor.user_id == mentee.user_id:
        raise ValidationError(gettext("A mentee cannot mentor themselves."))
    others = run.pairs.filter(mentor_enrollment=mentor)
    planned = (others.exclude(pk=pair.pk) if pair else others).count()
    problem = build_problem(run.cohort, mentees=[mentee], mentors=[mentor], read_only=True)
    if problem is None:
        raise ValidationError(
            gettext("%(name)s has not finished setting up their profile.") % {"name": _name(mentor)}
        )
    if problem.free_places[0] - planned <= 0:
        raise ValidationError(gettext("%(name)s has no free place left.") % {"name": _name(mentor)})
    if not problem.allowed[0, 0]:
        raise ValidationError(_forbidden(run, problem, mentee, mentor))
    (explained,) = explain(problem, np.array([0]), np.array([0]))
    return explained


def _forbidden(run: MatchRun, problem: Problem, mentee: Enrollment, mentor: Enrollment) -> str:
    """Why the engine rules a pair out, in the words of its rules."""
    names = {"mentee": _name(mentee), "mentor": _name(mentor)}
    mentee_profile, mentor_profile = problem.mentees.profiles[0], problem.mentors.profiles[0]

    def organisation(text: str) -> str:
        return " ".join(text.lower().split())

    if (
        weights_for_reading(run.cohort).block_same_organisation
        and organisation(mentee_profile.organisation)
        and organisation(mentee_profile.organisation) == organisation(mentor_profile.organisation)
    ):
        return (
            gettext(
                "%(mentee)s and %(mentor)s work for the same organisation, which this "
                "cohort's matching rules out."
            )
            % names
        )
    languages = {lang.pk for lang in mentee_profile.languages.all()}
    if not languages & {lang.pk for lang in mentor_profile.languages.all()}:
        return gettext("%(mentee)s and %(mentor)s share no language.") % names
    return (
        gettext(
            "The matching rules out %(mentee)s and %(mentor)s: a request between them was "
            "declined or is pending, a mentorship between them ended, or the suggestion was "
            "dismissed."
        )
        % names
    )


def _refresh_metrics(run: MatchRun) -> None:
    """Recount the figures an edit moves: at once those the pairs' scores give, and the
    blocking pairs and load spread (which need the whole cohort scored) in a task."""
    scores = np.array(list(run.pairs.values_list("score", flat=True)), dtype=np.float64)
    matched = int(scores.size)
    mentees = int(run.metrics.get("mentees") or 0)
    generation = int(run.metrics.get("generation") or 0) + 1
    run.metrics = {
        **run.metrics,
        "matched": matched,
        "coverage": matched / mentees if mentees else 1.0,
        "total_score": float(scores.sum()),
        "min_score": float(scores.min()) if matched else None,
        "p10_score": float(np.percentile(scores, 10)) if matched else None,
        "generation": generation,
    }
    run.save(update_fields=["metrics"])
    transaction.on_commit(partial(_queue_recount, run.pk, generation))


def _queue_recount(run_id: int, generation: int) -> None:
    from matching.tasks import recount_run_metrics

    try:
        recount_run_metrics.delay(run_id, generation)
    except Exception:  # noqa: BLE001 - the page says the count is pending; the next edit retries
        logger.warning("Could not queue the metrics of match run %s.", run_id)


def recount_metrics(*, run_id: int, generation: int) -> str:
    """The task body: blocking pairs and load spread of the draft as it is now.

    Safe to run twice; a task overtaken by a newer edit leaves the work to that one's.
    """
    run = MatchRun.objects.select_related("cohort").filter(pk=run_id).first()
    if run is None or run.status != MatchRunStatus.DRAFT:
        return "gone"
    if run.metrics.get("generation") != generation:
        return "superseded"
    problem = build_problem(run.cohort)
    figures: dict[str, object] = {"blocking_pairs": 0, "load_std": 0.0, "load_max_minus_min": 0.0}
    if problem is not None:
        row_of = {e.pk: i for i, e in enumerate(problem.mentees.enrollments)}
        col_of = {e.pk: j for j, e in enumerate(problem.mentors.enrollments)}
        assignment = np.full(len(row_of), -1, dtype=np.int64)
        for mentee, mentor in run.pairs.values_list("mentee_enrollment_id", "mentor_enrollment_id"):
            if mentee in row_of and mentor in col_of:
                assignment[row_of[mentee]] = col_of[mentor]
        counted = assignment_metrics(
            assignment, problem.scores, problem.free_places, problem.allowed
        )
        figures = {key: _plain(counted[key]) for key in figures}
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(pk=run_id)
        if run.metrics.get("generation") != generation:
            return "superseded"
        run.metrics = {**run.metrics, **figures, "counted_generation": generation}
        run.save(update_fields=["metrics"])
    return "counted"


@transaction.atomic
def remove_pair(*, pair: MatchRunPair, by: User) -> None:
    """Take a pair out of the draft; the mentee joins the unmatched, their mentor's place
    frees up."""
    _check_admin(by, "matching.change_matchrun", pair.run.cohort)
    run = _lock_draft(pair.run)
    mentee, mentor = _person(pair.mentee_enrollment), _person(pair.mentor_enrollment)
    record(
        actor=by,
        cohort=run.cohort,
        action=AuditAction.RUN_EDITED,
        summary=f"Removed the pair {mentor} ↔ {mentee} from run {run.pk}.",
        obj=run,
        details={"change": "remove_pair", "pair": pair.pk, "mentee": mentee, "mentor": mentor},
    )
    MatchRunUnmatched.objects.update_or_create(
        run=run,
        mentee_enrollment=pair.mentee_enrollment,
        defaults={"reason": UnmatchedReason.REMOVED},
    )
    pair.delete()
    _refresh_metrics(run)


@transaction.atomic
def change_mentor(*, pair: MatchRunPair, mentor_enrollment: Enrollment, by: User) -> MatchRunPair:
    """Give a mentee another mentor in the draft, within that mentor's free places and
    the pairs the engine allows."""
    _check_admin(by, "matching.change_matchrun", pair.run.cohort)
    run = _lock_draft(pair.run)
    fit = _fit(run, pair.mentee_enrollment, mentor_enrollment, pair=pair)
    mentee = _person(pair.mentee_enrollment)
    before, after = _person(pair.mentor_enrollment), _person(mentor_enrollment)
    pair.mentor_enrollment = mentor_enrollment
    pair.score = fit.score
    pair.breakdown = fit.breakdown
    pair.reasons = ["Chosen by the programme team", *fit.reasons]
    pair.save(update_fields=["mentor_enrollment", "score", "breakdown", "reasons"])
    record(
        actor=by,
        cohort=run.cohort,
        action=AuditAction.RUN_EDITED,
        summary=f"Gave {mentee} the mentor {after} instead of {before} in run {run.pk}.",
        obj=run,
        details={
            "change": "change_mentor",
            "pair": pair.pk,
            "mentee": mentee,
            "from_mentor": before,
            "to_mentor": after,
        },
    )
    _refresh_metrics(run)
    return pair


@transaction.atomic
def add_pair(
    *, run: MatchRun, mentee_enrollment: Enrollment, mentor_enrollment: Enrollment, by: User
) -> MatchRunPair:
    """Pair one of the run's unmatched mentees with a mentor the engine allows."""
    _check_admin(by, "matching.change_matchrun", run.cohort)
    run = _lock_draft(run)
    waiting = run.unmatched.filter(mentee_enrollment=mentee_enrollment).first()
    if waiting is None:
        raise ValidationError(
            gettext("%(name)s is not among this draft's unmatched mentees.")
            % {"name": _name(mentee_enrollment)}
        )
    fit = _fit(run, mentee_enrollment, mentor_enrollment)
    pair = MatchRunPair.objects.create(
        run=run,
        mentee_enrollment=mentee_enrollment,
        mentor_enrollment=mentor_enrollment,
        score=fit.score,
        breakdown=fit.breakdown,
        reasons=["Chosen by the programme team", *fit.reasons],
    )
    waiting.delete()
    mentee, mentor = _person(mentee_enrollment), _person(mentor_enrollment)
    record(
        actor=by,
        cohort=run.cohort,
        action=AuditAction.RUN_EDITED,
        summary=f"Added the pair {mentor} ↔ {mentee} to run {run.pk}.",
        obj=run,
        details={"change": "add_pair", "pair": pair.pk, "mentee": mentee, "mentor": mentor},
    )
    _refresh_metrics(run)
    return pair


# --- Publishing -------------------------------------------------------------


@transaction.atomic
def publish_run(*, run: MatchRun, by: User) -> MatchRun:
    """Turn a draft into mentorships and introductions, once.

    Publishing a published run changes nothing and sends nothing. Pairs that no
    longer fit (the mentee found a mentor meanwhile, the mentor filled up) are
    skipped and counted in the run's metrics.
    """
    _check_admin(by, "matching.publish_matchrun", run.cohort)
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.status == MatchRunStatus.PUBLISHED:
        return run
    if run.status != MatchRunStatus.DRAFT:
        raise ValidationError(gettext("Only a draft can be published."))
    now = timezone.now()
    skipped = 0
    pairs = run.pairs.select_related("mentee_enrollment", "mentor_enrollment").order_by("pk")
    started: list[int] = []
    for pair in pairs:
        # The same lock order as accepting a request: mentor, then mentee.
        lock_mentor_profile(pair.mentor_enrollment_id)
        mentor = Enrollment.objects.select_for_update().get(pk=pair.mentor_enrollment_id)
        mentee = Enrollment.objects.select_for_update().get(pk=pair.mentee_enrollment_id)
        busy = Mentorship.objects.filter(mentee_enrollment=mentee, status=MentorshipStatus.ACTIVE)
        if (
            mentor.status != EnrollmentStatus.ACTIVE
            or mentee.status != EnrollmentStatus.ACTIVE
            or busy.exists()
            or mentor.places_left() <= 0
        ):
            skipped += 1
            continue
        mentorship = Mentorship.objects.create(
            cohort=run.cohort, mentor_enrollment=mentor, mentee_enrollment=mentee, started_at=now
        )
        pair.mentorship = mentorship
        pair.save(update_fields=["mentorship"])
        close_pending_requests(mentee=mentee, accepted=None, now=now)
        send_introductions(mentorship)
        started.append(mentorship.pk)
    mentorships_started.send(sender=Mentorship, mentorship_ids=started)
    run.status = MatchRunStatus.PUBLISHED
    run.published_by = by
    run.published_at = now
    run.metrics = {
        **run.metrics,
        "published_pairs": run.pairs.count() - skipped,
        "skipped": skipped,
    }
    run.save(update_fields=["status", "published_by", "published_at", "metrics"])
    # Only here, after the early return above: a second click publishes nothing.
    record(
        actor=by,
        cohort=run.cohort,
        action=AuditAction.RUN_PUBLISHED,
        summary=(
            f"Published run {run.pk} of {run.cohort}: {run.metrics['published_pairs']} "
            f"mentorships created, {skipped} pairs skipped."
        ),
        obj=run,
        details={"published_pairs": run.metrics["published_pairs"], "skipped": skipped},
    )
    request_recompute(cohort_ids=[run.cohort_id])
    return run
