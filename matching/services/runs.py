"""Cohort-wide assignment: queue a run, compute a draft, let an admin edit and publish it."""

import logging
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

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
    Mentorship,
    MentorshipStatus,
    Role,
)
from matching.services import close_pending_requests, send_introductions
from matching.services.audit import record
from matching.services.suggestions import build_problem, explain, request_recompute

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
        raise ValidationError("Choose optimal or stable matching.")
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
        pairs, metrics, version = _solve(run)
    except Exception as exc:
        logger.exception("Match run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return "failed"
    with transaction.atomic():
        MatchRunPair.objects.filter(run_id=run_id).delete()
        MatchRunPair.objects.bulk_create(pairs, batch_size=2000)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRunStatus.DRAFT,
            metrics=metrics,
            weights_version=version,
            finished_at=timezone.now(),
        )
    return f"draft with {len(pairs)} pairs"


def _solve(run: MatchRun) -> tuple[list[MatchRunPair], dict, int | None]:
    problem = build_problem(run.cohort)
    if problem is None:
        return [], {"coverage": 0.0, "matched": 0, "mentees": 0, "mentors": 0}, None
    scores, allowed, capacities = problem.scores, problem.allowed, problem.free_places
    chosen = assign(scores, capacities, mode=run.mode, allowed=allowed)
    # Both modes run, so the draft can show what stability costs in total fit.
    other = assign(
        scores,
        capacities,
        mode=MatchMode.STABLE if run.mode == MatchMode.OPTIMAL else MatchMode.OPTIMAL,
        allowed=allowed,
    )
    chosen_metrics = assignment_metrics(chosen, scores, capacities, allowed)
    metrics = {k: _plain(v) for k, v in chosen_metrics.items()}
    chosen_total = float(chosen_metrics["total_score"])
    other_total = float(assignment_metrics(other, scores, capacities, allowed)["total_score"])
    stable_total, optimal_total = (
        (chosen_total, other_total) if run.mode == MatchMode.STABLE else (other_total, chosen_total)
    )
    metrics["price_of_stability"] = _plain(price_of_stability(stable_total, optimal_total))
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
    return pairs, metrics, problem.weights_version


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
        raise ValidationError("Only a draft can be changed.")
    return run


def _person(enrollment: Enrollment) -> str:
    return enrollment.user.email


@transaction.atomic
def remove_pair(*, pair: MatchRunPair, by: User) -> None:
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
    pair.delete()


@transaction.atomic
def change_mentor(*, pair: MatchRunPair, mentor_enrollment: Enrollment, by: User) -> MatchRunPair:
    """Give a mentee another mentor in the draft, within that mentor's free places."""
    _check_admin(by, "matching.change_matchrun", pair.run.cohort)
    run = _lock_draft(pair.run)
    if (
        mentor_enrollment.cohort_id != run.cohort_id
        or mentor_enrollment.role != Role.MENTOR
        or mentor_enrollment.status != EnrollmentStatus.ACTIVE
    ):
        raise ValidationError("Pick a mentor of this cohort.")
    if mentor_enrollment.user_id == pair.mentee_enrollment.user_id:
        raise ValidationError("A mentee cannot mentor themselves.")
    planned = run.pairs.filter(mentor_enrollment=mentor_enrollment).exclude(pk=pair.pk).count()
    if planned >= mentor_enrollment.places_left():
        raise ValidationError(f"{mentor_enrollment.user.get_full_name()} has no free place left.")
    mentee = _person(pair.mentee_enrollment)
    before, after = _person(pair.mentor_enrollment), _person(mentor_enrollment)
    pair.mentor_enrollment = mentor_enrollment
    pair.reasons = ["Chosen by the programme team"]
    pair.save(update_fields=["mentor_enrollment", "reasons"])
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
        raise ValidationError("Only a draft can be published.")
    now = timezone.now()
    skipped = 0
    pairs = run.pairs.select_related("mentee_enrollment", "mentor_enrollment").order_by("pk")
    for pair in pairs:
        # The same lock order as accepting a request: mentor, then mentee.
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
