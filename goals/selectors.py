from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from goals import charts
from goals.models import (
    ActionItem,
    CheckAnswer,
    FitCheck,
    Goal,
    GoalComment,
    GoalEvent,
    GoalStatus,
    MeasureKind,
    Meeting,
    Milestone,
    progress_percent_of,
)
from matching.models import (
    Enrollment,
    Mentorship,
    MentorshipMessage,
    MentorshipRequest,
    MentorshipStatus,
    Role,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A mentorship with no meeting or message for this many days is quiet: both sides are
# nudged, and the programme admin's console lists it.
NO_MEETING_DAYS = 30
# Idle this long, a pair is flagged to its programme admins.
FLAG_IDLE_DAYS = 60

# Who is on which side of the goal's mentorship: every goal page and action needs it.
GOAL_SIDES = ("mentorship__mentee_enrollment", "mentorship__mentor_enrollment")


def goal_for(user: User, pk: int, *, related: Sequence[str] = ()) -> Goal:
    """A goal of one of this person's mentorships, or 404.

    The mentorship and both enrollments come along; ``related`` adds more (the cohort, a
    profile). Each extra join costs PostgreSQL planning time on every request, so the
    default is what the goal page needs and no more."""
    return get_object_or_404(
        Goal.objects.for_user(user).select_related(*GOAL_SIDES, *related), pk=pk
    )


def prefetch_goal_page(goal: Goal) -> None:
    """Load what the goal page reads more than once (progress percentage, progress form,
    chart, log): its progress updates and, for a checklist goal, its milestones."""
    # A metric goal's page shows no milestones and its percentage does not count them.
    lookups = ["updates"] if goal.measure == MeasureKind.METRIC else ["updates", "milestones"]
    prefetch_related_objects([goal], *lookups)


def first_goal_idea(mentorship: Mentorship) -> str:
    """The "first goal idea" the mentee wrote when asking for this mentor, while the
    mentorship has no goal yet: it starts their first one."""
    if mentorship.request_id is None or mentorship.goals.exists():
        return ""
    ideas = MentorshipRequest.objects.filter(pk=mentorship.request_id).values_list(
        "first_goal", flat=True
    )
    return ideas.first() or ""


@dataclass
class MilestoneRow:
    """A milestone as the goal page shows it: with its due date, and how late it is."""

    milestone: Milestone
    days_late: int = 0
    is_due_today: bool = False


def milestone_rows(goal: Goal, today: date) -> list[MilestoneRow]:
    if goal.measure == MeasureKind.METRIC:
        return []  # not read for a metric goal (see prefetch_goal_page)
    rows = []
    for milestone in goal.milestones.all():
        due, pending = milestone.due_on, milestone.done_at is None
        rows.append(
            MilestoneRow(
                milestone,
                days_late=(today - due).days if due and pending and due < today else 0,
                is_due_today=bool(pending and due == today),
            )
        )
    return rows


@dataclass
class ThreadEntry:
    """One post of a goal's Comments: a comment, or a decision that came with words (a
    review asking for changes, an approval's note, a closing word)."""

    author_id: int | None
    author: User | None
    created_at: datetime
    body: str
    decision: str = ""  # the status it moved to, as people read it; empty for a comment
    status: str = ""  # the same, as stored: the badge's colour


def goal_thread(events: Iterable[GoalEvent], comments: Iterable[GoalComment]) -> list[ThreadEntry]:
    """Comments and commented decisions in the order they were written: feedback given
    with a review belongs with the conversation, not only in the goal's history."""
    entries = [
        ThreadEntry(
            e.actor_id,
            e.actor,
            e.created_at,
            e.comment,
            e.get_to_status_display(),
            e.to_status,
        )
        for e in events
        if e.comment
    ]
    entries += [ThreadEntry(c.author_id, c.author, c.created_at, c.body) for c in comments]
    return sorted(entries, key=lambda entry: entry.created_at)


# Where a page's rows point to a person: comments, events, obstacles, notes, action items.
PERSON_LINKS = ("author", "actor", "advised_by", "resolved_by", "owner")
# A person as a page shows them: a name (or the address without one), and initials.
PERSON_FIELDS = ("email", "profile__user_id", "profile__display_name")


def _person_fields(path: str) -> list[str]:
    return [f"{path}__{name}" for name in PERSON_FIELDS]


def attach_people(
    rows: Iterable[Model], links: Sequence[str] = PERSON_LINKS, *, known: Iterable[User] = ()
) -> None:
    """Put in place the people ``rows`` point to, each with a profile (a name and initials
    to show): those in ``known`` (already loaded, with their profiles) as they are, the
    others from one query for all of them.

    Joining users and profiles into each list's own query cost Django and PostgreSQL more
    than this one query does, and the people are nearly always the same two."""
    rows = list(rows)
    people: dict[int | None, User] = {person.pk: person for person in known}
    ids = {getattr(row, f"{link}_id", None) for row in rows for link in links}
    missing = ids - people.keys() - {None}
    if missing:
        people |= User.objects.select_related("profile").only(*PERSON_FIELDS).in_bulk(missing)
    for row in rows:
        for link in links:
            person = people.get(getattr(row, f"{link}_id", None))
            if person is not None:
                setattr(row, link, person)


@dataclass
class BoardGoal:
    goal: Goal
    is_overdue: bool
    needs_review: bool
    late_milestones: list[Milestone]
    next_milestone: Milestone | None
    waiting_days: int | None
    comments: list[ThreadEntry]  # the latest few, review feedback among them
    pace: tuple[str, "StrOrPromise"] | None = None  # (icon, word), for goals under way
    # Read several times by the board's template: worked out once here.
    comment_count: int = 0
    percent: int = 0
    url: str = ""


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
# What the board shows of a goal, and what its percentage is worked out from.
BOARD_GOAL_FIELDS = (
    "mentorship_id",
    "title",
    "measure",
    "baseline",
    "target",
    "current_value",
    "starts_on",
    "target_date",
    "status",
)


def review_board(mentor: User, *, today: date | None = None) -> list[BoardMentee]:
    """Every goal of each of the mentor's active mentees, with what needs attention.

    Five queries whatever the number of mentees and goals: mentorships, goals (with the
    time each was submitted), milestones, comments and the decisions that came with
    words, such as a request for changes (prefetched).
    """
    today = today or timezone.localdate()
    # Only the columns the board shows: the goals' long texts stay in the database.
    goals = (
        Goal.objects.exclude(status=GoalStatus.ABANDONED)
        .only(*BOARD_GOAL_FIELDS)
        # When it was last sent for review: how long the mentee has been waiting.
        .annotate(
            submitted_at=Subquery(
                GoalEvent.objects.filter(goal=OuterRef("pk"), to_status=GoalStatus.SUBMITTED)
                .order_by("-created_at")
                .values("created_at")[:1]
            )
        )
        .prefetch_related(
            "milestones",
            Prefetch(
                "comments",
                queryset=GoalComment.objects.select_related("author__profile").only(
                    "goal_id", "author_id", "body", "created_at", *_person_fields("author")
                ),
            ),
            # Review feedback is part of the conversation the board summarises.
            Prefetch(
                "events",
                queryset=GoalEvent.objects.exclude(comment="")
                .select_related("actor__profile")
                .only(
                    "goal_id",
                    "actor_id",
                    "comment",
                    "to_status",
                    "created_at",
                    *_person_fields("actor"),
                ),
                to_attr="commented_events",
            ),
        )
    )
    mentorships = list(
        Mentorship.objects.active()
        .filter(mentor_enrollment__user=mentor)
        .select_related("cohort", "mentee_enrollment__user__profile")
        .only(
            "cohort__name",
            "mentee_enrollment__user_id",
            *_person_fields("mentee_enrollment__user"),
        )
        .prefetch_related(Prefetch("goals", queryset=goals))
        .order_by("mentee_enrollment__user__profile__display_name", "pk")
    )
    board = []
    for mentorship in mentorships:
        rows = []
        for goal in mentorship.goals.all():
            is_open = not goal.is_closed
            percent = goal.progress_percent()
            # Attached by the Prefetch above, which django-stubs does not follow.
            decisions = goal.commented_events  # type: ignore[attr-defined]
            comments = goal_thread(decisions, goal.comments.all())
            pending = [m for m in goal.milestones.all() if not m.done_at]
            needs_review = goal.status == GoalStatus.SUBMITTED
            # Annotated through the Prefetch above, which django-stubs does not follow.
            since = goal.submitted_at  # type: ignore[attr-defined]
            rows.append(
                BoardGoal(
                    goal=goal,
                    # A draft may have no date yet: it is not late for anything.
                    is_overdue=is_open
                    and goal.target_date is not None
                    and goal.target_date < today,
                    needs_review=needs_review,
                    late_milestones=[
                        m for m in pending if is_open and m.due_on and m.due_on < today
                    ],
                    next_milestone=next((m for m in pending if m.due_on), None),
                    waiting_days=(today - timezone.localdate(since)).days
                    if needs_review and since
                    else None,
                    comments=comments[-BOARD_COMMENTS:],
                    pace=charts.PACE_LABELS[
                        charts.pace(goal.starts_on, goal.target_date, today, percent)
                    ]
                    if goal.status == GoalStatus.IN_PROGRESS and goal.target_date
                    else None,
                    comment_count=len(comments),
                    percent=percent,
                    url=goal.get_absolute_url(),
                )
            )
        # What needs the mentor comes first: reviews, then late goals, then by date.
        rows.sort(key=lambda r: (not r.needs_review, not r.is_overdue, r.goal.is_closed))
        board.append(BoardMentee(mentorship=mentorship, goals=rows))
    return board


def _awaiting_review(mentor: User) -> "QuerySet[Goal]":
    return Goal.objects.filter(
        status=GoalStatus.SUBMITTED,
        mentorship__status=MentorshipStatus.ACTIVE,
        mentorship__mentor_enrollment__user=mentor,
    )


def goals_awaiting_review(mentor: User) -> int:
    return _awaiting_review(mentor).count()


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """``queryset.count()`` as a subquery, so that several counts share one statement."""
    counted = queryset.order_by().annotate(one=Value(1)).values("one")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")[:1]), 0)


def mentor_waiting_counts(mentor: User) -> tuple[int, int]:
    """Requests waiting for this mentor's answer and their mentees' goals waiting for a
    review: the navbar's two badges, read on every page a mentor opens, in one query."""
    requests = MentorshipRequest.objects.pending().filter(mentor_enrollment__user=mentor)
    row = (
        User.objects.filter(pk=mentor.pk)
        .values_list(_count(requests), _count(_awaiting_review(mentor)))
        .first()
    )
    return (row[0], row[1]) if row else (0, 0)


@dataclass
class UpNext:
    meetings: list[Meeting]
    action_items: list[ActionItem]
    goals_due: list[Goal]
    to_review: int

    def __bool__(self) -> bool:
        return bool(self.meetings or self.action_items or self.goals_due or self.to_review)


UP_NEXT_DAYS = 14


def up_next(
    user: User, *, now: datetime | None = None, mentorships: list[Mentorship] | None = None
) -> UpNext:
    """The dashboard's first card: what this person has coming, across mentorships.

    ``mentorships``: this person's active mentorships with the other side's person loaded,
    when the caller has them already (the dashboard does): nothing is read twice then.
    """
    now = now or timezone.now()
    soon = timezone.localdate(now) + timedelta(days=UP_NEXT_DAYS)
    if mentorships is None:
        # Found through this person's enrollments: "mentee or mentor" across two joins
        # made the meetings query read every mentorship of the site.
        enrollments = Enrollment.objects.filter(user=user).values("pk")
        mentorships = list(
            Mentorship.objects.active()
            .filter(Q(mentee_enrollment__in=enrollments) | Q(mentor_enrollment__in=enrollments))
            .select_related("mentee_enrollment__user__profile", "mentor_enrollment__user__profile")
        )
    if not mentorships:
        # Nothing can be coming without a mentorship under way.
        return UpNext(meetings=[], action_items=[], goals_due=[], to_review=0)
    mine = {m.pk: m for m in mentorships}
    meetings = list(
        Meeting.objects.scheduled()
        .filter(mentorship_id__in=mine, starts_at__gte=now - timedelta(hours=1))
        .only("mentorship", "starts_at", "format")[:3]
    )
    for meeting in meetings:
        meeting.mentorship = mine[meeting.mentorship_id]
    as_mentee = [m.pk for m in mentorships if m.side_of(user) == Role.MENTEE]
    as_mentor = [m.pk for m in mentorships if m.side_of(user) == Role.MENTOR]
    return UpNext(
        meetings=meetings,
        action_items=list(
            ActionItem.objects.filter(
                owner=user, done_at__isnull=True, meeting__mentorship_id__in=mine
            )
            .select_related("goal")
            .only("meeting", "title", "due_on", "goal__title")
            .order_by(F("due_on").asc(nulls_last=True), "pk")[:5]
        ),
        goals_due=list(
            Goal.objects.open()
            .filter(mentorship_id__in=as_mentee, target_date__lte=soon)
            .exclude(status__in=[GoalStatus.DRAFT, GoalStatus.CHANGES_REQUESTED])
            .only("title", "target_date")
            .order_by("target_date")[:5]
        )
        if as_mentee
        else [],
        # What goals_awaiting_review() counts, over the mentorships at hand: no joins.
        to_review=Goal.objects.filter(
            mentorship_id__in=as_mentor, status=GoalStatus.SUBMITTED
        ).count()
        if as_mentor
        else 0,
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def quiet_mentorships(today: date, *, days: int = NO_MEETING_DAYS) -> "QuerySet[Mentorship]":
    """Active mentorships idle for ``days`` or more: no scheduled meeting today or later,
    and their last activity, or their start when there was none, was ``days`` or more
    days before ``today``. Activity is a scheduled meeting (cancelled ones do not count)
    or a message in the pair's thread. Annotated with ``last_met_at``,
    ``last_message_at`` and ``quiet_since`` (the last activity, or the start).

    The one rule for "idle": the nudges, the idle flag, idle endings and the admin
    console's counts and filters all read it from here."""
    # Anything from the start of today on counts as upcoming: a meeting later today,
    # or one that began this morning, means there is nothing to nudge about.
    today_starts = _start_of(today)
    # A report for a day near the calendar's start reaches back past its first day.
    idle_from = today - timedelta(days=days - 1) if today.toordinal() > days else date.min
    scheduled = Meeting.objects.scheduled().filter(mentorship=OuterRef("pk"))
    last_met = scheduled.filter(starts_at__lt=today_starts).order_by("-starts_at")
    last_message = MentorshipMessage.objects.filter(mentorship=OuterRef("pk")).order_by(
        "-created_at"
    )
    return (
        Mentorship.objects.active()
        .annotate(
            last_met_at=Subquery(last_met.values("starts_at")[:1]),
            last_message_at=Subquery(last_message.values("created_at")[:1]),
            has_upcoming=Exists(scheduled.filter(starts_at__gte=today_starts)),
            # Each side falls back to the start: SQLite's MAX() of a NULL is NULL.
            quiet_since=Greatest(
                Coalesce("last_met_at", "started_at"),
                Coalesce("last_message_at", "started_at"),
            ),
        )
        .filter(
            has_upcoming=False,
            # Before the start of (today - days + 1) is a local date ``days`` or more ago.
            quiet_since__lt=_start_of(idle_from),
        )
    )


def check_for(user: User, pk: int) -> FitCheck:
    """One of this person's own "Is this working?" checks, or 404: the other side and
    the programme team read answers elsewhere, never through this page."""
    return get_object_or_404(
        FitCheck.objects.filter(person=user).select_related(
            "mentorship__cohort",
            "mentorship__mentee_enrollment__user__profile",
            "mentorship__mentor_enrollment__user__profile",
        ),
        pk=pk,
    )


def poor_fit_mentorships() -> "QuerySet[Mentorship]":
    """Active mentorships where either side answered "Not a good fit"."""
    return Mentorship.objects.active().filter(
        Exists(FitCheck.objects.filter(mentorship=OuterRef("pk"), answer=CheckAnswer.POOR_FIT))
    )


def goals_behind_plan(goals: "QuerySet[Goal]", today: date) -> list[tuple[int, int]]:
    """``(goal id, cohort id)`` of the in-progress ``goals`` behind their plan today, by
    the same rule as the goal's chart (charts.pace). One query, whatever the number."""
    rows = (
        goals.filter(status=GoalStatus.IN_PROGRESS)
        .annotate(
            milestones_total=Count("milestones"),
            milestones_done=Count("milestones", filter=Q(milestones__done_at__isnull=False)),
        )
        .values_list(
            "pk",
            "mentorship__cohort_id",
            "measure",
            "baseline",
            "target",
            "current_value",
            "milestones_done",
            "milestones_total",
            "starts_on",
            "target_date",
        )
        .order_by()
    )
    behind = []
    for pk, cohort_id, measure, baseline, target, current, done, total, start, end in rows:
        percent = progress_percent_of(
            measure=measure,
            baseline=baseline,
            target=target,
            current_value=current,
            milestones_done=done,
            milestones_total=total,
        )
        if end and charts.pace(start, end, today, percent) == charts.BEHIND:
            behind.append((pk, cohort_id))
    return behind
