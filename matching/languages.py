"""Whether a mentee and a mentor share a language, and how the site says so.

The engine never suggests a pair without a shared language (matching/engine/scoring.py);
the directory, the mentor page and a request follow the same rule, in words. A person
who has listed no languages cannot be told apart from one who speaks everything, so
only two lists that are both filled in and do not meet count as "no language in
common": the pages then say what is missing instead of refusing.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from accounts.models import User
from matching.models import Cohort
from profiles.models import Profile


def spoken_list(names: Iterable[str]) -> str:
    """ "German", "German and English", "German, English and French"."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


@dataclass(frozen=True)
class LanguageFit:
    """The languages two people have in common, as the viewer (mentee) sees the mentor."""

    shared: tuple[str, ...]
    theirs: tuple[str, ...]
    mine: tuple[str, ...]

    @property
    def has_mine(self) -> bool:
        return bool(self.mine)

    @property
    def is_shared(self) -> bool:
        return bool(self.shared)

    @property
    def is_mismatch(self) -> bool:
        """Both have listed their languages and none is the same."""
        return self.has_mine and bool(self.theirs) and not self.shared

    @property
    def theirs_said(self) -> str:
        return spoken_list(self.theirs)

    @property
    def mine_said(self) -> str:
        return spoken_list(self.mine)

    def phrase(self) -> str:
        if self.shared:
            return gettext("You both speak %(languages)s") % {"languages": spoken_list(self.shared)}
        if not self.theirs:
            return gettext("They haven't listed the languages they speak")
        if not self.has_mine:
            return gettext("They speak %(languages)s; add yours to your profile") % {
                "languages": spoken_list(self.theirs)
            }
        return gettext("No language in common: they speak %(languages)s") % {
            "languages": spoken_list(self.theirs)
        }


def fit(mine: Collection[str], theirs: Iterable[str], names: Mapping[str, str]) -> LanguageFit:
    """The fit of two sets of language codes; ``names``: code -> name, for the words.
    Names are in alphabetical order, so a card always reads alike."""

    def by_name(codes: Iterable[str]) -> list[str]:
        return sorted(codes, key=lambda code: names.get(code, code))

    spoken = by_name(theirs)
    return LanguageFit(
        shared=tuple(names.get(c, c) for c in spoken if c in mine),
        theirs=tuple(names.get(c, c) for c in spoken),
        mine=tuple(names.get(c, c) for c in by_name(mine)),
    )


def codes_of(user: User) -> frozenset[str]:
    """The codes of the languages this person lists. One query."""
    return frozenset(
        Profile.languages.through.objects.filter(profile__user=user).values_list(
            "language_id", flat=True
        )
    )


def fit_between(mentee: User, mentor: User) -> LanguageFit:
    """Both people's languages, with their names: one query."""
    rows = list(
        Profile.languages.through.objects.filter(profile__user__in=[mentee.pk, mentor.pk])
        .order_by()
        .values_list("profile__user_id", "language_id", "language__name")
    )
    names = {code: name for _, code, name in rows}
    mine = {code for user_id, code, _ in rows if user_id == mentee.pk}
    theirs = {code for user_id, code, _ in rows if user_id == mentor.pk}
    return fit(mine, theirs, names)


def request_refusal(*, cohort: Cohort, mentee: User, mentor: User, by_mentor: bool) -> str:
    """Why this pair may not start in this programme, or "" when it may."""
    if cohort.allow_requests_without_shared_language:
        return ""
    between = fit_between(mentee, mentor)
    if not between.is_mismatch:
        return ""
    mentee_speaks = spoken_list(between.mine)
    if by_mentor:
        return gettext(
            "You and %(name)s have no language in common: they speak %(theirs)s, and your "
            "profile lists %(mine)s. %(cohort)s asks mentor and mentee to share a language."
        ) % {
            "name": mentee.get_full_name(),
            "theirs": mentee_speaks,
            "mine": spoken_list(between.theirs),
            "cohort": cohort.name,
        }
    return gettext(
        "You and %(name)s have no language in common: they speak %(theirs)s, and your "
        "profile lists %(mine)s. %(cohort)s asks mentor and mentee to share a language: "
        "choose a mentor who speaks one of yours, or add a language you speak to your profile."
    ) % {
        "name": mentor.get_full_name(),
        "theirs": spoken_list(between.theirs),
        "mine": mentee_speaks,
        "cohort": cohort.name,
    }
