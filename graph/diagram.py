"""The theory of change as a logic model, laid out by Graphviz (dot).

It reads left to right, the way change is meant to flow: interventions and
work streams, the target outcomes they serve, the priorities, the vision.
Each target outcome has a lane of its own holding the work that leads to it;
work that leads to no outcome sits in a labelled panel of its own. Each box
links to its resource's page, names its owner and the indicators that measure
it, each with its latest value and direction of travel where one is known; a
gap found by the gap rules marks the box. Each arrow of a causal link is drawn
in the style of its strength, and its tooltip (and the page it opens) gives
its rationale and assumptions. Printed (render_pdf), every page carries the
legend, the strategy's title, the date its data last changed and its number.
"""

import datetime
import html
import io
import re
import subprocess
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rdflib import URIRef

from graph.analysis import ordered, project, within
from graph.contributions import STRENGTH_SCHEME, Contribution, contributions
from graph.engine import select_rows
from graph.errors import StrategyGraphError
from graph.gaps import Gap
from graph.order import flattened, nested
from graph.palette import ARROW, BOX_FILL, BOX_TEXT, GAP, INK, LANE_BORDER, LANE_FILL, NESTED_ARROW, UNLINKED_BORDER
from graph.progress import Series, TargetView
from graph.vocab import SPARQL_PREFIXES, XML_FORBIDDEN

# Which gaps mark a box on the diagram, and how the legend explains them.
MARKED = {
    "outcome-without-funded-intervention": "No funded intervention reaches this outcome",
    "workstream-without-outcome": "This work stream reaches no target outcome",
    "intervention-without-funding": "This intervention has no funding commitment",
    "outcome-without-indicator": "No indicator measures this outcome",
}
LAYERS = ("vision", "priority", "outcome", "workstream", "intervention")
# What a reader calls each kind of box, on the page's legend, its list and the printed legend.
KINDS = {"vision": "Vision", "priority": "Priority", "outcome": "Target outcome", "workstream": "Work stream", "intervention": "Intervention"}
# What a red border and an indicator's line say, in both legends.
GAP_BORDER = "A red border marks a gap: the box says which (⚠)"
MEASURED = "Measured by: each indicator, its latest value and direction of travel, where known"
# How a box shows a target, in both legends: the indicator's under it (◦), the box's own (◎), each with its progress.
TARGETED = "◦ an indicator's target, ◎ the box's own: in the document's words, with its progress"
# A priority published under another stands in a column before it, its arrow to it drawn so (both legends say how).
NESTED = "A priority published under another: the arrow from it to the one it is part of"
_NESTED = {"color": NESTED_ARROW, "arrowhead": "onormal", "penwidth": "1.6"}
# How an arrow shows the strength of its causal link (the contribution strength scheme), and the legend's words.
STRENGTHS = {
    STRENGTH_SCHEME + "strong": ("solid", 2.6, "strong"),
    STRENGTH_SCHEME + "moderate": ("solid", 1.2, "moderate"),
    STRENGTH_SCHEME + "weak": ("dashed", 1.2, "weak"),
    None: ("dotted", 1.2, "strength not stated"),
}
# Letters a line of a box's title holds before it wraps (a line of its details, six more): narrow boxes on a screen, whose
# diagram is drawn at its own size, and wide on A3 landscape paper. The size (points) of a box's details: owner, indicators, gaps.
WRAP = 30
PRINT_WRAP = 42
DETAIL_SIZE = 10
# The indicators measuring the boxes asked for, which are named first, in a leading VALUES: at 3M statements asking
# for every indicator's and keeping the boxes' took 0.36 s, this 5 ms.
_MEASURES = SPARQL_PREFIXES + ("SELECT ?measured ?indicator ?label WHERE { VALUES ?measured { %s } "
                                "?indicator sg:measures ?measured OPTIONAL { ?indicator rdfs:label ?label } }")

@dataclass(frozen=True)
class Box:
    """One box of the diagram, in the words a reader sees."""

    iri: str
    kind: str
    label: str
    owners: tuple[str, ...]
    gaps: tuple[str, ...]
    code: str = ""  # its published code (skos:notation), shown before its label
    parent: str = ""  # for a priority, the priority it is part of


@dataclass(frozen=True)
class Reading:
    """An indicator as a box names it: its label, its latest value and its direction of travel (graph.progress.Series), each "" if not known."""

    iri: str
    label: str
    latest: str = ""
    direction: str = ""

    def __str__(self) -> str:
        return self.label + (f": {self.latest}" if self.latest else "") + (f"; {self.direction}" if self.direction else "")


@dataclass(frozen=True)
class Link:
    """One arrow: a causal link (``contributes``, with what its Contribution node says), what serves what (``serves_priority``,
    ``serves_vision``) or a priority published under another (``part_of``)."""

    source: str
    target: str
    kind: str
    contribution: str | None = None
    strength: str | None = None
    rationale: str = ""
    assumptions: tuple[str, ...] = ()


class DiagramError(StrategyGraphError):
    """Graphviz could not draw the diagram."""


def boxes_and_links(ds, gaps: list[Gap], g=None, causal: list[Contribution] | None = None) -> tuple[list[Box], list[Link]]:
    """The diagram's boxes and arrows; ``g`` is ``project(ds)`` and ``causal`` is ``graph.contributions.contributions(ds)``, if the caller has them already."""
    g = project(ds) if g is None else g
    causal = contributions(ds) if causal is None else causal
    marks: dict[str, list[str]] = {}
    for gap in gaps:
        if gap.rule in MARKED:
            marks.setdefault(gap.focus, []).append(MARKED[gap.rule])
    owners = g.graph["owner_labels"]
    nodes = {n for n, d in g.nodes(data=True) if d["kind"] in LAYERS}
    # A pair linked by more than one Contribution node shows the first, by IRI.
    said: dict[tuple[str, str], Link] = {}
    for c in sorted(causal, key=lambda c: c.iri):
        said.setdefault((c.source, c.target), Link(c.source, c.target, "contributes", c.iri, c.strength_iri, c.rationale, c.assumptions))
    # A priority published under another is part of it, and serves the vision through it.
    under = {n: g.nodes[n]["parent"] for n in nodes if g.nodes[n]["kind"] == "priority" and g.nodes[n]["parent"] in nodes}
    links = {said.get((u, v), Link(u, v, d["kind"])) for u, v, d in g.edges(data=True)
             if u in nodes and v in nodes and not (d["kind"] == "serves_vision" and u in under)}
    links |= {Link(child, parent, "part_of") for child, parent in under.items()}
    boxes = [
        Box(n, g.nodes[n]["kind"], g.nodes[n]["label"], tuple(sorted(owners.get(o, o) for o in g.nodes[n]["owners"])),
            tuple(marks.get(n, ())), g.nodes[n]["code"], g.nodes[n]["parent"])
        for n in nodes
    ]
    # Each layer in the published order: the lanes, and the PDF, follow the order of the boxes.
    rank = {n: i for i, n in enumerate(ordered(g, nodes))}
    boxes.sort(key=lambda b: (LAYERS.index(b.kind), rank[b.iri]))
    # A priority published under another follows it, at every depth.
    priorities = [b for b in boxes if b.kind == "priority"]
    nest = {b.iri: i for i, b in enumerate(flattened(nested(priorities, lambda b: b.iri, lambda b: b.parent)))}
    return sorted(boxes, key=lambda b: (LAYERS.index(b.kind), nest.get(b.iri, rank[b.iri]))), sorted(links, key=lambda link: (link.source, link.target))


def _by_depth(priorities: list[Box]) -> list[list[str]]:
    """The priorities' columns, from the most deeply published under others to the top ones, each in the published order."""
    depth = {}
    def walk(forest, level):
        for item, parts in forest:
            depth[item.iri] = level
            walk(parts, level + 1)
    walk(nested(priorities, lambda b: b.iri, lambda b: b.parent), 0)
    return [[b.iri for b in priorities if depth[b.iri] == level] for level in sorted(set(depth.values()), reverse=True)]


def readings(ds, boxes: list[Box], series_of: Callable[[str], Series]) -> dict[str, tuple[Reading, ...]]:
    """The indicators measuring each of ``boxes``, by label, each with its latest value and direction of travel as its scorecard reads them.

    One scorecard query an indicator (``series_of``: graph.progress.indicator_series, worked out once a snapshot):
    ask for one strategy's boxes, not a national store's.
    """
    shown = {b.iri for b in boxes}
    measures: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for row in select_rows(ds, _MEASURES % " ".join(URIRef(iri).n3() for iri in sorted(shown))) if shown else ():
        measured, indicator = str(row.measured), str(row.indicator)
        measures[measured].add(indicator)
        label = str(row.label) if row.label is not None else indicator
        names[indicator] = min(names.get(indicator, label), label)  # an indicator with several labels goes by the first
    read = {}
    for indicator, label in names.items():
        series = series_of(indicator)
        latest = direction = ""
        if series.own:
            period, value = series.own[-1]
            latest = f"{value:g} {series.unit}".rstrip() + f" in {period}"
        if len(series.own) > 1:  # one value has no direction
            direction = series.direction
        read[indicator] = Reading(indicator, label, latest, direction)
    return {box: tuple(sorted((read[i] for i in found), key=lambda r: (r.label, r.iri))) for box, found in measures.items()}


def chain(boxes: list[Box], links: list[Link], ends: set[str]) -> tuple[list[Box], list[Link]]:
    """Only the chains of ``ends`` (outcomes, or priorities, each with the priorities published under it): the work and earlier
    outcomes upstream, the priorities and vision served."""
    kind = {b.iri: b.kind for b in boxes}
    ends, parts = set(ends), [(b.iri, b.parent) for b in boxes if b.kind == "priority" and b.parent]
    while under := {iri for iri, parent in parts if parent in ends} - ends:
        ends |= under
    logic = ("workstream", "intervention", "outcome")  # links among these are contributions
    keep = set(ends) | {link.source for link in links if link.target in ends and kind[link.target] == "priority"}
    changed = True
    while changed:
        before = len(keep)
        keep |= {link.source for link in links if link.target in keep and kind[link.target] in logic and kind[link.source] in logic}
        keep |= {link.target for link in links if link.source in keep and kind[link.target] in ("priority", "vision")}
        changed = len(keep) != before
    return _only(boxes, links, keep)


def of_strategy(boxes: list[Box], links: list[Link], g, strategy: str) -> tuple[list[Box], list[Link]]:
    """One strategy's diagram: its part of the projection (graph.analysis.within)."""
    return _only(boxes, links, set(within(g, strategy)))


def _only(boxes: list[Box], links: list[Link], keep: set[str]) -> tuple[list[Box], list[Link]]:
    return [b for b in boxes if b.iri in keep], [link for link in links if link.source in keep and link.target in keep]


def lanes(boxes: list[Box], links: list[Link]) -> dict[str | None, list[str]]:
    """Each outcome's lane: the outcome, then the work that leads to it (work leading to several sits in the first one's lane).

    Work that leads to no outcome is under the key None.
    """
    order = [b.iri for b in boxes if b.kind == "outcome"]
    up = defaultdict(set)
    for link in links:
        if link.kind == "contributes":
            up[link.source].add(link.target)
    found: dict = {o: [o] for o in order}
    found[None] = []
    for box in boxes:
        if box.kind not in ("workstream", "intervention"):
            continue
        reached, seen, frontier = [], {box.iri}, [box.iri]
        while frontier:
            nxt = [t for n in frontier for t in up[n] if t not in seen]
            seen.update(nxt)
            reached += [t for t in nxt if t in found and t is not None]
            frontier = [t for t in nxt if t not in found]
        found[min(reached, key=order.index) if reached else None].append(box.iri)
    return found


def describe_link(link: Link, label: dict[str, str]) -> str:
    """What an arrow's tooltip says: the link, its strength, rationale and assumptions."""
    if link.kind == "serves_priority":
        return f"{label[link.source]} is a target outcome of the priority {label[link.target]}"
    if link.kind == "part_of":
        return f"The priority {label[link.source]} is published under {label[link.target]}"
    if link.kind == "serves_vision":
        return f"The priority {label[link.source]} serves {label[link.target]}"
    parts = [f"{label[link.source]} → {label[link.target]}", f"Strength: {STRENGTHS.get(link.strength, STRENGTHS[None])[2]}"]
    parts.append(f"Rationale: {link.rationale}" if link.rationale else "No rationale given")
    if link.assumptions:
        parts.append("Assumptions: " + " ".join(link.assumptions))
    return ". ".join(p.rstrip(".") for p in parts) + "."


def dot(boxes: list[Box], links: list[Link], link_of, read: Mapping[str, Sequence[Reading]], title: str = "", wrap: int = WRAP,
        targets: Mapping[str, Sequence[TargetView]] | None = None) -> str:
    """The diagram in Graphviz's language; ``link_of(iri)`` gives each box's (and causal link's) page address, ``read`` its indicators (readings),
    ``targets`` its targets and its indicators' (graph.progress.targets_by_node); ``title`` heads it, a line a line; ``wrap`` is the letters
    a line of a box's title holds. A priority published under another stands in the column before it, in the published order."""
    targets = targets or {}
    ids = {box.iri: f"n{i}" for i, box in enumerate(boxes)}
    label = {box.iri: box.label for box in boxes}
    kind = {box.iri: box.kind for box in boxes}
    lines = [
        "digraph theory_of_change {",
        '  graph [rankdir=LR, newrank=true, nodesep=0.06, ranksep=0.3, fontname="DejaVu Sans", fontsize=12,'
        ' bgcolor="white", labeljust=l, labelloc=t, tooltip="Theory of change"];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=11, margin="0.1,0.06"];',
        f'  edge [color="{ARROW}", arrowsize=0.7];',
    ]
    # An owner every box that names one shares is named once, under the title, not in each box.
    named = [set(b.owners) for b in boxes if b.owners]
    everyone = set.intersection(*named) if named else set()
    shared = f"Every box that names an owner names {', '.join(sorted(everyone))}" if everyone else ""
    heading = [part for part in (*title.split("\n"), shared) if part]
    if heading:
        lines.append("  label=<" + "<br/>".join(html.escape(part) for part in heading) + ">; fontsize=14;")
    by_lane = lanes(boxes, links)
    outcomes = [b.iri for b in boxes if b.kind == "outcome"]
    # Work linked to no target outcome is declared first, which dot draws below the lanes: the chains are read first.
    unlinked = by_lane[None]
    if unlinked:
        lines.append('  subgraph cluster_unlinked { graph [label="Work not linked to any target outcome", style="rounded,dashed", margin=5,'
                     f' color="{UNLINKED_BORDER}", fontcolor="{INK}", tooltip="Work not linked to any target outcome"]; '
                     + " ".join(ids[n] for n in unlinked) + " }")
        # A grid, not one long column: invisible links set each row's order, at most three columns.
        columns = max(2, min(3, -(-len(unlinked) // 2)))
        for row in range(0, len(unlinked), columns):
            cells = [ids[n] for n in unlinked[row:row + columns]]
            for a, b in pairwise(cells):
                lines.append(f"  {a} -> {b} [style=invis];")
    for i, outcome in enumerate(outcomes):
        lane = " ".join(ids[n] for n in by_lane[outcome])
        lines.append(f'  subgraph cluster_lane{i} {{ graph [label="", style="rounded,filled", fillcolor="{LANE_FILL}", color="{LANE_BORDER}", margin=5,'
                     f' tooltip={_quote("The lane of " + label[outcome])}]; {lane} }}')
    # The outcomes no other outcome leads from stand in one column.
    final = [o for o in outcomes if not any(link.source == o and kind[link.target] == "outcome" for link in links)]
    for members in (final, *_by_depth([b for b in boxes if b.kind == "priority"]), [b.iri for b in boxes if b.kind == "vision"]):
        if members:
            # Invisible links hold the column in the published order, top to bottom: Graphviz would reorder it.
            lines.append("  { rank=same; " + " ".join(ids[n] for n in members)
                         + "".join(f"; {ids[a]} -> {ids[b]} [style=invis]" for a, b in pairwise(members)) + " }")
    for box in boxes:
        details = []
        if box.parent in label:
            details.append("Part of: " + label[box.parent])
        if set(box.owners) - everyone:
            details.append("Owner: " + ", ".join(o for o in box.owners if o not in everyone))
        # Each indicator, its targets under it; then the box's own targets.
        aims = targets.get(box.iri, ())
        measured = [line for reading in read.get(box.iri, ())
                    for line in ("• " + str(reading), *(f"◦ {t}" for t in aims if t.node == reading.iri))]
        if measured:
            details.append("Measured by:")
        own = [f"◎ {t}" for t in aims if t.node == box.iri]
        details += measured + own + ["⚠ " + gap for gap in box.gaps]
        attributes = {
            "label": _label(f"{box.code} {box.label}" if box.code else box.label, details, wrap),
            "fillcolor": _quote(BOX_FILL[box.kind]),
            "fontcolor": _quote(BOX_TEXT[box.kind]),
            "URL": _url(link_of(box.iri)),
            "tooltip": _quote(" — ".join((box.label, *box.gaps, *measured, *own))),
            "target": _quote("_top"),
            "class": _quote(f"{box.kind}{' gap' if box.gaps else ''}"),
        }
        if box.gaps:
            attributes.update(color=_quote(GAP), penwidth="2.5")
        lines.append(f"  {ids[box.iri]} [" + ", ".join(f"{k}={v}" for k, v in attributes.items()) + "];")
    for link in links:
        if link.source not in ids or link.target not in ids:
            continue
        attributes = {"tooltip": _quote(describe_link(link, label)), "class": _quote(link.kind)}
        if link.kind == "part_of":
            attributes.update({k: _quote(v) for k, v in _NESTED.items()})
        if link.kind == "contributes":
            style, width, words = STRENGTHS.get(link.strength, STRENGTHS[None])
            attributes.update(style=style, penwidth=str(width))
            attributes["class"] = _quote(f"contributes {words.split()[0]}")
            if link.contribution:
                attributes.update(URL=_url(link_of(link.contribution)), target=_quote("_top"))
        lines.append(f"  {ids[link.source]} -> {ids[link.target]} [" + ", ".join(f"{k}={v}" for k, v in attributes.items()) + "];")
    lines.append("}")
    # A control character or non-character from the data (a `load` is not checked
    # as an import is) would make Graphviz fail and cannot be written into SVG (XML).
    return XML_FORBIDDEN.sub("", "\n".join(lines))


def printed(boxes: list[Box], links: list[Link], link_of, read: Mapping[str, Sequence[Reading]], title: str,
            targets: Mapping[str, Sequence[TargetView]] | None = None) -> list[str]:
    """The diagram's pages on paper (render_pdf), as DOT sources: the chains as a map, to be read on one page, their boxes without
    indicators or targets; then each outcome's chain, and the work linked to no outcome, in full."""
    unlinked = set(lanes(boxes, links)[None])
    chains = _only(boxes, links, {b.iri for b in boxes} - unlinked)
    note = ("Each box's indicators and targets, with their latest values and progress, are on its chain's page"
            + ("; unlinked work on the last page" if unlinked else ""))
    pages = [dot(*chains, link_of, {}, f"{title}\n{note}", PRINT_WRAP)]
    for outcome in (b for b in boxes if b.kind == "outcome"):
        pages.append(dot(*chain(boxes, links, {outcome.iri}), link_of, read, f"The chain of {outcome.label}", PRINT_WRAP, targets))
    if unlinked:
        pages.append(dot(*_only(boxes, links, unlinked), link_of, read, "Work not linked to any target outcome", PRINT_WRAP, targets))
    return pages


def render(source: str, fmt: str) -> bytes:
    """The diagram drawn by Graphviz as svg, png or pdf (a page of its own size: render_pdf lays it on A3).

    In SVG each box's and arrow's title is its tooltip, not Graphviz's node name.
    """
    try:
        done = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=30, check=True)
    except subprocess.CalledProcessError as error:
        raise DiagramError(f"Graphviz could not draw the diagram: {error.stderr.decode('utf-8', 'replace').strip()}") from error
    except (OSError, subprocess.SubprocessError) as error:
        raise DiagramError(f"Graphviz could not draw the diagram: {error}") from error
    # Graphviz's cairo back end reports some failures (a bad URL in a PDF) on stderr with exit status 0.
    errors = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.lower().startswith("error")]
    if errors or not done.stdout:
        raise DiagramError(f"Graphviz could not draw the diagram: {'; '.join(errors) or 'it drew nothing'}")
    if fmt == "svg":
        return _TITLED.sub(lambda m: m.group(1) + m.group(3) + m.group(2), done.stdout.decode("utf-8")).encode("utf-8")
    return done.stdout


# Points: an A3 page, landscape, the margin left around the drawing, and the gap between the drawing and the legend.
A3_LANDSCAPE = (1190.55, 841.89)
_MARGIN = 18
_GAP = 10


def legend(footer: str) -> str:
    """A printed page's legend in Graphviz's language, in three rows: the kinds of box and a gap's red border; each strength of arrow;
    an indicator's line, a target's, and the arrow of a priority published under another. ``footer`` under it."""
    lines = [
        "digraph legend {",
        f'  graph [nodesep=0.15, ranksep=0.1, margin=0, fontname="DejaVu Sans", fontsize=10, labelloc=b, labeljust=l, label={_quote(footer)}];',
        '  node [shape=box, style="rounded,filled", fontname="DejaVu Sans", fontsize=10, margin="0.08,0.03", height=0.25];',
        f'  edge [color="{ARROW}", arrowsize=0.7, fontname="DejaVu Sans", fontsize=10];',
        '  boxes [shape=plaintext, style="", label="Legend:"];',
    ]
    boxes = ["boxes"]
    for kind in LAYERS:
        lines.append(f"  {kind} [label={_quote(KINDS[kind])}, fillcolor={_quote(BOX_FILL[kind])}, fontcolor={_quote(BOX_TEXT[kind])}];")
        boxes.append(kind)
    lines.append(f'  gap [label={_quote(GAP_BORDER)}, fillcolor="white", color="{GAP}", penwidth=2.5];')
    boxes.append("gap")
    lines.append('  arrows [shape=plaintext, style="", label="Causal links, by strength:"];')
    arrows = ["arrows"]
    for i, (style, width, words) in enumerate(STRENGTHS.values()):
        # A flat edge between two unseen points, its words above it: an arrow as long as they are.
        lines.append(f"  from{i} [shape=point, style=invis]; to{i} [shape=point, style=invis];")
        lines.append(f"  from{i} -> to{i} [style={style}, penwidth={width}, label={_quote(words)}];")
        arrows += [f"from{i}", f"to{i}"]
    lines.append(f'  measured [shape=plaintext, style="", label={_quote(MEASURED)}];')
    lines.append(f'  targeted [shape=plaintext, style="", label={_quote(TARGETED)}];')
    lines.append('  fromnested [shape=point, style=invis]; tonested [shape=point, style=invis];')
    lines.append(f"  fromnested -> tonested [{', '.join(f'{k}={_quote(v)}' for k, v in _NESTED.items())}, label={_quote(NESTED)}];")
    notes = ["measured", "targeted", "fromnested", "tonested"]
    for row in (boxes, arrows, notes):
        lines.append("  { rank=same; " + " ".join(row) + " }")
        lines += [f"  {a} -> {b} [style=invis];" for a, b in pairwise(row) if not (a.startswith("from") and b.startswith("to"))]
    lines.append("  boxes -> arrows -> measured [style=invis];")
    lines.append("}")
    return XML_FORBIDDEN.sub("", "\n".join(lines))  # the strategy's name, as dot() treats every label


def render_pdf(sources: list[str], name: str, changed: datetime.date) -> bytes:
    """Each diagram (DOT source) on an A3 landscape page of one PDF, scaled down to fit and never up, above the legend and a line naming
    the strategy (``name``), the date its data last changed and the page's number."""
    from pypdf import PageObject, PdfWriter, Transformation  # only a PDF download needs it

    writer = PdfWriter()
    width, height = A3_LANDSCAPE
    for number, source in enumerate(sources, 1):
        footer = " · ".join(part for part in (name, f"Data last changed {changed.day} {changed:%B %Y}", f"Page {number} of {len(sources)}") if part)
        key, (kw, kh) = _drawn_pdf(legend(footer))
        drawn, (w, h) = _drawn_pdf(source)
        # The legend at the foot of the page, at its own size (or shrunk to the page's width); the diagram in the space above it.
        key_scale = min(1.0, (width - 2 * _MARGIN) / kw)
        room = height - 2 * _MARGIN - kh * key_scale - _GAP
        scale = min(1.0, (width - 2 * _MARGIN) / w, room / h)
        page = PageObject.create_blank_page(width=width, height=height)
        page.merge_transformed_page(key, Transformation().scale(key_scale).translate(_MARGIN, _MARGIN))
        top = height - _MARGIN
        page.merge_transformed_page(drawn, Transformation().scale(scale).translate((width - w * scale) / 2, top - h * scale))
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _drawn_pdf(source: str) -> tuple:
    """The DOT source drawn by Graphviz as a PDF page (pypdf's), and its width and height in points."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        drawn = PdfReader(io.BytesIO(render(source, "pdf"))).pages[0]
    except PyPdfError as error:  # Graphviz said nothing, yet wrote a broken file
        raise DiagramError(f"Graphviz drew a PDF that cannot be read: {error}") from error
    return drawn, (float(drawn.mediabox.width), float(drawn.mediabox.height))


# A box's or arrow's group in Graphviz's SVG: its <title> (the node's name), then the link that carries the tooltip.
_TITLED = re.compile(r'(<g id="(?:node|edge)\d+" class="[^"]*">\s*<title>)[^<]*(</title>\s*<g id="a_[^"]*">\s*<a [^>]*?xlink:title="([^"]*)")')




def _label(title: str, details: list[str], wrap: int) -> str:
    """A box's label: its title centred, then its details in smaller type, left aligned, a wrapped detail's later lines indented under its first."""
    text = "<br/>".join(html.escape(line) for line in _wrap(title, wrap))
    if not details:
        return f"<{text}>"
    lines = [line if i == 0 else "\u00a0\u00a0" + line for detail in details for i, line in enumerate(_wrap(detail, wrap + 6))]
    shown = "<br/>".join(html.escape(line) for line in lines)
    return (f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td>{text}</td></tr>'
            f'<tr><td align="left" balign="left"><font point-size="{DETAIL_SIZE}">{shown}</font></td></tr></table>>')


def _quote(text: str) -> str:
    """A DOT quoted string; backslashes are doubled so no escape (\\N, \\G) is interpreted."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _url(link: str) -> str:
    """A link as a DOT string: an apostrophe percent-encoded (the same URL), since cairo writes a PDF's links inside '...' and one breaks the file."""
    return _quote(link.replace("'", "%27"))


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])
