"""Units of validation: the parts of a store that are validated, fingerprinted and kept together.

A unit is a set of named graphs joined by the things they share: a graph that
describes an outcome and a graph that links a work stream to it are one unit,
and so are two strategies that share a board, an indicator or a causal link.
Things that many strategies cite without being part of their logic (agents,
documents, data sets, descriptions of graphs: the classes the ontology marks
``sg:sharedReference``) do not join units; each unit that cites one is
validated with its description. Every unit is validated with the vocabulary.

Each unit's report is kept in the store, in a named graph of its own under
``REPORTS``, with a fingerprint of what its validation read, and with what
the unit rules (ontology/rules/unit/) derive from the unit before it is
validated: links that cross named graphs, such as an indicator's own area
(sg:ownArea), which the shapes and the views then read as one statement. A write
re-validates only the units it touched whose fingerprint changed; a read
never validates. A rule's result for a node can depend only on what its unit
holds, so the kept reports together are exactly the report of the whole graph
(tests/test_units.py compares them with pySHACL on the union).
"""

import datetime
import functools
import hashlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import queue
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import cast

import pyoxigraph as ox
from rdflib.namespace import PROV, RDF, SH, XSD

from graph import files
from graph.engine import reports, validation
from graph.engine.rules import ExtraRules, describe, packaged_rules, rule_of, shapes_digest, shapes_graph
from graph.engine.store import (
    SKOLEM,
    QuadSource,
    QuadStore,
    add_all,
    derive_into,
    files_digest,
    oxigraph,
    oxigraph_term,
    select_values,
    serialized,
    vocabulary,
)
from graph.engine.workers import context as process_context
from graph.vocab import ENGINE_BASE, SG, SPARQL_PREFIXES, VOCABULARY_BASE

REPORTS = reports.REPORTS
# Part of every fingerprint: raise it when what validation reports changes.
ENGINE_VERSION = "units-7"

_TYPE = ox.NamedNode(str(RDF.type))
_SHARED = ox.NamedNode(str(SG.sharedReference))
_FINGERPRINT, _INPUT, _COVERS = (ox.NamedNode(str(SG[n])) for n in ("fingerprint", "inputGraph", "covers"))
_GENERATED = ox.NamedNode(str(PROV.generatedAtTime))
_DATETIME = ox.NamedNode(str(XSD.dateTime))
# Where a unit's validation holds the descriptions of the shared references it cites.
_CITED = ox.NamedNode(ENGINE_BASE + "cited")
# Where it holds what the unit rules derive from its statements (an indicator's own area), before its report keeps them.
_DERIVED = ox.NamedNode(ENGINE_BASE + "derived")
_Q = SPARQL_PREFIXES + "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
_KEPT = _Q + """
SELECT ?report ?graph ?fingerprint WHERE {
  GRAPH ?report { ?report a sh:ValidationReport ; sg:fingerprint ?fingerprint ; sg:inputGraph ?graph }
  FILTER (STRSTARTS(STR(?report), "%s"))
}""" % REPORTS
# The same, of the units that hold one of the graphs given as VALUES: lookups by graph, not a scan of every report.
_KEPT_OF = _Q + """
SELECT ?report ?graph ?fingerprint WHERE {
  VALUES ?input { %%s }
  GRAPH ?report { ?report sg:inputGraph ?input }
  GRAPH ?report { ?report a sh:ValidationReport ; sg:fingerprint ?fingerprint ; sg:inputGraph ?graph }
  FILTER (STRSTARTS(STR(?report), "%s"))
}""" % REPORTS

# The input graphs of the units whose kept reports cover a strategy (its IRI, %s).
_COVERING = _Q + """
SELECT DISTINCT ?graph WHERE {
  GRAPH ?report { ?report sg:covers %%s ; sg:inputGraph ?graph }
  FILTER (STRSTARTS(STR(?report), "%s"))
}""" % REPORTS


def validated_with() -> str:
    """What a kept report depends on besides its unit's statements and the vocabulary.

    The shapes, the unit rules, this engine, and the day: a rule reads NOW() (a
    value is stale two years after its period ended), so a report made
    yesterday may be wrong today. The first write of a day validates every unit again.
    The day is UTC's, as the NOW() that a unit's validation is given (``_report``).
    """
    return f"{ENGINE_VERSION} {shapes_digest()} {_unit_rules_digest()} {_today()}"


@functools.cache
def _unit_rules_digest() -> str:
    return files_digest(files.unit_rules())


def _with_derived(data: ox.Store) -> ox.Store:
    """A unit's statements with what the unit rules (ontology/rules/unit/) derive from them, which the shapes read.

    Worked out only when the unit is validated, that is when its data changed,
    and kept with its report: reads never work them out.
    """
    derive_into(data, files.unit_rules(), _DERIVED)
    return data


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def is_data_graph(name) -> bool:
    """Whether a graph holds data: not the vocabulary, not the engine's own reports."""
    return isinstance(name, ox.NamedNode) and not name.value.startswith((VOCABULARY_BASE, ENGINE_BASE))


def report_graph(graphs: frozenset[str]) -> ox.NamedNode:
    """The named graph that keeps the report of the unit made of ``graphs``."""
    return ox.NamedNode(REPORTS + hashlib.sha1("\n".join(sorted(graphs)).encode()).hexdigest()[:24])


@functools.cache
def shared_classes() -> frozenset:
    """The classes whose instances do not join units (sg:sharedReference true in the vocabulary)."""
    return frozenset(q.subject for q in vocabulary()[0] if q.predicate == _SHARED and q.object.value == "true")  # type: ignore[union-attr]  # pyoxigraph types any term or graph name; these are IRIs or literals


def partition(quads: dict[str, list[ox.Quad]], shared: frozenset) -> list[frozenset[str]]:
    """The units the graphs of ``quads`` (graph: its quads) fall into: graphs joined by every thing described among them that is not a shared reference."""
    # Sets of each graph's nodes, not a loop over every statement: most statements join nothing.
    subjects = {g: {q.subject for q in qs} for g, qs in quads.items()}
    types: dict = defaultdict(set)
    for qs in quads.values():
        for q in qs:
            if q.predicate == _TYPE:
                types[q.subject].add(q.object)
    joining = set().union(*subjects.values()) - {node for node, kinds in types.items() if kinds <= shared}
    parent = {g: g for g in quads}

    def root(g):
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    seen: dict = {}
    for graph, qs in quads.items():
        for node in (subjects[graph] | {q.object for q in qs}) & joining:
            other = seen.setdefault(node, graph)
            if other != graph:
                parent[root(other)] = root(graph)
    units: dict = defaultdict(set)
    for g in parent:
        units[root(g)].add(g)
    return [frozenset(members) for members in units.values()]


@dataclass(frozen=True)
class Kept:
    """A unit whose report the store keeps."""

    report: ox.NamedNode
    graphs: frozenset[str]
    fingerprint: str


def kept(store: QuadSource, inputs: set[str] | None = None) -> dict[ox.NamedNode, Kept]:
    """The units whose reports ``store`` keeps, by report graph; with ``inputs``, only those of units holding one of them."""
    if inputs is None:
        query = _KEPT
    elif not inputs:
        return {}
    else:
        query = _KEPT_OF % " ".join(str(ox.NamedNode(g)) for g in sorted(inputs))
    graphs, prints = defaultdict(set), {}
    for row in store.query(query):
        graphs[row["report"]].add(row["graph"].value)
        prints[row["report"]] = row["fingerprint"].value
    return {r: Kept(r, frozenset(g), prints[r]) for r, g in graphs.items()}


def unit_statements(source: QuadSource, strategy: str) -> list[ox.Triple] | None:
    """What the validation of the units covering ``strategy`` (sg:covers) read, the vocabulary aside: their graphs,
    and the descriptions of the shared references they cite. None if no kept report covers it."""
    names = {row["graph"].value for row in source.query(_COVERING % ox.NamedNode(strategy))}
    if not names:
        return None
    quads = {g: list(source.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in sorted(names)}
    cited = _cited(_Lookup(source, None), frozenset(names), quads, shared_classes(), {})
    return [q.triple for qs in quads.values() for q in qs] + [q.triple for q in cited]


_UNITS = _Q + """
SELECT ?report ?strategy ?graph ?fingerprint WHERE {
  GRAPH ?report { ?report a sh:ValidationReport ; sg:fingerprint ?fingerprint ; sg:covers ?strategy ; sg:inputGraph ?graph }
  FILTER (STRSTARTS(STR(?report), "%s"))
}""" % REPORTS


@dataclass(frozen=True)
class Unit:
    """A kept unit as a reader sees it: its report's graph, the graphs it is made of, and their fingerprint."""

    report: str
    graphs: frozenset[str]
    fingerprint: str


def strategy_units(ds) -> dict[str, Unit]:
    """The kept unit that holds each strategy a kept report covers (sg:covers), by strategy IRI: one query for them all."""
    graphs, kept_as = defaultdict(set), {}
    for row in select_values(ds, _UNITS):
        graphs[row["strategy"]].add(row["graph"])
        kept_as[row["strategy"]] = (row["report"], row["fingerprint"])
    return {s: Unit(kept_as[s][0], frozenset(g), kept_as[s][1]) for s, g in graphs.items()}


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: units validated, and the seconds it took, the writing of the change and the reports included."""

    validated: int
    seconds: float


def described_before(store: QuadSource, staged: ox.Store, graphs: set[str]) -> dict:
    """Before a write: each shared reference that ``graphs`` describe, in ``store`` or ``staged``, with its description in ``store``.

    ``refresh`` compares it with the description after the write: a unit that
    cites a reference whose description changed is validated again, since its
    report was made with the old one.
    """
    shared = shared_classes()
    lookup = _Lookup(store, staged)
    # The nodes the written graphs describe, before and after: a lookup per graph, not a scan of every shared reference.
    nodes = {q.subject for g in graphs for q in lookup.quads_for_pattern(None, None, None, ox.NamedNode(g))}
    return {node: _description(store, node) for node in nodes
            if _is_shared(lookup, node, shared)
            and any(is_data_graph(q.graph_name) for kind in shared for q in lookup.quads_for_pattern(node, _TYPE, kind))}


def _description(source, node) -> frozenset:
    """What the data graphs state of ``node``, as triples: validation reads the union, so which graph says it does not matter."""
    return frozenset(q.triple for q in source.quads_for_pattern(node, None, None) if is_data_graph(q.graph_name))


def refresh(store: QuadStore, changed: set[str], read: Callable[[str], list[ox.Quad]], progress=None,
            pending: ox.Store | None = None, described: dict | None = None) -> Refreshed:
    """Re-validate, in ``store``, every unit that holds a graph of ``changed``, or cites a shared reference whose description changed.

    ``read(graph)`` gives a graph's quads (from the staged input where it has
    them, which is faster than reading them back from disk). ``pending``, if
    given, holds statements not yet in ``store``: they are read as part of it,
    and written into it with the new reports. Units the write did not
    touch keep their reports, and so does a touched unit whose fingerprint is
    unchanged. ``described`` is ``described_before`` of this write. Every unit
    is validated with the packaged vocabulary.
    """
    start = time.perf_counter()
    read = functools.cache(read)  # _linked reads the changed graphs too
    shared = shared_classes()
    lookup = _Lookup(store, pending)
    # Only the graphs the write names, and those it reaches, are looked at: none of the store's others.
    present = {g for g in changed if lookup.holds(g)}
    touched = present | _linked(lookup, present, read, shared)
    for node, before_write in (described or {}).items():
        if _description(lookup, node) != before_write:
            touched |= {q.graph_name.value for q in lookup.quads_for_pattern(None, None, node) if is_data_graph(q.graph_name)}  # type: ignore[union-attr]  # pyoxigraph types any term or graph name; these are IRIs or literals
    # A touched unit is touched whole: a write that removes a link can split it.
    before = kept(store, touched | changed)
    old = list(before.values())
    for stale in old:
        touched |= {g for g in stale.graphs if lookup.holds(g)}
    quads = {g: read(g) for g in touched}
    units = partition(quads, shared)
    work: list[tuple[frozenset[str], bytes, str]] = []
    descriptions: dict = {}
    for unit in units:
        statements = [q for g in unit for q in quads[g]] + _cited(lookup, unit, quads, shared, descriptions)
        dump = serialized(statements, ox.RdfFormat.N_QUADS)
        fingerprint = _fingerprint(dump)
        previous = before.get(report_graph(unit))
        if previous is None or previous.fingerprint != fingerprint:  # else its kept report stands
            work.append((unit, dump, fingerprint))
    # An old unit that is no longer one (split, merged or gone) loses its report.
    now_kept = {report_graph(u) for u in units}
    for stale in old:
        if stale.report not in now_kept:
            store.remove_graph(stale.report)
    now = datetime.datetime.now(datetime.UTC)

    batches = _start_validating(work, now)
    # The change is written while worker processes validate, if there are any.
    add_all(store, pending or (), len(pending or ()))
    with progress(total=len(work), desc="validating", unit="unit") if progress else nullcontext() as bar:
        made: list = []
        lines = 0
        for batch in batches:
            made += batch
            lines += sum(report.count(b"\n") for _, report in batch)
            if bar is not None:
                bar.update(len(batch))
            # A few large writes, most of them while the workers make the next reports.
            if lines >= _WRITE_EVERY:
                _write_reports(store, made, lines)
                made, lines = [], 0
        _write_reports(store, made, lines)
    seconds = time.perf_counter() - start
    return Refreshed(len(work), seconds)


class _Lookup:
    """A store and the statements pending for it, read as one."""

    def __init__(self, store: QuadSource, pending: ox.Store | None):
        self.stores = (store,) if pending is None else (store, pending)

    def quads_for_pattern(self, *pattern) -> Iterator[ox.Quad]:
        for store in self.stores:
            yield from store.quads_for_pattern(*pattern)

    def holds(self, graph: str) -> bool:
        """Whether a store holds a statement in ``graph``: one lookup, not a list of every graph."""
        name = ox.NamedNode(graph)
        return any(next(iter(store.quads_for_pattern(None, None, None, name)), None) is not None for store in self.stores)


# Below this many units, worker processes cost more to start than they save.
_POOL_FROM = 8

# Reports are written this many statements at a time, or fewer at the end.
_WRITE_EVERY = 25_000

Batches = Iterator[list[tuple[ox.NamedNode, bytes]]]


def prepare(graphs: int) -> None:
    """Before a write of ``graphs`` graphs: if its validation may want worker processes, start the fork server they come from.

    It imports the validator while the write is staged, not when the workers are wanted.
    """
    if graphs >= _POOL_FROM and (os.cpu_count() or 1) >= 2 and process_context().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


def _start_validating(work: list, now: datetime.datetime) -> Batches:
    """Start validating ``work`` (unit, its statements as N-Quads, fingerprint).

    The iterator returned gives each unit's report graph and kept report, as N-Quads.

    It gives them in batches: every report made since the last batch. With
    many units, and more than one core, worker processes start at once and
    validate while the caller goes on (writing the change: Oxigraph's bulk
    loader holds the GIL, and the workers need nothing from this process
    meanwhile). Otherwise each unit is validated here, a batch of one, as the
    iterator is read.
    """
    cores = os.cpu_count() or 1
    if len(work) < _POOL_FROM or cores < 2:
        return ([(report_graph(unit), _report(unit, dump, fingerprint, now))] for unit, dump, fingerprint in work)
    context = process_context()
    # Units are independent: a worker takes the next unclaimed one, by this shared counter.
    claimed = context.Value("i", 0)
    # Each unit's statements in one spool file, read by the worker that claims it: no worker holds them all.
    tasks, offset = [], 0
    with tempfile.NamedTemporaryFile(prefix="strategy-graph-units-", suffix=".nq", delete=False) as spool:
        for unit, dump, fingerprint in work:
            spool.write(dump)
            tasks.append((unit, offset, len(dump), fingerprint))
            offset += len(dump)
    ends, workers = [], []
    try:
        for _ in range(min(cores, len(work))):
            end, theirs = context.Pipe()
            worker = context.Process(target=_validating, args=(theirs, claimed), daemon=True)
            worker.start()
            theirs.close()
            ends.append(end)
            workers.append(worker)
            end.send((spool.name, tasks, now))
    except BaseException:
        _stop(workers, spool.name)
        raise
    return _reports_from(work, ends, workers, claimed, spool.name)


def _validating(connection, claimed) -> None:
    """In a worker process: validate unclaimed units until none is left, and send each report as soon as it is made.

    A thread sends, so a parent still busy writing never holds up the validation.
    """
    spool, tasks, now = connection.recv()
    outbox: queue.SimpleQueue = queue.SimpleQueue()
    sender = threading.Thread(target=lambda: [connection.send(m) for m in iter(outbox.get, None)])
    sender.start()
    try:
        with open(spool, "rb") as units:
            while True:
                with claimed.get_lock():
                    index, claimed.value = claimed.value, claimed.value + 1
                if index >= len(tasks):
                    break
                unit, offset, length, fingerprint = tasks[index]
                outbox.put((index, _report(unit, os.pread(units.fileno(), length, offset), fingerprint, now)))
    except Exception as error:  # noqa: BLE001 — any error: the parent raises it, and the write fails
        outbox.put((-1, error))
    finally:
        outbox.put(("done", None))
        outbox.put(None)
        sender.join()


def _reports_from(work: list, ends: list, workers: list, claimed, spool: str) -> Batches:
    """The reports the workers send, in batches as they arrive; raises the error of a worker that failed, or stopped.

    ``claimed`` is held until the workers end: a started process lets go of
    its arguments, and a worker still starting needs the counter's semaphore.
    """
    try:
        received, waiting = 0, list(ends)
        while waiting:
            batch = []
            ready = cast(list[Connection], multiprocessing.connection.wait(waiting))
            while ready:
                for end in ready:
                    try:
                        index, report = end.recv()
                    except (EOFError, OSError):  # the worker is gone: what it had not sent is missing
                        index = "done"
                    if index == "done":
                        waiting.remove(end)
                    elif index == -1:
                        raise report
                    else:
                        batch.append((report_graph(work[index][0]), report))
                ready = cast(list[Connection], multiprocessing.connection.wait(waiting, timeout=0)) if waiting else []
            received += len(batch)
            if batch:
                yield batch
        if received < len(work):
            codes = ", ".join(str(w.exitcode) for w in workers)
            raise RuntimeError(f"validation stopped: a worker process ended with {len(work) - received} unit(s) "
                               f"not validated (exit codes {codes})")
    finally:
        _stop(workers, spool)


def _stop(workers: list, spool: str) -> None:
    for worker in workers:
        worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
            worker.join()
    os.unlink(spool)


def _report(unit: frozenset[str], dump: bytes, fingerprint: str, now: datetime.datetime) -> bytes:
    """One unit, its statements as N-Quads, validated with the vocabulary: its kept report, as N-Quads."""
    data = ox.Store()
    data.extend(vocabulary()[0])
    data.extend(ox.parse(dump, format=ox.RdfFormat.N_QUADS))
    report = validation.report_triples(_with_derived(data), shapes_graph(), now)
    return serialized(_kept_report(report, report_graph(unit), unit, fingerprint, data, now), ox.RdfFormat.N_QUADS)


def _write_reports(store: QuadStore, made: list[tuple[ox.NamedNode, bytes]], lines: int) -> None:
    """Replace the kept reports of ``made`` (report graph, report as N-Quads, ``lines`` lines in all) with the new ones."""
    for name, _ in made:
        store.remove_graph(name)
    add_all(store, b"".join(report for _, report in made), lines)


def _linked(store: "_Lookup", changed: set[str], read, shared) -> set[str]:
    """The other data graphs that share a described thing with a graph of ``changed``."""
    if not changed:
        return set()
    found: set[str] = set()
    nodes = {n for g in changed for q in read(g) for n in (q.subject, q.object) if not isinstance(n, ox.Literal)}
    for node in nodes:
        described_in = {q.graph_name.value for q in store.quads_for_pattern(node, None, None) if is_data_graph(q.graph_name)}  # type: ignore[union-attr]  # pyoxigraph types any term or graph name; these are IRIs or literals
        if not described_in or _is_shared(store, node, shared):
            continue
        found |= described_in
        found |= {q.graph_name.value for q in store.quads_for_pattern(None, None, node) if is_data_graph(q.graph_name)}  # type: ignore[union-attr]  # pyoxigraph types any term or graph name; these are IRIs or literals
    return found - changed


def _is_shared(store: "_Lookup", node, shared) -> bool:
    kinds = {q.object for q in store.quads_for_pattern(node, _TYPE, None)}
    return bool(kinds) and kinds <= shared


def _cited(store: "_Lookup", unit: frozenset[str], quads: dict, shared, descriptions: dict) -> list[ox.Quad]:
    """Descriptions, from other graphs, of the shared references the unit cites: each triple once, in one graph.

    Validation reads the union, so a description that moves to another graph,
    or is stated by two, changes nothing, and leaves the fingerprint as it was.
    ``descriptions`` keeps each node's description (empty if it is not a
    shared reference) for the next unit: many units cite the same things.
    """
    inside = {q.subject for g in unit for q in quads[g]}
    cited = {q.object for g in unit for q in quads[g] if isinstance(q.object, (ox.NamedNode, ox.BlankNode))} - inside
    found: dict[ox.Triple, None] = {}
    for node in cited:
        description = descriptions.get(node)
        if description is None:
            description = [q.triple for q in store.quads_for_pattern(node, None, None) if is_data_graph(q.graph_name)]
            descriptions[node] = description = description if description and _is_shared(store, node, shared) else []
        found.update(dict.fromkeys(description))
    return [ox.Quad(t.subject, t.predicate, t.object, _CITED) for t in found]


def _fingerprint(dump: bytes) -> str:
    """What a unit's validation reads: its statements (as N-Quads, in any order), the vocabulary, and what else it was validated with."""
    lines = sorted(dump.split(b"\n"))
    digest = hashlib.sha256(f"{validated_with()} {vocabulary()[1]}\n".encode())
    digest.update(b"\n".join(lines))
    return digest.hexdigest()


def _described(data: ox.Store, nodes: set) -> dict:
    """Label and strategy of each focus node (graph.engine.rules.describe), blank nodes included.

    SPARQL cannot name a blank node, so blank focus nodes are described in a
    copy of the unit where blank nodes are skolem IRIs.
    """
    blank = {n for n in nodes if isinstance(n, ox.BlankNode)}
    about = describe(data, nodes - blank)
    if blank:
        view = ox.Store()
        view.extend(ox.Quad(_skolem(q.subject), q.predicate, _skolem(q.object), q.graph_name) for q in data)
        named = describe(view, {_skolem(n) for n in blank})
        about.update({n: named[_skolem(n)] for n in blank})
    return about


def _skolem(term):
    return ox.NamedNode(SKOLEM + term.value) if isinstance(term, ox.BlankNode) else term


# The fields of a result (validation.report_triples) that a kept report may keep.
_FIELDS = {SH.focusNode: "focus", SH.sourceShape: "shape", SH.resultSeverity: "severity",
           SH.sourceConstraintComponent: "component", SH.value: "value", SH.resultPath: "path"}
_MESSAGE, _FOCUS, _VALUE, _PATH = (ox.NamedNode(str(p)) for p in (SH.resultMessage, SH.focusNode, SH.value, SH.resultPath))
_SHAPE, _SEVERITY, _COMPONENT = (ox.NamedNode(str(p)) for p in (SH.sourceShape, SH.resultSeverity, SH.sourceConstraintComponent))
_REPORT_TYPE = ox.NamedNode(str(SH.ValidationReport))


def _results(triples: list[tuple], root) -> tuple[list[dict], list[tuple]]:
    """Each result of a report (validation.report_triples, ``root`` its report node) as its fields, its messages a list;
    and the triples of the blank nodes it copied from the shapes graph (a blank shape's or path's content)."""
    result, message = SH.result, SH.resultMessage
    nodes = {o for s, p, o in triples if s == root and p == result}
    found: dict = {node: {"messages": []} for node in nodes}
    copied = []
    for s, p, o in triples:
        if s in nodes:
            if p == message:
                found[s]["messages"].append(o)
            elif p in _FIELDS:
                found[s].setdefault(_FIELDS[p], o)
        elif s != root:
            copied.append((s, p, o))
    return list(found.values()), copied


def _kept_report(report: tuple, name: ox.NamedNode, graphs: frozenset[str], fingerprint: str, data: ox.Store, now) -> list[ox.Quad]:
    """The kept form of a report (validation.report_triples; graph.engine.reports says what it keeps) as quads of its
    own graph, with the unit's inputs and what the unit rules derived from it."""
    root, triples = report
    converted: dict = {}  # each distinct term converted once: most recur (shapes, messages' rules, focus nodes)
    term = lambda node: converted.get(node) or converted.setdefault(node, oxigraph_term(node))
    quads: list[ox.Quad] = []
    add = lambda s, p, o: quads.append(ox.Quad(s, p, o, name))
    add(name, _TYPE, _REPORT_TYPE)
    add(name, _FINGERPRINT, ox.Literal(fingerprint))
    add(name, _GENERATED, ox.Literal(now.isoformat(), datatype=_DATETIME))
    for g in sorted(graphs):
        add(name, _INPUT, ox.NamedNode(g))
    for q in data.quads_for_pattern(None, _TYPE, ox.NamedNode(str(SG.Strategy))):
        add(name, _COVERS, q.subject)
    for q in data.quads_for_pattern(None, None, None, _DERIVED):
        add(q.subject, q.predicate, q.object)
    results, copied = _results(triples, root)
    rules, severities = packaged_rules(), reports.rule_severities()
    short_rules, records = {}, []
    for result in results:
        node, focus, shape = ox.BlankNode(), term(result["focus"]), result["shape"]
        rule = _rule_id(shape)
        add(node, reports.RULE, ox.Literal(rule))
        add(node, _FOCUS, focus)
        for message in result["messages"]:
            add(node, _MESSAGE, term(message))
        value, path = result.get("value"), result.get("path")
        # A gap rule's own finding: its shape, component and severity are the rule's, its value (always one) its focus.
        short = (shape in rules and str(result["component"]) == reports.SPARQL
                 and str(result["severity"]) == severities[rule] and value is not None)
        # The message a record shows: the least, as pySHACL's several messages (one a language) come in no order.
        message = min((str(m) for m in result["messages"]), default="")
        records.append((rule, focus, message) if short else
                       (rule, focus, message, str(result["severity"]), str(result["component"])))
        if short:
            short_rules[rule] = shape
        else:
            add(node, _SHAPE, term(shape))
            add(node, _COMPONENT, term(result["component"]))
            add(node, _SEVERITY, term(result["severity"]))
        if value is not None and not (short and value == result["focus"]):
            add(node, _VALUE, term(value))
        if path is not None:
            add(node, _PATH, term(path))
    for s, p, o in copied:
        add(term(s), term(p), term(o))
    for rule, shape in sorted(short_rules.items()):  # what a saved query reads a short result's severity from
        add(term(shape), reports.IDENTIFIER, ox.Literal(rule))
        add(term(shape), reports.SEVERITY, ox.NamedNode(severities[rule]))
    foci = {term(result["focus"]) for result in results}
    about = _described(data, foci)
    for focus, (label, strategy) in about.items():
        own = min((q.object.value for p in reports.LABELS for q in data.quads_for_pattern(focus, p, None)),  # type: ignore[union-attr]  # labels are literals
                  default="")
        if label and (label != own or isinstance(focus, ox.BlankNode)):
            add(focus, reports.LABEL, ox.Literal(label))
        if strategy:
            add(focus, reports.STRATEGY, ox.NamedNode(strategy))
    add(name, reports.RECORDS, reports.records_literal(about, records))
    return quads


def extra_records(ds, extra: ExtraRules, strategy: str | None = None) -> list[dict]:
    """The gap records of a council's own rules, unit by unit, as the kept reports are made (nothing is kept).

    Each unit is validated with what its kept report was made from: its
    graphs, the descriptions of the shared references it cites, and the
    vocabulary. ``strategy``: only the unit that holds it.
    """
    store = oxigraph(ds)
    shared, lookup = shared_classes(), _Lookup(store, None)
    descriptions: dict = {}
    has_message = functools.cache(lambda shape: any(
        (node, SH.message, None) in extra.shapes for node in (shape, *extra.shapes.objects(shape, SH.sparql))))
    records = []
    for unit in kept(store).values():
        graphs = {g: list(store.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in unit.graphs}
        # A quad's subject and object here are IRIs (pyoxigraph types them as any term).
        if strategy is not None and not any(q.subject.value == strategy and q.predicate == _TYPE  # type: ignore[union-attr]
                                            and q.object.value == str(SG.Strategy)  # type: ignore[union-attr]
                                            for qs in graphs.values() for q in qs):
            continue
        data = ox.Store()
        data.extend(vocabulary()[0])
        data.extend(q for qs in graphs.values() for q in qs)
        data.extend(_cited(lookup, unit.graphs, graphs, shared, descriptions))
        root, triples = validation.report_triples(_with_derived(data), extra.shapes)
        results = _results(triples, root)[0]
        about = _described(data, {oxigraph_term(r["focus"]) for r in results})
        for result in results:
            focus = oxigraph_term(result["focus"])
            label, of = about.get(focus, ("", ""))
            shape = result["shape"]
            # A core constraint's message without sh:message: the rule's name says it better than "sh:… is not satisfied".
            message = min((str(m) for m in result["messages"]), default="") if has_message(shape) else ""
            record = {"rule": extra.rule_of(shape).id, "severity": str(result["severity"]),
                      "component": str(result["component"]), "focus": reports.focus_name(focus),
                      "message": message, "label": label, "strategy": of}
            records.append(record)
    return records


@functools.cache
def _rule_id(shape) -> str:
    return rule_of(shape).id
