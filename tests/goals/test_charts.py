"""The progress chart: the pace rule, an SVG that reads without colour, and the goal page."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from goals import services
from goals.charts import AHEAD, BEHIND, ON_TRACK, chart_for, expected_percent, pace, progress_chart
from goals.models import Goal, GoalStatus, ProgressUpdate
from tests.goals.conftest import days, metric_draft

SVG = "{http://www.w3.org/2000/svg}"
START, TARGET = date(2026, 1, 1), date(2026, 1, 11)  # ten days: 10% of the plan a day
MIDWAY = date(2026, 1, 6)  # the plan says 50%


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(39, BEHIND), (40, ON_TRACK), (50, ON_TRACK), (60, ON_TRACK), (61, AHEAD), (0, BEHIND)],
)
def test_pace_is_on_track_within_ten_points_of_the_plan(percent, expected):
    assert pace(START, TARGET, MIDWAY, percent) == expected


def test_the_plan_is_flat_before_the_start_and_full_after_the_target():
    assert expected_percent(START, TARGET, START - timedelta(days=5)) == 0
    assert expected_percent(START, TARGET, START) == 0
    assert expected_percent(START, TARGET, TARGET) == 100
    assert expected_percent(START, TARGET, TARGET + timedelta(days=30)) == 100
    assert pace(START, TARGET, START - timedelta(days=5), 0) == ON_TRACK
    assert pace(START, TARGET, START - timedelta(days=5), 11) == AHEAD
    assert pace(START, TARGET, TARGET + timedelta(days=30), 90) == ON_TRACK
    assert pace(START, TARGET, TARGET + timedelta(days=30), 89) == BEHIND


def test_a_one_day_goal_is_due_in_full_on_its_day():
    assert pace(START, START, START, 100) == ON_TRACK
    assert pace(START, START, START, 50) == BEHIND
    assert pace(START, START, START - timedelta(days=1), 0) == ON_TRACK


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _markers(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}path") if e.get("class") == "chart-marker"]


def _by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == name]


def test_the_chart_is_an_image_with_a_title_and_a_description():
    points = [(START, 0), (date(2026, 1, 3), 10), (MIDWAY, 40)]
    root = _parse(progress_chart(points, START, TARGET, MIDWAY, title="Ship the API"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("viewBox")
    assert "Ship the API" in root.find(f"{SVG}title").text
    desc = root.find(f"{SVG}desc").text
    assert "Progress 40% on 6 Jan" in desc and "planned 50%" in desc and "on track" in desc
    labelled_by = root.get("aria-labelledby").split()
    assert labelled_by == [root.find(f"{SVG}title").get("id"), root.find(f"{SVG}desc").get("id")]


def test_the_plan_is_dashed_and_progress_is_solid_with_one_marker_per_point():
    points = [(START, 0), (date(2026, 1, 3), 10), (MIDWAY, 40)]
    root = _parse(progress_chart(points, START, TARGET, MIDWAY, title="Ship the API"))
    (plan, _legend_plan) = _by_class(root, "chart-plan")
    assert plan.get("stroke-dasharray")
    (actual, _legend_actual) = _by_class(root, "chart-actual")
    assert actual.get("stroke-dasharray") is None
    assert len(actual.get("points").split()) == 3
    assert len(_markers(root)) == 3
    assert _by_class(root, "chart-today")


def test_the_axes_and_legend_are_labelled_in_words():
    root = _parse(progress_chart([(START, 0)], START, TARGET, MIDWAY, title="Ship the API"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for label in ("0%", "50%", "100%", "1 Jan", "11 Jan", "Plan", "Progress", "Today"):
        assert label in texts


def test_a_malicious_title_is_escaped():
    svg = progress_chart([(START, 0)], START, TARGET, MIDWAY, title="<script>alert(1)</script>")
    assert "<script>" not in svg
    root = _parse(svg)
    assert "<script>alert(1)</script>" in root.find(f"{SVG}title").text


def test_no_updates_draws_the_plan_alone():
    root = _parse(progress_chart([], START, TARGET, MIDWAY, title="Ship the API"))
    assert _markers(root) == [] and _by_class(root, "chart-plan")
    assert "No progress logged yet" in root.find(f"{SVG}desc").text


def test_a_single_day_goal_is_drawn_without_dividing_by_zero():
    root = _parse(progress_chart([(START, 0), (START, 100)], START, START, START, title="Talk"))
    assert len(_markers(root)) == 2
    assert "NaN" not in ET.tostring(root, encoding="unicode")


def test_updates_after_the_target_date_widen_the_chart():
    late = TARGET + timedelta(days=10)
    root = _parse(progress_chart([(START, 0), (late, 80)], START, TARGET, late, title="Late"))
    xs = [float(p.split(",")[0]) for p in _by_class(root, "chart-actual")[0].get("points").split()]
    plan_end = float(_by_class(root, "chart-plan")[0].get("points").split()[1].split(",")[0])
    assert xs[-1] > plan_end  # the late update sits to the right of the target date
    assert all(x <= 640 for x in xs)
    assert "behind" in root.find(f"{SVG}desc").text


def test_percentages_outside_zero_to_a_hundred_stay_inside_the_chart():
    root = _parse(progress_chart([(START, 150)], START, TARGET, MIDWAY, title="Odd"))
    ys = [float(p.split(",")[1]) for p in _by_class(root, "chart-actual")[0].get("points").split()]
    assert all(0 <= y <= 240 for y in ys)


@pytest.mark.django_db
def test_a_draft_has_no_chart_but_an_approved_goal_has(make_goal):
    assert chart_for(make_goal(GoalStatus.DRAFT), timezone.localdate()) is None
    chart = chart_for(make_goal(GoalStatus.APPROVED), timezone.localdate())
    assert chart is not None and chart.pace == ON_TRACK and chart.percent == 0


@pytest.mark.django_db
def test_the_chart_follows_the_progress_log_one_point_per_day(make_goal, mentee):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    Goal.objects.filter(pk=goal.pk).update(starts_on=days(-2))
    goal.refresh_from_db()
    services.log_progress(goal=goal, by=mentee, value=25)
    services.log_progress(goal=goal, by=mentee, value=30)  # same day: the later one counts
    yesterday = timezone.now() - timedelta(days=1)
    ProgressUpdate.objects.filter(percent=25).update(created_at=yesterday)
    chart = chart_for(goal, timezone.localdate())
    assert [r.percent for r in chart.rows] == [0, 25, 50]
    assert len(_markers(_parse(chart.svg))) == 3
    assert chart.pace == AHEAD and chart.pace_label == "Ahead" and chart.pace_icon == "▲"


@pytest.mark.django_db
def test_a_closed_goal_keeps_its_chart_without_a_pace(make_goal, mentee):
    goal = make_goal(GoalStatus.IN_PROGRESS)
    services.log_progress(goal=goal, by=mentee, value=40)
    goal = services.close_goal(goal=goal, by=mentee, outcome=GoalStatus.ACHIEVED)
    chart = chart_for(goal, timezone.localdate())
    assert chart is not None and chart.pace is None
    assert not _by_class(_parse(chart.svg), "chart-today")


@pytest.mark.django_db
def test_the_goal_page_shows_the_chart_the_pace_and_its_data(client, make_goal, mentee):
    goal = make_goal(
        GoalStatus.IN_PROGRESS,
        draft=metric_draft(
            title="Improve NPS from 20 to 40 & <b>keep it</b>", target_date=days(60)
        ),
    )
    services.log_progress(goal=goal, by=mentee, value=30)  # 50% on day one: ahead
    client.force_login(mentee)
    html = client.get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert "▲" in html and "Ahead" in html
    assert "Chart data as a table" in html and "<td>50%</td>" in html
    assert "css/goals.css" in html
    assert "<b>keep it</b>" not in html
