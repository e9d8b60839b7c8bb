"""What each event says: ids, dates, states and who, never the private words of a
mentorship (goal texts, notes, messages). One query per batch, however many."""

from collections.abc import Iterable
from typing import Any

from goals.models import Goal
from matching.models import Cohort, Enrollment, Mentorship


def _person(enrollment: Enrollment) -> dict[str, Any]:
    user = enrollment.user
    return {"id": user.pk, "email": user.email, "name": user.get_full_name()}


def _cohort(cohort: Cohort) -> dict[str, Any]:
    return {"id": cohort.pk, "name": cohort.name}


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def mentorships(ids: Iterable[int]) -> list[tuple[int, int, dict[str, Any]]]:
    """(cohort id, mentorship id, data) for each mentorship."""
    rows = Mentorship.objects.filter(pk__in=list(ids)).select_related(
        "cohort", "mentee_enrollment__user__profile", "mentor_enrollment__user__profile"
    )
    return [
        (
            m.cohort_id,
            m.pk,
            {
                "mentorship": {
                    "id": m.pk,
                    "status": m.status,
                    "started_at": _when(m.started_at),
                    "ended_at": _when(m.ended_at),
                },
                "cohort": _cohort(m.cohort),
                "mentee": _person(m.mentee_enrollment),
                "mentor": _person(m.mentor_enrollment),
            },
        )
        for m in rows.order_by("pk")
    ]


def goals(ids: Iterable[int]) -> list[tuple[int, int, dict[str, Any]]]:
    """(cohort id, goal id, data) for each goal: its state and progress, not its text."""
    rows = Goal.objects.filter(pk__in=list(ids)).select_related(
        "mentorship__cohort",
        "mentorship__mentee_enrollment__user__profile",
        "mentorship__mentor_enrollment__user__profile",
    )
    return [
        (
            g.mentorship.cohort_id,
            g.pk,
            {
                "goal": {"id": g.pk, "status": g.status, "updated_at": _when(g.updated_at)},
                "mentorship": {"id": g.mentorship_id},
                "cohort": _cohort(g.mentorship.cohort),
                "mentee": _person(g.mentorship.mentee_enrollment),
                "mentor": _person(g.mentorship.mentor_enrollment),
            },
        )
        for g in rows.order_by("pk")
    ]
