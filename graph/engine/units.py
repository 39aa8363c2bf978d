"""Units of validation: the parts of a store that are validated, fingerprinted and kept together.

A unit is a set of named graphs joined by the things they share: a graph that
describes an outcome and a graph that links a work stream to it are one unit,
and so are two strategies that share a board, an indicator or a causal link.
Things that many strategies cite without being part of their logic (agents,
documents, data sets, descriptions of graphs: the classes the ontology marks
``sg:sharedReference``) do not join units; each unit that cites one is
validated with its description. Every unit is validated with the vocabulary.

Each unit's report is kept in the store, in a named graph of its own under
``REPORTS``, with a fingerprint of what its validation read. A write
re-validates only the units it touched whose fingerprint changed; a read
never validates. A rule's result for a node can depend only on what its unit
holds, so the kept reports together are exactly the report of the whole graph
(tests/test_units.py compares them with pySHACL on the union).
"""

import datetime
import functools
import itertools
import hashlib
import json
import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
from oxrdflib._converter import from_ox, to_ox
from rdflib.namespace import PROV, RDF, SH, XSD

from graph.engine import validation
from graph.engine.rules import describe, rule_of, shapes_digest, shapes_graph
from graph.engine.store import SKOLEM, add_all, vocabulary
from graph.vocab import ENGINE_BASE, SG, SPARQL_PREFIXES, VOCABULARY_BASE

REPORTS = ENGINE_BASE + "report/"
# Part of every fingerprint: raise it when what validation reports changes.
ENGINE_VERSION = "units-2"

_TYPE = ox.NamedNode(str(RDF.type))
_SHARED = ox.NamedNode(str(SG.sharedReference))
_FINGERPRINT, _INPUT, _COVERS = (ox.NamedNode(str(SG[n])) for n in ("fingerprint", "inputGraph", "covers"))
_RULE, _LABEL, _STRATEGY = (ox.NamedNode(str(SG[n])) for n in ("rule", "focusLabel", "focusStrategy"))
_GENERATED = ox.NamedNode(str(PROV.generatedAtTime))
_RECORDS = ox.NamedNode(str(SG.gapRecords))
# The fields of a result that a gap record keeps.
_RECORDED = {SH.focusNode: "focus", SH.sourceShape: "shape", SH.resultSeverity: "severity", SH.sourceConstraintComponent: "component"}
_DATETIME = ox.NamedNode(str(XSD.dateTime))
# Where a unit's validation holds the descriptions of the shared references it cites.
_CITED = ox.NamedNode(ENGINE_BASE + "cited")
_Q = SPARQL_PREFIXES + "PREFIX sh: <http://www.w3.org/ns/shacl#>\n"
_KEPT = _Q + """
SELECT ?report ?graph ?fingerprint WHERE {
  GRAPH ?report { ?report a sh:ValidationReport ; sg:fingerprint ?fingerprint ; sg:inputGraph ?graph }
  FILTER (STRSTARTS(STR(?report), "%s"))
}""" % REPORTS


def validated_with() -> str:
    """What a kept report depends on besides its unit's statements and the vocabulary.

    The shapes, this engine, and the year: a rule reads YEAR(NOW()), so a
    report made last year may be wrong this year.
    """
    return f"{ENGINE_VERSION} {shapes_digest()} {_year()}"


def _year() -> int:
    return datetime.date.today().year


def is_data_graph(name) -> bool:
    """Whether a graph holds data: not the vocabulary, not the engine's own reports."""
    return isinstance(name, ox.NamedNode) and not name.value.startswith((VOCABULARY_BASE, ENGINE_BASE))


def report_graph(graphs: frozenset[str]) -> ox.NamedNode:
    """The named graph that keeps the report of the unit made of ``graphs``."""
    return ox.NamedNode(REPORTS + hashlib.sha1("\n".join(sorted(graphs)).encode()).hexdigest()[:24])


@functools.cache
def shared_classes() -> frozenset:
    """The classes whose instances do not join units (sg:sharedReference true in the vocabulary)."""
    return frozenset(q.subject for q in vocabulary()[0] if q.predicate == _SHARED and q.object.value == "true")


def partition(quads: Iterable[ox.Quad], graphs: Iterable[str], shared: frozenset) -> list[frozenset[str]]:
    """The units ``graphs`` fall into: graphs joined by every thing described among ``quads`` that is not a shared reference."""
    quads = list(quads)
    types: dict = defaultdict(set)
    for q in quads:
        if q.predicate == _TYPE:
            types[q.subject].add(q.object)
    described = {q.subject for q in quads}
    apart = {node for node, kinds in types.items() if kinds <= shared}
    parent = {g: g for g in graphs}

    def root(g):
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    seen: dict = {}
    for q in quads:
        graph = q.graph_name.value
        for node in (q.subject, q.object):
            if node in described and node not in apart:
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


def kept(store: ox.Store) -> dict[ox.NamedNode, Kept]:
    """The units whose reports ``store`` keeps, by report graph."""
    graphs, prints = defaultdict(set), {}
    for row in store.query(_KEPT):
        graphs[row["report"]].add(row["graph"].value)
        prints[row["report"]] = row["fingerprint"].value
    return {r: Kept(r, frozenset(g), prints[r]) for r, g in graphs.items()}


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: units validated, and the seconds that took (not counting the write)."""

    validated: int
    seconds: float


def described_before(store: ox.Store, staged: ox.Store, graphs: set[str]) -> dict:
    """Before a write: each shared reference that ``graphs`` describe, in ``store`` or ``staged``, with its description in ``store``.

    ``refresh`` compares it with the description after the write: a unit that
    cites a reference whose description changed is validated again, since its
    report was made with the old one.
    """
    shared = shared_classes()
    lookup = _Lookup(store, staged)
    typed = {q.subject for kind in shared for q in lookup.quads_for_pattern(None, _TYPE, kind) if is_data_graph(q.graph_name)}
    return {node: _description(store, node) for node in typed
            if _is_shared(lookup, node, shared)
            and any(q.graph_name.value in graphs for q in lookup.quads_for_pattern(node, None, None))}


def _description(source, node) -> frozenset:
    """What the data graphs state of ``node``, as triples: validation reads the union, so which graph says it does not matter."""
    return frozenset(q.triple for q in source.quads_for_pattern(node, None, None) if is_data_graph(q.graph_name))


def refresh(store: ox.Store, changed: set[str], read: Callable[[str], list[ox.Quad]], progress=None,
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
    before = kept(store)
    data_graphs = {g.value for g in lookup.named_graphs() if is_data_graph(g)}
    touched = (changed & data_graphs) | _linked(lookup, changed & data_graphs, data_graphs - changed, read, shared)
    for node, before_write in (described or {}).items():
        if _description(lookup, node) != before_write:
            touched |= {q.graph_name.value for q in lookup.quads_for_pattern(None, None, node)} & data_graphs
    # A touched unit is touched whole: a write that removes a link can split it.
    old = [unit for unit in before.values() if unit.graphs & (touched | changed)]
    for unit in old:
        touched |= unit.graphs & data_graphs
    quads = {g: read(g) for g in touched}
    units = partition((q for g in touched for q in quads[g]), touched, shared)
    work = []
    for unit in units:
        previous = before.get(report_graph(unit))
        statements = [q for g in unit for q in quads[g]] + _cited(lookup, unit, quads, shared)
        work.append((unit, statements, previous.fingerprint if previous is not None else None))
    # An old unit that is no longer one (split, merged or gone) loses its report.
    now_kept = {report_graph(u) for u in units}
    for unit in old:
        if unit.report not in now_kept:
            store.remove_graph(unit.report)
    now = datetime.datetime.now(datetime.timezone.utc)

    reports = _validated(work, now)
    fresh, validated = [], 0
    for name, report in (reports if progress is None else progress(reports, total=len(work), desc="validating", unit="unit")):
        if report is not None:  # None: its fingerprint is unchanged, and so is its kept report
            store.remove_graph(name)
            fresh += report
            validated += 1
    seconds = time.perf_counter() - start
    # One write of the change and its reports: Oxigraph's bulk loader costs least in one batch.
    add_all(store, itertools.chain(pending or (), fresh), len(pending or ()) + len(fresh))
    return Refreshed(validated, seconds)


class _Lookup:
    """A store and the statements pending for it, read as one."""

    def __init__(self, store: ox.Store, pending: ox.Store | None):
        self.stores = (store,) if pending is None else (store, pending)

    def quads_for_pattern(self, *pattern) -> Iterator[ox.Quad]:
        for store in self.stores:
            yield from store.quads_for_pattern(*pattern)

    def named_graphs(self) -> set:
        return {g for store in self.stores for g in store.named_graphs()}


# Below this many units a pool of processes costs more to start than it saves.
_POOL_FROM = 8


def _validated(work: list, now: datetime.datetime) -> Iterator[tuple[ox.NamedNode, list[ox.Quad] | None]]:
    """Each unit's report graph and new kept report (None if unchanged), on every core when there are many units."""
    cores = os.cpu_count() or 1
    if len(work) < _POOL_FROM or cores < 2:
        for unit, statements, previous in work:
            yield report_graph(unit), _report(unit, statements, previous, now)
        return
    # Units are independent: each process gets a unit's statements and gives back its report, as N-Quads.
    tasks = [(unit, ox.serialize(statements, format=ox.RdfFormat.N_QUADS), previous, now) for unit, statements, previous in work]
    with ProcessPoolExecutor(max_workers=cores, mp_context=multiprocessing.get_context("forkserver")) as pool:
        for (unit, _, _, _), report in zip(tasks, pool.map(_report_of_dump, tasks, chunksize=4)):
            yield report_graph(unit), None if report is None else list(ox.parse(report, format=ox.RdfFormat.N_QUADS))


def _report(unit: frozenset[str], statements: list[ox.Quad], previous: str | None, now: datetime.datetime) -> list[ox.Quad] | None:
    """One unit validated with the vocabulary: its kept report, or None if its fingerprint is ``previous``."""
    data = ox.Store()
    data.extend(vocabulary()[0])
    data.extend(statements)
    fingerprint = _fingerprint(data)
    if fingerprint == previous:
        return None
    return _kept_report(validation.report_triples(data, shapes_graph()), report_graph(unit), unit, fingerprint, data, now)


def _report_of_dump(task) -> bytes | None:
    """In a pool process: one unit's kept report, from and to N-Quads."""
    unit, dump, previous, now = task
    report = _report(unit, list(ox.parse(dump, format=ox.RdfFormat.N_QUADS)), previous, now)
    return None if report is None else ox.serialize(report, format=ox.RdfFormat.N_QUADS)


def _linked(store: "_Lookup", changed: set[str], others: set[str], read, shared) -> set[str]:
    """The graphs of ``others`` that share a described thing with a graph of ``changed``."""
    if not changed or not others:
        return set()
    found: set[str] = set()
    nodes = {n for g in changed for q in read(g) for n in (q.subject, q.object) if not isinstance(n, ox.Literal)}
    for node in nodes:
        described_in = {q.graph_name.value for q in store.quads_for_pattern(node, None, None) if is_data_graph(q.graph_name)}
        if not described_in or _is_shared(store, node, shared):
            continue
        found |= described_in & others
        found |= {q.graph_name.value for q in store.quads_for_pattern(None, None, node) if is_data_graph(q.graph_name)} & others
    return found


def _is_shared(store: "_Lookup", node, shared) -> bool:
    kinds = {q.object for q in store.quads_for_pattern(node, _TYPE, None)}
    return bool(kinds) and kinds <= shared


def _cited(store: "_Lookup", unit: frozenset[str], quads: dict, shared) -> list[ox.Quad]:
    """Descriptions, from other graphs, of the shared references the unit cites: each triple once, in one graph.

    Validation reads the union, so a description that moves to another graph,
    or is stated by two, changes nothing, and leaves the fingerprint as it was.
    """
    inside = {q.subject for g in unit for q in quads[g]}
    cited = {q.object for g in unit for q in quads[g] if isinstance(q.object, (ox.NamedNode, ox.BlankNode))} - inside
    found: dict = {}
    for node in cited:
        description = [q.triple for q in store.quads_for_pattern(node, None, None) if is_data_graph(q.graph_name)]
        if description and _is_shared(store, node, shared):
            found.update(dict.fromkeys(description))
    return [ox.Quad(*triple, _CITED) for triple in found]


def _fingerprint(data: ox.Store) -> str:
    lines = sorted(data.dump(format=ox.RdfFormat.N_QUADS).split(b"\n"))
    digest = hashlib.sha256(f"{validated_with()}\n".encode())
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


_RESULT, _MESSAGE = ox.NamedNode(str(SH.result)), ox.NamedNode(str(SH.resultMessage))
_FIELDS = {ox.NamedNode(str(p)): name for p, name in _RECORDED.items()}


def _kept_report(report: tuple, name: ox.NamedNode, graphs: frozenset[str], fingerprint: str, data: ox.Store, now) -> list[ox.Quad]:
    """The report (validation.report_triples) as quads of its own graph, with the unit's inputs and each result's rule, label and strategy."""
    root, triples = report
    converted: dict = {}  # each distinct term converted once: most recur (predicates, shapes, severities)

    def term(node):
        found = converted.get(node)
        if found is None:
            found = converted[node] = name if node is root else to_ox(node)
        return found

    quads = [ox.Quad(term(s), term(p), term(o), name) for s, p, o in triples]
    add = lambda s, p, o: quads.append(ox.Quad(s, p, o, name))
    add(name, _FINGERPRINT, ox.Literal(fingerprint))
    add(name, _GENERATED, ox.Literal(now.isoformat(), datatype=_DATETIME))
    for g in sorted(graphs):
        add(name, _INPUT, ox.NamedNode(g))
    for q in data.quads_for_pattern(None, _TYPE, ox.NamedNode(str(SG.Strategy))):
        add(name, _COVERS, q.subject)
    results, fields, messages = [], defaultdict(dict), defaultdict(list)
    for q in quads:
        if q.predicate == _RESULT and q.subject == name:
            results.append(q.object)
        elif q.predicate == _MESSAGE:
            messages[q.subject].append(q.object.value)
        elif q.predicate in _FIELDS:
            fields[q.subject].setdefault(_FIELDS[q.predicate], q.object)
    about = _described(data, {fields[r]["focus"] for r in results})
    records = []
    for result in results:
        found = fields[result]
        focus = found["focus"]
        label, strategy = about.get(focus, ("", ""))
        rule = _rule_id(found["shape"])
        add(result, _RULE, ox.Literal(rule))
        if label:
            add(result, _LABEL, ox.Literal(label))
        if strategy:
            add(result, _STRATEGY, ox.NamedNode(strategy))
        records.append({"rule": rule, "severity": found["severity"].value, "component": found["component"].value,
                        "focus": _skolem(focus).value, "message": min(messages[result], default=""),
                        "label": label, "strategy": strategy})
    add(name, _RECORDS, ox.Literal(json.dumps(records, ensure_ascii=False)))
    return quads


@functools.lru_cache(maxsize=None)
def _rule_id(shape: ox.NamedNode | ox.BlankNode) -> str:
    return rule_of(from_ox(shape)).id
