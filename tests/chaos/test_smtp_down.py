"""Drill: the SMTP server is down or refuses mail, then comes back.

Every failed send stays in the outbox and is tried again after 1, 2, 4 ... minutes
(the sweep runs the retries; here it is told what time it is). When the server takes
mail again, each email arrives exactly once, and asking again sends nothing more.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.utils import timezone

import pytest

from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from tests.chaos.conftest import SmtpServer, enqueue_committed

# Real commits, so that each email is dispatched (in-process) when its row commits.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Window(NamedTuple):
    """When a send attempt started and ended."""

    start: datetime
    end: datetime


def _first_attempt(to: str) -> tuple[OutboxEmail, Window]:
    start = timezone.now()
    row = enqueue_committed(to)  # dispatched, and so tried, as it commits
    row.refresh_from_db()
    return row, Window(start, timezone.now())


def _retry_when_due(row: OutboxEmail) -> tuple[OutboxEmail, Window]:
    """The sweep at the moment the row is due; a second earlier it leaves it alone."""
    due = row.next_attempt_at
    assert outbox.sweep(now=due - timedelta(seconds=1)) == 0
    start = timezone.now()
    assert outbox.sweep(now=due) == 1
    row.refresh_from_db()
    return row, Window(start, timezone.now())


def _assert_backoff(row: OutboxEmail, attempt: Window, minutes: int) -> None:
    wait = timedelta(minutes=minutes)
    assert attempt.start + wait <= row.next_attempt_at <= attempt.end + wait


def _assert_sent_once(smtp: SmtpServer, row: OutboxEmail) -> None:
    received = smtp.sink.for_outbox_row(row.pk)
    assert len(received) == 1
    assert received[0]["To"] == row.to[0]
    assert received[0]["Subject"] == row.subject
    # Asked again (a late sweep, a duplicate task): nothing more is sent.
    assert outbox.sweep(now=timezone.now() + timedelta(days=1)) == 0
    assert outbox.deliver(row.pk) is False
    assert len(smtp.sink.for_outbox_row(row.pk)) == 1


def test_email_waits_out_an_smtp_outage_with_backoff_and_arrives_once(
    smtp_settings: SmtpServer,
) -> None:
    smtp = smtp_settings  # not started: nothing listens on its port

    row, attempt = _first_attempt("outage@example.org")
    assert (row.attempts, row.sent_at) == (1, None)
    assert "ConnectionRefusedError" in row.last_error
    _assert_backoff(row, attempt, minutes=1)

    for attempts, minutes in [(2, 2), (3, 4)]:
        row, attempt = _retry_when_due(row)
        assert (row.attempts, row.sent_at) == (attempts, None)
        _assert_backoff(row, attempt, minutes=minutes)

    smtp.start()
    row, _ = _retry_when_due(row)
    assert row.sent_at is not None
    assert (row.attempts, row.last_error) == (4, "")
    _assert_sent_once(smtp, row)


@pytest.mark.parametrize(
    ("stage", "reply", "error"),
    [
        ("rcpt", "450 4.2.1 Mailbox busy, try again later", "SMTPRecipientsRefused"),
        ("data", "451 4.3.0 Local problem, try again later", "SMTPDataError"),
    ],
)
def test_email_refused_by_the_smtp_server_is_retried_and_arrives_once(
    smtp_settings: SmtpServer, stage: str, reply: str, error: str
) -> None:
    smtp = smtp_settings
    setattr(smtp.sink, f"refuse_{stage}_with", reply)
    smtp.start()

    row, attempt = _first_attempt("refused@example.org")
    assert (row.attempts, row.sent_at) == (1, None)
    assert error in row.last_error
    _assert_backoff(row, attempt, minutes=1)
    row, attempt = _retry_when_due(row)
    assert (row.attempts, row.sent_at) == (2, None)
    _assert_backoff(row, attempt, minutes=2)
    assert smtp.sink.received == []

    setattr(smtp.sink, f"refuse_{stage}_with", None)
    row, _ = _retry_when_due(row)
    assert row.sent_at is not None
    assert row.attempts == 3
    _assert_sent_once(smtp, row)
