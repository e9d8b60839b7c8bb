"""The directory's mentor cards, rendered once per process while what they show holds.

A card is a pure function of the mentor (profile, skills, languages, cohort: all covered
by the directory's MENTORS count and this process's own changes), how many places are
taken and the reply-time phrase; all of them are in the key. The one line that depends on
who is looking, their fit score and its first reason, is left as a slot and filled in for
each viewer, so one rendering serves every mentee. A page whose twelve cards were all
rendered before reads no mentor from the database at all: the mentors come from memory
(matching/directory.py) and only the reply times are queried.
"""

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from matching import directory as mentor_index
from matching import selectors
from matching.directory import Pool

MAX_CARDS = 4096
_cards: dict[tuple[object, ...], SafeString] = {}
# Where a cached card takes the viewer's fit line; no user-written text can contain it,
# since everything a mentor writes is escaped ("<" becomes "&lt;").
FIT_SLOT = mark_safe("<!--fit-->")


def fit_line(score: float | None, reasons: list[str] | None) -> SafeString:
    """The card's "82% fit · first reason" line for one viewer; empty without a score."""
    if score is None:
        return mark_safe("")
    percent = format_html(
        '<span class="badge text-bg-primary-subtle text-primary-emphasis">{}% fit</span>',
        round(score * 100),
    )
    if reasons:
        percent = format_html(
            '{} <span class="text-body-secondary">{}</span>', percent, str(reasons[0])
        )
    return format_html('<p class="small mb-2 fit">{}</p>', percent)


def directory_cards(
    user: User, ids: list[int], fits: dict[int, tuple[float, list[str]]], pool: Pool
) -> list[SafeString]:
    """The cards of these mentor enrollments, in this order."""
    entries = {pk: e for pk in ids if (e := pool.entry(pk)) is not None}
    replies = selectors.typical_response_days([e.user_id for e in entries.values()])
    wanted = []
    kept: dict[int, SafeString] = {}
    for pk, entry in entries.items():
        score, reasons = fits.get(pk, (None, None))
        phrase = selectors.response_phrase(replies.get(entry.user_id))
        key = None
        if pool.mentors_version is not None:
            version = (pool.mentors_version, mentor_index.generation)
            key = (pk, version, pool.active.get(pk, 0), phrase)
            if (card := _cards.get(key)) is not None:
                kept[pk] = card
        wanted.append((pk, key, phrase, fit_line(score, reasons)))
    missing = [pk for pk, *_ in wanted if pk not in kept]
    fresh = {e.pk: e for e in selectors.directory_mentors(user, missing, fits)}
    if len(_cards) + len(missing) > MAX_CARDS:
        _cards.clear()
    cards = []
    for pk, key, phrase, fit in wanted:
        card = kept.get(pk)
        if card is None:
            mentor = fresh.get(pk)
            if mentor is None:
                continue  # left the cohort since the pool was read
            mentor.response_phrase = phrase  # type: ignore[attr-defined]  # for the card template
            card = render_to_string(
                "matching/_mentor_card.html",
                {"mentor": mentor, "show_cohort": True, "fit_line": FIT_SLOT},
            )
            if key is not None:
                _cards[key] = card
        cards.append(mark_safe(card.replace(FIT_SLOT, fit, 1)))
    return cards
