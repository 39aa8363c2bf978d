"""The theory of change, the gap report, the analysis and the network: the views of the whole logic model."""

from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from pyvis.network import Network

from graph.analysis import is_outside, kinds_of, within
from graph.contributions import WEAK, chosen
from graph.diagram import (
    GAP_BORDER,
    KINDS,
    MARKED,
    MEASURED,
    NESTED,
    STRENGTHS,
    TARGETED,
    Box,
    DiagramError,
    chain,
    dot,
    printed,
    render,
    render_pdf,
)
from graph.formats import DIAGRAM, SPREADSHEET, media_types
from graph.gaps import SEVERITIES, Gap, as_csv, as_xlsx, at_or_above, counts_by_rule, rules_by_id, unlabelled
from graph.order import nested
from graph.palette import NODE_FILL
from graph.workbook.fixes import workbook_fix
from viewer.charts import bars
from viewer.data import chosen_strategy, get_gaps, get_snapshot, named, one_strategy
from viewer.downloads import attachment

bp = Blueprint("reports", __name__)
DIAGRAM_TYPES = media_types(DIAGRAM)
# Whole Content-Type values, given as content_type: as a mimetype, werkzeug would add a second charset to text/csv.
SPREADSHEETS = media_types(SPREADSHEET)
KIND_NAMES = {"strategy": "Strategies", "vision": "Visions", "priority": "Priorities", "outcome": "Target outcomes",
              "workstream": "Work streams", "intervention": "Interventions"}


# ?priority=all: every priority's chains at once, drawn as large as one priority's, which the page scrolls.
ALL = "all"


@dataclass(frozen=True)
class _Diagram:
    """One request's theory of change: its boxes and links, what it can be filtered to, and the filter chosen."""

    boxes: list
    links: list
    outcomes: list
    priorities: list
    strategy: str | None
    chosen: str | None  # the outcome or priority whose chain it is; None for the whole strategy
    title: str
    name: str  # the strategy's title, "" for a graph of several shown whole

    @property
    def priority_tree(self) -> list[tuple]:
        """The priorities to choose from, each under the one it is part of, in the published order."""
        return nested(self.priorities, lambda b: b.iri, lambda b: b.parent)

    def view(self) -> dict[str, str | None]:
        """The query arguments that show this diagram again, as url_for takes them: its outcome's chain, its priority's, or all."""
        kinds = {b.iri: b.kind for b in self.outcomes + self.priorities}
        return {"outcome": self.chosen if kinds.get(self.chosen) == "outcome" else None,
                "priority": ALL if self.chosen is None else self.chosen if kinds.get(self.chosen) == "priority" else None}


def _diagram(in_parts: bool) -> _Diagram:
    """The theory of change a request asks for.

    With several strategies the diagram is one strategy's (?strategy=, the
    first by default): a picture of all of them would be unreadable.
    ?priority= narrows it to that priority's chains (?priority=all: all of
    them), ?outcome= to that outcome's chain. An outcome or priority of
    another strategy (the form sent as the strategy changed) shows them all.
    Shown ``in_parts`` (on screen, at its own size), a strategy of several
    priorities shows the first one's chains unless asked for another or all.
    """
    snapshot = get_snapshot()
    strategy = one_strategy(snapshot)
    boxes, links = snapshot.diagram if strategy is None else snapshot.diagram_of(strategy)
    outcomes = [b for b in boxes if b.kind == "outcome"]
    priorities = [b for b in boxes if b.kind == "priority"]
    chosen = None
    for kind, shown in (("outcome", outcomes), ("priority", priorities)):
        asked = named(snapshot, kind, strategy) if chosen is None and request.args.get(kind) != ALL else None
        if asked is None:
            continue
        if any(b.iri == asked for b in shown):
            chosen = asked
        elif kind not in kinds_of(snapshot.graph, asked):  # a box of another kind in the whole diagram
            abort(400)
    if in_parts and chosen is None and not any(request.args.get(kind) for kind in ("outcome", "priority")) and len(priorities) > 1:
        chosen = priorities[0].iri
    titled = strategy or (snapshot.strategies[0].iri if len(snapshot.strategies) == 1 else None)
    name = next((s.label for s in snapshot.strategies if s.iri == titled), "")
    title = f"Theory of change: {name}" if name else "Theory of change"
    if chosen is not None:
        title += " — the chain of " + next(b.label for b in boxes if b.iri == chosen)
        boxes, links = chain(boxes, links, {chosen})
    return _Diagram(boxes, links, outcomes, priorities, strategy, chosen, title, name)


def _drawn(diagram: _Diagram, fmt: str) -> bytes:
    """The diagram drawn as svg, png or pdf (the PDF: graph.diagram.printed's pages on A3, each with the legend).

    Graphviz draws each once per snapshot.
    """
    snapshot = get_snapshot()
    key = (diagram.strategy, diagram.chosen, fmt)
    if key not in snapshot.drawn:
        link = lambda iri: url_for("pages.resource", iri=iri)
        read, targets = snapshot.readings(diagram.strategy), snapshot.targets(diagram.strategy)
        try:
            if fmt == "pdf":
                pages = printed(diagram.boxes, diagram.links, link, read, diagram.title, targets)
                snapshot.drawn[key] = render_pdf(pages, diagram.name, snapshot.written.date())
            else:
                snapshot.drawn[key] = render(dot(diagram.boxes, diagram.links, link, read, targets=targets), fmt)
        except DiagramError as error:
            current_app.logger.error("%s", error)
            abort(500)
    return snapshot.drawn[key]


@bp.get("/theory-of-change")
def theory_of_change() -> str:
    """The logic model at its own size, a priority at a time, its legend, and the same chain as a nested list for screen readers."""
    diagram = _diagram(in_parts=True)
    inline = _drawn(diagram, "svg").decode("utf-8")
    inline = inline[inline.index("<svg"):]  # drop the XML prolog and DOCTYPE to embed it
    by_iri = {b.iri: b for b in diagram.boxes}
    feeds: dict[str, list[Box]] = {b.iri: [] for b in diagram.boxes}
    for link in diagram.links:
        feeds[link.target].append(by_iri[link.source])
    # The list starts from what leads to nothing further up: the vision, and any work left unlinked.
    sources = {link.source for link in diagram.links}
    tops = [b for b in diagram.boxes if b.iri not in sources]
    snapshot = get_snapshot()
    return render_template("theory.html", svg=Markup(inline), tops=tops, feeds=feeds, marked=MARKED, strengths=STRENGTHS, kinds=KINDS,
                           gap_border=GAP_BORDER, measured=MEASURED, targeted=TARGETED, nested=NESTED, diagram=diagram, strategies=snapshot.strategies,
                           read=snapshot.readings(diagram.strategy), targets=snapshot.targets(diagram.strategy), every=ALL)


@bp.get("/theory-of-change.<fmt>")
def theory_of_change_file(fmt: str) -> Response:
    """The diagram to keep: SVG, PNG or PDF, for board papers."""
    if fmt not in DIAGRAM_TYPES:
        abort(404)
    body = _drawn(_diagram(in_parts=False), fmt)
    return attachment(Response(body, mimetype=DIAGRAM_TYPES[fmt]), f"theory-of-change.{fmt}")


def _severity() -> str:
    """The ?severity= of a gaps request (default: all); 400 if it names no severity."""
    severity = request.args.get("severity", "info")
    if severity not in SEVERITIES:
        abort(400)
    return severity


@bp.get("/gaps")
def gaps() -> str:
    """The gap report, grouped by rule, with how to close each gap; ?severity= filters."""
    severity = _severity()
    snapshot = get_snapshot()
    strategy = chosen_strategy(snapshot)
    summary = None
    if strategy is None and len(snapshot.strategies) > 1:
        # Many strategies: a table of counts, each row opening that strategy's gaps.
        counted = SEVERITIES[:SEVERITIES.index(severity) + 1]
        summary = [(s, [snapshot.gap_counts[(s.iri, level)] if level in counted else 0 for level in SEVERITIES]) for s in snapshot.strategies]
        shown = at_or_above(snapshot.gaps_by_strategy.get("", []), severity)
    else:
        shown = at_or_above(snapshot.gaps if strategy is None else snapshot.gaps_by_strategy.get(strategy, []), severity)
    by_rule: dict[str, list[Gap]] = {}
    for gap in shown:
        by_rule.setdefault(gap.rule, []).append(gap)
    # What each gap says beyond its label; said once above the list when it is the same for all of them.
    said = {rule: [unlabelled(g) for g in found] for rule, found in by_rule.items()}
    common = {rule: texts[0] for rule, texts in said.items() if len(set(texts)) == 1}
    rules = rules_by_id()
    return render_template("gaps.html", by_rule=by_rule, said=said, common=common, rules=rules, severity=severity,
                           counts=counts_by_rule(shown), fixes={rule: workbook_fix(rules[rule]) for rule in by_rule},
                           summary=summary, severities=SEVERITIES, strategy=strategy, strategies=snapshot.strategies)


@bp.get("/gaps.<fmt>")
def gaps_file(fmt: str) -> Response:
    """The gap report as CSV (with a byte-order mark, so that Excel reads it as UTF-8) or xlsx: every strategy's, or one's (?strategy=)."""
    if fmt not in SPREADSHEETS:
        abort(404)
    strategy = chosen_strategy(get_snapshot())
    shown = [g for g in at_or_above(get_gaps(), _severity()) if strategy is None or g.strategy == strategy]
    body = "\ufeff" + as_csv(shown) if fmt == "csv" else as_xlsx(shown)
    return attachment(Response(body, content_type=SPREADSHEETS[fmt]), f"gaps.{fmt}")


@bp.get("/analysis")
def analysis() -> str:
    """Coverage as a heat map, funding by outcome as bars, weak points as lists: one strategy's, when there are several."""
    snapshot = get_snapshot()
    strategy = one_strategy(snapshot)
    result = snapshot.analysis if strategy is None else snapshot.analysis_of(strategy)
    funding = result["funding_by_outcome"]
    currencies = sorted({c for o in funding["outcomes"] for c in o["amounts"]})
    charts = {c: bars([(o["outcome"]["label"], o["amounts"].get(c, 0.0)) for o in funding["outcomes"]], c) for c in currencies}
    # Like the other weak points, of the strategy's own work: a link from outside work is in the register.
    g = snapshot.projection_for(strategy)
    weak = [c for c in chosen(snapshot.contributions_for(strategy), g, strategy) if c.strength_iri == WEAK and not is_outside(g, c.source)]
    return render_template("analysis.html", result=result, charts=charts, strategies=snapshot.strategies, strategy=strategy, weak=weak)


@bp.get("/network")
def network() -> str:
    """An interactive network of the strategy's logic (one strategy's, when there are several): pyvis assembles it, vis-network draws it."""
    snapshot = get_snapshot()
    strategy = one_strategy(snapshot)
    g = snapshot.projection if strategy is None else within(snapshot.projection_for(strategy), strategy)
    net = Network(directed=True)
    # In a fixed order, not the order some store answered in: the page reads the same from any store.
    for node, data in sorted(g.nodes(data=True), key=lambda item: (item[1]["label"], item[0])):
        if data["kind"] in NODE_FILL:
            # Labels go to the browser as JSON and are drawn as text: never as HTML.
            net.add_node(node, label=data["label"], title=data["label"], group=data["kind"],
                         url=url_for("pages.resource", iri=node))
    shown = set(net.get_nodes())
    for source, target in sorted(g.edges()):
        if source in shown and target in shown:
            net.add_edge(source, target)
    keep = ("id", "label", "title", "group", "url")
    data = {"nodes": [{k: n[k] for k in keep if k in n} for n in net.nodes],
            "edges": [{"from": e["from"], "to": e["to"]} for e in net.edges], "colours": NODE_FILL}
    title = {n["id"]: n["title"] for n in data["nodes"]}
    leads_to: dict[str, list[str]] = {n["id"]: [] for n in data["nodes"]}
    for edge in data["edges"]:
        leads_to[edge["from"]].append(title[edge["to"]])
    return render_template("network.html", data=data, kinds=NODE_FILL, strategies=snapshot.strategies, strategy=strategy,
                           leads_to=leads_to, kind_names=KIND_NAMES)
