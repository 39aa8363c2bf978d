"""The engine's two doors: open a graph to read, and write a change.

Every write goes through ``write``: the input is staged and checked in memory,
the rules run on it, and it lands in the store (graph.engine.stores) together
with the re-validated reports of the units it touched (graph.engine.units),
published whole: a new generation of a store on disk, one update of a server.
A read of a store opens a snapshot of it and validates nothing; files read
without a store are written into an in-memory store first, like any write.
"""

import datetime
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from oxrdflib.store import OxigraphStore
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import PROV, XSD

from graph import files
from graph.engine import stores
from graph.engine.remote import Remote
from graph.engine.store import (
    GraphSourceError,
    QuadSource,
    QuadStore,
    as_dataset,
    derive,
    is_iri,
    oxigraph,
    rdflib_term,
    read_files,
    vocabulary,
)
from graph.vocab import ENGINE_BASE, SG, VOCABULARY_BASE

_CATALOG = ox.NamedNode(ENGINE_BASE + "catalog")
_VOCABULARY = ox.NamedNode(ENGINE_BASE + "vocabulary")
_FINGERPRINT, _STATEMENTS = ox.NamedNode(str(SG.fingerprint)), ox.NamedNode(str(SG.graphStatements))
_WRITTEN = ox.NamedNode(str(PROV.generatedAtTime))
_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass(frozen=True)
class Written:
    """What a write did: statements written (with the vocabulary), units re-validated, and how long that took."""

    statements: int
    validated: int
    validation_seconds: float


def open_graph(data: Sequence[Path] = (), store: "stores.Store | Path | Remote | None" = None) -> Dataset:
    """Open the graph a command reads.

    With ``store`` (a graph.engine.stores.Store, or what open_store takes),
    a snapshot of it, read-only (on disk, its generation is kept as long as
    the Dataset is open). Otherwise an in-memory store built, like any write,
    from ``data`` or the packaged dataset. Either way the reports of the gap
    rules are already in it. The default graph of the returned Dataset is the
    union of its named graphs.
    """
    if store is not None and data:
        raise GraphSourceError("give either files or a store to read, not both")
    if store is not None:
        return stores.open_store(store).open()
    return in_memory(read_files(data or files.dataset_files()))


def strategy_unit(ds: Dataset, strategy: URIRef) -> Graph | None:
    """What a view of one strategy reads, from a graph with kept reports: its unit's graphs, the descriptions of the
    shared references they cite, and the vocabulary, as one graph. None if no kept report covers ``strategy``.

    The graphs are those the reports of the units covering it (sg:covers) were made from (sg:inputGraph): a
    few thousand statements read by graph, whatever else the store holds.
    """
    from graph.engine import units  # what a unit holds and cites is known there

    if not isinstance(ds.store, OxigraphStore):
        return None
    source = oxigraph(ds)
    statements = units.unit_statements(source, str(strategy))
    if statements is None:
        return None
    vocabulary_graphs = sorted(g for g in source.named_graphs() if g.value.startswith(VOCABULARY_BASE))
    statements += [q.triple for g in vocabulary_graphs for q in source.quads_for_pattern(None, None, None, g)]
    graph = Graph()
    graph += (rdflib_term(t) for t in statements)
    return graph


def write(store: "stores.Store | Path | Remote", staged: Dataset, replacing: Iterable[URIRef] = (), progress=None,
          check: Callable[[Dataset], bool] | None = None) -> Written | None:
    """Write ``staged`` into ``store`` (a folder: created if missing, written as a new generation; or a server).

    The named graphs ``staged`` holds, and those in ``replacing``, are replaced
    whole; the vocabulary is replaced by the packaged one. ``check``, if given,
    sees the written graph with its new reports (of a server: the part the
    write read or wrote, with their reports) before it is published, and
    publishes it by returning True; otherwise, and after any error, the store
    is exactly as it was and None is returned.
    """
    return stores.open_store(store).write(lambda target: write_into(target, staged, replacing, progress),
                                          None if check is None else lambda written: check(as_dataset(written)),
                                          oxigraph(staged))


def in_memory(staged: Dataset, base: Dataset | None = None, replacing: Iterable[URIRef] = ()) -> Dataset:
    """``staged`` written into ``base`` (an in-memory graph from open_graph; a new one with the vocabulary if None)."""
    target = oxigraph(base) if base is not None else ox.Store()
    write_into(target, staged, replacing)
    return base if base is not None else as_dataset(target)


def load(store: "stores.Store | Path | Remote", paths: Sequence[Path], graph: URIRef | None = None, progress=None) -> Written:
    """Parse files (all of them, before anything is written) and write them into the store."""
    if graph is not None and not is_iri(graph):
        raise GraphSourceError(f"{str(graph)!r}: a graph's name must be an absolute IRI, such as https://example.org/graph/mine")
    paths = list(paths)
    with (progress(total=len(paths), desc="parsing", unit="file") if progress else nullcontext()) as bar:
        staged = read_files(_counted(paths, bar), graph)
    return cast(Written, write(store, staged, progress=progress))  # with no check, a write returns what it did


def _counted(paths, bar):
    for path in paths:
        yield path
        if bar is not None:
            bar.update()


def write_into(target: QuadStore, staged: Dataset, replacing: Iterable[URIRef] = (), progress=None) -> Written:
    """Apply a staged change to an Oxigraph store, and re-validate what it touched."""
    from graph.engine import units  # the validator: a command that reads a store never loads it

    derive(staged)  # each rule works graph by graph, so the staged graphs are final
    inner = oxigraph(staged)
    quads, vocabulary_digest = vocabulary()
    # What every kept report was validated with: a change to any of it re-validates every unit.
    digest = f"{vocabulary_digest} {units.validated_with()}"
    written = {g.value for g in inner.named_graphs()}
    units.prepare(len(written))
    replaced = written | {str(g) for g in replacing}
    changed = set(replaced)
    if _catalog_value(target, _VOCABULARY, _FINGERPRINT) != digest:
        changed |= {g.value for g in target.named_graphs() if units.is_data_graph(g)}
    described = units.described_before(target, inner, replaced)
    recorded = _catalog_value(target, _CATALOG, _STATEMENTS)
    last_change = _catalog_value(target, _CATALOG, _WRITTEN)
    # A store written before the counts were recorded is counted once.
    counts = json.loads(recorded) if recorded is not None else _statements_by_graph(target)
    by_vocabulary_graph = Counter(q.graph_name.value for q in quads)  # type: ignore[union-attr]  # pyoxigraph types any term or graph name; these are IRIs or literals
    counts = {g: n for g, n in counts.items() if g not in replaced and g not in by_vocabulary_graph}
    counts.update(by_vocabulary_graph)
    counts.update(_statements_by_graph(inner))
    for graph in sorted(replaced) + sorted(by_vocabulary_graph):
        target.remove_graph(ox.NamedNode(graph))
    target.remove_graph(_CATALOG)
    statements = len(inner)
    target.extend(quads)
    target.add(ox.Quad(_VOCABULARY, _FINGERPRINT, ox.Literal(digest), _CATALOG))
    target.add(ox.Quad(_CATALOG, _STATEMENTS, ox.Literal(json.dumps(counts, sort_keys=True)), _CATALOG))

    def read(graph: str) -> list[ox.Quad]:
        source = inner if graph in written else target
        return list(source.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    refreshed = units.refresh(target, changed, read, progress, pending=inner, described=described)
    # When the graph last changed: what a viewer of a remote server watches for (a store on disk has its
    # generations). A write that re-validated nothing and left every count as it was changed nothing.
    if last_change is None or refreshed.validated or recorded != json.dumps(counts, sort_keys=True):
        last_change = datetime.datetime.now(datetime.UTC).isoformat()
    target.add(ox.Quad(_CATALOG, _WRITTEN, ox.Literal(last_change, datatype=ox.NamedNode(str(XSD.dateTime))), _CATALOG))
    return Written(statements + len(quads), refreshed.validated, refreshed.seconds)


def statement_counts(ds: Dataset) -> dict[str, int]:
    """Statements per named graph (the engine's own graphs aside), as the last write recorded them.

    A store written before the counts were recorded is counted.
    """
    recorded = _catalog_value(oxigraph(ds), _CATALOG, _STATEMENTS)
    return json.loads(recorded) if recorded is not None else _statements_by_graph(oxigraph(ds))


def written_in(store: QuadSource) -> datetime.datetime | None:
    """When a write last changed the graph in ``store`` (Oxigraph's, or a server's reader), as its catalog records it;
    None for a graph never written so. One query."""
    recorded = _catalog_value(store, _CATALOG, _WRITTEN)
    return datetime.datetime.fromisoformat(recorded) if recorded is not None else None


def _statements_by_graph(source: QuadSource) -> dict[str, int]:
    """Statements per named graph, counted (the engine's own graphs aside)."""
    return {row["g"].value: int(row["n"].value) for row in source.query(_COUNTS)
            if not row["g"].value.startswith(ENGINE_BASE)}


def _catalog_value(target: QuadSource, subject: ox.NamedNode, predicate: ox.NamedNode) -> str | None:
    """What the store's catalog graph records of ``subject``: what its reports were validated with, or its counts."""
    for quad in target.quads_for_pattern(subject, predicate, None, _CATALOG):
        return quad.object.value  # type: ignore[union-attr]  # pyoxigraph types any term or graph name; these are IRIs or literals
    return None
