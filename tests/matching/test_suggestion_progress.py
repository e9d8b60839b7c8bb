"""A suggestions recompute asked for in the admin runs in the background, and the cohort's
page says where it is: queued, running (which phase, how far), done, or failed."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from matching import tasks
from matching.models import RecomputeStatus, Role, Suggestion, SuggestionRecompute
from matching.services import suggestions
from tests.factories import UserFactory
from tests.matching.test_admin_scoping import Side, build_side, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha() -> Side:
    side = build_side("alpha")
    # A second mentor, free to be suggested to the mentee still looking.
    join(side.cohort, "mentor-two-alpha@example.org", Role.MENTOR)
    return side


@pytest.fixture
def beta() -> Side:
    return build_side("beta")


def _recompute(client, *pks: int):
    return client.post(
        reverse("admin:matching_cohort_changelist"),
        {"action": "recompute_suggestions", "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


def _page(client, side: Side) -> str:
    url = reverse("admin:matching_cohort_change", args=[side.cohort.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_admins_recompute_is_queued_then_runs_then_says_what_it_did(
    client, alpha, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(alpha.admin)
    with django_capture_on_commit_callbacks() as queued:
        _recompute(client, alpha.cohort.pk)
    state = SuggestionRecompute.objects.get(cohort=alpha.cohort)
    assert state.status == RecomputeStatus.QUEUED and state.started_at is None
    assert "Recompute queued" in _page(client, alpha)

    # What the page would read while the worker explains the pairs.
    seen = []
    real_explain = suggestions.explain

    def explain(*args, **kwargs):
        row = SuggestionRecompute.objects.get(cohort=alpha.cohort)
        seen.append((row.status, row.phase, row.total))
        return real_explain(*args, **kwargs)

    monkeypatch.setattr(suggestions, "explain", explain)
    for callback in queued:
        callback()  # the real task, run in-process as the broker would hand it over
    stored = Suggestion.objects.filter(cohort=alpha.cohort).count()
    assert stored > 0
    assert seen == [(RecomputeStatus.RUNNING, "explaining", stored)]
    state.refresh_from_db()
    assert state.status == RecomputeStatus.DONE
    assert state.suggestions == stored and state.phase == "writing"
    assert state.started_at <= state.finished_at
    page = _page(client, alpha)
    assert "Last recompute finished" in page and 'http-equiv="refresh"' not in page


def test_a_failed_recompute_says_so_and_leaves_the_suggestions(client, alpha, monkeypatch):
    before = list(Suggestion.objects.filter(cohort=alpha.cohort).values_list("pk", "digest"))

    def broken(*args, **kwargs):
        raise RuntimeError("the engine fell over")

    monkeypatch.setattr(suggestions, "build_problem", broken)
    tasks.recompute_cohort_suggestions.delay(alpha.cohort.pk)
    state = SuggestionRecompute.objects.get(cohort=alpha.cohort)
    assert state.status == RecomputeStatus.FAILED and state.finished_at is not None
    assert "stopped with an error" in state.error and "engine fell over" not in state.error
    after = list(Suggestion.objects.filter(cohort=alpha.cohort).values_list("pk", "digest"))
    assert after == before
    client.force_login(alpha.admin)
    assert "Last recompute failed" in _page(client, alpha)


def test_the_cohort_page_shows_how_far_a_running_recompute_got_and_refreshes(client, alpha):
    started = timezone.now() - timedelta(seconds=3)
    SuggestionRecompute.objects.create(
        cohort=alpha.cohort,
        status=RecomputeStatus.RUNNING,
        phase="explaining",
        done=40_000,
        total=75_000,
        started_at=started,
    )
    client.force_login(alpha.admin)
    page = _page(client, alpha)
    assert "explaining 40,000 of 75,000 suggestions" in page
    assert '<meta http-equiv="refresh"' in page

    SuggestionRecompute.objects.filter(cohort=alpha.cohort).update(
        status=RecomputeStatus.DONE,
        suggestions=74_985,
        finished_at=started + timedelta(seconds=4.2),
    )
    page = _page(client, alpha)
    assert "74,985 suggestions in 4.2 s" in page
    assert '<meta http-equiv="refresh"' not in page


def test_the_recompute_costs_the_cohort_page_no_query(client, alpha):
    client.force_login(alpha.admin)
    url = reverse("admin:matching_cohort_change", args=[alpha.cohort.pk])
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    SuggestionRecompute.objects.create(cohort=alpha.cohort, status=RecomputeStatus.QUEUED)
    with CaptureQueriesContext(connection) as with_one:
        assert "Recompute queued" in client.get(url).content.decode()
    assert len(with_one) == len(without)


def test_only_the_cohorts_own_admins_can_queue_a_recompute(client, alpha, beta, monkeypatch):
    # The task itself is not the point here: only who may ask for it.
    monkeypatch.setattr("matching.admin.request_recompute", lambda cohort_ids: None)
    _recompute(client, beta.cohort.pk)  # anonymous: sent to the login page
    client.force_login(UserFactory(is_staff=True))  # staff without programme rights
    _recompute(client, beta.cohort.pk)
    client.force_login(alpha.admin)  # another programme's admin
    _recompute(client, beta.cohort.pk)
    _recompute(client, alpha.cohort.pk, beta.cohort.pk)
    assert list(SuggestionRecompute.objects.values_list("cohort_id", flat=True)) == [
        alpha.cohort.pk
    ]
    # Nor does another programme's admin see how beta's is going.
    response = client.get(reverse("admin:matching_cohort_change", args=[beta.cohort.pk]))
    assert response.status_code in (302, 404)


def test_a_recompute_that_will_not_finish_is_marked_failed(alpha, beta):
    now = timezone.now()
    SuggestionRecompute.objects.create(
        cohort=alpha.cohort,
        status=RecomputeStatus.RUNNING,
        started_at=now - timedelta(hours=1),
        updated_at=now - timedelta(minutes=20),
    )
    SuggestionRecompute.objects.create(
        cohort=beta.cohort,
        status=RecomputeStatus.RUNNING,
        started_at=now - timedelta(minutes=1),
        updated_at=now - timedelta(seconds=5),
    )
    assert tasks.fail_stuck_runs() == 1
    stuck = SuggestionRecompute.objects.get(cohort=alpha.cohort)
    assert stuck.status == RecomputeStatus.FAILED and "worker stopped" in stuck.error
    assert SuggestionRecompute.objects.get(cohort=beta.cohort).status == RecomputeStatus.RUNNING


def test_a_queued_recompute_no_worker_takes_is_marked_failed(alpha):
    SuggestionRecompute.objects.create(
        cohort=alpha.cohort,
        status=RecomputeStatus.QUEUED,
        updated_at=timezone.now() - timedelta(hours=2),
    )
    assert suggestions.fail_stuck_recomputes() == 1
    state = SuggestionRecompute.objects.get(cohort=alpha.cohort)
    assert state.status == RecomputeStatus.FAILED and "workers may be down" in state.error
