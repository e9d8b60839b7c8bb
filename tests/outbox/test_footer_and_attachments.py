"""Every email links to the email settings, and text attachments arrive as sent."""

import re
from collections.abc import Iterator
from datetime import datetime
from email.message import Message
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

import pytest

from accounts.models import User
from core.email import RenderedEmail, render_email, with_footer
from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from core.outbox.services import Attachment

pytestmark = pytest.mark.django_db

SETTINGS_LINK = "http://testserver/profile/emails/"
FOOTER = f"\n\n--\nChoose which emails you get: {SETTINGS_LINK}\n"
HTML_FOOTER = f'<a href="{SETTINGS_LINK}">Choose which emails you get</a>'
EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
TEMPLATES = sorted(p.name.removesuffix("_subject.txt") for p in EMAILS.glob("*_subject.txt"))
# Names that pick a plural form ("count counter=row.days") must hold a number, not a
# stand-in date: the last part of each, wherever it is looked up.
COUNTS = {
    expression.rpartition(".")[2]
    for p in EMAILS.glob("*")
    for expression in re.findall(r"count \w+=([\w.]+)(?=[\s%])", p.read_text())
}

INVITE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:1@example.org\r\nSUMMARY:Café with your mentor\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


class _Anything(datetime):
    """Stands in for any context value: a date where a filter wants one, another stand-in
    for every attribute, item or call, one item in a loop, 1 in a URL, and 2 where a
    plural form is chosen (COUNTS)."""

    def __new__(cls) -> "_Anything":
        return super().__new__(cls, 2030, 1, 1, 9, 0)

    def __getattr__(self, name: str) -> "_Anything | int":
        if name.startswith("__"):
            raise AttributeError(name)
        return 2 if name in COUNTS else _Anything()

    def __getitem__(self, key: object) -> "_Anything | int":
        return 2 if key in COUNTS else _Anything()

    def __call__(self) -> "_Anything":
        return self

    def __iter__(self) -> Iterator["_Anything"]:
        return iter([_Anything()])

    def __len__(self) -> int:
        return 1

    def __str__(self) -> str:
        return "1"


def _stand_in_context(name: str) -> dict[str, _Anything | int]:
    """Every name a template's tags mention, filled with a stand-in."""
    source = "".join(p.read_text() for p in EMAILS.glob(f"{name}*"))
    names = {
        word
        for tag in re.findall(r"{[{%](.*?)[%}]}", source)
        for word in re.findall(r"[A-Za-z_]\w*", tag)
    }
    return {
        word: 2 if word in COUNTS else _Anything() for word in names - {"site_url", "site_name"}
    }


def _parts(message: EmailMultiAlternatives) -> list[Message]:
    return list(message.message().walk())


# --- The footer ----------------------------------------------------------------------


def test_every_email_template_is_found() -> None:
    # Guards the parametrisation below against a moved folder quietly testing nothing.
    assert len(TEMPLATES) > 15
    assert {"welcome", "goal_due_soon", "review_digest", "meeting_nudge"} <= set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_templated_email_ends_with_the_settings_link(name: str) -> None:
    email = render_email(name, _stand_in_context(name))

    assert email.text.endswith(FOOTER), email.text[-200:]
    if (EMAILS / f"{name}.html").exists():
        assert HTML_FOOTER in email.html
    else:
        assert email.html == ""


def test_html_footer_goes_inside_the_body() -> None:
    email = with_footer(
        RenderedEmail(subject="s", text="Hi", html="<html><body><p>Hi</p></body></html>")
    )

    assert email.html == (
        '<html><body><p>Hi</p><p style="color:#6c757d;font-size:12px">'
        f"{HTML_FOOTER}</p></body></html>"
    )


def test_html_without_a_body_tag_gets_the_footer_at_the_end() -> None:
    email = with_footer(RenderedEmail(subject="s", text="Hi", html="<p>Hi</p>"))

    assert email.html.startswith("<p>Hi</p>")
    assert email.html.endswith(f"{HTML_FOOTER}</p>")


def test_queued_and_sent_email_carries_the_footer_in_both_parts(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.enqueue("welcome", to=["ana@example.org"], context={}, key="welcome:f")

    assert row.body_text.endswith(FOOTER)
    (sent,) = mail.outbox
    assert sent.body.endswith(FOOTER)
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and HTML_FOOTER in html


def test_password_reset_emails_carry_the_settings_link(
    client: Client, mentee: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": mentee.email})
        client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    rows = {row.template: row for row in OutboxEmail.objects.all()}
    assert set(rows) == {"account/email/password_reset_key", "account/email/unknown_account"}
    for row in rows.values():
        assert row.body_text.endswith(FOOTER), row.template
    assert len(mail.outbox) == 2
    for sent in mail.outbox:
        assert sent.body.endswith(FOOTER)
        # The reset link itself is still there, above the footer.
    reset = next(m for m in mail.outbox if m.to == [mentee.email])
    assert "http://testserver/accounts/password/reset/key/" in reset.body


def test_signup_confirmation_carries_the_settings_link(
    client: Client, password: str, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"email": "new@example.org", "password1": password, "password2": password},
        )

    (sent,) = mail.outbox
    assert sent.to == ["new@example.org"]
    assert sent.body.endswith(FOOTER)


def test_html_only_message_from_elsewhere_gets_the_html_footer(
    django_capture_on_commit_callbacks,
) -> None:
    message = EmailMultiAlternatives("Hello", "<p>Only HTML</p>", to=["ana@example.org"])
    message.content_subtype = "html"

    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.enqueue_message(message, template="elsewhere")

    assert row.body_text == ""
    assert row.body_html.startswith("<p>Only HTML</p>") and HTML_FOOTER in row.body_html
    (sent,) = mail.outbox
    assert sent.content_subtype == "html"
    assert HTML_FOOTER in sent.body


# --- Attachments ---------------------------------------------------------------------


def test_calendar_attachment_arrives_as_a_text_calendar_part(
    django_capture_on_commit_callbacks,
) -> None:
    invite = Attachment(
        filename="invite.ics",
        content=INVITE,
        mimetype="text/calendar",
        params={"method": "REQUEST"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.enqueue(
            "welcome", to=["ana@example.org"], context={}, key="invite:1", attachments=[invite]
        )

    assert row.attachments == [
        {
            "filename": "invite.ics",
            "content": INVITE,
            "mimetype": "text/calendar",
            "params": {"method": "REQUEST"},
        }
    ]
    (sent,) = mail.outbox
    (part,) = [p for p in _parts(sent) if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename() == "invite.ics"
    assert part.get_content_disposition() == "attachment"
    assert part.get_payload(decode=True).decode("utf-8") == INVITE
    # The text and HTML bodies are still there, next to the attachment.
    types = [p.get_content_type() for p in _parts(sent)]
    assert "text/plain" in types and "text/html" in types


def test_attachment_without_params_has_a_plain_content_type() -> None:
    notes = Attachment(filename="notes.txt", content="Agenda", mimetype="text/plain")
    row = outbox.enqueue(
        "welcome", to=["ana@example.org"], context={}, key="notes:1", attachments=[notes]
    )

    assert outbox.deliver(row.pk) is True

    (sent,) = mail.outbox
    (part,) = [p for p in _parts(sent) if p.get_filename() == "notes.txt"]
    assert part.get_content_type() == "text/plain"
    assert part.get_param("method") is None
    assert part.get_payload(decode=True) == b"Agenda"


def test_email_without_attachments_has_none() -> None:
    row = outbox.enqueue("welcome", to=["ana@example.org"], context={}, key="plain:1")

    assert row.attachments == []
    assert outbox.deliver(row.pk) is True
    assert not [p for p in _parts(mail.outbox[0]) if p.get_filename()]


def test_a_non_text_attachment_is_refused_before_anything_is_queued() -> None:
    with pytest.raises(ValueError, match="Only text attachments"):
        Attachment(filename="report.pdf", content="%PDF-1.7", mimetype="application/pdf")
    assert not OutboxEmail.objects.exists()
