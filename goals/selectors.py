from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from goals.models import Goal, GoalComment, GoalEvent, GoalStatus, Milestone
from matching.models import Mentorship, MentorshipStatus


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
