"""Small SVG charts drawn on the server: they work without JavaScript and print."""

import math
import sys

from markupsafe import Markup, escape

from graph.palette import AXIS, BAR, GRID, SERIES
from graph.progress import Series


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values for an axis that holds ``low`` to ``high``: steps of 1, 2 or 5 times a power of ten.

    The first tick is at or below ``low`` and the last at or above ``high``, so that every value lies inside the axis.
    """
    span = (high - low) or abs(high) or 1
    raw = max(span / count, sys.float_info.min)  # a span of subnormal numbers would divide to 0
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    # Dividing may round a value past its step (a subnormal one to 0): the ends are checked as multiplied back.
    first -= first * step > low
    last += last * step < high
    return [i * step for i in range(first, max(last, first + 1) + 1)]


def scorecard(series: Series) -> Markup:
    """An indicator as a scorecard chart: its values over time on a scaled axis, England's as their own series, the baseline and the target marked.

    With no values it still shows the baseline and the target.
    """
    own, comparator = series.own, series.comparator
    marks = [(name, value, when) for name, value, when in (("baseline", series.baseline, series.baseline_period),
                                                            ("target", series.target, series.target_date)) if value is not None]
    periods = sorted({label for label, _ in own + comparator} | {when for _, _, when in marks if when})
    values = [v for _, v in own + comparator] + [v for _, v, _ in marks]
    if not values:
        return Markup("")
    periods = periods or [""]
    ticks = _ticks(min(values + [0]), max(values))
    low, high = ticks[0], ticks[-1]
    # The unit is written above the axis, in a band of its own, so that it never overprints the top tick's label.
    width, height, left, bottom, top = 600, 272, 70, 56, 28
    x = lambda label: left + (periods.index(label) + 0.5) * (width - left - 10) / len(periods)
    y = lambda value: height - bottom - (value - low) / (high - low) * (height - bottom - top)
    unit = escape(series.unit)
    parts = [f'<svg class="chart scorecard" viewBox="0 0 {width} {height}" role="img" aria-label="{_summary(series)}">']
    for tick in ticks:
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - 10}" y2="{y(tick):.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">{tick:g}</text>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="{AXIS}"/>'
                 f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="{AXIS}"/>')
    for label in periods:
        parts.append(f'<text x="{x(label):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">{escape(label)}</text>')
    for name, value, when in marks:
        colour = SERIES[name]
        parts.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - 10}" y2="{y(value):.1f}" stroke="{colour}" stroke-dasharray="6 4"/>')
        if when:
            parts.append(f'<rect x="{x(when) - 5:.1f}" y="{y(value) - 5:.1f}" width="10" height="10" fill="{colour}">'
                         f'<title>{name} {value:g} {unit} ({escape(when)})</title></rect>')
    for points, name in ((comparator, "England"), (own, "this area")):
        if points:
            path = " ".join(f"{x(label):.1f},{y(value):.1f}" for label, value in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{SERIES[name]}" stroke-width="2"/>')
            for label, value in points:
                parts.append(f'<circle cx="{x(label):.1f}" cy="{y(value):.1f}" r="4" fill="{SERIES[name]}">'
                             f'<title>{escape(name)}: {value:g} ({escape(label)})</title></circle>')
    # The legend is drawn in the chart, so that it prints with it.
    legend = [(name, "line") for name in ("this area", "England") if (own if name == "this area" else comparator)]
    legend += [(name, "dash") for name, _, _ in marks]
    for i, (name, how) in enumerate(legend):
        lx = left + i * 130
        dash = ' stroke-dasharray="6 4"' if how == "dash" else ""
        parts.append(f'<line x1="{lx}" y1="{height - 14}" x2="{lx + 24}" y2="{height - 14}" stroke="{SERIES[name]}" stroke-width="2"{dash}/>'
                     f'<text x="{lx + 30}" y="{height - 10}" font-size="11">{escape(name)}</text>')
    parts.append(f'<text class="unit" x="4" y="{top - 14}" font-size="11">{unit}</text></svg>')
    return Markup("".join(parts))



def _summary(series: Series) -> str:
    """The chart in words, for a screen reader."""
    words = [f"{len(series.own)} values of this area", f"{len(series.comparator)} of England"]
    if series.baseline is not None:
        words.append(f"baseline {series.baseline:g}")
    if series.target is not None:
        words.append(f"target {series.target:g}")
    return escape(f"Values over time, in {series.unit or 'no stated unit'}: " + ", ".join(words) + f"; {series.direction}")


def bars(items: list[tuple[str, float]], unit: str) -> Markup:
    """A horizontal bar chart: one labelled bar per item."""
    if not items:
        return Markup("")
    width, row, left = 640, 28, 300
    top = max(v for _, v in items) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {row * len(items) + 10}" role="img" aria-label="Bar chart, in {escape(unit)}">']
    for i, (label, value) in enumerate(items):
        length = (width - left - 90) * value / top
        short = label if len(label) <= 48 else label[:47] + "…"
        parts.append(f'<text x="{left - 8}" y="{i * row + 19}" text-anchor="end" font-size="12"><title>{escape(label)}</title>{escape(short)}</text>'
                     f'<rect x="{left}" y="{i * row + 6}" width="{length:.1f}" height="18" fill="{BAR}"/>'
                     f'<text x="{left + length + 6:.1f}" y="{i * row + 19}" font-size="12">{value:,.0f} {escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
