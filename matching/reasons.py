"""Why a pair fits, put into words in the language of whoever reads it.

Reasons are worked out for tens of thousands of pairs at once (a cohort's suggestions, a
match run's draft), long before anyone reads them, and stored. So they are stored as
phrases (a key and its values) and only put into words when shown: a German mentee
reads German reasons, their English programme admin English ones, from the same row.

A stored reason may also be plain English words (rows written before phrases, and fixed
notes); those are looked up in the catalogue as they are.
"""

import re
from collections.abc import Callable, Sequence

from django.utils.translation import get_language, gettext, ngettext, pgettext

from profiles.models import Industry

# A stored phrase is its key and its values joined by this character (JSON writes it as
# \u001f): reasons stay a list of strings, which the recompute serialises quickly, and
# no person types it into a skill name or a role.
SEPARATOR = "\x1f"


def phrase(key: str, *values: object) -> str:
    """A reason to store: ``key`` names one of PHRASES, ``values`` fill it in order."""
    return SEPARATOR.join([key, *map(str, values)])


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


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 3 -> "3rd", 4 -> "4th" (German: "1.")."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    # Each suffix its own message: other languages write ordinals their own way ("1.").
    words = {
        "st": pgettext("ordinal number", "%(n)sst"),
        "nd": pgettext("ordinal number", "%(n)snd"),
        "rd": pgettext("ordinal number", "%(n)srd"),
        "th": pgettext("ordinal number", "%(n)sth"),
    }
    return words[suffix] % {"n": n}


def _shared_goals(shared: str, total: str, skills: str) -> str:
    return ngettext(
        "Shares %(shared)s of your %(total)s learning goal: %(skills)s",
        "Shares %(shared)s of your %(total)s learning goals: %(skills)s",
        int(total),
    ) % {"shared": shared, "total": total, "skills": skills}


def _more_years(years: str, industry: str = "") -> str:
    if industry:
        return ngettext(
            "%(years)s more year in %(industry)s",
            "%(years)s more years in %(industry)s",
            int(years),
        ) % {"years": years, "industry": _industry_word(industry)}
    return ngettext("%(years)s more year", "%(years)s more years", int(years)) % {"years": years}


def _overlap(hours: str) -> str:
    return ngettext(
        "%(hours)s hour of overlapping working time",
        "%(hours)s hours of overlapping working time",
        int(hours),
    ) % {"hours": hours}


def _view_from(industry: str) -> str:
    return gettext("A view from %(industry)s") % {"industry": _industry_name(industry)}


PHRASES: dict[str, Callable[..., str]] = {
    "shared_goals": _shared_goals,
    "more_years": _more_years,
    "same_hours": lambda: gettext("Same working hours"),
    "overlap": _overlap,
    "goal_background": lambda role: (
        gettext("Background close to your goal of %(role)s") % {"role": role}
    ),
    "career_background": lambda: gettext("Background close to your career goals"),
    "view_from": _view_from,
    "view_elsewhere": lambda: gettext("A view from elsewhere"),
    "meet_in": lambda language: (
        gettext("You can meet in %(language)s") % {"language": gettext(language)}
    ),
    "free_place": lambda: gettext("Has a free place now"),
    "chosen_by_mentee": lambda rank: (
        gettext("Chosen by the mentee (%(ordinal)s choice)") % {"ordinal": ordinal(int(rank))}
    ),
    "chosen_by_mentor": lambda rank: (
        gettext("Chosen by the mentor (%(ordinal)s choice)") % {"ordinal": ordinal(int(rank))}
    ),
    "team_choice": lambda: gettext("Chosen by the programme team"),
}


def in_words(reason: str) -> str:
    """One stored reason, in the active language."""
    if SEPARATOR not in reason and reason not in PHRASES:
        # Plain words: a reason stored before phrases. The catalogue may know them.
        return gettext(reason) if reason else ""
    key, *values = reason.split(SEPARATOR)
    try:
        return PHRASES[key](*values)
    except (KeyError, TypeError, ValueError):
        # A phrase this version does not know (a newer row after a rollback): say
        # nothing rather than fail the page.
        return ""


def all_in_words(reasons: Sequence[str] | None) -> list[str]:
    """Stored reasons, in the active language, leaving out any that say nothing."""
    return [words for words in map(in_words, reasons or []) if words]
