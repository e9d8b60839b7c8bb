"""Templated email: every message is a subject, a plain-text body and, optionally, HTML.

Templates live in ``templates/emails/<name>_subject.txt``, ``<name>.txt`` and
``<name>.html``. Rendering happens when the email is queued, so the outbox keeps
exactly the words that will be sent, in the recipient's language: a mentee who reads
German gets German from a mentor who writes English.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def languages_of(addresses: Iterable[str]) -> dict[str, str]:
    """The chosen language of each of these addresses that belongs to a person who chose
    one, keyed by the address in lower case (one query, however many)."""
    wanted = {address.lower() for address in addresses}
    if not wanted:
        return {}
    people = (
        get_user_model()
        .objects.annotate(address=Lower("email"))
        .filter(address__in=wanted)
        .exclude(language="")
        .values_list("address", "language")
    )
    return dict(people)


def language_for(addresses: list[str], known: dict[str, str] | None = None) -> str | None:
    """The language the people at these addresses chose, when they chose one and agree
    (an email has one language); None otherwise. ``known`` is a ``languages_of`` answer
    already at hand."""
    if known is None:
        known = languages_of(addresses)
    chosen = {known.get(address.lower()) for address in addresses}
    return chosen.pop() if len(chosen) == 1 else None


def render_email(
    name: str, context: dict[str, Any], *, language: str | None = None
) -> RenderedEmail:
    """Render an email in ``language`` (default: the site's LANGUAGE_CODE, never the
    language of whoever's request happens to queue it)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _render(name, context)


def _render(name: str, context: dict[str, Any]) -> RenderedEmail:
    ctx = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject: str = render_to_string(f"emails/{name}_subject.txt", ctx)
    # A subject is one line whatever the template's whitespace.
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{name}.txt", ctx).strip() + "\n"
    try:
        html = render_to_string(f"emails/{name}.html", ctx).strip()
    except TemplateDoesNotExist:
        html = ""
    return with_footer(
        RenderedEmail(subject=f"[{settings.SITE_NAME}] {subject}", text=text, html=html)
    )


def settings_url() -> str:
    return f"{settings.SITE_URL}{reverse('profiles:email-settings')}"


def with_footer(email: RenderedEmail) -> RenderedEmail:
    """Every email ends with a link to the page where people choose what they receive."""
    url = settings_url()
    words = _("Choose which emails you get")
    text = f"{email.text.rstrip()}\n\n--\n{words}: {url}\n"
    html = email.html
    if html:
        footer = (
            '<p style="color:#6c757d;font-size:12px">'
            f'<a href="{escape(url)}">{escape(words)}</a></p>'
        )
        html = html.replace("</body>", f"{footer}</body>") if "</body>" in html else html + footer
    return RenderedEmail(subject=email.subject, text=text, html=html)
