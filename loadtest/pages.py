"""Time the load test's busiest pages in-process, one person at a time: `make load-pages`.

Runs against the load test's database (``manage.py seed_load``, as ``make load`` creates
it) with production settings, through the Django test client as three real people (a
mentee looking for a mentor, a mentee with one, a mentor). For each page it prints the
median time of N requests after a first one, the number of queries and their time, and
checks the issue's bars: a median of at most 20 ms and at most 12 queries per page. It
exits 1 when a page misses either. Where ``make load`` measures the site under a rate of
visits, this shows what one page costs and what it queries; SQL=1 prints the queries,
PROFILE=cumulative (or tottime) a cProfile of each page, ONLY=text keeps the pages whose
address contains it. The in-process time is CPU time on a shared machine: the load
average is printed beside the table, as a busy neighbour inflates the medians.
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mentorship_load")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "load-pages-only-not-a-real-secret-but-long-enough-0123")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("CONN_MAX_AGE", "60")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DJANGO_SETTINGS_MODULE"] = "mentorship.settings"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402

DOMAIN = "demo.mentorship.test"
N = int(os.environ.get("N", "30"))
# The bars for one page, in-process: what every page of the mix must cost.
MEDIAN_BAR_MS = 20.0
QUERY_BAR = 12


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def first(pattern: str, html: str) -> str:
    found = re.findall(pattern, html)
    if not found:
        raise SystemExit(f"Nothing matches {pattern!r}: is the load database seeded?")
    return sorted(set(found))[0]


class _Recorder:
    """A database execute wrapper noting each query's time and SQL."""

    def __init__(self, into: list[tuple[float, str]]) -> None:
        self.into = into

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.into.append((time.perf_counter() - start, sql))


def main() -> None:
    seeker = signed_in(f"mentee9801@{DOMAIN}")
    learner = signed_in(f"mentee001@{DOMAIN}")
    mentor = signed_in(f"mentor01@{DOMAIN}")
    mentorship = first(r'href="/mentorships/(\d+)/"', learner.get("/dashboard/").text)
    page = learner.get(f"/mentorships/{mentorship}/").text
    goal = first(r'href="/goals/(\d+)/"', page)
    meeting = first(r'href="/meetings/(\d+)/"', page)
    directory = seeker.get("/mentors/").text
    mentor_id = first(r'href="/mentors/(\d+)/"', directory)
    skill = re.findall(r'<select name="skills".*?<option value="([^"]+)"', directory, re.S)[0]
    pages = [
        (seeker, "/mentors/"),
        (seeker, f"/mentors/?skills={skill}&free_only=on"),
        (seeker, "/mentors/?q=python"),
        (seeker, "/mentors/?page=7"),
        (seeker, f"/mentors/{mentor_id}/"),
        (seeker, "/dashboard/"),
        (seeker, "/requests/"),
        (learner, "/dashboard/"),
        (learner, f"/goals/{goal}/"),
        (learner, f"/mentorships/{mentorship}/"),
        (learner, f"/meetings/{meeting}/"),
        (mentor, "/dashboard/"),
        (mentor, "/goals/review/"),
        (mentor, "/requests/"),
    ]
    who = {id(seeker): "seeker", id(learner): "learner", id(mentor): "mentor"}
    only = os.environ.get("ONLY", "")
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    rows: list[tuple[str, str, float, int, float]] = []
    for client, url in pages:
        if only not in url:
            continue
        assert client.get(url).status_code == 200, url
        queries: list[tuple[float, str]] = []

        with connection.execute_wrapper(_Recorder(queries)):
            client.get(url)
        times = []
        profile = None
        if os.environ.get("PROFILE"):
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        for _ in range(N):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if profile:
            import pstats

            profile.disable()
            print(f"--- {who[id(client)]} {url}")
            pstats.Stats(profile).sort_stats(os.environ["PROFILE"]).print_stats(30)
        if os.environ.get("SQL"):
            print(f"--- {who[id(client)]} {url}: {len(queries)} queries")
            for seconds, sql in queries:
                print(f"    {seconds * 1000:6.2f} ms  {sql[:200]}")
        rows.append(
            (
                who[id(client)],
                url,
                statistics.median(times),
                len(queries),
                sum(s for s, _ in queries) * 1000,
            )
        )
    sys.exit(0 if report(rows, load_before) else 1)


def report(rows: list[tuple[str, str, float, int, float]], load_before: str) -> bool:
    """Print the table with each page's misses; answer whether every page met both bars."""
    load_after = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(
        f"\n{'who':8} {'page':45} {'median':>8} {'queries':>7} {'in SQL':>8}  "
        f"bar: <= {MEDIAN_BAR_MS:g} ms, <= {QUERY_BAR} queries"
    )
    missed = 0
    for who, url, median, count, sql_ms in rows:
        misses = []
        if median > MEDIAN_BAR_MS:
            misses.append("time")
        if count > QUERY_BAR:
            misses.append("queries")
        missed += bool(misses)
        print(
            f"{who:8} {url[:45]:45} {median:5.1f} ms {count:7d} {sql_ms:5.1f} ms  "
            + ("MISSES " + " and ".join(misses) if misses else "ok")
        )
    print(
        f"{len(rows) - missed} of {len(rows)} pages meet both bars (median of {N} requests "
        f"each); load average before {load_before}, after {load_after} on "
        f"{os.cpu_count()} cores."
    )
    return missed == 0


if __name__ == "__main__":
    main()
