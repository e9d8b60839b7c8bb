"""Fault drills: real Redis, SMTP servers, Celery workers and PostgreSQL, broken on purpose.

Every test in this folder is marked ``chaos`` and runs with the rest of the suite
(``pytest -m chaos`` runs only them). What a drill breaks is its own: a Redis server,
an SMTP server or a Celery worker started here on a free port, stopped by its own
pid; the machine's Redis is never touched, and in PostgreSQL a drill only ends the
connections of the site it serves itself.

A worker subprocess shares the test database only when it is PostgreSQL (SQLite's
test database lives in this process's memory), and sees only committed rows, so those
drills use a transactional database and are skipped on SQLite. Every transactional
drill also asks for serialized rollback: a plain flush re-runs post_migrate (content
types, the programme admin group) under new ids, which breaks the serialized-rollback
tests (e2e, concurrency) that run after this folder.

Under pytest-xdist nothing here is shared between worker processes: each has its own
test database (pytest-django's ``_gw0`` suffix), every server listens on a free port the
kernel hands out, and a worker subprocess consumes only its test process's queue
(tests/conftest.py names one per xdist worker).
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction

import pytest
import redis
from aiosmtpd.controller import Controller

from core.outbox import services as outbox
from core.outbox.models import OutboxEmail
from mentorship.celery import app as celery_app
from tests.brokers import celery_broker  # noqa: F401 - the drills import it from here

CHAOS_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(settings.BASE_DIR)
T = TypeVar("T")

on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
needs_postgresql = pytest.mark.skipif(
    not on_postgresql,
    reason="a worker subprocess or a dropped connection needs PostgreSQL; "
    "SQLite's test database lives in this process's memory",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Under `--dist loadgroup` the drills run one after another on one worker: each
    # starts its own servers and Celery workers and races them against deadlines, so
    # two drills at once on two cores would mostly test the machine's load.
    in_one_group = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if CHAOS_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.chaos)
            if in_one_group:
                item.add_marker(pytest.mark.xdist_group("chaos"))


# --- Small helpers -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    probe: Callable[[], T], *, timeout: float = 15.0, what: str, interval: float = 0.05
) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def wait_until_sent(pk: int, *, timeout: float = 20.0, log: Path | None = None) -> OutboxEmail:
    def sent() -> OutboxEmail | None:
        return OutboxEmail.objects.filter(pk=pk, sent_at__isnull=False).first()

    try:
        return wait_until(sent, timeout=timeout, what=f"outbox email {pk} to be sent")
    except AssertionError as exc:
        if log is not None and log.exists():
            raise AssertionError(f"{exc}\n--- worker log ---\n{log.read_text()[-4000:]}") from exc
        raise


def enqueue_committed(to: str) -> OutboxEmail:
    """A welcome email queued in its own committed transaction (dispatched on commit)."""
    with transaction.atomic():
        return outbox.enqueue("welcome", to=[to], context={}, key=f"chaos:{uuid.uuid4()}")


def drain(*, log: Path | None = None) -> None:
    """Wait until every task queued so far has run.

    With one worker, one process and a prefetch of one, tasks run in queue order: once
    a marker email queued last is sent, everything queued before it has run.
    """
    wait_until_sent(enqueue_committed("marker@example.org").pk, log=log)


# --- Redis -------------------------------------------------------------------


class RedisServer:
    """A private, memory-only redis-server; ``kill`` is a crash, ``start`` a restart."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=1)

    def is_up(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.is_up, timeout=10, what=f"redis-server on port {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


# --- SMTP --------------------------------------------------------------------


class SmtpSink:
    """An aiosmtpd handler that accepts, refuses or holds mail, and keeps what it accepted.

    A message counts as delivered only when this server answers 250 to its DATA.
    """

    def __init__(self) -> None:
        self.received: list[Message] = []
        self.refuse_rcpt_with: str | None = None
        self.refuse_data_with: str | None = None
        self.hold_next = False
        self.holding = threading.Event()
        self.held_peer: tuple[str, int] | None = None
        self._release = threading.Event()

    def release(self) -> None:
        self._release.set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_rcpt_with:
            return self.refuse_rcpt_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data_with:
            return self.refuse_data_with
        if self.hold_next:
            # The whole message has arrived; the client now waits for our answer.
            self.hold_next = False
            self.held_peer = session.peer
            self.holding.set()
            await session.loop.run_in_executor(None, self._release.wait, 30)
            return "451 4.3.0 Held by the drill, not accepted"
        self.received.append(message_from_bytes(envelope.original_content))
        return "250 OK"

    def for_outbox_row(self, pk: int) -> list[Message]:
        return [m for m in self.received if m["X-Outbox-Id"] == str(pk)]


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.sink = SmtpSink()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(
            self.sink, hostname="127.0.0.1", port=self.port, server_hostname="localhost"
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self.sink.release()
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on a free port, not yet started."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    """This process sends through ``smtp_server`` (pytest-django's default is in memory)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server


# --- Celery worker subprocesses ---------------------------------------------


def worker_database_url() -> str:
    """The URL of the test database pytest-django created, for another process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The parent pid is the second field after the parenthesised command name.
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _socket_inodes(local_port: int, remote_port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if (
                    int(local.rsplit(":", 1)[1], 16) == local_port
                    and int(remote.rsplit(":", 1)[1], 16) == remote_port
                ):
                    inodes.add(inode)
    return inodes


class WorkerProcess:
    """``celery worker`` in its own process group, on the test database."""

    def __init__(self, *, broker_url: str, email_url: str, pool: str, log: Path, **env: str):
        self.log = log
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mentorship.settings",
            "DATABASE_URL": worker_database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": email_url,
            "EMAIL_TIMEOUT": "10",
            **env,
        }
        self.pool = pool
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "mentorship",
                    "worker",
                    "--pool",
                    self.pool,
                    "--concurrency",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"chaos-{uuid.uuid4().hex[:8]}@%h",
                    # The queue this test process publishes to (one per xdist worker).
                    "--queues",
                    celery_app.conf.task_default_queue,
                ],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pid_talking_to(self, peer: tuple[str, int], server_port: int) -> int:
        """The pid, in this worker's process tree, that holds the connection from ``peer``."""
        inodes = {f"socket:[{inode}]" for inode in _socket_inodes(peer[1], server_port)}
        for pid in [self.pid, *_children(self.pid)]:
            for fd in Path(f"/proc/{pid}/fd").glob("*"):
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        return pid
        raise AssertionError(f"no process of worker {self.pid} is connected from {peer}")

    def stop(self) -> None:
        if self.process is None:
            return
        # The worker and any pool processes it forked share its process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def worker_processes(transactional_db: None) -> Iterator[list[WorkerProcess]]:
    """Workers a drill starts; all stopped before the test database is flushed."""
    workers: list[WorkerProcess] = []
    yield workers
    for worker in workers:
        worker.stop()
