"""Every number of a cohort's report, read from the database as of a given day.

``cohort_report`` computes them all; the admin page draws them, ``write_csv`` exports
them. The definitions, so that anyone can check a number by hand:

- ``as_of`` is a local date; "by then" means before the end of that day. Rows created
  later are left out. Statuses are today's (the database keeps no history of them), so a
  report for an earlier day shows the requests sent by then as they stand now.
- *Enrollment over time*: cumulative enrollments per role whose ``joined_at`` is by each
  point (weekly from the cohort's start, plus ``as_of``). People who later left still
  count: they did join.
- *Match rate*: of the mentees enrolled by a point, the share whose first mentorship in
  the cohort had started by then (whatever became of it later).
- *Request funnel*: requests sent by ``as_of``, counted by current status.
- *Mentor response time*: hours from ``created_at`` to ``responded_at`` of the requests
  a mentor answered (accepted or declined) by ``as_of``. The median is the usual middle
  value (mean of the two middle ones for an even count); the 90th percentile is the
  nearest-rank value (the smallest time at least 90% of answers were as fast as).
- *Goals by status*: goals of the cohort's mentorships created by ``as_of``.
- *Meetings per mentorship*: for each mentorship started by ``as_of``, its meetings that
  were not cancelled and had started by then.
- *Relationship health*: answers to the fit check (two weeks in) and to the pulses
  given by ``as_of``, by answer; and the mentorships active today that have had no
  meeting or message for 60 days or more by ``as_of`` (flagged to the programme team).
- *Surveys*, per kind: sent by ``as_of``, answered by then; mean satisfaction (1–5);
  NPS = % promoters (9–10) − % detractors (0–6) of the answers to "would recommend".
"""

import csv
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from goals.models import CheckAnswer, CheckKind, FitCheck, Goal, GoalStatus, MeetingStatus
from goals.selectors import FLAG_IDLE_DAYS, quiet_mentorships
from matching.models import (
    Cohort,
    Enrollment,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
    Role,
)
from programmes.models import GoalProgress, SurveyKind, SurveyResponse

if TYPE_CHECKING:
    from _typeshed import SupportsWrite
    from django_stubs_ext import StrOrPromise

# Mentor response time buckets: (label, upper bound in hours, exclusive).
RESPONSE_BUCKETS: "tuple[tuple[StrOrPromise, float], ...]" = (
    (_("under 4 hours"), 4),
    (_("4 to 24 hours"), 24),
    (_("1 to 3 days"), 72),
    (_("3 to 7 days"), 168),
    (_("7 days or more"), float("inf")),
)
MEETING_BUCKETS: "tuple[StrOrPromise, ...]" = ("0", "1", "2", "3", "4", _("5 or more"))
FUNNEL_ORDER = (
    RequestStatus.ACCEPTED,
    RequestStatus.DECLINED,
    RequestStatus.WITHDRAWN,
    RequestStatus.EXPIRED,
    RequestStatus.PENDING,
)
# Beyond this many weekly points the grid widens to two weeks, three weeks...
MAX_POINTS = 104


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in the current time zone: "by then" means before it."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


@dataclass(frozen=True)
class Point:
    """Enrollment and matching by the end of one day."""

    day: date
    mentors: int
    mentees: int
    matched: int

    @property
    def match_rate(self) -> float | None:
        return percent(self.matched, self.mentees)


@dataclass(frozen=True)
class Funnel:
    sent: int
    by_status: dict[str, int]

    def rows(self) -> list[tuple[str, int]]:
        return [(str(RequestStatus(s).label), self.by_status[s]) for s in FUNNEL_ORDER]


@dataclass(frozen=True)
class ResponseTimes:
    hours: list[float]
    median: float | None
    p90: float | None
    histogram: list[tuple[str, int]]

    @property
    def answered(self) -> int:
        return len(self.hours)


@dataclass(frozen=True)
class MeetingStats:
    mentorships: int
    meetings: int
    distribution: list[tuple[str, int]]

    @property
    def mean(self) -> float | None:
        return self.meetings / self.mentorships if self.mentorships else None


@dataclass(frozen=True)
class Comment:
    role: str
    answered_at: datetime
    text: str


@dataclass(frozen=True)
class SurveyResults:
    kind: str
    label: str
    sent: int
    answered: int
    mean_satisfaction: float | None
    satisfaction: list[tuple[int, int]]
    recommend: list[tuple[int, int]]
    promoters: int
    passives: int
    detractors: int
    goal_progress: list[tuple[str, int]]
    comments: list[Comment]

    @property
    def response_rate(self) -> float | None:
        return percent(self.answered, self.sent)

    @property
    def nps(self) -> float | None:
        if not self.answered:
            return None
        return 100 * (self.promoters - self.detractors) / self.answered


@dataclass(frozen=True)
class RelationshipHealth:
    # (answer label, fit check answers, pulse answers), in CheckAnswer's order.
    answers: list[tuple[str, int, int]]
    idle_flagged: int


@dataclass(frozen=True)
class CohortReport:
    cohort: Cohort
    as_of: date
    points: list[Point]
    mentorships_started: int
    mentorships_by_status: dict[str, int]
    funnel: Funnel
    response_times: ResponseTimes
    goals: list[tuple[str, int]]
    meetings: MeetingStats
    health: RelationshipHealth
    surveys: list[SurveyResults]

    @property
    def latest(self) -> Point:
        return self.points[-1]


def report_days(start: date, as_of: date) -> list[date]:
    """Weekly from ``start`` up to ``as_of``, ending on ``as_of`` itself."""
    if as_of <= start:
        return [as_of]
    weeks = (as_of - start).days // 7 + 1
    step = 7 * ceil(weeks / MAX_POINTS)
    days = [start + timedelta(days=n) for n in range(0, (as_of - start).days + 1, step)]
    if days[-1] != as_of:
        days.append(as_of)
    return days


def cohort_report(*, cohort: Cohort, as_of: date | None = None) -> CohortReport:
    as_of = as_of or timezone.localdate()
    cutoff = end_of(as_of)
    return CohortReport(
        cohort=cohort,
        as_of=as_of,
        points=enrollment_points(cohort=cohort, as_of=as_of),
        mentorships_started=Mentorship.objects.filter(cohort=cohort, started_at__lt=cutoff).count(),
        mentorships_by_status=_counts(
            Mentorship.objects.filter(cohort=cohort, started_at__lt=cutoff),
            MentorshipStatus.values,
        ),
        funnel=request_funnel(cohort=cohort, as_of=as_of),
        response_times=response_times(cohort=cohort, as_of=as_of),
        goals=goals_by_status(cohort=cohort, as_of=as_of),
        meetings=meetings_per_mentorship(cohort=cohort, as_of=as_of),
        health=relationship_health(cohort=cohort, as_of=as_of),
        surveys=[survey_results(cohort=cohort, kind=kind, as_of=as_of) for kind in SurveyKind],
    )


def _counts(qs: Any, statuses: list[str], field: str = "status") -> dict[str, int]:
    found = dict(qs.order_by().values_list(field).annotate(n=Count("pk")))
    return {status: found.get(status, 0) for status in statuses}


def enrollment_points(*, cohort: Cohort, as_of: date) -> list[Point]:
    joined = list(
        Enrollment.objects.filter(cohort=cohort, joined_at__lt=end_of(as_of)).values_list(
            "pk", "role", "joined_at"
        )
    )
    first_match = dict(
        Mentorship.objects.filter(cohort=cohort)
        .order_by()
        .values_list("mentee_enrollment")
        .annotate(first=Min("started_at"))
    )
    points = []
    for day in report_days(cohort.starts_on, as_of):
        cutoff = end_of(day)
        mentors = sum(1 for _, role, at in joined if role == Role.MENTOR and at < cutoff)
        mentees = [pk for pk, role, at in joined if role == Role.MENTEE and at < cutoff]
        matched = sum(1 for pk in mentees if pk in first_match and first_match[pk] < cutoff)
        points.append(Point(day=day, mentors=mentors, mentees=len(mentees), matched=matched))
    return points


def request_funnel(*, cohort: Cohort, as_of: date) -> Funnel:
    sent = MentorshipRequest.objects.filter(cohort=cohort, created_at__lt=end_of(as_of))
    return Funnel(sent=sent.count(), by_status=_counts(sent, RequestStatus.values))


def percentile_nearest_rank(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, ceil(pct / 100 * len(ordered)) - 1)]


def response_times(*, cohort: Cohort, as_of: date) -> ResponseTimes:
    cutoff = end_of(as_of)
    pairs = MentorshipRequest.objects.filter(
        cohort=cohort,
        status__in=(RequestStatus.ACCEPTED, RequestStatus.DECLINED),
        created_at__lt=cutoff,
        responded_at__lt=cutoff,
    ).values_list("created_at", "responded_at")
    # responded_at__lt above already leaves out the unanswered; the check tells mypy.
    hours = sorted(
        (answered - sent).total_seconds() / 3600 for sent, answered in pairs if answered is not None
    )
    histogram = []
    lower = 0.0
    for label, upper in RESPONSE_BUCKETS:
        histogram.append((str(label), sum(1 for h in hours if lower <= h < upper)))
        lower = upper
    return ResponseTimes(
        hours=hours,
        median=statistics.median(hours) if hours else None,
        p90=percentile_nearest_rank(hours, 90),
        histogram=histogram,
    )


def goals_by_status(*, cohort: Cohort, as_of: date) -> list[tuple[str, int]]:
    goals = Goal.objects.filter(mentorship__cohort=cohort, created_at__lt=end_of(as_of))
    counts = _counts(goals, GoalStatus.values)
    return [(str(GoalStatus(status).label), n) for status, n in counts.items()]


def meetings_per_mentorship(*, cohort: Cohort, as_of: date) -> MeetingStats:
    cutoff = end_of(as_of)
    counts = list(
        Mentorship.objects.filter(cohort=cohort, started_at__lt=cutoff)
        .order_by()
        .annotate(
            held=Count(
                "meetings",
                filter=Q(meetings__starts_at__lt=cutoff)
                & ~Q(meetings__status=MeetingStatus.CANCELLED),
            )
        )
        .values_list("held", flat=True)
    )
    last = len(MEETING_BUCKETS) - 1
    tally = Counter(min(n, last) for n in counts)
    return MeetingStats(
        mentorships=len(counts),
        meetings=sum(counts),
        distribution=[(str(label), tally[i]) for i, label in enumerate(MEETING_BUCKETS)],
    )


def relationship_health(*, cohort: Cohort, as_of: date) -> RelationshipHealth:
    answered = FitCheck.objects.filter(
        mentorship__cohort=cohort, answered_at__lt=end_of(as_of)
    ).exclude(answer="")
    fit = _counts(answered.filter(kind=CheckKind.FIT), CheckAnswer.values, "answer")
    pulse = _counts(answered.filter(kind=CheckKind.PULSE), CheckAnswer.values, "answer")
    return RelationshipHealth(
        answers=[(str(CheckAnswer(a).label), fit[a], pulse[a]) for a in CheckAnswer.values],
        idle_flagged=quiet_mentorships(as_of, days=FLAG_IDLE_DAYS).filter(cohort=cohort).count(),
    )


def survey_results(*, cohort: Cohort, kind: str, as_of: date) -> SurveyResults:
    cutoff = end_of(as_of)
    sent = SurveyResponse.objects.filter(cohort=cohort, kind=kind, sent_at__lt=cutoff)
    answered = list(
        sent.filter(answered_at__lt=cutoff)
        .order_by("answered_at", "pk")
        .values("role", "answered_at", "satisfaction", "recommend", "goal_progress", "comments")
    )
    # Answered rows always have both scores (the programmes_answered_has_scores constraint).
    satisfaction = Counter(a["satisfaction"] for a in answered if a["satisfaction"] is not None)
    recommend = Counter(a["recommend"] for a in answered if a["recommend"] is not None)
    progress = Counter(a["goal_progress"] for a in answered)
    return SurveyResults(
        kind=kind,
        label=str(SurveyKind(kind).label),
        sent=sent.count(),
        answered=len(answered),
        mean_satisfaction=(statistics.fmean(satisfaction.elements()) if answered else None),
        satisfaction=[(score, satisfaction[score]) for score in range(1, 6)],
        recommend=[(score, recommend[score]) for score in range(11)],
        promoters=sum(n for score, n in recommend.items() if score >= 9),
        passives=sum(n for score, n in recommend.items() if 7 <= score <= 8),
        detractors=sum(n for score, n in recommend.items() if score <= 6),
        goal_progress=[(str(choice.label), progress[choice.value]) for choice in GoalProgress],
        comments=[
            Comment(
                role=str(Role(a["role"]).label), answered_at=a["answered_at"], text=a["comments"]
            )
            for a in answered
            if a["comments"].strip() and a["answered_at"] is not None
        ],
    )


# --- CSV ------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """One cell: numbers as they are (rounded to 2 places), text defused of formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def report_rows(report: CohortReport) -> list[tuple[str, str, object]]:
    """(section, metric, value) for every number in the report, in page order, in the
    reader's language: the file is for people opening it in a spreadsheet."""
    latest = report.latest
    summary, cohort = gettext("summary"), pgettext("a section of the report's file", "cohort")
    rows: list[tuple[str, str, object]] = [
        (cohort, gettext("name"), report.cohort.name),
        (cohort, gettext("as of"), report.as_of.isoformat()),
        (summary, gettext("mentors enrolled"), latest.mentors),
        (summary, gettext("mentees enrolled"), latest.mentees),
        (summary, gettext("mentees matched"), latest.matched),
        (summary, gettext("match rate %"), latest.match_rate),
        (summary, gettext("mentorships started"), report.mentorships_started),
    ]
    rows += [
        (
            summary,
            gettext("mentorships %(status)s") % {"status": MentorshipStatus(s).label.lower()},
            n,
        )
        for s, n in report.mentorships_by_status.items()
    ]
    enrollment = gettext("enrollment")
    for point in report.points:
        day = {"day": point.day.isoformat()}
        rows += [
            (enrollment, gettext("%(day)s mentors") % day, point.mentors),
            (enrollment, gettext("%(day)s mentees") % day, point.mentees),
        ]
    match_rate = gettext("match rate")
    for point in report.points:
        day = {"day": point.day.isoformat()}
        rows += [
            (match_rate, gettext("%(day)s mentees matched") % day, point.matched),
            (match_rate, gettext("%(day)s match rate %%") % day, point.match_rate),
        ]
    funnel = gettext("request funnel")
    rows.append((funnel, pgettext("requests or surveys sent", "Sent"), report.funnel.sent))
    rows += [(funnel, label, n) for label, n in report.funnel.rows()]
    times, response = report.response_times, gettext("mentor response time")
    rows += [
        (response, gettext("answered requests"), times.answered),
        (response, gettext("median hours"), times.median),
        (response, gettext("90th percentile hours"), times.p90),
    ]
    rows += [(response, str(label), n) for label, n in times.histogram]
    rows += [(gettext("goals by status"), label, n) for label, n in report.goals]
    meetings, per_mentorship = report.meetings, gettext("meetings per mentorship")
    rows += [
        (per_mentorship, gettext("mentorships"), meetings.mentorships),
        (per_mentorship, gettext("meetings"), meetings.meetings),
        (per_mentorship, gettext("mean"), meetings.mean),
    ]
    rows += [
        (
            per_mentorship,
            gettext("mentorships with %(count)s meetings") % {"count": label},
            n,
        )
        for label, n in meetings.distribution
    ]
    health = gettext("relationship health")
    rows += [
        row
        for label, fit, pulse in report.health.answers
        for row in (
            (health, gettext("fit check: %(answer)s") % {"answer": label.lower()}, fit),
            (health, gettext("pulse: %(answer)s") % {"answer": label.lower()}, pulse),
        )
    ]
    rows.append(
        (
            health,
            gettext("idle %(days)s days or more") % {"days": FLAG_IDLE_DAYS},
            report.health.idle_flagged,
        )
    )
    for survey in report.surveys:
        section = str(survey.label)
        rows += [
            (section, pgettext("surveys sent", "sent"), survey.sent),
            (section, gettext("answered"), survey.answered),
            (section, gettext("response rate %"), survey.response_rate),
            (section, gettext("mean satisfaction"), survey.mean_satisfaction),
        ]
        rows += [
            (section, gettext("satisfaction %(score)s") % {"score": score}, n)
            for score, n in survey.satisfaction
        ]
        rows += [
            (section, gettext("would recommend %(score)s") % {"score": score}, n)
            for score, n in survey.recommend
        ]
        rows += [
            (section, gettext("promoters (9-10)"), survey.promoters),
            (section, gettext("passives (7-8)"), survey.passives),
            (section, gettext("detractors (0-6)"), survey.detractors),
            (section, gettext("NPS"), survey.nps),
        ]
        rows += [
            (section, gettext("goal progress: %(answer)s") % {"answer": label}, n)
            for label, n in survey.goal_progress
        ]
        rows += [
            (
                section,
                gettext("comment (mentor)")
                if c.role == str(Role.MENTOR.label)
                else gettext("comment (mentee)"),
                c.text,
            )
            for c in survey.comments
        ]
    return rows


def write_csv(report: CohortReport, out: "SupportsWrite[str]") -> None:
    writer = csv.writer(out)
    writer.writerow([gettext("section"), gettext("metric"), gettext("value")])
    for section, metric, value in report_rows(report):
        writer.writerow([csv_cell(section), csv_cell(metric), csv_cell(value)])
