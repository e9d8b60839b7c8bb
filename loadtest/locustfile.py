"""The load test's mix: 32 people using the site at once, as loadtest/run.sh starts it.

Each virtual user logs in once, through allauth's login page, as one account of the
community that ``manage.py seed_load`` creates (loadtest/seed.py), then repeats what that
kind of person does, with a short pause between pages:

- **seekers** (mentees without a mentor, ``mentee9801``..): browse the directory with
  filters, sorts, search and paging, open mentor pages, look at their dashboard, and now
  and then ask one of the load-test mentors for mentoring;
- **learners** (the load-test mentors' mentees, ``mentee001``..``mentee048``): their
  dashboard, their goals, the mentorship and meeting pages, and progress updates;
- **mentors** (``mentor01``..``mentor16``): their dashboard and review board, their
  mentees' goals and meetings, and the requests seekers send them, which they accept and
  then close (completed), so the seeker is free to ask again and places never run out.

Statistics are reset once every virtual user has logged in, and the run stops ``--measure``
seconds (default 60) later: a login hashes a password (PBKDF2, deliberately slow, about
0.45 s of CPU here) and happens once per person, so the table measures the mix, not the
first seconds' 32 password checks.
Everything a page needs is found on the pages themselves (links, form tokens, option
values), as a person would find it; nothing reads the database.
"""

import html as htmllib
import itertools
import logging
import random
import re
import time
from typing import Any, ClassVar
from urllib.parse import urlencode

import gevent
from gevent.lock import Semaphore
from locust import FastHttpUser, between, events, task
from locust.env import Environment

PASSWORD = "demo-mentorship-2026"
DOMAIN = "demo.mentorship.test"
# Pages apart: a person reads for a moment before the next click.
THINK = between(0.05, 0.15)

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

log = logging.getLogger("loadtest")


def _select_values(html: str, name: str) -> list[str]:
    """The non-empty option values of one <select> on the page."""
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    if not match:
        return []
    return [v for v in re.findall(r'<option value="([^"]*)"', match.group(0)) if v]


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("No form token on the page.")
    return match.group(1)


class _Cast:
    """Which account each new virtual user takes, and what the mentors tell the seekers."""

    lock = Semaphore()
    accounts: ClassVar[dict[str, Any]] = {
        "seeker": itertools.count(9801),
        "learner": itertools.count(1),
        "mentor": itertools.count(1),
    }
    # Load-test mentors' names, as the seekers would search for them, and their page ids.
    mentor_names: ClassVar[list[str]] = []
    mentor_ids: ClassVar[dict[str, int]] = {}
    logged_in = 0
    measuring_since: float | None = None


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument(
        "--measure",
        type=int,
        default=60,
        help="Seconds to measure once everyone has logged in; then the run stops.",
    )


@events.test_start.add_listener
def _reset_cast(environment: Environment, **kwargs: Any) -> None:
    _Cast.logged_in = 0
    _Cast.measuring_since = None


class Member(FastHttpUser):
    abstract = True
    wait_time = THINK
    kind = ""

    def on_start(self) -> None:
        with _Cast.lock:
            number = next(_Cast.accounts[self.kind])
        self.email = self.account(number)
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        with self.client.post(
            "/accounts/login/",
            data={
                "login": self.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(page.text),
            },
            allow_redirects=False,
            name="/accounts/login/ (POST)",
            catch_response=True,
        ) as response:
            if response.status_code != 302 or not response.headers.get("Location", "").endswith(
                "/dashboard/"
            ):
                response.failure(f"Login as {self.email} failed ({response.status_code}).")
                return
        self.after_login()
        self._count_login()

    def account(self, number: int) -> str:
        raise NotImplementedError

    def after_login(self) -> None:
        """Find, on the first pages, what this person's tasks need."""

    def _count_login(self) -> None:
        runner = self.environment.runner
        with _Cast.lock:
            _Cast.logged_in += 1
            everyone = _Cast.logged_in >= runner.target_user_count
            if everyone and _Cast.measuring_since is None:
                _Cast.measuring_since = time.time()
                runner.stats.reset_all()
                seconds = self.environment.parsed_options.measure
                log.warning(
                    "All %d people logged in: statistics reset, measuring for %d s.",
                    _Cast.logged_in,
                    seconds,
                )
                gevent.spawn_later(seconds, runner.quit)

    # Helpers ------------------------------------------------------------------------------

    def page(self, url: str, name: str | None = None) -> str:
        with self.client.get(url, name=name or url, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{url} answered {response.status_code}")
                return ""
            return response.text or ""

    def submit(
        self, url: str, data: dict[str, str], *, name: str, expect: str, refusal: str = ""
    ) -> str | None:
        """POST a form; success is a redirect to a URL containing ``expect``.

        ``refusal``: a message the page may answer with (status 200, the form again) that
        is a rule doing its job, not an error, such as asking while a mentor is still
        closing the last mentorship.
        """
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and expect in location:
                return location
            if refusal and response.status_code == 200 and refusal in (response.text or ""):
                response.success()
                return None
            response.failure(f"{name} answered {response.status_code} {location}")
            return None

    def dashboard(self) -> str:
        return self.page("/dashboard/")


class Seeker(Member):
    """A mentee looking for a mentor."""

    fixed_count = 14
    kind = "seeker"

    def account(self, number: int) -> str:
        return f"mentee{number:03d}@{DOMAIN}"

    def after_login(self) -> None:
        html = self.page("/mentors/", name="/mentors/")
        self.skills = _select_values(html, "skills")
        self.languages = _select_values(html, "language")
        self.industries = _select_values(html, "industry")
        self.mentors = [int(pk) for pk in MENTOR_LINK.findall(html)]
        # A request still open from an earlier run: wait for its answer before asking again,
        # or two mentors may accept this person at once (one of them is then refused).
        sent = self.page("/requests/").split('id="sent-heading"', 1)[-1]
        waiting = [
            REQUEST_LINK.search(row)
            for row in sent.split('class="list-group-item')
            if "Waiting for the mentor" in row
        ]
        self.pending: int | None = int(waiting[0].group(1)) if waiting and waiting[0] else None

    def filters(self) -> tuple[dict[str, str], str]:
        """One of the ways people narrow the directory, with a name for the statistics."""
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
            return {"q": random.choice(("product", "python", "design", "data"))}, "search"
        if choice == 6:
            return {"sort": "recent", "free_only": "on"}, "recent+free"
        if choice == 7:
            return {"page": str(random.randint(2, 20))}, "page n"
        return {"language": random.choice(self.languages)}, "language"

    @task(6)
    def directory(self) -> None:
        params, label = self.filters()
        html = self.page(f"/mentors/?{urlencode(params)}", name=f"/mentors/?[{label}]")
        found = [int(pk) for pk in MENTOR_LINK.findall(html)]
        if found:
            self.mentors = found

    @task(4)
    def mentor_page(self) -> None:
        if self.mentors:
            self.page(f"/mentors/{random.choice(self.mentors)}/", name="/mentors/[id]/")

    @task(2)
    def my_dashboard(self) -> None:
        self.dashboard()

    @task(1)
    def ask_for_mentoring(self) -> None:
        """Ask a load-test mentor; while the request is open, look at it instead."""
        if self.pending is not None:
            html = self.page(f"/requests/{self.pending}/", name="/requests/[id]/")
            if html and "Waiting for the mentor" not in html:
                self.pending = None  # accepted and closed by the mentor: free to ask again
            return
        mentor = self._load_mentor()
        if mentor is None:
            return
        html = self.page(f"/mentors/{mentor}/", name="/mentors/[id]/")
        if f'action="/mentors/{mentor}/request/"' not in html:
            return  # asked already, or no free place right now
        location = self.submit(
            f"/mentors/{mentor}/request/",
            {"message": REQUEST_MESSAGE, "first_goal": "", "csrfmiddlewaretoken": _csrf(html)},
            name="/mentors/[id]/request/ (POST)",
            expect="/requests/",
            # Seen "accepted" a moment before the mentor closed that mentorship.
            refusal="You already have a mentor",
        )
        if location:
            self.pending = int(location.rstrip("/").rsplit("/", 1)[1])

    def _load_mentor(self) -> int | None:
        """A load-test mentor's page id, found once by searching the directory for them."""
        if not _Cast.mentor_names:
            return None
        name = random.choice(_Cast.mentor_names)
        if name not in _Cast.mentor_ids:
            html = self.page(
                f"/mentors/?{urlencode({'q': name})}", name="/mentors/?[search by name]"
            )
            found = MENTOR_LINK.findall(html)
            if not found:
                return None
            _Cast.mentor_ids[name] = int(found[0])
        return _Cast.mentor_ids[name]


class Learner(Member):
    """A mentee with a mentor, working on goals."""

    fixed_count = 10
    kind = "learner"

    def account(self, number: int) -> str:
        return f"mentee{number:03d}@{DOMAIN}"

    def after_login(self) -> None:
        html = self.dashboard()
        self.mentorships = sorted(set(MENTORSHIP_LINK.findall(html)))
        page = self.page(f"/mentorships/{self.mentorships[0]}/", name="/mentorships/[id]/")
        self.goals = sorted(set(GOAL_LINK.findall(page)))
        self.meetings = sorted(set(MEETING_LINK.findall(page)))

    @task(3)
    def my_dashboard(self) -> None:
        self.dashboard()

    @task(4)
    def goal_page(self) -> None:
        self.page(f"/goals/{random.choice(self.goals)}/", name="/goals/[id]/")

    @task(2)
    def log_progress(self) -> None:
        goal = random.choice(self.goals)
        html = self.page(f"/goals/{goal}/", name="/goals/[id]/")
        if f'action="/goals/{goal}/progress/"' not in html:
            return  # in review: nothing to log yet
        data = {"note": "Worked on it this week.", "csrfmiddlewaretoken": _csrf(html)}
        if 'name="value"' in html:
            data["value"] = str(random.randint(1, 40))
        if self.submit(
            f"/goals/{goal}/progress/",
            data,
            name="/goals/[id]/progress/ (POST)",
            expect=f"/goals/{goal}/",
        ):
            self.page(f"/goals/{goal}/", name="/goals/[id]/")

    @task(1)
    def mentorship_page(self) -> None:
        self.page(f"/mentorships/{self.mentorships[0]}/", name="/mentorships/[id]/")

    @task(1)
    def meeting_page(self) -> None:
        if self.meetings:
            self.page(f"/meetings/{random.choice(self.meetings)}/", name="/meetings/[id]/")


class Mentor(Member):
    """A mentor with three mentees, who answers the requests seekers send."""

    fixed_count = 8
    kind = "mentor"

    def account(self, number: int) -> str:
        return f"mentor{number:02d}@{DOMAIN}"

    def after_login(self) -> None:
        profile = self.page("/profile/", name="/profile/")
        match = PROFILE_NAME.search(profile)
        if match:
            with _Cast.lock:
                _Cast.mentor_names.append(htmllib.unescape(match.group(1).strip()))
        board = self.page("/goals/review/", name="/goals/review/")
        self.goals = sorted(set(GOAL_LINK.findall(board)))
        html = self.dashboard()
        self.mentorships = sorted(set(MENTORSHIP_LINK.findall(html)))
        page = self.page(f"/mentorships/{self.mentorships[0]}/", name="/mentorships/[id]/")
        self.meetings = sorted(set(MEETING_LINK.findall(page)))

    @task(3)
    def my_dashboard(self) -> None:
        self.dashboard()

    @task(2)
    def review_board(self) -> None:
        self.page("/goals/review/")

    @task(2)
    def mentee_goal(self) -> None:
        if self.goals:
            self.page(f"/goals/{random.choice(self.goals)}/", name="/goals/[id]/")

    @task(1)
    def meeting_page(self) -> None:
        if self.meetings:
            self.page(f"/meetings/{random.choice(self.meetings)}/", name="/meetings/[id]/")

    @task(2)
    def answer_requests(self) -> None:
        """Accept the oldest waiting request, then close that mentorship as completed."""
        html = self.page("/requests/")
        inbox = html.split('id="inbox-heading"', 1)[-1].split("Answered or closed", 1)[0]
        waiting = REQUEST_LINK.findall(inbox) if 'id="inbox-heading"' in html else []
        if not waiting:
            return
        request = waiting[-1]
        page = self.page(f"/requests/{request}/", name="/requests/[id]/")
        if f'action="/requests/{request}/accept/"' not in page:
            return
        location = self.submit(
            f"/requests/{request}/accept/",
            {"csrfmiddlewaretoken": _csrf(page)},
            name="/requests/[id]/accept/ (POST)",
            expect="/mentorships/",
        )
        if not location:
            return
        mentorship = self.page(location, name="/mentorships/[id]/")
        if not mentorship:
            return
        self.submit(
            f"{location}end/",
            {"outcome": "completed", "reason": "", "csrfmiddlewaretoken": _csrf(mentorship)},
            name="/mentorships/[id]/end/ (POST)",
            expect="/mentorships/",
        )
