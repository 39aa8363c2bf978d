"""Logic-model analysis with networkx: pathways, coverage, funding reaching each outcome, weak points.

The projection (``project``) is the one view of the RDF graph every analysis
uses. It is a directed graph:

- graph attribute ``owner_labels``: the label of every owner;
- nodes are IRIs, with ``kind`` (strategy, vision, priority, outcome, workstream,
  intervention), ``label``, ``position`` (schema:position, its place in the
  published list, or None), ``code`` (skos:notation, its published code, or ""),
  ``strategy`` (the strategy an outcome or work stream
  is part of, or an intervention if it is part of one), ``parent`` (for a
  priority, the priority it is part of, or ""), ``owners`` (sg:owner),
  ``life_stages`` (sg:servesLifeStage), ``themes`` (sg:theme) and, for interventions, ``funding``: the
  committed or spent commitments with an amount above zero, as
  (commitment IRI, amount, currency);
- edges are typed by ``kind``: ``contributes`` (sg:contributesTo, from a work
  stream or intervention to an outcome or work stream), ``serves_priority``
  (from an outcome to the priority that has it as a target outcome) and
  ``serves_vision`` (from a priority to the vision that includes it).

A pathway stays inside one strategy: it runs from an intervention (of that
strategy or of none) through that strategy's work streams, and any of its
intermediate outcomes (a chain of outcomes), to its outcome, as
the gap rule outcome-without-funded-intervention reads it. An intervention of
no strategy is work from outside it (a programme found in other sources, say):
it is shown apart, and the weak points (single points of failure and cut
points) are those of the strategy's own work.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

import networkx as nx
from rdflib import Dataset, URIRef

from graph.engine import select_rows
from graph.order import published_order
from graph.vocab import CONCEPT_BASE, SPARQL_PREFIXES

# Each kind of node, by its class.
_KIND = """VALUES (?type ?kind) { (sg:Strategy "strategy") (sg:Vision "vision") (sg:StrategicPriority "priority") (sg:Outcome "outcome")
                         (sg:Workstream "workstream") (sg:Intervention "intervention") }"""
_NODES = SPARQL_PREFIXES + """
SELECT ?node ?kind (MIN(STR(?name)) AS ?label) (MIN(STR(?part)) AS ?strategy) (MIN(?place) AS ?position) (MIN(STR(?notation)) AS ?code)
       (MIN(STR(?whole)) AS ?parent) WHERE {
  %s
  ?node a ?type .
  OPTIONAL { ?node rdfs:label ?name }
  OPTIONAL { ?node dcterms:isPartOf ?part . ?part a sg:Strategy }  # a priority may be part of a priority: its ?parent
  OPTIONAL { ?node schema:position ?place }
  OPTIONAL { ?node skos:notation ?notation }
  OPTIONAL { ?node a sg:StrategicPriority ; dcterms:isPartOf ?whole . ?whole a sg:StrategicPriority }
} GROUP BY ?node ?kind
""" % _KIND
_KINDS_OF = SPARQL_PREFIXES + "SELECT DISTINCT ?kind WHERE { %s %%s a ?type }" % _KIND
_EDGES = SPARQL_PREFIXES + """
SELECT ?from ?to ?kind WHERE {
  { ?from sg:contributesTo ?to BIND ("contributes" AS ?kind) }
  UNION { ?to sg:hasTargetOutcome ?from BIND ("serves_priority" AS ?kind) }
  UNION { ?to sg:includesPriority ?from BIND ("serves_vision" AS ?kind) }
}
"""
_ATTRIBUTES = SPARQL_PREFIXES + """
SELECT ?node ?owner ?ownerName ?stage ?theme WHERE {
  { ?node sg:owner ?owner OPTIONAL { ?owner rdfs:label ?ownerName } }
  # A strategy's own life stage that means the same as a packaged one (skos:closeMatch) serves both.
  UNION { ?node sg:servesLifeStage/skos:closeMatch? ?stage }
  # An own theme is about the packaged theme it matches, closely or as a narrower theme (skos:broadMatch).
  UNION { ?node sg:theme/(skos:closeMatch|skos:broadMatch)? ?theme }
}
"""
_OWNER_NAMES = SPARQL_PREFIXES + "SELECT ?owner ?ownerName WHERE { VALUES ?owner { %s } ?owner rdfs:label ?ownerName }"
_FUNDING = SPARQL_PREFIXES + """
SELECT DISTINCT ?commitment ?intervention ?amount ?currency WHERE {
  ?commitment a sg:FundingCommitment ; schema:fundedItem ?intervention ;
      sg:fundingStatus ?status ; schema:amount ?money .
  ?money schema:value ?amount .
  OPTIONAL { ?money schema:currency ?currency }
  FILTER (?status IN (<%(status)scommitted>, <%(status)sspent>) && ?amount > 0)
}
""" % {"status": CONCEPT_BASE + "funding-status/"}
_TERMS = SPARQL_PREFIXES + """
SELECT ?term (MIN(STR(?name)) AS ?label) (MIN(?order) AS ?position) (MIN(STR(?own)) AS ?strategy) WHERE {
  # The packaged terms of a list, and a strategy's own (a scheme of its that adds to the packaged list).
  { ?term skos:inScheme <%(list)s> }
  UNION { ?term skos:inScheme ?scheme . ?scheme dcterms:type <%(list)s> ; dcterms:isPartOf ?own }
  ?term skos:prefLabel ?name .
  OPTIONAL { ?term skos:notation ?order }
} GROUP BY ?term
"""
_LIFE_STAGES = _TERMS % {"list": CONCEPT_BASE + "life-stage/"}
_THEMES = _TERMS % {"list": CONCEPT_BASE + "theme/"}

# How funding that reaches several outcomes is counted: the stated rule of funding_by_outcome.
SHARED_FUNDING_RULE = (
    "split: a commitment whose intervention reaches several outcomes is divided equally among them, "
    "so the amounts add up to the funding committed; each such share is flagged as shared"
)


def project(ds: Dataset, graphs: Iterable[str] | None = None) -> nx.DiGraph:
    """The graph as networkx sees it: typed nodes and typed edges (see the module docstring).

    ``graphs``: only what those named graphs say (a unit of validation's, with the vocabulary: all a strategy's logic),
    but each owner with its name wherever the graph states it, as owners are described once for many strategies.
    """
    g = nx.DiGraph(owner_labels={})
    for row in select_rows(ds, _NODES, graphs):
        g.add_node(str(row.node), kind=str(row.kind), label=str(row.label or row.node),
                   position=None if row.position is None else str(row.position),
                   strategy=str(row.strategy) if row.strategy else None, owners=set(), life_stages=set(), themes=set(),
                   funding=[], code=str(row.code or ""), parent=str(row.parent or ""))
    for row in select_rows(ds, _EDGES, graphs):
        if str(row["from"]) in g and str(row.to) in g:
            g.add_edge(str(row["from"]), str(row.to), kind=str(row.kind))
    for row in select_rows(ds, _ATTRIBUTES, graphs):
        node = g.nodes.get(str(row.node))
        if node is not None and row.owner is not None:
            node["owners"].add(str(row.owner))
            g.graph["owner_labels"][str(row.owner)] = str(row.ownerName or row.owner)
        if node is not None and row.stage is not None:
            node["life_stages"].add(str(row.stage))
        if node is not None and row.theme is not None:
            node["themes"].add(str(row.theme))
    for row in select_rows(ds, _FUNDING, graphs):
        node = g.nodes.get(str(row.intervention))
        if node is not None and node["kind"] == "intervention":
            node["funding"].append((str(row.commitment), Decimal(str(row.amount)), str(row.currency or "")))
    owners = g.graph["owner_labels"]
    if graphs is not None and owners:
        for owner in owners:  # each named as the whole graph names it: the last name found, else its IRI
            owners[owner] = owner
        for row in select_rows(ds, _OWNER_NAMES % " ".join(URIRef(o).n3() for o in sorted(owners))):
            owners[str(row.owner)] = str(row.ownerName)
    return g


def kinds_of(ds: Dataset, node: str) -> set[str]:
    """The kinds of node the projection may make ``node`` (one, unless it is of several classes), without projecting the graph."""
    return {str(row.kind) for row in select_rows(ds, _KINDS_OF % URIRef(node).n3())}


def within(g: nx.DiGraph, strategy: str) -> nx.DiGraph:
    """One strategy's part of the projection: the strategy, its outcomes (intermediate ones too) and work streams, the
    work that leads to them, and what they serve."""
    keep = {strategy} | {n for n, d in g.nodes(data=True) if d["strategy"] == strategy}
    while True:
        more = {u for v in keep for u in g.predecessors(v) if g.nodes[u]["kind"] in ("workstream", "intervention")}
        more |= {v for u in keep for v in g.successors(u) if g.nodes[v]["kind"] in ("priority", "vision")}
        if more <= keep:
            return g.subgraph(keep).copy()
        keep |= more


def analyse(ds: Dataset, g: nx.DiGraph | None = None) -> dict:
    """Every analysis of the issue, as one JSON-ready dict; resources appear as {iri, label}.

    ``g`` is ``project(ds)``, if the caller has it already.
    """
    g = project(ds) if g is None else g
    stages, themes = _terms(ds, g, _LIFE_STAGES), _terms(ds, g, _THEMES)
    outcomes = ordered(g, (n for n, d in g.nodes(data=True) if d["kind"] == "outcome"))
    means = {o: _means(g, o) for o in outcomes}  # the pathway graph behind each outcome
    own = {o: means[o].subgraph(n for n in means[o] if not is_outside(g, n)) for o in outcomes}
    return {
        "pathways": [_pathways(g, o, means[o]) for o in outcomes],
        "coverage": _coverage(g, outcomes, means),
        "funding_by_outcome": _funding(g, outcomes, means),
        "single_points_of_failure": _single_points(g, outcomes, own),
        "cut_points": _cut_points(g, outcomes, own),
        "outside_work": [
            {"outcome": _ref(g, o), "interventions": [_ref(g, n) for n in ordered(g, (n for n in means[o] if is_outside(g, n)))]}
            for o in outcomes if any(is_outside(g, n) for n in means[o])
        ],
        "cycles": [[_ref(g, n) for n in cycle] for cycle in _cycles(g)],
        "centrality": _centrality(g, outcomes, means),
        "life_course": [
            {"life_stage": {"iri": str(s.term), "label": str(s.label)},
             "served_by": [_ref(g, n) for n in ordered(g, (n for n, d in g.nodes(data=True) if str(s.term) in d["life_stages"]))]}
            for s in stages
        ],
        "themes": [
            {"theme": {"iri": str(t.term), "label": str(t.label)},
             "about": [_ref(g, n) for n in ordered(g, (n for n, d in g.nodes(data=True) if str(t.term) in d["themes"]))]}
            for t in themes
        ],
        "unlinked_workstreams": [
            _ref(g, w) for w in ordered(g, (n for n, d in g.nodes(data=True) if d["kind"] == "workstream"))
            if not any(w in means[o] for o in outcomes)
        ],
    }


def _terms(ds: Dataset, g: nx.DiGraph, query: str) -> list:
    """A code list's terms in its order: the packaged ones, then the own terms of the strategies analysed, by label."""
    return sorted((r for r in select_rows(ds, query) if r.strategy is None or str(r.strategy) in g),
                  key=lambda r: (int(r.position) if r.position is not None else 99, str(r.label)))


def _ref(g: nx.DiGraph, node: str) -> dict:
    return {"iri": node, "label": g.nodes[node]["label"]}


def ordered(g: nx.DiGraph, nodes) -> list[str]:
    """Nodes of the projection, each once, in the published order (graph.order)."""
    return sorted(set(nodes), key=lambda n: published_order(g.nodes[n]["position"], g.nodes[n]["label"], n))


def chain_of(g: nx.DiGraph, outcome: str) -> set[str]:
    """An outcome and what reaches it within its strategy: its work, and the earlier outcomes of a chain of outcomes."""
    return set(_means(g, outcome)) | {outcome}


def _means(g: nx.DiGraph, outcome: str) -> nx.DiGraph:
    """The work streams and interventions that reach an outcome within its strategy, with their links.

    They may reach it through intermediate outcomes of the strategy (a chain of outcomes).
    """
    strategy = g.nodes[outcome]["strategy"]
    allowed = {
        n for n, d in g.nodes(data=True)
        if (d["kind"] in ("workstream", "outcome") and d["strategy"] == strategy)
        or (d["kind"] == "intervention" and d["strategy"] in (None, strategy))
    } | {outcome}
    contributions = g.edge_subgraph((u, v) for u, v, k in g.edges(data="kind") if k == "contributes")
    inside = contributions.subgraph(n for n in contributions if n in allowed)
    if outcome not in inside:
        return nx.DiGraph()
    return inside.subgraph(nx.ancestors(inside, outcome) | {outcome}).copy()


def is_outside(g: nx.DiGraph, node: str) -> bool:
    """Whether ``node`` is an intervention that no strategy states as its own."""
    return g.nodes[node]["kind"] == "intervention" and g.nodes[node]["strategy"] is None


def _funded(g: nx.DiGraph, node: str) -> bool:
    return g.nodes[node]["kind"] == "intervention" and bool(g.nodes[node]["funding"])


def _pathways(g: nx.DiGraph, outcome: str, means: nx.DiGraph) -> dict:
    interventions = [n for n in means if g.nodes[n]["kind"] == "intervention"]
    priorities = ordered(g, (p for _, p, k in g.out_edges(outcome, data="kind") if k == "serves_priority"))
    no_priority: list[str | None] = [None]  # a chain that ends at the outcome
    chains = []
    for intervention in ordered(g, interventions):
        for path in nx.all_simple_paths(means, intervention, outcome):
            for tail in (priorities or no_priority):
                chains.append([_ref(g, n) for n in path + ([tail] if tail else [])])
    if any(_funded(g, i) for i in interventions):
        status = "funded"
    elif len(means) > 1:
        status = "unfunded"
    else:
        status = "nothing"
    return {"outcome": _ref(g, outcome), "reached_from": status, "chains": chains}


def _coverage(g: nx.DiGraph, outcomes: list[str], means: dict) -> dict:
    def matrix(kind: str) -> dict:
        rows = ordered(g, (n for n, d in g.nodes(data=True) if d["kind"] == kind))
        return {
            "rows": [_ref(g, r) for r in rows],
            "columns": [_ref(g, o) for o in outcomes],
            "cells": [[int(r in means[o] and r != o) for o in outcomes] for r in rows],
        }
    return {"workstreams_by_outcome": matrix("workstream"), "interventions_by_outcome": matrix("intervention")}


def _funding(g: nx.DiGraph, outcomes: list[str], means: dict) -> dict:
    reached: dict[str, list[str]] = defaultdict(list)
    for outcome in outcomes:
        for node in means[outcome]:
            if _funded(g, node):
                reached[node].append(outcome)
    totals: dict[str, dict] = {o: defaultdict(Decimal) for o in outcomes}
    shares: dict[str, list] = defaultdict(list)
    for intervention, targets in reached.items():
        for commitment, amount, currency in g.nodes[intervention]["funding"]:
            share = amount / len(targets)
            for outcome in targets:
                totals[outcome][currency] += share
                shares[outcome].append({"commitment": commitment, "intervention": _ref(g, intervention), "currency": currency,
                                        "amount": float(share), "shared": len(targets) > 1})
    return {
        "rule": SHARED_FUNDING_RULE,
        "outcomes": [
            {"outcome": _ref(g, o), "amounts": {c: float(a) for c, a in sorted(totals[o].items())}, "from": shares[o]}
            for o in outcomes
        ],
    }


def _single_points(g: nx.DiGraph, outcomes: list[str], means: dict) -> list[dict]:
    found = []
    for outcome in outcomes:
        interventions = [n for n in means[outcome] if g.nodes[n]["kind"] == "intervention"]
        if len(interventions) == 1:
            found.append({"outcome": _ref(g, outcome), "depends_on": "a single intervention", "single": _ref(g, interventions[0])})
        owners = set().union(*(g.nodes[n]["owners"] for n in means[outcome] if n != outcome)) if len(means[outcome]) > 1 else set()
        if len(owners) == 1:
            (owner,) = owners
            found.append({"outcome": _ref(g, outcome), "depends_on": "a single owner", "single": {"iri": owner, "label": g.graph["owner_labels"][owner]}})
    return found


def _cut_points(g: nx.DiGraph, outcomes: list[str], means: dict) -> list[dict]:
    """Work streams or interventions whose removal leaves an outcome with no funded work reaching it."""
    found = []
    for outcome in outcomes:
        pathway = means[outcome]
        funded = [n for n in pathway if _funded(g, n)]
        if not funded:
            continue
        for node in ordered(g, (n for n in pathway if g.nodes[n]["kind"] in ("workstream", "intervention"))):
            rest = pathway.subgraph(n for n in pathway if n != node)
            if not any(nx.has_path(rest, f, outcome) for f in funded if f != node):
                found.append({"outcome": _ref(g, outcome), "cut_by": _ref(g, node)})
    return found


def _cycles(g: nx.DiGraph) -> list[list[str]]:
    contributions = nx.DiGraph((u, v) for u, v, k in g.edges(data="kind") if k == "contributes")
    # Each cycle starts at its smallest node, so the output does not depend on set order.
    return sorted(cycle[cycle.index(min(cycle)):] + cycle[:cycle.index(min(cycle))] for cycle in nx.simple_cycles(contributions))


def _centrality(g: nx.DiGraph, outcomes: list[str], means: dict) -> dict:
    support = {n: [o for o in outcomes if n in means[o]] for n, d in g.nodes(data=True) if d["kind"] in ("workstream", "intervention")}
    ranking = sorted(support, key=lambda n: (-len(support[n]), g.nodes[n]["label"], n))
    return {
        "counts": "the number of target outcomes each work stream or intervention reaches through contributions within its strategy",
        "ranking": [{**_ref(g, n), "kind": g.nodes[n]["kind"], "outcomes": len(support[n])} for n in ranking],
    }


def _reached(pathway: dict) -> str:
    """What reaches an outcome, in plain words: a chain is a path from an intervention to it."""
    chains = len(pathway["chains"])
    counted = f"{chains} chain{'s' if chains != 1 else ''} from an intervention"
    if pathway["reached_from"] == "funded":
        return f"funded work reaches it ({counted})"
    if pathway["reached_from"] == "nothing":
        return "no work reaches it"
    if chains == 0:
        return "work streams reach it, but no intervention does"
    return f"only unfunded work reaches it ({counted}, none funded)"


def as_text(result: dict) -> str:
    """The analysis for a reader: what reaches each outcome, its money, and where it is weak."""
    lines = ["Pathways"]
    for p in result["pathways"]:
        lines.append(f"  {p['outcome']['label']}: {_reached(p)}")
    lines += ["", f"Funding reaching each outcome ({result['funding_by_outcome']['rule']})"]
    for f in result["funding_by_outcome"]["outcomes"]:
        money = ", ".join(f"{amount:,.2f} {currency}".strip() for currency, amount in f["amounts"].items()) or "none"
        lines.append(f"  {f['outcome']['label']}: {money}")
    def section(title: str, entries: list[str]) -> None:
        lines.extend(["", title] + (entries or ["  none"]))

    section("Single points of failure", [
        f"  {s['outcome']['label']} depends on {s['depends_on']}: {s['single']['label']}" for s in result["single_points_of_failure"]
    ])
    section("Cut points (removing one cuts an outcome off from all funded work)", [
        f"  {c['cut_by']['label']} → {c['outcome']['label']}" for c in result["cut_points"]
    ])
    section("Work from outside the strategy, not counted in the weak points above", [
        f"  {w['outcome']['label']}: {', '.join(n['label'] for n in w['interventions'])}" for w in result["outside_work"]
    ])
    section("Cycles", [f"  {' → '.join(n['label'] for n in cycle)}" for cycle in result["cycles"]])
    lines += ["", f"Centrality ({result['centrality']['counts']})"] + [
        f"  {r['outcomes']:>3}  {r['label']}" for r in result["centrality"]["ranking"][:10]
    ]
    lines += ["", "Life course"] + [
        f"  {s['life_stage']['label']}: {len(s['served_by'])} ({', '.join(n['label'] for n in s['served_by']) or 'nothing'})"
        for s in result["life_course"]
    ]
    section("Themes (what each is the theme of)", [
        f"  {t['theme']['label']}: {', '.join(n['label'] for n in t['about'])}" for t in result["themes"] if t["about"]
    ])
    section("Work streams that reach no outcome", [f"  {w['label']}" for w in result["unlinked_workstreams"]])
    return "\n".join(lines)

