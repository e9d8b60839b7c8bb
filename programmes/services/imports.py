"""Enrollment by CSV: parse an upload into a batch with row-level errors, then apply it.

Parsing never writes anything but the batch, so the admin can look at every row and its
errors before anyone is invited. Applying creates the invitations and sends them, once.
"""

import csv
import io
import logging
import os
from typing import IO, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from accounts.models import User
from matching.admin_scoping import can_administer
from matching.models import AuditAction, Cohort, Role
from matching.services import audit
from programmes.models import ImportBatch, ImportStatus, Invitation
from programmes.services import invitations

logger = logging.getLogger(__name__)

# Limits are constants, not settings: a class list is a few hundred lines, and anything
# much bigger is a mistake (a wrong file) or an attack on the parser.
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_ROWS = 5000
# What a row keeps of an over-long cell, so one bad field cannot bloat the batch.
MAX_CELL_KEPT = 254
# A CharField always has a max_length; the stubs allow any field here.
NAME_MAX = cast(int, Invitation._meta.get_field("name").max_length)
REQUIRED_COLUMNS = ("email", "role")
OPTIONAL_COLUMNS = ("name", "capacity")
# Rows invited per transaction: the progress the preview page shows moves this often.
IMPORT_CHUNK = 250
SAVE_AS_CSV = gettext_lazy("In Excel or Numbers, save it with File → Save As → “CSV UTF-8”.")


def _check_admin(user: User, cohort: Cohort) -> None:
    if not can_administer(user, cohort):
        raise PermissionDenied


def read_text(file: IO[bytes]) -> str:
    """The upload as text, or a ValidationError saying in plain words what is wrong."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(_too_big())
    if hasattr(file, "seek"):
        file.seek(0)
    # Never read more than the limit (plus one byte to notice it was exceeded).
    raw = file.read(MAX_UPLOAD_BYTES + 1)
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValidationError(_too_big())
    if not raw.strip():
        raise ValidationError(gettext("The file is empty."))
    if raw.startswith(b"PK\x03\x04"):
        raise ValidationError(
            f"{gettext('This is a spreadsheet workbook, not a CSV file.')} {SAVE_AS_CSV}"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            f"{gettext('This file is UTF-16 text; UTF-8 is needed.')} {SAVE_AS_CSV}"
        )
    if b"\x00" in raw:
        raise ValidationError(f"{gettext('This is not a text file.')} {SAVE_AS_CSV}")
    try:
        # utf-8-sig drops the byte-order mark Excel puts at the start of "CSV UTF-8".
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = gettext("The file is not UTF-8 text (unreadable byte at position %(position)s).")
        raise ValidationError(f"{message % {'position': exc.start}} {SAVE_AS_CSV}") from None
    if not text.strip():
        raise ValidationError(gettext("The file is empty."))
    return text


def _too_big() -> str:
    return gettext(
        "The file is larger than %(megabytes)s MB. Split it into smaller files of at most "
        "%(people)s people."
    ) % {"megabytes": MAX_UPLOAD_BYTES // 1024 // 1024, "people": _people(MAX_ROWS)}


def _people(n: int) -> str:
    """A count of people as the reader writes numbers (5,000 or 5.000)."""
    return formats.number_format(n, force_grouping=True)


def _delimiter(text: str) -> str:
    """Comma, or semicolon when the header has more of those (Excel in many locales)."""
    header = text.lstrip().split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's column names and every non-blank row with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                continue
            records.append((line, cells))
            if len(records) > MAX_ROWS:
                raise ValidationError(
                    gettext(
                        "The file has more than %(people)s people. Split it into smaller files."
                    )
                    % {"people": _people(MAX_ROWS)}
                )
    except csv.Error as exc:
        raise ValidationError(
            gettext(
                "Line %(line)s could not be read (%(error)s). Look for a quote that is opened "
                "and never closed."
            )
            % {"line": reader.line_num, "error": exc}
        ) from None
    if header is None:
        raise ValidationError(gettext("The file is empty."))
    _check_header(header)
    if not records:
        raise ValidationError(gettext("The file has a header row but nobody in it."))
    return header, records


def _check_header(header: list[str]) -> None:
    for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        if header.count(name) > 1:
            raise ValidationError(
                gettext("The column “%(name)s” appears more than once in the header.")
                % {"name": name}
            )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            gettext(
                "The first row must name the columns: email and role (name and capacity are "
                "optional). Missing: %(columns)s."
            )
            % {"columns": ", ".join(missing)}
        )


def _kept(value: str) -> str:
    return value if len(value) <= MAX_CELL_KEPT else value[: MAX_CELL_KEPT - 1] + "…"


def _check_capacity(raw: str, role: str) -> tuple[Any, list[str]]:
    if not raw:
        return None, []
    if role == Role.MENTEE:
        return _kept(raw), [gettext("Capacity is for mentors only: leave it empty for a mentee.")]
    if not raw.isdigit() or not raw.isascii():
        message = gettext("Capacity “%(value)s” is not a whole number.")
        return _kept(raw), [message % {"value": _kept(raw)}]
    capacity = int(raw)
    low, high = invitations.MIN_CAPACITY, invitations.MAX_CAPACITY
    if not low <= capacity <= high:
        message = gettext("Capacity %(capacity)s is out of range: use %(low)s to %(high)s.")
        return capacity, [message % {"capacity": capacity, "low": low, "high": high}]
    return capacity, []


def _check_row(cells: list[str], columns: dict[str, int]) -> dict[str, Any]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    errors: list[str] = []
    email_ok = False
    email = cell("email")
    if not email:
        errors.append(gettext("Email is missing."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                gettext("“%(email)s” is not a valid email address.") % {"email": _kept(email)}
            )
        else:
            email = email.lower()
            email_ok = True
    role = cell("role").lower()
    if not role:
        errors.append(gettext("Role is missing: write mentor or mentee."))
    elif role not in Role.values:
        errors.append(
            gettext("Unknown role “%(role)s”: write mentor or mentee.")
            % {"role": _kept(cell("role"))}
        )
    name = " ".join(cell("name").split())
    if len(name) > NAME_MAX:
        errors.append(gettext("Name is longer than %(count)s characters.") % {"count": NAME_MAX})
    capacity, capacity_errors = _check_capacity(cell("capacity"), role)
    errors += capacity_errors
    if any(c.strip() for c in cells[len(columns) :]):
        errors.append(
            gettext(
                "This row has more cells than the header has columns: is there an unquoted "
                "comma in a name?"
            )
        )
    return {
        "email": _kept(email),
        "name": _kept(name),
        "role": _kept(role),
        "capacity": capacity,
        "errors": errors,
        "_email_ok": email_ok,
    }


def _check_against_cohort(cohort: Cohort, rows: list[dict[str, Any]]) -> None:
    """Duplicates within the file, and people already enrolled or invited."""
    enrolled = invitations.enrolled_roles(cohort=cohort, emails=[r["email"] for r in rows])
    invited = {
        i.email.lower(): i
        for i in Invitation.objects.filter(
            cohort=cohort, email__in=[r["email"] for r in rows if r["_email_ok"]]
        ).only("email", "created_at", "accepted_at")
    }
    first_line: dict[str, int] = {}
    for row in rows:
        email = row["email"]
        if not row.pop("_email_ok"):
            continue
        if email in first_line:
            row["errors"].append(
                gettext("Duplicate: the same email is on line %(line)s.")
                % {"line": first_line[email]}
            )
            continue
        first_line[email] = row["line"]
        if email in enrolled:
            row["errors"].append(invitations.already_enrolled_message(enrolled[email]))
        elif email in invited:
            row["errors"].append(_already_invited(invited[email]))


def _already_invited(invitation: Invitation) -> str:
    sent = formats.date_format(timezone.localtime(invitation.created_at), "DATE_FORMAT")
    if invitation.is_accepted:
        return gettext("Already invited (on %(date)s) and accepted.") % {"date": sent}
    return gettext(
        "Already invited on %(date)s, not accepted yet: resend that invitation from the "
        "invitations list instead."
    ) % {"date": sent}


@transaction.atomic
def parse_csv(*, cohort: Cohort, file: IO[bytes], filename: str, by: User) -> ImportBatch:
    """Read an upload into a batch to preview. Raises ValidationError for a file that
    cannot be read at all; problems with single rows are kept on the rows."""
    _check_admin(by, cohort)
    header, records = read_records(read_text(file))
    columns = {name: i for i, name in enumerate(header)}
    rows = [{"line": line, **_check_row(cells, columns)} for line, cells in records]
    _check_against_cohort(cohort, rows)
    return ImportBatch.objects.create(
        cohort=cohort,
        uploaded_by=by,
        filename=os.path.basename(filename.replace("\\", "/"))[:255] or "upload.csv",
        rows=rows,
    )


@transaction.atomic
def start_import(*, batch: ImportBatch, by: User, skip_invalid: bool) -> ImportBatch:
    """Queue the import of every valid row; refuse while errors remain unless told to
    skip them. The work runs in ``run_import`` (a Celery task) once this commits.

    Asking again while the batch is queued, importing or imported changes nothing, so a
    batch is imported once however often the button is pressed. A failed import may be
    started again."""
    _check_admin(by, batch.cohort)
    batch = ImportBatch.objects.select_for_update().select_related("cohort").get(pk=batch.pk)
    if batch.status not in (ImportStatus.PREVIEW, ImportStatus.FAILED):
        return batch
    bad, good = batch.error_rows, batch.valid_rows
    if bad and not skip_invalid:
        raise ValidationError(
            ngettext(
                "%(count)s row has errors. Fix the file and upload it again, or choose to "
                "skip the bad rows.",
                "%(count)s rows have errors. Fix the file and upload it again, or choose to "
                "skip the bad rows.",
                len(bad),
            )
            % {"count": len(bad)}
        )
    if not good:
        raise ValidationError(gettext("There is nobody to import: every row has an error."))
    batch.status = ImportStatus.QUEUED
    batch.skip_invalid = skip_invalid
    batch.applied_by = by
    batch.rows_total = len(good)
    batch.rows_done = 0
    batch.error = ""
    batch.save(
        update_fields=["status", "skip_invalid", "applied_by", "rows_total", "rows_done", "error"]
    )
    # Imported here: the tasks module imports this one.
    from programmes.tasks import import_batch

    batch_id = batch.pk
    transaction.on_commit(lambda: import_batch.delay(batch_id))
    return batch


def apply_batch(*, batch: ImportBatch, by: User, skip_invalid: bool) -> int:
    """Start the import and run it right here (scripts and tests); returns how many
    people were invited by this call, 0 when the batch was already imported."""
    was = batch.status
    started = start_import(batch=batch, by=by, skip_invalid=skip_invalid)
    if started.status != ImportStatus.QUEUED or was not in (
        ImportStatus.PREVIEW,
        ImportStatus.FAILED,
    ):
        return 0
    run_import(batch_id=started.pk)
    started.refresh_from_db()
    return started.imported_count if started.status == ImportStatus.DONE else 0


def _locked_batch(batch_id: int) -> ImportBatch | None:
    """The batch, locked, if it is still being imported."""
    return (
        # Only the batch row is locked; applied_by may be null (an outer join).
        ImportBatch.objects.select_for_update(of=("self",))
        .select_related("cohort", "applied_by")
        .filter(pk=batch_id, status__in=[ImportStatus.QUEUED, ImportStatus.IMPORTING])
        .first()
    )


def run_import(*, batch_id: int) -> str:
    """Create the invitations of a queued batch in chunks, saving the progress after each,
    then send them all in one last transaction.

    Safe to run twice and to resume: each chunk is committed with the progress it made,
    and rows already invited are not invited again. If anything fails, the invitations
    this import created (none of them sent yet) are deleted and the batch says why:
    nothing is half-imported."""
    with transaction.atomic():
        batch = _locked_batch(batch_id)
        if batch is None:
            return "nothing to do"
        batch.status = ImportStatus.IMPORTING
        batch.save(update_fields=["status"])
    try:
        good = batch.valid_rows
        for start in range(batch.rows_done, len(good), IMPORT_CHUNK):
            if not _import_chunk(batch_id, good[start : start + IMPORT_CHUNK], start):
                return "overtaken"
        imported = _finish(batch_id)
    except Exception as exc:
        logger.exception("Import batch %s failed", batch_id)
        _fail(batch_id, exc)
        return "failed"
    return f"imported {imported}"


def _import_chunk(batch_id: int, rows: list[dict[str, Any]], start: int) -> bool:
    """Create (unsent) invitations for ``rows``; False if the batch is no longer importing."""
    with transaction.atomic():
        batch = _locked_batch(batch_id)
        if batch is None or batch.rows_done != start:
            return False
        cohort = batch.cohort
        emails = [row["email"] for row in rows]
        enrolled = invitations.enrolled_roles(cohort=cohort, emails=emails)
        invited = set(
            Invitation.objects.filter(cohort=cohort, email__in=emails).values_list(
                "email", flat=True
            )
        )
        invitations.create_unsent_invitations(
            cohort=cohort,
            rows=[r for r in rows if r["email"] not in enrolled and r["email"] not in invited],
            by=batch.applied_by,
            batch=batch,
        )
        batch.rows_done = start + len(rows)
        batch.save(update_fields=["rows_done"])
    return True


def _finish(batch_id: int) -> int:
    """Send every invitation the import created, record the counts and the audit entry."""
    with transaction.atomic():
        batch = _locked_batch(batch_id)
        if batch is None:
            return 0
        cohort = batch.cohort
        mine = set(batch.invitations.values_list("email", flat=True))
        good = batch.valid_rows
        # Rows skipped because someone joined or was invited since the preview.
        enrolled = invitations.enrolled_roles(cohort=cohort, emails=[r["email"] for r in good])
        skipped_late = 0
        for row in good:
            if row["email"] in mine:
                continue
            if row["email"] in enrolled:
                row["errors"].append(gettext("Skipped: enrolled in the meantime."))
            else:
                row["errors"].append(gettext("Skipped: invited in the meantime."))
            skipped_late += 1
        invitations.send_new_invitations(batch.invitations.filter(sent_count=0))
        imported = len(mine)
        batch.status = ImportStatus.DONE
        batch.applied_at = timezone.now()
        batch.imported_count = imported
        batch.skipped_count = len(batch.rows) - len(good) + skipped_late
        batch.save()
        audit.record(
            actor=batch.applied_by,
            cohort=cohort,
            action=AuditAction.IMPORT_APPLIED,
            summary=f"Imported {imported} people from {batch.filename} "
            f"({batch.skipped_count} skipped) and sent their invitations",
            obj=batch,
            details={"imported": imported, "skipped": batch.skipped_count},
        )
    return imported


def _fail(batch_id: int, exc: Exception) -> None:
    """Undo what a failed import created (nothing of it was sent) and say what happened."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            return
        batch.invitations.filter(sent_count=0, accepted_at__isnull=True).delete()
        batch.status = ImportStatus.FAILED
        batch.rows_done = 0
        # The exception's own words stay as Python wrote them; they are for whoever fixes it.
        batch.error = gettext(
            "The import stopped with an error (%(error)s). Nobody was invited from this file; "
            "you can try again."
        ) % {"error": f"{type(exc).__name__}: {exc}"[:460]}
        batch.save(update_fields=["status", "rows_done", "error"])
