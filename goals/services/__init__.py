"""Writes for goals: drafting with SMART checks, the review workflow, progress, comments."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.outbox import services as outbox
from goals import smart
from goals.models import (
    CLOSED,
    STATUS_IN_A_SENTENCE,
    TRANSITIONS,
    Goal,
    GoalComment,
    GoalEvent,
    GoalStatus,
    MeasureKind,
    Milestone,
    ProgressUpdate,
)
from goals.signals import goals_achieved
from matching.models import Mentorship, Role

# The code of a submission refused for what the goal says (not for who or when): the
# goal form can show each problem next to its field.
INCOMPLETE = "incomplete"

GOAL_FIELDS = (
    "title",
    "outcome",
    "measure",
    "metric_name",
    "metric_unit",
    "baseline",
    "target",
    "plan",
    "relevance",
    "starts_on",
    "target_date",
)


@transaction.atomic
def save_goal(
    *,
    mentorship: Mentorship,
    by: User,
    draft: smart.GoalDraft,
    goal: Goal | None = None,
    today: date | None = None,
    submit: bool = False,
) -> Goal:
    """Create or edit a goal. Only the mentee, only while the goal is editable.

    A draft needs only a title (and dates in order): people write a goal over several
    sittings. With ``submit`` it must pass every SMART check and goes to the mentor."""
    if mentorship.side_of(by) != Role.MENTEE:
        raise PermissionDenied
    if not mentorship.is_active:
        raise ValidationError(_("Goals can only be added to an active mentorship."))
    if goal is not None:
        goal = Goal.objects.select_for_update().get(pk=goal.pk, mentorship=mentorship)
        if not goal.is_editable:
            raise ValidationError(_("This goal is under review or under way; it can't be edited."))
    today = today or timezone.localdate()
    values = {name: getattr(draft, name) for name in GOAL_FIELDS}
    values["title"] = " ".join(values["title"].split())
    # An edit that leaves the start empty keeps the original start, not today's date.
    values["starts_on"] = values["starts_on"] or (goal.starts_on if goal else today)
    if submit:
        errors = smart.check(draft, today=today, programme_ends=mentorship.cohort.ends_on)
    else:
        errors = smart.check_draft(draft, starts_on=values["starts_on"])
    if errors:
        raise ValidationError(errors)
    if draft.measure == MeasureKind.MILESTONES:
        # Typed before the measure was chosen, or posted by a browser without scripts.
        values.update(baseline=None, target=None, metric_name="", metric_unit="")
    if goal is None:
        goal = Goal.objects.create(mentorship=mentorship, **values)
        GoalEvent.objects.create(goal=goal, actor=by, to_status=GoalStatus.DRAFT)
    else:
        for name, value in values.items():
            setattr(goal, name, value)
        goal.save()
    # Milestones are replaced as a whole: the form always sends the full, ordered list.
    goal.milestones.all().delete()
    if draft.measure != MeasureKind.METRIC:
        # Kept while the measure is undecided, so a draft loses nothing that was typed.
        Milestone.objects.bulk_create(
            Milestone(goal=goal, position=i, title=title.strip(), due_on=due)
            for i, (title, due) in enumerate(t for t in draft.milestones if t[0].strip())
        )
    if submit:
        goal = submit_goal(goal=goal, by=by, today=today)
    return goal


def _move(goal: Goal, *, by: User, to: str, comment: str = "") -> Goal:
    goal = Goal.objects.select_for_update().select_related("mentorship").get(pk=goal.pk)
    who = goal.mentorship.required_side(by)
    allowed = TRANSITIONS.get((goal.status, to))
    if allowed is None:
        raise ValidationError(
            _("A goal that is %(status)s can't become %(new_status)s.")
            % {"status": STATUS_IN_A_SENTENCE[goal.status], "new_status": STATUS_IN_A_SENTENCE[to]}
        )
    if allowed != who:
        raise PermissionDenied
    if to not in CLOSED and not goal.mentorship.is_active:
        raise ValidationError(_("This mentorship has ended; its goals can only be closed."))
    GoalEvent.objects.create(
        goal=goal, actor=by, from_status=goal.status, to_status=to, comment=comment.strip()
    )
    goal.status = to
    goal.save(update_fields=["status", "updated_at"])
    if to == GoalStatus.ACHIEVED:
        goals_achieved.send(sender=Goal, goal_ids=[goal.pk])
    return goal


def draft_of(goal: Goal) -> smart.GoalDraft:
    return smart.GoalDraft(
        **{name: getattr(goal, name) for name in GOAL_FIELDS},
        milestones=[(m.title, m.due_on) for m in goal.milestones.all()],
    )


@transaction.atomic
def submit_goal(*, goal: Goal, by: User, today: date | None = None) -> Goal:
    if goal.mentorship.side_of(by) != Role.MENTEE:
        raise PermissionDenied
    # A draft saved weeks ago may no longer be SMART (its date may have passed).
    errors = smart.check(
        draft_of(goal),
        today=today or timezone.localdate(),
        programme_ends=goal.mentorship.cohort.ends_on,
    )
    if errors:
        problems = " ".join(m for messages in errors.values() for m in messages)
        raise ValidationError(
            _("Edit the goal before submitting it: %(problems)s") % {"problems": problems},
            code=INCOMPLETE,
        )
    goal = _move(goal, by=by, to=GoalStatus.SUBMITTED)
    mentor = goal.mentorship.mentor
    outbox.enqueue(
        "goal_submitted",
        to=[mentor.email],
        context={"goal": goal, "mentee": goal.mentorship.mentee.get_full_name()},
        key=f"goal-submitted:{goal.pk}:{goal.events.count()}",
    )
    return goal


@transaction.atomic
def review_goal(*, goal: Goal, by: User, approve: bool, comment: str = "") -> Goal:
    """The mentor approves, or asks for changes with a comment saying what to change."""
    # The wrong person learns nothing about what a valid request would be.
    if goal.mentorship.side_of(by) != Role.MENTOR:
        raise PermissionDenied
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say what should change, so the mentee can revise.")})
    to = GoalStatus.APPROVED if approve else GoalStatus.CHANGES_REQUESTED
    goal = _move(goal, by=by, to=to, comment=comment)
    outbox.enqueue(
        "goal_reviewed",
        to=[goal.mentorship.mentee.email],
        context={
            "goal": goal,
            "approved": approve,
            "comment": comment.strip(),
            "mentor": goal.mentorship.mentor.get_full_name(),
        },
        key=f"goal-reviewed:{goal.pk}:{goal.events.count()}",
    )
    return goal


@transaction.atomic
def start_goal(*, goal: Goal, by: User) -> Goal:
    return _move(goal, by=by, to=GoalStatus.IN_PROGRESS)


@transaction.atomic
def close_goal(*, goal: Goal, by: User, outcome: str, comment: str = "") -> Goal:
    """Achieved, not achieved or abandoned: the goal's history is kept either way."""
    if goal.mentorship.side_of(by) != Role.MENTEE:
        raise PermissionDenied
    if outcome not in (GoalStatus.ACHIEVED, GoalStatus.NOT_ACHIEVED, GoalStatus.ABANDONED):
        raise ValidationError({"outcome": _("Choose how the goal ended.")})
    return _move(goal, by=by, to=outcome, comment=comment)


@transaction.atomic
def log_progress(
    *,
    goal: Goal,
    by: User,
    value: Decimal | None = None,
    milestone_ids: Iterable[int] = (),
    note: str = "",
) -> ProgressUpdate:
    """The mentee records a new value or finished milestones; the percentage follows."""
    # Locks the goal row only: both sides' enrollments come along to say who is asking.
    goal = (
        Goal.objects.select_for_update(of=("self",))
        .select_related("mentorship__mentee_enrollment", "mentorship__mentor_enrollment")
        .get(pk=goal.pk)
    )
    if goal.mentorship.side_of(by) != Role.MENTEE:
        raise PermissionDenied
    if goal.status == GoalStatus.APPROVED:
        # Logging the first progress is starting the goal.
        goal = _move(goal, by=by, to=GoalStatus.IN_PROGRESS)
    if goal.status != GoalStatus.IN_PROGRESS:
        raise ValidationError(_("Progress can be logged once the goal is approved."))
    if not goal.mentorship.is_active:
        raise ValidationError(_("This mentorship has ended; its goals can only be closed."))
    done: list[Milestone] = []
    if goal.measure == MeasureKind.METRIC:
        if value is None:
            raise ValidationError(
                {"value": _("Enter the new value of %(metric)s.") % {"metric": goal.metric_name}}
            )
        goal.current_value = value
        goal.save(update_fields=["current_value", "updated_at"])
    else:
        # Read once: the same rows give the ones finished now and the new percentage.
        prefetch_related_objects([goal], "milestones")
        ids = set(milestone_ids)
        done = [m for m in goal.milestones.all() if m.pk in ids and m.done_at is None]
        if not done and not note.strip():
            raise ValidationError(
                {"milestones": _("Tick the milestones you finished, or write a note.")}
            )
        if done:
            now = timezone.now()
            Milestone.objects.filter(pk__in=[m.pk for m in done]).update(done_at=now)
            for milestone in done:
                milestone.done_at = now
    update = ProgressUpdate.objects.create(
        goal=goal,
        author=by,
        value=value if goal.measure == MeasureKind.METRIC else None,
        percent=goal.progress_percent(),
        note=note.strip(),
    )
    # A new update has no milestones yet: add the links without reading them first.
    ProgressUpdate.milestones_done.through.objects.bulk_create(
        ProgressUpdate.milestones_done.through(progressupdate=update, milestone=m) for m in done
    )
    return update


@transaction.atomic
def comment_on_goal(*, goal: Goal, by: User, body: str) -> GoalComment:
    goal = Goal.objects.select_related("mentorship").get(pk=goal.pk)
    side = goal.mentorship.required_side(by)
    if not goal.mentorship.is_active:
        raise ValidationError(_("This mentorship has ended; its goals are read-only."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment first.")})
    comment = GoalComment.objects.create(goal=goal, author=by, body=body)
    other = goal.mentorship.mentor if side == "mentee" else goal.mentorship.mentee
    outbox.enqueue(
        "goal_comment",
        to=[other.email],
        context={"goal": goal, "author": by.get_full_name(), "body": body},
        key=f"goal-comment:{comment.pk}",
    )
    return comment
