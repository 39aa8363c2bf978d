"""The engine's two doors: open a graph to read, and write a change.

Every write goes through ``write``: the input is staged and checked in memory,
the rules run on it, and it lands in a new generation of the store together
with the re-validated reports of the units it touched (graph.engine.units);
then the generation is flushed and published whole (graph.engine.snapshots).
A read of a store opens its live generation read-only and validates nothing;
files read without a store are written into an in-memory store first, like any write.
"""

import datetime
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.namespace import PROV, XSD

from graph import files
from graph.engine import snapshots
from graph.engine.remote import Remote, RemoteError, RemoteStore, connect
from graph.engine.store import SKOLEM, GraphSourceError, as_dataset, derive, is_iri, read_files, vocabulary
from graph.vocab import ENGINE_BASE, SG

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


class StoreGraph(Dataset):
    """A view of one generation of a store; the generation is kept on disk until the view is closed."""

    reader: snapshots.Reader

    def close(self, commit_pending_transaction: bool = False) -> None:
        """Close the view and let the generation go."""
        super().close(commit_pending_transaction)
        self.reader.close()


def open_graph(data: Sequence[Path] = (), store: Path | Remote | None = None) -> Dataset:
    """Open the graph a command reads.

    With ``store``, the live generation of that store, read-only (the reader
    stays open, and the generation kept, as long as the Dataset is); or, for
    a Remote, the server's graph, read through the protocol. Otherwise
    an in-memory store built, like any write, from ``data`` or the packaged
    dataset. Either way the reports of the gap rules are already in it. The
    default graph of the returned Dataset is the union of its named graphs.
    """
    if store is not None and data:
        raise GraphSourceError("give either --data files or --store (or --remote), not both")
    if isinstance(store, Remote):
        return as_dataset(connect(store))
    if store is not None:
        reader = snapshots.Reader(store)
        ds = as_dataset(reader.store, StoreGraph)
        ds.reader = reader
        return ds
    return in_memory(read_files(data or files.dataset_files()))


def write(store: Path | Remote, staged: Dataset, replacing: Iterable[URIRef] = (), progress=None,
          check: Callable[[Dataset], bool] | None = None) -> Written | None:
    """Write ``staged`` into the store at ``store`` (created if missing) as a new generation, or into a Remote.

    The named graphs ``staged`` holds, and those in ``replacing``, are replaced
    whole; the vocabulary is replaced by the packaged one. ``check``, if given,
    sees the written graph with its new reports before it is published, and
    publishes it by returning True; otherwise, and after any error, the store
    is exactly as it was and None is returned.
    """
    if isinstance(store, Remote):
        return _write_remote(store, staged, replacing, progress, check)
    return snapshots.rewrite(store, lambda target: write_into(target, staged, replacing, progress),
                             None if check is None else lambda written: check(as_dataset(written)))


def _write_remote(remote: Remote, staged: Dataset, replacing: Iterable[URIRef], progress,
                  check: Callable[[Dataset], bool] | None) -> Written | None:
    """A write into a server: made in memory on a copy of what it holds, then sent as one SPARQL Update.

    The update drops and re-inserts each graph the write changed (data,
    vocabulary, kept reports, catalog), so a server that runs a request as
    one transaction (Oxigraph, Fuseki) has the whole change or none of it.
    """
    copy = ox.Store()
    copy.bulk_extend(connect(remote))
    read_at = written_at(as_dataset(copy))
    before = _graphs(copy)
    written = write_into(copy, staged, replacing, progress)
    if check is not None and not check(as_dataset(copy)):
        return None
    after = _graphs(copy)
    changed = sorted(g for g in before.keys() | after.keys() if before.get(g) != after.get(g))
    # A server has no write lock: a change made since the copy was read would be lost under this one.
    if written_at(remote) != read_at:
        raise RemoteError(f"{remote.query_url}: the graph was changed by another write while this one was being "
                          "made; nothing was written: run the command again")
    if changed and remote.store_url:
        _put_in_place(remote, changed, after)
    elif changed:
        remote.update(_replacing(changed, after))
    return written


def _put_in_place(remote: Remote, changed: list[str], after: dict[str, frozenset]) -> None:
    """A change too large for one update request (Virtuoso's, say): each new graph is put, by the Graph Store
    Protocol, under a staging name of the engine's; then one update request moves them all in place.

    Until that request the live graphs are untouched; if a put fails, the staged graphs are dropped again.
    The staged graphs are in the server's union default graph meanwhile.
    """
    run = uuid.uuid4().hex
    staged = {g: f"{ENGINE_BASE}staging/{run}/{hashlib.sha1(g.encode()).hexdigest()[:20]}" for g in changed if g in after}
    try:
        for graph, staging in staged.items():
            remote.put_graph(staging, ox.serialize(_skolemised(graph, after[graph]), format=ox.RdfFormat.N_TRIPLES))
    except GraphSourceError:
        try:
            remote.update(" ;\n".join(f"DROP SILENT GRAPH <{s}>" for s in staged.values()))
        except GraphSourceError:
            pass  # the first error is the one to report; what is left is under the engine's staging names
        raise
    remote.update(" ;\n".join(f"MOVE SILENT GRAPH <{staged[g]}> TO GRAPH <{g}>" if g in staged else f"DROP SILENT GRAPH <{g}>"
                               for g in changed))


def _skolemised(graph: str, triples) -> list[ox.Triple]:
    """A graph's triples, as written to a server: the engine's own graphs with their blank nodes skolemised (see _replacing)."""
    if not graph.startswith(ENGINE_BASE):
        return list(triples)
    skolem = lambda n: ox.NamedNode(SKOLEM + n.value) if type(n) is ox.BlankNode else n
    return [ox.Triple(skolem(t.subject), t.predicate, skolem(t.object)) for t in triples]


def _replacing(changed: list[str], after: dict[str, frozenset]) -> str:
    """One SPARQL Update that drops each graph of ``changed`` and inserts what ``after`` holds in it.

    Virtuoso refuses blank nodes in INSERT DATA and compiles a large INSERT
    template past its limits, so: triples without blank nodes go in INSERT
    DATA, those with them in an INSERT template (the same in SPARQL 1.1: one
    label, one node). The engine's own graphs (kept reports, whose results are
    blank nodes by the hundred) have their blank nodes skolemised instead
    (RDF 1.1's .well-known/genid/ IRIs): they are read only by the engine.
    """
    blank = lambda t: type(t.subject) is ox.BlankNode or type(t.object) is ox.BlankNode
    plain: dict[str, list] = {}
    template: dict[str, list] = {}
    for g in changed:
        for t in _skolemised(g, after.get(g, ())):
            (template if blank(t) else plain).setdefault(g, []).append(t)
    block = lambda graphs: "".join(f"GRAPH <{g}> {{\n{ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES).decode()}}}\n"
                                   for g, ts in sorted(graphs.items()))
    text = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in changed)
    text += "INSERT DATA {\n" + block(plain) + "}"
    if template:
        text += " ;\nINSERT {\n" + block(template) + "} WHERE {}"
    return text


def _graphs(store: ox.Store) -> dict[str, frozenset]:
    """Each named graph's triples."""
    found: dict[str, set] = {}
    for q in store:
        found.setdefault(q.graph_name.value, set()).add(q.triple)
    return {g: frozenset(triples) for g, triples in found.items()}


def in_memory(staged: Dataset, base: Dataset | None = None, replacing: Iterable[URIRef] = ()) -> Dataset:
    """``staged`` written into ``base`` (an in-memory graph from open_graph; a new one with the vocabulary if None)."""
    target = base.store._inner if base is not None else ox.Store()
    write_into(target, staged, replacing)
    return base if base is not None else as_dataset(target)


def load(store: Path | Remote, paths: Sequence[Path], graph: URIRef | None = None, progress=None) -> Written:
    """Parse files (all of them, before anything is written) and write them into the store."""
    if graph is not None and not is_iri(graph):
        raise GraphSourceError(f"--graph {str(graph)!r}: expected an absolute IRI, such as https://example.org/graph/mine")
    paths = list(paths)
    with (progress(total=len(paths), desc="parsing", unit="file") if progress else nullcontext()) as bar:
        staged = read_files(_counted(paths, bar), graph)
    return write(store, staged, progress=progress)


def _counted(paths, bar):
    for path in paths:
        yield path
        if bar is not None:
            bar.update()


def write_into(target: ox.Store, staged: Dataset, replacing: Iterable[URIRef] = (), progress=None) -> Written:
    """Apply a staged change to an Oxigraph store, and re-validate what it touched."""
    from graph.engine import units  # the validator: a command that reads a store never loads it

    derive(staged)  # each rule works graph by graph, so the staged graphs are final
    inner = staged.store._inner
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
    by_vocabulary_graph = Counter(q.graph_name.value for q in quads)
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
        last_change = datetime.datetime.now(datetime.timezone.utc).isoformat()
    target.add(ox.Quad(_CATALOG, _WRITTEN, ox.Literal(last_change, datatype=ox.NamedNode(str(XSD.dateTime))), _CATALOG))
    return Written(statements + len(quads), refreshed.validated, refreshed.seconds)


def statement_counts(ds: Dataset) -> dict[str, int]:
    """Statements per named graph (the engine's own graphs aside), as the last write recorded them.

    A store written before the counts were recorded is counted.
    """
    recorded = _catalog_value(ds.store._inner, _CATALOG, _STATEMENTS)
    return json.loads(recorded) if recorded is not None else _statements_by_graph(ds.store._inner)


def written_at(source: Dataset | Remote) -> datetime.datetime | None:
    """When a write last changed the graph, as its catalog records it; None for a graph never written so.

    A Remote is asked directly, in one query: a viewer asks every few seconds.
    """
    store = RemoteStore(source) if isinstance(source, Remote) else source.store._inner
    recorded = _catalog_value(store, _CATALOG, _WRITTEN)
    return datetime.datetime.fromisoformat(recorded) if recorded is not None else None


def _statements_by_graph(source: ox.Store) -> dict[str, int]:
    """Statements per named graph, counted (the engine's own graphs aside)."""
    return {row["g"].value: int(row["n"].value) for row in source.query(_COUNTS)
            if not row["g"].value.startswith(ENGINE_BASE)}


def _catalog_value(target: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> str | None:
    """What the store's catalog graph records of ``subject``: what its reports were validated with, or its counts."""
    for quad in target.quads_for_pattern(subject, predicate, None, _CATALOG):
        return quad.object.value
    return None
