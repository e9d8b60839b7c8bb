"""Comparing two runs of one cohort before publishing one of them.

Metrics side by side with the difference; the mentees whose pairing differs (another
mentor, or matched in one run only), 50 a page and searchable; the counts of each kind;
the same access rules as the review page; and a page whose queries and size do not grow
with the runs.
"""

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts.models import User
from matching.models import Cohort, Enrollment, MatchRun, MatchRunPair, MatchRunStatus, Role
from matching.services import join_cohort
from tests.factories import CohortFactory, ProfileFactory, UserFactory, make_programme_admin

pytestmark = pytest.mark.django_db


def _person(cohort: Cohort, role: Role, name: str) -> Enrollment:
    made = ProfileFactory(
        display_name=name,
        user__email=f"{name.lower().replace(' ', '-')}@example.org",
        wants_mentoring=role == Role.MENTEE,
        wants_to_mentor=role == Role.MENTOR,
        enrolled=False,
    )
    return join_cohort(user=made.user, cohort=cohort, role=role)


def _run(cohort: Cohort, mode: str = "optimal", **metrics: Any) -> MatchRun:
    return MatchRun.objects.create(
        cohort=cohort, mode=mode, status=MatchRunStatus.DRAFT, metrics=metrics
    )


def _pair(run: MatchRun, mentee: Enrollment, mentor: Enrollment, score: float) -> None:
    MatchRunPair.objects.create(
        run=run, mentee_enrollment=mentee, mentor_enrollment=mentor, score=score
    )


def _compare(a: MatchRun, b: MatchRun, **query: Any) -> str:
    url = reverse("admin:matching_matchrun_compare", args=[a.pk, b.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _rows(html: str) -> list[list[str]]:
    """The differences table as text cells, row by row."""
    body = html.split('id="differences"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    return [
        [
            re.sub(r"<[^>]+>", " ", cell).split()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


@pytest.fixture
def cohort() -> Cohort:
    return CohortFactory(name="Compare Programme", slug="compare")


@pytest.fixture
def owner(cohort: Cohort) -> User:
    return make_programme_admin(cohort)


@pytest.fixture
def two_runs(cohort: Cohort) -> tuple[MatchRun, MatchRun]:
    """Five mentees, two mentors, by hand:

    Ann    A: Max 0.9   B: Max 0.9    same
    Ben    A: Max 0.8   B: Mia 0.6    different mentor
    Cat    A: Mia 0.7   B: –          A only
    Dan    A: –         B: Mia 0.5    B only
    Eve    A: –         B: –          in neither: not listed
    """
    max_, mia = (_person(cohort, Role.MENTOR, n) for n in ("Max Mentor", "Mia Mentor"))
    ann, ben, cat, dan = (
        _person(cohort, Role.MENTEE, f"{n} Mentee") for n in ("Ann", "Ben", "Cat", "Dan")
    )
    _person(cohort, Role.MENTEE, "Eve Mentee")
    a = _run(cohort, "optimal", matched=3, coverage=0.6, total_score=2.4, blocking_pairs=2)
    b = _run(cohort, "stable", matched=3, coverage=0.6, total_score=2.0, blocking_pairs=0)
    _pair(a, ann, max_, 0.9)
    _pair(a, ben, max_, 0.8)
    _pair(a, cat, mia, 0.7)
    _pair(b, ann, max_, 0.9)
    _pair(b, ben, mia, 0.6)
    _pair(b, dan, mia, 0.5)
    return a, b


# --- What the page says ---------------------------------------------------------------


def test_the_summary_counts_each_kind_of_difference(client, owner, two_runs):
    client.force_login(owner)
    html = client.get(_compare(*two_runs)).content.decode()
    for label, count in [
        ("Same mentor", 1),
        ("Different mentor", 1),
        ("Matched in A only", 1),
        ("Matched in B only", 1),
    ]:
        assert re.search(rf"{label}: <strong>{count}</strong>", html), label
    assert "Pairs that differ (3)" in html


def test_the_differences_list_each_sides_mentor_and_score(client, owner, two_runs):
    client.force_login(owner)
    rows = _rows(client.get(_compare(*two_runs)).content.decode())
    assert rows == [
        [
            ["Ben", "Mentee", "ben-mentee@example.org"],
            ["Different", "mentor"],
            ["Max", "Mentor", "max-mentor@example.org"],
            ["0.800"],
            ["Mia", "Mentor", "mia-mentor@example.org"],
            ["0.600"],
        ],
        [
            ["Cat", "Mentee", "cat-mentee@example.org"],
            ["Matched", "in", "A", "only"],
            ["Mia", "Mentor", "mia-mentor@example.org"],
            ["0.700"],
            ["no", "mentor"],
            ["–"],
        ],
        [
            ["Dan", "Mentee", "dan-mentee@example.org"],
            ["Matched", "in", "B", "only"],
            ["no", "mentor"],
            ["–"],
            ["Mia", "Mentor", "mia-mentor@example.org"],
            ["0.500"],
        ],
    ]


def test_the_metrics_stand_side_by_side_with_b_minus_a(client, owner, two_runs):
    client.force_login(owner)
    html = client.get(_compare(*two_runs)).content.decode()
    table = html.split('id="compare-metrics"', 1)[1].split("</table>", 1)[0]
    total = re.search(r"Total score</th>(.*?)</tr>", table, re.S)
    assert total is not None
    assert re.findall(r'<td class="score">([^<]*)</td>', total.group(1)) == [
        "2.40",
        "2.00",
        "-0.40",
    ]
    blocking = re.search(r"Blocking pairs</th>(.*?)</tr>", table, re.S)
    assert blocking is not None
    assert re.findall(r'<td class="score">([^<]*)</td>', blocking.group(1)) == ["2", "0", "-2"]
    # A metric neither run has is a dash, not a zero.
    lowest = re.search(r"Lowest pair score</th>(.*?)</tr>", table, re.S)
    assert lowest is not None and lowest.group(1).count("–") == 3


def test_swapping_the_runs_swaps_the_sides(client, owner, two_runs):
    a, b = two_runs
    client.force_login(owner)
    html = client.get(_compare(b, a)).content.decode()
    assert re.search(r"Matched in A only: <strong>1</strong>", html)
    kinds = [row[1] for row in _rows(html)]
    assert kinds == [
        ["Different", "mentor"],
        ["Matched", "in", "A", "only"],
        ["Matched", "in", "B", "only"],
    ]
    assert _rows(html)[1][0][0] == "Dan"


def test_searching_finds_a_mentee_or_either_mentor(client, owner, two_runs):
    client.force_login(owner)
    assert [r[0][0] for r in _rows(client.get(_compare(*two_runs, q="cat")).content.decode())] == [
        "Cat"
    ]
    by_mentor = _rows(client.get(_compare(*two_runs, q="mia-mentor@")).content.decode())
    assert [r[0][0] for r in by_mentor] == ["Ben", "Cat", "Dan"]
    nobody = client.get(_compare(*two_runs, q="zzz")).content.decode()
    assert "No difference matches" in nobody and "Pairs that differ (0 of 3)" in nobody


def test_one_kind_of_difference_can_be_listed_alone(client, owner, two_runs):
    client.force_login(owner)
    rows = _rows(client.get(_compare(*two_runs, kind=3)).content.decode())
    assert [r[0][0] for r in rows] == ["Dan"]
    # A kind that is no kind shows them all.
    assert len(_rows(client.get(_compare(*two_runs, kind="x")).content.decode())) == 3


def test_identical_runs_say_so(client, owner, cohort):
    mentor, mentee = _person(cohort, Role.MENTOR, "Max Mentor"), _person(cohort, Role.MENTEE, "Ann")
    a, b = _run(cohort), _run(cohort)
    _pair(a, mentee, mentor, 0.5)
    _pair(b, mentee, mentor, 0.5)
    client.force_login(owner)
    html = client.get(_compare(a, b)).content.decode()
    assert "The two runs pair every mentee the same way." in html


def test_the_review_page_offers_the_cohorts_other_runs_with_pairs(client, owner, cohort, two_runs):
    a, b = two_runs
    empty = _run(cohort)  # no pairs: nothing to compare with
    elsewhere = _run(CohortFactory())
    client.force_login(owner)
    html = client.get(reverse("admin:matching_matchrun_change", args=[a.pk])).content.decode()
    assert _compare(a, b) in html
    assert _compare(a, empty) not in html and _compare(a, elsewhere) not in html


# --- Who may look ------------------------------------------------------------------------


def test_a_programme_admin_of_another_cohort_gets_404_on_either_run(client, two_runs):
    a, b = two_runs
    theirs = _run(CohortFactory())
    client.force_login(make_programme_admin(theirs.cohort))
    assert client.get(_compare(a, b)).status_code == 404
    assert client.get(_compare(theirs, a)).status_code == 404
    assert client.get(_compare(a, theirs)).status_code == 404


def test_runs_of_two_cohorts_are_not_compared_even_by_their_admin(client, two_runs):
    a, _ = two_runs
    other = _run(CohortFactory())
    both = make_programme_admin(a.cohort, other.cohort)
    client.force_login(both)
    assert client.get(_compare(a, other)).status_code == 404
    assert client.get(_compare(other, a)).status_code == 404


def test_a_superuser_may_compare_any_cohorts_runs(client, two_runs):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(_compare(*two_runs)).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, two_runs):
    response = client.get(_compare(*two_runs))
    assert response.status_code == 302 and "login" in response["Location"]


def test_participants_are_sent_to_log_in(client, cohort, two_runs):
    client.force_login(_person(cohort, Role.MENTEE, "Zed Mentee").user)
    response = client.get(_compare(*two_runs))
    assert response.status_code == 302 and "login" in response["Location"]


def test_bad_ids_are_404(client, owner, two_runs):
    a, _ = two_runs
    client.force_login(owner)
    assert client.get(_compare(a, MatchRun(pk=999_999))).status_code == 404
    # The admin's catch-all sends ids that are no number to a change page, which is a 404.
    for bad in ("x", "-1", "1.5"):
        url = f"/admin/matching/matchrun/{a.pk}/compare/{bad}/"
        assert client.get(url, follow=True).status_code == 404


def test_a_run_compared_with_itself_goes_back_to_its_review(client, owner, two_runs):
    a, _ = two_runs
    client.force_login(owner)
    response = client.get(_compare(a, a))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:matching_matchrun_change", args=[a.pk])


def test_the_page_is_read_only(client, owner, two_runs):
    client.force_login(owner)
    assert client.post(_compare(*two_runs)).status_code == 405


# --- At the size of a company programme ----------------------------------------------


def _big_runs(cohort: Cohort, pairs: int) -> tuple[MatchRun, MatchRun]:
    """Two runs of ``pairs`` mentees each: every other mentee changes mentor, and one
    mentee on each side is matched in that run only."""
    mentors = [_person(cohort, Role.MENTOR, f"Mentor P{pairs} M{i}") for i in range(2)]
    mentees = [_person(cohort, Role.MENTEE, f"Mentee P{pairs} N{i:03d}") for i in range(pairs + 1)]
    a, b = _run(cohort), _run(cohort, "stable")
    for i, mentee in enumerate(mentees):
        if i < pairs:
            _pair(a, mentee, mentors[0], 0.5)
        if i > 0:
            _pair(b, mentee, mentors[i % 2], 0.4)
    return a, b


def _compare_queries(client: Client, a: MatchRun, b: MatchRun) -> tuple[int, int]:
    client.get(_compare(a, b))  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_compare(a, b))
    assert response.status_code == 200
    return len(queries), len(response.content)


def test_the_compare_page_costs_the_same_queries_for_5_or_50_pairs(client, cohort, owner):
    client.force_login(owner)
    small, _ = _compare_queries(client, *_big_runs(cohort, 5))
    large, _ = _compare_queries(client, *_big_runs(cohort, 50))
    assert small == large
    assert large <= 12


def test_the_compare_page_shows_50_differences_a_page_and_stays_small(client, cohort, owner):
    a, b = _big_runs(cohort, 120)
    client.force_login(owner)
    html = client.get(_compare(a, b)).content.decode()
    # Odd mentees 1..119 changed mentor (60), mentee 0 is A's only, mentee 120 B's only.
    assert "Different mentor: <strong>60</strong>" in html
    assert "Same mentor: <strong>59</strong>" in html
    assert "Pairs that differ (62)" in html and "Page 1 of 2" in html
    assert len(_rows(html)) == 50
    second = client.get(_compare(a, b, page=2)).content.decode()
    assert len(_rows(second)) == 12
    assert len(html.encode()) < 150_000
