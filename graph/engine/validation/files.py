"""Plain SHACL validation of RDF files against shapes files, by the packaged engine (`strategy-graph validate`)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from graph.engine import store
from graph.engine.validation import lexical, validate
from graph.engine.validation.pyshacl_adapter import validate_graph


@dataclass(frozen=True)
class Validated:
    """A report, the literals of the data that Oxigraph's store would hold as other terms (see store.as_store),
    and whether pySHACL validated everything (two of those literals would be one term)."""

    report: Graph
    exact_terms: tuple[str, ...] = ()
    by_pyshacl: bool = False


def validate_files(data: Iterable[Path], shapes: Iterable[Path], now: datetime.datetime | None = None) -> Validated:
    """The sh:ValidationReport of the data files against the shapes files.

    The data is validated in a store by the packaged engine. Where the store
    would hold some literal as another term, the shapes that can see how it
    is written are validated by pySHACL, on the data as written, and the terms
    of the report are given back as written (graph.engine.validation.lexical);
    if two written literals would become one stored term, pySHACL validates all.
    ``exact_terms`` names those literals. NOW() is ``now`` (by default, the
    moment validation starts). Raises GraphSourceError for a file that cannot
    be read and ShapesError for shapes that cannot be applied.
    """
    quads, prefixes = store.read_plain(data)
    # Shapes are never stored: a sh:targetNode 4.0 stays 4.0.
    shapes_graph = store.as_graph(*store.read_plain(shapes))
    data_store, changed = store.as_store(quads)
    written = lexical.of(quads, changed) if changed else None
    whole = bool(changed) and written is None
    report = (validate_graph(store.as_graph(quads, {}), shapes_graph, now) if whole
              else validate(data_store, shapes_graph, now, written))
    # The files' own prefixes, so that the Turtle report reads as they do.
    for prefix, iri in [*prefixes.items(), *shapes_graph.namespaces()]:
        report.bind(prefix, iri, replace=True)
    return Validated(report, tuple(str(literal) for literal in changed), whole)
