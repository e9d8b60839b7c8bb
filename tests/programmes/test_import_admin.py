"""A programme admin imports participants through the admin: upload, preview every row
with its errors, apply (or skip the bad rows), and is refused on other cohorts."""

import re

from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse

import pytest

from core.outbox.models import OutboxEmail
from programmes.models import ImportBatch, Invitation
from programmes.services.imports import apply_batch, parse_csv
from tests.factories import CohortFactory, make_programme_admin
from tests.programmes.people import csv_upload

pytestmark = pytest.mark.django_db

FILE = (
    "email,name,role,capacity\n"
    "ana@example.org,Ana Silva,mentor,3\n"
    "not-an-email,Broken,mentee,\n"
    "bo@example.org,Bo Chen,mentee,\n"
    "cy@example.org,Cy,mentor,12\n"
)


@pytest.fixture
def cohort():
    return CohortFactory(name="Spring Leaders")


@pytest.fixture
def programme_admin(cohort):
    return make_programme_admin(cohort)


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


def upload_url(cohort) -> str:
    return reverse("admin:programmes_cohort_import", args=[cohort.pk])


def preview_url(batch: ImportBatch) -> str:
    return reverse("admin:programmes_cohort_import_preview", args=[batch.cohort_id, batch.pk])


def apply_url(batch: ImportBatch) -> str:
    return reverse("admin:programmes_cohort_import_apply", args=[batch.cohort_id, batch.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_upload_preview_and_import_skipping_the_bad_rows(
    admin_client, cohort, django_capture_on_commit_callbacks
):
    page = admin_client.get(upload_url(cohort))
    assert page.status_code == 200
    assert "Upload and preview" in page.content.decode()

    response = admin_client.post(upload_url(cohort), {"file": csv_upload(FILE)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == preview_url(batch)
    assert not Invitation.objects.exists()

    html = admin_client.get(response.url).content.decode()
    assert "<strong>2</strong> ready to import, <strong>2</strong> with errors" in html
    for text in (
        "ana@example.org",
        "Ana Silva",
        "“not-an-email” is not a valid email address.",
        "bo@example.org",
        "Capacity 12 is out of range: use 1 to 10.",
    ):
        assert text in html
    # Importing everything is not possible while errors remain; skipping them is.
    assert 'value="0" disabled>Import 2 people</button>' in html
    assert "Skip the 2 bad rows and import 2" in html

    # A crafted POST without skipping is refused all the same.
    response = admin_client.post(apply_url(batch), {"skip_invalid": "0"}, follow=True)
    assert response.redirect_chain == [(preview_url(batch), 302)]
    assert "2 rows have errors. Fix the file" in response.content.decode()
    assert not Invitation.objects.exists() and not OutboxEmail.objects.exists()

    # The import is queued for a worker when the request commits (here: run at once).
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = admin_client.post(apply_url(batch), {"skip_invalid": "1"})
    assert response.url == preview_url(batch) and queued
    assert messages_of(response)[0].startswith("Importing 2 people in the background.")
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "ana@example.org",
        "bo@example.org",
    ]
    assert OutboxEmail.objects.count() == 2

    html = admin_client.get(preview_url(batch)).content.decode()
    assert "2 invited, 2 skipped" in html and "Skip the" not in html

    response = admin_client.post(apply_url(batch), {"skip_invalid": "1"})
    assert messages_of(response) == ["This file was already imported; nothing was sent again."]
    assert OutboxEmail.objects.count() == 2


def test_a_clean_file_is_imported_with_the_main_button(
    admin_client, cohort, django_capture_on_commit_callbacks
):
    admin_client.post(
        upload_url(cohort), {"file": csv_upload("email,role\nana@example.org,mentee\n")}
    )
    batch = ImportBatch.objects.get()
    html = admin_client.get(preview_url(batch)).content.decode()
    assert 'value="0">Import 1 person</button>' in html and "Skip the" not in html
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(apply_url(batch), {"skip_invalid": "0"})
    assert Invitation.objects.get().email == "ana@example.org"


def test_an_unreadable_file_is_explained_on_the_form(admin_client, cohort):
    response = admin_client.post(
        upload_url(cohort), {"file": csv_upload(b"\x00\x01\x02", name="photo.csv")}
    )
    assert response.status_code == 200
    assert "This is not a text file." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_upload_form_needs_a_file(admin_client, cohort):
    response = admin_client.post(upload_url(cohort), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_getting_the_apply_url_changes_nothing(admin_client, cohort, programme_admin):
    batch = parse_csv(
        cohort=cohort,
        file=csv_upload("email,role\na@example.org,mentee"),
        filename="a.csv",
        by=programme_admin,
    )
    response = admin_client.get(apply_url(batch))
    assert response.status_code == 302 and response.url == preview_url(batch)
    assert not Invitation.objects.exists()


def test_an_admin_of_another_cohort_is_refused_everywhere(client, cohort, programme_admin):
    batch = parse_csv(cohort=cohort, file=csv_upload(FILE), filename="f.csv", by=programme_admin)
    client.force_login(make_programme_admin(CohortFactory()))
    assert client.get(upload_url(cohort)).status_code == 404
    assert client.post(upload_url(cohort), {"file": csv_upload(FILE)}).status_code == 404
    assert client.get(preview_url(batch)).status_code == 404
    assert client.post(apply_url(batch), {"skip_invalid": "1"}).status_code == 404
    assert ImportBatch.objects.count() == 1
    assert not Invitation.objects.exists()


def test_a_batch_is_only_reachable_through_its_own_cohort(client, cohort, programme_admin):
    other = CohortFactory()
    other.admins.add(programme_admin)
    batch = parse_csv(cohort=cohort, file=csv_upload(FILE), filename="f.csv", by=programme_admin)
    client.force_login(programme_admin)
    url = reverse("admin:programmes_cohort_import_preview", args=[other.pk, batch.pk])
    assert client.get(url).status_code == 404


def test_staff_outside_the_programme_admin_group_may_not_import(client, cohort):
    client.force_login(make_programme_admin(cohort, in_group=False))
    assert client.get(upload_url(cohort)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, cohort):
    response = client.get(upload_url(cohort))
    assert response.status_code == 302 and "login" in response.url


def test_a_superuser_may_import_into_any_cohort(client, staff, cohort, programme_admin):
    client.force_login(staff)
    assert client.get(upload_url(cohort)).status_code == 200
    batch = parse_csv(
        cohort=cohort,
        file=csv_upload("email,role\na@example.org,mentee"),
        filename="a.csv",
        by=staff,
    )
    assert apply_batch(batch=batch, by=staff, skip_invalid=False) == 1


def test_the_cohort_tools_link_to_import_and_exports(cohort):
    html = render_to_string("admin/programmes/cohort_tools.html", {"original": cohort})
    assert upload_url(cohort) in html
    for kind in ("participants", "mentorships", "goals"):
        assert reverse("admin:programmes_cohort_export", args=[cohort.pk, kind]) in html


def test_the_same_upload_posted_twice_makes_one_preview(admin_client, cohort):
    page = admin_client.get(upload_url(cohort)).content.decode()
    token = re.search(r'name="submission" value="([0-9a-f-]{36})"', page).group(1)
    first = admin_client.post(upload_url(cohort), {"file": csv_upload(FILE), "submission": token})
    again = admin_client.post(upload_url(cohort), {"file": csv_upload(FILE), "submission": token})
    batch = ImportBatch.objects.get()
    assert first.url == again.url == preview_url(batch)


def test_a_refused_upload_keeps_its_token_for_the_corrected_file(admin_client, cohort):
    page = admin_client.get(upload_url(cohort)).content.decode()
    token = re.search(r'name="submission" value="([0-9a-f-]{36})"', page).group(1)
    workbook = csv_upload(b"PK\x03\x04 a spreadsheet", name="people.xlsx")
    refused = admin_client.post(upload_url(cohort), {"file": workbook, "submission": token})
    assert refused.status_code == 200
    assert "This is a spreadsheet workbook, not a CSV file." in refused.content.decode()
    assert not ImportBatch.objects.exists()
    done = admin_client.post(upload_url(cohort), {"file": csv_upload(FILE), "submission": token})
    assert done.url == preview_url(ImportBatch.objects.get())


def test_a_long_file_is_previewed_a_page_at_a_time(admin_client, cohort):
    rows = [f"person{n}@example.org,Person {n},mentee," for n in range(250)]
    rows.insert(120, "broken-address,Broken,mentee,")
    body = "email,name,role,capacity\n" + "\n".join(rows) + "\n"
    response = admin_client.post(upload_url(cohort), {"file": csv_upload(body)})
    batch = ImportBatch.objects.get()
    first = admin_client.get(response.url).content.decode()
    assert "person0@example.org" in first and "person99@example.org" in first
    assert "person100@example.org" not in first
    assert "Rows 1–100 of 251" in first
    assert "broken-address" not in first
    errors = admin_client.get(preview_url(batch) + "?show=errors").content.decode()
    assert "“broken-address” is not a valid email address." in errors
    assert "person0@example.org" not in errors
    last = admin_client.get(preview_url(batch) + "?page=3").content.decode()
    assert "person249@example.org" in last and "Rows 201–251 of 251" in last
    assert admin_client.get(preview_url(batch) + "?page=%00").status_code == 400
    assert admin_client.get(preview_url(batch) + "?page=999").status_code == 200
