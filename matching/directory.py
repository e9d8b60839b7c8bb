"""The mentor directory's filtering and sorting, done in memory.

Each directory page used to join every mentor of the person's cohorts with their user and
profile, compute three subqueries per mentor and sort them all in PostgreSQL, only to
show twelve: with 2,000 mentors that was about 25 ms of database time for the page and
as much again for its count, on every click of a filter.

Now Django's ``"directory"`` cache (local memory of each process unless
``DIRECTORY_CACHE_URL`` says otherwise) keeps, per cohort, one small ``Entry`` per
visible mentor with what the filters and sorts read, in two parts that change at
different speeds:

- the **mentors**: profile, skills, languages, enrollment, account, with the names of
  the skills and languages the filter form offers;
- their **activity**: how many places each has taken, which changes with every
  accepted or closed request and costs one query to read again.

Last logins change with every login and only the "recently active" sort reads them: it
reads them when asked.

Each part's key holds the version numbers that cover it (matching/versions.py), read
from the database in one query per page: a committed change moves the numbers of the
cohorts it touched, and only those are read again, in whichever process asks next.

Only the page's twelve mentors are then read in full, or their cards taken from the
cache (matching/cards.py). What is personal to the viewer (their fit scores, the skills
they want, their time zone) is read per request.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, NamedTuple

from django.core.cache import caches
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from matching import versions
from matching.models import DirectoryVersion, Enrollment, Role, places_taken_of
from matching.versions import ACTIVITY, COHORT, EVERYTHING, MENTORS, PERSON, key
from profiles.models import Language, Profile, ProfileSkill, Skill, SkillKind

# The cache alias (mentorship/settings.py): local memory of each process by default.
CACHE = "directory"
FORMATS = ("video", "phone", "in_person", "chat")


class Entry(NamedTuple):
    """One mentor enrollment, as the directory's filters and sorts see it.

    A named tuple of tuples: a page takes thousands of them out of the cache, and these
    unpickle several times faster than a dataclass of frozensets.
    """

    pk: int
    user_id: int
    cohort_id: int
    years: int | None
    industry: str
    time_zone: str
    formats: tuple[str, ...]
    accepting: bool
    capacity: int
    skills: tuple[int, ...]
    languages: tuple[str, ...]
    # display name, headline, bio and job title, upper-cased, for the text search
    texts: tuple[str, ...]
    # the person's PERSON number when this was read: their card is keyed by it
    version: int


@dataclass
class Mentors:
    """What is cached of one cohort's mentors."""

    entries: list[Entry]
    # skill id -> name for every skill taught here; (code, name) of every language
    skill_names: dict[int, str]
    language_names: list[tuple[str, str]]


@dataclass
class Pool:
    """The mentors of some cohorts, with how busy each is."""

    cohort_ids: list[int] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    active: dict[int, int] = field(default_factory=dict)
    skill_names: dict[int, str] = field(default_factory=dict)
    language_names: list[tuple[str, str]] = field(default_factory=list)
    # cohort id -> the numbers every entry of it is keyed by; empty: cache nothing
    stamps: dict[int, str] = field(default_factory=dict)

    @cached_property
    def _by_pk(self) -> dict[int, Entry]:
        return {e.pk: e for e in self.entries}

    def add(self, mentors: Mentors, active: dict[int, int]) -> None:
        self.entries.extend(mentors.entries)
        self.active.update(active)
        self.skill_names.update(mentors.skill_names)
        self.language_names = mentors.language_names

    def entry(self, pk: int) -> Entry | None:
        return self._by_pk.get(pk)

    def card_key(self, e: Entry) -> str | None:
        """The cache key of this mentor's rendered card (matching/cards.py): what the
        card shows is the person's (``version``), their cohort's, and how many of their
        places are taken, in the language it was rendered in. None: not to be cached."""
        stamp = self.stamps.get(e.cohort_id)
        if stamp is None:
            return None
        # A card's words are in the viewer's language: a German card is not an English one.
        language = get_language() or "-"
        return f"card:{language}:{e.pk}:{stamp}.{e.version}:{self.active.get(e.pk, 0)}"

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


def pool(cohort_ids: Iterable[int]) -> Pool:
    """The visible mentors of these cohorts, from the cache while nothing has changed.

    One query reads the version numbers of the cohorts; each cohort's mentors and their
    activity are then cached apart, keyed by the numbers that cover them.
    """
    ids = sorted(set(cohort_ids))
    result = Pool(cohort_ids=ids)
    if not ids:
        return result
    if versions.uncommitted():
        for cohort_id in ids:
            result.add(_read_mentors(cohort_id), _read_activity(cohort_id))
        return result
    numbers = versions.read(
        [key(EVERYTHING), *(key(kind, c) for c in ids for kind in (COHORT, MENTORS, ACTIVITY))]
    )

    def number(kind: int, cohort_id: int) -> int:
        return numbers.get(key(kind, cohort_id), 0)

    keys = {}
    for c in ids:
        stamp = result.stamps[c] = f"{numbers.get(key(EVERYTHING), 0)}.{number(COHORT, c)}"
        keys[c] = (
            f"mentors:{c}:{stamp}.{number(MENTORS, c)}",
            f"activity:{c}:{stamp}.{number(ACTIVITY, c)}",
        )
    store = caches[CACHE]
    found = store.get_many([k for pair in keys.values() for k in pair])
    fresh: dict[str, Any] = {}
    for c, (mentors_key, activity_key) in keys.items():
        mentors = found.get(mentors_key)
        if mentors is None:
            mentors = fresh[mentors_key] = _read_mentors(c)
        active = found.get(activity_key)
        if active is None:
            active = fresh[activity_key] = _read_activity(c)
        result.add(mentors, active)
    if fresh:
        store.set_many(fresh)
    return result


def forget() -> None:
    """Drop every cached entry of the directory: the next pages read them again. With
    Redis as the directory's cache this empties its whole database."""
    caches[CACHE].clear()


def _mentors(cohort_id: int) -> Any:
    return Enrollment.objects.mentors().filter(
        cohort_id=cohort_id, user__is_active=True, user__profile__onboarded_at__isnull=False
    )


def _read_mentors(cohort_id: int) -> Mentors:
    """Five queries for every mentor of the cohort, however many there are: the mentors
    with their PERSON numbers, their skills and languages, and the names of those skills
    and of every language."""
    person = DirectoryVersion.objects.filter(pk=OuterRef("user_id") * versions.STEP + PERSON)
    rows = list(
        _mentors(cohort_id)
        .order_by()
        .annotate(version=Coalesce(Subquery(person.values("number")[:1]), 0))
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
            "version",
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
        version,
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
                formats=tuple(f for f, on in zip(FORMATS, formats, strict=True) if on),
                accepting=accepting,
                capacity=capacity,
                skills=tuple(sorted(skills.get(profile_id, ()))),
                languages=tuple(sorted(languages.get(profile_id, ()))),
                texts=tuple((t or "").upper() for t in (name, headline, bio, job_title)),
                version=version,
            )
        )
    taught = set().union(*skills.values())
    skill_names = dict(Skill.objects.filter(pk__in=taught).values_list("pk", "name"))
    language_names = list(Language.objects.order_by("name").values_list("code", "name"))
    return Mentors(entries, skill_names, language_names)


def _read_activity(cohort_id: int) -> dict[int, int]:
    """How many places each of the cohort's mentors has taken: one query. A mentor's
    own capacity counts their mentorships in every programme without a limit of its
    own (``Enrollment.places_taken``); mentors with none taken are left out."""
    rows = (
        Enrollment.objects.mentors()
        .filter(cohort_id=cohort_id)
        .order_by()
        .annotate(taken=places_taken_of())
        .values_list("pk", "taken")
    )
    return {pk: taken for pk, taken in rows if taken}


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
    shared_with: frozenset[str] | None = None,
) -> list[Entry]:
    """The entries passing every filter given; an empty filter passes everyone.
    ``shared_with``: language codes, of which a mentor must speak at least one."""
    needle = text.upper()
    chosen = []
    for e in pool.entries:
        if e.user_id == viewer_id or (cohort_id and e.cohort_id != cohort_id):
            continue
        if needle and not (
            any(needle in t for t in e.texts) or not named_skills.isdisjoint(e.skills)
        ):
            continue
        if skills and skills.isdisjoint(e.skills):
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
        if shared_with is not None and shared_with.isdisjoint(e.languages):
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
            -len(wanted.intersection(e.skills)),
            e.years is None,
            -(e.years or 0),
            e.pk,
        )

    return sorted(chosen, key=best_fit)
