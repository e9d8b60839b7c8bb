"""The report page, its CSV and the cohort actions, as the admins see them.

Access matrix: the cohort's programme admin and a superuser get in; the admin of another
cohort, staff without cohorts, participants and anonymous visitors do not.
"""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

from django.urls import reverse
from django.utils import timezone

import pytest

from core.outbox.models import OutboxEmail
from matching.models import (
    AuditAction,
    AuditEntry,
    Cohort,
    MentorshipStatus,
    RequestStatus,
    Role,
)
from programmes.models import SurveyKind, SurveyResponse
from tests.factories import CohortFactory, UserFactory, make_programme_admin
from tests.programmes.cohort_builders import enroll, make_mentorship, make_request

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
NAME = "Summer <script>alert(1)</script> & co"


@pytest.fixture
def cohort() -> Cohort:
    cohort = CohortFactory(name=NAME, slug="summer")
    mentor, mentee = enroll(cohort, Role.MENTOR), enroll(cohort, Role.MENTEE)
    make_mentorship(mentor, mentee)
    make_request(enroll(cohort, Role.MENTEE), mentor)
    return cohort


@pytest.fixture
def other() -> Cohort:
    return CohortFactory(name="Other", slug="other")


@pytest.fixture
def boss(cohort):
    return make_programme_admin(cohort)


def _report(cohort: Cohort) -> str:
    return reverse("admin:programmes_cohort_report", args=[cohort.pk])


def _csv(cohort: Cohort) -> str:
    return reverse("admin:programmes_cohort_report_csv", args=[cohort.pk])


def test_the_programme_admin_sees_the_report_with_charts_and_numbers(client, cohort, boss):
    client.force_login(boss)
    page = client.get(_report(cohort))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    for heading in (
        "Enrollment over time",
        "Match rate over time",
        "Request funnel",
        "Mentor response times",
        "Goals by status",
        "Meetings per mentorship",
        "Survey results: Mid-point survey",
    ):
        assert heading in html
    assert html.count('class="report-chart"') == 6  # no surveys sent yet
    assert 'class="breadcrumbs"' in html
    assert reverse("admin:matching_cohort_change", args=[cohort.pk]) in html


def test_the_report_charts_are_the_pages_svg(client, cohort, boss):
    client.force_login(boss)
    html = client.get(_report(cohort)).content.decode()
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="report-chart"')
    root = ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])
    assert NAME in root.find(f"{SVG}title").text


def test_the_csv_download(client, cohort, boss):
    client.force_login(boss)
    response = client.get(_csv(cohort), {"as_of": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "summer-report-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    values = {(s, m): v for s, m, v in rows[1:]}
    assert values[("cohort", "name")] == NAME
    assert values[("summary", "mentors enrolled")] == "1"
    assert values[("summary", "mentees enrolled")] == "2"
    assert values[("summary", "mentees matched")] == "1"
    assert values[("request funnel", "Waiting for the mentor")] == "1"


def test_a_bad_as_of_date_falls_back_to_today(client, cohort, boss):
    client.force_login(boss)
    page = client.get(_report(cohort), {"as_of": "not-a-date"})
    assert page.status_code == 200
    assert page.context["report"].as_of == timezone.localdate()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2999-01-01"])
def test_a_date_at_the_calendars_edges_answers_plainly(client, cohort, boss, day):
    client.force_login(boss)
    page = client.get(_report(cohort), {"as_of": day})
    assert page.status_code == 200
    assert page.context["report"].as_of == min(date.fromisoformat(day), timezone.localdate())
    assert client.get(_csv(cohort), {"as_of": day}).status_code == 200


def test_a_superuser_sees_every_report(client, cohort):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(_report(cohort)).status_code == 200
    assert client.get(_csv(cohort)).status_code == 200


@pytest.mark.parametrize("who", ["other_admin", "staff_without_cohorts"])
def test_other_admins_cannot_see_the_report(client, cohort, other, who):
    user = make_programme_admin(other) if who == "other_admin" else make_programme_admin()
    client.force_login(user)
    assert client.get(_report(cohort)).status_code == 404
    assert client.get(_csv(cohort)).status_code == 404


def test_an_unknown_cohort_looks_the_same_as_someone_elses(client, boss):
    client.force_login(boss)
    assert client.get(reverse("admin:programmes_cohort_report", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "participant"])
def test_people_outside_the_admin_are_sent_to_log_in(client, cohort, who):
    if who == "participant":
        client.force_login(cohort.enrollments.first().user)
    for url in (_report(cohort), _csv(cohort)):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


# --- Actions on the cohort list --------------------------------------------


def _act(client, action: str, *cohorts: Cohort, confirm: bool):
    data = {"action": action, "_selected_action": [c.pk for c in cohorts]}
    data.update({"post": "yes"} if confirm else {"index": "0"})
    return client.post(reverse("admin:matching_cohort_changelist"), data)


def test_close_asks_first_then_closes_once(client, cohort, boss):
    client.force_login(boss)
    page = _act(client, "close_cohorts", cohort, confirm=False)
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 active mentorship will be completed" in html
    assert "1 waiting request will expire" in html
    assert "3 people will get the end survey" in html
    assert 'name="post" value="yes"' in html
    cohort.refresh_from_db()
    assert cohort.closed_at is None
    assert not OutboxEmail.objects.exists()

    done = _act(client, "close_cohorts", cohort, confirm=True)
    assert done.status_code == 302
    cohort.refresh_from_db()
    closed_at = cohort.closed_at
    assert closed_at is not None
    assert cohort.mentorships.get().status == MentorshipStatus.COMPLETED
    assert cohort.requests.get().status == RequestStatus.EXPIRED
    assert OutboxEmail.objects.filter(template="survey").count() == 3

    again = _act(client, "close_cohorts", cohort, confirm=True)
    assert again.status_code == 302
    cohort.refresh_from_db()
    assert cohort.closed_at == closed_at
    assert OutboxEmail.objects.count() == 3
    assert AuditEntry.objects.filter(action=AuditAction.COHORT_CLOSED).count() == 1
    messages = [str(m) for m in client.get(done["Location"]).context["messages"]]
    assert any("already closed" in m for m in messages)


def test_surveys_from_the_cohort_list(client, cohort, boss):
    client.force_login(boss)
    preview = _act(client, "send_midpoint_survey", cohort, confirm=False)
    assert "3 people will get the survey by email" in preview.content.decode()
    assert not SurveyResponse.objects.exists()
    _act(client, "send_midpoint_survey", cohort, confirm=True)
    _act(client, "send_midpoint_survey", cohort, confirm=True)
    assert SurveyResponse.objects.filter(kind=SurveyKind.MIDPOINT).count() == 3
    assert OutboxEmail.objects.filter(template="survey").count() == 3
    _act(client, "send_end_survey", cohort, confirm=True)
    assert SurveyResponse.objects.filter(kind=SurveyKind.END).count() == 3


def test_reminders_from_the_cohort_list(client, cohort, boss):
    client.force_login(boss)
    preview = _act(client, "remind_mentors", cohort, confirm=False)
    assert "1 mentor will be reminded of 1 waiting request" in preview.content.decode()
    _act(client, "remind_mentors", cohort, confirm=True)
    _act(client, "remind_mentors", cohort, confirm=True)
    assert OutboxEmail.objects.filter(template="mentor_reminder").count() == 1
    preview = _act(client, "remind_mentors", cohort, confirm=False)
    assert "already reminded today" in preview.content.decode()


def test_another_cohorts_admin_cannot_act_on_it(client, cohort, other):
    client.force_login(make_programme_admin(other))
    for action in ("close_cohorts", "send_midpoint_survey", "remind_mentors"):
        _act(client, action, cohort, confirm=True)
    cohort.refresh_from_db()
    assert cohort.closed_at is None
    assert not OutboxEmail.objects.exists()
    assert not SurveyResponse.objects.exists()
