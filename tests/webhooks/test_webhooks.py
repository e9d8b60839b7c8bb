"""Webhooks, delivered to a real HTTP receiver on loopback: each event once, signed,
and again once the receiver is back after being down."""

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.urls import reverse
from django.utils import timezone

import pytest

from accounts.models import User
from goals.models import GoalStatus
from goals.services import close_goal
from matching.models import Cohort, Mentorship, MentorshipStatus
from matching.services import end_mentorship
from programmes.services.closing import close_cohort
from tests.factories import CohortFactory, make_programme_admin, mentorship_between
from tests.goals.conftest import MakeGoal
from webhooks import services
from webhooks.models import MAX_ATTEMPTS, Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """``with committed(): ...`` runs what the block queued for after its commit, as the
    end of a real transaction does: deliveries go out after the change commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class Receiver:
    """An HTTP server on a loopback port that records what it is sent. It can start
    down (nothing listens on its port), answer with a chosen status, and come up later."""

    def __init__(self) -> None:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.received: list[dict[str, Any]] = []
        self.status = 200
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                if 300 <= receiver.status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def events(self) -> list[str]:
        return [json.loads(r["body"])["event"] for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def down_receiver() -> Iterator[Receiver]:
    receiver = Receiver()  # its port is free: nothing answers until start()
    yield receiver
    receiver.stop()


def _endpoint(url: str, events: list[str] | None = None, **fields: Any) -> Endpoint:
    return Endpoint.objects.create(
        name="HR system", url=url, events=events or list(Event.values), **fields
    )


def _verify(secret: str, received: dict[str, Any]) -> bool:
    header = received["headers"]["X-Mentorship-Signature"]
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + received["body"], hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def _later(minutes: int = 5) -> Any:
    return timezone.now() + timedelta(minutes=minutes)


def test_a_new_mentorship_reaches_the_receiver_once_signed(committed, receiver: Receiver) -> None:
    endpoint = _endpoint(receiver.url)
    with committed():
        started = mentorship_between()
    assert receiver.events() == ["mentorship.started"]
    (received,) = receiver.received
    assert _verify(endpoint.secret, received)
    assert not _verify("another secret", received)
    envelope = json.loads(received["body"])
    delivery = Delivery.objects.get()
    assert envelope["id"] == str(delivery.delivery_id)
    assert received["headers"]["X-Mentorship-Delivery"] == str(delivery.delivery_id)
    data = envelope["data"]
    assert data["mentorship"] == {
        "id": started.pk,
        "status": "active",
        "started_at": started.started_at.isoformat(),
        "ended_at": None,
    }
    assert data["mentee"]["email"] == started.mentee.email
    assert data["mentor"]["id"] == started.mentor.pk
    assert data["cohort"]["id"] == started.cohort_id
    # Delivered: the sweep and a second run of the task send nothing more.
    assert delivery.delivered_at is not None and delivery.attempts == 1
    assert services.sweep(now=_later()) == 0
    assert services.deliver(delivery.pk) is False
    assert len(receiver.received) == 1


def test_a_receiver_that_was_down_gets_the_event_once_it_is_back(
    committed,
    down_receiver: Receiver,
) -> None:
    _endpoint(down_receiver.url)
    with committed():
        mentorship_between()
    delivery = Delivery.objects.get()
    assert delivery.delivered_at is None
    assert delivery.attempts == 1
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    # Not due yet: the sweep waits for the pause to pass.
    assert services.sweep() == 0
    down_receiver.start()
    assert services.sweep(now=_later()) == 1
    assert down_receiver.events() == ["mentorship.started"]
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 2
    assert services.sweep(now=_later(600)) == 0
    assert len(down_receiver.received) == 1


def test_an_error_answer_is_tried_again_and_a_redirect_is_not_followed(
    committed,
    receiver: Receiver,
) -> None:
    _endpoint(receiver.url)
    receiver.status = 500
    with committed():
        mentorship_between()
    delivery = Delivery.objects.get()
    assert (delivery.last_status, delivery.delivered_at) == (500, None)
    receiver.status = 302
    services.sweep(now=_later())
    delivery.refresh_from_db()
    assert (delivery.last_status, delivery.delivered_at) == (302, None)
    receiver.status = 204
    services.sweep(now=_later(60))
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert len(receiver.received) == 3


def test_a_delivery_is_given_up_after_its_last_attempt(committed, down_receiver: Receiver) -> None:
    _endpoint(down_receiver.url)
    with committed():
        mentorship_between()
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
    services.sweep(now=_later(10_000))
    delivery.refresh_from_db()
    assert delivery.failed_at is not None
    assert services.sweep(now=_later(100_000)) == 0
    # The admin's "try again" brings it back.
    assert services.retry_now(deliveries=Delivery.objects.all()) == 1
    down_receiver.start()
    services.sweep(now=_later())
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None


def test_only_endpoints_that_want_the_event_and_programme_get_it(
    committed, receiver: Receiver
) -> None:
    other = CohortFactory()
    _endpoint(receiver.url, events=[Event.GOAL_ACHIEVED])
    _endpoint(receiver.url, cohort=other)
    _endpoint(receiver.url, is_active=False)
    with committed():
        mentorship_between()
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_ending_a_mentorship_and_closing_a_programme_are_events(
    committed, receiver: Receiver
) -> None:
    _endpoint(receiver.url, events=[Event.MENTORSHIP_ENDED])
    with committed():
        ended = mentorship_between()
    with committed():
        end_mentorship(mentorship=ended, by=ended.mentee, outcome=MentorshipStatus.COMPLETED)
    assert receiver.events() == ["mentorship.ended"]
    assert json.loads(receiver.received[0]["body"])["data"]["mentorship"]["status"] == "completed"

    with committed():
        still_going = [mentorship_between(), mentorship_between()]
    cohort = Cohort.objects.get(pk=still_going[0].cohort_id)
    boss = make_programme_admin(cohort)
    with committed():
        close_cohort(cohort=cohort, by=boss)
    ids = sorted(json.loads(r["body"])["data"]["mentorship"]["id"] for r in receiver.received[1:])
    assert ids == sorted(m.pk for m in still_going)


def test_an_achieved_goal_is_an_event_without_its_private_words(
    committed, receiver: Receiver, make_goal: MakeGoal, mentee: User
) -> None:
    _endpoint(receiver.url, events=[Event.GOAL_ACHIEVED])
    goal = make_goal(GoalStatus.IN_PROGRESS)
    with committed():
        close_goal(goal=goal, by=mentee, outcome=GoalStatus.NOT_ACHIEVED)
    assert receiver.received == []
    goal = make_goal(GoalStatus.IN_PROGRESS)
    with committed():
        close_goal(goal=goal, by=mentee, outcome=GoalStatus.ACHIEVED)
    (received,) = receiver.received
    body = received["body"].decode()
    data = json.loads(body)["data"]
    assert data["goal"]["id"] == goal.pk and data["goal"]["status"] == "achieved"
    assert data["mentee"]["id"] == mentee.pk
    for private in (goal.title, goal.outcome, goal.plan):
        assert private not in body


def test_a_repeated_report_of_one_event_queues_it_once(committed, receiver: Receiver) -> None:
    _endpoint(receiver.url)
    with committed():
        started = mentorship_between()
    again = services.record(
        Event.MENTORSHIP_STARTED,
        [(started.cohort_id, started.pk, {"mentorship": {"id": started.pk}})],
    )
    assert again == 0
    assert Delivery.objects.count() == 1 and len(receiver.received) == 1


# --- The admin ---------------------------------------------------------------------


def test_superusers_see_endpoints_and_the_delivery_log(
    committed, client, staff: User, receiver
) -> None:
    endpoint = _endpoint(receiver.url)
    with committed():
        mentorship_between()
    client.force_login(staff)
    page = client.get(reverse("admin:webhooks_endpoint_changelist")).content.decode()
    assert "HR system" in page
    change = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in change.content.decode()
    log = client.get(reverse("admin:webhooks_delivery_changelist") + "?state=delivered")
    assert "mentorship.started" in log.content.decode() or "Mentorship started" in (
        log.content.decode()
    )


def test_the_admin_adds_an_endpoint_with_its_events(client, staff: User) -> None:
    client.force_login(staff)
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "name": "People analytics",
            "url": "https://hr.example.com/hooks",
            "events": [Event.MENTORSHIP_STARTED, Event.GOAL_ACHIEVED],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.events == [Event.MENTORSHIP_STARTED, Event.GOAL_ACHIEVED]
    assert len(endpoint.secret) >= 40
    refused = client.post(reverse("admin:webhooks_endpoint_add"), {"name": "x", "url": "nope"})
    assert refused.status_code == 200 and Endpoint.objects.count() == 1


def test_the_admin_tries_given_up_deliveries_again(
    committed, client, staff: User, down_receiver
) -> None:
    _endpoint(down_receiver.url)
    with committed():
        mentorship_between()
    Delivery.objects.update(failed_at=timezone.now())
    down_receiver.start()
    client.force_login(staff)
    client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {
            "action": "try_again_now",
            "_selected_action": list(Delivery.objects.values_list("pk", flat=True)),
        },
    )
    assert Delivery.objects.get().delivered_at is not None
    assert down_receiver.events() == ["mentorship.started"]


def test_programme_admins_and_members_cannot_reach_webhooks(client, mentee: User) -> None:
    endpoint = _endpoint("https://hr.example.com/hooks")
    programme_admin = make_programme_admin(CohortFactory())
    urls = [
        reverse("admin:webhooks_endpoint_changelist"),
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_delivery_changelist"),
    ]
    for url in urls:
        client.force_login(programme_admin)
        assert client.get(url).status_code in (302, 403)
        client.force_login(mentee)
        assert client.get(url).status_code == 302  # to the admin's sign-in
        client.logout()
        assert client.get(url).status_code == 302


def test_a_mentorship_leaves_no_delivery_when_nobody_listens(committed, mentee: User) -> None:
    with committed():
        started = mentorship_between(mentee)
    assert isinstance(started, Mentorship)
    assert not Delivery.objects.exists()
