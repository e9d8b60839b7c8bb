import os

from django.conf import settings as django_settings
from django.core.cache import caches
from django.utils import translation

import pytest

from mentorship.celery import app as celery_app
from tests.brokers import celery_broker, configure
from tests.factories import PASSWORD, ProfileFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Hashing with PBKDF2 costs ~0.3 s per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs collectstatic; tests serve files straight from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language. A request in German leaves German
    active in the thread (Django activates a language per request and never resets
    it), which would otherwise leak into the next test's words."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    # Rate-limit counters live in the database cache, which transactional tests do
    # not roll back, and the directory's cache is keyed by version rows that each test
    # starts again from: start every database test from empty caches.
    for name in ("live_server", "transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            _clear_caches()
            return
    if request.node.get_closest_marker("django_db"):
        _clear_caches()


def _clear_caches() -> None:
    for alias in ("default", "directory"):
        caches[alias].clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def mentee(db):
    """An onboarded person who wants a mentor."""
    return ProfileFactory(wants_mentoring=True, wants_to_mentor=False).user


@pytest.fixture
def mentor(db):
    """An onboarded person who mentors."""
    return ProfileFactory(wants_mentoring=False, wants_to_mentor=True).user


@pytest.fixture
def newcomer(db):
    """Verified, signed up, but has not started onboarding."""
    return UserFactory()


@pytest.fixture
def staff(db):
    return ProfileFactory(user__is_staff=True, user__is_superuser=True).user


@pytest.fixture(autouse=True, scope="session")
def _celery_in_process() -> None:
    # Tests run tasks where they are queued, even when CELERY_BROKER_URL is set
    # for the suite; the tests that need a real worker and broker switch it back.
    configure(task_always_eager=True)
    # Under pytest-xdist every process has its own test database, but all of them
    # share the broker in CELERY_BROKER_URL: a worker started by one process would
    # take another's tasks and look for their rows in the wrong database. Each
    # process publishes to, and consumes from, a queue of its own.
    # (Read from the environment, not the worker_id fixture, so that the suite still
    # runs with `-p no:xdist`.)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        queue = f"celery-{worker}"
        configure(task_default_queue=queue)
        # The queue list is built once, on first use: fail here, not in a drill.
        assert celery_app.amqp.default_queue.name == queue


@pytest.fixture
def broker_down():
    """Point Celery at a Redis port where nothing listens, as in a broker outage."""
    with celery_broker("redis://127.0.0.1:9/0"):
        yield
