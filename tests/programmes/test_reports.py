"""The cohort report against a cohort built by hand, where every number is known.

The cohort starts on Monday 5 January 2026 and the report is taken on the 26th: points
on the 5th, 12th, 19th and 26th. Rows dated after the 26th, and a second cohort's rows,
must not count.
"""

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

import pytest

from goals.models import GoalStatus, MeetingStatus
from matching.models import EnrollmentStatus, MentorshipStatus, RequestStatus, Role
from programmes.admin_reports import report_charts
from programmes.models import SurveyKind, SurveyResponse
from programmes.reports import (
    CohortReport,
    Point,
    cohort_report,
    csv_cell,
    percentile_nearest_rank,
    report_days,
    write_csv,
)
from tests.factories import CohortFactory
from tests.programmes.cohort_builders import (
    at,
    enroll,
    make_goal,
    make_meeting,
    make_mentorship,
    make_request,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
NAME = 'Spring <b>"Leaders"</b> & Co'
START, AS_OF = date(2026, 1, 5), date(2026, 1, 26)


def d(day: int, month: int = 1) -> date:
    return date(2026, month, day)


@dataclass
class Built:
    cohort: object
    report: CohortReport


def _survey(cohort, enrollment, *, sent, answered=None, sat=None, rec=None, progress=None, text=""):
    return SurveyResponse.objects.create(
        cohort=cohort,
        user=enrollment.user,
        role=enrollment.role,
        kind=SurveyKind.MIDPOINT,
        sent_at=sent,
        answered_at=answered,
        satisfaction=sat,
        recommend=rec,
        goal_progress=progress,
        comments=text,
    )


def _noise() -> None:
    """A second cohort with one of everything: none of it may reach the first's report."""
    other = CohortFactory(name="Other", slug="other", starts_on=START)
    mentor = enroll(other, Role.MENTOR, at(d(6)))
    mentee = enroll(other, Role.MENTEE, at(d(6)))
    make_request(
        mentee,
        mentor,
        created_at=at(d(7)),
        status=RequestStatus.ACCEPTED,
        responded_at=at(d(7), 13),
    )
    pair = make_mentorship(mentor, mentee, started_at=at(d(7), 13))
    make_goal(pair, GoalStatus.DRAFT, at(d(8)))
    make_meeting(pair, at(d(9)))
    _survey(other, mentee, sent=at(d(19)), answered=at(d(20)), sat=1, rec=0, progress=0)


@pytest.fixture
def built() -> Built:
    cohort = CohortFactory(name=NAME, slug="spring", starts_on=START)
    m1 = enroll(cohort, Role.MENTOR, at(d(1)))
    m2 = enroll(cohort, Role.MENTOR, at(d(8)))
    m3 = enroll(cohort, Role.MENTOR, at(d(20)))
    enroll(cohort, Role.MENTOR, at(d(30)))  # after the report day
    e1 = enroll(cohort, Role.MENTEE, at(d(2)))
    e2 = enroll(cohort, Role.MENTEE, at(d(3)))
    e3 = enroll(cohort, Role.MENTEE, at(d(10)))
    e4 = enroll(cohort, Role.MENTEE, at(d(15)))
    # Left since, but did join: still counted.
    e5 = enroll(cohort, Role.MENTEE, at(d(22)), status=EnrollmentStatus.LEFT)
    enroll(cohort, Role.MENTEE, at(d(1, 2)))  # after the report day

    # Requests: hours to an answer 2, 24, 6, 96, 240; one answered only after the 26th.
    make_request(
        e1, m1, created_at=at(d(5), 10), status=RequestStatus.ACCEPTED, responded_at=at(d(5), 12)
    )
    make_request(
        e3, m2, created_at=at(d(11)), status=RequestStatus.ACCEPTED, responded_at=at(d(12))
    )
    make_request(
        e2, m2, created_at=at(d(9), 0), status=RequestStatus.DECLINED, responded_at=at(d(9), 6)
    )
    make_request(
        e4, m2, created_at=at(d(14), 0), status=RequestStatus.ACCEPTED, responded_at=at(d(18), 0)
    )
    make_request(e2, m3, created_at=at(d(21)), status=RequestStatus.WITHDRAWN)
    make_request(e5, m1, created_at=at(d(22)), status=RequestStatus.EXPIRED)
    make_request(e5, m3, created_at=at(d(23)), status=RequestStatus.PENDING)
    make_request(
        e4, m3, created_at=at(d(16), 0), status=RequestStatus.DECLINED, responded_at=at(d(26), 0)
    )
    make_request(
        e1, m3, created_at=at(d(25), 0), status=RequestStatus.DECLINED, responded_at=at(d(27), 0)
    )
    make_request(
        e2, m1, created_at=at(d(28)), status=RequestStatus.ACCEPTED, responded_at=at(d(28), 13)
    )

    ms1 = make_mentorship(m1, e1, started_at=at(d(6), 10))
    # 23:00 on the 12th still counts for the 12th.
    ms2 = make_mentorship(m2, e3, started_at=at(d(12), 23), status=MentorshipStatus.COMPLETED)
    ms4 = make_mentorship(m2, e4, started_at=at(d(20)), status=MentorshipStatus.ENDED_EARLY)
    ms3 = make_mentorship(m1, e2, started_at=at(d(27)))  # after the report day

    make_goal(ms1, GoalStatus.DRAFT, at(d(7)))
    make_goal(ms1, GoalStatus.IN_PROGRESS, at(d(8)))
    make_goal(ms1, GoalStatus.IN_PROGRESS, at(d(9)))
    make_goal(ms2, GoalStatus.ACHIEVED, at(d(14)))
    make_goal(ms4, GoalStatus.ABANDONED, at(d(21)))
    make_goal(ms1, GoalStatus.APPROVED, at(d(28)))  # after the report day

    for day in (7, 8, 9, 13, 15, 22):
        make_meeting(ms1, at(d(day)))
    make_meeting(ms1, at(d(20)), MeetingStatus.CANCELLED)
    make_meeting(ms1, at(d(29)))  # still to come on the 26th
    make_meeting(ms2, at(d(14)))
    make_meeting(ms3, at(d(28)))

    _survey(
        cohort,
        m1,
        sent=at(d(19)),
        answered=at(d(20)),
        sat=5,
        rec=10,
        progress=3,
        text='=HYPERLINK("http://evil.example","click")',
    )
    _survey(
        cohort,
        e1,
        sent=at(d(19)),
        answered=at(d(21)),
        sat=4,
        rec=9,
        progress=2,
        text="Great <b>mentor</b>",
    )
    _survey(cohort, e2, sent=at(d(19)), answered=at(d(22)), sat=2, rec=6, progress=0)
    _survey(cohort, e3, sent=at(d(19)), answered=at(d(27)), sat=3, rec=7, progress=1)
    _survey(cohort, m2, sent=at(d(19)))

    _noise()
    return Built(cohort=cohort, report=cohort_report(cohort=cohort, as_of=AS_OF))


def test_points_are_weekly_from_the_start_and_end_on_the_report_day():
    assert report_days(START, AS_OF) == [d(5), d(12), d(19), d(26)]
    assert report_days(START, d(28)) == [d(5), d(12), d(19), d(26), d(28)]
    assert report_days(START, d(1)) == [d(1)]


def test_enrollment_and_match_rate_over_time(built):
    assert built.report.points == [
        Point(day=d(5), mentors=1, mentees=2, matched=0),
        Point(day=d(12), mentors=2, mentees=3, matched=2),
        Point(day=d(19), mentors=2, mentees=4, matched=2),
        Point(day=d(26), mentors=3, mentees=5, matched=3),
    ]
    rates = [p.match_rate for p in built.report.points]
    assert rates == [0, pytest.approx(200 / 3), 50, 60]


def test_mentorships_counted_by_start_and_status(built):
    assert built.report.mentorships_started == 3
    assert built.report.mentorships_by_status == {
        MentorshipStatus.ACTIVE: 1,
        MentorshipStatus.COMPLETED: 1,
        MentorshipStatus.ENDED_EARLY: 1,
    }


def test_request_funnel_counts_requests_sent_by_then(built):
    funnel = built.report.funnel
    assert funnel.sent == 9
    assert dict(funnel.rows()) == {
        "Accepted": 3,
        "Declined": 3,
        "Withdrawn": 1,
        "Expired": 1,
        "Waiting for the mentor": 1,
    }


def test_mentor_response_times(built):
    times = built.report.response_times
    assert times.hours == [2, 6, 24, 96, 240]
    assert times.answered == 5
    assert times.median == 24
    assert times.p90 == 240
    assert times.histogram == [
        ("under 4 hours", 1),
        ("4 to 24 hours", 1),
        ("1 to 3 days", 1),
        ("3 to 7 days", 1),
        ("7 days or more", 1),
    ]


def test_percentiles_by_nearest_rank():
    assert percentile_nearest_rank([], 90) is None
    assert percentile_nearest_rank([5], 90) == 5
    assert percentile_nearest_rank(list(range(1, 11)), 90) == 9
    assert percentile_nearest_rank(list(range(1, 12)), 90) == 10


def test_goals_by_status(built):
    goals = dict(built.report.goals)
    assert goals == {
        "Draft": 1,
        "Waiting for review": 0,
        "Changes requested": 0,
        "Approved": 0,
        "In progress": 2,
        "Achieved": 1,
        "Not achieved": 0,
        "Abandoned": 1,
    }


def test_meetings_per_mentorship_leave_out_cancelled_and_future_ones(built):
    meetings = built.report.meetings
    assert meetings.mentorships == 3
    assert meetings.meetings == 7
    assert meetings.mean == pytest.approx(7 / 3)
    assert meetings.distribution == [
        ("0", 1),
        ("1", 1),
        ("2", 0),
        ("3", 0),
        ("4", 0),
        ("5 or more", 1),
    ]


def test_survey_results(built):
    midpoint, end = built.report.surveys
    assert (midpoint.kind, end.kind) == (SurveyKind.MIDPOINT, SurveyKind.END)
    assert (midpoint.sent, midpoint.answered) == (5, 3)
    assert midpoint.response_rate == 60
    assert midpoint.mean_satisfaction == pytest.approx(11 / 3)
    assert midpoint.satisfaction == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 1)]
    assert (midpoint.promoters, midpoint.passives, midpoint.detractors) == (2, 0, 1)
    assert midpoint.nps == pytest.approx(100 / 3)
    assert dict(midpoint.recommend) == {**dict.fromkeys(range(11), 0), 6: 1, 9: 1, 10: 1}
    assert midpoint.goal_progress == [
        ("No progress yet", 1),
        ("Some progress", 0),
        ("Good progress on most of my goals", 1),
        ("I reached my goals", 1),
    ]
    assert [(c.role, c.text) for c in midpoint.comments] == [
        ("Mentor", '=HYPERLINK("http://evil.example","click")'),
        ("Mentee", "Great <b>mentor</b>"),
    ]
    assert (end.sent, end.answered, end.nps, end.mean_satisfaction) == (0, 0, None, None)


def test_an_empty_cohort_reports_zeros_not_errors():
    cohort = CohortFactory(name="Empty", slug="empty", starts_on=START)
    report = cohort_report(cohort=cohort, as_of=AS_OF)
    assert report.latest == Point(day=AS_OF, mentors=0, mentees=0, matched=0)
    assert report.latest.match_rate is None
    assert report.response_times.median is None
    assert report.meetings.mean is None
    for svg in _all_svgs(report_charts(report)):
        ET.fromstring(svg)


def _all_svgs(charts: dict) -> list[str]:
    svgs = [v for k, v in charts.items() if k != "surveys"]
    for _, by_kind in charts["surveys"]:
        svgs += list(by_kind.values())
    return svgs


def test_every_chart_is_well_formed_svg_with_the_name_escaped(built):
    svgs = _all_svgs(report_charts(built.report))
    assert len(svgs) == 6 + 2 * 3
    for svg in svgs:
        assert "<b>" not in svg
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        assert NAME in title.text  # escaped in the source, the same words once parsed
        assert root.find(f"{SVG}desc").text


def test_bar_charts_write_each_number_as_text(built):
    funnel = ET.fromstring(report_charts(built.report)["funnel"])
    values = [t.text for t in funnel.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values == ["9", "3", "3", "1", "1", "1"]


def _csv(report: CohortReport) -> dict[tuple[str, str], str]:
    out = io.StringIO()
    write_csv(report, out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["section", "metric", "value"]
    return {(section, metric): value for section, metric, value in rows[1:]}


def test_the_csv_holds_the_same_numbers(built):
    rows = _csv(built.report)
    assert rows[("cohort", "name")] == NAME
    assert rows[("cohort", "as of")] == "2026-01-26"
    assert rows[("summary", "mentees matched")] == "3"
    assert rows[("summary", "match rate %")] == "60"
    assert rows[("enrollment", "2026-01-12 mentors")] == "2"
    assert rows[("enrollment", "2026-01-19 mentees")] == "4"
    assert rows[("match rate", "2026-01-12 match rate %")] == "66.67"
    assert rows[("request funnel", "Sent")] == "9"
    assert rows[("request funnel", "Declined")] == "3"
    assert rows[("mentor response time", "median hours")] == "24"
    assert rows[("mentor response time", "90th percentile hours")] == "240"
    assert rows[("goals by status", "In progress")] == "2"
    assert rows[("meetings per mentorship", "mean")] == "2.33"
    assert rows[("meetings per mentorship", "mentorships with 5 or more meetings")] == "1"
    assert rows[("Mid-point survey", "NPS")] == "33.33"
    assert rows[("Mid-point survey", "mean satisfaction")] == "3.67"
    assert rows[("Mid-point survey", "would recommend 10")] == "1"
    assert rows[("End-of-cohort survey", "NPS")] == ""


def test_the_csv_defuses_formulas_in_text(built):
    rows = _csv(built.report)
    assert rows[("Mid-point survey", "comment (mentor)")] == (
        '\'=HYPERLINK("http://evil.example","click")'
    )
    assert rows[("Mid-point survey", "comment (mentee)")] == "Great <b>mentor</b>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (-20.0, "-20"),
        (2 / 3, "0.67"),
        (7, "7"),
        (None, ""),
    ],
)
def test_csv_cells(value, expected):
    assert csv_cell(value) == expected


def test_a_negative_nps(built):
    SurveyResponse.objects.filter(cohort=built.cohort, recommend__gte=9).update(recommend=3)
    midpoint = cohort_report(cohort=built.cohort, as_of=AS_OF).surveys[0]
    assert (midpoint.promoters, midpoint.detractors) == (0, 3)
    assert midpoint.nps == -100
