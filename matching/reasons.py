"""Why a pair fits, put into words in the language of whoever reads it.

Reasons are worked out for tens of thousands of pairs at once (a cohort's suggestions, a
match run's draft), long before anyone reads them, and stored. So they are stored as
phrases, ``[key, values]`` (JSON), and only put into words when shown: a German mentee
reads German reasons, their English programme admin English ones, from the same row.

A stored reason may also be plain English words (rows written before phrases, and fixed
notes); those are looked up in the catalogue as they are.
"""

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import get_language, gettext, ngettext

from profiles.models import Industry

Phrase = list[Any]  # [key, {name: value}]


def phrase(key: str, **values: Any) -> Phrase:
    """A reason to store: ``key`` names one of PHRASES, ``values`` fill it."""
    return [key, values]


def _english() -> bool:
    return (get_language() or "en").startswith("en")


def _industry_word(code: str) -> str:
    """A short word for an industry: 'Media, marketing & design' -> 'media', short
    enough for '12 more years in media' (German keeps its capital: 'Medien')."""
    label = str(Industry(code).label) if code in Industry.values else code
    word = re.split(r"[ ,&/]", label)[0]
    return word.lower() if _english() else word


def _industry_name(code: str) -> str:
    label = str(Industry(code).label) if code in Industry.values else code
    return label.lower() if _english() else label


def _ordinal(number: int) -> str:
    """'1st', '2nd' in English; '1.' in German (and the other languages we may add)."""
    if not _english():
        return f"{number}."
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _skills(names: Sequence[str]) -> str:
    """'Python, public speaking': every name after the first in lower case, unless it
    starts as an acronym (SQL, AWS)."""
    if not names:
        return ""
    rest = [n[0].lower() + n[1:] if n[:2] != n[:2].upper() else n for n in names[1:]]
    return ", ".join([names[0], *rest])


def _shared_goals(v: dict[str, Any]) -> str:
    return ngettext(
        "Shares %(shared)s of your %(total)s learning goal: %(skills)s",
        "Shares %(shared)s of your %(total)s learning goals: %(skills)s",
        v["total"],
    ) % {"shared": v["shared"], "total": v["total"], "skills": _skills(v["skills"])}


def _more_years(v: dict[str, Any]) -> str:
    if v.get("industry"):
        return ngettext(
            "%(years)s more year in %(industry)s",
            "%(years)s more years in %(industry)s",
            v["years"],
        ) % {"years": v["years"], "industry": _industry_word(v["industry"])}
    return ngettext("%(years)s more year", "%(years)s more years", v["years"]) % {
        "years": v["years"]
    }


def _overlap(v: dict[str, Any]) -> str:
    return ngettext(
        "%(hours)s hour of overlapping working time",
        "%(hours)s hours of overlapping working time",
        v["hours"],
    ) % {"hours": v["hours"]}


PHRASES: dict[str, Callable[[dict[str, Any]], str]] = {
    "shared_goals": _shared_goals,
    "more_years": _more_years,
    "same_hours": lambda v: gettext("Same working hours"),
    "overlap": _overlap,
    "goal_background": lambda v: (
        gettext("Background close to your goal of %(role)s") % {"role": v["role"]}
    ),
    "career_background": lambda v: gettext("Background close to your career goals"),
    "view_from": lambda v: (
        gettext("A view from %(industry)s") % {"industry": _industry_name(v["industry"])}
    ),
    "view_elsewhere": lambda v: gettext("A view from elsewhere"),
    "meet_in": lambda v: (
        gettext("You can meet in %(language)s") % {"language": gettext(v["language"])}
    ),
    "free_place": lambda v: gettext("Has a free place now"),
    "chosen_by_mentee": lambda v: (
        gettext("Chosen by the mentee (%(ordinal)s choice)") % {"ordinal": _ordinal(v["rank"])}
    ),
    "chosen_by_mentor": lambda v: (
        gettext("Chosen by the mentor (%(ordinal)s choice)") % {"ordinal": _ordinal(v["rank"])}
    ),
    "team_choice": lambda v: gettext("Chosen by the programme team"),
}


def in_words(reason: Phrase | str) -> str:
    """One stored reason, in the active language."""
    if isinstance(reason, str):
        return gettext(reason) if reason else ""
    try:
        key, values = reason
        return PHRASES[key](values)
    except (KeyError, TypeError, ValueError):
        # A phrase this version does not know (a newer row after a rollback): say
        # nothing rather than fail the page.
        return ""


def all_in_words(reasons: Sequence[Phrase | str] | None) -> list[str]:
    """Stored reasons, in the active language, leaving out any that say nothing."""
    return [words for words in map(in_words, reasons or []) if words]
