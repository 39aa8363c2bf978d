"""Where the graph is kept: the ``Store`` protocol, and its two kinds.

``LocalStore`` is a store folder on disk, whose generations are published
whole (graph.engine.snapshots); ``RemoteStore`` is a SPARQL 1.1 server,
read and written through the protocols (graph.engine.remote). Each opens a
snapshot, writes a change, names its version, and makes a query service; a
command or the viewer holds a ``Store`` and never asks which kind it is.
A server with quirks of its own is a subclass of ``RemoteStore`` that keeps
them (``VirtuosoStore``).
"""

import contextlib
import datetime
import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox
from rdflib import Dataset

from graph.engine import graphs, snapshots
from graph.engine.remote import (
    Remote,
    RemoteError,
    RunawayCheck,
    ServerReader,
    check_runaways,
    connect,
)
from graph.engine.store import SKOLEM, GraphSourceError, QuadStore, as_dataset, serialized
from graph.vocab import ENGINE_BASE

T = TypeVar("T")
Change = Callable[[QuadStore], T]


@dataclass(frozen=True)
class Version:
    """What names a store's state: a generation's folder, or a server's last write; and when it was written (None:
    never, by strategy-graph). A query service answers from the state its ``name`` names."""

    name: Path | str
    written: datetime.datetime | None


class Snapshot(Dataset):
    """A read-only view of a store in one state (``version``); a generation on disk is kept until it is released."""

    version: Version
    _release: Callable[[], None] = staticmethod(lambda: None)

    def release(self) -> None:
        """Let the state go: a later write may delete its generation. The view is not read after this."""
        self._release()

    def close(self, commit_pending_transaction: bool = False) -> None:
        """Close the view and let the state go."""
        super().close(commit_pending_transaction)
        self.release()


class Store(Protocol):
    """A store of the graph: str() names it (its folder, or its server's query URL) in a message."""

    def open(self) -> Snapshot:
        """A read-only snapshot of the store as it is now; GraphSourceError if there is none."""

    def write(self, change: Change, check: Callable[[QuadStore], bool] | None = None,
              touching: Iterable[ox.Quad] = ()) -> T | None:
        """Apply ``change`` to the store's graph and publish it whole, returning what ``change`` returned.

        ``check``, if given, sees what was written (at least every graph the
        change read or wrote, with their kept reports) and publishes it by
        returning True; otherwise, and after any error, the store is exactly as
        it was and None is returned. ``touching``: statements the change adds,
        whose subjects and objects it looks up (a server is asked for them in a
        few requests, not one at a time).
        """

    def version(self) -> Version | None:
        """What names the store's state now; None if nothing was ever written to it."""

    def query_service(self, settings: dict | None = None):
        """A query service (graph.engine.workers.QueryService's interface) over this store's snapshots."""

    def exists(self) -> bool:
        """Whether there is a store to open (a server always is): else a write creates one."""

    def occupied(self) -> str | None:
        """What is in the way of starting a new graph here, in words; None if nothing is."""

    def runaway_probe(self) -> Callable[[float], RunawayCheck] | None:
        """A probe of whether the store stops a query that runs past a time limit; None if the engine stops it itself."""


class LocalStore:
    """A store folder on disk, with its generations (graph.engine.snapshots); answered by the engine's query workers."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.path)!r})"

    def open(self) -> Snapshot:
        reader = snapshots.Reader(self.path)
        ds = as_dataset(reader.store, Snapshot)
        ds.version = Version(reader.generation.path, reader.generation.written)
        ds._release = reader.close
        return ds

    def write(self, change: Change, check: Callable[[QuadStore], bool] | None = None,
              touching: Iterable[ox.Quad] = ()) -> T | None:
        return snapshots.rewrite(self.path, change, check)

    def version(self) -> Version | None:
        generation = snapshots.live(self.path)
        return None if generation is None else Version(generation.path, generation.written)

    def query_service(self, settings: dict | None = None):
        from graph.engine.workers import QueryService

        return QueryService(settings)

    def exists(self) -> bool:
        return self.path.exists()

    def occupied(self) -> str | None:
        if self.path.exists() and any(self.path.iterdir()):
            return "already exists and is not empty; choose a new folder"
        return None

    def runaway_probe(self) -> None:
        return None  # the query workers are killed at the time limit


class RemoteStore:
    """A SPARQL 1.1 server as the store: read through the protocol, written with one SPARQL Update request.

    A write sends what it changed, graph by graph: it reads from the server
    only what it looks at (graph.engine.stores._Overlay), and the update drops
    and re-inserts each graph it changed, so a server that runs a request as
    one transaction (Oxigraph, Fuseki) has the whole change or none of it.
    """

    def __init__(self, remote: Remote):
        self.remote = remote

    def __str__(self) -> str:
        return self.remote.query_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.remote.query_url!r})"

    def open(self) -> Snapshot:
        reader = connect(self.remote)
        ds = as_dataset(reader, Snapshot)
        ds.version = _version(graphs.written_in(reader))
        return ds

    def version(self) -> Version:
        return _version(graphs.written_in(ServerReader(self.remote)))

    def query_service(self, settings: dict | None = None):
        from graph.engine.remote_queries import RemoteQueryService

        return RemoteQueryService(self.remote, settings)

    def exists(self) -> bool:
        return True

    def occupied(self) -> str | None:
        if self.version().written is None:
            return None
        return "already holds a strategy graph; `load` adds to it, `init` starts a new one"

    def runaway_probe(self) -> Callable[[float], RunawayCheck]:
        return lambda seconds: check_runaways(self.remote, seconds)

    def write(self, change: Change, check: Callable[[QuadStore], bool] | None = None,
              touching: Iterable[ox.Quad] = ()) -> T | None:
        server = connect(self.remote)
        read_at = graphs.written_in(server)
        target = _Overlay(server, touching)
        result = change(target)
        if check is not None and not check(target.seen()):
            return None
        changed = target.changed()
        # A server has no write lock: a change made since the write began would be lost under this one.
        if graphs.written_in(server) != read_at:
            raise RemoteError(f"{self.remote.query_url}: the graph was changed by another write while this one was being "
                              "made; nothing was written: run the command again")
        if changed:
            self._send(changed)
        return result

    def _send(self, changed: dict[str, list[ox.Triple]]) -> None:
        """Replace each graph of ``changed`` (empty: dropped) with its triples, in one update request."""
        self.remote.update(_replacing(changed))


class VirtuosoStore(RemoteStore):
    """Virtuoso, with its quirks; chosen by a Graph Store Protocol endpoint, which only it needs.

    It refuses a large update (it compiles each into SQL, past its limits): a
    write puts each changed graph, by the Graph Store Protocol, under a staging
    name of the engine's; then one update request moves them all in place.
    Until that request the live graphs are untouched; if a put fails, the staged
    graphs are dropped again. The staged graphs are in the server's union
    default graph meanwhile. And it cuts every answer at its ResultSetMaxRows,
    saying nothing: a write first asks for an answer as large as the store, and
    is refused if that is cut, rather than made from part of what it read.
    """

    def write(self, change: Change, check: Callable[[QuadStore], bool] | None = None,
              touching: Iterable[ox.Quad] = ()) -> T | None:
        connect(self.remote).refuse_a_cut_answer()
        return super().write(change, check, touching)

    def _send(self, changed: dict[str, list[ox.Triple]]) -> None:
        run = uuid.uuid4().hex
        staged = {g: f"{ENGINE_BASE}staging/{run}/{hashlib.sha1(g.encode()).hexdigest()[:20]}"
                  for g, triples in changed.items() if triples}
        try:
            for graph, staging in staged.items():
                self.remote.put_graph(staging, serialized(changed[graph], ox.RdfFormat.N_TRIPLES))
        except GraphSourceError:
            # The first error is the one to report; what is left is under the engine's staging names.
            with contextlib.suppress(GraphSourceError):
                self.remote.update(" ;\n".join(f"DROP SILENT GRAPH <{s}>" for s in staged.values()))
            raise
        self.remote.update(" ;\n".join(f"MOVE SILENT GRAPH <{staged[g]}> TO GRAPH <{g}>" if g in staged
                                       else f"DROP SILENT GRAPH <{g}>" for g in sorted(changed)))


def _version(written: datetime.datetime | None) -> Version:
    return Version(f"remote@{written.isoformat() if written else 'never written'}", written)


def open_store(source: "Store | Path | str | Remote") -> Store:
    """The Store that ``source`` names: a store folder's path, or a Remote (with a Graph Store Protocol endpoint,
    which only Virtuoso needs: a VirtuosoStore); a Store is itself."""
    if isinstance(source, Remote):
        return VirtuosoStore(source) if source.store_url else RemoteStore(source)
    if isinstance(source, (Path, str)):
        return LocalStore(Path(source))
    return source



def _skolemised(graph: str, triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """A graph's triples, as written to a server: the engine's own graphs with their blank nodes skolemised (see _replacing)."""
    if not graph.startswith(ENGINE_BASE):
        return list(triples)
    skolem = lambda n: ox.NamedNode(SKOLEM + n.value) if type(n) is ox.BlankNode else n
    return [ox.Triple(skolem(t.subject), t.predicate, skolem(t.object)) for t in triples]


def _replacing(changed: dict[str, list[ox.Triple]]) -> str:
    """One SPARQL Update that drops each graph of ``changed`` and inserts its triples.

    Triples without blank nodes go in INSERT DATA, those with them in an
    INSERT template (the same in SPARQL 1.1: one label, one node), because
    Virtuoso refuses blank nodes in INSERT DATA and compiles a large INSERT
    template past its limits. The engine's own graphs (kept reports, whose
    results are blank nodes by the hundred) have their blank nodes skolemised
    instead (RDF 1.1's .well-known/genid/ IRIs): they are read only by the engine.
    """
    blank = lambda t: type(t.subject) is ox.BlankNode or type(t.object) is ox.BlankNode
    plain: dict[str, list] = {}
    template: dict[str, list] = {}
    for g, triples in changed.items():
        for t in triples:
            (template if blank(t) else plain).setdefault(g, []).append(t)
    block = lambda graphs: "".join(f"GRAPH <{g}> {{\n{serialized(ts, ox.RdfFormat.N_TRIPLES).decode()}}}\n"
                                   for g, ts in sorted(graphs.items()))
    text = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in sorted(changed))
    text += "INSERT DATA {\n" + block(plain) + "}"
    if template:
        text += " ;\nINSERT {\n" + block(template) + "} WHERE {}"
    return text


# Nodes looked up on a server in one request.
_BATCH = 1000


class _Overlay:
    """What a write into a server writes into: the server's graph as it is, with the write's changes kept here.

    A graph the write reads whole, or changes, is fetched once and then held
    here; a pattern across graphs is answered by the server for the graphs not
    held (each node's statements asked for once, those of many nodes in one
    request) and from here for those held. SPARQL cannot name a blank node
    of the server's: a pattern on one is answered from the graphs held.
    ``query`` is the server's answer: the write asks only of graphs it has not
    yet changed (the counts, the kept reports before any is replaced).
    """

    def __init__(self, server: ServerReader, touching: Iterable[ox.Quad]):
        self.server = server
        self.local = ox.Store()
        self.held: set[str] = set()
        self.before: dict[str, frozenset | None] = {}  # what the server holds in each graph held (None: not read)
        self.graphs = {g.value for g in server.named_graphs()}
        self._about: dict = {}  # node: the server's quads with it as subject
        self._citing: dict = {}  # node: the server's quads with it as object
        if self.graphs:
            from graph.engine import units

            touching = list(touching)
            self._fetch({n for q in touching for n in (q.subject, q.object)}, "s", self._about)
            # What cites the things the change describes: how units join. Not for shared references (a data set that
            # every strategy's values cite): those never join units, and are looked up one by one if ever.
            shared = {q.subject for q in touching if q.predicate == units._TYPE and q.object in units.shared_classes()}
            self._fetch({q.subject for q in touching} - shared, "o", self._citing)

    def _fetch(self, nodes: Iterable, position: str, into: dict) -> None:
        """The server's quads with each of ``nodes`` in ``position`` ("s" or "o"), into ``into``, in few requests."""
        todo = sorted({n for n in nodes if type(n) is ox.NamedNode and n not in into}, key=lambda n: n.value)
        for start in range(0, len(todo), _BATCH):
            batch = todo[start:start + _BATCH]
            for node in batch:
                into[node] = []
            values = " ".join(str(n) for n in batch)
            rows = self.server.remote.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?{position} {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
            for row in rows:
                quad = ox.Quad(row["s"], row["p"], row["o"], row["g"])
                into[row[position]].append(quad)

    def _hold(self, graph: str) -> None:
        """Have ``graph`` here, whole, as the server holds it."""
        if graph in self.held:
            return
        self.held.add(graph)
        if graph in self.graphs:
            name = ox.NamedNode(graph)
            quads = list(self.server.quads_for_pattern(None, None, None, name))
            self.before[graph] = frozenset(q.triple for q in quads)
            self.local.extend(quads)
        else:
            self.before[graph] = frozenset()

    def _server(self, subject, predicate, object) -> Iterator[ox.Quad]:
        """The server's quads that match, in graphs not held here."""
        if type(subject) is ox.BlankNode or type(object) is ox.BlankNode:
            return iter(())  # a blank node of the server's cannot be named in a query
        if type(subject) is ox.NamedNode:
            self._fetch([subject], "s", self._about)
            found = self._about[subject]
        elif type(object) is ox.NamedNode:
            self._fetch([object], "o", self._citing)
            found = self._citing[object]
            if predicate is not None:  # the things of a kind are each looked up next: all of them in a few requests
                self._fetch({q.subject for q in found}, "s", self._about)
        else:
            found = self.server.quads_for_pattern(subject, predicate, object)
        return (q for q in found if q.graph_name.value not in self.held
                and (predicate is None or q.predicate == predicate) and (object is None or q.object == object))

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterator[ox.Quad]:
        if graph_name is not None:
            if type(graph_name) is ox.NamedNode:
                self._hold(graph_name.value)
            return self.local.quads_for_pattern(subject, predicate, object, graph_name)
        if not self.graphs:
            return self.local.quads_for_pattern(subject, predicate, object)
        return iter([*self._server(subject, predicate, object), *self.local.quads_for_pattern(subject, predicate, object)])

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        found = {g for g in self.graphs if g not in self.held} | {g.value for g in self.local.named_graphs()}
        return iter(ox.NamedNode(g) for g in sorted(found))

    def query(self, query: str, **options):
        return self.server.query(query, **options)

    def remove_graph(self, graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> None:
        graph = graph_name.value  # type: ignore[union-attr]  # the engine removes named graphs only
        self.held.add(graph)
        self.before.setdefault(graph, None)
        self.local.remove_graph(graph_name)

    def add(self, quad: ox.Quad) -> None:
        self.extend([quad])

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        quads = list(quads)
        for graph in {q.graph_name.value for q in quads}:  # type: ignore[union-attr]  # pyoxigraph types any term or graph name; these are IRIs or literals
            self._hold(graph)
        self.local.extend(quads)

    bulk_extend = extend

    def load(self, input: bytes, format: ox.RdfFormat) -> None:
        self.extend(ox.parse(input, format=format))

    bulk_load = load

    def seen(self) -> ox.Store:
        """What the write read or wrote, with the kept reports of the data graphs among it, as one store."""
        from graph.engine import units

        held = {g for g in self.held if units.is_data_graph(ox.NamedNode(g))}
        for kept in units.kept(self.server).values():
            if kept.graphs & held and kept.report.value not in self.held:
                self._hold(kept.report.value)
        return self.local

    def changed(self) -> dict[str, list[ox.Triple]]:
        """Each graph the write changed, with its triples as they are to be sent (none: dropped)."""
        after = {g: _skolemised(g, (q.triple for q in self.local.quads_for_pattern(None, None, None, ox.NamedNode(g))))
                 for g in self.held}
        unknown = [g for g in after if self.before.get(g) is None and g in self.graphs]
        if unknown:  # removed unread: read now only those whose count is unchanged
            names = " ".join(f"<{g}>" for g in unknown)
            counts = {row["g"].value: int(row["n"].value) for row in self.server.remote.query(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")}
            for g in unknown:
                same_size = counts.get(g, 0) == len(after[g])
                self.before[g] = (frozenset(q.triple for q in self.server.quads_for_pattern(None, None, None, ox.NamedNode(g)))
                                  if same_size and after[g] else None)
        return {g: triples for g, triples in after.items()
                if (self.before.get(g) or frozenset()) != frozenset(triples) or (self.before.get(g) is None and g in self.graphs)}
