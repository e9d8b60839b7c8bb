"""Reviewing a match run's draft at the size of a company programme.

Pages of 50 pairs, searched and sorted; the unmatched mentees with why; pairing one of
them; changing a mentor by name or email (typed, or through the mentors endpoint); the
metrics recounted after every edit; and a page whose queries and size do not grow with
the draft.
"""

from typing import Any

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from accounts.models import User
from matching.models import (
    Cohort,
    Enrollment,
    MatchRun,
    MatchRunPair,
    MatchRunStatus,
    MatchRunUnmatched,
    MatchWeights,
    Role,
    UnmatchedReason,
)
from matching.reasons import in_words
from matching.services import default_cohort, join_cohort, runs
from tests.factories import CohortFactory, ProfileFactory, make_programme_admin

pytestmark = pytest.mark.django_db

BREAKDOWN = {"skills": 0.5, "goals": 0.25, "experience": 0.75, "total": 0.5}


def _person(cohort: Cohort, role: Role, name: str, **profile: Any) -> Enrollment:
    made = ProfileFactory(
        display_name=name,
        user__email=f"{name.lower().replace(' ', '-')}@example.org",
        wants_mentoring=role == Role.MENTEE,
        wants_to_mentor=role == Role.MENTOR,
        enrolled=False,
        **profile,
    )
    return join_cohort(user=made.user, cohort=cohort, role=role)


def _review(run: MatchRun, **query: Any) -> str:
    return reverse("admin:matching_matchrun_change", args=[run.pk]) + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- A synthetic draft: many pairs, no engine -----------------------------------------


@pytest.fixture
def cohort() -> Cohort:
    return CohortFactory(name="Review Programme", slug="review")


@pytest.fixture
def owner(cohort: Cohort) -> User:
    return make_programme_admin(cohort)


def _draft(cohort: Cohort, owner: User, pairs: int, unmatched: int = 0) -> MatchRun:
    """A draft of ``pairs`` pairs (scores 0.000, 0.001, ...) on one mentor."""
    run = MatchRun.objects.create(
        cohort=cohort,
        mode="optimal",
        status=MatchRunStatus.DRAFT,
        created_by=owner,
        metrics={"mentees": pairs + unmatched, "matched": pairs, "coverage": 1.0},
    )
    mentor = _person(cohort, Role.MENTOR, f"Mentor R{run.pk}", mentor_capacity=10)
    for i in range(pairs):
        MatchRunPair.objects.create(
            run=run,
            mentee_enrollment=_person(cohort, Role.MENTEE, f"Mentee R{run.pk} N{i:03d}"),
            mentor_enrollment=mentor,
            score=i / 1000,
            breakdown=BREAKDOWN,
            reasons=["Shares 1 of your 1 learning goals: Public speaking"],
        )
    for i in range(unmatched):
        MatchRunUnmatched.objects.create(
            run=run,
            mentee_enrollment=_person(cohort, Role.MENTEE, f"Waiting R{run.pk} N{i:03d}"),
            reason=UnmatchedReason.ALLOWED_MENTORS_FULL,
            allowed_mentors=3,
        )
    return run


def _rows(html: str, prefix: str) -> list[str]:
    """The names starting with ``prefix`` in page order (each is shown once as a name)."""
    import re

    return re.findall(rf">({prefix}[^<]*)<br>", html)


def test_the_review_page_shows_50_pairs_a_page_best_first(client, cohort, owner):
    run = _draft(cohort, owner, pairs=60)
    client.force_login(owner)
    first = client.get(_review(run)).content.decode()
    names = _rows(first, "Mentee ")
    assert len(names) == 50 and names[0].endswith("N059") and names[-1].endswith("N010")
    assert "Page 1 of 2" in first and "Publish 60 pairs" in first
    second = _rows(client.get(_review(run, page=2)).content.decode(), "Mentee ")
    assert len(second) == 10 and second[-1].endswith("N000")


def test_sorting_by_score_ascending_shows_the_weak_end_first(client, cohort, owner):
    run = _draft(cohort, owner, pairs=60)
    client.force_login(owner)
    names = _rows(client.get(_review(run, sort="score")).content.decode(), "Mentee ")
    assert names[0].endswith("N000") and names[49].endswith("N049")


@pytest.mark.parametrize("page", ["x", "0", "-1", "999", "1.5"])
def test_a_page_number_out_of_range_or_no_number_still_shows_a_page(client, cohort, owner, page):
    run = _draft(cohort, owner, pairs=3)
    client.force_login(owner)
    response = client.get(_review(run, page=page, upage=page))
    assert response.status_code == 200 and len(_rows(response.content.decode(), "Mentee ")) == 3


def test_searching_finds_pairs_by_mentee_or_mentor_name_or_email(client, cohort, owner):
    run = _draft(cohort, owner, pairs=12, unmatched=2)
    client.force_login(owner)
    html = client.get(_review(run, q="N011")).content.decode()
    assert _rows(html, "Mentee ") == [f"Mentee R{run.pk} N011"]
    assert "1 of 12 match" in html
    by_email = client.get(_review(run, q=f"mentee-r{run.pk}-n003@example")).content.decode()
    assert _rows(by_email, "Mentee ") == [f"Mentee R{run.pk} N003"]
    by_mentor = client.get(_review(run, q=f"Mentor R{run.pk}")).content.decode()
    assert len(_rows(by_mentor, "Mentee ")) == 12
    waiting = client.get(_review(run, q="Waiting")).content.decode()
    assert _rows(waiting, "Mentee ") == [] and len(_rows(waiting, "Waiting ")) == 2


def test_each_pair_shows_its_score_breakdown_and_reasons(client, cohort, owner):
    run = _draft(cohort, owner, pairs=1)
    client.force_login(owner)
    html = client.get(_review(run)).content.decode()
    assert "<li>skills 0.50</li>" in html and "<li>experience 0.75</li>" in html
    assert "<li>total" not in html
    assert "Shares 1 of your 1 learning goals: Public speaking" in html


def test_no_pair_offers_a_select_of_every_mentor(client, cohort, owner):
    run = _draft(cohort, owner, pairs=3)
    client.force_login(owner)
    html = client.get(_review(run)).content.decode()
    assert '<select name="mentor_enrollment"' not in html
    assert html.count('list="mentor-options"') == 3 and "js/match-review.js" in html


def _review_queries(client: Client, run: MatchRun) -> tuple[int, int]:
    client.get(_review(run))  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_review(run))
    assert response.status_code == 200
    return len(queries), len(response.content)


def test_the_review_page_costs_the_same_queries_for_5_or_50_pairs(client, cohort, owner):
    client.force_login(owner)
    small, _ = _review_queries(client, _draft(cohort, owner, pairs=5, unmatched=5))
    large, _ = _review_queries(client, _draft(cohort, owner, pairs=50, unmatched=50))
    assert small == large
    assert large <= 12


def test_the_review_page_stays_small_with_300_pairs(client, cohort, owner):
    client.force_login(owner)
    run = _draft(cohort, owner, pairs=300, unmatched=60)
    queries, size = _review_queries(client, run)
    # The old page was ~84 kB per pair at 2,000 mentors; a page of 50 pairs is ~100 kB.
    assert size < 200_000
    assert queries <= 12


# --- A real run: the engine's draft, unmatched mentees, edits -------------------------


@pytest.fixture
def programme_admin() -> User:
    return make_programme_admin(default_cohort())


@pytest.fixture
def people() -> dict[str, Enrollment]:
    """One mentor with one place; two mentees who could both take it; one who shares no
    language with any mentor."""
    cohort = default_cohort()
    return {
        "mentor": _person(cohort, Role.MENTOR, "Maria Mentor", mentor_capacity=1),
        "ann": _person(cohort, Role.MENTEE, "Ann Mentee"),
        "bob": _person(cohort, Role.MENTEE, "Bob Mentee"),
        "dora": _person(cohort, Role.MENTEE, "Dora Deutsch", languages=["de"]),
    }


@pytest.fixture
def draft(programme_admin, people, django_capture_on_commit_callbacks) -> MatchRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.start_run(cohort=default_cohort(), mode="optimal", by=programme_admin)
    run.refresh_from_db()
    assert run.status == MatchRunStatus.DRAFT and run.pairs.count() == 1
    return run


def _waiting(run: MatchRun, enrollment: Enrollment) -> MatchRunUnmatched:
    return run.unmatched.get(mentee_enrollment=enrollment)


def test_a_run_stores_its_unmatched_mentees_with_why(draft, people):
    paired = draft.pairs.get().mentee_enrollment
    left_out = people["bob"] if paired == people["ann"] else people["ann"]
    full = _waiting(draft, left_out)
    assert (full.reason, full.allowed_mentors) == (UnmatchedReason.ALLOWED_MENTORS_FULL, 1)
    nobody = _waiting(draft, people["dora"])
    assert (nobody.reason, nobody.allowed_mentors) == (UnmatchedReason.NO_ALLOWED_MENTOR, 0)
    assert draft.unmatched.count() == 2


def test_the_review_page_lists_the_unmatched_with_why(client, draft, programme_admin):
    client.force_login(programme_admin)
    html = client.get(_review(draft)).content.decode()
    assert "Unmatched mentees (2)" in html
    assert "Every mentor they may be paired with is full (1 allowed mentor)" in html
    assert "No mentor they may be paired with" in html and "Dora Deutsch" in html


def _left_out(run: MatchRun, people: dict[str, Enrollment]) -> Enrollment:
    paired = run.pairs.get().mentee_enrollment
    return people["bob"] if paired == people["ann"] else people["ann"]


def test_add_pair_pairs_an_unmatched_mentee_with_an_allowed_mentor(
    draft, people, programme_admin, django_capture_on_commit_callbacks
):
    mentee = _left_out(draft, people)
    second = _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        pair = runs.add_pair(
            run=draft, mentee_enrollment=mentee, mentor_enrollment=second, by=programme_admin
        )
    assert pair.mentor_enrollment == second and 0 < pair.score <= 1
    assert (
        pair.breakdown["skills"] >= 0
        and in_words(pair.reasons[0]) == "Chosen by the programme team"
    )
    assert not draft.unmatched.filter(mentee_enrollment=mentee).exists()
    draft.refresh_from_db()
    assert draft.metrics["matched"] == 2
    entry = draft.cohort.audit_entries.filter(details__change="add_pair").get()
    assert entry.actor == programme_admin and mentee.user.email in entry.summary


def test_add_pair_refuses_a_full_mentor(draft, people, programme_admin):
    with pytest.raises(Exception, match="no free place left"):
        runs.add_pair(
            run=draft,
            mentee_enrollment=_left_out(draft, people),
            mentor_enrollment=people["mentor"],
            by=programme_admin,
        )
    assert draft.pairs.count() == 1


def test_add_pair_refuses_a_pair_the_engine_forbids(draft, people, programme_admin):
    second = _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=2)
    with pytest.raises(Exception, match="share no language"):
        runs.add_pair(
            run=draft,
            mentee_enrollment=people["dora"],
            mentor_enrollment=second,
            by=programme_admin,
        )
    # Everyone made by the factory works at Acme: blocking the same organisation rules
    # out every pair.
    MatchWeights.objects.create(cohort=default_cohort(), version=2, block_same_organisation=True)
    with pytest.raises(Exception, match="work for the same organisation"):
        runs.add_pair(
            run=draft,
            mentee_enrollment=_left_out(draft, people),
            mentor_enrollment=second,
            by=programme_admin,
        )
    assert draft.pairs.count() == 1 and draft.unmatched.count() == 2


def test_add_pair_only_pairs_this_runs_unmatched(draft, people, programme_admin):
    paired = draft.pairs.get().mentee_enrollment
    second = _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=1)
    with pytest.raises(Exception, match="not among this draft's unmatched"):
        runs.add_pair(
            run=draft, mentee_enrollment=paired, mentor_enrollment=second, by=programme_admin
        )


def test_the_metrics_are_recounted_after_every_edit(
    draft, people, programme_admin, django_capture_on_commit_callbacks
):
    pair = draft.pairs.get()
    second = _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=2)
    before = dict(draft.metrics)
    with django_capture_on_commit_callbacks(execute=True):
        runs.remove_pair(pair=pair, by=programme_admin)
    draft.refresh_from_db()
    metrics = draft.metrics
    assert (metrics["matched"], metrics["total_score"], metrics["coverage"]) == (0, 0.0, 0.0)
    assert metrics["min_score"] is None and metrics["p10_score"] is None
    # The removed mentee now blocks: they prefer the free mentor to nothing.
    assert metrics["blocking_pairs"] > before["blocking_pairs"]
    assert metrics["counted_generation"] == metrics["generation"] == 1
    assert _waiting(draft, pair.mentee_enrollment).reason == UnmatchedReason.REMOVED

    with django_capture_on_commit_callbacks(execute=True):
        added = runs.add_pair(
            run=draft,
            mentee_enrollment=pair.mentee_enrollment,
            mentor_enrollment=people["mentor"],
            by=programme_admin,
        )
    draft.refresh_from_db()
    assert draft.metrics["matched"] == 1 and draft.metrics["min_score"] == pytest.approx(
        added.score
    )
    assert draft.metrics["counted_generation"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        changed = runs.change_mentor(pair=added, mentor_enrollment=second, by=programme_admin)
    draft.refresh_from_db()
    assert draft.metrics["total_score"] == pytest.approx(changed.score)
    assert draft.metrics["p10_score"] == pytest.approx(changed.score)
    assert draft.metrics["counted_generation"] == draft.metrics["generation"] == 3


def test_a_recount_overtaken_by_a_newer_edit_writes_nothing(draft, programme_admin):
    runs.remove_pair(pair=draft.pairs.get(), by=programme_admin)  # on_commit not run here
    draft.refresh_from_db()
    assert runs.recount_metrics(run_id=draft.pk, generation=0) == "superseded"
    assert runs.recount_metrics(run_id=draft.pk, generation=1) == "counted"
    assert runs.recount_metrics(run_id=draft.pk, generation=1) == "counted"  # twice is fine


# --- The admin views: add pair, change mentor by name, the mentors endpoint -----------


def test_the_add_pair_page_offers_allowed_mentors_with_places_and_their_score(
    client, draft, people, programme_admin
):
    _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=1)
    mentee = _left_out(draft, people)
    url = reverse("admin:matching_matchrun_add_pair", args=[draft.pk, _waiting(draft, mentee).pk])
    client.force_login(programme_admin)
    html = client.get(url).content.decode()
    assert "Pair with Sam Second" in html
    assert "Pair with Maria Mentor" not in html  # full
    response = client.post(
        url,
        {
            "mentor_enrollment": Enrollment.objects.get(
                user__email="sam-second@example.org", role=Role.MENTOR
            ).pk
        },
    )
    assert response.status_code == 302
    assert draft.pairs.filter(mentee_enrollment=mentee).exists()
    assert _messages(response)[0].startswith(f"Paired {mentee.user.get_full_name()}")


@pytest.mark.parametrize(
    ("posted", "shown"),
    [
        ({"mentor": "nobody@example.org"}, "No mentor of this cohort is called"),
        ({"mentor": "Sam\x00"}, "That is not a name or email."),
        ({"mentor": ""}, "Type the new mentor"),
        ({"mentor_enrollment": "abc"}, "Pick a mentor of this cohort."),
        ({"mentor": "maria-mentor@example.org"}, "no free place left"),
    ],
)
def test_the_add_pair_page_explains_what_is_wrong_and_keeps_the_text(
    client, draft, people, programme_admin, posted, shown
):
    mentee = _left_out(draft, people)
    url = reverse("admin:matching_matchrun_add_pair", args=[draft.pk, _waiting(draft, mentee).pk])
    client.force_login(programme_admin)
    response = client.post(url, posted)
    assert response.status_code == 200
    html = response.content.decode()
    assert shown in html and 'class="errornote"' in html
    if posted.get("mentor", "").isascii() and "\x00" not in posted.get("mentor", ""):
        assert f'value="{posted.get("mentor", "")}"' in html
    assert draft.pairs.count() == 1


def test_another_cohorts_mentor_id_cannot_be_paired(client, draft, people, programme_admin):
    other = _person(CohortFactory(), Role.MENTOR, "Olga Other")
    mentee = _left_out(draft, people)
    url = reverse("admin:matching_matchrun_add_pair", args=[draft.pk, _waiting(draft, mentee).pk])
    client.force_login(programme_admin)
    response = client.post(url, {"mentor_enrollment": other.pk})
    assert "Pick a mentor of this cohort." in response.content.decode()
    assert draft.pairs.count() == 1


def test_a_mentor_is_changed_by_typing_their_email_without_javascript(
    client, draft, programme_admin
):
    second = _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=1)
    pair = draft.pairs.get()
    client.force_login(programme_admin)
    url = reverse("admin:matching_matchrun_change_mentor", args=[draft.pk, pair.pk])
    response = client.post(url, {"mentor": " SAM-SECOND@example.org ", "sort": "score"})
    assert response.status_code == 302 and response["Location"].endswith("?sort=score")
    pair.refresh_from_db()
    assert pair.mentor_enrollment == second
    assert "now has the mentor Sam Second" in _messages(response)[0]


def test_a_mentor_is_changed_by_a_name_only_one_has(client, draft, programme_admin):
    second = _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=1)
    pair = draft.pairs.get()
    client.force_login(programme_admin)
    url = reverse("admin:matching_matchrun_change_mentor", args=[draft.pk, pair.pk])
    client.post(url, {"mentor": "sam sec"})
    pair.refresh_from_db()
    assert pair.mentor_enrollment == second


def test_a_name_several_mentors_share_asks_for_the_email(client, draft, programme_admin):
    _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=1)
    _person(default_cohort(), Role.MENTOR, "Sam Third", mentor_capacity=1)
    pair = draft.pairs.get()
    client.force_login(programme_admin)
    url = reverse("admin:matching_matchrun_change_mentor", args=[draft.pk, pair.pk])
    response = client.post(url, {"mentor": "Sam"})
    assert _messages(response) == ["More than one mentor matches “Sam”: type their email."]


def _mentors_url(run: MatchRun, **query: Any) -> str:
    return reverse("admin:matching_matchrun_mentors", args=[run.pk]) + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )


def test_the_mentors_endpoint_finds_mentors_with_places_and_scores_them(
    client, draft, people, programme_admin
):
    second = _person(default_cohort(), Role.MENTOR, "Sam Second", mentor_capacity=1)
    client.force_login(programme_admin)
    mentee = _left_out(draft, people)
    data = client.get(_mentors_url(draft, q="sam", mentee=mentee.pk)).json()
    (found,) = data["results"]
    assert (found["id"], found["email"], found["places"]) == (second.pk, second.user.email, 1)
    assert 0 < found["score"] <= 1
    # Full mentors are not offered; a mentee the engine rules out gets no score.
    assert client.get(_mentors_url(draft, q="maria")).json() == {"results": []}
    (unscored,) = client.get(_mentors_url(draft, q="sam", mentee=people["dora"].pk)).json()[
        "results"
    ]
    assert unscored["score"] is None


@pytest.mark.parametrize("mentee", ["abc", "1.5", "9" * 30])
def test_the_mentors_endpoint_refuses_a_mentee_that_is_no_id(
    client, draft, programme_admin, mentee
):
    client.force_login(programme_admin)
    response = client.get(_mentors_url(draft, q="sam", mentee=mentee))
    assert response.status_code == 400 and "error" in response.json()


def test_the_mentors_endpoint_refuses_another_cohorts_mentee(client, draft, programme_admin):
    stranger = _person(CohortFactory(), Role.MENTEE, "Sven Stranger")
    client.force_login(programme_admin)
    response = client.get(_mentors_url(draft, mentee=stranger.pk))
    assert response.status_code == 400


def test_the_mentors_endpoint_is_another_cohorts_admin_404(client, draft):
    outsider = make_programme_admin(CohortFactory())
    client.force_login(outsider)
    assert client.get(_mentors_url(draft, q="a")).status_code == 404
    waiting = draft.unmatched.first()
    url = reverse("admin:matching_matchrun_add_pair", args=[draft.pk, waiting.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"mentor": "maria-mentor@example.org"}).status_code == 404


def test_the_mentors_endpoint_sends_anonymous_visitors_to_log_in(client, draft):
    response = client.get(_mentors_url(draft, q="a"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_mentors_endpoint_refuses_participants(client, draft, people):
    client.force_login(people["ann"].user)
    response = client.get(_mentors_url(draft, q="a"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_published_run_offers_no_edits(
    client, draft, programme_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        runs.publish_run(run=draft, by=programme_admin)
    client.force_login(programme_admin)
    html = client.get(_review(draft)).content.decode()
    assert 'list="mentor-options"' not in html and "Find a mentor" not in html


@pytest.mark.parametrize("status", [MatchRunStatus.QUEUED, MatchRunStatus.RUNNING])
def test_a_run_in_progress_refreshes_itself_until_its_draft_is_ready(client, cohort, owner, status):
    client.force_login(owner)
    run = MatchRun.objects.create(cohort=cohort, mode="optimal", status=status)
    html = client.get(_review(run)).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "refreshes itself" in html
    run.status = MatchRunStatus.DRAFT
    run.save(update_fields=["status"])
    assert 'http-equiv="refresh"' not in client.get(_review(run)).content.decode()
