"""The audit log: match runs started, edited and published, weights changed; read-only,
filterable and scoped to the cohorts a programme admin runs."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.urls import reverse

import pytest

from matching.models import AuditAction, AuditEntry, MatchRun, MatchWeights, Role
from matching.services import runs
from matching.services.audit import record
from tests.factories import UserFactory
from tests.matching.test_admin_scoping import build_side, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha():
    return build_side("alpha")


@pytest.fixture
def beta():
    return build_side("beta")


@pytest.fixture
def superuser():
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_starting_a_run_is_recorded(alpha):
    run = runs.start_run(cohort=alpha.cohort, mode="stable", by=alpha.admin)
    (entry,) = entries(AuditAction.RUN_STARTED)
    assert (entry.actor, entry.cohort) == (alpha.admin, alpha.cohort)
    assert (entry.object_type, entry.object_id) == ("matching.matchrun", run.pk)
    assert "stable" in entry.summary and entry.details == {"mode": "stable"}


def test_removing_and_changing_pairs_are_recorded(alpha):
    other = join(alpha.cohort, "second-mentor-alpha@example.org", Role.MENTOR)
    runs.change_mentor(pair=alpha.pair, mentor_enrollment=other, by=alpha.admin)
    runs.remove_pair(pair=alpha.pair, by=alpha.admin)
    changed, removed = entries(AuditAction.RUN_EDITED)
    assert changed.details["change"] == "change_mentor"
    assert changed.details["from_mentor"] == "mentor-alpha@example.org"
    assert changed.details["to_mentor"] == "second-mentor-alpha@example.org"
    assert removed.details["change"] == "remove_pair"
    assert "waiting-alpha@example.org" in removed.summary
    assert {changed.object_id, removed.object_id} == {alpha.run.pk}
    assert {changed.actor, removed.actor} == {alpha.admin}


def test_a_refused_edit_leaves_no_entry(alpha, beta):
    with pytest.raises(PermissionDenied):
        runs.remove_pair(pair=beta.pair, by=alpha.admin)
    assert entries(AuditAction.RUN_EDITED) == []


def test_publishing_twice_is_recorded_once(client, alpha, django_capture_on_commit_callbacks):
    client.force_login(alpha.admin)
    url = reverse("admin:matching_matchrun_publish", args=[alpha.run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        second = client.post(url, follow=True)
    assert "already published" in second.content.decode()
    (entry,) = entries(AuditAction.RUN_PUBLISHED)
    assert (entry.actor, entry.cohort, entry.object_id) == (
        alpha.admin,
        alpha.cohort,
        alpha.run.pk,
    )
    assert entry.details == {"published_pairs": 1, "skipped": 0}
    assert MatchRun.objects.get(pk=alpha.run.pk).status == "published"


WEIGHTS = {
    "skills": "0.5",
    "goals": "0.15",
    "industry": "0.1",
    "experience": "0.15",
    "time_overlap": "0.1",
    "format": "0.05",
    "availability": "0.05",
    "broaden": "0.05",
    "experience_min_gap": "3",
    "experience_max_gap": "15",
    "preference_bonus": "0.2",
}


def test_changing_weights_in_the_admin_is_recorded(client, alpha):
    client.force_login(alpha.admin)
    response = client.post(
        reverse("admin:matching_matchweights_add"), {**WEIGHTS, "cohort": alpha.cohort.pk}
    )
    assert response.status_code == 302
    (entry,) = entries(AuditAction.WEIGHTS_CHANGED)
    latest = MatchWeights.objects.filter(cohort=alpha.cohort).order_by("-version").first()
    assert latest.version == 2
    assert (entry.actor, entry.cohort, entry.object_id) == (alpha.admin, alpha.cohort, latest.pk)
    assert entry.details["changes"] == {"skills": [0.35, 0.5]}
    assert entry.details["previous_version"] == 1
    assert "version 2" in entry.summary and "skills" in entry.summary


def test_record_refuses_an_unknown_action_and_stores_plain_json(alpha):
    with pytest.raises(ValueError):
        record(actor=alpha.admin, cohort=alpha.cohort, action="deleted_everything", summary="x")
    entry = record(
        actor=None,
        cohort=alpha.cohort,
        action=AuditAction.COHORT_CLOSED,
        summary="Closed " + "a very long name " * 40,
        details={"on": date(2025, 6, 30), "rate": Decimal("0.5")},
    )
    entry.refresh_from_db()
    assert entry.details == {"on": "2025-06-30", "rate": "0.5"}
    assert len(entry.summary) == 300 and entry.actor is None


# --- The audit admin ----------------------------------------------------------


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
def test_the_audit_log_is_read_only_for_everyone(client, alpha, superuser, who):
    user = alpha.admin if who == "programme_admin" else superuser
    client.force_login(user)
    entry = alpha.entry
    changelist = client.get(reverse("admin:matching_auditentry_changelist"))
    html = changelist.content.decode()
    assert changelist.status_code == 200
    assert reverse("admin:matching_auditentry_add") not in html
    assert 'name="action"' not in html  # no bulk actions, so no delete_selected
    page = client.get(reverse("admin:matching_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and "Imported alpha.csv" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    post = client.post(
        reverse("admin:matching_auditentry_change", args=[entry.pk]), {"summary": "Nothing"}
    )
    assert post.status_code == 403
    assert client.get(reverse("admin:matching_auditentry_add")).status_code == 403
    delete = reverse("admin:matching_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.summary == "Imported alpha.csv"


def test_the_audit_log_filters_by_action_actor_cohort_and_date(client, alpha, beta, superuser):
    runs.start_run(cohort=alpha.cohort, mode="optimal", by=alpha.admin)
    client.force_login(superuser)
    url = reverse("admin:matching_auditentry_changelist")

    def rows(**params: object) -> set[int]:
        response = client.get(url, params)
        assert response.status_code == 200
        return {entry.pk for entry in response.context["cl"].result_list}

    started = AuditEntry.objects.get(action=AuditAction.RUN_STARTED)
    assert rows(action="run_started") == {started.pk}
    assert rows(actor__id__exact=beta.admin.pk) == {beta.entry.pk}
    assert rows(cohort=alpha.cohort.pk) == {alpha.entry.pk, started.pk}
    assert rows(q="beta.csv") == {beta.entry.pk}
    year = started.created_at.year
    assert rows(created_at__year=year) == {alpha.entry.pk, beta.entry.pk, started.pk}


def test_the_audit_log_is_scoped_to_the_admins_cohorts(client, alpha, beta, superuser):
    orphan = record(
        actor=superuser, cohort=None, action=AuditAction.SURVEY_SENT, summary="Site-wide survey"
    )
    client.force_login(alpha.admin)
    url = reverse("admin:matching_auditentry_changelist")
    response = client.get(url)
    assert {e.pk for e in response.context["cl"].result_list} == {alpha.entry.pk}
    html = response.content.decode()
    # The actor filter offers only the people in their own entries.
    assert "admin-beta@example.org" not in html and "Imported beta.csv" not in html
    assert "Site-wide survey" not in html
    assert client.get(url, {"actor__id__exact": beta.admin.pk}).context["cl"].result_count == 0
    for other in (beta.entry, orphan):
        page = client.get(reverse("admin:matching_auditentry_change", args=[other.pk]), follow=True)
        assert other.summary not in page.content.decode()
    client.force_login(superuser)
    everything = client.get(url).context["cl"].result_list
    assert {alpha.entry.pk, beta.entry.pk, orphan.pk} <= {e.pk for e in everything}
