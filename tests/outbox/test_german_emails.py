"""Every email in German: no sentence left in English, whoever's action sends it."""

from datetime import date
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import translation

import pytest

from accounts.models import User
from core.email import RenderedEmail, render_email
from matching.models import Role
from matching.services import accept_request, send_request
from tests.factories import REQUEST_MESSAGE, ProfileFactory, mentorship_between
from tests.outbox.test_footer_and_attachments import TEMPLATES, _Anything, _stand_in_context

pytestmark = pytest.mark.django_db

# The stand-in context takes every truthy branch ("You cancelled…", "A reminder: …")
# and the mentee's side; this one takes the others, so both halves of each email are read.
FALSY = [
    "approved",
    "by_me",
    "by_you",
    "comment",
    "has_met",
    "has_written",
    "is_end",
    "is_mentee",
    "is_mentor",
    "is_reminder",
    "previously",
    "reason",
]


class _MentorInvitation(_Anything):
    """An invitation to mentor: ``role`` is the one thing it knows."""

    role = "mentor"

    def __getitem__(self, key: object) -> Any:
        if key == "role":
            raise KeyError(key)
        return super().__getitem__(key)


def _other_branches(name: str) -> dict[str, Any]:
    context: dict[str, Any] = _stand_in_context(name)
    context.update({flag: False for flag in FALSY}, side="mentor", days=0)
    context["invitation"] = _MentorInvitation()
    return context


def _sentences(text: str) -> list[str]:
    """The lines of an email that read as a sentence (four words or more)."""
    return [line.strip() for line in text.splitlines() if len(line.split()) >= 4]


def _left_in_english(english: RenderedEmail, german: RenderedEmail) -> list[str]:
    left = []
    for part in ("subject", "text", "html"):
        theirs = {line.strip() for line in getattr(german, part).splitlines()}
        left += [line for line in _sentences(getattr(english, part)) if line in theirs]
    return left


@pytest.mark.parametrize("branches", ["stand-in", "other branches"])
@pytest.mark.parametrize("name", TEMPLATES)
def test_no_sentence_of_an_email_is_left_in_english(name: str, branches: str) -> None:
    context = _stand_in_context(name) if branches == "stand-in" else _other_branches(name)

    english = render_email(name, context, language="en")
    german = render_email(name, context, language="de")

    assert _sentences(english.text), "the English text has no sentence to compare"
    assert _left_in_english(english, german) == []
    assert german.subject != english.subject


def test_dates_in_emails_follow_the_recipient_s_language() -> None:
    context = _stand_in_context("goal_overdue")

    english = render_email("goal_overdue", context, language="en")
    german = render_email("goal_overdue", context, language="de")

    # _Anything is 1 January 2030: the named DATE_FORMAT, in each language's order.
    assert "was 1 January 2030, 2 days ago." in english.text
    assert "war der 1. Januar 2030, vor 2 Tagen." in german.text


def test_a_plural_follows_the_count_in_german() -> None:
    row = {"goal": {"title": "Speak at a meetup"}, "mentee": "Bo", "since": date(2030, 1, 1)}
    rows = [{**row, "days": 1}, {**row, "days": 3}]
    one = render_email("review_digest", {"name": "Ana", "goals": rows[:1]}, language="de")
    many = render_email("review_digest", {"name": "Ana", "goals": rows}, language="de")

    assert one.subject.endswith("1 Ziel wartet auf Ihre Prüfung")
    assert "Ein Ziel wartet auf Ihre Prüfung." in one.text
    assert many.subject.endswith("2 Ziele warten auf Ihre Prüfung")
    assert "2 Ziele warten auf Ihre Prüfung." in many.text
    assert "Von Bo, wartet seit 1. Januar 2030 (1 Tag)" in many.text
    assert "Von Bo, wartet seit 1. Januar 2030 (3 Tage)" in many.text


# --- The bar: a German-speaking mentee, an English-speaking mentor ------------


@pytest.fixture
def german_mentee() -> User:
    profile = ProfileFactory(
        wants_mentoring=True, wants_to_mentor=False, display_name="Ana", user__language="de"
    )
    return profile.user


@pytest.fixture
def english_mentor() -> User:
    profile = ProfileFactory(
        wants_mentoring=False, wants_to_mentor=True, display_name="Bo", user__language="en"
    )
    return profile.user


def test_a_message_from_an_english_mentor_reaches_a_german_mentee_in_german(
    client: Client, german_mentee: User, english_mentor: User, django_capture_on_commit_callbacks
) -> None:
    mentorship = mentorship_between(german_mentee, english_mentor)
    mail.outbox.clear()
    client.force_login(english_mentor)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            mentorship.get_absolute_url(),
            {"body": "Shall we meet on Thursday?"},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )

    # The mentor's own page stays English; the mentee's email is German.
    assert page.headers["Content-Language"] == "en"
    (sent,) = mail.outbox
    assert sent.to == [german_mentee.email]
    assert sent.subject.endswith("Bo hat Ihnen eine Nachricht geschickt")
    assert "Bo schreibt:\n\nShall we meet on Thursday?" in sent.body
    assert "Antworten Sie auf Ihrer Mentoring-Seite" in sent.body
    assert "Wählen Sie, welche E-Mails Sie erhalten" in sent.body
    assert "wrote:" not in sent.body
    assert "Reply on your mentorship page" not in sent.body


def test_an_english_mentor_accepting_sends_the_german_mentee_a_german_introduction(
    german_mentee: User, english_mentor: User, django_capture_on_commit_callbacks
) -> None:
    request = send_request(
        mentee=german_mentee,
        mentor_enrollment=english_mentor.enrollments.get(role=Role.MENTOR),
        message=REQUEST_MESSAGE,
    )
    mail.outbox.clear()

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        accept_request(request=request, by=english_mentor)

    by_address = {sent.to[0]: sent for sent in mail.outbox}
    to_mentee = by_address[german_mentee.email]
    to_mentor = by_address[english_mentor.email]
    assert to_mentee.subject.endswith("Ihr neues Mentoring: Bo als Mentor:in")
    assert "Gute Nachricht: Bo hat Ihre Anfrage angenommen" in to_mentee.body
    assert "Ein Vorschlag für den Ablauf Ihres ersten Treffens:" in to_mentee.body
    assert "Good news" not in to_mentee.body
    html, _ = to_mentee.alternatives[0]
    assert "Gute Nachricht: <strong>Bo</strong>" in html
    # The mentor chose English, and gets it.
    assert to_mentor.subject.endswith("Meet Ana, your new mentee")
    assert "You are now mentoring Ana" in to_mentor.body


def test_a_german_mentee_s_request_reaches_an_english_mentor_in_english(
    german_mentee: User, english_mentor: User, django_capture_on_commit_callbacks
) -> None:
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        send_request(
            mentee=german_mentee,
            mentor_enrollment=english_mentor.enrollments.get(role=Role.MENTOR),
            message=REQUEST_MESSAGE,
        )

    (sent,) = mail.outbox
    assert sent.to == [english_mentor.email]
    assert sent.subject.endswith("Ana asked you to be their mentor")
    assert "This is what they wrote:" in sent.body
    assert "Hallo" not in sent.body
