"""Applying an import runs in the background: the batch carries its status and progress,
the preview page follows it (refreshing itself, no inline script), a failure says so and
leaves nothing half-imported, and running the task twice or resuming it imports once."""

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from core.outbox.models import OutboxEmail
from matching.models import AuditAction, AuditEntry
from programmes.models import ImportBatch, ImportStatus, Invitation
from programmes.services import imports, invitations
from programmes.services.imports import parse_csv, run_import, start_import
from programmes.tasks import import_batch
from tests.factories import CohortFactory, make_programme_admin
from tests.programmes.people import csv_upload

pytestmark = pytest.mark.django_db


def _file(n: int) -> str:
    return "email,role\n" + "".join(f"p{i}@example.org,mentee\n" for i in range(n))


@pytest.fixture
def cohort():
    return CohortFactory(name="Autumn Leaders")


@pytest.fixture
def programme_admin(cohort):
    return make_programme_admin(cohort)


def _batch(cohort, programme_admin, rows: int = 5) -> ImportBatch:
    return parse_csv(
        cohort=cohort, file=csv_upload(_file(rows)), filename="autumn.csv", by=programme_admin
    )


def _preview(batch: ImportBatch) -> str:
    return reverse("admin:programmes_cohort_import_preview", args=[batch.cohort_id, batch.pk])


def _apply(batch: ImportBatch) -> str:
    return reverse("admin:programmes_cohort_import_apply", args=[batch.cohort_id, batch.pk])


def test_starting_an_import_queues_it_and_imports_nothing_yet(
    cohort, programme_admin, django_capture_on_commit_callbacks
):
    batch = _batch(cohort, programme_admin)
    with django_capture_on_commit_callbacks() as queued:
        started = start_import(batch=batch, by=programme_admin, skip_invalid=False)
    assert len(queued) == 1
    assert (started.status, started.rows_done, started.rows_total) == (ImportStatus.QUEUED, 0, 5)
    assert not Invitation.objects.exists() and not OutboxEmail.objects.exists()


def test_starting_twice_queues_once(cohort, programme_admin, django_capture_on_commit_callbacks):
    batch = _batch(cohort, programme_admin)
    with django_capture_on_commit_callbacks() as queued:
        start_import(batch=batch, by=programme_admin, skip_invalid=False)
        start_import(batch=batch, by=programme_admin, skip_invalid=False)
    assert len(queued) == 1


def test_the_task_records_its_progress_after_each_chunk(cohort, programme_admin, monkeypatch):
    batch = start_import(
        batch=_batch(cohort, programme_admin), by=programme_admin, skip_invalid=False
    )
    monkeypatch.setattr(imports, "IMPORT_CHUNK", 2)
    seen: list[tuple[str, int]] = []
    chunk = imports._import_chunk

    def watched(*args: Any) -> bool:
        done = chunk(*args)
        row = ImportBatch.objects.get(pk=batch.pk)
        seen.append((row.status, row.rows_done))
        return done

    monkeypatch.setattr(imports, "_import_chunk", watched)
    assert import_batch(batch.pk) == "imported 5"
    assert seen == [("importing", 2), ("importing", 4), ("importing", 5)]
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, batch.imported_count) == (ImportStatus.DONE, 5, 5)
    assert batch.applied_at is not None and batch.applied_by == programme_admin
    assert Invitation.objects.filter(sent_count=1).count() == 5
    assert OutboxEmail.objects.count() == 5
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT_APPLIED).count() == 1


def test_running_the_task_twice_imports_once(cohort, programme_admin):
    batch = start_import(
        batch=_batch(cohort, programme_admin), by=programme_admin, skip_invalid=False
    )
    assert run_import(batch_id=batch.pk) == "imported 5"
    assert run_import(batch_id=batch.pk) == "nothing to do"
    assert Invitation.objects.count() == 5 and OutboxEmail.objects.count() == 5


def test_a_task_whose_batch_is_gone_returns_quietly(cohort, programme_admin):
    batch = start_import(
        batch=_batch(cohort, programme_admin), by=programme_admin, skip_invalid=False
    )
    ImportBatch.objects.filter(pk=batch.pk).delete()
    assert run_import(batch_id=batch.pk) == "nothing to do"


def test_a_task_delivered_again_after_a_worker_died_carries_on(
    cohort, programme_admin, monkeypatch
):
    batch = start_import(
        batch=_batch(cohort, programme_admin), by=programme_admin, skip_invalid=False
    )
    monkeypatch.setattr(imports, "IMPORT_CHUNK", 2)
    # The first worker committed one chunk, then died.
    imports._import_chunk(batch.pk, batch.valid_rows[:2], 0)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.IMPORTING)
    assert run_import(batch_id=batch.pk) == "imported 5"
    assert Invitation.objects.count() == 5
    assert sorted(OutboxEmail.objects.values_list("key", flat=True)) == sorted(
        f"invitation:{pk}:1" for pk in Invitation.objects.values_list("pk", flat=True)
    )


@pytest.mark.parametrize("fails_in", ["second chunk", "sending"])
def test_a_failing_import_says_so_and_leaves_nothing_half_imported(
    client, cohort, programme_admin, monkeypatch, fails_in
):
    batch = start_import(
        batch=_batch(cohort, programme_admin), by=programme_admin, skip_invalid=False
    )
    monkeypatch.setattr(imports, "IMPORT_CHUNK", 2)
    if fails_in == "sending":
        target, real = "send_new_invitations", invitations.send_new_invitations
    else:
        target, real = "create_unsent_invitations", invitations.create_unsent_invitations
    calls = []

    def broken(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if fails_in == "sending" or len(calls) == 2:
            raise RuntimeError("the mail template is missing")
        return real(*args, **kwargs)

    monkeypatch.setattr(invitations, target, broken)
    assert run_import(batch_id=batch.pk) == "failed"
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.applied_at is None
    assert "RuntimeError: the mail template is missing" in batch.error
    assert not Invitation.objects.exists() and not OutboxEmail.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT_APPLIED).exists()

    client.force_login(programme_admin)
    html = client.get(_preview(batch)).content.decode()
    assert 'id="import-failed"' in html and "Nobody was invited from this file" in html
    assert "Import 5 people</button>" in html and 'http-equiv="refresh"' not in html

    # Fixed: the admin starts it again and it goes through.
    monkeypatch.setattr(invitations, target, real)
    start_import(batch=batch, by=programme_admin, skip_invalid=False)
    assert run_import(batch_id=batch.pk) == "imported 5"
    assert Invitation.objects.count() == 5 and OutboxEmail.objects.count() == 5


def test_the_preview_follows_a_running_import_and_refreshes_itself(client, cohort, programme_admin):
    batch = start_import(
        batch=_batch(cohort, programme_admin), by=programme_admin, skip_invalid=False
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.IMPORTING, rows_done=2)
    client.force_login(programme_admin)
    html = client.get(_preview(batch)).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Importing:</strong> 2 of 5 rows done" in html
    assert '<progress max="5" value="2">40%</progress>' in html
    assert "Import 5 people</button>" not in html and "<script>" not in html

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.QUEUED, rows_done=0)
    assert run_import(batch_id=batch.pk) == "imported 5"
    html = client.get(_preview(batch)).content.decode()
    assert 'http-equiv="refresh"' not in html, html[:800]
    assert "5 invited, 0 skipped" in html


def test_posting_apply_while_it_runs_sends_nothing_again(
    client, cohort, programme_admin, django_capture_on_commit_callbacks
):
    batch = start_import(
        batch=_batch(cohort, programme_admin), by=programme_admin, skip_invalid=False
    )
    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(_apply(batch), {"skip_invalid": "0"})
    assert response.status_code == 302 and not queued


def test_the_batch_list_shows_the_status_and_links_to_the_batch(client, cohort, programme_admin):
    batch = start_import(
        batch=_batch(cohort, programme_admin), by=programme_admin, skip_invalid=False
    )
    client.force_login(programme_admin)
    html = client.get(reverse("admin:programmes_importbatch_changelist")).content.decode()
    assert "Waiting to import" in html and "0 / 5" in html
    assert f'href="{_preview(batch)}">Follow the import</a>' in html


def test_the_import_costs_no_query_per_row(cohort, programme_admin):
    def queries(rows: int) -> int:
        batch = parse_csv(
            cohort=cohort,
            file=csv_upload(_file(rows).replace("@", f"-{rows}@")),
            filename="x.csv",
            by=programme_admin,
        )
        start_import(batch=batch, by=programme_admin, skip_invalid=False)
        with CaptureQueriesContext(connection) as captured:
            run_import(batch_id=batch.pk)
        assert Invitation.objects.filter(batch=batch).count() == rows
        return len(captured)

    # One chunk each (IMPORT_CHUNK rows): only the database's limit on parameters per
    # statement splits the bulk inserts (999 on SQLite: ~80 emails per insert).
    few, many = queries(10), queries(imports.IMPORT_CHUNK)
    assert many - few <= 6, (few, many)
