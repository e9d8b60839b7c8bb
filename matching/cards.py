"""The directory's mentor cards, rendered once and kept in the directory's cache.

A card shows the mentor (profile, skills, languages, enrollment: their PERSON number),
their cohort (its COHORT number), the skill and language names (EVERYTHING) and how many
of their places are taken: its key holds all four (``Pool.card_key``), so a change to one
mentor renders only that mentor's card again. Three lines are left as slots and filled
in for each page, so one rendering serves every mentee: the viewer's fit score with its
first reason, whether they share a language with the mentor (from the cached entries),
and how quickly the mentor usually replies, read per page. A page whose
twelve cards were all rendered before reads no mentor from the database at all: the
mentors come from the cache (matching/directory.py) and only the reply times are queried.
"""

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.models import User
from matching import languages, selectors
from matching.directory import CACHE, Pool

# Where a cached card takes the viewer's fit line and the reply time; no user-written
# text can contain them, since everything a mentor writes is escaped ("<" becomes "&lt;").
FIT_SLOT = mark_safe("<!--fit-->")
REPLY_SLOT = mark_safe("<!--reply-->")
LANGUAGE_SLOT = mark_safe("<!--language-->")


def language_line(fit: languages.LanguageFit) -> SafeString:
    """The card's "You both speak German" line, or why they cannot talk, for one viewer."""
    if fit.is_shared:
        return format_html('<p class="small mb-2 language-fit">{}</p>', fit.phrase())
    if fit.is_mismatch:
        return format_html(
            '<p class="small mb-2 language-fit text-danger-emphasis">'
            '<span aria-hidden="true">⚠ </span>{}</p>',
            fit.phrase(),
        )
    return format_html(
        '<p class="small mb-2 language-fit text-body-secondary">{}</p>', fit.phrase()
    )


def fit_line(score: float | None, reasons: list[str] | None) -> SafeString:
    """The card's "82% fit · first reason" line for one viewer; empty without a score."""
    if score is None:
        return mark_safe("")
    percent = format_html(
        '<span class="badge text-bg-primary-subtle text-primary-emphasis">{}</span>',
        gettext("%(percent)s%% fit") % {"percent": round(score * 100)},
    )
    if reasons:
        percent = format_html(
            '{} <span class="text-body-secondary">{}</span>', percent, str(reasons[0])
        )
    return format_html('<p class="small mb-2 fit">{}</p>', percent)


def directory_cards(
    user: User,
    ids: list[int],
    fits: dict[int, tuple[float, list[str]]],
    pool: Pool,
    *,
    spoken: frozenset[str] = frozenset(),
) -> list[SafeString]:
    """The cards of these mentor enrollments, in this order; ``spoken``: the viewer's
    language codes, for the line saying which language they share with each mentor."""
    entries = {pk: e for pk in ids if (e := pool.entry(pk)) is not None}
    replies = selectors.typical_response_days([e.user_id for e in entries.values()])
    keys = {pk: k for pk, e in entries.items() if (k := pool.card_key(e)) is not None}
    store = caches[CACHE]
    found = store.get_many(list(keys.values())) if keys else {}
    rendered: dict[int, str] = {pk: found[k] for pk, k in keys.items() if k in found}
    missing = [pk for pk in entries if pk not in rendered]
    fresh: dict[str, str] = {}
    for mentor in selectors.directory_mentors(user, missing, fits):
        mentor.response_phrase = REPLY_SLOT  # type: ignore[attr-defined]  # for the template
        html = render_to_string(
            "matching/_mentor_card.html",
            {
                "mentor": mentor,
                "show_cohort": True,
                "fit_line": FIT_SLOT,
                "language_line": LANGUAGE_SLOT,
            },
        )
        rendered[mentor.pk] = html
        if mentor.pk in keys:
            fresh[keys[mentor.pk]] = html
    if fresh:
        store.set_many(fresh)
    names = dict(pool.language_names)
    cards = []
    for pk, entry in entries.items():
        page = rendered.get(pk)
        if page is None:
            continue  # left the cohort since the pool was read
        score, reasons = fits.get(pk, (None, None))
        phrase = selectors.response_phrase(replies.get(entry.user_id))
        page = page.replace(FIT_SLOT, fit_line(score, reasons), 1)
        line = language_line(languages.fit(spoken, entry.languages, names))
        page = page.replace(LANGUAGE_SLOT, line, 1)
        cards.append(mark_safe(page.replace(REPLY_SLOT, conditional_escape(phrase), 1)))
    return cards
