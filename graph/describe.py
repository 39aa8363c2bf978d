"""Counts and names: what a graph holds, per class and per named graph."""

from dataclasses import dataclass
from typing import cast

from rdflib import Dataset, Literal, URIRef

from graph.engine import graph_names, select_rows, statement_counts
from graph.vocab import ENGINE_BASE, SPARQL_PREFIXES, VOCABULARY_BASE

# Counted first and named after: a label joined into the count would be looked up once per statement.
# The graphs are listed rather than filtered: a FILTER on ?g makes Oxigraph test it statement by statement.
_CLASS_COUNTS = "SELECT ?cls (COUNT(DISTINCT ?s) AS ?n) WHERE { VALUES ?g { %s } GRAPH ?g { ?s a ?cls } } GROUP BY ?cls"
_CLASS_LABELS = SPARQL_PREFIXES + "SELECT ?cls (SAMPLE(?name) AS ?label) WHERE { VALUES ?cls { %s } ?cls rdfs:label ?name } GROUP BY ?cls"

_GRAPH_NAMES = SPARQL_PREFIXES + "SELECT ?g (SAMPLE(?id) AS ?name) WHERE { GRAPH ?g { ?g dcterms:identifier ?id } } GROUP BY ?g"

_GRAPHS_NAMED = SPARQL_PREFIXES + """
SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g dcterms:identifier %s } }
"""


@dataclass(frozen=True)
class Count:
    """How many things one class or one named graph holds."""

    iri: URIRef
    name: str
    count: int


def class_counts(ds: Dataset) -> list[Count]:
    """Instances per class, outside the vocabulary graphs, most first."""
    # The vocabulary graphs declare classes rather than instances of them, and
    # the engine's kept reports describe the data rather than belong to it.
    data = [f"<{g}>" for g in graph_names(ds) if not g.startswith((VOCABULARY_BASE, ENGINE_BASE))]
    counts = {cast(URIRef, row.cls): int(row.n) for row in select_rows(ds, _CLASS_COUNTS % " ".join(data))} if data else {}
    labels = {row.cls: str(row.label) for row in select_rows(ds, _CLASS_LABELS % " ".join(c.n3() for c in counts))} if counts else {}
    return sorted((Count(c, labels.get(c, ""), n) for c, n in counts.items()), key=lambda c: (-c.count, str(c.iri)))


def graph_counts(ds: Dataset) -> list[Count]:
    """Statements per named graph (the engine's kept reports aside), with the graph's short name where it gives one."""
    names = {str(row.g): str(row.name) for row in select_rows(ds, _GRAPH_NAMES)}
    # Every write records the counts, so that this reads one statement instead of counting them all.
    counts = statement_counts(ds)
    return [Count(URIRef(g), names.get(g, ""), n) for g, n in sorted(counts.items())]


def resolve_graph(ds: Dataset, name: str) -> URIRef:
    """The named graph called ``name`` (its dcterms:identifier) or with that IRI.

    Raises LookupError, listing the graphs there are, if none or several match.
    """
    counts = graph_counts(ds)
    if any(str(c.iri) == name for c in counts):
        return URIRef(name)
    matches = [cast(URIRef, row.g) for row in select_rows(ds, _GRAPHS_NAMED % Literal(name).n3())]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(c.name or str(c.iri) for c in counts)
    if matches:
        raise LookupError(f"several graphs are called {name!r}: " + ", ".join(matches) + "; give the IRI")
    raise LookupError(f"no graph called {name!r}; the graphs are: {known}")
