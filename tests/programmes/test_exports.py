"""CSV exports of participants, mentorships and goals: content, formula escaping, scope."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

import pytest

from goals.models import Goal, GoalStatus, MeasureKind, Milestone
from matching.models import AuditAction, AuditEntry, Mentorship, MentorshipStatus, Role
from programmes.exports import safe_cell
from programmes.services.invitations import create_invitation
from tests.factories import CohortFactory, ProfileFactory, make_programme_admin
from tests.programmes.people import enroll

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    cohort = CohortFactory(name="Spring Leaders", slug="spring-leaders")
    mentor = enroll(cohort, Role.MENTOR, display_name="Maya Mentor", user__email="maya@example.org")
    mentor.capacity_override = 3
    mentor.save()
    mentee = enroll(
        cohort, Role.MENTEE, display_name='=HYPERLINK("http://evil.example")', user__email="m@x.org"
    )
    mentorship = Mentorship.objects.create(
        cohort=cohort, mentor_enrollment=mentor, mentee_enrollment=mentee
    )
    today = timezone.localdate()
    Goal.objects.create(
        mentorship=mentorship,
        title="+SUM(A1:A9)",
        outcome="o",
        measure=MeasureKind.METRIC,
        baseline=Decimal(0),
        target=Decimal(10),
        current_value=Decimal(4),
        plan="p",
        relevance="r",
        target_date=today + timedelta(days=30),
        status=GoalStatus.IN_PROGRESS,
    )
    checklist = Goal.objects.create(
        mentorship=mentorship,
        title="Give a talk",
        outcome="o",
        measure=MeasureKind.MILESTONES,
        plan="p",
        relevance="r",
        target_date=today + timedelta(days=60),
    )
    Milestone.objects.create(goal=checklist, position=1, title="a", done_at=timezone.now())
    Milestone.objects.create(goal=checklist, position=2, title="b")
    Milestone.objects.create(goal=checklist, position=3, title="c")
    Milestone.objects.create(goal=checklist, position=4, title="d")
    create_invitation(
        cohort=cohort,
        email="new@example.org",
        name="@Newbie",
        role="mentee",
        capacity=None,
        by=None,
    )
    return cohort


@pytest.fixture
def other_cohort():
    other = CohortFactory(name="Other Programme")
    enroll(other, Role.MENTOR, user__email="hidden@example.org")
    return other


@pytest.fixture
def admin_client(client, cohort):
    client.force_login(make_programme_admin(cohort))
    return client


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def export_url(cohort, kind: str) -> str:
    return reverse("admin:programmes_cohort_export", args=[cohort.pk, kind])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Ana = great", "Ana = great"),
        ("", ""),
        (None, ""),
        (-2, -2),
        (50, 50),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_defused(value, expected):
    assert safe_cell(value) == expected


def test_participants_export(admin_client, cohort, other_cohort):
    response = admin_client.get(export_url(cohort, "participants"))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="spring-leaders-participants-'
    )
    header, *rows = rows_of(response)
    assert header == [
        "cohort",
        "name",
        "email",
        "role",
        "status",
        "capacity",
        "active mentorships",
        "joined",
    ]
    today = timezone.localdate().isoformat()
    assert rows == [
        [
            "Spring Leaders",
            '\'=HYPERLINK("http://evil.example")',
            "m@x.org",
            "Mentee",
            "Active",
            "",
            "1",
            today,
        ],
        ["Spring Leaders", "Maya Mentor", "maya@example.org", "Mentor", "Active", "3", "1", today],
        ["Spring Leaders", "'@Newbie", "new@example.org", "Mentee", "Invited", "", "0", ""],
    ]
    assert "hidden@example.org" not in response.content.decode()


def test_mentorships_export(admin_client, cohort):
    header, *rows = rows_of(admin_client.get(export_url(cohort, "mentorships")))
    assert header == [
        "cohort",
        "mentor",
        "mentor email",
        "mentee",
        "mentee email",
        "status",
        "started",
        "ended",
        "goals",
    ]
    today = timezone.localdate().isoformat()
    assert rows == [
        [
            "Spring Leaders",
            "Maya Mentor",
            "maya@example.org",
            '\'=HYPERLINK("http://evil.example")',
            "m@x.org",
            "Active",
            today,
            "",
            "2",
        ]
    ]


def test_an_ended_mentorship_has_its_end_date(admin_client, cohort):
    ended = timezone.now()
    Mentorship.objects.update(status=MentorshipStatus.COMPLETED, ended_at=ended)
    _, row = rows_of(admin_client.get(export_url(cohort, "mentorships")))
    assert row[5:8] == ["Completed", timezone.localdate().isoformat(), ended.date().isoformat()]


def test_goals_export(admin_client, cohort):
    header, *rows = rows_of(admin_client.get(export_url(cohort, "goals")))
    assert header == ["cohort", "mentee", "mentor", "title", "status", "target date", "progress %"]
    today = timezone.localdate()
    mentee = '\'=HYPERLINK("http://evil.example")'
    assert rows == [
        [
            "Spring Leaders",
            mentee,
            "Maya Mentor",
            "'+SUM(A1:A9)",
            "In progress",
            (today + timedelta(days=30)).isoformat(),
            "40",
        ],
        [
            "Spring Leaders",
            mentee,
            "Maya Mentor",
            "Give a talk",
            "Draft",
            (today + timedelta(days=60)).isoformat(),
            "25",
        ],
    ]


def test_an_unknown_export_is_a_404(admin_client, cohort):
    assert admin_client.get(export_url(cohort, "passwords")).status_code == 404


@pytest.mark.parametrize("kind", ["participants", "mentorships", "goals"])
def test_an_admin_of_another_cohort_gets_nothing(client, cohort, other_cohort, kind):
    client.force_login(make_programme_admin(other_cohort))
    response = client.get(export_url(cohort, kind))
    assert response.status_code == 404
    assert b"maya@example.org" not in response.content


def test_an_anonymous_visitor_is_sent_to_log_in(client, cohort):
    response = client.get(export_url(cohort, "participants"))
    assert response.status_code == 302 and "login" in response.url


def test_a_participant_who_is_not_staff_is_sent_to_log_in(client, cohort):
    person = ProfileFactory().user
    cohort.admins.add(person)  # listed, but not staff: not a programme admin
    client.force_login(person)
    response = client.get(export_url(cohort, "participants"))
    assert response.status_code == 302


def _action(client, action: str, *cohorts):
    return client.post(
        reverse("admin:matching_cohort_changelist"),
        {"action": action, "_selected_action": [c.pk for c in cohorts]},
    )


def test_the_export_actions_cover_the_selected_cohorts(client, staff, cohort, other_cohort):
    client.force_login(staff)
    _, *rows = rows_of(_action(client, "export_participants_csv", cohort, other_cohort))
    assert {row[0] for row in rows} == {"Spring Leaders", "Other Programme"}
    _, *rows = rows_of(_action(client, "export_mentorships_csv", cohort))
    assert len(rows) == 1
    _, *rows = rows_of(_action(client, "export_goals_csv", cohort))
    assert len(rows) == 2


def test_a_programme_admin_exports_their_cohort_by_action(admin_client, cohort):
    response = _action(admin_client, "export_participants_csv", cohort)
    assert response["Content-Disposition"].startswith('attachment; filename="spring-leaders-')
    assert len(rows_of(response)) == 4


def test_an_action_on_another_cohort_exports_nothing(client, cohort, other_cohort):
    client.force_login(make_programme_admin(other_cohort))
    for action in ("export_participants_csv", "export_mentorships_csv", "export_goals_csv"):
        response = _action(client, action, cohort)
        assert response.status_code == 403
        assert b"maya@example.org" not in response.content
        assert not response.get("Content-Disposition")


@pytest.mark.parametrize("kind", ["participants", "mentorships", "goals"])
def test_every_export_leaves_an_audit_entry(client, cohort, kind):
    boss = make_programme_admin(cohort)
    client.force_login(boss)
    assert client.get(export_url(cohort, kind)).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.DATA_EXPORTED)
    assert (entry.actor, entry.cohort) == (boss, cohort)
    assert entry.summary == f"Exported the {kind} of Spring Leaders as CSV"


def test_an_export_action_leaves_one_entry_per_cohort(client, staff, cohort, other_cohort):
    client.force_login(staff)
    rows_of(_action(client, "export_goals_csv", cohort, other_cohort))
    entries = AuditEntry.objects.filter(action=AuditAction.DATA_EXPORTED)
    assert {e.cohort for e in entries} == {cohort, other_cohort}
    assert {e.actor for e in entries} == {staff}


def test_a_refused_export_leaves_no_entry(client, cohort, other_cohort):
    client.force_login(make_programme_admin(other_cohort))
    client.get(export_url(cohort, "participants"))
    _action(client, "export_participants_csv", cohort)
    assert not AuditEntry.objects.filter(action=AuditAction.DATA_EXPORTED).exists()
