"""CSV exports of a cohort's participants, mentorships and goals, for programme admins.

Callers pass cohorts they have checked the viewer may administer. Every text cell is
defused against formula injection: spreadsheets run a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and names and goal titles are typed by participants.
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from goals.models import Goal
from matching.models import Cohort, Enrollment, Mentorship, MentorshipStatus, Role
from programmes.models import Invitation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = list[object]


def safe_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: formulas get a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cohort_ids(cohorts: Iterable[Cohort]) -> list[int]:
    return [c.pk for c in cohorts]


def participants(cohorts: Iterable[Cohort]) -> Iterator[Row]:
    """Everyone enrolled, then everyone invited who has not accepted yet."""
    ids = _cohort_ids(cohorts)
    enrollments = (
        Enrollment.objects.filter(cohort_id__in=ids)
        .with_load()
        .annotate(
            mentee_active=Count(
                "mentorships_as_mentee",
                filter=Q(mentorships_as_mentee__status=MentorshipStatus.ACTIVE),
            )
        )
        .select_related("cohort", "user__profile")
        .order_by("cohort__name", "role", "user__email")
    )
    for e in enrollments:
        is_mentor = e.role == Role.MENTOR
        yield [
            e.cohort.name,
            e.user.get_full_name(),
            e.user.email,
            e.get_role_display(),
            e.get_status_display(),
            e.capacity if is_mentor else "",
            e.active_mentorship_count() if is_mentor else e.mentee_active,
            e.joined_at,
        ]
    pending = (
        Invitation.objects.pending()
        .filter(cohort_id__in=ids)
        .select_related("cohort")
        .order_by("cohort__name", "role", "email")
    )
    for i in pending:
        yield [
            i.cohort.name,
            i.name,
            i.email,
            i.get_role_display(),
            pgettext("an invited person's status in the participants file", "Invited"),
            i.capacity,
            0,
            None,
        ]


def mentorships(cohorts: Iterable[Cohort]) -> Iterator[Row]:
    rows = (
        Mentorship.objects.filter(cohort_id__in=_cohort_ids(cohorts))
        .annotate(goal_count=Count("goals"))
        .select_related(
            "cohort", "mentor_enrollment__user__profile", "mentee_enrollment__user__profile"
        )
        .order_by("cohort__name", "started_at", "pk")
    )
    for m in rows:
        yield [
            m.cohort.name,
            m.mentor.get_full_name(),
            m.mentor.email,
            m.mentee.get_full_name(),
            m.mentee.email,
            m.get_status_display(),
            m.started_at,
            m.ended_at,
            m.goal_count,
        ]


def goals(cohorts: Iterable[Cohort]) -> Iterator[Row]:
    rows = (
        Goal.objects.filter(mentorship__cohort_id__in=_cohort_ids(cohorts))
        .select_related(
            "mentorship__cohort",
            "mentorship__mentor_enrollment__user__profile",
            "mentorship__mentee_enrollment__user__profile",
        )
        .prefetch_related("milestones")
        .order_by("mentorship__cohort__name", "target_date", "pk")
    )
    for g in rows:
        yield [
            g.mentorship.cohort.name,
            g.mentorship.mentee.get_full_name(),
            g.mentorship.mentor.get_full_name(),
            g.title,
            g.get_status_display(),
            g.target_date,
            g.progress_percent(),
        ]


# The headers are for people opening the file in a spreadsheet, so they are in the
# downloader's language; ``kind`` (the URL's and the file name's) stays as it is.
COHORT = pgettext_lazy("a column of an export", "cohort")
STATUS = pgettext_lazy("a column of an export", "status")
EXPORTS: dict[str, tuple[Sequence[object], Callable[[Iterable[Cohort]], Iterator[Row]]]] = {
    "participants": (
        (
            COHORT,
            _("name"),
            _("email"),
            _("role"),
            STATUS,
            _("capacity"),
            _("active mentorships"),
            _("joined"),
        ),
        participants,
    ),
    "mentorships": (
        (
            COHORT,
            _("mentor"),
            _("mentor email"),
            _("mentee"),
            _("mentee email"),
            STATUS,
            _("started"),
            _("ended"),
            _("goals"),
        ),
        mentorships,
    ),
    "goals": (
        (COHORT, _("mentee"), _("mentor"), _("title"), STATUS, _("target date"), _("progress %")),
        goals,
    ),
}


def csv_response(*, kind: str, cohorts: Sequence[Cohort]) -> HttpResponse:
    """The export as a download. ``kind`` must be one of ``EXPORTS``."""
    header, rows = EXPORTS[kind]
    stem = slugify(cohorts[0].slug) if len(cohorts) == 1 else "cohorts"
    filename = f"{stem}-{kind}-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte-order mark makes Excel read the file as UTF-8 rather than guess.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(name) for name in header])
    for row in rows(cohorts):
        writer.writerow([safe_cell(value) for value in row])
    return response
