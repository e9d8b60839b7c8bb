"""The transactional outbox: every outgoing email is a row first, a message second.

``enqueue`` writes the row inside the caller's transaction and dispatches a Celery
task only after that transaction commits. ``deliver`` sends one row at most once,
whoever calls it and however often. ``sweep`` re-dispatches rows that are still
unsent, e.g. because the broker was down when they were queued.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from email.utils import make_msgid, parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.email import RenderedEmail, language_for, languages_of, render_email, with_footer
from core.outbox.models import OutboxEmail

logger = logging.getLogger(__name__)

# Rows younger than this are left to their own after-commit dispatch.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Attachment:
    """A text file sent with an email, e.g. ``invite.ics`` as ``text/calendar``.

    ``params`` are extra Content-Type parameters (calendar clients read ``method``).
    """

    filename: str
    content: str
    mimetype: str
    params: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Refused when queued, not when sent: a bad attachment would never send.
        if not self.mimetype.startswith("text/"):
            raise ValueError(f"Only text attachments are supported, not {self.mimetype}")

    def as_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "content": self.content,
            "mimetype": self.mimetype,
            "params": self.params,
        }


def enqueue(
    template: str,
    *,
    to: list[str],
    context: dict[str, Any],
    key: str | None = None,
    attachments: Sequence[Attachment] = (),
    language: str | None = None,
) -> OutboxEmail:
    """Render ``emails/<template>*`` and queue it; a repeated ``key`` queues nothing new.

    It is written in ``language``, by default the one its recipients chose."""
    rendered = render_email(template, context, language=language or language_for(to))
    return _store(
        template=template,
        to=to,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        attachments=[a.as_json() for a in attachments],
        key=key,
    )


@dataclass(frozen=True)
class Queued:
    """One email of a bulk ``enqueue_many``: its recipients, template context and key."""

    to: list[str]
    context: dict[str, Any]
    key: str


def enqueue_many(template: str, emails: Sequence[Queued]) -> int:
    """Render and queue many emails of one template in a few queries (an import of
    thousands); keys already queued are skipped. Returns how many rows were written.

    Runs inside the caller's transaction like ``enqueue``: the rows are dispatched after
    it commits, and nothing is queued if it rolls back."""
    keys = [email.key for email in emails]
    known = languages_of(address for email in emails for address in email.to)
    taken: set[str] = set()
    for start in range(0, len(keys), SWEEP_BATCH):
        found = OutboxEmail.objects.filter(key__in=keys[start : start + SWEEP_BATCH])
        taken.update(key for key in found.values_list("key", flat=True) if key)
    rows = []
    for email in emails:
        if email.key in taken:
            continue
        taken.add(email.key)
        rendered = render_email(template, email.context, language=language_for(email.to, known))
        rows.append(
            OutboxEmail(
                key=email.key,
                template=template,
                to=email.to,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                from_email=settings.DEFAULT_FROM_EMAIL,
                message_id=new_message_id(settings.DEFAULT_FROM_EMAIL),
            )
        )
    written = OutboxEmail.objects.bulk_create(rows, batch_size=SWEEP_BATCH)
    ids = [row.pk for row in written if row.pk is not None]
    if len(ids) < len(written):
        # A database that does not return ids from a bulk insert: look them up by key.
        ids = list(
            OutboxEmail.objects.filter(key__in=[row.key for row in written]).values_list(
                "pk", flat=True
            )
        )
    for outbox_id in ids:
        transaction.on_commit(partial(dispatch, outbox_id))
    return len(written)


def enqueue_message(
    message: EmailMultiAlternatives, *, template: str, key: str | None = None
) -> OutboxEmail:
    """Queue a message someone else rendered (allauth's account emails)."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = str(content)
    # A subject or body may be a lazy translation; the row stores plain text.
    subject, text = str(message.subject), str(message.body)
    if message.content_subtype == "html":
        html, text = text, ""
    rendered = with_footer(RenderedEmail(subject=subject, text=text, html=html))
    return _store(
        template=template,
        to=list(message.to),
        subject=subject,
        body_text=rendered.text if text else "",
        body_html=rendered.html,
        key=key,
    )


def _store(*, key: str | None, **fields: Any) -> OutboxEmail:
    if key:
        existing = OutboxEmail.objects.filter(key=key).first()
        if existing:
            return existing
    try:
        # A savepoint, so that losing a race on the key leaves the caller's
        # transaction usable.
        with transaction.atomic():
            row = OutboxEmail.objects.create(
                key=key or None,
                from_email=settings.DEFAULT_FROM_EMAIL,
                message_id=new_message_id(settings.DEFAULT_FROM_EMAIL),
                **fields,
            )
    except IntegrityError:
        if not key:
            raise
        return OutboxEmail.objects.get(key=key)
    transaction.on_commit(partial(dispatch, row.pk))
    return row


def new_message_id(from_email: str) -> str:
    """A fresh Message-ID in the sender's domain (RFC 5322: unique, ours to choose)."""
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "localhost"
    return make_msgid("outbox", domain=domain)


def dispatch(outbox_id: int) -> None:
    """Hand a row to Celery. Never raises: the sweep catches anything that fails here."""
    from core.outbox.tasks import deliver_email

    try:
        deliver_email.delay(outbox_id)
    except Exception:  # noqa: BLE001 - a broker outage must not fail the user's action
        logger.warning("Could not dispatch outbox email %s; the sweep will retry.", outbox_id)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes, capped at six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver(outbox_id: int) -> bool:
    """Send one row unless it is already sent. Returns True if this call sent it."""
    with transaction.atomic():
        # The row lock makes concurrent runs of the same task wait (and then see
        # it sent) or skip it; the lock dies with the transaction if the worker dies.
        row = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .pending()
            .filter(pk=outbox_id)
            .first()
        )
        if row is None:
            return False
        now = timezone.now()
        row.attempts += 1
        if not row.message_id:  # a row queued before Message-IDs were stored
            row.message_id = new_message_id(row.from_email)
        connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
        try:
            connection.open()
            connection.send_messages([_build(row, connection)])
        except Exception as exc:  # noqa: BLE001 - any transport error means "try later"
            _close_quietly(connection)
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.next_attempt_at = now + backoff(row.attempts)
            if row.gave_up():
                row.failed_at = now
            row.save(
                update_fields=[
                    "attempts",
                    "last_error",
                    "next_attempt_at",
                    "failed_at",
                    "message_id",
                ]
            )
            logger.warning("Outbox email %s failed (attempt %s): %s", row.pk, row.attempts, exc)
            return False
        row.sent_at = now
        row.last_error = ""
        row.save(update_fields=["attempts", "sent_at", "last_error", "message_id"])
    # Committed before saying goodbye to the mail server: a worker killed now has already
    # recorded the send, so the only window for a repeat is between the server's "250"
    # and this commit, and a repeat carries the same Message-ID.
    _close_quietly(connection)
    return True


def _close_quietly(connection: Any) -> None:
    try:
        connection.close()
    except Exception:
        logger.info("Closing the mail connection failed", exc_info=True)


def _build(row: OutboxEmail, connection: Any) -> EmailMultiAlternatives:
    if row.body_text:
        message = EmailMultiAlternatives(
            row.subject, row.body_text, row.from_email, row.to, connection=connection
        )
        if row.body_html:
            message.attach_alternative(row.body_html, "text/html")
    else:
        message = EmailMultiAlternatives(
            row.subject, row.body_html, row.from_email, row.to, connection=connection
        )
        message.content_subtype = "html"
    for item in row.attachments:
        maintype, _, subtype = item["mimetype"].partition("/")
        if maintype != "text":
            raise ValueError(f"Only text attachments are supported, not {item['mimetype']}")
        part = MIMEText(item["content"], subtype, "utf-8")
        for name, value in item.get("params", {}).items():
            part.set_param(name, value)
        part.add_header("Content-Disposition", "attachment", filename=item["filename"])
        message.attach(part)
    message.extra_headers["X-Outbox-Id"] = str(row.pk)
    message.extra_headers["Message-ID"] = row.message_id
    return message


def sweep(*, now: datetime | None = None) -> int:
    """Dispatch every due, unsent row older than the grace period. Returns how many."""
    now = now or timezone.now()
    ids = list(
        OutboxEmail.objects.due(now)
        .filter(created_at__lte=now - SWEEP_GRACE)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for outbox_id in ids:
        dispatch(outbox_id)
    return len(ids)
