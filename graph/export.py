"""Serialising the graph, whole or one named graph, in any format of graph.formats."""

from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from graph.formats import RdfFormat
from graph.engine.store import named_graph, new_graph

_ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def export(ds: Dataset, fmt: RdfFormat, graph: URIRef | None = None) -> bytes:
    """The graph as bytes in ``fmt``.

    Formats with named graphs keep them. Formats of plain triples get the
    union of all named graphs, or the one ``graph``.
    """
    if graph is None and fmt.quads:
        return ds.serialize(format=fmt.plugin, encoding="utf-8")
    if graph is not None and not fmt.quads:
        return named_graph(ds, graph).serialize(format=fmt.plugin, encoding="utf-8")
    subset = new_graph()
    if graph is None:
        graph = DATASET_DEFAULT_GRAPH_ID
        subset.addN((s, p, o, graph) for s, p, o in ds.query(_ALL_TRIPLES))
    else:
        subset.addN(ds.quads((None, None, None, graph)))
    target = subset if fmt.quads else named_graph(subset, graph)
    return target.serialize(format=fmt.plugin, encoding="utf-8")
