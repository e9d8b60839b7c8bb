"""Time the load test's busiest pages in-process, one person at a time: `make load-pages`.

Runs against the load test's database (``manage.py seed_load``, as ``make load`` creates
it) with production settings, through the Django test client as three real people (a
mentee looking for a mentor, a mentee with one, a mentor). For each page it prints the
median time of N requests after a first one, the number of queries and their time. Where
``make load`` measures the whole machine under 32 people, this shows what one page costs
and what it queries; SQL=1 prints the queries, PROFILE=cumulative (or tottime) a
cProfile of each page, ONLY=text keeps the pages whose address contains it.
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
            pstats.Stats(profile).sort_stats(os.environ["PROFILE"]).print_stats(30)
        if os.environ.get("SQL"):
            for seconds, sql in queries:
                print(f"    {seconds * 1000:6.2f} ms  {sql[:200]}")
        print(
            f"{who[id(client)]:8} {url[:45]:45} {statistics.median(times):6.1f} ms"
            f"  {len(queries):3d} queries  {sum(s for s, _ in queries) * 1000:5.1f} ms in SQL"
        )


if __name__ == "__main__":
    main()
