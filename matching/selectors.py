"""Reads for matching: every query is scoped to the person asking."""

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.timezones import zones_overlapping
from matching import directory as mentor_index
from matching.models import (
    MAX_PREFERENCES,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Introduction,
    MatchRun,
    MatchRunPair,
    MatchRunUnmatched,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    Preference,
    PreferenceWindow,
    RequestMessage,
    RequestStatus,
    Role,
    Suggestion,
)
from matching.services.suggestions import build_problem
from profiles.models import Profile, ProfileSkill, Skill, SkillKind, time_zone_names

if TYPE_CHECKING:
    pass

DIRECTORY_PAGE_SIZE = 12
# A request unanswered this long needs the programme team's attention.
SLOW_REQUEST_DAYS = 7
# Session key: the last few mentor enrollments a person opened, newest first.
RECENTLY_VIEWED_KEY = "recently_viewed_mentors"


def mentee_cohort_ids(user: User) -> list[int]:
    return list(
        Enrollment.objects.active()
        .filter(user=user, role=Role.MENTEE)
        .order_by()
        .values_list("cohort_id", flat=True)
    )


def directory_viewer(user: User) -> tuple[list[int], frozenset[str]]:
    """The cohorts where this person is a mentee, and the codes of the languages they
    speak: one query for both, so the directory's "shares a language" costs nothing."""
    cohorts = (
        Enrollment.objects.active()
        .filter(user=user, role=Role.MENTEE)
        .order_by()
        .values_list(Value("c"), Cast("cohort_id", CharField()))
    )
    spoken = (
        Profile.languages.through.objects.filter(profile__user=user)
        .order_by()
        .values_list(Value("l"), "language_id")
    )
    cohort_ids, codes = [], set()
    for kind, value in cohorts.union(spoken, all=True):
        if kind == "c":
            cohort_ids.append(int(value))
        else:
            codes.add(value)
    return sorted(cohort_ids), frozenset(codes)


def _expertise_prefetch() -> Prefetch:
    return Prefetch(
        "user__profile__skills",
        queryset=ProfileSkill.objects.filter(kind=SkillKind.EXPERTISE).select_related("skill"),
        to_attr="expertise",
    )


def mentors_visible_to(user: User) -> QuerySet[Enrollment]:
    """Mentor enrollments in the cohorts where this person is a mentee."""
    return (
        Enrollment.objects.mentors()
        .filter(
            cohort_id__in=Enrollment.objects.active()
            .filter(user=user, role=Role.MENTEE)
            .values("cohort_id"),
            user__is_active=True,
            user__profile__onboarded_at__isnull=False,
        )
        .exclude(user=user)
        .select_related("user__profile", "cohort")
        .with_load()
    )


def directory_pool(cohort_ids: list[int]) -> mentor_index.Pool:
    """Every mentor the directory may list in these cohorts, from memory."""
    return mentor_index.pool(cohort_ids)


def directory_ids(
    *,
    user: User,
    filters: dict[str, Any],
    pool: mentor_index.Pool | None = None,
    spoken: frozenset[str] | None = None,
) -> tuple[list[int], dict[int, tuple[float, list[str]]]]:
    """The directory's mentor enrollment ids, filtered and sorted, and this mentee's fits.

    The mentors come from memory (matching/directory.py); what is this person's own is
    read here: their fit scores, the skills they want, their time zone. ``pool`` and
    ``spoken`` (their language codes): from ``directory_viewer``, when the caller has
    them already.
    """
    if pool is None or spoken is None:
        cohort_ids, spoken = directory_viewer(user)
        pool = pool or directory_pool(cohort_ids)
    fits = {
        mentor_id: (score, reasons)
        for mentor_id, score, reasons in Suggestion.objects.filter(
            mentee_enrollment__user=user, dismissed_at__isnull=True
        ).values_list("mentor_enrollment_id", "score", "reasons")
    }
    text = (filters.get("q") or "").strip()
    named = (
        frozenset(Skill.objects.filter(name__icontains=text).values_list("pk", flat=True))
        if text
        else frozenset()
    )
    zones = None
    if overlap := filters.get("overlap"):
        mine = Profile.objects.filter(user=user).values_list("time_zone", flat=True).first()
        zones = frozenset(zones_overlapping(mine or "UTC", float(overlap), time_zone_names()))
    cohort = filters.get("cohort")
    language = filters.get("language")
    chosen = mentor_index.select(
        pool,
        viewer_id=user.pk,
        cohort_id=cohort.pk if cohort else None,
        text=text,
        named_skills=named,
        skills=frozenset(s.pk for s in filters.get("skills") or ()),
        industry=filters.get("industry") or "",
        language=language.pk if language else "",
        zones=zones,
        meeting_format=filters.get("meeting_format") or "",
        free_only=bool(filters.get("free_only")),
        # Someone who lists no language cannot be matched on one: the filter waits.
        shared_with=spoken if filters.get("shared_language") and spoken else None,
    )
    sort = filters.get("sort") or "best_fit"
    wanted: frozenset[int] = frozenset()
    if sort not in ("experience", "recent"):
        wanted = frozenset(
            ProfileSkill.objects.filter(profile__user=user, kind=SkillKind.LEARN)
            .order_by()
            .values_list("skill_id", flat=True)
        )
    scores = {pk: fit[0] for pk, fit in fits.items()}
    ranked = mentor_index.ordered(chosen, sort=sort, pool=pool, fit=scores, wanted=wanted)
    return [e.pk for e in ranked], fits


def directory_mentors(
    user: User, ids: list[int], fits: dict[int, tuple[float, list[str]]]
) -> list[Enrollment]:
    """The mentors with these ids, in this order, with everything a card shows."""
    if not ids:
        return []
    found = {
        e.pk: e
        for e in mentors_visible_to(user)
        .filter(pk__in=ids)
        .prefetch_related("user__profile__languages", _expertise_prefetch())
    }
    cards = []
    for pk in ids:
        if enrollment := found.get(pk):
            # Display attributes for the card template, not model fields.
            enrollment.fit, enrollment.fit_reasons = fits.get(pk, (None, None))  # type: ignore[attr-defined]
            cards.append(enrollment)
    return cards


def directory(*, user: User, filters: dict[str, Any], limit: int | None = None) -> list[Enrollment]:
    """The mentor directory, filtered and sorted, each with everything a card shows."""
    ids, fits = directory_ids(user=user, filters=filters)
    return directory_mentors(user, ids[:limit], fits)


SORTS = {
    "best_fit": _("Best fit"),
    "experience": _("Most experienced"),
    "recent": _("Recently active"),
}


@dataclass(frozen=True)
class OwnLimit:
    cohort: str
    taken: int
    limit: int


@dataclass(frozen=True)
class CapacitySummary:
    """How many mentees a mentor has against the limits that apply: their own number
    across every programme without a limit of its own, and each programme's own."""

    taken: int
    capacity: int
    own_limits: list[OwnLimit]
    # Whether any programme shares the mentor's own number.
    is_shared_anywhere: bool

    def lines(self) -> list[str]:
        said = []
        if self.is_shared_anywhere:
            said.append(
                gettext("You mentor %(taken)s of %(capacity)s across your programmes")
                % {"taken": self.taken, "capacity": self.capacity}
                if self.capacity
                else gettext("You mentor %(taken)s; your own limit is 0, so no new mentees")
                % {"taken": self.taken}
            )
        for own in self.own_limits:
            said.append(
                gettext("%(cohort)s sets its own limit of %(limit)s (%(taken)s taken there)")
                % {"cohort": own.cohort, "limit": own.limit, "taken": own.taken}
            )
        return said


def capacity_summary(user: User) -> CapacitySummary | None:
    """This person's places as a mentor, or None if they mentor nowhere. One query."""
    enrollments = list(
        Enrollment.objects.mentors()
        .filter(user=user)
        .select_related("cohort", "user__profile")
        .with_load()
        .order_by("cohort__name")
    )
    if not enrollments:
        return None
    shared = [e for e in enrollments if not e.has_own_limit]
    profile = getattr(user, "profile", None)
    return CapacitySummary(
        taken=shared[0].places_taken() if shared else 0,
        capacity=profile.mentor_capacity if profile else 0,
        own_limits=[
            OwnLimit(e.cohort.name, e.places_taken(), e.capacity)
            for e in enrollments
            if e.has_own_limit
        ],
        is_shared_anywhere=bool(shared),
    )


def mentor_for(user: User, pk: int) -> Enrollment:
    """One mentor enrollment this person may see, or 404."""
    return get_object_or_404(
        mentors_visible_to(user).prefetch_related(
            "user__profile__languages", _expertise_prefetch()
        ),
        pk=pk,
    )


def typical_response_days(mentor_user_ids: list[int]) -> dict[int, float]:
    """Median days each mentor took to answer requests. One query for a whole page."""
    rows = MentorshipRequest.objects.filter(
        mentor_enrollment__user_id__in=mentor_user_ids, responded_at__isnull=False
    ).values_list("mentor_enrollment__user_id", "created_at", "responded_at")
    waits: dict[int, list[float]] = defaultdict(list)
    for user_id, created, responded in rows:
        if responded is None:  # excluded by the query; tells mypy
            continue
        waits[user_id].append((responded - created).total_seconds() / 86400)
    return {user_id: statistics.median(days) for user_id, days in waits.items()}


def response_phrase(days: float | None) -> str:
    if days is None:
        return gettext("New mentor: no replies to measure yet")
    if days <= 1:
        return gettext("Usually replies within a day")
    n = math.ceil(days)
    return gettext("Usually replies within %(days)s days") % {"days": n}


def open_request_between(user: User, mentor: Enrollment) -> MentorshipRequest | None:
    return (
        MentorshipRequest.objects.pending()
        .filter(mentee_enrollment__user=user, mentor_enrollment=mentor)
        .first()
    )


def request_for(user: User, pk: int) -> MentorshipRequest:
    return get_object_or_404(
        MentorshipRequest.objects.for_user(user).select_related(
            "cohort",
            "mentee_enrollment__user__profile",
            "mentor_enrollment__user__profile",
        ),
        pk=pk,
    )


CLOSED_REQUESTS_SHOWN = 20


def requests_for(user: User) -> dict[str, list[MentorshipRequest]]:
    """The requests page: each list joins only the person its rows name. Waiting requests
    are all there (the cohort's rules keep them few); answered or closed ones, sent or
    received, stop at the last 20, however many years of them there are."""
    sent = MentorshipRequest.objects.filter(mentee_enrollment__user=user).select_related(
        "cohort", "mentor_enrollment__user__profile"
    )
    received = MentorshipRequest.objects.filter(mentor_enrollment__user=user).select_related(
        "cohort", "mentee_enrollment__user__profile"
    )
    return {
        "sent_pending": list(sent.filter(status=RequestStatus.PENDING)),
        "sent_closed": list(sent.exclude(status=RequestStatus.PENDING)[:CLOSED_REQUESTS_SHOWN]),
        "received_pending": list(received.filter(status=RequestStatus.PENDING)),
        "received_closed": list(
            received.exclude(status=RequestStatus.PENDING)[:CLOSED_REQUESTS_SHOWN]
        ),
    }


def mentorship_for(user: User, pk: int) -> Mentorship:
    """One of this person's mentorships, or 404, with both people and their profiles.

    The person asking is ``user`` itself; the other side is read on its own: one query
    joining both profiles through both enrollments cost PostgreSQL more to plan than two.
    """
    mentorship = get_object_or_404(
        Mentorship.objects.for_user(user).select_related(
            "cohort", "mentee_enrollment", "mentor_enrollment"
        ),
        pk=pk,
    )
    for side in (mentorship.mentee_enrollment, mentorship.mentor_enrollment):
        if side.user_id == user.pk:
            side.user = user
        else:
            side.user = User.objects.select_related("profile").get(pk=side.user_id)
    return mentorship


def conversation_before(mentorship: Mentorship) -> list[RequestMessage]:
    """The request that started ``mentorship`` and the messages about it, oldest first,
    for the start of the mentorship's thread; empty when a match run made the pair.

    Read through the request, never copied: the request's page and this one stay the
    same conversation. The opening message is an unsaved message row, so the thread
    draws it like any other. Two queries; the authors are the pair, loaded already."""
    if mentorship.request_id is None:
        return []
    request = (
        MentorshipRequest.objects.filter(pk=mentorship.request_id)
        .only("message", "first_goal", "created_at", "mentee_enrollment_id")
        .first()
    )
    if request is None:
        return []
    opening = RequestMessage(request=request, author_id=mentorship.mentee.pk, body=request.message)
    opening.created_at = request.created_at
    thread = [opening, *request.messages.all()]
    people = {person.pk: person for person in (mentorship.mentee, mentorship.mentor)}
    for message in thread:
        if message.author_id in people:
            message.author = people[message.author_id]
    return thread


def introduction_for(user: User, pk: int) -> Introduction:
    return get_object_or_404(
        Introduction.objects.for_user(user).select_related(
            "contact__profile",
            "mentorship__mentor_enrollment__user__profile",
            "mentorship__mentee_enrollment__user__profile",
        ),
        pk=pk,
    )


def joinable_cohorts(user: User) -> list[Cohort]:
    """Open cohorts, each marked with the roles this person already holds there."""
    cohorts = list(Cohort.objects.joinable())
    held = defaultdict(set)
    for cohort_id, role in (
        Enrollment.objects.active().filter(user=user).values_list("cohort_id", "role")
    ):
        held[cohort_id].add(role)
    for cohort in cohorts:
        cohort.my_roles = held[cohort.pk]  # type: ignore[attr-defined]  # for the template
    return cohorts


def suggestions_for(
    user: User, *, limit: int = 10, free_enrollment_ids: list[int] | None = None
) -> list[Suggestion]:
    """This mentee's stored best-fit mentors that are still open to them, best first.

    ``free_enrollment_ids``: this person's active mentee enrollments without an active
    mentorship, when the caller has read them already (the dashboard has): the query then
    needs neither the join nor the subquery that find them. The mentor enrollments are
    not loaded: the dashboard reads the people of all its cards in one query.
    """
    suggestions = Suggestion.objects.filter(
        mentor_enrollment__status=EnrollmentStatus.ACTIVE, dismissed_at__isnull=True
    )
    if free_enrollment_ids is None:
        busy = Mentorship.objects.filter(
            mentee_enrollment=OuterRef("mentee_enrollment"), status=MentorshipStatus.ACTIVE
        )
        suggestions = suggestions.filter(
            mentee_enrollment__user=user, mentee_enrollment__status=EnrollmentStatus.ACTIVE
        ).exclude(Exists(busy))
    else:
        suggestions = suggestions.filter(mentee_enrollment_id__in=free_enrollment_ids)
    return list(
        suggestions.only("score", "reasons", "mentor_enrollment").order_by("-score", "pk")[:limit]
    )


def suggestion_for(user: User, pk: int) -> Suggestion:
    return get_object_or_404(Suggestion.objects.filter(mentee_enrollment__user=user), pk=pk)


@dataclass
class Dashboard:
    mentee_enrollments: list[Enrollment] = field(default_factory=list)
    mentor_enrollments: list[Enrollment] = field(default_factory=list)
    sent_requests: list[MentorshipRequest] = field(default_factory=list)
    pending_received: list[MentorshipRequest] = field(default_factory=list)
    mentorships_as_mentee: list[Mentorship] = field(default_factory=list)
    mentorships_as_mentor: list[Mentorship] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    fallback_suggestions: list[Enrollment] = field(default_factory=list)
    recently_viewed: list[Enrollment] = field(default_factory=list)
    pending_introductions: list[Introduction] = field(default_factory=list)
    # This person's enrollments whose cohort's preference window is open for them.
    choice_windows: list[Enrollment] = field(default_factory=list)
    people_mentored: int = 0
    completed_mentorships: int = 0

    @property
    def active_mentorships(self) -> list[Mentorship]:
        return self.mentorships_as_mentee + self.mentorships_as_mentor


# What a name and an avatar need of the person behind an enrollment.
PERSON_ON_ENROLLMENT = ("user__email", "user__profile__user_id", "user__profile__display_name")


def _with_people(links: list[tuple[Any, str]]) -> None:
    """Point each ``(row, "mentor_enrollment")`` link at that enrollment with its person,
    loaded with what a name and an avatar need: one query for every card of a page.

    A select_related chain down to the profile in each card's own query cost more to
    compile and to plan than the few rows it returned.
    """
    ids = {getattr(row, f"{name}_id") for row, name in links}
    if not ids:
        return
    found = (
        Enrollment.objects.select_related("user__profile")
        .only(*PERSON_ON_ENROLLMENT)
        .order_by()  # the default ordering would join cohorts, for nothing here
        .in_bulk(ids)
    )
    for row, name in links:
        setattr(row, name, found[getattr(row, f"{name}_id")])


def _choice_windows(board: Dashboard) -> list[Enrollment]:
    """The enrollments whose cohort is asking this person for choices right now, each
    with how many they have listed (and, for a mentor, how many mentees listed them).
    No query unless a window is open."""
    now = timezone.now()
    matched = {m.mentee_enrollment_id for m in board.mentorships_as_mentee}
    windows = [
        e
        for e in board.mentee_enrollments + board.mentor_enrollments
        if e.cohort.ranks(e.role)
        and e.cohort.is_preference_window_open(now)
        and e.pk not in matched
    ]
    if not windows:
        return []
    ids = [e.pk for e in windows]
    stated: dict[int, int] = defaultdict(int)
    listed_by: dict[int, int] = defaultdict(int)
    for chooser_id, chosen_id in Preference.objects.filter(
        Q(chooser_id__in=ids) | Q(chosen_id__in=ids)
    ).values_list("chooser_id", "chosen_id"):
        stated[chooser_id] += 1
        listed_by[chosen_id] += 1
    for e in windows:
        e.choices_made = stated[e.pk]  # type: ignore[attr-defined]  # for the template
        e.listed_by = listed_by[e.pk]  # type: ignore[attr-defined]
    return windows


def dashboard_for(user: User, *, recently_viewed_ids: list[int] | None = None) -> Dashboard:
    every = list(Enrollment.objects.filter(user=user).select_related("cohort"))
    enrollments = [e for e in every if e.status == EnrollmentStatus.ACTIVE]
    # By this person's enrollment ids, which index lookups find: for_user()'s "mentee or
    # mentor" across two joins reads every mentorship of the site.
    ids = [e.pk for e in every]
    mentorships = list(
        Mentorship.objects.filter(Q(mentee_enrollment_id__in=ids) | Q(mentor_enrollment_id__in=ids))
        .only("cohort", "mentee_enrollment", "mentor_enrollment", "status", "started_at")
        .order_by("-started_at")
    )
    mine = {e.pk: e for e in every}
    cohorts = {e.cohort_id: e.cohort for e in every}
    as_mentor = [m for m in mentorships if m.mentor_enrollment_id in mine]
    # Places taken, as with_load() would annotate them: counted from the rows above, the
    # capacity from this person's profile, instead of a subquery with a plan of its own.
    taken: dict[int, int] = defaultdict(int)
    for m in as_mentor:
        if m.is_active:
            taken[m.mentor_enrollment_id] += 1
    # The mentor's own capacity covers every programme without a limit of its own.
    shared = sum(taken[e.pk] for e in every if e.capacity_override is None)
    for e in every:
        e.user = user
        # What with_load() annotates, which active_mentorship_count() and places_taken()
        # read when present.
        e.active_count = taken[e.pk]  # type: ignore[attr-defined]
        e.taken_count = taken[e.pk] if e.has_own_limit else shared  # type: ignore[attr-defined]
    board = Dashboard(
        mentee_enrollments=[e for e in enrollments if e.role == Role.MENTEE],
        mentor_enrollments=[e for e in enrollments if e.role == Role.MENTOR],
        mentorships_as_mentee=[
            m for m in mentorships if m.mentee_enrollment_id in mine and m.is_active
        ],
        mentorships_as_mentor=[m for m in as_mentor if m.is_active],
        # The mentorships only when there are introductions: most people have none.
        pending_introductions=list(
            Introduction.objects.filter(contact=user, status="pending")
            .only("mentorship")
            .prefetch_related(
                Prefetch(
                    "mentorship",
                    Mentorship.objects.only("mentee_enrollment", "mentor_enrollment"),
                )
            )
        ),
        people_mentored=len({m.mentee_enrollment_id for m in as_mentor}),
        completed_mentorships=sum(1 for m in as_mentor if m.status == MentorshipStatus.COMPLETED),
    )
    board.choice_windows = _choice_windows(board)
    # Every person a card names, read together at the end. This person's own side of a
    # mentorship is one of their enrollments, and a mentorship's cohort is theirs too.
    people: list[tuple[Any, str]] = []
    for m in board.active_mentorships:
        if m.cohort_id in cohorts:
            m.cohort = cohorts[m.cohort_id]
        for name in ("mentee_enrollment", "mentor_enrollment"):
            if own := mine.get(getattr(m, f"{name}_id")):
                setattr(m, name, own)
            else:
                people.append((m, name))
    for intro in board.pending_introductions:
        people += [(intro.mentorship, "mentor_enrollment"), (intro.mentorship, "mentee_enrollment")]
    # Requests only for the card that lists them: the mentee's or the mentor's.
    if board.mentee_enrollments:
        board.sent_requests = list(
            MentorshipRequest.objects.filter(mentee_enrollment_id__in=ids)
            .only("status", "mentor_enrollment")
            .order_by("-created_at")[:5]
        )
        people += [(r, "mentor_enrollment") for r in board.sent_requests]
    if board.mentor_enrollments:
        board.pending_received = list(
            MentorshipRequest.objects.pending()
            .filter(mentor_enrollment_id__in=ids)
            .only("expires_at", "mentee_enrollment")
            .order_by("created_at")
        )
        people += [(r, "mentee_enrollment") for r in board.pending_received]
    if board.mentee_enrollments and not board.mentorships_as_mentee:
        # No active mentorship as a mentee: each active mentee enrollment is free.
        board.suggestions = suggestions_for(
            user, limit=3, free_enrollment_ids=[e.pk for e in board.mentee_enrollments]
        )
        people += [(s, "mentor_enrollment") for s in board.suggestions]
        # Whether the engine has run for this person matters only when it suggests no one.
        if (
            not board.suggestions
            and not Suggestion.objects.filter(mentee_enrollment_id__in=ids).exists()
        ):
            # Until the engine has run for this person, show the closest skill matches.
            board.fallback_suggestions = directory(
                user=user, filters={"free_only": True, "sort": "best_fit"}, limit=3
            )
        if recently_viewed_ids:
            # Scoped like the directory: a mentor who left drops out of the list.
            # Only what the card shows; in the session's order, so unordered here.
            seen = mentors_visible_to(user).only(*PERSON_ON_ENROLLMENT, "cohort__name")
            found = seen.filter(pk__in=recently_viewed_ids).order_by().in_bulk()
            board.recently_viewed = [found[pk] for pk in recently_viewed_ids if pk in found]
    _with_people(people)
    return board


# --- Reviewing a match run's draft (the admin) ---------------------------------------

RUN_PAGE_SIZE = 50
# How many mentors a mentee is offered at once, best score first.
MENTOR_OPTIONS = 20
# How many mentors matching a search are scored for one mentee: scoring is cheap, but
# a one-letter search must not score the whole cohort on every keystroke.
MENTOR_CANDIDATES = 200


def _person_matches(prefix: str, term: str) -> Q:
    return Q(**{f"{prefix}user__email__icontains": term}) | Q(
        **{f"{prefix}user__profile__display_name__icontains": term}
    )


def run_pairs(
    run: MatchRun, *, search: str = "", ascending: bool = False
) -> QuerySet[MatchRunPair]:
    """A run's pairs with both people, for the review page; pk breaks score ties so
    pages never overlap."""
    pairs = run.pairs.select_related(
        "mentee_enrollment__user__profile", "mentor_enrollment__user__profile", "mentorship"
    )
    if search:
        pairs = pairs.filter(
            _person_matches("mentee_enrollment__", search)
            | _person_matches("mentor_enrollment__", search)
        )
    return pairs.order_by("score" if ascending else "-score", "pk")


def run_unmatched(run: MatchRun, *, search: str = "") -> QuerySet[MatchRunUnmatched]:
    unmatched = run.unmatched.select_related("mentee_enrollment__user__profile")
    if search:
        unmatched = unmatched.filter(_person_matches("mentee_enrollment__", search))
    return unmatched.order_by("pk")


def mentors_with_places(run: MatchRun) -> QuerySet[Enrollment]:
    """The cohort's mentors who could take one more mentee in this draft: places left
    after the places they have taken (in every programme sharing their capacity) and
    the draft's pairs, onboarded and accepting."""
    planned = Subquery(
        MatchRunPair.objects.filter(run=run, mentor_enrollment=OuterRef("pk"))
        .order_by()
        .values("mentor_enrollment")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        Enrollment.objects.mentors()
        .filter(
            cohort_id=run.cohort_id,
            user__profile__onboarded_at__isnull=False,
            user__profile__is_accepting_requests=True,
        )
        .with_load()
        .annotate(planned=Coalesce(planned, 0))
        .annotate(places=F("effective_capacity") - F("taken_count") - F("planned"))
        .filter(places__gt=0)
        .select_related("user__profile")
    )


@dataclass(frozen=True)
class MentorOption:
    """A mentor offered for one mentee: places left in the draft, and the engine's score
    (None when the engine rules the pair out)."""

    enrollment: Enrollment
    places: int
    score: float | None

    @property
    def name(self) -> str:
        return self.enrollment.user.get_full_name()

    @property
    def email(self) -> str:
        return self.enrollment.user.email


def _places(mentor: Enrollment) -> int:
    # Annotated by mentors_with_places(); the model itself has no such field.
    return int(getattr(mentor, "places", 0))


def mentor_options(
    run: MatchRun,
    *,
    mentee: Enrollment | None,
    search: str = "",
    limit: int = MENTOR_OPTIONS,
    allowed_only: bool = False,
) -> list[MentorOption]:
    """Mentors with places left, matching ``search``, scored for ``mentee`` when given:
    allowed pairs first, best score first."""
    mentors = mentors_with_places(run)
    if search:
        mentors = mentors.filter(_person_matches("", search))
    candidates = list(mentors.order_by("user__profile__display_name", "pk")[:MENTOR_CANDIDATES])
    if mentee is None:
        return [MentorOption(m, _places(m), None) for m in candidates[:limit]]
    scored: dict[int, float] = {}
    problem = (
        build_problem(run.cohort, mentees=[mentee], mentors=candidates, read_only=True)
        if candidates
        else None
    )
    if problem is not None:
        for col, enrollment in enumerate(problem.mentors.enrollments):
            if problem.allowed[0, col]:
                scored[enrollment.pk] = float(problem.scores[0, col])
    options = [
        MentorOption(m, _places(m), scored.get(m.pk))
        for m in candidates
        if not allowed_only or m.pk in scored
    ]
    options.sort(key=lambda o: (o.score is None, -(o.score or 0.0)))
    return options[:limit]


def mentor_by_text(run: MatchRun, text: str) -> Enrollment:
    """The run cohort's mentor someone typed: their email, or a name only one has."""
    text = text.strip()
    if not text:
        raise ValidationError(gettext("Type the new mentor's name or email."))
    if "\x00" in text or len(text) > 254:
        raise ValidationError(gettext("That is not a name or email."))
    mentors = (
        Enrollment.objects.mentors().filter(cohort_id=run.cohort_id).select_related("user__profile")
    )
    exact = Q(user__email__iexact=text) | Q(user__profile__display_name__iexact=text)
    found = list(mentors.filter(exact)[:2]) or list(mentors.filter(_person_matches("", text))[:2])
    if not found:
        raise ValidationError(
            gettext("No mentor of this cohort is called “%(text)s”.") % {"text": text}
        )
    if len(found) > 1:
        raise ValidationError(
            gettext("More than one mentor matches “%(text)s”: type their email.") % {"text": text}
        )
    return found[0]


# --- Comparing two runs of one cohort (the admin) -------------------------------------

# How a mentee fares in run A against run B; the numbers order the compare page's list.
SAME, CHANGED, ONLY_A, ONLY_B = 0, 1, 2, 3
DIFFERENCE_LABELS = {
    SAME: _("Same mentor"),
    CHANGED: _("Different mentor"),
    ONLY_A: _("Matched in A only"),
    ONLY_B: _("Matched in B only"),
}
# The metrics the compare page puts side by side: key, label, decimals.
COMPARED_METRICS = (
    ("mentees", _("Mentees looking"), 0),
    ("matched", _("Matched"), 0),
    ("coverage", _("Coverage"), 4),
    ("total_score", _("Total score"), 2),
    ("min_score", _("Lowest pair score"), 3),
    ("p10_score", _("10th percentile pair score"), 3),
    ("blocking_pairs", _("Blocking pairs"), 0),
    ("load_std", _("Mentor load spread"), 3),
    ("price_of_stability", _("Price of stability"), 4),
)


@dataclass(frozen=True)
class MetricRow:
    label: str
    a: float | None
    b: float | None
    decimals: int

    @property
    def difference(self) -> float | None:
        """B minus A, when both runs have the number."""
        return None if self.a is None or self.b is None else self.b - self.a


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def compared_metrics(run_a: MatchRun, run_b: MatchRun) -> list[MetricRow]:
    return [
        MetricRow(
            str(label), _number(run_a.metrics.get(key)), _number(run_b.metrics.get(key)), places
        )
        for key, label, places in COMPARED_METRICS
    ]


@dataclass(frozen=True)
class Difference:
    """How one mentee fares in run A against run B (mentor enrollment ids and scores)."""

    mentee_id: int
    kind: int
    a_mentor: int | None
    a_score: float | None
    b_mentor: int | None
    b_score: float | None


@dataclass(frozen=True)
class DifferenceRow:
    """One mentee on the compare page, with their mentor and score in each run."""

    mentee: Enrollment
    kind: str
    a_mentor: Enrollment | None
    a_score: float | None
    b_mentor: Enrollment | None
    b_score: float | None


def _pairs_by_mentee(run: MatchRun) -> dict[int, tuple[int, float]]:
    rows = run.pairs.order_by().values_list("mentee_enrollment_id", "mentor_enrollment_id", "score")
    return {mentee: (mentor, score) for mentee, mentor, score in rows}


class RunComparison:
    """Two runs of one cohort, mentee by mentee.

    Each run's pairs are read once as plain tuples (two queries of at most one row per
    mentee) and set side by side in Python: a join of two 10,000-pair runs in SQL,
    through correlated subqueries per mentee, took seconds on PostgreSQL."""

    def __init__(self, run_a: MatchRun, run_b: MatchRun) -> None:
        self.run_a, self.run_b = run_a, run_b
        a, b = _pairs_by_mentee(run_a), _pairs_by_mentee(run_b)
        self.differences: list[Difference] = []
        for mentee in a.keys() | b.keys():
            a_mentor, a_score = a.get(mentee, (None, None))
            b_mentor, b_score = b.get(mentee, (None, None))
            if a_mentor is None:
                kind = ONLY_B
            elif b_mentor is None:
                kind = ONLY_A
            else:
                kind = SAME if a_mentor == b_mentor else CHANGED
            self.differences.append(Difference(mentee, kind, a_mentor, a_score, b_mentor, b_score))

    def counts(self) -> dict[int, int]:
        """How many mentees fall in each kind of difference."""
        counts = dict.fromkeys(DIFFERENCE_LABELS, 0)
        for difference in self.differences:
            counts[difference.kind] += 1
        return counts

    def differing(self, *, search: str = "", kind: int | None = None) -> list[Difference]:
        """The mentees whose pairing differs, optionally of one kind and matching
        ``search`` (their own or either mentor's name or email); changed mentors first,
        then by the mentee's name. Two queries, whatever the number of pairs."""
        rows = [d for d in self.differences if d.kind != SAME and (kind is None or d.kind == kind)]
        cohort_people = Enrollment.objects.filter(cohort_id=self.run_a.cohort_id)
        if search:
            found = set(
                cohort_people.filter(_person_matches("", search)).values_list("pk", flat=True)
            )
            rows = [
                d
                for d in rows
                if d.mentee_id in found or d.a_mentor in found or d.b_mentor in found
            ]
        names = dict(
            cohort_people.filter(role=Role.MENTEE).values_list("pk", "user__profile__display_name")
        )
        return sorted(rows, key=lambda d: (d.kind, names.get(d.mentee_id) or "", d.mentee_id))


def difference_rows(differences: Sequence[Difference]) -> list[DifferenceRow]:
    """One page of differences with the mentees and both sides' mentors, in one query."""
    ids = {d.mentee_id for d in differences} | {
        m for d in differences for m in (d.a_mentor, d.b_mentor) if m is not None
    }
    people = {
        e.pk: e for e in Enrollment.objects.filter(pk__in=ids).select_related("user__profile")
    }
    return [
        DifferenceRow(
            mentee=people[d.mentee_id],
            kind=str(DIFFERENCE_LABELS[d.kind]),
            a_mentor=people.get(d.a_mentor) if d.a_mentor is not None else None,
            a_score=d.a_score,
            b_mentor=people.get(d.b_mentor) if d.b_mentor is not None else None,
            b_score=d.b_score,
        )
        for d in differences
    ]


def runs_to_compare(run: MatchRun, *, limit: int = 10) -> list[MatchRun]:
    """The cohort's other runs that have pairs, newest first."""
    return list(
        MatchRun.objects.filter(cohort_id=run.cohort_id)
        .exclude(pk=run.pk)
        .filter(Exists(MatchRunPair.objects.filter(run=OuterRef("pk"))))
        .select_related("cohort")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Stated preferences (the cohort's preference window) --------------------------------


def choosing_enrollment_for(user: User, pk: int) -> Enrollment:
    """One of this person's active enrollments whose cohort asks them for choices, or 404:
    another person's enrollment, and one in a cohort without a window, look the same."""
    enrollment = get_object_or_404(
        Enrollment.objects.active().filter(user=user).select_related("cohort"), pk=pk
    )
    cohort = enrollment.cohort
    if cohort.preference_window() == PreferenceWindow.NONE or not cohort.ranks(enrollment.role):
        raise Http404
    return enrollment


def choosable_for(chooser: Enrollment) -> QuerySet[Enrollment]:
    """The people on the other side of the chooser's cohort they might list: active,
    onboarded, not themselves. The service applies the engine's rules on top."""
    return (
        Enrollment.objects.active()
        .filter(
            cohort_id=chooser.cohort_id,
            role=Role.MENTOR if chooser.role == Role.MENTEE else Role.MENTEE,
            user__is_active=True,
            user__profile__onboarded_at__isnull=False,
        )
        .exclude(user_id=chooser.user_id)
    )


def listed_by(chooser: Enrollment) -> QuerySet[Enrollment]:
    """The people on the chooser's list, whoever they are now."""
    return Enrollment.objects.filter(preferences_received__chooser=chooser)


@dataclass
class PreferencePage:
    """What a person's choices page shows: their list, and people to add to it."""

    chooser: Enrollment
    choices: list[Preference]
    # Mentees: their best suggestions; mentors: the mentees who listed them.
    candidates: list[Enrollment]
    has_mentor: bool = False

    @property
    def is_full(self) -> bool:
        return len(self.choices) >= MAX_PREFERENCES


def preference_page(chooser: Enrollment, *, candidates: int = 5) -> PreferencePage:
    """The chooser's ranked choices with their people, and up to ``candidates`` more."""
    choices = list(
        Preference.objects.filter(chooser=chooser)
        .select_related("chosen__user__profile")
        .order_by("rank")
    )
    listed = {p.chosen_id for p in choices}
    people = choosable_for(chooser).select_related("user__profile").exclude(pk__in=listed)
    if chooser.role == Role.MENTEE:
        has_mentor = Mentorship.objects.active().filter(mentee_enrollment=chooser).exists()
        ranked = list(
            Suggestion.objects.filter(
                mentee_enrollment=chooser,
                dismissed_at__isnull=True,
                mentor_enrollment__in=people.filter(user__profile__is_accepting_requests=True),
            )
            .select_related("mentor_enrollment__user__profile")
            .order_by("rank")[:candidates]
        )
        found = []
        for suggestion in ranked:
            mentor = suggestion.mentor_enrollment
            mentor.fit, mentor.fit_reasons = suggestion.percent, suggestion.reasons  # type: ignore[attr-defined]
            found.append(mentor)
        return PreferencePage(chooser, choices, found, has_mentor=has_mentor)
    # A mentor picks among the mentees who listed them, still without a mentor here.
    busy = Mentorship.objects.active().filter(mentee_enrollment=OuterRef("pk"))
    mentees = (
        people.filter(preferences_stated__chosen=chooser)
        .exclude(Exists(busy))
        .prefetch_related(
            Prefetch(
                "user__profile__skills",
                queryset=ProfileSkill.objects.filter(kind=SkillKind.LEARN).select_related("skill"),
                to_attr="learning",
            )
        )
        .order_by("user__profile__display_name", "pk")
    )
    return PreferencePage(chooser, choices, list(mentees))


def open_choice_for(user: User, mentor: Enrollment) -> tuple[Enrollment, Preference | None] | None:
    """On a mentor's page: this person's mentee enrollment in the mentor's cohort while
    its preference window is open, and the mentor's place in their list if listed."""
    if not mentor.cohort.is_preference_window_open():
        return None
    mine = Enrollment.objects.active().filter(
        user=user, cohort_id=mentor.cohort_id, role=Role.MENTEE
    )
    chooser = mine.exclude(mentorships_as_mentee__status=MentorshipStatus.ACTIVE).first()
    if chooser is None:
        return None
    return chooser, Preference.objects.filter(chooser=chooser, chosen=mentor).first()
