"""The mentor directory's filtering and sorting, done in memory.

Each directory page used to join every mentor of the person's cohorts with their user and
profile, compute three subqueries per mentor and sort them all in PostgreSQL, only to
show twelve: with 2,000 mentors that was about 25 ms of database time for the page and
as much again for its count, on every click of a filter.

Now each process keeps, per cohort, one small ``Entry`` per visible mentor with what the
filters and sorts read, in two parts that change at different speeds:

- the **mentors**: profile, skills, languages, enrollment, account (``MENTORS`` row),
  with the names of the skills and languages the filter form offers;
- their **activity**: how many active mentorships each has (``ACTIVITY`` row), which
  changes with every accepted or closed request and costs one query to read again.

Last logins change with every login and only the "recently active" sort reads them: it
reads them when asked.

Before using either part a process reads both ``DirectoryVersion`` rows (one query);
every committed change increments the row of its part (the signals at the bottom), and a
part whose number moved is read again. A change made in this process also drops this
process's copy at once, so a page rendered inside the same transaction, as in the tests,
sees it. Writes that bypass signals (``QuerySet.update``, ``bulk_create``) call
``changed()`` themselves. The directory is read outside write transactions (views run
in autocommit; services write in atomic blocks of their own): a read inside a
transaction that then rolled back could keep what it saw until the next change.

Only the page's twelve mentors are then read in full. What is personal to the viewer
(their fit scores, the skills they want, their time zone) is read per request.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F
from django.db.models.signals import m2m_changed, post_delete, post_save

from matching.models import Cohort, DirectoryVersion, Enrollment, Mentorship, MentorshipStatus, Role
from profiles.models import Language, Profile, ProfileSkill, Skill, SkillKind
from profiles.signals import profiles_changed

MENTORS = 1
ACTIVITY = 2
FORMATS = ("video", "phone", "in_person", "chat")


@dataclass(frozen=True, slots=True)
class Entry:
    """One mentor enrollment, as the directory's filters and sorts see it."""

    pk: int
    user_id: int
    cohort_id: int
    years: int | None
    industry: str
    time_zone: str
    formats: frozenset[str]
    accepting: bool
    capacity: int
    skills: frozenset[int]
    languages: frozenset[str]
    # display name, headline, bio and job title, upper-cased, for the text search
    texts: tuple[str, ...]


@dataclass
class Pool:
    """The mentors of some cohorts, with how busy each is."""

    cohort_ids: list[int] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    active: dict[int, int] = field(default_factory=dict)
    # skill id -> name for every skill taught here; (code, name) of every language
    skill_names: dict[int, str] = field(default_factory=dict)
    language_names: list[tuple[str, str]] = field(default_factory=list)
    # the MENTORS count these entries were read at (None: not kept in memory)
    mentors_version: int | None = None

    @cached_property
    def _by_pk(self) -> dict[int, Entry]:
        return {e.pk: e for e in self.entries}

    def entry(self, pk: int) -> Entry | None:
        return self._by_pk.get(pk)

    def has_free_place(self, e: Entry) -> bool:
        return e.accepting and e.capacity > self.active.get(e.pk, 0)

    def skill_choices(self) -> list[tuple[int, str]]:
        """The skills these mentors teach, by name, as the filter form offers them."""
        return sorted(self.skill_names.items(), key=lambda item: (item[1], item[0]))

    def last_logins(self) -> dict[int, datetime | None]:
        """When each mentor last logged in: read now, only the "recent" sort needs it."""
        if not self.cohort_ids:
            return {}
        return dict(
            Enrollment.objects.filter(cohort_id__in=self.cohort_ids, role=Role.MENTOR)
            .order_by()
            .values_list("pk", "user__last_login")
        )


@dataclass
class _Cached:
    mentors_version: int
    entries: list[Entry]
    skill_names: dict[int, str]
    language_names: list[tuple[str, str]]
    activity_version: int
    active: dict[int, int]


_lock = threading.Lock()
# cohort id -> what this process read of it; shared by the process's threads
_cohorts: dict[int, _Cached] = {}
# Moves whenever this process drops its mentors: what was derived from them before
# (rendered cards, matching/cards.py) carries the old number and is not used again.
generation = 0


def versions() -> dict[int, int]:
    """The committed change counts of both parts; a missing row means "never cache"."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, number FROM {DirectoryVersion._meta.db_table}")
        return dict(cursor.fetchall())


def pool(cohort_ids: Iterable[int]) -> Pool:
    """The visible mentors of these cohorts, from memory while nothing has changed."""
    ids = sorted(set(cohort_ids))
    result = Pool(cohort_ids=ids)
    if not ids:
        return result
    numbers = versions()
    mentors_v, activity_v = numbers.get(MENTORS), numbers.get(ACTIVITY)
    result.mentors_version = mentors_v
    for cohort_id in ids:
        cached = _cohorts.get(cohort_id)
        if mentors_v is None or cached is None or cached.mentors_version != mentors_v:
            entries, skill_names, language_names = _read_mentors(cohort_id)
            active = _read_activity(cohort_id)
        else:
            entries, skill_names = cached.entries, cached.skill_names
            language_names = cached.language_names
            if activity_v is None or cached.activity_version != activity_v:
                active = _read_activity(cohort_id)
            else:
                active = cached.active
        if mentors_v is not None and activity_v is not None:
            with _lock:
                _cohorts[cohort_id] = _Cached(
                    mentors_v, entries, skill_names, language_names, activity_v, active
                )
        result.entries.extend(entries)
        result.active.update(active)
        result.skill_names.update(skill_names)
        result.language_names = language_names
    return result


def _mentors(cohort_id: int) -> Any:
    return Enrollment.objects.mentors().filter(
        cohort_id=cohort_id, user__is_active=True, user__profile__onboarded_at__isnull=False
    )


def _read_mentors(
    cohort_id: int,
) -> tuple[list[Entry], dict[int, str], list[tuple[str, str]]]:
    """Five queries for every mentor of the cohort, however many there are: the mentors,
    their skills and languages, and the names of those skills and of every language."""
    rows = list(
        _mentors(cohort_id)
        .order_by()
        .values_list(
            "pk",
            "user_id",
            "capacity_override",
            "cohort__default_mentor_capacity",
            "user__profile__id",
            "user__profile__years_experience",
            "user__profile__industry",
            "user__profile__time_zone",
            "user__profile__meets_by_video",
            "user__profile__meets_by_phone",
            "user__profile__meets_in_person",
            "user__profile__meets_by_chat",
            "user__profile__is_accepting_requests",
            "user__profile__mentor_capacity",
            "user__profile__display_name",
            "user__profile__headline",
            "user__profile__bio",
            "user__profile__job_title",
        )
    )
    profile_ids = [row[4] for row in rows]
    skills: dict[int, set[int]] = {}
    for profile_id, skill_id in (
        ProfileSkill.objects.filter(profile_id__in=profile_ids, kind=SkillKind.EXPERTISE)
        .order_by()
        .values_list("profile_id", "skill_id")
    ):
        skills.setdefault(profile_id, set()).add(skill_id)
    languages: dict[int, set[str]] = {}
    for profile_id, code in (
        Profile.languages.through.objects.filter(profile_id__in=profile_ids)
        .order_by()
        .values_list("profile_id", "language_id")
    ):
        languages.setdefault(profile_id, set()).add(code)
    entries = []
    for (
        pk,
        user_id,
        override,
        cohort_capacity,
        profile_id,
        years,
        industry,
        time_zone,
        *formats,
        accepting,
        profile_capacity,
        name,
        headline,
        bio,
        job_title,
    ) in rows:
        capacity = next(
            (c for c in (override, profile_capacity, cohort_capacity) if c is not None), 0
        )
        entries.append(
            Entry(
                pk=pk,
                user_id=user_id,
                cohort_id=cohort_id,
                years=years,
                industry=industry,
                time_zone=time_zone,
                formats=frozenset(f for f, on in zip(FORMATS, formats, strict=True) if on),
                accepting=accepting,
                capacity=capacity,
                skills=frozenset(skills.get(profile_id, ())),
                languages=frozenset(languages.get(profile_id, ())),
                texts=tuple((t or "").upper() for t in (name, headline, bio, job_title)),
            )
        )
    taught = set().union(*skills.values())
    skill_names = dict(Skill.objects.filter(pk__in=taught).values_list("pk", "name"))
    language_names = list(Language.objects.order_by("name").values_list("code", "name"))
    return entries, skill_names, language_names


def _read_activity(cohort_id: int) -> dict[int, int]:
    """How many active mentorships each of the cohort's mentors has: one narrow query."""
    return dict(
        Mentorship.objects.filter(
            mentor_enrollment__cohort_id=cohort_id, status=MentorshipStatus.ACTIVE
        )
        .order_by()
        .values("mentor_enrollment")
        .annotate(n=Count("pk"))
        .values_list("mentor_enrollment", "n")
    )


# --- Filtering and sorting (pure) ---------------------------------------------------------


def select(
    pool: Pool,
    *,
    viewer_id: int,
    cohort_id: int | None = None,
    text: str = "",
    named_skills: frozenset[int] = frozenset(),
    skills: frozenset[int] = frozenset(),
    industry: str = "",
    language: str = "",
    zones: frozenset[str] | None = None,
    meeting_format: str = "",
    free_only: bool = False,
) -> list[Entry]:
    """The entries passing every filter given; an empty filter passes everyone."""
    needle = text.upper()
    chosen = []
    for e in pool.entries:
        if e.user_id == viewer_id or (cohort_id and e.cohort_id != cohort_id):
            continue
        if needle and not (
            any(needle in t for t in e.texts) or not e.skills.isdisjoint(named_skills)
        ):
            continue
        if skills and e.skills.isdisjoint(skills):
            continue
        if industry and e.industry != industry:
            continue
        if language and language not in e.languages:
            continue
        if zones is not None and e.time_zone not in zones:
            continue
        if meeting_format and meeting_format not in e.formats:
            continue
        if free_only and not pool.has_free_place(e):
            continue
        chosen.append(e)
    return chosen


def ordered(
    chosen: list[Entry],
    *,
    sort: str,
    pool: Pool,
    fit: dict[int, float] | None = None,
    wanted: frozenset[int] = frozenset(),
) -> list[Entry]:
    """Sorted as the directory's sort menu says; ties always fall back to the oldest id.

    Best fit: the engine's stored score for this mentee first (mentors it has not scored
    follow), then how many of the wanted skills a mentor teaches, then experience.
    """
    if sort == "experience":
        return sorted(chosen, key=lambda e: (e.years is None, -(e.years or 0), e.pk))
    if sort == "recent":
        last_login = pool.last_logins()

        def recent(e: Entry) -> tuple[Any, ...]:
            seen = last_login.get(e.pk)
            return (seen is None, -(seen.timestamp() if seen else 0), e.pk)

        return sorted(chosen, key=recent)
    fit = fit or {}

    def best_fit(e: Entry) -> tuple[Any, ...]:
        score = fit.get(e.pk)
        return (
            score is None,
            -(score or 0),
            -len(e.skills & wanted),
            e.years is None,
            -(e.years or 0),
            e.pk,
        )

    return sorted(chosen, key=best_fit)


# --- Keeping it true ----------------------------------------------------------------------


def forget(part: int = MENTORS) -> None:
    """Drop this process's copy of a part: the next page reads it again."""
    global generation
    with _lock:
        if part == MENTORS:
            _cohorts.clear()
            generation += 1
        for cached in _cohorts.values():
            cached.activity_version = -1


def _bump(part: int) -> None:
    DirectoryVersion.objects.filter(pk=part).update(number=F("number") + 1)


def changed(part: int = MENTORS, **kwargs: Any) -> None:
    """Something the directory shows changed: here at once, elsewhere once committed."""
    forget(part)
    transaction.on_commit(lambda: _bump(part))


def _activity_changed(**kwargs: Any) -> None:
    changed(ACTIVITY)


def _enrollment_changed(sender: Any, instance: Enrollment, **kwargs: Any) -> None:
    if instance.role == Role.MENTOR:
        changed()


def _user_changed(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if not (update_fields and set(update_fields) == {"last_login"}):
        changed()  # a login changes nothing kept here: the "recent" sort reads it fresh


def connect() -> None:
    """Called once, from MatchingConfig.ready()."""
    for model in (Profile, ProfileSkill, Profile.languages.through, Cohort, Skill, Language):
        post_save.connect(changed, sender=model, dispatch_uid=f"directory-s-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"directory-d-{model.__name__}")
    m2m_changed.connect(changed, sender=Profile.languages.through, dispatch_uid="directory-m2m")
    profiles_changed.connect(changed, dispatch_uid="directory-profiles")
    post_save.connect(_enrollment_changed, sender=Enrollment, dispatch_uid="directory-s-enr")
    post_delete.connect(_enrollment_changed, sender=Enrollment, dispatch_uid="directory-d-enr")
    post_save.connect(_activity_changed, sender=Mentorship, dispatch_uid="directory-s-ship")
    post_delete.connect(_activity_changed, sender=Mentorship, dispatch_uid="directory-d-ship")
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="directory-s-user")
    post_delete.connect(changed, sender=user, dispatch_uid="directory-d-user")
