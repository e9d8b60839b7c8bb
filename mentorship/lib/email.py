"""Templated email: every message is a subject, a plain-text body and, optionally, HTML.

Templates live in ``templates/emails/<name>_subject.txt``, ``<name>.txt`` and
``<name>.html``. Rendering happens when the email is queued, so the outbox keeps
exactly the words that will be sent.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(name: str, context: dict[str, Any]) -> RenderedEmail:
    ctx = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}_subject.txt", ctx)
    # A subject is one line whatever the template's whitespace.
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{name}.txt", ctx).strip() + "\n"
    try:
        html = render_to_string(f"emails/{name}.html", ctx).strip()
    except TemplateDoesNotExist:
        html = ""
    return RenderedEmail(subject=f"[{settings.SITE_NAME}] {subject}", text=text, html=html)
