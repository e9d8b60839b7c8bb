"""Drill: the database drops the site's connections.

A request that loses its connection gets a friendly 503 with Retry-After instead of
a 500, and the next request opens a fresh connection: the site recovers by itself.

The drill runs a real WSGI server whose connection stays open between requests
(CONN_MAX_AGE), ends it from PostgreSQL with ``pg_terminate_backend``, then asks
again. The middleware's own tests run on any database, with views (and a middleware)
that raise what a lost connection raises.
"""

import http.client
import logging
import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.wsgi import get_wsgi_application
from django.db import InterfaceError, OperationalError, ProgrammingError, connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

import psycopg2
import pytest

from core.middleware import RETRY_AFTER_SECONDS
from tests.chaos.conftest import needs_postgresql, wait_until
from tests.factories import ProfileFactory

FRIENDLY = "We'll be back in a moment"


# --- The middleware, on any database ---------------------------------------


def _raising(exc: Exception):
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return view


# This module is also the URLconf of the tests marked with it.
urlpatterns = [
    path("lost/", _raising(OperationalError("server closed the connection unexpectedly"))),
    path("closed/", _raising(InterfaceError("connection already closed"))),
    path("bad-sql/", _raising(ProgrammingError('relation "nowhere" does not exist'))),
    path("fine/", lambda request: HttpResponse("fine")),
]


class LosesTheDatabaseMiddleware:
    """Stands in for the session and onboarding middleware losing the connection."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/fine/":
            raise OperationalError("terminating connection due to administrator command")
        return self.get_response(request)


@pytest.fixture
def anonymous() -> Client:
    # The middleware case is also reported through got_request_exception, which the
    # test client would otherwise raise again in the test.
    return Client(raise_request_exception=False)


def _assert_friendly_503(status: int, retry_after: str | None, body: str) -> None:
    assert status == 503
    assert retry_after == str(RETRY_AFTER_SECONDS)
    assert FRIENDLY in body
    assert "Nothing you did caused this" in body


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/lost/", "/closed/"])
def test_a_view_losing_the_database_answers_a_friendly_503(
    db: None,
    anonymous: Client,
    url: str,
    caplog: pytest.LogCaptureFixture,
    django_assert_num_queries: Any,
) -> None:
    # The page is rendered without touching the database that just failed.
    with (
        caplog.at_level(logging.WARNING, logger="core.middleware"),
        django_assert_num_queries(0),
    ):
        response = anonymous.get(url)
    _assert_friendly_503(response.status_code, response.get("Retry-After"), response.text)
    assert f"Database unavailable, answered 503 to GET {url}" in caplog.text


@pytest.mark.urls(__name__)
def test_a_middleware_losing_the_database_answers_a_friendly_503(
    db: None, anonymous: Client, settings: Any
) -> None:
    at = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[: at + 1],
        f"{__name__}.LosesTheDatabaseMiddleware",
        *settings.MIDDLEWARE[at + 1 :],
    ]
    response = anonymous.get("/fine/")
    _assert_friendly_503(response.status_code, response.get("Retry-After"), response.text)


@pytest.mark.urls(__name__)
def test_a_bug_in_sql_is_still_a_500(db: None, anonymous: Client) -> None:
    response = anonymous.get("/bad-sql/")
    assert response.status_code == 500
    assert FRIENDLY not in response.text


# --- The drill, on PostgreSQL ------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Site:
    """A real HTTP server for the project, one request at a time in one thread.

    One thread means one database connection, kept between requests.
    """

    def __init__(self) -> None:
        self._server: WSGIServer = make_server(
            "127.0.0.1", 0, get_wsgi_application(), handler_class=_QuietHandler
        )
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            self._server.serve_forever(poll_interval=0.05)
        finally:
            # Leave no connection behind to block the test database's teardown.
            connections.close_all()

    def get(self, url: str, cookie: str = "") -> tuple[int, str | None, str]:
        client = http.client.HTTPConnection("127.0.0.1", self._server.server_port, timeout=10)
        try:
            client.request("GET", url, headers={"Cookie": cookie} if cookie else {})
            response = client.getresponse()
            return response.status, response.getheader("Retry-After"), response.read().decode()
        finally:
            client.close()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture
def site(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    # Every thread's connection reads this same dictionary when it connects.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    served = Site()
    yield served
    served.stop()


@pytest.fixture
def dba() -> Iterator[Any]:
    """A separate connection, as an administrator's, that sees and ends the site's."""
    db = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (own,) = cursor.fetchone()
    admin = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    admin.autocommit = True

    class Dba:
        @staticmethod
        def site_connections() -> set[int]:
            """Connections to the test database, but the test's own and this one."""
            with admin.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
                    [own],
                )
                return {pid for (pid,) in cursor.fetchall()}

        @staticmethod
        def terminate(pids: set[int]) -> None:
            with admin.cursor() as cursor:
                for pid in pids:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    yield Dba()
    admin.close()


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("url", "signed_in"),
    [
        # Lost in the view: the health check's own query.
        ("/healthz", False),
        # Lost in a middleware: the session and onboarding lookups run before the view.
        ("/dashboard/", True),
    ],
)
def test_a_dropped_connection_answers_503_once_and_the_site_recovers_by_itself(
    site: Site, dba: Any, client: Client, settings: Any, url: str, signed_in: bool
) -> None:
    cookie = ""
    if signed_in:
        client.force_login(ProfileFactory().user)
        name = settings.SESSION_COOKIE_NAME
        cookie = f"{name}={client.cookies[name].value}"

    assert site.get(url, cookie)[0] == 200
    before = dba.site_connections()
    assert len(before) == 1
    assert site.get(url, cookie)[0] == 200
    assert dba.site_connections() == before, "the site should keep its connection open"

    dba.terminate(before)
    wait_until(lambda: not dba.site_connections(), what="PostgreSQL to end the connection")

    _assert_friendly_503(*site.get(url, cookie))
    status, _, _ = site.get(url, cookie)
    assert status == 200
    after = dba.site_connections()
    assert len(after) == 1
    assert after.isdisjoint(before)
