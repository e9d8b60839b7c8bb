"""Obstacle actions on the goal page. Each is a POST that redirects back to the goal, or
shows the goal page again with the rejected form and everything that was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from core.forms import submit_form
from goals import selectors
from goals.models import Goal
from goals.obstacle_forms import AdviceForm, ObstacleForm, ResolveForm
from goals.services import obstacles
from goals.views import _detail


def _back(goal: Goal, anchor: str = "obstacles") -> HttpResponseRedirect:
    return redirect(f"{goal.get_absolute_url()}#{anchor}")


@login_required
@require_POST
def flag_obstacle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk)
    # Refuse the wrong person before reading the form: a programme admin who sends an
    # empty form must get "forbidden", not a page of validation errors.
    if not obstacles.may_flag(goal, request.user):
        raise PermissionDenied
    form = ObstacleForm(request.POST)
    if done := submit_form(
        request,
        form,
        lambda: obstacles.flag_obstacle(goal=goal, by=request.user, **form.cleaned_data),
        success=_("Obstacle flagged. Your mentor has been asked for advice."),
        then=_back(goal),
    ):
        return done
    return _detail(request, goal, obstacle_form=form)


@login_required
@require_POST
def advise_on_obstacle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    obstacle = obstacles.obstacle_for(request.user, pk)
    if not obstacles.may_advise(obstacle, request.user):
        raise PermissionDenied
    form = AdviceForm(request.POST, obstacle_pk=obstacle.pk)
    if done := submit_form(
        request,
        form,
        lambda: obstacles.advise_on_obstacle(
            obstacle=obstacle, by=request.user, advice=form.cleaned_data["advice"]
        ),
        success=_("Advice sent to your mentee."),
        then=_back(obstacle.goal, f"obstacle-{obstacle.pk}"),
    ):
        return done
    if form.non_field_errors():
        # A broken rule, e.g. already resolved: this obstacle's form is gone from the page.
        messages.error(request, " ".join(map(str, form.non_field_errors())))
        return _back(obstacle.goal)
    return _detail(request, obstacle.goal, advice_form=form)


@login_required
@require_POST
def resolve_obstacle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    obstacle = obstacles.obstacle_for(request.user, pk)
    if not obstacles.may_resolve(obstacle, request.user):
        raise PermissionDenied
    form = ResolveForm(request.POST, obstacle_pk=obstacle.pk)
    if done := submit_form(
        request,
        form,
        lambda: obstacles.resolve_obstacle(
            obstacle=obstacle, by=request.user, resolution=form.cleaned_data["resolution"]
        ),
        success=_("Obstacle resolved. It stays in the goal's history."),
        then=_back(obstacle.goal),
    ):
        return done
    if form.non_field_errors():
        # A broken rule, e.g. already resolved: this obstacle's form is gone from the page.
        messages.error(request, " ".join(map(str, form.non_field_errors())))
        return _back(obstacle.goal)
    return _detail(request, obstacle.goal, resolve_form=form)
