"""Plain SHACL validation of RDF files against shapes files, by the packaged engine (`strategy-graph validate`)."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from graph.engine import store
from graph.engine.validation import validate
from graph.engine.validation.pyshacl_adapter import validate_graph


@dataclass(frozen=True)
class Validated:
    """A report, and the literals of the data that Oxigraph's store would hold as other terms (see store.as_store)."""

    report: Graph
    exact_terms: tuple[str, ...] = ()


def validate_files(data: Iterable[Path], shapes: Iterable[Path]) -> Validated:
    """The sh:ValidationReport of the data files against the shapes files.

    The data is validated in a store by the packaged engine, unless the store
    would hold some literal as another term: then pySHACL judges the terms
    as the files give them, and ``exact_terms`` names those literals.
    Raises GraphSourceError for a file that cannot be read and ShapesError
    for shapes that cannot be applied.
    """
    quads, prefixes = store.read_plain(data)
    # Shapes are never stored: a sh:targetNode 4.0 stays 4.0.
    shapes_graph = store.as_graph(*store.read_plain(shapes))
    data_store, changed = store.as_store(quads)
    report = validate_graph(store.as_graph(quads, {}), shapes_graph) if changed else validate(data_store, shapes_graph)
    # The files' own prefixes, so that the Turtle report reads as they do.
    for prefix, iri in [*prefixes.items(), *shapes_graph.namespaces()]:
        report.bind(prefix, iri, replace=True)
    return Validated(report, tuple(str(literal) for literal in changed))
