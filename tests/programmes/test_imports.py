"""CSV import: every kind of bad row is caught and explained, whole files that cannot be
read are refused, and nothing is imported while errors remain unless skipped."""

import io

from django.core.exceptions import PermissionDenied, ValidationError

import pytest

from core.outbox.models import OutboxEmail
from matching.models import AuditAction, AuditEntry, EnrollmentStatus, Role
from programmes.models import ImportBatch, Invitation
from programmes.services.imports import MAX_ROWS, MAX_UPLOAD_BYTES, apply_batch, parse_csv
from programmes.services.invitations import create_invitation
from tests.factories import CohortFactory, UserFactory, make_programme_admin
from tests.programmes.people import csv_upload, enroll

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(name="Spring Leaders")


@pytest.fixture
def admin_user(cohort):
    return make_programme_admin(cohort)


def parse(cohort, admin_user, text: str | bytes, name: str = "people.csv") -> ImportBatch:
    return parse_csv(cohort=cohort, file=csv_upload(text), filename=name, by=admin_user)


def only_row(batch: ImportBatch) -> dict:
    assert len(batch.rows) == 1
    return batch.rows[0]


# --- Row-level errors --------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ("not-an-email,mentee,", "“not-an-email” is not a valid email address."),
        ("ana@@example.org,mentee,", "is not a valid email address"),
        (",mentee,", "Email is missing."),
        ("ana@example.org,,", "Role is missing: write mentor or mentee."),
        ("ana@example.org,boss,", "Unknown role “boss”: write mentor or mentee."),
        ("ana@example.org,mentors,", "Unknown role “mentors”"),
        ("ana@example.org,mentor,abc", "Capacity “abc” is not a whole number."),
        ("ana@example.org,mentor,2.5", "Capacity “2.5” is not a whole number."),
        ("ana@example.org,mentor,-1", "Capacity “-1” is not a whole number."),
        ("ana@example.org,mentor,0", "Capacity 0 is out of range: use 1 to 10."),
        ("ana@example.org,mentor,11", "Capacity 11 is out of range: use 1 to 10."),
        ("ana@example.org,mentee,2", "Capacity is for mentors only: leave it empty for a mentee."),
        ("ana@example.org,mentee,,surprise", "more cells than the header has columns"),
    ],
)
def test_a_bad_row_is_kept_with_its_error(cohort, admin_user, row, error):
    batch = parse(cohort, admin_user, f"email,role,capacity\n{row}\n")
    parsed = only_row(batch)
    assert parsed["line"] == 2
    assert any(error in e for e in parsed["errors"]), parsed["errors"]
    assert batch.error_rows == [parsed] and batch.valid_rows == []


def test_a_row_can_have_several_errors(cohort, admin_user):
    parsed = only_row(parse(cohort, admin_user, "email,role,capacity\nnope,chief,x\n"))
    assert len(parsed["errors"]) == 3
    assert "not a valid email" in parsed["errors"][0]
    assert "Unknown role" in parsed["errors"][1]
    assert "not a whole number" in parsed["errors"][2]


def test_a_name_longer_than_an_invitation_holds_is_an_error(cohort, admin_user):
    parsed = only_row(
        parse(cohort, admin_user, f"email,role,name\na@example.org,mentee,{'x' * 121}")
    )
    assert parsed["errors"] == ["Name is longer than 120 characters."]


def test_a_good_row_is_normalised(cohort, admin_user):
    text = "Email, Role ,Name,Capacity\n  Ana.Silva@Example.org , MENTOR ,  Ana   Silva , 3 \n"
    parsed = only_row(parse(cohort, admin_user, text))
    assert parsed == {
        "line": 2,
        "email": "ana.silva@example.org",
        "name": "Ana Silva",
        "role": "mentor",
        "capacity": 3,
        "errors": [],
    }


def test_duplicates_within_the_file_point_at_the_first_line(cohort, admin_user):
    text = "email,role\nana@example.org,mentee\nbo@example.org,mentee\nANA@example.org,mentor\n"
    batch = parse(cohort, admin_user, text)
    assert [r["errors"] for r in batch.rows] == [
        [],
        [],
        ["Duplicate: the same email is on line 2."],
    ]


def test_people_already_enrolled_say_in_which_role(cohort, admin_user):
    mentor = enroll(cohort, Role.MENTOR)
    both = enroll(cohort, Role.MENTEE)
    both.pk = None
    both.role = Role.MENTOR
    both.save()
    left = enroll(cohort, Role.MENTEE)
    left.status = EnrollmentStatus.LEFT
    left.save()
    elsewhere = enroll(CohortFactory(), Role.MENTEE)
    text = "email,role\n" + "\n".join(
        f"{e.user.email.upper()},mentee" for e in (mentor, both, left, elsewhere)
    )
    errors = [r["errors"] for r in parse(cohort, admin_user, text).rows]
    assert errors == [
        ["Already enrolled in this cohort as mentor."],
        ["Already enrolled in this cohort as mentee and mentor."],
        [],  # left the cohort: may be invited back
        [],  # enrolled in another cohort only
    ]


def test_people_already_invited_say_whether_they_accepted(cohort, admin_user):
    create_invitation(
        cohort=cohort,
        email="wait@example.org",
        name="",
        role="mentee",
        capacity=None,
        by=admin_user,
    )
    done = create_invitation(
        cohort=cohort,
        email="done@example.org",
        name="",
        role="mentee",
        capacity=None,
        by=admin_user,
    )
    Invitation.objects.filter(pk=done.pk).update(accepted_at=done.created_at)
    other = CohortFactory()
    create_invitation(
        cohort=other, email="other@example.org", name="", role="mentee", capacity=None, by=None
    )
    text = "email,role\nWait@example.org,mentee\ndone@example.org,mentee\nother@example.org,mentee"
    errors = [r["errors"] for r in parse(cohort, admin_user, text).rows]
    assert "Already invited on" in errors[0][0] and "not accepted yet" in errors[0][0]
    assert "and accepted" in errors[1][0]
    assert errors[2] == []


# --- Whole files ---------------------------------------------------------------


def test_a_byte_order_mark_is_ignored(cohort, admin_user):
    batch = parse(cohort, admin_user, b"\xef\xbb\xbfemail,role\r\nana@example.org,mentee\r\n")
    assert only_row(batch)["email"] == "ana@example.org"
    assert batch.valid_rows


def test_semicolons_are_read_as_separators(cohort, admin_user):
    text = 'email;name;role;capacity\nana@example.org;"Silva, Ana";mentor;2\n'
    parsed = only_row(parse(cohort, admin_user, text))
    assert parsed["name"] == "Silva, Ana" and parsed["capacity"] == 2 and not parsed["errors"]


def test_quoted_commas_and_blank_lines_are_fine(cohort, admin_user):
    text = 'email,name,role\n\nana@example.org,"Silva, Ana",mentee\n,,\nbo@example.org,Bo,mentee\n'
    batch = parse(cohort, admin_user, text)
    assert [r["line"] for r in batch.rows] == [3, 5]
    assert batch.rows[0]["name"] == "Silva, Ana"
    assert not batch.error_rows


def test_unknown_columns_are_ignored(cohort, admin_user):
    parsed = only_row(parse(cohort, admin_user, "team,email,role\nRed,ana@example.org,mentee"))
    assert parsed["email"] == "ana@example.org" and not parsed["errors"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\r\n ", "The file is empty."),
        (b"\n,,\n", "The file is empty."),
        (b"email,role\n", "The file has a header row but nobody in it."),
        (b"ana@example.org,mentee\n", "Missing: email, role."),
        (b"email,name\nana@example.org,Ana\n", "Missing: role."),
        (b"email,role,email\na@example.org,mentee,b@example.org\n", "“email” appears more"),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is a spreadsheet workbook, not a CSV file."),
        ("email,role\n".encode("utf-16"), "This file is UTF-16 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a text file."),
        ("email,name,role\nana@example.org,José,mentee\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_files_that_cannot_be_read_are_refused_clearly(cohort, admin_user, content, message):
    with pytest.raises(ValidationError) as exc:
        parse(cohort, admin_user, content)
    assert message in " ".join(exc.value.messages)
    assert not ImportBatch.objects.exists()


def test_an_unclosed_quote_swallowing_the_file_is_refused(cohort, admin_user):
    # The csv module stops at its field size limit (128 KB); we name the line instead.
    text = 'email,role\n"ana@example.org,mentee\n' + "x" * 200_000
    with pytest.raises(ValidationError) as exc:
        parse(cohort, admin_user, text)
    assert "could not be read" in exc.value.messages[0]


def test_an_oversized_upload_is_refused_before_parsing(cohort, admin_user):
    big = "email,role\n" + "a@example.org,mentee\n" * (MAX_UPLOAD_BYTES // 20 + 1)
    assert len(big) > MAX_UPLOAD_BYTES
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        parse(cohort, admin_user, big)


def test_a_stream_without_a_size_is_read_no_further_than_the_limit(cohort, admin_user):
    stream = io.BytesIO(b"email,role\n" + b"x" * (MAX_UPLOAD_BYTES * 3))
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        parse_csv(cohort=cohort, file=stream, filename="big.csv", by=admin_user)
    assert stream.tell() == MAX_UPLOAD_BYTES + 1


def test_too_many_rows_are_refused(cohort, admin_user):
    rows = "".join(f"p{i}@example.org,mentee\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ValidationError, match="more than 5,000 people"):
        parse(cohort, admin_user, "email,role\n" + rows)


def test_exactly_the_row_limit_is_accepted(cohort, admin_user):
    rows = "".join(f"p{i}@example.org,mentee\n" for i in range(MAX_ROWS))
    assert len(parse(cohort, admin_user, "email,role\n" + rows).valid_rows) == MAX_ROWS


def test_the_file_name_keeps_no_path(cohort, admin_user):
    batch = parse(cohort, admin_user, "email,role\na@example.org,mentee", name="C:\\x\\..\\p.csv")
    assert batch.filename == "p.csv"


def test_only_the_cohorts_admins_may_upload(cohort):
    outsider = make_programme_admin(CohortFactory())
    with pytest.raises(PermissionDenied):
        parse(cohort, outsider, "email,role\na@example.org,mentee")
    with pytest.raises(PermissionDenied):
        parse(cohort, UserFactory(), "email,role\na@example.org,mentee")


# --- Applying ------------------------------------------------------------------

MIXED = (
    "email,name,role,capacity\n"
    "ana@example.org,Ana,mentor,3\n"
    "broken,Bad,mentee,\n"
    "bo@example.org,Bo,mentee,\n"
    "cy@example.org,Cy,chief,\n"
)


def test_nothing_is_imported_while_errors_remain(cohort, admin_user):
    batch = parse(cohort, admin_user, MIXED)
    with pytest.raises(ValidationError, match="2 rows have errors"):
        apply_batch(batch=batch, by=admin_user, skip_invalid=False)
    batch.refresh_from_db()
    assert batch.applied_at is None
    assert not Invitation.objects.exists()
    assert not OutboxEmail.objects.exists()
    assert not AuditEntry.objects.exists()


def test_skipping_the_bad_rows_invites_the_good_ones(cohort, admin_user):
    batch = parse(cohort, admin_user, MIXED)
    assert apply_batch(batch=batch, by=admin_user, skip_invalid=True) == 2

    batch.refresh_from_db()
    assert (batch.imported_count, batch.skipped_count) == (2, 2)
    assert batch.applied_by == admin_user and batch.applied_at is not None
    ana, bo = Invitation.objects.order_by("email")
    assert (ana.email, ana.name, ana.role, ana.capacity) == ("ana@example.org", "Ana", "mentor", 3)
    assert (bo.email, bo.role, bo.capacity) == ("bo@example.org", "mentee", None)
    assert {ana.batch, bo.batch} == {batch} and ana.invited_by == admin_user
    assert [i.sent_count for i in (ana, bo)] == [1, 1]
    assert sorted(OutboxEmail.objects.values_list("to", flat=True)) == [
        ["ana@example.org"],
        ["bo@example.org"],
    ]
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.IMPORT_APPLIED
    assert entry.actor == admin_user and entry.cohort == cohort
    assert "Imported 2 people from people.csv (2 skipped)" in entry.summary


def test_a_clean_file_imports_without_skipping(cohort, admin_user):
    batch = parse(cohort, admin_user, "email,role\na@example.org,mentee\nb@example.org,mentee")
    assert apply_batch(batch=batch, by=admin_user, skip_invalid=False) == 2
    assert Invitation.objects.count() == 2


def test_applying_twice_imports_and_sends_nothing_more(cohort, admin_user):
    batch = parse(cohort, admin_user, MIXED)
    apply_batch(batch=batch, by=admin_user, skip_invalid=True)
    assert apply_batch(batch=batch, by=admin_user, skip_invalid=True) == 0
    assert apply_batch(batch=batch, by=admin_user, skip_invalid=False) == 0
    assert Invitation.objects.count() == 2
    assert OutboxEmail.objects.count() == 2
    assert AuditEntry.objects.count() == 1


def test_the_same_file_uploaded_again_finds_everyone_already_invited(cohort, admin_user):
    apply_batch(batch=parse(cohort, admin_user, MIXED), by=admin_user, skip_invalid=True)
    again = parse(cohort, admin_user, MIXED)
    assert again.valid_rows == []
    with pytest.raises(ValidationError, match="nobody to import"):
        apply_batch(batch=again, by=admin_user, skip_invalid=True)
    assert OutboxEmail.objects.count() == 2


def test_people_who_joined_since_the_preview_are_skipped(cohort, admin_user):
    batch = parse(cohort, admin_user, "email,role\nana@example.org,mentee\nbo@example.org,mentee")
    joined = enroll(cohort, Role.MENTEE, user__email="ana@example.org")
    create_invitation(
        cohort=cohort, email="BO@example.org", name="", role="mentee", capacity=None, by=None
    )
    assert apply_batch(batch=batch, by=admin_user, skip_invalid=False) == 0
    batch.refresh_from_db()
    assert batch.skipped_count == 2
    assert batch.rows[0]["errors"] == ["Skipped: enrolled in the meantime."]
    assert batch.rows[1]["errors"] == ["Skipped: invited in the meantime."]
    assert joined.user.email == "ana@example.org"


def test_only_the_cohorts_admins_may_apply(cohort, admin_user):
    batch = parse(cohort, admin_user, "email,role\na@example.org,mentee")
    with pytest.raises(PermissionDenied):
        apply_batch(batch=batch, by=make_programme_admin(CohortFactory()), skip_invalid=True)
    assert not Invitation.objects.exists()
