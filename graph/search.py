"""Search: the resources whose label or description holds some words."""

from rdflib import Dataset, Literal

from graph.engine import select_rows
from graph.strategies import Item
from graph.vocab import SPARQL_PREFIXES

_SEARCH = SPARQL_PREFIXES + """
SELECT DISTINCT ?node ?label ?kind WHERE {
  ?node rdfs:label ?label ; a ?type .
  ?type rdfs:label ?kind .
  OPTIONAL { ?node dcterms:description ?description }
  BIND (LCASE(CONCAT(STR(?label), " ", COALESCE(STR(?description), ""))) AS ?text)
  %s
  FILTER (isIRI(?node))
}
ORDER BY ?kind ?label
LIMIT 200
"""


def search(ds: Dataset, words: str) -> list[Item]:
    """Resources whose label or description holds every one of the words, with their kind."""
    terms = [w for w in words.lower().split() if w][:10]
    if not terms:
        return []
    filters = " ".join(f"FILTER (CONTAINS(?text, {Literal(t).n3()}))" for t in terms)
    seen, found = set(), []
    for row in select_rows(ds, _SEARCH % filters):
        if str(row.node) not in seen:
            seen.add(str(row.node))
            found.append(Item(str(row.node), f"{row.label} ({row.kind})"))
    return found
