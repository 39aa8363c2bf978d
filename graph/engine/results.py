"""Running a query on a graph, and writing its answer in a format of graph.formats.

The answer is kept as Oxigraph gave it, term for term, and written by
Oxigraph's own writers, found by the format's media type (graph.engine.store).
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pyoxigraph
from rdflib import Dataset

from graph.engine.store import oxigraph, rdf_format, results_format
from graph.formats import answer_formats
from graph.vocab import PREFIXES


@dataclass(frozen=True)
class Answer:
    """A query's answer as Oxigraph gave it, term for term: solutions, a boolean, or triples."""

    form: str  # SELECT, ASK or CONSTRUCT (DESCRIBE answers as CONSTRUCT does)
    variables: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()  # of Oxigraph terms, None where unbound
    boolean: pyoxigraph.QueryBoolean | None = None  # Oxigraph makes none itself: the one the query gave
    triples: tuple = ()

    def serialize(self, fmt: str) -> bytes:
        """The answer in a format of graph.formats.formats_for its form, written by Oxigraph's own writers."""
        media_type = answer_formats(self.form)[fmt].media_type
        if self.form == "CONSTRUCT":
            prefixes = {p: str(ns) for p, ns in PREFIXES.items()} if fmt == "ttl" else None
            # With no output given, Oxigraph's writers return the bytes (typed as possibly None, for a file written).
            return cast(bytes, pyoxigraph.serialize(self.triples, format=rdf_format(media_type), prefixes=prefixes))
        if self.form == "ASK":
            assert self.boolean is not None  # execute makes an ASK answer with its boolean
            return cast(bytes, self.boolean.serialize(format=results_format(media_type)))
        return cast(bytes, self._solutions().serialize(format=results_format(media_type)))

    def _solutions(self) -> pyoxigraph.QuerySolutions:
        # Oxigraph makes no QuerySolutions from a list, but reads them back from TSV,
        # in which each term has its exact N-Triples form (str() of the term).
        lines = ["\t".join(f"?{name}" for name in self.variables)]
        lines += ["\t".join("" if term is None else _nt(term) for term in row) for row in self.rows]
        tsv = "\n".join(lines).encode("utf-8") + b"\n"
        # TSV with a header of variables reads back as solutions, never a boolean.
        return cast(pyoxigraph.QuerySolutions, pyoxigraph.parse_query_results(tsv, format=pyoxigraph.QueryResultsFormat.TSV))

    def cells(self) -> list[list[str]]:
        """The solutions' values as text (an IRI, a literal's lexical form), "" where unbound."""
        return [["" if term is None else _nt(term) if isinstance(term, pyoxigraph.Triple) else term.value for term in row]
                for row in self.rows]


def _nt(term) -> str:
    """A term in N-Triples (RDF 1.2 for a triple term, which str() writes without its brackets)."""
    if isinstance(term, pyoxigraph.Triple):
        return f"<<( {_nt(term.subject)} {_nt(term.predicate)} {_nt(term.object)} )>>"
    return str(term)


def execute(ds: Dataset, query: str, protocol_dataset: tuple[Sequence[str], Sequence[str]] | None = None,
            max_rows: int | None = None, base_iri: str | None = None) -> tuple[Answer, bool]:
    """Run a SPARQL query on the graph; return its answer and whether it was cut short at ``max_rows``.

    The dataset is the protocol's (default graphs, named graphs), exactly (a
    graph the store does not hold is empty), which the caller also gives for
    a query's own FROM / FROM NAMED; with none, the default graph is the union
    of the named graphs. Relative IRIs in the query resolve against ``base_iri``.
    """
    options: dict[str, Any]
    if protocol_dataset is not None:
        options = {"default_graph": [pyoxigraph.NamedNode(g) for g in protocol_dataset[0]],
                   "named_graphs": [pyoxigraph.NamedNode(g) for g in protocol_dataset[1]]}
    else:
        options = {"use_default_graph_as_union": True}
    # oxrdflib's Dataset.query cannot pass a protocol dataset; the store it wraps can.
    answer = oxigraph(ds).query(query, base_iri=base_iri, **options)
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Answer("ASK", boolean=answer), False
    rows = list(itertools.islice(answer, max_rows + 1)) if max_rows is not None else list(answer)
    truncated = max_rows is not None and len(rows) > max_rows
    rows = rows[:max_rows] if truncated else rows
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        return Answer("SELECT", variables, tuple(tuple(row[v] for v in variables) for row in rows)), truncated
    return Answer("CONSTRUCT", triples=tuple(rows)), truncated
