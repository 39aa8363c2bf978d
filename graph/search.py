"""Search: the resources whose label or description holds some words."""

from rdflib import Dataset, Literal

from graph.engine import select_rows
from graph.strategies import Item
from graph.vocab import SPARQL_PREFIXES

# The words are first looked for in each label, and in each description, alone: a node none of whose labels or
# descriptions holds a word cannot match. Only those candidates are joined with their other label or description
# and their kind. Looking for the words in every label joined with its optional description (the obvious query) took
# over 5 minutes at 1,500 strategies, where Oxigraph evaluated the OPTIONAL for each of 390k labels; this takes
# seconds, with the same rows. The node, last in the order, puts the rows of copies alike in label and kind in one order.
_SEARCH = SPARQL_PREFIXES + """
SELECT DISTINCT ?node ?label ?kind WHERE {
  { SELECT DISTINCT ?node ?label WHERE {
      {
        { SELECT ?node ?label WHERE { ?node rdfs:label ?label . FILTER (isIRI(?node) && (%(in_label)s)) } }
        OPTIONAL { ?node dcterms:description ?description }
      } UNION {
        { SELECT ?node ?description WHERE { ?node dcterms:description ?description . FILTER (isIRI(?node) && (%(in_description)s)) } }
        ?node rdfs:label ?label .
      }
      BIND (LCASE(CONCAT(STR(?label), " ", COALESCE(STR(?description), ""))) AS ?text)
      %(every)s
  } }
  ?node a ?type .
  ?type rdfs:label ?kind .
}
ORDER BY ?kind ?label ?node
LIMIT 200
"""


def search(ds: Dataset, words: str) -> list[Item]:
    """Resources whose label or description holds every one of the words, with their kind."""
    terms = [w for w in words.lower().split() if w][:10]
    if not terms:
        return []
    words_n3 = [Literal(t).n3() for t in terms]
    query = _SEARCH % {"in_label": " || ".join(f"CONTAINS(LCASE(STR(?label)), {w})" for w in words_n3),
                       "in_description": " || ".join(f"CONTAINS(LCASE(STR(?description)), {w})" for w in words_n3),
                       "every": " ".join(f"FILTER (CONTAINS(?text, {w}))" for w in words_n3)}
    seen, found = set(), []
    for row in select_rows(ds, query):
        if str(row.node) not in seen:
            seen.add(str(row.node))
            found.append(Item(str(row.node), f"{row.label} ({row.kind})"))
    return found
