"""The strategies in a graph, each with its priorities, outcomes and work streams.

Normalised once here so that pages ask for one field per idea.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rdflib import Dataset

from graph.engine import select_values
from graph.order import nested, published_order
from graph.vocab import ID_BASE, SPARQL_PREFIXES

_STRATEGIES = SPARQL_PREFIXES + "SELECT ?strategy ?label WHERE { ?strategy a sg:Strategy ; rdfs:label ?label }"
# One query per kind of part: as one query with UNION, Oxigraph took 6 times as long at 150 strategies.
_PARTS = {
    "priorities": "?strategy a sg:Strategy ; sg:addressesPriority ?item .",
    "visions": "?strategy a sg:Strategy ; sg:addressesPriority/^sg:includesPriority ?item .",
    "outcomes": "?item a sg:Outcome ; dcterms:isPartOf ?strategy .",
    "workstreams": "?item a sg:Workstream ; dcterms:isPartOf ?strategy .",
}
# Pages show how many indicators a strategy has, not which: counted, which is twice as fast as listing them.
_INDICATORS = SPARQL_PREFIXES + """SELECT ?strategy (COUNT(DISTINCT ?item) AS ?count) WHERE {
  ?item sg:measures ?part . ?part dcterms:isPartOf ?strategy . ?item a sg:Indicator } GROUP BY ?strategy"""
# A part's published code (skos:notation) and, for a priority published under another, the one it is part of.
_PART = SPARQL_PREFIXES + """SELECT ?strategy ?item ?itemLabel ?position ?code ?parent WHERE { %s ?item rdfs:label ?itemLabel .
  OPTIONAL { ?item schema:position ?position } OPTIONAL { ?item skos:notation ?code }
  OPTIONAL { ?item dcterms:isPartOf ?parent . ?parent a sg:StrategicPriority } }"""
# Interventions, and the links that may take them to a strategy's outcomes or work streams: followed
# here, since Oxigraph works out sg:contributesTo+ for every node of a national store (30 s) before joining.
_INTERVENTIONS = SPARQL_PREFIXES + """SELECT ?item ?itemLabel ?position ?strategy WHERE {
  ?item a sg:Intervention ; rdfs:label ?itemLabel . OPTIONAL { ?item schema:position ?position } OPTIONAL { ?item dcterms:isPartOf ?strategy } }"""
_LINKS = SPARQL_PREFIXES + "SELECT ?from ?to WHERE { ?from sg:contributesTo ?to }"


@dataclass(frozen=True)
class Item:
    """A resource, its label and its published code; a priority, the one it is part of, and those part of it."""

    iri: str
    label: str
    code: str = ""
    parent: str = ""
    parts: tuple["Item", ...] = ()


@dataclass
class StrategyOverview:
    """One strategy with the parts a reader sees first."""

    iri: str
    label: str
    visions: list[Item] = field(default_factory=list)
    priorities: list[Item] = field(default_factory=list)
    outcomes: list[Item] = field(default_factory=list)
    workstreams: list[Item] = field(default_factory=list)
    interventions: list[Item] = field(default_factory=list)
    indicators: int = 0  # how many measure its outcomes or work streams

    @property
    def id(self) -> str:
        """The strategy's short id (strategy_id)."""
        return strategy_id(self.iri)


def strategy_overviews(ds: Dataset, graphs: Iterable[str] | None = None) -> list[StrategyOverview]:
    """Every strategy in the graph, sorted by label, parts in the published order (graph.order).

    ``graphs``: those that only these named graphs hold, read from them (a unit of validation's, with the vocabulary:
    the whole of its strategies).
    """
    found: dict[str, StrategyOverview] = {}
    for row in select_values(ds, _STRATEGIES, graphs):  # a strategy with several labels goes by the first
        iri, label = row["strategy"], row["label"]
        if iri not in found or label < found[iri].label:
            found[iri] = StrategyOverview(iri, label)
    for kind, pattern in _PARTS.items():
        rows = {(row["strategy"], row.get("position"), row["itemLabel"], row["item"], row.get("code") or "", row.get("parent") or "")
                for row in select_values(ds, _PART % pattern, graphs)}
        # Several codes or parents (as several labels): the first in code-point order.
        for strategy, _, label, item, code, parent in sorted(rows, key=lambda r: published_order(*r[1:4]) + r[4:]):
            items = getattr(found[strategy], kind) if strategy in found else None
            if items is not None and (not items or items[-1].iri != item):
                items.append(Item(item, label, code, parent))
    for overview in found.values():
        overview.priorities = _nested(overview.priorities)
    for row in select_values(ds, _INDICATORS, graphs):
        if row["strategy"] in found:
            found[row["strategy"]].indicators = int(row["count"])
    _add_interventions(ds, found, graphs)
    return sorted(found.values(), key=lambda overview: (overview.label, overview.iri))


def _nested(priorities: list[Item]) -> list[Item]:
    """The top priorities, each holding those part of it, at every depth, all in the published order (graph.order.nested)."""
    def tree(item: Item, parts: list) -> Item:
        return replace(item, parts=tuple(tree(*part) for part in parts))

    return [tree(*top) for top in nested(priorities, lambda p: p.iri, lambda p: p.parent)]


def _add_interventions(ds: Dataset, found: dict[str, StrategyOverview], graphs: Iterable[str] | None) -> None:
    """Each strategy's interventions: part of it, or reaching one of its outcomes or work streams by contributions."""
    part_of = {item.iri: iri for iri, overview in found.items() for item in overview.outcomes + overview.workstreams}
    links: dict[str, set[str]] = {}
    for row in select_values(ds, _LINKS, graphs):
        links.setdefault(row["from"], set()).add(row["to"])
    interventions = sorted({(row.get("position"), row["itemLabel"], row["item"], row.get("strategy") or "")
                            for row in select_values(ds, _INTERVENTIONS, graphs)}, key=lambda r: published_order(*r[:3]) + (r[3],))
    for _, label, item, own in interventions:
        reached, todo, seen = {own} - {""}, [item], {item}
        while todo:
            for nxt in links.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
                    if nxt in part_of:
                        reached.add(part_of[nxt])
        for strategy in sorted(reached & found.keys()):
            if all(existing.iri != item for existing in found[strategy].interventions):
                found[strategy].interventions.append(Item(item, label))


def strategy_id(iri: str) -> str:
    """The short id of a strategy: its workbook id, or else its IRI."""
    return iri.removeprefix(ID_BASE).removesuffix("/strategy") if iri.startswith(ID_BASE) and iri.endswith("/strategy") else iri
