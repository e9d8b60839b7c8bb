"""The outbox's promises: written with the change, sent after commit, at most once."""

from datetime import timedelta

from django.core import mail
from django.db import transaction
from django.utils import timezone

import pytest

from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from core.outbox.tasks import deliver_email

pytestmark = pytest.mark.django_db


def _welcome(key: str | None = "welcome:1") -> OutboxEmail:
    return outbox.enqueue("welcome", to=["ana@example.org"], context={}, key=key)


def test_enqueue_renders_subject_text_and_html(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = _welcome()
    assert row.subject == "[Mentorship] Welcome to Mentorship"
    assert "http://testserver/onboarding/" in row.body_text
    assert '<a href="http://testserver/onboarding/">' in row.body_html
    sent = mail.outbox[0]
    assert sent.to == ["ana@example.org"]
    assert sent.alternatives[0][1] == "text/html"
    assert sent.extra_headers["X-Outbox-Id"] == str(row.pk)


def test_nothing_is_dispatched_before_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _welcome()
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_rolled_back_change_leaves_no_email(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _welcome()
        raise RuntimeError("the change that caused the email failed")
    assert not OutboxEmail.objects.exists()
    assert mail.outbox == []


def test_same_key_is_queued_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _welcome()
        second = _welcome()
    assert first.pk == second.pk
    assert OutboxEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_send_task_run_twice_sends_one_email():
    row = _welcome()
    assert deliver_email.apply(args=[row.pk]).get() is True
    assert deliver_email.apply(args=[row.pk]).get() is False
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1


def test_deliver_ignores_missing_rows():
    assert outbox.deliver(987654) is False


def test_refused_smtp_is_retried_with_backoff(settings):
    # A real SMTP connection to a port where nothing listens: the send fails.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    row = _welcome()
    before = timezone.now()
    assert outbox.deliver(row.pk) is False
    row.refresh_from_db()
    assert row.sent_at is None and row.failed_at is None
    assert row.attempts == 1
    assert "Connection refused" in row.last_error or "Error" in row.last_error
    assert row.next_attempt_at >= before + timedelta(minutes=1)
    assert row.status == "retrying"

    # When the server is back the next attempt sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver(row.pk) is True
    assert len(mail.outbox) == 1


def test_gives_up_after_max_attempts(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    settings.OUTBOX_MAX_ATTEMPTS = 2
    row = _welcome()
    outbox.deliver(row.pk)
    outbox.deliver(row.pk)
    row.refresh_from_db()
    assert row.failed_at is not None and row.status == "failed"
    assert outbox.deliver(row.pk) is False  # failed rows are left for an admin


def test_backoff_doubles_and_is_capped():
    assert [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert outbox.backoff(30) == timedelta(hours=6)


def test_sweep_dispatches_due_rows_only():
    old = _welcome("a")
    young = _welcome("b")
    later = _welcome("c")
    OutboxEmail.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    OutboxEmail.objects.filter(pk=later.pk).update(
        created_at=timezone.now() - timedelta(minutes=5),
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    assert outbox.sweep() == 1
    assert OutboxEmail.objects.get(pk=old.pk).sent_at is not None
    assert OutboxEmail.objects.get(pk=young.pk).sent_at is None
    assert OutboxEmail.objects.get(pk=later.pk).sent_at is None
    assert outbox.sweep() == 0


def test_broker_outage_leaves_the_row_for_the_sweep(
    broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _welcome()  # must not raise
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 0
    assert mail.outbox == []


def test_every_attempt_carries_the_rows_one_message_id(settings):
    settings.DEFAULT_FROM_EMAIL = "Mentorship <noreply@mentoring.example.org>"
    row = _welcome()
    assert row.message_id.endswith("@mentoring.example.org>")

    # First attempt refused by the server, second one sent: one Message-ID throughout.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    assert outbox.deliver(row.pk) is False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver(row.pk) is True
    assert mail.outbox[0].message()["Message-ID"] == row.message_id

    # A worker killed after the server kept the message but before the commit sends the
    # row again: the copy has the same Message-ID, so mail systems can recognise it.
    OutboxEmail.objects.filter(pk=row.pk).update(sent_at=None)
    assert outbox.deliver(row.pk) is True
    assert [m.message()["Message-ID"] for m in mail.outbox] == [row.message_id] * 2


def test_rows_get_different_message_ids():
    first, second = _welcome("a"), _welcome("b")
    assert first.message_id and second.message_id
    assert first.message_id != second.message_id


def test_a_row_queued_without_a_message_id_gets_one_and_keeps_it():
    row = _welcome()
    OutboxEmail.objects.filter(pk=row.pk).update(message_id="")
    assert outbox.deliver(row.pk) is True
    row.refresh_from_db()
    assert row.message_id.startswith("<") and row.message_id.endswith(">")
    assert mail.outbox[0].message()["Message-ID"] == row.message_id


def test_enqueue_many_writes_one_row_per_new_key_and_sends_after_commit(
    django_capture_on_commit_callbacks,
):
    _welcome(key="welcome:1")
    emails = [
        outbox.Queued(to=[f"p{i}@example.org"], context={}, key=f"welcome:{i}") for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True) as dispatched:
        assert outbox.enqueue_many("welcome", emails) == 2
    # welcome:1 was already queued: neither written nor dispatched again.
    assert len(dispatched) == 2
    assert OutboxEmail.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p2@example.org"]
    assert all(row.message_id for row in OutboxEmail.objects.all())


def test_enqueue_many_queues_nothing_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue_many("welcome", [outbox.Queued(to=["a@example.org"], context={}, key="k")])
        raise RuntimeError
    assert not OutboxEmail.objects.exists()
