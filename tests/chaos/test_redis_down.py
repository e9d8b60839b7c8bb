"""Drill: Redis goes down while a mentor accepts a request.

The page still succeeds and the mentorship is saved; the introductions wait in the
outbox. When Redis is back, the sweep (celery beat's job) hands them to a worker,
which sends each exactly once, however often it is asked to.
"""

import time
from collections import Counter
from datetime import timedelta

from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse

import pytest
from celery.contrib.testing.worker import start_worker

from accounts.models import User
from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from core.outbox.tasks import sweep_outbox
from matching import services
from matching.models import Enrollment, Mentorship, MentorshipRequest, Role
from mentorship.celery import app as celery_app
from tests.chaos.conftest import RedisServer, celery_broker, drain, wait_until

# Real commits, for the worker; serialized rollback restores the vocabulary and the
# community cohort that the migrations seeded.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MESSAGE = (
    "Hello! I am preparing my first conference talk about migrating a monolith and "
    "would love your help structuring it and rehearsing the hard questions."
)


@pytest.fixture
def pending_request(mentee: User, mentor: User) -> MentorshipRequest:
    mentor_enrollment = Enrollment.objects.get(
        user=mentor, cohort=services.default_cohort(), role=Role.MENTOR
    )
    return services.send_request(
        mentee=mentee, mentor_enrollment=mentor_enrollment, message=MESSAGE
    )


def test_introductions_wait_out_a_redis_outage_and_are_sent_once(
    client: Client,
    mentee: User,
    mentor: User,
    pending_request: MentorshipRequest,
    private_redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mail.outbox.clear()
    with celery_broker(private_redis.url):
        private_redis.kill()

        client.force_login(mentor)
        started = time.monotonic()
        response = client.post(reverse("matching:request-accept", args=[pending_request.pk]))
        took = time.monotonic() - started

        mentorship = Mentorship.objects.get(request=pending_request)
        assert response.status_code == 302
        assert response.url == mentorship.get_absolute_url()
        # Publishing gives up fast (CELERY_BROKER_CONNECTION_TIMEOUT, one retry).
        assert took < 10, f"accepting took {took:.1f} s with Redis down"
        intros = OutboxEmail.objects.filter(template="introduction")
        assert sorted(r.to[0] for r in intros) == sorted([mentor.email, mentee.email])
        assert all(r.sent_at is None and r.attempts == 0 for r in intros)
        assert mail.outbox == []
        assert caplog.text.count("the sweep will retry") == 2

        private_redis.start()
        # An in-process worker (a thread), so that this drill runs on SQLite too.
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            # A minute later, celery beat's sweep finds the rows that were never queued.
            intros.update(created_at=F("created_at") - timedelta(minutes=1))
            sweep_outbox.delay()
            wait_until(
                lambda: not intros.filter(sent_at__isnull=True).exists(),
                what="the swept introductions to be sent",
            )

            # Late duplicates: another sweep, and each row dispatched again by hand.
            sweep_outbox.delay()
            for row in intros:
                outbox.dispatch(row.pk)
            drain()

    sent_to = Counter(
        address
        for message in mail.outbox
        if message.extra_headers["X-Outbox-Id"] in {str(r.pk) for r in intros}
        for address in message.to
    )
    assert sent_to == {mentor.email: 1, mentee.email: 1}
    assert [r.attempts for r in intros] == [1, 1]
