"""How each programme is going, in the numbers its admins look at first.

``programme_health`` answers for any number of cohorts in a fixed number of queries
(grouped by cohort), so the admin's home and a cohort's page cost the same for a
cohort of 20 people or 12,000.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from goals.models import CheckAnswer, CheckKind, FitCheck, Goal
from goals.selectors import (
    FLAG_IDLE_DAYS,
    NO_MEETING_DAYS,
    goals_behind_plan,
    poor_fit_mentorships,
    quiet_mentorships,
)
from matching.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    MatchRun,
    MatchRunStatus,
    Mentorship,
    MentorshipRequest,
    RequestStatus,
    Role,
    Suggestion,
    SuggestionRecompute,
)
from matching.selectors import SLOW_REQUEST_DAYS
from programmes.models import SurveyResponse


@dataclass
class Attention:
    """One thing that needs the programme team, with the filtered list that shows it."""

    count: int
    text: str
    url: str


@dataclass
class CohortHealth:
    cohort: Cohort
    mentors: int = 0
    mentees: int = 0
    matched_mentees: int = 0
    requests_waiting: int = 0
    oldest_request_at: datetime | None = None
    slow_requests: int = 0
    active_mentorships: int = 0
    quiet_mentorships: int = 0
    idle_flagged: int = 0
    # Answers to the fit check two weeks in, and active pairs where a side said no.
    fit_going_well: int = 0
    fit_not_sure: int = 0
    fit_poor: int = 0
    poor_fit_pairs: int = 0
    goals_behind_plan: int = 0
    surveys_sent: int = 0
    surveys_answered: int = 0
    draft_runs: int = 0
    suggestions: int = 0
    suggestions_at: datetime | None = None
    # The latest recompute's progress, if one was ever run or asked for.
    recompute: SuggestionRecompute | None = None
    attention: list[Attention] = field(default_factory=list)

    @property
    def matched_percent(self) -> float | None:
        return 100 * self.matched_mentees / self.mentees if self.mentees else None

    @property
    def survey_response_percent(self) -> float | None:
        return 100 * self.surveys_answered / self.surveys_sent if self.surveys_sent else None

    @property
    def oldest_request_days(self) -> int | None:
        if self.oldest_request_at is None:
            return None
        return (timezone.now() - self.oldest_request_at).days

    @property
    def unmatched_mentees(self) -> int:
        return self.mentees - self.matched_mentees


def _by_cohort(rows: QuerySet[Any], **aggregates: Any) -> dict[int, dict[str, Any]]:
    """``aggregates`` of ``rows`` per cohort, in one query."""
    return {
        row["cohort_id"]: row for row in rows.order_by().values("cohort_id").annotate(**aggregates)
    }


def programme_health(cohorts: Sequence[Cohort], *, today: date | None = None) -> list[CohortHealth]:
    """The health of each of ``cohorts``, in their order. Fourteen queries, whatever the
    number of cohorts or people."""
    today = today or timezone.localdate()
    ids = [c.pk for c in cohorts]
    if not ids:
        return []
    health = {c.pk: CohortHealth(cohort=c) for c in cohorts}
    slow_before = timezone.now() - timedelta(days=SLOW_REQUEST_DAYS)

    enrolled = _by_cohort(
        Enrollment.objects.filter(cohort_id__in=ids, status=EnrollmentStatus.ACTIVE),
        mentors=Count("pk", filter=Q(role=Role.MENTOR)),
        mentees=Count("pk", filter=Q(role=Role.MENTEE)),
    )
    active = Mentorship.objects.active().filter(cohort_id__in=ids)
    mentorships = _by_cohort(
        active,
        active=Count("pk"),
        # One active mentorship per mentee, so these are the matched mentees.
        matched=Count("pk", filter=Q(mentee_enrollment__status=EnrollmentStatus.ACTIVE)),
    )
    quiet = _by_cohort(quiet_mentorships(today).filter(cohort_id__in=ids), n=Count("pk"))
    flagged = _by_cohort(
        quiet_mentorships(today, days=FLAG_IDLE_DAYS).filter(cohort_id__in=ids), n=Count("pk")
    )
    poor_pairs = _by_cohort(poor_fit_mentorships().filter(cohort_id__in=ids), n=Count("pk"))
    fit: dict[int, dict[str, Any]] = {
        row["mentorship__cohort_id"]: dict(row)
        for row in FitCheck.objects.filter(
            mentorship__cohort_id__in=ids, kind=CheckKind.FIT, answered_at__isnull=False
        )
        .order_by()
        .values("mentorship__cohort_id")
        .annotate(
            well=Count("pk", filter=Q(answer=CheckAnswer.GOING_WELL)),
            unsure=Count("pk", filter=Q(answer=CheckAnswer.NOT_SURE)),
            poor=Count("pk", filter=Q(answer=CheckAnswer.POOR_FIT)),
        )
    }
    requests = _by_cohort(
        MentorshipRequest.objects.filter(cohort_id__in=ids, status=RequestStatus.PENDING),
        n=Count("pk"),
        oldest=Min("created_at"),
        slow=Count("pk", filter=Q(created_at__lt=slow_before)),
    )
    surveys = _by_cohort(
        SurveyResponse.objects.filter(cohort_id__in=ids),
        sent=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )
    drafts = _by_cohort(
        MatchRun.objects.filter(cohort_id__in=ids, status=MatchRunStatus.DRAFT), n=Count("pk")
    )
    suggested = _by_cohort(
        Suggestion.objects.filter(cohort_id__in=ids, dismissed_at__isnull=True), n=Count("pk")
    )
    behind: dict[int, int] = defaultdict(int)
    for _goal, cohort_id in goals_behind_plan(
        Goal.objects.filter(mentorship__cohort_id__in=ids, mentorship__in=active), today
    ):
        behind[cohort_id] += 1

    recomputes = _recomputes(cohorts)
    for pk, h in health.items():
        h.mentors = enrolled.get(pk, {}).get("mentors", 0)
        h.mentees = enrolled.get(pk, {}).get("mentees", 0)
        h.active_mentorships = mentorships.get(pk, {}).get("active", 0)
        h.matched_mentees = mentorships.get(pk, {}).get("matched", 0)
        h.quiet_mentorships = quiet.get(pk, {}).get("n", 0)
        h.idle_flagged = flagged.get(pk, {}).get("n", 0)
        h.poor_fit_pairs = poor_pairs.get(pk, {}).get("n", 0)
        h.fit_going_well = fit.get(pk, {}).get("well", 0)
        h.fit_not_sure = fit.get(pk, {}).get("unsure", 0)
        h.fit_poor = fit.get(pk, {}).get("poor", 0)
        h.requests_waiting = requests.get(pk, {}).get("n", 0)
        h.oldest_request_at = requests.get(pk, {}).get("oldest")
        h.slow_requests = requests.get(pk, {}).get("slow", 0)
        h.surveys_sent = surveys.get(pk, {}).get("sent", 0)
        h.surveys_answered = surveys.get(pk, {}).get("answered", 0)
        h.draft_runs = drafts.get(pk, {}).get("n", 0)
        h.suggestions = suggested.get(pk, {}).get("n", 0)
        h.suggestions_at = h.cohort.suggestions_computed_at
        h.recompute = recomputes.get(pk)
        h.goals_behind_plan = behind[pk]
        h.attention = list(_needs_attention(h))
    return [health[pk] for pk in ids]


def _recomputes(cohorts: Iterable[Cohort]) -> dict[int, SuggestionRecompute | None]:
    """Each cohort's recompute progress: from the join the admin's pages make
    (select_related), and for cohorts fetched without it, in one query."""
    relation = SuggestionRecompute._meta.get_field("cohort").remote_field
    found: dict[int, SuggestionRecompute | None] = {}
    missing = []
    for cohort in cohorts:
        if relation.is_cached(cohort):
            found[cohort.pk] = cast(SuggestionRecompute | None, relation.get_cached_value(cohort))
        else:
            missing.append(cohort.pk)
    if missing:
        found.update(
            {r.cohort_id: r for r in SuggestionRecompute.objects.filter(cohort__in=missing)}
        )
    return found


def _counted(n: int, text: str, **words: object) -> str:
    """``text`` (chosen by ``ngettext`` for ``n``) with the count written as the reader
    writes numbers (1,200 or 1.200)."""
    return text % {"count": number_format(n, force_grouping=True), **words}


def _needs_attention(h: CohortHealth) -> Iterable[Attention]:
    """What the programme team should look at, most pressing first, each linking to
    the admin list filtered to exactly those rows."""
    cohort = h.cohort.pk
    if not (h.mentors or h.mentees or h.cohort.closed_at):
        yield Attention(
            0,
            gettext("Nobody is enrolled yet: import participants to invite them"),
            reverse("admin:programmes_cohort_import", args=[cohort]),
        )
    if h.slow_requests:
        yield Attention(
            h.slow_requests,
            _counted(
                h.slow_requests,
                ngettext(
                    "%(count)s request unanswered for more than %(days)s days",
                    "%(count)s requests unanswered for more than %(days)s days",
                    h.slow_requests,
                ),
                days=SLOW_REQUEST_DAYS,
            ),
            reverse("admin:matching_mentorshiprequest_changelist")
            + f"?cohort={cohort}&status__exact=pending&waiting=slow",
        )
    if h.poor_fit_pairs:
        yield Attention(
            h.poor_fit_pairs,
            _counted(
                h.poor_fit_pairs,
                ngettext(
                    "%(count)s mentorship where someone said it is not a good fit",
                    "%(count)s mentorships where someone said it is not a good fit",
                    h.poor_fit_pairs,
                ),
            ),
            reverse("admin:matching_mentorship_changelist") + f"?cohort={cohort}&fit=poor",
        )
    if h.idle_flagged:
        yield Attention(
            h.idle_flagged,
            _counted(
                h.idle_flagged,
                ngettext(
                    "%(count)s mentorship idle for %(days)s days or more",
                    "%(count)s mentorships idle for %(days)s days or more",
                    h.idle_flagged,
                ),
                days=FLAG_IDLE_DAYS,
            ),
            reverse("admin:matching_mentorship_changelist") + f"?cohort={cohort}&quiet=flagged",
        )
    if h.quiet_mentorships:
        yield Attention(
            h.quiet_mentorships,
            _counted(
                h.quiet_mentorships,
                ngettext(
                    "%(count)s mentorship with no meeting or message in %(days)s days",
                    "%(count)s mentorships with no meeting or message in %(days)s days",
                    h.quiet_mentorships,
                ),
                days=NO_MEETING_DAYS,
            ),
            reverse("admin:matching_mentorship_changelist") + f"?cohort={cohort}&quiet=yes",
        )
    if h.goals_behind_plan:
        yield Attention(
            h.goals_behind_plan,
            _counted(
                h.goals_behind_plan,
                ngettext(
                    "%(count)s goal behind plan", "%(count)s goals behind plan", h.goals_behind_plan
                ),
            ),
            reverse("admin:goals_goal_changelist") + f"?cohort={cohort}&pace=behind",
        )
    if h.draft_runs:
        yield Attention(
            h.draft_runs,
            _counted(
                h.draft_runs,
                ngettext(
                    "%(count)s matching draft waiting for review",
                    "%(count)s matching drafts waiting for review",
                    h.draft_runs,
                ),
            ),
            reverse("admin:matching_matchrun_changelist") + f"?cohort={cohort}&status__exact=draft",
        )
    if h.unmatched_mentees and not h.cohort.closed_at:
        yield Attention(
            h.unmatched_mentees,
            _counted(
                h.unmatched_mentees,
                ngettext(
                    "%(count)s mentee without a mentor",
                    "%(count)s mentees without a mentor",
                    h.unmatched_mentees,
                ),
            ),
            reverse("admin:matching_enrollment_changelist")
            + f"?cohort={cohort}&role__exact=mentee&status__exact=active&matched=no",
        )
