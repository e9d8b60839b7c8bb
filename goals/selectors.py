from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, Max, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from goals import charts
from goals.models import (
    ActionItem,
    Goal,
    GoalComment,
    GoalEvent,
    GoalStatus,
    Meeting,
    Milestone,
)
from matching.models import Enrollment, Mentorship, MentorshipStatus


def goal_for(user: User, pk: int) -> Goal:
    """A goal of one of this person's mentorships, or 404."""
    return get_object_or_404(
        Goal.objects.for_user(user).select_related(
            "mentorship__cohort",
            "mentorship__mentee_enrollment__user__profile",
            "mentorship__mentor_enrollment__user__profile",
        ),
        pk=pk,
    )


@dataclass
class BoardGoal:
    goal: Goal
    is_overdue: bool
    needs_review: bool
    late_milestones: list[Milestone]
    next_milestone: Milestone | None
    waiting_days: int | None
    comments: list[GoalComment]
    pace: tuple[str, str] | None = None  # (icon, word), for goals under way


@dataclass
class BoardMentee:
    mentorship: Mentorship
    goals: list[BoardGoal]

    @property
    def needs_review(self) -> int:
        return sum(1 for g in self.goals if g.needs_review)

    @property
    def overdue(self) -> int:
        return sum(1 for g in self.goals if g.is_overdue)


BOARD_COMMENTS = 3


def review_board(mentor: User, *, today: date | None = None) -> list[BoardMentee]:
    """Every goal of each of the mentor's active mentees, with what needs attention.

    Four queries whatever the number of mentees and goals: mentorships, goals,
    milestones and comments (prefetched), and the time each goal was submitted.
    """
    today = today or timezone.localdate()
    mentorships = list(
        Mentorship.objects.active()
        .filter(mentor_enrollment__user=mentor)
        .select_related("cohort", "mentee_enrollment__user__profile")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.exclude(status=GoalStatus.ABANDONED).prefetch_related(
                    "milestones",
                    Prefetch(
                        "comments", queryset=GoalComment.objects.select_related("author__profile")
                    ),
                ),
            )
        )
        .order_by("mentee_enrollment__user__profile__display_name", "pk")
    )
    goal_ids = [g.pk for m in mentorships for g in m.goals.all()]
    submitted_at = dict(
        GoalEvent.objects.filter(goal_id__in=goal_ids, to_status=GoalStatus.SUBMITTED)
        .values("goal_id")
        .annotate(at=Max("created_at"))
        .values_list("goal_id", "at")
    )
    board = []
    for mentorship in mentorships:
        rows = []
        for goal in mentorship.goals.all():
            is_open = not goal.is_closed
            pending = [m for m in goal.milestones.all() if not m.done_at]
            needs_review = goal.status == GoalStatus.SUBMITTED
            since = submitted_at.get(goal.pk)
            rows.append(
                BoardGoal(
                    goal=goal,
                    is_overdue=is_open and goal.target_date < today,
                    needs_review=needs_review,
                    late_milestones=[
                        m for m in pending if is_open and m.due_on and m.due_on < today
                    ],
                    next_milestone=next((m for m in pending if m.due_on), None),
                    waiting_days=(today - timezone.localdate(since)).days
                    if needs_review and since
                    else None,
                    comments=list(goal.comments.all())[-BOARD_COMMENTS:],
                    pace=charts.PACE_LABELS[
                        charts.pace(
                            goal.starts_on, goal.target_date, today, goal.progress_percent()
                        )
                    ]
                    if goal.status == GoalStatus.IN_PROGRESS
                    else None,
                )
            )
        # What needs the mentor comes first: reviews, then late goals, then by date.
        rows.sort(key=lambda r: (not r.needs_review, not r.is_overdue, r.goal.is_closed))
        board.append(BoardMentee(mentorship=mentorship, goals=rows))
    return board


def goals_awaiting_review(mentor: User) -> int:
    return Goal.objects.filter(
        status=GoalStatus.SUBMITTED,
        mentorship__status=MentorshipStatus.ACTIVE,
        mentorship__mentor_enrollment__user=mentor,
    ).count()


@dataclass
class UpNext:
    meetings: list[Meeting]
    action_items: list[ActionItem]
    goals_due: list[Goal]
    to_review: int

    def __bool__(self) -> bool:
        return bool(self.meetings or self.action_items or self.goals_due or self.to_review)


UP_NEXT_DAYS = 14


def up_next(user: User, *, now: datetime | None = None) -> UpNext:
    """The dashboard's first card: what this person has coming, across mentorships."""
    now = now or timezone.now()
    soon = timezone.localdate(now) + timedelta(days=UP_NEXT_DAYS)
    active = Q(mentorship__status=MentorshipStatus.ACTIVE)
    # This person's active mentorships first, found through their enrollments: "mentee or
    # mentor" across two joins made the meetings query read every mentorship of the site.
    enrollments = Enrollment.objects.filter(user=user).values("pk")
    mine = list(
        Mentorship.objects.active()
        .filter(Q(mentee_enrollment__in=enrollments) | Q(mentor_enrollment__in=enrollments))
        .values_list("pk", flat=True)
    )
    return UpNext(
        meetings=list(
            Meeting.objects.scheduled()
            .filter(mentorship_id__in=mine, starts_at__gte=now - timedelta(hours=1))
            .select_related(
                "mentorship__mentee_enrollment__user__profile",
                "mentorship__mentor_enrollment__user__profile",
            )[:3]
        ),
        action_items=list(
            ActionItem.objects.filter(
                owner=user, done_at__isnull=True, meeting__mentorship__status="active"
            )
            .select_related("goal", "meeting")
            .order_by(F("due_on").asc(nulls_last=True), "pk")[:5]
        ),
        goals_due=list(
            Goal.objects.open()
            .filter(active, mentorship__mentee_enrollment__user=user, target_date__lte=soon)
            .exclude(status__in=[GoalStatus.DRAFT, GoalStatus.CHANGES_REQUESTED])
            .order_by("target_date")[:5]
        ),
        to_review=goals_awaiting_review(user),
    )
