"""The open-loop load test: a fixed number of page visits a second, `make load`.

A closed loop (N users, each waiting for its page before asking for the next) slows down
with the server and so never shows what a late page costs: it measures the machine's
throughput. Here the visits arrive on a schedule made before the run, whatever the server
does: ``LOAD_RATE`` visits a second for ``LOAD_SECONDS`` seconds, ``rate x seconds`` of
them at times drawn uniformly over the window (a Poisson process of that rate, conditioned
on its count). Each visit's latency runs from its *scheduled* time to the end of its last
byte, so a visit the driver starts late because the server (or this process) fell behind
counts its wait: no coordinated omission.

Before the clock starts, a pool of the people ``manage.py seed_load`` creates
(loadtest/seed.py) log in through the login page, each with its own cookies:

- **seekers** (mentees without a mentor, ``mentee9801``..): the directory with filters,
  sorts, search and paging, mentor pages, their dashboard, and now and then a request to
  one of the load-test mentors (one page to see the mentor's form, one to send it);
- **learners** (the load-test mentors' mentees, ``mentee001``..``mentee048``): dashboard,
  goals, progress updates, the mentorship and meeting pages;
- **mentors** (``mentor01``..``mentor16``): dashboard, review board, their mentees' goals
  and meetings, and the requests seekers send them, which they accept and then close
  (completed) a few visits later, so seekers are free to ask again.

Each visit is one page a person sees: a GET, or a form's POST and the page it redirects
to. Its kind is drawn 14:10:8 (seekers, learners, mentors, as the old mix's 32 users), its
person among that kind's idle ones. When the server has fallen so far behind that all of
a kind are still waiting for a page, one of them opens another page that only reads, so
no two visits race on one person's forms. Everything a page needs (links,
form tokens, option values) is read off the pages, as a person would; nothing reads the
database.

Environment: LOAD_RATE (visits/s, default 50), LOAD_SECONDS (default 60), LOAD_PORT
(gunicorn on 127.0.0.1, default 8765), LOAD_PEOPLE (pool size, default 80), LOAD_TIMEOUT
(seconds a visit may take, default 10), LOAD_SEED, LOAD_P95_MS (the bar, default 150).
LOAD_GUNICORN_PID, LOAD_WORKER_PID and DATABASE_URL, which loadtest/run.sh sets, let it
report the CPU each part used. Exits 1 when the bar is missed: p95 above LOAD_P95_MS or
any error.
"""

import asyncio
import html as htmllib
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

PASSWORD = "demo-mentorship-2026"
DOMAIN = "demo.mentorship.test"
# Who sends the visits, in the old closed-loop mix's proportions (14, 10 and 8 users).
KIND_WEIGHTS = {"seeker": 14, "learner": 10, "mentor": 8}
# How many accounts of each kind seed_load makes for the load test (loadtest/seed.py).
SEEKERS_FIRST, SEEKERS_MAX = 9801, 200
LEARNERS_MAX = 48
MENTORS_MAX = 16
# Safety bounds: this only ever talks to a server on this machine, and not for long.
MAX_VISITS = 60_000
MAX_SECONDS = 600
LOGINS_AT_ONCE = 3

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MENTOR_LINK = re.compile(r'href="/mentors/(\d+)/"')
REQUEST_LINK = re.compile(r'href="/requests/(\d+)/"')
GOAL_LINK = re.compile(r'href="/goals/(\d+)/"')
MEETING_LINK = re.compile(r'href="/meetings/(\d+)/"')
MENTORSHIP_LINK = re.compile(r'href="/mentorships/(\d+)/"')
PROFILE_NAME = re.compile(r'<h1 class="h4 mt-3 mb-1">([^<]+)</h1>')
REQUEST_MESSAGE = (
    "Hello! I am preparing for my next role and your experience is close to what I want to "
    "learn. Could we meet twice a month for the next quarter to work on a plan together?"
)
SEARCH_WORDS = ("product", "python", "design", "data")


# The page a visit is on, for the statistics: one per asyncio task, so two visits of one
# person never mix their labels.
LABEL: ContextVar[str] = ContextVar("LABEL", default="")


class Failed(Exception):
    """A page that did not answer as a person would expect: counted as an error."""


def _select_values(html: str, name: str) -> list[str]:
    """The non-empty option values of one <select> on the page."""
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    if not match:
        return []
    return [v for v in re.findall(r'<option value="([^"]*)"', match.group(0)) if v]


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise Failed("no form token on the page")
    return match.group(1)


def _links(pattern: re.Pattern[str], html: str) -> list[int]:
    return sorted({int(pk) for pk in pattern.findall(html)})


@dataclass
class Shared:
    """What people learn from each other before the clock starts."""

    mentor_names: list[str] = field(default_factory=list)
    mentor_ids: list[int] = field(default_factory=list)


class Person:
    """One signed-in account with its own cookies; each visit method shows one page."""

    kind = ""

    def __init__(self, email: str, session: aiohttp.ClientSession, shared: Shared) -> None:
        self.email = email
        self.session = session
        self.shared = shared
        self.busy = False

    # Pages ----------------------------------------------------------------------------

    async def get(self, url: str, label: str | None = None) -> str:
        LABEL.set(label or url)
        async with self.session.get(url, allow_redirects=False) as response:
            text = await response.text()
            if response.status != 200:
                raise Failed(f"{url} answered {response.status}")
            return text

    async def submit(
        self, url: str, data: dict[str, str], *, label: str, expect: str, refusal: str = ""
    ) -> tuple[str, str]:
        """POST a form, then see the page it leads to, as a browser does: one visit.

        Answers that page's address and text, or two empty strings after a refusal.

        ``refusal``: a message the form may come back with (status 200) that is a rule
        doing its job, not an error, such as asking while a mentor is closing the last
        mentorship.
        """
        LABEL.set(label)
        async with self.session.post(url, data=data, allow_redirects=False) as response:
            text = await response.text()
            location = response.headers.get("Location", "")
        if response.status == 302 and expect in location:
            return location, await self.get(location, label)
        if refusal and response.status == 200 and refusal in text:
            return "", ""
        raise Failed(f"{label} answered {response.status} {location}")

    async def log_in(self) -> None:
        page = await self.get("/accounts/login/")
        async with self.session.post(
            "/accounts/login/",
            data={"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page)},
            allow_redirects=False,
        ) as response:
            await response.read()
            if response.status != 302 or not response.headers.get("Location", "").endswith(
                "/dashboard/"
            ):
                raise Failed(f"login as {self.email} answered {response.status}")
        await self.after_login()

    async def after_login(self) -> None:
        """Find, on the first pages, what this person's visits need."""

    def reads(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        """Pages that only read, with their weights: safe to show while another loads."""
        raise NotImplementedError

    def flows(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        """Steps through forms, which keep this person's state from one visit to the next."""
        return []

    async def visit(self, rng: random.Random) -> None:
        if self.busy:
            # Still waiting for an earlier page (every one of this kind is, the server
            # having fallen behind): a page that only reads, so no form is sent twice.
            weights, actions = zip(*self.reads(), strict=True)
            await rng.choices(actions, weights)[0]()
            return
        self.busy = True
        try:
            weights, actions = zip(*self.reads(), *self.flows(), strict=True)
            await rng.choices(actions, weights)[0]()
        finally:
            self.busy = False

    async def dashboard(self) -> None:
        await self.get("/dashboard/")


class Seeker(Person):
    """A mentee looking for a mentor."""

    kind = "seeker"

    async def after_login(self) -> None:
        html = await self.get("/mentors/")
        self.skills = _select_values(html, "skills")
        self.languages = _select_values(html, "language")
        self.industries = _select_values(html, "industry")
        self.mentors = _links(MENTOR_LINK, html)
        # A request still open from an earlier run: wait for its answer before asking
        # again, or two mentors may accept this person at once.
        sent = (await self.get("/requests/")).split('id="sent-heading"', 1)[-1]
        waiting = [
            REQUEST_LINK.search(row)
            for row in sent.split('class="list-group-item')
            if "Waiting for the mentor" in row
        ]
        self.pending: int | None = int(waiting[0].group(1)) if waiting and waiting[0] else None
        self.form: tuple[int, str] | None = None  # a load mentor's request form, seen

    def reads(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        return [(6, self.directory), (4, self.mentor_page), (2, self.dashboard)]

    def flows(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        return [(1, self.ask)]

    def filters(self) -> tuple[dict[str, str], str]:
        """One of the ways people narrow the directory, with a label for the statistics."""
        choice = random.randrange(9)
        if choice == 0:
            return {}, "best fit"
        if choice == 1:
            return {"skills": random.choice(self.skills)}, "skill"
        if choice == 2:
            return {
                "skills": random.choice(self.skills),
                "language": random.choice(self.languages),
                "free_only": "on",
            }, "skill+language+free"
        if choice == 3:
            return {"industry": random.choice(self.industries), "sort": "experience"}, "industry"
        if choice == 4:
            return {"overlap": random.choice(("2", "4", "6")), "meeting_format": "video"}, "zone"
        if choice == 5:
            return {"q": random.choice(SEARCH_WORDS)}, "search"
        if choice == 6:
            return {"sort": "recent", "free_only": "on"}, "recent+free"
        if choice == 7:
            return {"page": str(random.randint(2, 20))}, "page n"
        return {"language": random.choice(self.languages)}, "language"

    async def directory(self) -> None:
        params, label = self.filters()
        html = await self.get(f"/mentors/?{urlencode(params)}", f"/mentors/?[{label}]")
        self.mentors = _links(MENTOR_LINK, html) or self.mentors

    async def mentor_page(self) -> None:
        await self.get(f"/mentors/{random.choice(self.mentors)}/", "/mentors/[id]/")

    async def ask(self) -> None:
        """Ask a load-test mentor: see their page, then send the form at the next turn."""
        if self.pending is not None:
            html = await self.get(f"/requests/{self.pending}/", "/requests/[id]/")
            if "Waiting for the mentor" not in html:
                self.pending = None  # accepted and closed by the mentor: free to ask again
            return
        if self.form is not None:
            mentor, token = self.form
            self.form = None
            location, _ = await self.submit(
                f"/mentors/{mentor}/request/",
                {"message": REQUEST_MESSAGE, "first_goal": "", "csrfmiddlewaretoken": token},
                label="/mentors/[id]/request/ (POST)",
                expect="/requests/",
                # Seen "accepted" a moment before the mentor closed that mentorship.
                refusal="You already have a mentor",
            )
            if location:
                self.pending = int(location.rstrip("/").rsplit("/", 1)[1])
            return
        if not self.shared.mentor_ids:
            await self.dashboard()
            return
        mentor = random.choice(self.shared.mentor_ids)
        html = await self.get(f"/mentors/{mentor}/", "/mentors/[id]/")
        if f'action="/mentors/{mentor}/request/"' in html:
            self.form = (mentor, _csrf(html))


class Learner(Person):
    """A mentee with a mentor, working on goals."""

    kind = "learner"

    async def after_login(self) -> None:
        mentorships = _links(MENTORSHIP_LINK, await self.get("/dashboard/"))
        if not mentorships:
            raise Failed(f"{self.email} has no mentorship: is the load database seeded?")
        self.mentorship = mentorships[0]
        page = await self.get(f"/mentorships/{self.mentorship}/")
        self.goals = _links(GOAL_LINK, page)
        self.meetings = _links(MEETING_LINK, page)
        self.form: tuple[int, dict[str, str]] | None = None  # a progress form, seen

    def reads(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        return [
            (3, self.dashboard),
            (4, self.goal_page),
            (1, self.mentorship_page),
            (1, self.meeting_page),
        ]

    def flows(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        return [(2, self.log_progress)]

    async def goal_page(self) -> None:
        await self.get(f"/goals/{random.choice(self.goals)}/", "/goals/[id]/")

    async def log_progress(self) -> None:
        """See a goal's page; at the next turn, send its progress form if it had one."""
        if self.form is not None:
            goal, data = self.form
            self.form = None
            await self.submit(
                f"/goals/{goal}/progress/",
                data,
                label="/goals/[id]/progress/ (POST)",
                expect=f"/goals/{goal}/",
            )
            return
        goal = random.choice(self.goals)
        html = await self.get(f"/goals/{goal}/", "/goals/[id]/")
        if f'action="/goals/{goal}/progress/"' not in html:
            return  # in review: nothing to log yet
        data = {"note": "Worked on it this week.", "csrfmiddlewaretoken": _csrf(html)}
        if 'name="value"' in html:
            data["value"] = str(random.randint(1, 40))
        self.form = (goal, data)

    async def mentorship_page(self) -> None:
        await self.get(f"/mentorships/{self.mentorship}/", "/mentorships/[id]/")

    async def meeting_page(self) -> None:
        if self.meetings:
            await self.get(f"/meetings/{random.choice(self.meetings)}/", "/meetings/[id]/")
        else:
            await self.dashboard()


class Mentor(Person):
    """A mentor with three mentees, who answers the requests seekers send."""

    kind = "mentor"

    async def after_login(self) -> None:
        match = PROFILE_NAME.search(await self.get("/profile/"))
        if match:
            self.shared.mentor_names.append(htmllib.unescape(match.group(1).strip()))
        self.goals = _links(GOAL_LINK, await self.get("/goals/review/"))
        mentorships = _links(MENTORSHIP_LINK, await self.get("/dashboard/"))
        if not mentorships:
            raise Failed(f"{self.email} has no mentorship: is the load database seeded?")
        page = await self.get(f"/mentorships/{mentorships[0]}/")
        self.meetings = _links(MEETING_LINK, page)
        # Where the answer to a request stands: one page per turn, as a person clicks.
        self.waiting: int | None = None
        self.accept: tuple[int, str] | None = None
        self.end: tuple[str, str] | None = None

    def reads(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        return [
            (3, self.dashboard),
            (2, self.review_board),
            (2, self.mentee_goal),
            (1, self.meeting_page),
        ]

    def flows(self) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
        return [(2, self.answer_requests)]

    async def review_board(self) -> None:
        await self.get("/goals/review/")

    async def mentee_goal(self) -> None:
        if self.goals:
            await self.get(f"/goals/{random.choice(self.goals)}/", "/goals/[id]/")
        else:
            await self.review_board()

    async def meeting_page(self) -> None:
        if self.meetings:
            await self.get(f"/meetings/{random.choice(self.meetings)}/", "/meetings/[id]/")
        else:
            await self.dashboard()

    async def answer_requests(self) -> None:
        """Inbox, the oldest waiting request, accept it, then close that mentorship."""
        if self.end is not None:
            location, token = self.end
            self.end = None
            await self.submit(
                f"{location}end/",
                {"outcome": "completed", "reason": "", "csrfmiddlewaretoken": token},
                label="/mentorships/[id]/end/ (POST)",
                expect="/mentorships/",
            )
            return
        if self.accept is not None:
            request, token = self.accept
            self.accept = None
            location, page = await self.submit(
                f"/requests/{request}/accept/",
                {"csrfmiddlewaretoken": token},
                label="/requests/[id]/accept/ (POST)",
                expect="/mentorships/",
            )
            # The mentorship page it leads to carries the form token for closing it.
            self.end = (location, _csrf(page))
            return
        if self.waiting is not None:
            request, self.waiting = self.waiting, None
            page = await self.get(f"/requests/{request}/", "/requests/[id]/")
            if f'action="/requests/{request}/accept/"' in page:
                self.accept = (request, _csrf(page))
            return
        html = await self.get("/requests/")
        if 'id="inbox-heading"' in html:
            inbox = html.split('id="inbox-heading"', 1)[-1].split("Answered or closed", 1)[0]
            waiting = REQUEST_LINK.findall(inbox)
            if waiting:
                self.waiting = int(waiting[-1])


# The run --------------------------------------------------------------------------------


@dataclass
class Visit:
    kind: str
    label: str
    scheduled: float
    started: float
    finished: float
    error: str = ""


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        raise SystemExit(f"{name} must be a number.") from None


def _cast(people: int) -> dict[str, int]:
    """How many of each kind log in: the pool split as the visits are, within seed_load's."""
    total = sum(KIND_WEIGHTS.values())
    return {
        "seeker": min(SEEKERS_MAX, max(1, round(people * KIND_WEIGHTS["seeker"] / total))),
        "learner": min(LEARNERS_MAX, max(1, round(people * KIND_WEIGHTS["learner"] / total))),
        "mentor": min(MENTORS_MAX, max(1, round(people * KIND_WEIGHTS["mentor"] / total))),
    }


def _people(
    cast: dict[str, int], connector: aiohttp.TCPConnector, base: str, timeout: float
) -> dict[str, list[Person]]:
    shared = Shared()

    def session() -> aiohttp.ClientSession:
        # unsafe=True: the server is an IP address, whose cookies aiohttp drops by default.
        return aiohttp.ClientSession(
            base_url=base,
            connector=connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=timeout),
        )

    return {
        "seeker": [
            Seeker(f"mentee{SEEKERS_FIRST + i:03d}@{DOMAIN}", session(), shared)
            for i in range(cast["seeker"])
        ],
        "learner": [
            Learner(f"mentee{i + 1:03d}@{DOMAIN}", session(), shared)
            for i in range(cast["learner"])
        ],
        "mentor": [
            Mentor(f"mentor{i + 1:02d}@{DOMAIN}", session(), shared) for i in range(cast["mentor"])
        ],
    }


async def _log_everyone_in(people: dict[str, list[Person]]) -> None:
    """Sign the pool in, a few at a time: a login checks a deliberately slow hash."""
    gate = asyncio.Semaphore(LOGINS_AT_ONCE)

    async def one(person: Person) -> None:
        async with gate:
            await person.log_in()

    # Mentors first: seekers need their names to find them in the directory.
    await asyncio.gather(*(one(p) for p in people["mentor"]))
    await asyncio.gather(*(one(p) for kind in ("seeker", "learner") for p in people[kind]))
    finder = people["seeker"][0]
    for name in people["mentor"][0].shared.mentor_names:
        html = await finder.get(f"/mentors/?{urlencode({'q': name})}")
        found = MENTOR_LINK.findall(html)
        if found:
            finder.shared.mentor_ids.append(int(found[0]))


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (the value p % of visits stayed under)."""
    if not sorted_values:
        return math.nan
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def _cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _tree(pid: int) -> list[int]:
    """A process and its children (gunicorn's workers, the Celery worker's pool)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _postgres_backends() -> list[int]:
    """PostgreSQL's processes serving the load database, found through psql."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return []
    name = url.rsplit("/", 1)[-1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    try:
        out = subprocess.run(
            ["psql", server, "-Atc", f"select pid from pg_stat_activity where datname = '{name}'"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [int(line) for line in out.split() if line.isdigit()]


class CpuMeter:
    """CPU used during the window: the whole machine, and each part of this test."""

    def __init__(self) -> None:
        self.hz = os.sysconf("SC_CLK_TCK")
        self.roots = {
            part: int(os.environ[var])
            for part, var in (("gunicorn", "LOAD_GUNICORN_PID"), ("celery", "LOAD_WORKER_PID"))
            if os.environ.get(var, "").isdigit()
        }

    def _machine(self) -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values[:8]) - idle, sum(values[:8])

    def _parts(self) -> dict[str, dict[int, int]]:
        parts = {part: {p: _cpu_ticks(p) for p in _tree(pid)} for part, pid in self.roots.items()}
        parts["postgres"] = {p: _cpu_ticks(p) for p in _postgres_backends()}
        return parts

    def start(self) -> None:
        self.machine0 = self._machine()
        self.parts0 = self._parts()
        self.own0 = sum(os.times()[:2])
        self.wall0 = time.monotonic()

    def stop(self) -> dict[str, float]:
        busy1, total1 = self._machine()
        wall = time.monotonic() - self.wall0
        cores = os.cpu_count() or 1
        report = {
            "wall_s": round(wall, 1),
            "machine_busy_of_all_cores_pct": round(
                100 * (busy1 - self.machine0[0]) / max(1, total1 - self.machine0[1]), 1
            ),
            "cores": cores,
            "driver_cpu_s": round(sum(os.times()[:2]) - self.own0, 1),
        }
        for part, pids in self._parts().items():
            before = self.parts0.get(part, {})
            ticks = sum(t - before.get(p, 0) for p, t in pids.items())
            report[f"{part}_cpu_s"] = round(ticks / self.hz, 1)
        ours = sum(v for k, v in report.items() if k.endswith("_cpu_s"))
        machine = report["machine_busy_of_all_cores_pct"] / 100 * cores * wall
        report["others_cpu_s"] = round(max(0.0, machine - ours), 1)
        return report


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def _run(rate: float, seconds: float, cast: dict[str, int], port: int) -> dict:
    timeout = _env_number("LOAD_TIMEOUT", 10)
    seed = int(_env_number("LOAD_SEED", 20261205))
    rng = random.Random(seed)
    random.seed(seed)
    base = f"http://127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(limit=1000)
    people = _people(cast, connector, base, timeout)
    everyone = [p for group in people.values() for p in group]
    try:
        began = time.monotonic()
        await _log_everyone_in(people)
        print(
            f"{len(everyone)} people signed in ({cast['seeker']} seekers, {cast['learner']} "
            f"learners, {cast['mentor']} mentors) in {time.monotonic() - began:.0f} s; "
            f"{len(people['mentor'][0].shared.mentor_ids)} load mentors found.",
            flush=True,
        )

        count = round(rate * seconds)
        offsets = sorted(rng.uniform(0, seconds) for _ in range(count))
        kinds = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()), k=count)
        visits: list[Visit] = []
        loop = asyncio.get_running_loop()

        async def one(kind: str, scheduled: float) -> None:
            started = loop.time()
            idle = [p for p in people[kind] if not p.busy]
            person = rng.choice(idle or people[kind])
            error = ""
            try:
                async with asyncio.timeout(timeout):
                    await person.visit(rng)
            except Failed as exc:
                error = str(exc)
            except TimeoutError:
                error = f"no answer within {timeout:g} s"
            except aiohttp.ClientError as exc:
                error = f"{type(exc).__name__}: {exc}"
            visits.append(Visit(kind, LABEL.get(), scheduled, started, loop.time(), error[:200]))

        load_before = _loadavg()
        meter = CpuMeter()
        meter.start()
        start = loop.time() + 0.2
        tasks = []
        for offset, kind in zip(offsets, kinds, strict=True):
            at = start + offset
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(kind, at)))
        await asyncio.gather(*tasks)
        cpu = meter.stop()
        load_after = _loadavg()
    finally:
        for person in everyone:
            await person.session.close()
        await connector.close()
    return _summary(visits, rate, seconds, start, cast, cpu, load_before, load_after, seed)


def _stats(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "count": len(ordered),
        **{f"p{p}_ms": round(percentile(ordered, p) * 1000, 1) for p in (50, 95, 99)},
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else math.nan,
    }


def _summary(
    visits: list[Visit],
    rate: float,
    seconds: float,
    start: float,
    cast: dict[str, int],
    cpu: dict[str, float],
    load_before: str,
    load_after: str,
    seed: int,
) -> dict:
    # Every visit counts, failed ones at the time they took (a timeout at its limit).
    latency = [v.finished - v.scheduled for v in visits]
    errors = [v for v in visits if v.error]
    last = max(v.finished for v in visits)
    by_label: dict[str, list[float]] = defaultdict(list)
    for v in visits:
        by_label[v.label].append(v.finished - v.scheduled)
    late = sorted(v.started - v.scheduled for v in visits)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "offered_rate": rate,
        "seconds": seconds,
        "seed": seed,
        "people": cast,
        "visits": len(visits),
        "errors": len(errors),
        "achieved_rate": round((len(visits) - len(errors)) / (last - start), 1),
        "drain_s": round(last - start - seconds, 2),
        "latency": _stats(latency),
        "start_lag_ms": {
            "p50": round(percentile(late, 50) * 1000, 1),
            "p99": round(percentile(late, 99) * 1000, 1),
        },
        "pages": {label: _stats(values) for label, values in sorted(by_label.items())},
        "error_kinds": Counter(f"{v.label}: {v.error}" for v in errors).most_common(10),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "cpu": cpu,
        # What a page costs the site whatever the neighbours do: the part of these numbers
        # a busy machine inflates least. It means something only when the site kept up:
        # past that, workers spend CPU on visits whose person has given up.
        "site_cpu_ms_per_visit": round(
            1000
            * sum(cpu.get(f"{part}_cpu_s", 0) for part in ("gunicorn", "postgres", "celery"))
            / len(visits),
            1,
        ),
    }


def _print(result: dict, bar_ms: float) -> bool:
    lat = result["latency"]
    print(f"\n{'page':44} {'visits':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for label, s in result["pages"].items():
        print(
            f"{label[:44]:44} {s['count']:6d} {s['p50_ms']:7.0f} {s['p95_ms']:7.0f} "
            f"{s['p99_ms']:7.0f} {s['max_ms']:7.0f}"
        )
    for kind in result["error_kinds"]:
        print(f"  error x{kind[1]}: {kind[0]}")
    cpu = result["cpu"]
    print(
        f"\nOffered {result['offered_rate']:g} pages/s for {result['seconds']:g} s: "
        f"{result['visits']} visits, achieved {result['achieved_rate']} pages/s, "
        f"{result['errors']} errors\n"
        f"Latency from the scheduled start: p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} "
        f"ms, p99 {lat['p99_ms']:.0f} ms, max {lat['max_ms']:.0f} ms "
        f"(driver start lag p99 {result['start_lag_ms']['p99']:.0f} ms)\n"
        f"Load average before {result['loadavg_before']}, after {result['loadavg_after']}; "
        f"machine {cpu['machine_busy_of_all_cores_pct']} % busy of {cpu['cores']} cores: "
        + ", ".join(
            f"{k.removesuffix('_cpu_s')} {v} s" for k, v in cpu.items() if k.endswith("_cpu_s")
        )
        + f" CPU in {cpu['wall_s']} s\n"
        f"The site's CPU per visit (gunicorn, PostgreSQL, Celery): "
        f"{result['site_cpu_ms_per_visit']} ms"
        + (" (not a page's cost: the site fell behind)" if result["errors"] else "")
    )
    ok = result["errors"] == 0 and lat["p95_ms"] <= bar_ms
    print(
        f"Bar (p95 <= {bar_ms:g} ms, no errors): "
        + ("met" if ok else "MISSED")
        + ("" if result["offered_rate"] == 50 else " (the bar is set at 50 pages/s)")
    )
    return ok


def main() -> int:
    rate = _env_number("LOAD_RATE", 50)
    seconds = _env_number("LOAD_SECONDS", 60)
    port = int(_env_number("LOAD_PORT", 8765))
    bar_ms = _env_number("LOAD_P95_MS", 150)
    if not (rate > 0 and 0 < seconds <= MAX_SECONDS and rate * seconds <= MAX_VISITS):
        raise SystemExit(
            f"LOAD_RATE x LOAD_SECONDS must stay within {MAX_VISITS} visits and "
            f"LOAD_SECONDS within {MAX_SECONDS}."
        )
    cast = _cast(int(_env_number("LOAD_PEOPLE", 80)))
    result = asyncio.run(_run(rate, seconds, cast, port))
    ok = _print(result, bar_ms)
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(result, indent=2)
    (results / f"load-{rate:g}ps-{stamp}.json").write_text(text)
    (results / "latest.json").write_text(text)
    print(f"Results: loadtest/results/load-{rate:g}ps-{stamp}.json")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
