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
from django.urls import reverse
from django.utils.html import escape


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(name: str, context: dict[str, Any]) -> RenderedEmail:
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
    text = f"{email.text.rstrip()}\n\n--\nChoose which emails you get: {url}\n"
    html = email.html
    if html:
        footer = (
            '<p style="color:#6c757d;font-size:12px">'
            f'<a href="{escape(url)}">Choose which emails you get</a></p>'
        )
        html = html.replace("</body>", f"{footer}</body>") if "</body>" in html else html + footer
    return RenderedEmail(subject=email.subject, text=text, html=html)
