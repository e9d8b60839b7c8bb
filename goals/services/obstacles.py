"""Obstacles on a goal: the mentee flags one, the mentor advises, either side resolves it.

Resolved obstacles are never deleted: they stay on the goal as part of its history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.outbox import services as outbox
from goals.models import Goal, Obstacle, ObstacleCategory
from matching.models import Role

ENDED = gettext_lazy("This mentorship has ended; its obstacles are read-only.")


def obstacle_for(user: User, pk: int) -> Obstacle:
    """An obstacle on a goal this person may see, or 404."""
    # A subquery rather than a join, so that a cohort with several admins
    # cannot return the same obstacle twice.
    return get_object_or_404(
        Obstacle.objects.filter(goal__in=Goal.objects.for_user(user)).select_related(
            "goal__mentorship__cohort",
            "goal__mentorship__mentee_enrollment__user__profile",
            "goal__mentorship__mentor_enrollment__user__profile",
        ),
        pk=pk,
    )


def obstacles_of(goal: Goal) -> tuple[list[Obstacle], list[Obstacle]]:
    """The goal's open obstacles, newest first, and its resolved ones, latest first.

    Who advised on or resolved each is left to the caller (the goal page reads all its
    people in one query: ``selectors.attach_people``)."""
    rows = list(goal.obstacles.all())
    open_ = sorted((o for o in rows if not o.is_resolved), key=lambda o: o.created_at, reverse=True)
    done = sorted(
        (o for o in rows if o.is_resolved),
        key=lambda o: o.resolved_at or o.created_at,
        reverse=True,
    )
    return open_, done


def may_flag(goal: Goal, user: User) -> bool:
    return goal.mentorship.side_of(user) == Role.MENTEE


def may_advise(obstacle: Obstacle, user: User) -> bool:
    return obstacle.goal.mentorship.side_of(user) == Role.MENTOR


def may_resolve(obstacle: Obstacle, user: User) -> bool:
    return obstacle.goal.mentorship.has_participant(user)


def _text(value: str, *, field: str, limit: int, missing: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: missing})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it under %(limit)s characters.") % {"limit": limit}})
    return value


@transaction.atomic
def flag_obstacle(*, goal: Goal, by: User, category: str, description: str) -> Obstacle:
    """The mentee says what blocks an open goal; the mentor hears about it by email."""
    goal = Goal.objects.select_related("mentorship").get(pk=goal.pk)
    if not may_flag(goal, by):
        raise PermissionDenied
    if not goal.mentorship.is_active:
        raise ValidationError(ENDED)
    if goal.is_closed:
        raise ValidationError(
            _("This goal is closed; obstacles can only be flagged on open goals.")
        )
    if category not in ObstacleCategory.values:
        raise ValidationError({"category": _("Choose what kind of obstacle this is.")})
    description = _text(
        description, field="description", limit=2000, missing=_("Say what is blocking you.")
    )
    obstacle = Obstacle.objects.create(
        goal=goal, raised_by=by, category=category, description=description
    )
    outbox.enqueue(
        "obstacle_flagged",
        to=[goal.mentorship.mentor.email],
        context={
            "goal": goal,
            "obstacle": obstacle,
            "mentee": goal.mentorship.mentee.get_full_name(),
        },
        key=f"obstacle-flagged:{obstacle.pk}",
    )
    return obstacle


def _locked(obstacle: Obstacle) -> Obstacle:
    # The row lock makes two clicks on "resolve" (or advice racing a resolve) take turns.
    return (
        Obstacle.objects.select_for_update().select_related("goal__mentorship").get(pk=obstacle.pk)
    )


@transaction.atomic
def advise_on_obstacle(*, obstacle: Obstacle, by: User, advice: str) -> Obstacle:
    """The mentor's advice on an open obstacle. Advising again replaces the advice."""
    obstacle = _locked(obstacle)
    if not may_advise(obstacle, by):
        raise PermissionDenied
    if not obstacle.goal.mentorship.is_active:
        raise ValidationError(ENDED)
    if obstacle.is_resolved:
        raise ValidationError(_("This obstacle is already resolved."))
    obstacle.advice = _text(
        advice, field="advice", limit=3000, missing=_("Write your advice for your mentee.")
    )
    obstacle.advised_by = by
    obstacle.advised_at = timezone.now()
    obstacle.save(update_fields=["advice", "advised_by", "advised_at"])
    goal = obstacle.goal
    outbox.enqueue(
        "obstacle_advice",
        to=[goal.mentorship.mentee.email],
        context={
            "goal": goal,
            "obstacle": obstacle,
            "mentor": goal.mentorship.mentor.get_full_name(),
        },
        # One email per piece of advice: a second, revised advice is a second email.
        key=f"obstacle-advice:{obstacle.pk}:{obstacle.advised_at.isoformat()}",
    )
    return obstacle


@transaction.atomic
def resolve_obstacle(*, obstacle: Obstacle, by: User, resolution: str = "") -> Obstacle:
    """Either side marks the obstacle as no longer blocking; it stays in the goal's history."""
    obstacle = _locked(obstacle)
    if not may_resolve(obstacle, by):
        raise PermissionDenied
    if not obstacle.goal.mentorship.is_active:
        raise ValidationError(ENDED)
    if obstacle.is_resolved:
        raise ValidationError(_("This obstacle is already resolved."))
    resolution = resolution.strip()
    if len(resolution) > 2000:
        raise ValidationError(
            {"resolution": _("Keep it under %(limit)s characters.") % {"limit": 2000}}
        )
    obstacle.resolution = resolution
    obstacle.resolved_by = by
    obstacle.resolved_at = timezone.now()
    obstacle.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    return obstacle
