"""The theory of change as a layered diagram, laid out by Graphviz (dot).

Layers, top to bottom: vision, priority, target outcomes, work streams,
interventions. Arrows run the way change is meant to flow, from the work up to
the vision. Each box links to its resource's page, names its owner and counts
the indicators that measure it; a gap found by the gap rules marks the box and
is explained in its tooltip and in the legend.
"""

import html
import re
import subprocess
from dataclasses import dataclass

from graph.analysis import project, within
from graph.gaps import Gap
from graph.vocab import SPARQL_PREFIXES

# Which gaps mark a box on the diagram, and how the legend explains them.
MARKED = {
    "outcome-without-funded-intervention": "No funded intervention reaches this outcome",
    "workstream-without-outcome": "This work stream reaches no target outcome",
    "intervention-without-funding": "This intervention has no funding commitment",
    "outcome-without-indicator": "No indicator measures this outcome",
}
LAYERS = ("vision", "priority", "outcome", "workstream", "intervention")
_FILL = {"vision": "#0b3d60", "priority": "#1d5c8a", "outcome": "#2f6f4f", "workstream": "#e8eef4", "intervention": "#fdf3e1"}
_TEXT = {"vision": "#ffffff", "priority": "#ffffff", "outcome": "#ffffff", "workstream": "#1b1b1b", "intervention": "#1b1b1b"}
_INDICATORS = SPARQL_PREFIXES + """
SELECT ?measured (COUNT(DISTINCT ?indicator) AS ?indicators) WHERE { ?indicator sg:measures ?measured } GROUP BY ?measured
"""


@dataclass(frozen=True)
class Box:
    """One box of the diagram, in the words a reader sees."""

    iri: str
    kind: str
    label: str
    owners: tuple[str, ...]
    indicators: int
    gaps: tuple[str, ...]


class DiagramError(Exception):
    """Graphviz could not draw the diagram."""


def boxes_and_links(ds, gaps: list[Gap], g=None) -> tuple[list[Box], list[tuple[str, str]]]:
    """The diagram's boxes and arrows; ``g`` is ``project(ds)``, if the caller has it already."""
    g = project(ds) if g is None else g
    indicators = {str(row.measured): int(row.indicators) for row in ds.query(_INDICATORS)}
    marks: dict[str, list[str]] = {}
    for gap in gaps:
        if gap.rule in MARKED:
            marks.setdefault(gap.focus, []).append(MARKED[gap.rule])
    owners = g.graph["owner_labels"]
    nodes = {n for n, d in g.nodes(data=True) if d["kind"] in LAYERS}
    links = [(u, v) for u, v in g.edges() if u in nodes and v in nodes]
    boxes = [
        Box(n, g.nodes[n]["kind"], g.nodes[n]["label"], tuple(sorted(owners.get(o, o) for o in g.nodes[n]["owners"])),
            indicators.get(n, 0), tuple(marks.get(n, ())))
        for n in nodes
    ]
    return sorted(boxes, key=lambda b: (LAYERS.index(b.kind), b.label)), sorted(set(links))


def chain(boxes: list[Box], links: list[tuple[str, str]], outcome: str) -> tuple[list[Box], list[tuple[str, str]]]:
    """Only ``outcome``'s chain: the work and the earlier outcomes upstream of it, and the priorities and vision it serves."""
    kind = {b.iri: b.kind for b in boxes}
    logic = ("workstream", "intervention", "outcome")  # links among these are contributions
    keep = {outcome}
    changed = True
    while changed:
        before = len(keep)
        keep |= {u for u, v in links if v in keep and kind[v] in logic and kind[u] in logic}
        keep |= {v for u, v in links if u in keep and kind[v] in ("priority", "vision")}
        changed = len(keep) != before
    return _only(boxes, links, keep)


def of_strategy(boxes: list[Box], links: list[tuple[str, str]], g, strategy: str) -> tuple[list[Box], list[tuple[str, str]]]:
    """One strategy's diagram: its part of the projection (graph.analysis.within)."""
    return _only(boxes, links, set(within(g, strategy)))


def _only(boxes: list[Box], links: list[tuple[str, str]], keep: set[str]) -> tuple[list[Box], list[tuple[str, str]]]:
    return [b for b in boxes if b.iri in keep], [(u, v) for u, v in links if u in keep and v in keep]


def dot(boxes: list[Box], links: list[tuple[str, str]], link_of) -> str:
    """The diagram in Graphviz's language; ``link_of(iri)`` gives each box's page address."""
    ids = {box.iri: f"n{i}" for i, box in enumerate(boxes)}
    lines = [
        "digraph theory_of_change {",
        '  graph [rankdir=BT, nodesep=0.25, ranksep=0.7, fontname="DejaVu Sans", bgcolor="white"];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11, margin="0.12,0.08"];',
        '  edge [color="#5b6770", arrowsize=0.7];',
    ]
    for layer in LAYERS:
        members = [b for b in boxes if b.kind == layer]
        if members:
            lines.append("  { rank=same; " + " ".join(ids[b.iri] for b in members) + " }")
    for box in boxes:
        label = "<br/>".join(html.escape(part) for part in _wrap(box.label, 34))
        details = []
        if box.owners:
            details.append("Owner: " + ", ".join(box.owners))
        if box.indicators:
            details.append(f"{box.indicators} indicator{'s' if box.indicators != 1 else ''}")
        if details:
            label += '<br/><font point-size="9">' + html.escape(" · ".join(details)) + "</font>"
        if box.gaps:
            label += '<br/><font point-size="9">⚠ ' + html.escape("; ".join(box.gaps)) + "</font>"
        tooltip = " — ".join((box.label, *box.gaps))
        attributes = {
            "label": f"<{label}>",
            "fillcolor": _quote(_FILL[box.kind]),
            "fontcolor": _quote(_TEXT[box.kind]),
            "URL": _quote(link_of(box.iri)),
            "tooltip": _quote(tooltip),
            "target": _quote("_top"),
            "class": _quote(f"{box.kind}{' gap' if box.gaps else ''}"),
        }
        if box.gaps:
            attributes.update(color=_quote("#b3261e"), penwidth="2.5")
        lines.append(f"  {ids[box.iri]} [" + ", ".join(f"{k}={v}" for k, v in attributes.items()) + "];")
    for source, target in links:
        if source in ids and target in ids:
            lines.append(f"  {ids[source]} -> {ids[target]};")
    lines.append("}")
    # A control character from the data would make Graphviz reject the label and
    # could not be written into SVG (XML) anyway, so none reaches it.
    return _CONTROL.sub("", "\n".join(lines))


def render(source: str, fmt: str) -> bytes:
    """The diagram drawn by Graphviz as svg, png or pdf."""
    try:
        done = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=30, check=True)
    except subprocess.CalledProcessError as error:
        raise DiagramError(f"Graphviz could not draw the diagram: {error.stderr.decode('utf-8', 'replace').strip()}") from error
    except (OSError, subprocess.SubprocessError) as error:
        raise DiagramError(f"Graphviz could not draw the diagram: {error}") from error
    return done.stdout


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _quote(text: str) -> str:
    """A DOT quoted string; backslashes are doubled so no escape (\\N, \\G) is interpreted."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])
