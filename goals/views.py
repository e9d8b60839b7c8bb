from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from core.forms import choice_field, submit_form
from goals import charts, selectors, services, smart
from goals.forms import SUBMIT, CloseForm, CommentForm, GoalForm, ProgressForm, ReviewForm
from goals.models import STATUS_IN_A_SENTENCE, Goal
from goals.obstacle_forms import ObstacleForm, open_obstacle_rows
from goals.services import obstacles
from matching.models import Role
from matching.selectors import mentorship_for


def _goal_form(
    request: HttpRequest, mentorship: Any, data: dict[str, str] | None = None, **kwargs: Any
) -> GoalForm:
    return GoalForm(
        data if data is not None else (request.POST or None),
        programme_ends=mentorship.cohort.ends_on,
        today=timezone.localdate(),
        **kwargs,
    )


def _render_form(
    request: HttpRequest, mentorship: Any, form: GoalForm, goal: Goal | None, idea: str = ""
) -> HttpResponse:
    if form.is_bound:
        checklist = smart.checklist(form.smart_errors())
    elif goal is not None:
        # Reopening a draft: the checklist starts where the draft stands.
        checklist = smart.checklist(
            smart.check(
                services.draft_of(goal),
                today=timezone.localdate(),
                programme_ends=mentorship.cohort.ends_on,
            )
        )
    else:
        checklist = dict.fromkeys(smart.CRITERIA, False)
    return render(
        request,
        "goals/goal_form.html",
        {
            "mentorship": mentorship,
            "form": form,
            "goal": goal,
            "checklist": checklist,
            "first_goal_idea": idea,
            # Relevant means relevant to these: shown beside the field they support.
            "career_profile": mentorship.mentee.profile,
        },
    )


def _saved(form: GoalForm) -> str:
    if form.is_submit:
        return _("Sent to your mentor for review.")
    return _("Goal saved as a draft. Submit it when it's ready.")


@login_required
def create_goal(request: AuthenticatedHttpRequest, mentorship_pk: int) -> HttpResponse:
    mentorship = mentorship_for(request.user, mentorship_pk)
    # The idea the mentee wrote when asking for this mentor starts their first goal.
    idea = selectors.first_goal_idea(mentorship)
    form = _goal_form(request, mentorship, initial=GoalForm.initial_from_idea(idea))
    if request.method == "POST" and (
        done := submit_form(
            request,
            form,
            lambda: services.save_goal(
                mentorship=mentorship, by=request.user, draft=form.draft(), submit=form.is_submit
            ),
            success=_saved(form),
        )
    ):
        return done
    return _render_form(request, mentorship, form, None, idea)


@login_required
def edit_goal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_for(
        request.user,
        pk,
        related=("mentorship__cohort", "mentorship__mentee_enrollment__user__profile"),
    )
    checked = None
    if request.method == "GET" and request.GET.get("check") == SUBMIT and goal.is_editable:
        # Sent back from "Submit for review": the goal as saved, checked as a submission,
        # so each field that is still wrong says so, and everything typed is there.
        checked = GoalForm.data_for(goal, submit=True)
    form = _goal_form(request, goal.mentorship, checked, initial=GoalForm.initial_for(goal))
    if request.method == "POST" and (
        done := submit_form(
            request,
            form,
            lambda: services.save_goal(
                mentorship=goal.mentorship,
                by=request.user,
                draft=form.draft(),
                goal=goal,
                submit=form.is_submit,
            ),
            success=_saved(form) if form.is_submit else _("Goal saved."),
        )
    ):
        return done
    return _render_form(request, goal.mentorship, form, goal)


@login_required
@require_POST
def check_goal(request: AuthenticatedHttpRequest, mentorship_pk: int) -> JsonResponse:
    """The live SMART checklist: the same checks as saving, on what is typed so far."""
    mentorship = mentorship_for(request.user, mentorship_pk)
    # Bound even to an empty POST (nothing typed yet): an unbound form has no cleaned data.
    form = GoalForm(
        request.POST, programme_ends=mentorship.cohort.ends_on, today=timezone.localdate()
    )
    errors = form.smart_errors()
    return JsonResponse(
        {"criteria": smart.checklist(errors), "errors": {k: list(v) for k, v in errors.items()}}
    )


def _detail(request: AuthenticatedHttpRequest, goal: Goal, **forms: Form) -> HttpResponse:
    user = request.user
    # A programme admin of the cohort reads the goal but is neither side of it.
    side = goal.mentorship.side_of(user)
    is_mentee, is_mentor = side == Role.MENTEE, side == Role.MENTOR
    selectors.prefetch_goal_page(goal)
    close_form = forms.get("close_form") or CloseForm(goal=goal)
    open_obstacles, resolved_obstacles = obstacles.obstacles_of(goal)
    events, thread = list(goal.events.all()), list(goal.comments.all())
    selectors.attach_people([*events, *thread, *open_obstacles, *resolved_obstacles])
    context = {
        "goal": goal,
        "mentorship": goal.mentorship,
        "is_mentee": is_mentee,
        "is_mentor": is_mentor,
        "is_participant": is_mentee or is_mentor,
        # Read several times by the page: worked out once here.
        "progress_percent": goal.progress_percent(),
        "milestones": selectors.milestone_rows(goal, timezone.localdate()),
        "events": events,
        "updates": goal.updates.all(),
        "thread": selectors.goal_thread(events, thread),
        "review_form": forms.get("review_form") or ReviewForm(),
        "progress_form": forms.get("progress_form") or ProgressForm(goal=goal),
        "close_form": close_form,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "chart": charts.chart_for(goal, timezone.localdate()),
        "open_obstacles": open_obstacle_rows(
            open_obstacles,
            advice_form=forms.get("advice_form"),
            resolve_form=forms.get("resolve_form"),
        ),
        "resolved_obstacles": resolved_obstacles,
        "obstacle_form": forms.get("obstacle_form") or ObstacleForm(),
        "can_flag_obstacle": is_mentee and goal.mentorship.is_active and not goal.is_closed,
        "can_close": is_mentee and bool(choice_field(close_form, "outcome").choices),
    }
    return render(request, "goals/goal_detail.html", context)


@login_required
def goal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.goal_for(request.user, pk))


def _flash_error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def submit_goal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # The programme's end date is one of the SMART checks a submitted goal must pass.
    goal = selectors.goal_for(request.user, pk, related=("mentorship__cohort",))
    try:
        services.submit_goal(goal=goal, by=request.user)
    except ValidationError as exc:
        if exc.code == services.INCOMPLETE and goal.is_editable:
            # Not SMART yet: the form says what is missing, next to each field.
            messages.warning(request, _("Not sent yet: finish what is marked, then submit it."))
            return redirect(f"{reverse('goals:edit', args=[goal.pk])}?check={SUBMIT}")
        _flash_error(request, exc)
    else:
        messages.success(request, _("Sent to your mentor for review."))
    return redirect(goal)


@login_required
@require_POST
def review_goal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk)
    form = ReviewForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if done := submit_form(
        request,
        form,
        lambda: services.review_goal(
            goal=goal, by=request.user, approve=approve, comment=form.cleaned_data["comment"]
        ),
        success=_("Approved.") if approve else _("Your suggestions are sent."),
        then=goal,
    ):
        return done
    return _detail(request, goal, review_form=form)


@login_required
@require_POST
def log_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk)
    form = ProgressForm(request.POST, goal=goal)
    if done := submit_form(
        request,
        form,
        lambda: services.log_progress(
            goal=goal,
            by=request.user,
            value=form.cleaned_data.get("value"),
            milestone_ids=[int(i) for i in form.cleaned_data.get("milestones", [])],
            note=form.cleaned_data["note"],
        ),
        success=_("Progress logged."),
        then=goal,
    ):
        return done
    return _detail(request, goal, progress_form=form)


@login_required
@require_POST
def close_goal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk)
    form = CloseForm(request.POST, goal=goal)
    if done := submit_form(
        request,
        form,
        lambda: services.close_goal(goal=goal, by=request.user, **form.cleaned_data),
        success=lambda _goal: (
            _("Goal closed as %(status)s. Its history stays here.")
            % {"status": STATUS_IN_A_SENTENCE[form.cleaned_data["outcome"]]}
        ),
        then=goal,
    ):
        return done
    return _detail(request, goal, close_form=form)


@login_required
@require_POST
def comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk)
    form = CommentForm(request.POST)
    if done := submit_form(
        request,
        form,
        lambda: services.comment_on_goal(
            goal=goal, by=request.user, body=form.cleaned_data["body"]
        ),
        then=lambda _: _back(request, goal.get_absolute_url()),
    ):
        return done
    return _detail(request, goal, comment_form=form)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Return to the page the form was on (e.g. the review board), if it is ours."""
    target = request.POST.get("next", "")
    # Only a path on this site ("/goals/review/#goal-3"), never a host or a bare word.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Not redirect(): it would try "next" as a URL name first and fail on one like "0".
        return HttpResponseRedirect(target)
    return redirect(default)


@login_required
def review_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The mentor's page: every mentee's goals, what waits for review, what is late."""
    board = selectors.review_board(request.user)
    return render(
        request,
        "goals/review_board.html",
        {
            "board": board,
            "comment_form": CommentForm(),
            "waiting": sum(m.needs_review for m in board),
            "overdue": sum(m.overdue for m in board),
        },
    )
