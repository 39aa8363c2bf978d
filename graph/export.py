"""Serialising the graph, whole or one named graph, in any format of graph.formats."""

from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from graph.engine import named_graph, new_graph
from graph.formats import Format
from graph.vocab import ENGINE_BASE


def export(ds: Dataset, fmt: Format, graph: URIRef | None = None) -> bytes:
    """The graph as bytes in ``fmt``.

    Formats with named graphs keep them. Formats of plain triples get the
    union of all named graphs, or the one ``graph``. The whole graph leaves
    out the engine's kept reports: a store that loads it validates it afresh.
    """
    if graph is not None and not fmt.quads:
        return named_graph(ds, graph).serialize(format=fmt.plugin, encoding="utf-8")
    subset = new_graph()
    if graph is not None:
        subset.addN(ds.quads((None, None, None, graph)))
    else:
        data = ((s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None)) if not str(g).startswith(ENGINE_BASE))
        subset.addN(data if fmt.quads else ((s, p, o, DATASET_DEFAULT_GRAPH_ID) for s, p, o, _ in data))
    target = subset if fmt.quads else named_graph(subset, DATASET_DEFAULT_GRAPH_ID)
    return target.serialize(format=fmt.plugin, encoding="utf-8")
