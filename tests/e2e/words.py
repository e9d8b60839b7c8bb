"""The words a person sees, in the language their browser asks for.

A journey written with ``t("Save")`` instead of ``"Save"`` finds the button in English
and, parametrized with ``journey_language``, in German: ``t`` is Django's gettext under
the journey's language (the ``page`` fixture turns it on), so a word left out of the
German catalogue fails the German journey where the person would meet it."""

from typing import Any

from django.utils.translation import gettext, ngettext, pgettext


def t(words: str, /, **values: Any) -> str:
    """``words`` translated, with ``%(name)s`` placeholders filled from ``values``."""
    translated = gettext(words)
    return translated % values if values else translated


def tc(context: str, words: str, /, **values: Any) -> str:
    """Like ``t``, for words marked with a context (``pgettext``)."""
    translated = pgettext(context, words)
    return translated % values if values else translated


def tn(singular: str, plural: str, count: int, /, **values: Any) -> str:
    """Like ``t``, for words with a plural (``ngettext``); ``count`` also fills the
    ``%(count)s`` or ``%(counter)s`` (a template's ``count counter=``) placeholder."""
    return ngettext(singular, plural, count) % {"count": count, "counter": count, **values}
