"""Drill: Redis goes away while the worker holds a countdown task, then comes back.

Every accept, decline and profile change queues a suggestions recompute with a 30 s
countdown, which the worker holds unacknowledged until it is due. Celery 5.7.0's
worker died on the first connection loss with such a task held (closing the broken
connection restored the held message through a channel with no connection:
"Unrecoverable error: AttributeError('NoneType' object has no attribute 'hostname')"),
and from then on nothing sent email until someone restarted it. The worker must stay
up, reconnect by itself, and deliver what was queued during the outage within one
sweep of the broker's return.
"""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone

import pytest

from core.outbox import services as outbox
from matching.models import Cohort
from matching.tasks import recompute_cohort_suggestions
from tests.chaos.conftest import (
    RedisServer,
    SmtpServer,
    WorkerProcess,
    celery_broker,
    enqueue_committed,
    needs_postgresql,
    wait_until,
    wait_until_sent,
)

pytestmark = [
    needs_postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_worker_outlives_a_redis_outage_with_a_task_held_and_sends_what_waited(
    private_redis: RedisServer,
    smtp_server: SmtpServer,
    worker_processes: list[WorkerProcess],
    tmp_path: Path,
) -> None:
    smtp_server.start()
    log = tmp_path / "worker.log"
    worker = WorkerProcess(
        broker_url=private_redis.url, email_url=smtp_server.url, pool="prefork", log=log
    )
    worker_processes.append(worker)
    worker.start()

    def logged(text: str, times: int = 1) -> bool:
        return log.exists() and log.read_text().count(text) >= times

    with celery_broker(private_redis.url):
        wait_until(lambda: logged("Connected to"), timeout=30, what="the worker to connect")
        cohort = Cohort.objects.get(is_default=True)
        recompute_cohort_suggestions.apply_async(args=[cohort.pk], countdown=60)
        wait_until(
            lambda: logged("received"),
            timeout=20,
            what=f"the worker to hold the task\n{log.read_text()[-3000:]}",
        )

        private_redis.kill()
        wait_until(
            lambda: logged("Connection to broker lost"), timeout=20, what="the worker to notice"
        )
        # Queued during the outage: the publish fails fast and the row waits for the sweep.
        waiting = enqueue_committed("during-the-outage@example.org")
        wait_until(lambda: logged("Cannot connect to"), timeout=20, what="a reconnect attempt")
        assert worker.process is not None and worker.process.poll() is None, log.read_text()

        private_redis.start()
        wait_until(
            lambda: logged("Connected to", times=2),
            timeout=60,
            what=f"the worker to reconnect\n{log.read_text()[-3000:]}",
        )
        # One sweep (celery beat's job, once a minute) after the broker is back.
        assert outbox.sweep(now=timezone.now() + timedelta(minutes=1)) >= 1
        wait_until_sent(waiting.pk, timeout=30, log=log)

    assert worker.process.poll() is None, "the worker must still be running"
    assert "Unrecoverable error" not in log.read_text()
    assert len(smtp_server.sink.for_outbox_row(waiting.pk)) == 1
