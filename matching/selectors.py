"""Reads for matching: every query is scoped to the person asking."""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User
from matching.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Introduction,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
    Role,
    Suggestion,
)
from mentorship.lib.timezones import zones_overlapping
from profiles.models import Profile, ProfileSkill, Skill, SkillKind, time_zone_names

DIRECTORY_PAGE_SIZE = 12
# Session key: the last few mentor enrollments a person opened, newest first.
RECENTLY_VIEWED_KEY = "recently_viewed_mentors"


def mentee_cohort_ids(user: User) -> list[int]:
    return list(
        Enrollment.objects.active()
        .filter(user=user, role=Role.MENTEE)
        .values_list("cohort_id", flat=True)
    )


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


def directory(*, user: User, filters: dict[str, Any]) -> QuerySet[Enrollment]:
    """The mentor directory: filtered and sorted, with everything a card shows prefetched."""
    # One row at most per mentor (a pair is unique); without order_by() the subquery
    # would sort by Suggestion's default ordering, joining cohorts for every mentor.
    mine = Suggestion.objects.filter(
        mentee_enrollment__user=user,
        mentor_enrollment=OuterRef("pk"),
        dismissed_at__isnull=True,
    ).order_by()
    qs = mentors_visible_to(user).annotate(
        fit=Subquery(mine.values("score")[:1], output_field=FloatField()),
        fit_reasons=Subquery(mine.values("reasons")[:1], output_field=JSONField()),
    )
    if cohort := filters.get("cohort"):
        qs = qs.filter(cohort=cohort)
    if text := (filters.get("q") or "").strip():
        # The matching skills once: as a subquery, the database compared names again
        # for every skill of every mentor.
        named = list(Skill.objects.filter(name__icontains=text).values_list("pk", flat=True))
        skill_match = ProfileSkill.objects.filter(
            profile=OuterRef("user__profile"), kind=SkillKind.EXPERTISE, skill__in=named
        )
        qs = qs.filter(
            Q(user__profile__display_name__icontains=text)
            | Q(user__profile__headline__icontains=text)
            | Q(user__profile__bio__icontains=text)
            | Q(user__profile__job_title__icontains=text)
            | Exists(skill_match)
        )
    if skills := filters.get("skills"):
        qs = qs.filter(
            Exists(
                ProfileSkill.objects.filter(
                    profile=OuterRef("user__profile"), kind=SkillKind.EXPERTISE, skill__in=skills
                )
            )
        )
    if industry := filters.get("industry"):
        qs = qs.filter(user__profile__industry=industry)
    if language := filters.get("language"):
        qs = qs.filter(
            Exists(
                Profile.languages.through.objects.filter(
                    profile_id=OuterRef("user__profile"), language=language
                )
            )
        )
    if overlap := filters.get("overlap"):
        mine = Profile.objects.filter(user=user).values_list("time_zone", flat=True).first()
        zones = zones_overlapping(mine or "UTC", float(overlap), time_zone_names())
        qs = qs.filter(user__profile__time_zone__in=zones)
    if meeting_format := filters.get("meeting_format"):
        qs = qs.filter(**{f"user__profile__{FORMAT_FIELDS[meeting_format]}": True})
    if filters.get("free_only"):
        qs = qs.filter(
            user__profile__is_accepting_requests=True, effective_capacity__gt=F("active_count")
        )
    qs = _sorted(qs, user=user, sort=filters.get("sort") or "best_fit")
    return qs.prefetch_related("user__profile__languages", _expertise_prefetch())


FORMAT_FIELDS = {
    "video": "meets_by_video",
    "phone": "meets_by_phone",
    "in_person": "meets_in_person",
    "chat": "meets_by_chat",
}

SORTS = {
    "best_fit": "Best fit",
    "experience": "Most experienced",
    "recent": "Recently active",
}


def _sorted(qs: QuerySet[Enrollment], *, user: User, sort: str) -> QuerySet[Enrollment]:
    if sort == "experience":
        return qs.order_by(F("user__profile__years_experience").desc(nulls_last=True), "pk")
    if sort == "recent":
        return qs.order_by(F("user__last_login").desc(nulls_last=True), "pk")
    # Best fit: the engine's stored score for this mentee and mentor first; mentors
    # it has not scored (yet) follow, by how many wanted skills they can teach.
    # Read once: as a subquery it was joined again for every mentor's every skill.
    wanted = list(
        ProfileSkill.objects.filter(profile__user=user, kind=SkillKind.LEARN).values_list(
            "skill_id", flat=True
        )
    )
    shared = (
        ProfileSkill.objects.filter(
            profile=OuterRef("user__profile"), kind=SkillKind.EXPERTISE, skill__in=wanted
        )
        .values("profile")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return qs.annotate(shared_skills=Coalesce(Subquery(shared), 0)).order_by(
        F("fit").desc(nulls_last=True),
        "-shared_skills",
        F("user__profile__years_experience").desc(nulls_last=True),
        "pk",
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
        waits[user_id].append((responded - created).total_seconds() / 86400)
    return {user_id: statistics.median(days) for user_id, days in waits.items()}


def response_phrase(days: float | None) -> str:
    if days is None:
        return "New mentor: no replies to measure yet"
    if days <= 1:
        return "Usually replies within a day"
    n = math.ceil(days)
    return f"Usually replies within {n} days"


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


def requests_for(user: User) -> dict[str, list[MentorshipRequest]]:
    related = (
        "cohort",
        "mentee_enrollment__user__profile",
        "mentor_enrollment__user__profile",
    )
    sent = MentorshipRequest.objects.filter(mentee_enrollment__user=user).select_related(*related)
    received = MentorshipRequest.objects.filter(mentor_enrollment__user=user).select_related(
        *related
    )
    return {
        "sent": list(sent),
        "received_pending": [r for r in received if r.status == RequestStatus.PENDING],
        "received_closed": [r for r in received if r.status != RequestStatus.PENDING][:20],
    }


def mentorship_for(user: User, pk: int) -> Mentorship:
    return get_object_or_404(
        Mentorship.objects.for_user(user).select_related(
            "cohort",
            "request",
            "mentee_enrollment__user__profile",
            "mentor_enrollment__user__profile",
        ),
        pk=pk,
    )


def introduction_for(user: User, pk: int) -> Introduction:
    return get_object_or_404(
        Introduction.objects.for_user(user).select_related(
            "contact__profile",
            "mentorship__mentor_enrollment__user__profile",
            "mentorship__mentee_enrollment__user__profile",
        ),
        pk=pk,
    )


def introduction_candidates(user: User) -> QuerySet[User]:
    """People a mentor may introduce a mentee to: those sharing a programme with them."""
    cohorts = Enrollment.objects.active().filter(user=user).values("cohort")
    return (
        User.objects.filter(
            enrollments__cohort__in=cohorts,
            enrollments__status=EnrollmentStatus.ACTIVE,
            is_active=True,
        )
        .exclude(pk=user.pk)
        .distinct()
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
        cohort.my_roles = held[cohort.pk]
    return cohorts


def suggestions_for(user: User) -> list[Suggestion]:
    """This mentee's stored best-fit mentors that are still open to them, best first."""
    busy = Mentorship.objects.filter(
        mentee_enrollment=OuterRef("mentee_enrollment"), status=MentorshipStatus.ACTIVE
    )
    return list(
        Suggestion.objects.filter(
            mentee_enrollment__user=user,
            mentee_enrollment__status=EnrollmentStatus.ACTIVE,
            mentor_enrollment__status=EnrollmentStatus.ACTIVE,
            dismissed_at__isnull=True,
        )
        .exclude(Exists(busy))
        .select_related("mentor_enrollment__user__profile", "cohort")
        .order_by("-score", "pk")[:10]
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
    people_mentored: int = 0
    completed_mentorships: int = 0


def dashboard_for(user: User, *, recently_viewed_ids: list[int] | None = None) -> Dashboard:
    every = list(Enrollment.objects.filter(user=user).select_related("cohort").with_load())
    enrollments = [e for e in every if e.status == EnrollmentStatus.ACTIVE]
    related = ("cohort", "mentee_enrollment__user__profile", "mentor_enrollment__user__profile")
    # By this person's enrollment ids, which index lookups find: for_user()'s "mentee or
    # mentor" across two joins reads every mentorship of the site.
    ids = [e.pk for e in every]
    mentorships = list(
        Mentorship.objects.filter(Q(mentee_enrollment_id__in=ids) | Q(mentor_enrollment_id__in=ids))
        .select_related(*related)
        .order_by("-started_at")
    )
    as_mentor = [m for m in mentorships if m.mentor_enrollment.user_id == user.pk]
    board = Dashboard(
        mentee_enrollments=[e for e in enrollments if e.role == Role.MENTEE],
        mentor_enrollments=[e for e in enrollments if e.role == Role.MENTOR],
        sent_requests=list(
            MentorshipRequest.objects.filter(mentee_enrollment__user=user)
            .select_related(*related)
            .order_by("-created_at")[:10]
        ),
        pending_received=list(
            MentorshipRequest.objects.pending()
            .filter(mentor_enrollment__user=user)
            .select_related(*related)
            .order_by("created_at")
        ),
        mentorships_as_mentee=[
            m for m in mentorships if m.mentee_enrollment.user_id == user.pk and m.is_active
        ],
        mentorships_as_mentor=[m for m in as_mentor if m.is_active],
        pending_introductions=list(
            Introduction.objects.filter(contact=user, status="pending").select_related(
                "mentorship__mentor_enrollment__user__profile",
                "mentorship__mentee_enrollment__user__profile",
            )
        ),
        people_mentored=len({m.mentee_enrollment.user_id for m in as_mentor}),
        completed_mentorships=sum(1 for m in as_mentor if m.status == MentorshipStatus.COMPLETED),
    )
    if board.mentee_enrollments and not board.mentorships_as_mentee:
        board.suggestions = suggestions_for(user)[:3]
        scored = Suggestion.objects.filter(mentee_enrollment__user=user).exists()
        if not board.suggestions and not scored:
            # Until the engine has run for this person, show the closest skill matches.
            board.fallback_suggestions = list(
                directory(user=user, filters={"free_only": True, "sort": "best_fit"})[:3]
            )
        if recently_viewed_ids:
            # Scoped like the directory: a mentor who left drops out of the list.
            seen = {e.pk: e for e in mentors_visible_to(user).filter(pk__in=recently_viewed_ids)}
            board.recently_viewed = [seen[pk] for pk in recently_viewed_ids if pk in seen]
    return board
