"""The strategies in a graph, each with its priorities, outcomes and work streams.

Normalised once here so that pages ask for one field per idea.
"""

from dataclasses import dataclass, field

from rdflib import Dataset

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
