"""The directory's mentor cards, rendered once per process while what they show holds.

A card is a pure function of the mentor (profile, skills, languages, cohort: all covered
by the directory's MENTORS count and this process's own changes), how many places are
taken, the viewer's fit score and first reason, and the reply-time phrase; all of them
are in the key. A page whose
twelve cards were all rendered before reads no mentor from the database at all: the
mentors come from memory (matching/directory.py) and only the reply times are queried.
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from accounts.models import User
from matching import directory as mentor_index
from matching import selectors
from matching.directory import Pool

MAX_CARDS = 4096
_cards: dict[tuple[object, ...], SafeString] = {}


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
            first_reason = str(reasons[0]) if reasons else None
            version = (pool.mentors_version, mentor_index.generation)
            key = (pk, version, pool.active.get(pk, 0), score, first_reason, phrase)
            if (card := _cards.get(key)) is not None:
                kept[pk] = card
        wanted.append((pk, key, phrase))
    missing = [pk for pk, _, _ in wanted if pk not in kept]
    fresh = {e.pk: e for e in selectors.directory_mentors(user, missing, fits)}
    if len(_cards) + len(missing) > MAX_CARDS:
        _cards.clear()
    cards = []
    for pk, key, phrase in wanted:
        card = kept.get(pk)
        if card is None:
            mentor = fresh.get(pk)
            if mentor is None:
                continue  # left the cohort since the pool was read
            mentor.response_phrase = phrase
            card = render_to_string(
                "matching/_mentor_card.html", {"mentor": mentor, "show_cohort": True}
            )
            if key is not None:
                _cards[key] = card
        cards.append(card)
    return cards
