"""A community the size of a real programme, for the load test (`manage.py seed_load`).

The people come from the demo's planner (profiles.demo), so names, tracks, skills, zones
and languages are as varied as in the demo; they are saved with its bulk inserts and one
hashed password. On top of them goes a history, all in bulk: enrollments in the Community
cohort, accepted requests and active mentorships with SMART goals (milestones, status
events, progress, comments, obstacles) and meetings (notes, action items); completed
mentorships, declined and pending requests; and the engine's suggestions for everyone still
looking. The same seed gives the same rows, dated relative to the day of the run.

The load test (loadtest/openloop.py) logs in as three kinds of people:

- ``mentor01`` .. ``mentor16``: room for 10 mentees, 3 active ones each, and no other
  history, so the requests the load test sends them are the only ones they receive;
- their mentees, ``mentee001`` .. ``mentee048``: two goals under way (one measured by a
  number, one by milestones), one waiting for review, a past and a coming meeting;
- ``mentee9801`` .. ``mentee10000``: looking for a mentor, with no requests yet.
"""

import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from goals.models import (
    ActionItem,
    Goal,
    GoalComment,
    GoalEvent,
    GoalStatus,
    MeasureKind,
    Meeting,
    MeetingFormat,
    MeetingNote,
    Milestone,
    Obstacle,
    ObstacleCategory,
    ProgressUpdate,
)
from matching import receivers
from matching.models import (
    Cohort,
    DeclineReason,
    Enrollment,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
    Role,
)
from matching.services import default_cohort
from matching.services.suggestions import recompute_suggestions
from profiles.demo import (
    ADMIN_EMAIL,
    DemoPerson,
    plan_community,
    seed_community,
)
from profiles.demo import Role as DemoRole
from profiles.models import Profile

SEED = 20261203
DEFAULT_MENTORS = 2_000
DEFAULT_MENTEES = 10_000
# The load test's cast; loadtest/openloop.py spells the same addresses.
LOAD_MENTORS = 16
LEARNERS_PER_LOAD_MENTOR = 3
LOAD_MENTOR_CAPACITY = 10
SEEKERS = 200
# Shares of all mentees: with an active mentor, with a finished mentorship behind them,
# with a declined request, with a request waiting.
SHARE_MATCHED = 0.25
SHARE_COMPLETED = 0.05
SHARE_DECLINED = 0.15
SHARE_PENDING = 0.06
MIN_MENTORS = LOAD_MENTORS + 4
MIN_MENTEES = LOAD_MENTORS * LEARNERS_PER_LOAD_MENTOR + SEEKERS + 100

BATCH = 2_000


class TooSmall(Exception):
    """The load test's cast needs a minimum community."""


class AlreadySeeded(Exception):
    """The database already holds the demo community: seeding again would duplicate it."""


# --- What the history says ---------------------------------------------------------------

REQUEST_MESSAGES = (
    "Hello! Your path from engineer to lead is the one I am trying to take, and I would value "
    "your advice on the first steps, especially on giving feedback to peers.",
    "Hi, I read your profile and your experience in my industry stood out. I would love help "
    "with planning my next two years and preparing for a promotion conversation.",
    "Good morning! I am changing careers and would appreciate a mentor who has seen many teams. "
    "Could we meet once or twice a month to work on a plan and my portfolio?",
)
DECLINE_NOTES = (
    "My calendar is full until spring; please ask again then.",
    "Someone with more product experience would serve you better.",
    "",
)
# (title, metric name, unit, baseline, target)
METRIC_GOALS = (
    ("Give three talks at local meetups", "talks given", "talks", 0, 3),
    ("Review eight pull requests a week", "code reviews a week", "reviews", 2, 8),
    ("Grow my newsletter to 500 readers", "subscribers", "readers", 120, 500),
    ("Bring my team's cycle time down to three days", "cycle time", "days", 9, 3),
    ("Hold twenty customer interviews", "interviews held", "interviews", 0, 20),
)
MILESTONE_GOALS = (
    (
        "Ship a Django REST API to production",
        ("Design the data model", "Add token authentication", "Write the API tests", "Deploy"),
    ),
    (
        "Prepare my case for a senior promotion",
        ("List my impact of the last year", "Ask three peers for feedback", "Draft the case"),
    ),
    (
        "Lead my first design review",
        ("Pick a proposal to review", "Agree the agenda", "Run the review", "Share decisions"),
    ),
    (
        "Publish a portfolio with three case studies",
        ("Choose the projects", "Write the first case study", "Write two more", "Publish"),
    ),
    (
        "Pass the cloud architecture certification",
        ("Finish the course", "Build the practice project", "Pass a mock exam", "Sit the exam"),
    ),
)
OUTCOME = "Something I can show: a result my manager and my mentor can both check on the date."
PLAN = "Two focused hours every week, a check-in with my mentor every other week, notes kept."
RELEVANCE = "It is the step between my current role and the target role on my profile."
COMMENTS = (
    "Nice progress this week. What got in the way on Thursday?",
    "Thanks! I moved the deadline of the next step by a few days, is that OK?",
    "Let's look at this together in our next meeting.",
    "I found a good article on this, sending it by email.",
)
OBSTACLES = (
    "Work is very busy this month and my evenings are gone.",
    "I don't know who to ask for the data I need.",
    "I keep postponing the first draft; I am not sure it is good enough.",
)
AGENDAS = (
    "Review last month's goals and pick the next step.",
    "Practice the talk and go through the hard questions.",
    "Career conversation: where do you want to be in two years?",
)

# Each status is reached through the statuses before it, by the side who may move it.
CHAINS: dict[str, tuple[str, ...]] = {
    GoalStatus.DRAFT: (GoalStatus.DRAFT,),
    GoalStatus.SUBMITTED: (GoalStatus.DRAFT, GoalStatus.SUBMITTED),
    GoalStatus.CHANGES_REQUESTED: (
        GoalStatus.DRAFT,
        GoalStatus.SUBMITTED,
        GoalStatus.CHANGES_REQUESTED,
    ),
    GoalStatus.APPROVED: (GoalStatus.DRAFT, GoalStatus.SUBMITTED, GoalStatus.APPROVED),
    GoalStatus.IN_PROGRESS: (
        GoalStatus.DRAFT,
        GoalStatus.SUBMITTED,
        GoalStatus.APPROVED,
        GoalStatus.IN_PROGRESS,
    ),
    GoalStatus.ACHIEVED: (
        GoalStatus.DRAFT,
        GoalStatus.SUBMITTED,
        GoalStatus.APPROVED,
        GoalStatus.IN_PROGRESS,
        GoalStatus.ACHIEVED,
    ),
}
MENTOR_MOVES = (GoalStatus.APPROVED, GoalStatus.CHANGES_REQUESTED)
STATUS_WEIGHTS = {
    GoalStatus.IN_PROGRESS: 45,
    GoalStatus.APPROVED: 10,
    GoalStatus.SUBMITTED: 15,
    GoalStatus.CHANGES_REQUESTED: 5,
    GoalStatus.DRAFT: 10,
    GoalStatus.ACHIEVED: 15,
}


# --- Building the rows ---------------------------------------------------------------------


@dataclass
class _Pair:
    """An active mentorship and the two user ids on its sides."""

    mentorship: Mentorship
    mentee_id: int
    mentor_id: int


@dataclass
class _History:
    rng: random.Random
    now: datetime
    cohort: Cohort
    counts: Counter[str] = field(default_factory=Counter)

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def today(self) -> date:
        return timezone.localdate(self.now)

    def save(self, model: type[Any], rows: list) -> list:
        """Bulk insert; PostgreSQL and SQLite both hand back the new primary keys."""
        created = model.objects.bulk_create(rows, batch_size=BATCH)
        self.counts[str(model._meta.verbose_name_plural)] += len(created)
        return created

    # Requests and mentorships -------------------------------------------------------------

    def request(
        self,
        mentee: Enrollment,
        mentor: Enrollment,
        *,
        created: datetime,
        status: str,
        responded: datetime | None = None,
    ) -> MentorshipRequest:
        declined = status == RequestStatus.DECLINED
        return MentorshipRequest(
            cohort=self.cohort,
            mentee_enrollment=mentee,
            mentor_enrollment=mentor,
            message=self.rng.choice(REQUEST_MESSAGES),
            status=status,
            decline_reason=self.rng.choice(DeclineReason.values) if declined else "",
            decline_note=self.rng.choice(DECLINE_NOTES) if declined else "",
            created_at=created,
            expires_at=created + timedelta(days=self.cohort.request_expiry_days),
            responded_at=responded,
            closed_at=responded if status != RequestStatus.PENDING else None,
        )

    def mentorships(
        self, pairs: list[tuple[Enrollment, Enrollment]], *, status: str
    ) -> list[Mentorship]:
        """Accepted requests and the mentorships they started."""
        starts = [self.days_ago(self.rng.uniform(20, 200)) for _ in pairs]
        requests = self.save(
            MentorshipRequest,
            [
                self.request(
                    mentee,
                    mentor,
                    created=start - timedelta(days=self.rng.uniform(0.1, 6)),
                    status=RequestStatus.ACCEPTED,
                    responded=start,
                )
                for (mentee, mentor), start in zip(pairs, starts, strict=True)
            ],
        )
        ended = status != MentorshipStatus.ACTIVE
        return self.save(
            Mentorship,
            [
                Mentorship(
                    cohort=self.cohort,
                    mentor_enrollment=mentor,
                    mentee_enrollment=mentee,
                    request=request,
                    status=status,
                    started_at=start,
                    ended_at=start + timedelta(days=self.rng.uniform(10, 19)) if ended else None,
                    ended_by_id=mentor.user_id if ended else None,
                )
                for (mentee, mentor), start, request in zip(pairs, starts, requests, strict=True)
            ],
        )

    # Goals --------------------------------------------------------------------------------

    def goals(self, pairs: list[_Pair], *, fixed: bool = False) -> None:
        """Goals for each mentorship, with everything that happened to them so far.

        ``fixed``: the load test's learners, who need goals they can log progress on.
        """
        planned: list[tuple[_Pair, str, str]] = []
        statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
        for pair in pairs:
            if fixed:
                planned += [
                    (pair, GoalStatus.IN_PROGRESS, MeasureKind.MILESTONES),
                    (pair, GoalStatus.IN_PROGRESS, MeasureKind.METRIC),
                    (pair, GoalStatus.SUBMITTED, MeasureKind.MILESTONES),
                ]
                continue
            for _ in range(self.rng.choice((1, 1, 2, 2, 2, 3))):
                status = self.rng.choices(statuses, weights)[0]
                measure = self.rng.choice((MeasureKind.METRIC, MeasureKind.MILESTONES))
                planned.append((pair, status, measure))
        goals = self.save(Goal, [self._goal(*plan) for plan in planned])
        milestones: list[Milestone] = []
        events: list[GoalEvent] = []
        comments: list[GoalComment] = []
        obstacles: list[Obstacle] = []
        by_goal: dict[int, list[Milestone]] = {}
        for goal, (pair, _, _) in zip(goals, planned, strict=True):
            if goal.measure == MeasureKind.MILESTONES:
                by_goal[goal.pk] = self._milestones(goal)
                milestones += by_goal[goal.pk]
            events += self._events(goal, pair)
            comments += self._comments(goal, pair)
            if goal.status == GoalStatus.IN_PROGRESS and self.rng.random() < 0.1:
                obstacles.append(self._obstacle(goal, pair))
        updates = [
            u
            for g, (p, _, _) in zip(goals, planned, strict=True)
            for u in self._progress(g, p, by_goal.get(g.pk, []))
        ]
        self.save(Milestone, milestones)
        self.save(GoalEvent, events)
        self.save(ProgressUpdate, updates)
        self.save(GoalComment, comments)
        self.save(Obstacle, obstacles)
        # The metric goals' current value is their last update's.
        Goal.objects.bulk_update(
            [g for g in goals if g.current_value is not None], ["current_value"], batch_size=BATCH
        )

    def _goal(self, pair: _Pair, status: str, measure: str) -> Goal:
        started = timezone.localdate(pair.mentorship.started_at)
        starts_on = min(started + timedelta(days=self.rng.randint(3, 20)), self.today())
        common = {
            "mentorship": pair.mentorship,
            "outcome": OUTCOME,
            "plan": PLAN,
            "relevance": RELEVANCE,
            "measure": measure,
            "starts_on": starts_on,
            "target_date": starts_on + timedelta(days=self.rng.randint(60, 200)),
            "status": status,
            "created_at": timezone.make_aware(datetime.combine(starts_on, datetime.min.time())),
        }
        if measure == MeasureKind.METRIC:
            title, name, unit, baseline, target = self.rng.choice(METRIC_GOALS)
            return Goal(
                title=title,
                metric_name=name,
                metric_unit=unit,
                baseline=Decimal(baseline),
                target=Decimal(target),
                **common,
            )
        title, _ = self.rng.choice(MILESTONE_GOALS)
        return Goal(title=title, **common)

    def _milestones(self, goal: Goal) -> list[Milestone]:
        titles = next(steps for title, steps in MILESTONE_GOALS if title == goal.title)
        assert goal.target_date is not None  # seeded goals are agreed, so dated
        span = (goal.target_date - goal.starts_on).days
        return [
            Milestone(
                goal=goal,
                position=i,
                title=title,
                due_on=goal.starts_on + timedelta(days=span * (i + 1) // len(titles)),
            )
            for i, title in enumerate(titles)
        ]

    def _moments(self, goal: Goal, count: int) -> list[datetime]:
        """``count`` times between the goal's start and now, in order."""
        start = goal.created_at
        seconds = max((self.now - start).total_seconds(), 3600)
        return sorted(
            min(start + timedelta(seconds=self.rng.uniform(0, seconds)), self.now)
            for _ in range(count)
        )

    def _events(self, goal: Goal, pair: _Pair) -> list[GoalEvent]:
        chain = CHAINS[goal.status]
        moments = self._moments(goal, len(chain))
        return [
            GoalEvent(
                goal=goal,
                actor_id=pair.mentor_id if to in MENTOR_MOVES else pair.mentee_id,
                from_status=chain[i - 1] if i else "",
                to_status=to,
                comment="Make the outcome measurable, please." if to == "changes_requested" else "",
                created_at=at,
            )
            for i, (to, at) in enumerate(zip(chain, moments, strict=True))
        ]

    def _progress(
        self, goal: Goal, pair: _Pair, milestones: list[Milestone]
    ) -> list[ProgressUpdate]:
        if goal.status not in (GoalStatus.IN_PROGRESS, GoalStatus.ACHIEVED):
            return []
        achieved = goal.status == GoalStatus.ACHIEVED
        count = self.rng.randint(1, 5)
        moments = self._moments(goal, count)
        updates = []
        if goal.measure == MeasureKind.METRIC:
            reach = 1.0 if achieved else self.rng.uniform(0.2, 0.8)
            assert goal.target is not None and goal.baseline is not None  # a metric goal's
            span = goal.target - goal.baseline
            for n, at in enumerate(moments, start=1):
                value = (goal.baseline + span * Decimal(reach * n / count)).quantize(Decimal(1))
                goal.current_value = value
                updates.append(self._update(goal, pair, at, value=value))
            return updates
        done = len(milestones) if achieved else self.rng.randint(1, len(milestones) - 1)
        for n, at in enumerate(moments, start=1):
            finished = milestones[: done * n // count]
            for milestone in finished:
                milestone.done_at = milestone.done_at or at
            percent = 100 * len(finished) // len(milestones)
            updates.append(self._update(goal, pair, at, percent=percent))
        return updates

    def _update(
        self,
        goal: Goal,
        pair: _Pair,
        at: datetime,
        *,
        value: Decimal | None = None,
        percent: int | None = None,
    ) -> ProgressUpdate:
        if percent is None:
            percent = goal.progress_percent()
        return ProgressUpdate(
            goal=goal,
            author_id=pair.mentee_id,
            value=value,
            percent=percent,
            note=self.rng.choice(("", "Good week.", "Slower than planned, catching up.")),
            created_at=at,
        )

    def _comments(self, goal: Goal, pair: _Pair) -> list[GoalComment]:
        count = self.rng.choice((0, 0, 1, 2, 3))
        return [
            GoalComment(
                goal=goal,
                author_id=pair.mentor_id if n % 2 == 0 else pair.mentee_id,
                body=self.rng.choice(COMMENTS),
                created_at=at,
            )
            for n, at in enumerate(self._moments(goal, count))
        ]

    def _obstacle(self, goal: Goal, pair: _Pair) -> Obstacle:
        raised, advised, resolved = self._moments(goal, 3)
        is_advised = self.rng.random() < 0.6
        is_resolved = is_advised and self.rng.random() < 0.5
        return Obstacle(
            goal=goal,
            raised_by_id=pair.mentee_id,
            category=self.rng.choice(ObstacleCategory.values),
            description=self.rng.choice(OBSTACLES),
            advice="Block two mornings a week and tell your manager why." if is_advised else "",
            advised_by_id=pair.mentor_id if is_advised else None,
            advised_at=advised if is_advised else None,
            resolved_by_id=pair.mentee_id if is_resolved else None,
            resolved_at=resolved if is_resolved else None,
            resolution="The mornings worked." if is_resolved else "",
            created_at=raised,
        )

    # Meetings -----------------------------------------------------------------------------

    def meetings(self, pairs: list[_Pair], *, fixed: bool = False) -> None:
        planned: list[tuple[_Pair, datetime]] = []
        for pair in pairs:
            start = pair.mentorship.started_at
            past = 1 if fixed else self.rng.randint(0, 3)
            for n in range(past):
                at = start + timedelta(days=7 + 14 * n, hours=self.rng.randint(0, 8))
                planned.append((pair, min(at, self.days_ago(1))))
            if fixed or self.rng.random() < 0.6:
                planned.append((pair, self.now + timedelta(days=self.rng.uniform(1, 13))))
        meetings = self.save(
            Meeting,
            [
                Meeting(
                    mentorship=pair.mentorship,
                    scheduled_by_id=self.rng.choice((pair.mentee_id, pair.mentor_id)),
                    starts_at=at.replace(minute=0, second=0, microsecond=0),
                    duration_minutes=self.rng.choice((30, 45, 60)),
                    format=self.rng.choice(MeetingFormat.values),
                    agenda=self.rng.choice(AGENDAS),
                    uid=uuid.UUID(int=self.rng.getrandbits(128), version=4),
                    created_at=min(at, self.now) - timedelta(days=3),
                )
                for pair, at in planned
            ],
        )
        notes: list[MeetingNote] = []
        actions: list[ActionItem] = []
        for meeting, (pair, at) in zip(meetings, planned, strict=True):
            if at > self.now:
                continue
            for _ in range(1 if fixed else self.rng.randint(0, 2)):
                notes.append(
                    MeetingNote(
                        meeting=meeting,
                        author_id=self.rng.choice((pair.mentee_id, pair.mentor_id)),
                        body="We agreed on the next step and on what to drop for now.",
                        is_private=self.rng.random() < 0.3,
                        created_at=at + timedelta(hours=1),
                    )
                )
            for _ in range(1 if fixed else self.rng.randint(0, 2)):
                actions.append(
                    ActionItem(
                        meeting=meeting,
                        owner_id=pair.mentee_id,
                        title="Send the draft before the next meeting",
                        due_on=timezone.localdate(at) + timedelta(days=10),
                        done_at=at + timedelta(days=5) if self.rng.random() < 0.5 else None,
                        created_by_id=pair.mentor_id,
                        created_at=at + timedelta(hours=1),
                    )
                )
        self.save(MeetingNote, notes)
        self.save(ActionItem, actions)


def _mentor_slots(
    rng: random.Random, mentors: list[Enrollment], capacity: dict[int, int]
) -> list[Enrollment]:
    """Places to fill, one entry per place; every mentor keeps their last place for later
    unless there are not enough others (so the directory's "free places" finds people)."""
    spare = [e for e in mentors for _ in range(max(capacity[e.user_id] - 1, 0))]
    last = [e for e in mentors if capacity[e.user_id] > 0]
    rng.shuffle(spare)
    rng.shuffle(last)
    return spare + last


def seed_load(
    *,
    mentors: int = DEFAULT_MENTORS,
    mentees: int = DEFAULT_MENTEES,
    password_hash: str,
    seed: int = SEED,
    with_suggestions: bool = True,
    log: Callable[[str], None] = print,
) -> Counter[str]:
    """Create the whole community; refuses a database that already holds the demo's."""
    if mentors < MIN_MENTORS or mentees < MIN_MENTEES:
        raise TooSmall(f"Seed at least {MIN_MENTORS} mentors and {MIN_MENTEES} mentees.")
    if User.objects.filter(email=ADMIN_EMAIL).exists():
        raise AlreadySeeded(f"{ADMIN_EMAIL} exists: this database is seeded already.")
    clock = time.monotonic()
    people = plan_community(mentors=mentors, mentees=mentees, both=0, seed=seed)
    # Matching's receivers enroll one person at a time and queue a recomputation per
    # person; here everyone is enrolled in bulk below and suggestions are computed once.
    with receivers.paused():
        seed_community(people=people, password_hash=password_hash)
    log(f"{len(people):,} people in {time.monotonic() - clock:.0f} s")

    history = _History(rng=random.Random(seed), now=timezone.now(), cohort=default_cohort())
    with transaction.atomic():
        pairs = _seed_history(history, people)
    log(f"history in {time.monotonic() - clock:.0f} s: {len(pairs):,} active mentorships")
    if with_suggestions:
        suggested = recompute_suggestions(cohort=history.cohort)
        history.counts["suggestions"] += suggested
        log(f"{suggested:,} suggestions in {time.monotonic() - clock:.0f} s")
    if connection.vendor == "postgresql":
        # Fresh statistics: the planner would otherwise see the empty tables of `migrate`.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return history.counts


def _seed_history(history: _History, people: list[DemoPerson]) -> list[_Pair]:
    rng, cohort = history.rng, history.cohort
    user_ids = dict(
        User.objects.filter(email__in=[p.email for p in people]).values_list("email", "pk")
    )
    mentor_people = [p for p in people if p.role in (DemoRole.MENTOR, DemoRole.ADMIN)]
    mentee_people = [p for p in people if p.role is DemoRole.MENTEE]
    enrollments = history.save(
        Enrollment,
        [
            Enrollment(user_id=user_ids[p.email], cohort=cohort, role=role, joined_at=history.now)
            for role, group in ((Role.MENTOR, mentor_people), (Role.MENTEE, mentee_people))
            for p in group
        ],
    )
    by_user = {(e.user_id, e.role): e for e in enrollments}
    mentor_of = [
        by_user[user_ids[p.email], Role.MENTOR] for p in mentor_people if p.role is DemoRole.MENTOR
    ]
    mentee_of = [by_user[user_ids[p.email], Role.MENTEE] for p in mentee_people]
    capacity = {user_ids[p.email]: p.profile["mentor_capacity"] for p in mentor_people}

    load_mentors, other_mentors = mentor_of[:LOAD_MENTORS], mentor_of[LOAD_MENTORS:]
    Profile.objects.filter(user_id__in=[e.user_id for e in load_mentors]).update(
        mentor_capacity=LOAD_MENTOR_CAPACITY, is_accepting_requests=True
    )
    # The directory's "recently active" sort needs people who have logged in.
    active = User.objects.filter(pk__in=[e.user_id for e in mentor_of]).only("pk")
    for user in active:
        user.last_login = history.days_ago(rng.uniform(0, 60))
    User.objects.bulk_update(active, ["last_login"], batch_size=BATCH)

    learners = LOAD_MENTORS * LEARNERS_PER_LOAD_MENTOR
    matched = max(int(len(mentee_of) * SHARE_MATCHED), learners)
    completed = int(len(mentee_of) * SHARE_COMPLETED)
    fixed_pairs = [
        (mentee_of[i], load_mentors[i // LEARNERS_PER_LOAD_MENTOR]) for i in range(learners)
    ]
    slots = _mentor_slots(rng, other_mentors, capacity)
    random_pairs = [(mentee, slots.pop(0)) for mentee in mentee_of[learners:matched] if slots]
    fixed = [
        _Pair(m, m.mentee_enrollment.user_id, m.mentor_enrollment.user_id)
        for m in history.mentorships(fixed_pairs, status=MentorshipStatus.ACTIVE)
    ]
    others = [
        _Pair(m, m.mentee_enrollment.user_id, m.mentor_enrollment.user_id)
        for m in history.mentorships(random_pairs, status=MentorshipStatus.ACTIVE)
    ]
    history.mentorships(
        [
            (mentee, rng.choice(other_mentors))
            for mentee in mentee_of[matched : matched + completed]
        ],
        status=MentorshipStatus.COMPLETED,
    )
    # Everyone else who is not a load-test seeker may have asked before.
    pool = mentee_of[matched : len(mentee_of) - SEEKERS]
    declined = {
        (rng.choice(pool).pk, rng.choice(other_mentors).pk)
        for _ in range(int(len(mentee_of) * SHARE_DECLINED))
    }
    enrollment_by_pk = {e.pk: e for e in enrollments}
    requests = []
    for mentee_pk, mentor_pk in sorted(declined):
        created = history.days_ago(rng.uniform(10, 300))
        requests.append(
            history.request(
                enrollment_by_pk[mentee_pk],
                enrollment_by_pk[mentor_pk],
                created=created,
                status=RequestStatus.DECLINED,
                responded=created + timedelta(days=rng.uniform(0.05, 9)),
            )
        )
    # At most one waiting request per mentee, never to a mentor who declined them.
    for mentee in rng.sample(pool, min(int(len(mentee_of) * SHARE_PENDING), len(pool))):
        mentor = rng.choice(other_mentors)
        if (mentee.pk, mentor.pk) in declined:
            continue
        requests.append(
            history.request(
                mentee,
                mentor,
                created=history.days_ago(rng.uniform(0, 5)),
                status=RequestStatus.PENDING,
            )
        )
    history.save(MentorshipRequest, requests)

    history.goals(fixed, fixed=True)
    history.goals(others)
    history.meetings(fixed, fixed=True)
    history.meetings(others)
    return fixed + others
