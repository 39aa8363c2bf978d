"""The theory of change, the gap report, the analysis and the network: the views of the whole logic model."""

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup

from pyvis.network import Network

from graph.diagram import MARKED, DiagramError, chain, dot, render
from graph.gaps import SEVERITIES, as_csv, at_or_above, rules
from viewer.charts import bars
from viewer.data import get_analysis, get_diagram, get_gaps, get_projection

bp = Blueprint("reports", __name__)
DIAGRAM_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
# Dark enough that white labels pass WCAG AA contrast.
KIND_COLOURS = {"strategy": "#5a2d82", "vision": "#0b3d60", "priority": "#1d5c8a", "outcome": "#2f6f4f", "workstream": "#4f6478", "intervention": "#8a5300"}


def _diagram(fmt: str) -> tuple[bytes, list, list, list]:
    """The diagram drawn as ``fmt``, its boxes and links (one outcome's chain if ?outcome= names one), and every outcome."""
    outcome = request.args.get("outcome") or None  # the form's "All outcomes" sends outcome=
    boxes, links = get_diagram()
    outcomes = [b for b in boxes if b.kind == "outcome"]
    if outcome is not None:
        if not any(b.iri == outcome for b in outcomes):
            abort(400)
        boxes, links = chain(boxes, links, outcome)
    try:
        return render(dot(boxes, links, lambda iri: url_for("pages.resource", iri=iri)), fmt), boxes, links, outcomes
    except DiagramError as error:
        current_app.logger.error("%s", error)
        abort(500)


@bp.get("/theory-of-change")
def theory_of_change() -> str:
    """The layered diagram, its legend, and the same chain as a nested list for screen readers."""
    svg, boxes, links, outcomes = _diagram("svg")
    inline = svg.decode("utf-8")
    inline = inline[inline.index("<svg"):]  # drop the XML prolog and DOCTYPE to embed it
    by_iri = {b.iri: b for b in boxes}
    feeds = {b.iri: [] for b in boxes}
    for source, target in links:
        feeds[target].append(by_iri[source])
    # The list starts from what leads to nothing further up: the vision, and any work left unlinked.
    sources = {source for source, _ in links}
    tops = [b for b in boxes if b.iri not in sources]
    return render_template("theory.html", svg=Markup(inline), tops=tops, feeds=feeds, marked=MARKED,
                           all_outcomes=outcomes,
                           chosen=request.args.get("outcome") or None)


@bp.get("/theory-of-change.<fmt>")
def theory_of_change_file(fmt: str) -> Response:
    """The diagram to keep: SVG, PNG or PDF, for board papers."""
    if fmt not in DIAGRAM_TYPES:
        abort(404)
    body = _diagram(fmt)[0]
    return Response(body, mimetype=DIAGRAM_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="theory-of-change.{fmt}"'})


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
    shown = at_or_above(get_gaps(), severity)
    by_rule = {}
    for gap in shown:
        by_rule.setdefault(gap.rule, []).append(gap)
    return render_template("gaps.html", by_rule=by_rule, rules={r.id: r for r in rules().values()}, severity=severity)


@bp.get("/gaps.csv")
def gaps_csv() -> Response:
    """The gap report as CSV."""
    return Response(as_csv(at_or_above(get_gaps(), _severity())), mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="gaps.csv"'})


@bp.get("/analysis")
def analysis() -> str:
    """Coverage as a heat map, funding by outcome as bars, weak points as lists."""
    result = get_analysis()
    funding = result["funding_by_outcome"]
    currencies = sorted({c for o in funding["outcomes"] for c in o["amounts"]})
    charts = {c: bars([(o["outcome"]["label"], o["amounts"].get(c, 0.0)) for o in funding["outcomes"]], c) for c in currencies}
    return render_template("analysis.html", result=result, charts=charts)


@bp.get("/network")
def network() -> str:
    """An interactive network of the strategy's logic: pyvis assembles it, vis-network draws it in the browser."""
    g = get_projection()
    net = Network(directed=True)
    for node, data in g.nodes(data=True):
        if data["kind"] in KIND_COLOURS:
            # Labels go to the browser as JSON and are drawn as text: never as HTML.
            net.add_node(node, label=data["label"][:60], title=data["label"], group=data["kind"],
                         url=url_for("pages.resource", iri=node))
    shown = set(net.get_nodes())
    for source, target in g.edges():
        if source in shown and target in shown:
            net.add_edge(source, target)
    keep = ("id", "label", "title", "group", "url")
    data = {"nodes": [{k: n[k] for k in keep if k in n} for n in net.nodes],
            "edges": [{"from": e["from"], "to": e["to"]} for e in net.edges], "colours": KIND_COLOURS}
    return render_template("network.html", data=data, kinds=KIND_COLOURS)
