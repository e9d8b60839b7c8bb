"""Time the programme admin's console on seed_load's community and print a Markdown table.

    DATABASE_URL=postgres://.../mentorship_load python -m benchmarks.admin_pages

Needs a database seeded by ``manage.py seed_load`` (one cohort of 2,000 mentors and
10,000 mentees). Each page is opened in-process through Django's test client, as a
programme admin of that cohort, once to warm up and then REPEATS times; the table gives
the median time, the HTML size and the number of queries. The bars (issue #13): at most
1 s and 1 MiB per page, with a query count that does not grow with the cohort.
"""

import os
import statistics
import sys
import time
from dataclasses import dataclass

import django

REPEATS = 3
TIME_BAR_S = 1.0
SIZE_BAR_BYTES = 1024 * 1024


@dataclass
class Row:
    page: str
    seconds: float
    size: int
    queries: int
    status: int

    @property
    def within(self) -> bool:
        return self.status == 200 and self.seconds <= TIME_BAR_S and self.size <= SIZE_BAR_BYTES


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    django.setup()

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import User
    from matching.models import Cohort, Enrollment, MatchRun
    from programmes.groups import PROGRAMME_ADMIN_GROUP

    cohort = (
        Cohort.objects.filter(is_default=False).order_by("-pk").first()
        or Cohort.objects.order_by("pk").first()
    )
    if cohort is None or not Enrollment.objects.filter(cohort=cohort).exists():
        print("No seeded cohort: run `manage.py seed_load` on this database first.")
        return 2
    admin, _ = User.objects.get_or_create(
        email="bench-programme-admin@example.org", defaults={"is_staff": True}
    )
    admin.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
    cohort.admins.add(admin)
    if not Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(admin, generate_totp_secret())

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    people = Enrollment.objects.filter(cohort=cohort).count()
    c = cohort.pk

    def listing(model: str, query: str = "") -> str:
        return reverse(f"admin:{model}_changelist") + f"?cohort={c}{query}"

    pages = [
        ("home", reverse("admin:index")),
        ("cohort list", reverse("admin:matching_cohort_changelist")),
        ("cohort page", reverse("admin:matching_cohort_change", args=[c])),
        ("mentees", listing("matching_enrollment", "&role__exact=mentee")),
        (
            "mentees without a mentor",
            listing("matching_enrollment", "&role__exact=mentee&matched=no"),
        ),
        ("requests", listing("matching_mentorshiprequest")),
        ("mentorships", listing("matching_mentorship")),
        (
            "mentorships, no meeting or message in 30 days",
            listing("matching_mentorship", "&quiet=yes"),
        ),
        ("goals", listing("goals_goal")),
        ("goals behind plan", listing("goals_goal", "&pace=behind")),
        ("invitations", listing("programmes_invitation")),
        ("report", reverse("admin:programmes_cohort_report", args=[c])),
        ("audit log", listing("matching_auditentry")),
        ("match runs", listing("matching_matchrun")),
        ("suggestions", listing("matching_suggestion")),
    ]
    # A draft of the whole cohort, and two compared, when benchmarks.cohort_jobs left them.
    drafts = list(MatchRun.objects.filter(cohort=cohort, status="draft").order_by("-pk")[:2])
    if drafts:
        run = drafts[0].pk
        pages += [
            ("draft review", reverse("admin:matching_matchrun_change", args=[run])),
            (
                "draft, weakest first",
                reverse("admin:matching_matchrun_change", args=[run]) + "?sort=score",
            ),
        ]
    if len(drafts) == 2:
        pages.append(
            (
                "two drafts compared",
                reverse("admin:matching_matchrun_compare", args=[drafts[0].pk, drafts[1].pk]),
            )
        )
    rows = []
    for name, url in pages:
        client.get(url)
        times, size, queries, status = [], 0, 0, 0
        for _ in range(REPEATS):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            size, queries, status = len(response.content), len(captured), response.status_code
        rows.append(Row(name, statistics.median(times), size, queries, status))

    print(f"Cohort {cohort.name!r}: {people:,} enrollments; median of {REPEATS}, in-process.\n")
    print("| page | time | HTML | queries | within 1 s and 1 MiB |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.page} | {row.seconds * 1000:,.0f} ms | {row.size / 1024:,.0f} KiB "
            f"| {row.queries} | {'yes' if row.within else f'**NO** ({row.status})'} |"
        )
    return 0 if all(row.within for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
