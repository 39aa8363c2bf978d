"""Small SVG charts drawn on the server: they work without JavaScript and print."""

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Point:
    """A value for a period, in order."""

    label: str
    value: float


def trend(own: list[Point], comparator: list[Point], baseline: float | None, target: float | None, unit: str) -> Markup:
    """An indicator's values over time, with England's beside them and lines for baseline and target."""
    periods = sorted({p.label for p in own + comparator})
    values = [p.value for p in own + comparator] + [v for v in (baseline, target) if v is not None]
    if not periods or not values:
        return Markup("")
    width, height, left, bottom = 560, 220, 60, 40
    low, high = min(values + [0]), max(values) * 1.1 or 1
    x = lambda label: left + (periods.index(label) + 0.5) * (width - left - 10) / len(periods)
    y = lambda value: height - bottom - (value - low) / (high - low) * (height - bottom - 10)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="Values over time, in {escape(unit)}">']
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#333"/>')
    for label in periods:
        parts.append(f'<text x="{x(label):.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">{escape(label)}</text>')
    for name, value, colour in (("baseline", baseline, "#6b4e00"), ("target", target, "#1d6b3a")):
        if value is not None:
            parts.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{width}" y2="{y(value):.1f}" stroke="{colour}" stroke-dasharray="6 4"/>'
                         f'<text x="{width - 4}" y="{y(value) - 4:.1f}" text-anchor="end" font-size="11" fill="{colour}">{name} {value:g}</text>')
    for points, colour, name in ((comparator, "#777777", "England"), (own, "#0b3d60", "this area")):
        if points:
            path = " ".join(f"{x(p.label):.1f},{y(p.value):.1f}" for p in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"><title>{name}</title></polyline>')
            for p in points:
                parts.append(f'<circle cx="{x(p.label):.1f}" cy="{y(p.value):.1f}" r="4" fill="{colour}"><title>{escape(name)}: {p.value:g} ({escape(p.label)})</title></circle>')
    parts.append(f'<text x="4" y="14" font-size="11">{escape(unit)}</text></svg>')
    return Markup("".join(parts))


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
                     f'<rect x="{left}" y="{i * row + 6}" width="{length:.1f}" height="18" fill="#0b3d60"/>'
                     f'<text x="{left + length + 6:.1f}" y="{i * row + 19}" font-size="12">{value:,.0f} {escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
