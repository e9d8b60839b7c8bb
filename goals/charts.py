"""A goal's progress over time against its plan, drawn on the server as SVG.

The plan is the straight line from 0% on the start date to 100% on the target date.
``pace`` compares progress with that line; ``progress_chart`` draws both. Nothing here
touches the database except ``chart_for``, which reads a goal's progress log.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from goals.models import Goal, GoalStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AHEAD, ON_TRACK, BEHIND = "ahead", "on_track", "behind"
# Within this many percentage points of the plan counts as on track.
TOLERANCE = 10
# An icon character and a word for each pace, so the badge never relies on colour.
PACE_LABELS: dict[str, tuple[str, "StrOrPromise"]] = {
    AHEAD: ("▲", gettext_lazy("Ahead")),
    ON_TRACK: ("●", gettext_lazy("On track")),
    BEHIND: ("▼", gettext_lazy("Behind")),
}
# The pace as it reads inside the chart's description ("…; on track.").
PACE_IN_A_SENTENCE = {
    AHEAD: pgettext_lazy("pace in a sentence", "ahead"),
    ON_TRACK: pgettext_lazy("pace in a sentence", "on track"),
    BEHIND: pgettext_lazy("pace in a sentence", "behind"),
}

# Geometry of the drawing, in viewBox units.
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 620, 14, 176


def expected_percent(start: date, target_date: date, today: date) -> float:
    """Where the plan says the goal should be on ``today``: 0% until the start, 100% from
    the target date on, a straight line between."""
    if today >= target_date:
        return 100.0
    if today <= start:
        return 0.0
    return 100 * (today - start).days / (target_date - start).days


def pace(start: date, target_date: date, today: date, percent: int) -> str:
    """``ahead``, ``on_track`` or ``behind`` the plan, with TOLERANCE points either way.

    A closed goal has no pace any more; callers report its final status instead."""
    gap = percent - expected_percent(start, target_date, today)
    if gap > TOLERANCE:
        return AHEAD
    if gap < -TOLERANCE:
        return BEHIND
    return ON_TRACK


def short_date(day: date, *, with_year: bool = False) -> str:
    """E.g. "8 Nov" or "8 Nov 2026", in the active language: not strftime, whose month
    names follow the C locale."""
    if with_year:
        return date_format(day, pgettext("date format", "j M Y"))
    return date_format(day, pgettext("date format", "j M"))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def progress_chart(
    points: Sequence[tuple[date, int]],
    start: date,
    target_date: date,
    today: date | None,
    *,
    title: str,
    chart_id: str = "progress-chart",
) -> SafeString:
    """An accessible SVG line chart: the plan dashed, progress solid with diamond markers,
    a dotted line for today (left out when ``today`` is None), and a text legend.

    Every piece of text is escaped, so the result is safe to put in a page as it is."""
    points = sorted(((day, max(0, min(100, pct))) for day, pct in points), key=lambda p: p[0])
    days = [start, target_date, *(day for day, _ in points)]
    if today is not None:
        days.append(today)
    first, last = min(days), max(days)
    span = max((last - first).days, 1)  # a one-day goal still needs a width to draw on
    with_year = first.year != last.year

    def x(day: date) -> float:
        return LEFT + (RIGHT - LEFT) * (day - first).days / span

    def y(pct: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * pct / 100

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    # The words, escaped once here (gettext cannot find them inside f-strings).
    heading = escape(_("Progress of “%(goal)s” against the plan") % {"goal": title})
    plan_word, progress_word, today_word = (
        escape(_("Plan")),
        escape(_("Progress")),
        escape(_("Today")),
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}">',
        f'<title id="{escape(title_id)}">{heading}</title>',
        f'<desc id="{escape(desc_id)}">'
        f"{escape(_describe(points, start, target_date, today, with_year))}</desc>",
    ]

    # Axes: 0/50/100% with grid lines, and the start and target dates.
    parts.append('<g class="chart-axis">')
    for pct in (0, 50, 100):
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{_num(y(pct))}" '
            f'x2="{RIGHT}" y2="{_num(y(pct))}"/>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{_num(y(pct) + 4)}" '
            f'text-anchor="end">{pct}%</text>'
        )
    parts.append(
        f'<line class="chart-axis-line" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{BOTTOM}"/>'
    )
    for day in sorted({start, target_date}):
        tx = x(day)
        anchor = "start" if tx < LEFT + 30 else "end" if tx > RIGHT - 30 else "middle"
        parts.append(
            f'<line class="chart-axis-line" x1="{_num(tx)}" y1="{BOTTOM}" '
            f'x2="{_num(tx)}" y2="{BOTTOM + 5}"/>'
            f'<text class="chart-tick" x="{_num(tx)}" y="{BOTTOM + 18}" '
            f'text-anchor="{anchor}">{escape(short_date(day, with_year=with_year))}</text>'
        )
    parts.append("</g>")

    # The plan: dashed, so it differs from progress by more than its colour.
    parts.append(
        f'<polyline class="chart-plan" fill="none" stroke-dasharray="8 5" '
        f'points="{_num(x(start))},{_num(y(0))} {_num(x(target_date))},{_num(y(100))}"/>'
    )

    if today is not None:
        today_x = _num(x(today))
        parts.append(
            f'<line class="chart-today" stroke-dasharray="2 3" x1="{today_x}" y1="{TOP}" '
            f'x2="{today_x}" y2="{BOTTOM}"/>'
            f'<text class="chart-today-label" x="{today_x}" y="{TOP - 3}" text-anchor="middle">'
            f"{today_word}</text>"
        )

    if points:
        coords = " ".join(f"{_num(x(day))},{_num(y(pct))}" for day, pct in points)
        parts.append(f'<polyline class="chart-actual" fill="none" points="{coords}"/>')
        parts.append('<g class="chart-markers">')
        for day, pct in points:
            marker = _("%(percent)s%% on %(day)s") % {
                "percent": pct,
                "day": short_date(day, with_year=with_year),
            }
            parts.append(
                f'<path class="chart-marker" d="{_diamond(x(day), y(pct))}">'
                f"<title>{escape(marker)}</title></path>"
            )
        parts.append("</g>")

    # The legend repeats each line's style next to a word.
    ly = HEIGHT - 14
    parts.append(
        '<g class="chart-legend">'
        f'<line class="chart-plan" stroke-dasharray="8 5" x1="{LEFT}" y1="{ly}" '
        f'x2="{LEFT + 30}" y2="{ly}"/>'
        f'<text x="{LEFT + 36}" y="{ly + 4}">{plan_word}</text>'
        f'<line class="chart-actual" x1="{LEFT + 90}" y1="{ly}" x2="{LEFT + 120}" y2="{ly}"/>'
        f'<path class="chart-legend-marker" d="{_diamond(LEFT + 105, ly)}"/>'
        f'<text x="{LEFT + 126}" y="{ly + 4}">{progress_word}</text>'
    )
    if today is not None:
        parts.append(
            f'<line class="chart-today" stroke-dasharray="2 3" x1="{LEFT + 205}" '
            f'y1="{ly - 7}" x2="{LEFT + 205}" y2="{ly + 7}"/>'
            f'<text x="{LEFT + 211}" y="{ly + 4}">{today_word}</text>'
        )
    parts.append("</g></svg>")
    # Safe: every piece of text interpolated above went through escape().
    return mark_safe("".join(parts))


def _diamond(cx: float, cy: float, r: float = 5) -> str:
    return (
        f"M{_num(cx)},{_num(cy - r)} L{_num(cx + r)},{_num(cy)} "
        f"L{_num(cx)},{_num(cy + r)} L{_num(cx - r)},{_num(cy)} Z"
    )


def _describe(
    points: Sequence[tuple[date, int]],
    start: date,
    target_date: date,
    today: date | None,
    with_year: bool,
) -> str:
    """The chart in a sentence or two, for people who cannot see it."""
    plan = _("Plan: 0%% on %(start)s to 100%% on %(end)s.") % {
        "start": short_date(start, with_year=with_year),
        "end": short_date(target_date, with_year=with_year),
    }
    day, percent = points[-1] if points else (None, 0)
    words = {"percent": percent, "day": short_date(day, with_year=with_year) if day else ""}
    if today is None:
        if day is None:
            progress = _("No progress logged yet.")
        else:
            progress = _("Progress %(percent)s%% on %(day)s.") % words
        return f"{plan} {progress}"
    words["expected"] = round(expected_percent(start, target_date, today))
    words["pace"] = PACE_IN_A_SENTENCE[pace(start, target_date, today, percent)]
    if day is None:
        progress = _("No progress logged yet; planned %(expected)s%% by today; %(pace)s.")
    else:
        progress = _(
            "Progress %(percent)s%% on %(day)s; planned %(expected)s%% by today; %(pace)s."
        )
    return f"{plan} {progress % words}"


@dataclass(frozen=True)
class ChartRow:
    """One row of the chart's data table."""

    day: date
    percent: int
    planned: int

    @property
    def label(self) -> str:
        """The day as the table shows it, e.g. "8 Nov 2026": the chart's own spelling,
        cheaper than the template's date filter on every row."""
        return short_date(self.day, with_year=True)


@dataclass(frozen=True)
class GoalChart:
    svg: SafeString
    rows: list[ChartRow]
    percent: int
    pace: str | None

    @property
    def pace_icon(self) -> str:
        return PACE_LABELS[self.pace][0] if self.pace else ""

    @property
    def pace_label(self) -> str:
        return str(PACE_LABELS[self.pace][1]) if self.pace else ""


def progress_points(goal: Goal) -> list[tuple[date, int]]:
    """The start at 0% (a metric goal's baseline is 0% by definition), then the last
    progress update of each day."""
    by_day: dict[date, int] = {}
    for update in goal.updates.all():
        by_day[timezone.localdate(update.created_at)] = update.percent
    return [(goal.starts_on, 0), *sorted(by_day.items())]


def chart_for(goal: Goal, today: date) -> GoalChart | None:
    """The goal page's chart, once there is an agreed plan to measure against: None for a
    draft or a goal in review. A closed goal keeps its chart but has no pace and no today."""
    points = progress_points(goal)
    if goal.target_date is None:  # a draft without a date yet: nothing to plan against
        return None
    if goal.status not in (GoalStatus.APPROVED, GoalStatus.IN_PROGRESS) and not (
        goal.is_closed and len(points) > 1
    ):
        return None
    shown_today = None if goal.is_closed else today
    percent = points[-1][1]
    return GoalChart(
        svg=progress_chart(
            points,
            goal.starts_on,
            goal.target_date,
            shown_today,
            title=goal.title,
            chart_id=f"goal-{goal.pk}-chart",
        ),
        rows=[
            ChartRow(day, pct, round(expected_percent(goal.starts_on, goal.target_date, day)))
            for day, pct in points
        ],
        percent=percent,
        pace=None
        if shown_today is None
        else pace(goal.starts_on, goal.target_date, today, percent),
    )
