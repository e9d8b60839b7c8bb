"""Drill: a Celery worker is killed with SIGKILL while it is sending an email.

The SMTP server holds the first message after its DATA, so the worker dies waiting for
the answer and that attempt never completes. Tasks are acknowledged late, so the task
is delivered again, and the email arrives exactly once.
"""

import os
import signal
import time
from pathlib import Path

import pytest

from tests.chaos.conftest import (
    RedisServer,
    SmtpServer,
    WorkerProcess,
    celery_broker,
    drain,
    enqueue_committed,
    needs_postgresql,
    wait_until,
    wait_until_sent,
)

pytestmark = [
    needs_postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _kill_worker_inside_smtp(smtp: SmtpServer, worker: WorkerProcess) -> int:
    """SIGKILL the process of ``worker`` that is waiting for the SMTP server's answer."""
    try:
        wait_until(smtp.sink.holding.is_set, timeout=30, what="the worker to send the email")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker log ---\n{worker.log.read_text()}") from exc
    assert smtp.sink.held_peer is not None
    victim = worker.pid_talking_to(smtp.sink.held_peer, smtp.port)
    os.kill(victim, signal.SIGKILL)
    # The dead client never hears an answer; the server refuses what it held.
    smtp.sink.release()
    return victim


def test_a_killed_pool_process_task_is_delivered_again_and_the_email_sent_once(
    private_redis: RedisServer,
    smtp_server: SmtpServer,
    worker_processes: list[WorkerProcess],
    tmp_path: Path,
) -> None:
    smtp_server.start()
    smtp_server.sink.hold_next = True
    worker = WorkerProcess(
        broker_url=private_redis.url,
        email_url=smtp_server.url,
        pool="prefork",
        log=tmp_path / "worker.log",
    )
    worker_processes.append(worker)
    worker.start()

    with celery_broker(private_redis.url):
        row = enqueue_committed("killed-child@example.org")
        victim = _kill_worker_inside_smtp(smtp_server, worker)
        # The worker sees its pool process die and puts the task back (reject on
        # worker lost); a fresh pool process runs it again.
        sent = wait_until_sent(row.pk, log=worker.log)
        drain(log=worker.log)

    assert victim != worker.pid, "the drill should kill the pool process, not the worker"
    assert len(smtp_server.sink.for_outbox_row(row.pk)) == 1
    # The killed attempt's transaction died with it: only the one that sent counts.
    assert sent.attempts == 1
    assert "WorkerLostError" in worker.log.read_text()


def test_a_killed_worker_task_comes_back_to_the_next_worker_and_the_email_is_sent_once(
    private_redis: RedisServer,
    smtp_server: SmtpServer,
    worker_processes: list[WorkerProcess],
    tmp_path: Path,
) -> None:
    visibility_timeout = 1
    smtp_server.start()
    smtp_server.sink.hold_next = True

    def worker(name: str) -> WorkerProcess:
        started = WorkerProcess(
            broker_url=private_redis.url,
            email_url=smtp_server.url,
            pool="solo",
            log=tmp_path / f"{name}.log",
            CELERY_VISIBILITY_TIMEOUT=str(visibility_timeout),
        )
        worker_processes.append(started)
        started.start()
        return started

    first = worker("first")
    with celery_broker(private_redis.url):
        row = enqueue_committed("killed-worker@example.org")
        victim = _kill_worker_inside_smtp(smtp_server, first)
        assert first.process is not None
        first.process.wait(timeout=10)

        # Nobody acknowledged the task: Redis keeps it aside until the visibility
        # timeout passes, then the next worker to start takes it back.
        broker = private_redis.client()
        assert broker.hlen("unacked") == 1
        wait_until(
            lambda: all(
                time.time() - delivered_at > visibility_timeout
                for _, delivered_at in broker.zrange("unacked_index", 0, -1, withscores=True)
            ),
            timeout=10,
            what="the visibility timeout to pass",
        )
        second = worker("second")
        sent = wait_until_sent(row.pk, log=second.log)
        drain(log=second.log)

    assert victim == first.pid
    assert len(smtp_server.sink.for_outbox_row(row.pk)) == 1
    assert sent.attempts == 1
    # Every task, the redelivered one included, was acknowledged in the end.
    wait_until(lambda: broker.hlen("unacked") == 0, what="the last acknowledgement")
