"""From the database to the engine's arrays: one People per side of a cohort.

The engine (matching/engine) knows nothing of Django; this module reads profiles,
skills and enrollments once, in a fixed number of queries, and turns them into the
feature arrays it scores.
"""

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

from django.utils import timezone

import numpy as np
from scipy import sparse

from core.timezones import utc_offset_hours
from matching.engine.scoring import People
from matching.models import Enrollment
from profiles.models import (
    FORMAT_FLAGS,
    Industry,
    Language,
    Profile,
    ProfileSkill,
    Skill,
    SkillKind,
)

# One tuple of booleans a profile, in the engine's column order (video, phone, in person, chat).
format_flags = attrgetter(*FORMAT_FLAGS.values())

TEXT_DIMENSIONS = 2**12
# Short words that say nothing about a career direction.
STOP_WORDS = frozenset(
    """a an and are as at be by for from i in into is it my of on or our the to with
    want would like become get more me work working years year next""".split()
)
REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
           "Indian", "Pacific")  # fmt: skip
INDUSTRIES = [value for value, _ in Industry.choices]


@dataclass(frozen=True)
class Side:
    """One side of a cohort: the enrollments in row order and their features."""

    enrollments: list[Enrollment]
    profiles: list[Profile]
    people: People
    skill_names: dict[int, str]  # skill column -> name, for reasons
    language_names: list[list[str]]  # per row, for reasons


def tokens(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9+#]+", text.lower()) if w not in STOP_WORDS]


def hashed_text(documents: Sequence[str]) -> sparse.csr_matrix:
    """Bag of words hashed into a fixed width, each row L2-normalised (CRC32: stable)."""
    rows, cols, vals = [], [], []
    for row, document in enumerate(documents):
        counts: dict[int, float] = {}
        for word in tokens(document):
            col = zlib.crc32(word.encode()) % TEXT_DIMENSIONS
            counts[col] = counts.get(col, 0.0) + 1.0
        if counts:
            norm = float(np.sqrt(sum(v * v for v in counts.values())))
            for col, value in counts.items():
                rows.append(row)
                cols.append(col)
                vals.append(value / norm)
    return sparse.csr_matrix(
        (np.asarray(vals, dtype=np.float32), (rows, cols)),
        shape=(len(documents), TEXT_DIMENSIONS),
        dtype=np.float32,
    )


def region_of(time_zone: str) -> int:
    prefix = time_zone.split("/", 1)[0]
    return REGIONS.index(prefix) if prefix in REGIONS else -1


def build_side(
    enrollments: Sequence[Enrollment],
    *,
    kind: SkillKind,
    skill_index: dict[int, int],
    language_index: dict[str, int],
    organisation_index: dict[str, int],
) -> Side:
    """Feature arrays for these enrollments (their users' profiles must be onboarded)."""
    enrollments = list(enrollments)
    user_ids = [e.user_id for e in enrollments]
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=user_ids)}
    ordered = [profiles[uid] for uid in user_ids]
    n = len(enrollments)
    row_of = {p.pk: i for i, p in enumerate(ordered)}

    skills = np.zeros((n, len(skill_index)), dtype=np.float32)
    expertise_names: dict[int, list[str]] = {}
    for profile_id, skill_id, level, name in ProfileSkill.objects.filter(
        profile_id__in=row_of, kind=kind
    ).values_list("profile_id", "skill_id", "level", "skill__name"):
        skills[row_of[profile_id], skill_index[skill_id]] = level
        expertise_names.setdefault(profile_id, []).append(name)

    if kind == SkillKind.LEARN:
        documents = [f"{p.career_goals} {p.target_role}" for p in ordered]
    else:
        documents = [
            f"{p.job_title} {p.headline} {p.bio} {' '.join(expertise_names.get(p.pk, []))}"
            for p in ordered
        ]
    # Codes and names straight from the link table: a cohort's ~15,000 links as tuples,
    # not as Language objects.
    languages = np.zeros((n, len(language_index)), dtype=bool)
    language_names: list[list[str]] = [[] for _ in range(n)]
    for profile_id, code, name in Profile.languages.through.objects.filter(
        profile_id__in=row_of
    ).values_list("profile_id", "language__code", "language__name"):
        languages[row_of[profile_id], language_index[code]] = True
        language_names[row_of[profile_id]].append(name)

    # A few hundred zones at most: each looked up once, at one moment, for everyone.
    now = timezone.now()
    offsets = {zone: utc_offset_hours(zone, now) for zone in {p.time_zone for p in ordered}}

    def org(name: str) -> int:
        key = " ".join(name.lower().split())
        if not key:
            return -1
        return organisation_index.setdefault(key, len(organisation_index))

    people = People(
        skills=skills,
        text=hashed_text(documents),
        industry=np.array(
            [INDUSTRIES.index(p.industry) if p.industry in INDUSTRIES else -1 for p in ordered],
            dtype=np.int32,
        ),
        years=np.array([p.years_experience or 0 for p in ordered], dtype=np.float32),
        utc_offset=np.array([offsets[p.time_zone] for p in ordered], dtype=np.float32),
        formats=np.array([format_flags(p) for p in ordered], dtype=bool).reshape(
            n, len(FORMAT_FLAGS)
        ),
        hours=np.array([p.hours_per_month or 0 for p in ordered], dtype=np.float32),
        languages=languages,
        region=np.array([region_of(p.time_zone) for p in ordered], dtype=np.int32),
        organisation=np.array([org(p.organisation) for p in ordered], dtype=np.int32),
        person=np.array(user_ids, dtype=np.int64),
        broaden=np.array([p.wants_broader_perspective for p in ordered], dtype=bool),
    )
    return Side(
        enrollments=enrollments,
        profiles=ordered,
        people=people,
        skill_names={col: name for name, col in _names(skill_index).items()},
        language_names=language_names,
    )


def _names(skill_index: dict[int, int]) -> dict[str, int]:
    names = dict(Skill.objects.filter(pk__in=skill_index).values_list("pk", "name"))
    return {names[pk]: col for pk, col in skill_index.items()}


def vocabularies() -> tuple[dict[int, int], dict[str, int]]:
    """Column indexes for every skill and language, shared by both sides."""
    skill_index = {
        pk: i for i, pk in enumerate(Skill.objects.order_by("pk").values_list("pk", flat=True))
    }
    language_index = {
        code: i
        for i, code in enumerate(Language.objects.order_by("code").values_list("code", flat=True))
    }
    return skill_index, language_index
