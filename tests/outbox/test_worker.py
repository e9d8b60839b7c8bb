"""The outbox with a real Celery worker consuming from the configured broker.

With CELERY_BROKER_URL set (CI: Redis) the worker talks to that broker; without it,
to Kombu's in-memory transport. Either way a real worker runs the real task.
"""

import os
import time

from django.core import mail
from django.db import transaction

import pytest
from celery.contrib.testing.worker import start_worker

from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from mentorship.celery import app as celery_app
from tests.brokers import celery_broker

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    broker = os.environ.get("CELERY_BROKER_URL") or "memory://localhost/"
    with (
        celery_broker(broker),
        start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=10,
        ) as running,
    ):
        yield running


def _wait_until_sent(pk: int, timeout: float = 15.0) -> OutboxEmail:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = OutboxEmail.objects.get(pk=pk)
        if row.sent_at:
            return row
        time.sleep(0.05)
    raise AssertionError(f"outbox row {pk} was not sent within {timeout} s")


def test_worker_sends_email_queued_in_a_transaction(worker):
    with transaction.atomic():
        row = outbox.enqueue("welcome", to=["w@example.org"], context={}, key="worker:1")
    sent = _wait_until_sent(row.pk)
    assert sent.attempts == 1
    assert [m.to for m in mail.outbox] == [["w@example.org"]]


def test_sweep_and_task_racing_still_send_once(worker):
    with transaction.atomic():
        row = outbox.enqueue("welcome", to=["r@example.org"], context={}, key="worker:2")
    # The sweep and a duplicate dispatch both hand the same row to the worker.
    outbox.dispatch(row.pk)
    outbox.dispatch(row.pk)
    _wait_until_sent(row.pk)
    # One solo worker takes tasks in queue order: once an email queued after the
    # duplicates is sent, the duplicates have run too (a fixed sleep could end first).
    with transaction.atomic():
        marker = outbox.enqueue("welcome", to=["m@example.org"], context={}, key="worker:2m")
    _wait_until_sent(marker.pk)
    assert len([m for m in mail.outbox if m.to == ["r@example.org"]]) == 1
