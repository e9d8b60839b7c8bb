"""Small server-drawn SVG charts for the cohort report: bars and lines.

The drawing is self-contained (presentation attributes, no stylesheet), because the
admin does not load the site's CSS. Text and axes use ``currentColor`` so they follow
the admin's light or dark theme. Every chart is an image with a <title> and a <desc>,
every bar carries its number as text, and line series differ by dash pattern and
marker shape as well as colour, so nothing depends on telling colours apart.
Everything interpolated is escaped: the output is well-formed XML, safe in a page.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_HEIGHT, BAR_GAP = 22, 8
LABEL_WIDTH = 170
LINE_HEIGHT = 260
LEFT, RIGHT, TOP = 52, 620, 16
BAR_FILL = "#417690"  # the admin's own blue
# (stroke colour, dash pattern, marker shape) per line series, in order.
LINE_STYLES: tuple[tuple[str, str, str], ...] = (
    ("#205067", "", "circle"),
    ("#b35c00", "7 4", "square"),
    ("#4b7d2f", "2 3", "diamond"),
)


@dataclass(frozen=True)
class Series:
    """One line: a name for the legend and a value per x position (None leaves a gap)."""

    name: str
    values: Sequence[float | None]


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _label(value: float, unit: str) -> str:
    """A value as people read it: with the reader's decimal mark (12.5 or 12,5). Only
    words and labels use it; coordinates go through ``_num`` and keep the dot."""
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text.replace('.', get_format('DECIMAL_SEPARATOR'))}{unit}"


def _open(chart_id: str, height: int, title: str, desc: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        'font-family="sans-serif" font-size="12">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(desc)}</desc>',
    ]


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str,
    chart_id: str,
    unit: str = "",
) -> SafeString:
    """Horizontal bars, one per (label, value), each with its value written beside it."""
    height = TOP + len(bars) * (BAR_HEIGHT + BAR_GAP) + 8
    top = max((value for _, value in bars), default=0)
    scale_width = WIDTH - LABEL_WIDTH - 70  # room on the right for the value text
    parts = _open(chart_id, height, title, desc)
    parts.append(
        f'<line stroke="currentColor" stroke-opacity="0.5" x1="{LABEL_WIDTH}" y1="{TOP - 6}" '
        f'x2="{LABEL_WIDTH}" y2="{height - 6}"/>'
    )
    for i, (label, value) in enumerate(bars):
        y = TOP + i * (BAR_HEIGHT + BAR_GAP)
        width = scale_width * value / top if top > 0 else 0
        text_y = _num(y + BAR_HEIGHT / 2 + 4)
        shown = escape(_label(value, unit))
        parts.append(
            f'<g class="chart-bar"><title>{escape(label)}: {shown}</title>'
            f'<text fill="currentColor" x="{LABEL_WIDTH - 8}" y="{text_y}" '
            f'text-anchor="end">{escape(label)}</text>'
            f'<rect fill="{BAR_FILL}" x="{LABEL_WIDTH}" y="{y}" width="{_num(width)}" '
            f'height="{BAR_HEIGHT}"/>'
            f'<text class="chart-value" fill="currentColor" x="{_num(LABEL_WIDTH + width + 6)}" '
            f'y="{text_y}">{shown}</text></g>'
        )
    parts.append("</svg>")
    # Safe: every piece of text above went through escape().
    return mark_safe("".join(parts))


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    chart_id: str,
    y_max: float | None = None,
    unit: str = "",
) -> SafeString:
    """Lines over shared x positions, with a legend naming each line's style.

    ``y_max`` fixes the top of the scale (100 for a percentage); otherwise it is the
    largest value, at least 1."""
    bottom = LINE_HEIGHT - 64
    values = [v for s in series for v in s.values if v is not None]
    if y_max is not None:
        top_value: float = y_max
    elif all(isinstance(v, int) for v in values):
        # Counts: an even top keeps the middle grid line on a whole number.
        top_value = max(2, -(-max(values, default=0) // 2) * 2)
    else:
        top_value = max([1.0, *values])
    count = len(x_labels)

    def x(i: int) -> float:
        return LEFT if count <= 1 else LEFT + (RIGHT - LEFT) * i / (count - 1)

    def y(value: float) -> float:
        return bottom - (bottom - TOP) * value / top_value

    parts = _open(chart_id, LINE_HEIGHT, title, desc)
    parts.append('<g class="chart-axis">')
    for tick in (0, top_value / 2, top_value):
        parts.append(
            f'<line stroke="currentColor" stroke-opacity="0.15" x1="{LEFT}" y1="{_num(y(tick))}" '
            f'x2="{RIGHT}" y2="{_num(y(tick))}"/>'
            f'<text fill="currentColor" x="{LEFT - 6}" y="{_num(y(tick) + 4)}" '
            f'text-anchor="end">{escape(_label(float(tick), unit))}</text>'
        )
    # Label at most about eight x positions so the dates never overlap.
    step = max(1, -(-count // 8))
    for i, label in enumerate(x_labels):
        if i % step and i != count - 1:
            continue
        parts.append(
            f'<text fill="currentColor" x="{_num(x(i))}" y="{bottom + 18}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</g>")
    for index, line in enumerate(series):
        colour, dash, shape = LINE_STYLES[index % len(LINE_STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = [(i, v) for i, v in enumerate(line.values) if v is not None]
        if points:
            coords = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in points)
            parts.append(
                f'<polyline class="chart-line" fill="none" stroke="{colour}" stroke-width="2"'
                f'{dash_attr} points="{coords}"/>'
            )
        for i, v in points:
            parts.append(
                f"{_marker(shape, x(i), y(v), colour)}<title>{escape(line.name)}, "
                f"{escape(x_labels[i])}: {escape(_label(v, unit))}</title></path>"
            )
    ly = LINE_HEIGHT - 16
    parts.append('<g class="chart-legend">')
    for index, line in enumerate(series):
        colour, dash, shape = LINE_STYLES[index % len(LINE_STYLES)]
        lx = LEFT + index * 180
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line stroke="{colour}" stroke-width="2"{dash_attr} x1="{lx}" y1="{ly}" '
            f'x2="{lx + 30}" y2="{ly}"/>{_marker(shape, lx + 15, ly, colour)}</path>'
            f'<text fill="currentColor" x="{lx + 36}" y="{ly + 4}">{escape(line.name)}</text>'
        )
    parts.append("</g></svg>")
    # Safe: every piece of text above went through escape().
    return mark_safe("".join(parts))


def _marker(shape: str, cx: float, cy: float, colour: str, r: float = 4) -> str:
    """An open <path> tag (the caller closes it, optionally with a <title> inside)."""
    if shape == "square":
        d = f"M{_num(cx - r)},{_num(cy - r)} h{_num(2 * r)} v{_num(2 * r)} h{_num(-2 * r)} Z"
    elif shape == "diamond":
        r += 1
        d = (
            f"M{_num(cx)},{_num(cy - r)} L{_num(cx + r)},{_num(cy)} "
            f"L{_num(cx)},{_num(cy + r)} L{_num(cx - r)},{_num(cy)} Z"
        )
    else:
        d = (
            f"M{_num(cx - r)},{_num(cy)} a{_num(r)},{_num(r)} 0 1,0 {_num(2 * r)},0 "
            f"a{_num(r)},{_num(r)} 0 1,0 {_num(-2 * r)},0"
        )
    return f'<path class="chart-marker" fill="{colour}" d="{d}">'
