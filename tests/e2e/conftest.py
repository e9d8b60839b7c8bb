"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Run them alone with ``pytest -m e2e``; leave them out with ``pytest -m "not e2e"``.
Screenshots (on failure, and wherever a journey asks for one) land in
``test-artifacts/screenshots/``, in a folder per process under pytest-xdist (``gw0/``...).

Under pytest-xdist each worker process has its own live server (pytest-django binds it
to a free port), its own test database behind it, and its own chromium, whose profile
Playwright keeps in a fresh temporary folder per launch: nothing is shared between them.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import connections
from django.utils import translation

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop in the test thread, and Django refuses
# database access from a thread with a running loop unless told it is safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
# Set by pytest-xdist in each worker process; absent in a plain run.
SCREENSHOT_DIR = E2E_DIR.parents[1].joinpath(
    "test-artifacts", "screenshots", os.environ.get("PYTEST_XDIST_WORKER", "")
)
DEFAULT_TIMEOUT_MS = 10_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

Screenshot = Callable[[Page, str], Path]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            # The live server needs a transactional database, whose flush after each
            # test would also wipe the vocabulary seeded by migrations (languages,
            # skills) for every later test: serialized rollback puts it back.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    # Keep each phase's report on the item, so the page fixture knows if the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(
            f"No chromium browser at {path!r}. Install Debian's package "
            "(`apt-get install chromium`) or point CHROMIUM_PATH at a chromium binary. "
            "Do not run `playwright install`: the tests use the system browser.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Django keeps a thread's database connections in a second store while an event
    # loop runs in that thread, as Playwright's does from here on. Left alone, tests
    # would get fresh connections there: not the one the live server shares for
    # in-memory SQLite, and without the snapshot that serialized rollback restores.
    thread_connections = {alias: connections[alias] for alias in connections}
    manager = sync_playwright().start()
    for alias, connection in thread_connections.items():
        connections[alias] = connection
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=_chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "screenshot"


def _watch_csp(page: Page) -> list[str]:
    """Collect what the browser blocks under our Content Security Policy: every browser
    test doubles as a check that no page needs an inline script or an outside host."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


@pytest.fixture
def journey_language() -> str:
    """The language the browser asks for (its Accept-Language). A journey runs in German
    too with ``@pytest.mark.parametrize("journey_language", ["en", "de"])``; while it runs,
    ``tests.e2e.words.t`` gives the words the person sees in that language."""
    return "en"


@pytest.fixture
def _journey_words(journey_language: str) -> Iterator[None]:
    with translation.override(journey_language):
        yield


def _tab(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    suffix: str,
    language: str = "en",
) -> Iterator[Page]:
    """A browser tab with its own cookies, relative URLs going to the live server; it
    fails the test on a CSP report and keeps a screenshot when the test failed."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale=language
    )
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    violations = _watch_csp(page)
    try:
        yield page
        assert not violations, f"Content Security Policy violations: {violations}"
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            name = f"{_file_name(request.node.name)}{suffix}.png"
            page.screenshot(path=SCREENSHOT_DIR / name, full_page=True)
    finally:
        context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    journey_language: str,
    _journey_words: None,
) -> Iterator[Page]:
    """A fresh browser tab (own cookies) whose relative URLs go to the live server."""
    yield from _tab(request, browser, live_server, "", journey_language)


@pytest.fixture
def second_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: LiveServer,
    journey_language: str,
    _journey_words: None,
) -> Iterator[Page]:
    """Another person's browser: own cookies, same live server."""
    yield from _tab(request, browser, live_server, "--second-page", journey_language)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshot:
    """Save what the person sees right now, as ``<test name>--<step>.png``."""

    def take(page: Page, step: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{_file_name(request.node.name)}--{_file_name(step)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take
