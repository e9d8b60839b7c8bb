"""``{{ reason|in_words }}``: a stored reason in the reader's language (matching.reasons)."""

from django import template

from matching import reasons

register = template.Library()


@register.filter
def in_words(reason: str) -> str:
    return reasons.in_words(reason)
