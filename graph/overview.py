"""The strategies in a graph, each with its priorities, outcomes and work streams.

Normalised once here so that pages ask for one field per idea.
"""

from dataclasses import dataclass, field

from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS, RDFS

_OVERVIEW = """
PREFIX sg: <https://w3id.org/strategy-graph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
SELECT ?strategy ?label ?kind ?item ?itemLabel ?position WHERE {
  ?strategy a sg:Strategy ; rdfs:label ?label .
  OPTIONAL {
    { ?strategy sg:addressesPriority ?item BIND ("priorities" AS ?kind) }
    UNION { ?item a sg:Outcome ; dcterms:isPartOf ?strategy BIND ("outcomes" AS ?kind) }
    UNION { ?item a sg:Workstream ; dcterms:isPartOf ?strategy BIND ("workstreams" AS ?kind) }
    ?item rdfs:label ?itemLabel .
    OPTIONAL { ?item schema:position ?position }
  }
}
ORDER BY ?label ?strategy ?kind ?position ?itemLabel
"""


@dataclass(frozen=True)
class Item:
    """A resource and its label."""

    iri: str
    label: str


@dataclass
class StrategyOverview:
    """One strategy with the parts a reader sees first."""

    iri: str
    label: str
    priorities: list[Item] = field(default_factory=list)
    outcomes: list[Item] = field(default_factory=list)
    workstreams: list[Item] = field(default_factory=list)


def strategy_overviews(ds: Dataset) -> list[StrategyOverview]:
    """Every strategy in the graph, sorted by label, parts in document order."""
    found: dict[str, StrategyOverview] = {}
    for row in ds.query(_OVERVIEW):
        overview = found.setdefault(str(row.strategy), StrategyOverview(str(row.strategy), str(row.label)))
        if row.item is not None:
            getattr(overview, str(row.kind)).append(Item(str(row.item), str(row.itemLabel)))
    return list(found.values())


_STATEMENTS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?direction ?p ?pLabel ?o ?oLabel WHERE {
  { ?node ?p ?o BIND ("out" AS ?direction) } UNION { ?o ?p ?node BIND ("in" AS ?direction) }
  OPTIONAL { ?p rdfs:label ?pLabel }
  OPTIONAL { ?o rdfs:label|skos:prefLabel ?oLabel }
}
ORDER BY ?direction ?pLabel ?p ?oLabel ?o
VALUES ?node { %s }
"""


@dataclass(frozen=True)
class Statement:
    """One link of a resource: what it is called, and the other end with its label."""

    predicate: str
    predicate_label: str
    value: str
    value_label: str
    is_resource: bool


@dataclass
class ResourceView:
    """A resource as a page shows it: its label and its links in both directions."""

    iri: str
    label: str
    outgoing: list[Statement] = field(default_factory=list)
    incoming: list[Statement] = field(default_factory=list)


def describe_resource(ds: Dataset, iri: URIRef) -> ResourceView | None:
    """Everything the graph says about ``iri``, and says with it as object; None if nothing."""
    view = ResourceView(str(iri), "")
    seen = set()
    for row in ds.query(_STATEMENTS % iri.n3()):
        key = (str(row.direction), str(row.p), str(row.o))
        if key in seen:
            continue  # a second label of the other end
        seen.add(key)
        statement = Statement(str(row.p), str(row.pLabel or _local(row.p)), str(row.o), str(row.oLabel or row.o), isinstance(row.o, URIRef))
        (view.outgoing if row.direction.value == "out" else view.incoming).append(statement)
        if row.direction.value == "out" and str(row.p) in (str(RDFS.label), str(DCTERMS.title)) and not view.label:
            view.label = str(row.o)
    if not seen:
        return None
    view.label = view.label or _local(iri)
    return view


def _local(iri) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
