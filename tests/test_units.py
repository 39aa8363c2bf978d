"""Gaps found per unit and kept in the store: exactly what pySHACL finds on the whole graph, and redone only where a write changed something."""

import datetime
import hashlib
import multiprocessing
import os
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from oxrdflib._converter import from_ox, to_ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from graph import files
from graph.engine import load, open_graph, units, write
from graph.engine.reports import rule_severities
from graph.engine.rules import rule_of, shapes_graph
from graph.engine.store import GraphSourceError, derive_into, read_files
from graph.engine.validation import pyshacl_adapter
from graph.vocab import ENGINE_BASE, SG
from tests.conftest import DATA, copies, read_fixture

FIXTURES = DATA / "gaps"


def _path_text(report: Graph, path) -> str:
    """A result path written out, so paths made of blank nodes compare."""
    if path is None or isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(report, inverse)
    return "(" + " / ".join(_path_text(report, step) for step in report.items(path)) + ")"


def _results(report: Graph, roots) -> set:
    """Top-level results as comparable tuples: focus, path, value, rule, component, severity, message."""
    found = set()
    for root in roots:
        for result in report.objects(root, SH.result):
            found.add((report.value(result, SH.focusNode), _path_text(report, report.value(result, SH.resultPath)),
                       report.value(result, SH.value), rule_of(report.value(result, SH.sourceShape)).id
                       if report.value(result, SG.rule) is None else str(report.value(result, SG.rule)),
                       report.value(result, SH.sourceConstraintComponent), report.value(result, SH.resultSeverity),
                       str(report.value(result, SH.resultMessage) or "")))
    return found


def _kept(ds) -> set:
    """Every result of every report the store keeps."""
    report = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if str(g).startswith(units.REPORTS):
            report.add((s, p, o))
    return _kept_results(report)


def _kept_results(report: Graph) -> set:
    """The results of kept reports as ``_results`` gives a whole report's: a result kept short (no sh:sourceShape,
    graph.engine.reports) has its rule's SPARQL constraint component and severity, and its focus node as value."""
    severities = rule_severities()
    found = set()
    for result, rule in report.subject_objects(SG.rule):
        focus = report.value(result, SH.focusNode)
        short = report.value(result, SH.sourceShape) is None
        found.add((focus, _path_text(report, report.value(result, SH.resultPath)),
                   report.value(result, SH.value) or (focus if short else None), str(rule),
                   SH.SPARQLConstraintComponent if short else report.value(result, SH.sourceConstraintComponent),
                   URIRef(severities[str(rule)]) if short else report.value(result, SH.resultSeverity),
                   str(report.value(result, SH.resultMessage) or "")))
    return found


def _pyshacl(ds) -> set:
    """Plain pySHACL's results on the same triples (kept reports aside), with what the unit rules derive from them.

    Core shapes run on an rdflib graph. SHACL-SPARQL shapes run with a
    pyoxigraph Store as the data graph, so that their SPARQL is evaluated by a
    standard engine: rdflib's own gets aggregates over no values wrong
    (test_rdflib_sparql_engine_is_not_an_oracle_for_the_gap_rules).
    """
    union, store = Graph(), ox.Store()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if not str(g).startswith(ENGINE_BASE):
            union.add((s, p, o))
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in union)
    derived = derive_into(store, files.unit_rules(), ox.DefaultGraph())  # worked out on the whole graph, not unit by unit
    union += [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in derived]
    found = set()
    for data, shapes in ((union, _shapes("structure.ttl")), (store, _shapes("gaps.ttl"))):
        with pyshacl_adapter.fixed():
            _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
        found |= _results(report, report.subjects(RDF.type, SH.ValidationReport))
    return found


def _shapes(name: str) -> Graph:
    """One file of shapes/, with the same node objects as the full shapes graph the engine uses."""
    wanted = Graph().parse(files.SHAPES_DIR / name)
    shapes = Graph()
    full = shapes_graph()
    subjects = {s for s in wanted.subjects() if not isinstance(s, BNode)}
    todo = list(subjects)
    while todo:
        node = todo.pop()
        for p, o in full.predicate_objects(node):
            shapes.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return shapes


def test_rdflib_sparql_engine_is_not_an_oracle_for_the_gap_rules():
    """Why the oracle runs the gap rules on Oxigraph: rdflib 7 returns "None" for MIN over no values."""
    query = 'SELECT (COALESCE(MIN(STR(?x)), "fallback") AS ?y) WHERE { OPTIONAL { <http://a> <http://b> ?x } }'
    assert [str(row.y) for row in Graph().query(query)] == ["None"]
    assert [row["y"].value for row in ox.Store().query(query)] == ["fallback"]


CASES = sorted(FIXTURES.glob("*/*.ttl")) + [FIXTURES / "sound-strategy.ttl", FIXTURES / "two-strategies.ttl"]


@pytest.mark.parametrize("fixture", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_kept_reports_are_what_pyshacl_finds_on_every_fixture(fixture, tmp_path):
    ds = open_graph(data=[read_fixture(fixture, tmp_path)])
    assert _kept(ds) == _pyshacl(ds)


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    """Five strategies: three apart; two joined by a causal link, a shared indicator and a board member; and the two-strategy fixture."""
    folder = tmp_path_factory.mktemp("five")
    links = folder / "links.trig"
    links.write_text("""
@prefix sg: <https://w3id.org/strategy-graph/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> .
<http://example.org/links/graph> {
  <http://example.org/copy3/workstream/reducing-social-isolation> sg:contributesTo <http://example.org/copy4/outcome/safer-community> .
  <http://example.org/links/shared-indicator> a sg:Indicator ; rdfs:label "Invented indicator of two strategies" ;
      sg:measures <http://example.org/copy3/outcome/safer-community> , <http://example.org/copy4/outcome/safer-community> .
  <http://example.org/links/member> a org:FormalOrganization ; rdfs:label "Invented member of two boards" .
  [] a org:Membership ; org:organization <http://example.org/copy3/health-and-wellbeing-board> ; org:member <http://example.org/links/member> .
  <http://example.org/copy4/workstream/reducing-social-isolation> sg:owner <http://example.org/links/member> .
}
""", encoding="utf-8")
    paths = copies(folder, 5) + [links, read_fixture(FIXTURES / "two-strategies.ttl", folder)]
    store = folder / "store"
    load(store, paths)
    ds = open_graph(store=store)
    yield ds
    ds.close()


def test_kept_reports_of_five_strategies_are_what_pyshacl_finds_on_the_whole(five):
    kept = _kept(five)
    assert kept == _pyshacl(five)
    # The cross-strategy link is a gap of its own, found in the joined unit.
    assert any(rule == "contribution-without-rationale" and "copy3" in str(focus) + message for focus, _, _, rule, _, _, message in kept)


def test_units_follow_what_the_graphs_share(five):
    kept = units.kept(five.store._inner)
    covered = sorted(sorted(q.object.value for q in five.store._inner.quads_for_pattern(r, ox.NamedNode(str(SG.covers)), None, r)) for r in kept)
    # Copies 0 to 2 stand alone; 3 and 4 are one unit through the links graph;
    # the fixture's two strategies share one file.
    assert covered == sorted([[f"http://example.org/copy{n}/strategy"] for n in range(3)]
                             + [["http://example.org/copy3/strategy", "http://example.org/copy4/strategy"],
                                ["http://example.org/a/strategy", "http://example.org/b/strategy"]])
    # The project agent that every copy cites (a prov:Agent, a shared reference) joins none of them.
    assert len(kept) == 5


def test_the_reports_of_some_graphs_are_those_of_every_unit_holding_one(five):
    store = five.store._inner
    every = units.kept(store)
    for graph in {g for unit in every.values() for g in unit.graphs}:
        assert units.kept(store, {graph}) == {r: unit for r, unit in every.items() if graph in unit.graphs}
    assert units.kept(store, set()) == {}


def test_the_statements_of_a_strategys_unit_are_its_graphs_and_what_they_cite(tmp_path):
    plans, member = tmp_path / "plans.trig", tmp_path / "member.trig"
    plans.write_text("""@prefix sg: <https://w3id.org/strategy-graph/def#> .
<urn:graph:plan> { <http://example.org/plan> a sg:Strategy ; sg:ledBy <http://example.org/member> . }
<urn:graph:other> { <http://example.org/other-plan> a sg:Strategy ; sg:ledBy <http://example.org/member> . }
""", encoding="utf-8")
    member.write_text(_MEMBER % "Invented agent", encoding="utf-8")
    load(tmp_path / "store", [plans, member])
    ds = open_graph(store=tmp_path / "store")
    try:
        statements = units.unit_statements(ds.store._inner, "http://example.org/plan")
        assert statements is not None
        # Its own graph, and the description of the agent it cites (a shared reference, in a unit of its own).
        assert {(t.subject.value, t.predicate.value, t.object.value) for t in statements} == {
            ("http://example.org/plan", str(RDF.type), str(SG.Strategy)),
            ("http://example.org/plan", str(SG.ledBy), "http://example.org/member"),
            ("http://example.org/member", str(RDF.type), "http://www.w3.org/ns/prov#Agent"),
            ("http://example.org/member", "http://www.w3.org/2000/01/rdf-schema#label", "Invented agent")}
        assert units.unit_statements(ds.store._inner, "http://example.org/no-such-plan") is None
    finally:
        ds.close()


def _report_times(ds) -> dict:
    prov = URIRef("http://www.w3.org/ns/prov#generatedAtTime")
    return {str(g): str(o) for s, p, o, g in ds.quads((None, prov, None, None)) if str(g).startswith(units.REPORTS)}


def test_a_write_revalidates_only_the_units_it_changed(tmp_path):
    store = tmp_path / "store"
    paths = copies(tmp_path, 3)
    assert load(store, paths).validated == 3
    before = open_graph(store=store)
    times = _report_times(before)
    before.close()
    # Copy 1's analysis layer again, with one link less: only copy 1's unit is validated again.
    analysis = next(p for p in paths if p.name == "copy1-analysis.trig")
    text = analysis.read_text(encoding="utf-8")
    analysis.write_text(text.replace("sg:contributionTo outcome:safer-community", "sg:contributionTo outcome:healthy-life-expectancy", 1), encoding="utf-8")
    assert text != analysis.read_text(encoding="utf-8")
    assert load(store, [analysis]).validated == 1
    after = open_graph(store=store)
    changed = {g for g, t in _report_times(after).items() if times.get(g) != t}
    assert len(changed) == 1 and len(_report_times(after)) == 3
    assert _kept(after) == _pyshacl(after)
    after.close()
    # The same files again: nothing changed, so nothing is validated again.
    assert load(store, paths).validated == 0


def _folder_digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failed_bulk_load_leaves_the_store_byte_for_byte_as_it_was(tmp_path):
    store = tmp_path / "store"
    load(store, files.dataset_files())
    before = _folder_digest(store)
    batch = copies(tmp_path, 12) + [DATA / "malformed.ttl"]
    with pytest.raises(GraphSourceError, match=r"malformed\.ttl:5:11"):
        load(store, batch)
    assert _folder_digest(store) == before


def test_a_check_that_refuses_leaves_the_store_as_it_was(tmp_path):
    store = tmp_path / "store"
    load(store, files.dataset_files())
    before = _folder_digest(store)
    staged = read_files([DATA / "plain-triples.ttl"])
    seen = []
    assert write(store, staged, check=lambda written: seen.append(len(written)) or False) is None
    assert seen and seen[0] > 0
    assert _folder_digest(store) == before


def test_readers_keep_their_generation_while_a_write_publishes_another(tmp_path):
    store = tmp_path / "store"
    load(store, files.dataset_files())
    reader = open_graph(store=store)
    count = len(reader)
    load(store, [DATA / "plain-triples.ttl"])
    # The old generation is still there and still answers.
    assert len(reader) == count
    assert reader.version.name.is_dir()
    generation = reader.version.name
    reader.close()
    newer = open_graph(store=store)
    assert len(newer) > count
    load(store, [DATA / "plain-triples.ttl"])
    # Once nobody reads it, a later write deletes it.
    assert not generation.exists()
    newer.close()


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a store", encoding="utf-8")
    with pytest.raises(GraphSourceError, match="not a strategy-graph store"):
        load(tmp_path, [DATA / "plain-triples.ttl"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_changed_shapes_revalidate_every_unit_on_the_next_write(tmp_path, monkeypatch):
    """What every report was validated with is kept: new shapes (or vocabulary) make the next write redo them all."""
    store = tmp_path / "store"
    assert load(store, copies(tmp_path, 3)).validated == 3
    assert load(store, [DATA / "plain-triples.ttl"]).validated == 1
    # As if shapes/*.ttl had been edited: both the store's record and every fingerprint see it.
    monkeypatch.setattr(units, "shapes_digest", lambda: "other shapes")
    assert load(store, [DATA / "plain-triples.ttl"]).validated == 4


def test_a_new_day_revalidates_every_unit_on_the_next_write(tmp_path, monkeypatch):
    """Regression: a rule reads NOW(), and reports kept from last year were kept on into the next (now judged by the day)."""
    store = tmp_path / "store"
    assert load(store, copies(tmp_path, 2)).validated == 2
    assert load(store, [DATA / "plain-triples.ttl"]).validated == 1
    assert load(store, [DATA / "plain-triples.ttl"]).validated == 0
    monkeypatch.setattr(units, "_today", lambda: datetime.date(2999, 1, 1))
    assert load(store, [DATA / "plain-triples.ttl"]).validated == 3


_MEMBERSHIP = """@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sg: <https://w3id.org/strategy-graph/def#> .
<urn:graph:board> {
  <http://example.org/board> a sg:Board ; rdfs:label "Invented board" .
  <http://example.org/membership> a org:Membership ; org:organization <http://example.org/board> ; org:member <http://example.org/member> .
}
"""
_MEMBER = """@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:graph:agents> { <http://example.org/member> a prov:Agent ; rdfs:label "%s" . }
"""


def test_a_changed_description_of_a_shared_reference_revalidates_the_units_that_cite_it(tmp_path):
    """Regression: an agent renamed in its own layer kept its old name in the gaps of every board that cites it."""
    from graph.gaps import find_gaps

    store, board, member = tmp_path / "store", tmp_path / "board.trig", tmp_path / "member.trig"
    board.write_text(_MEMBERSHIP, encoding="utf-8")
    member.write_text(_MEMBER % "Old name", encoding="utf-8")
    assert load(store, [board, member]).validated == 2  # the agent joins nothing: two units

    def named() -> set[str]:
        ds = open_graph(store=store)
        try:
            return {g.label for g in find_gaps(ds) if g.rule == "board-member-without-role"}
        finally:
            ds.close()

    assert named() == {"Old name"}
    member.write_text(_MEMBER % "New name", encoding="utf-8")
    assert load(store, [member]).validated == 2  # its own unit, and the board's, which cites it
    assert named() == {"New name"}
    assert load(store, [member]).validated == 0  # the same description again changes nothing


def test_a_shared_reference_a_write_no_longer_describes_revalidates_the_units_that_cite_it(tmp_path):
    """The description before the write counts too: an agent whose layer drops it leaves no board's report as it was."""
    store, board, member = tmp_path / "store", tmp_path / "board.trig", tmp_path / "member.trig"
    board.write_text(_MEMBERSHIP, encoding="utf-8")
    member.write_text(_MEMBER % "Old name", encoding="utf-8")
    assert load(store, [board, member]).validated == 2
    member.write_text(_MEMBER.replace("<http://example.org/member> a prov:Agent ; rdfs:label \"%s\" .",
                                      "<http://example.org/other> a prov:Agent ."), encoding="utf-8")
    assert load(store, [member]).validated == 2  # its own unit, and the board's, which cited what it said


def test_the_statement_counts_a_write_records_are_the_counts_of_the_store(tmp_path):
    """Every write records statements per graph (for `stats`); replaced, added and emptied graphs all come out right."""
    from graph.engine import statement_counts

    def both() -> tuple[dict, dict]:
        ds = open_graph(store=store)
        try:
            counted = {str(r.g): int(r.n) for r in ds.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
                       if not str(r.g).startswith(ENGINE_BASE)}
            return statement_counts(ds), counted
        finally:
            ds.close()

    store = tmp_path / "store"
    first = copies(tmp_path, 2)
    load(store, first)
    recorded, counted = both()
    assert recorded == counted and len(recorded) > len(first)  # the vocabulary's graphs are counted too
    load(store, [DATA / "plain-triples.ttl"])
    assert both()[0] == both()[1]
    # One file again, with a statement less: its graph is replaced, the others keep their counts.
    smaller = tmp_path / "smaller.trig"
    lines = first[0].read_text(encoding="utf-8").splitlines()
    label = next(i for i, line in enumerate(lines) if "rdfs:label" in line and line.rstrip().endswith(";"))
    smaller.write_text("\n".join(lines[:label] + lines[label + 1:]) + "\n", encoding="utf-8")
    load(store, [smaller])
    recorded, counted = both()
    assert recorded == counted


def test_restating_a_shared_reference_in_another_graph_revalidates_no_unit_that_cites_it(tmp_path):
    """Regression: a workbook that restated its data set made every unit citing that data set be validated again."""
    store, board, member, again = tmp_path / "store", tmp_path / "board.trig", tmp_path / "member.trig", tmp_path / "again.trig"
    board.write_text(_MEMBERSHIP, encoding="utf-8")
    member.write_text(_MEMBER % "Same name", encoding="utf-8")
    again.write_text((_MEMBER % "Same name").replace("urn:graph:agents", "urn:graph:restated"), encoding="utf-8")
    assert load(store, [board, member]).validated == 2
    # Only the new graph's own unit: what the board's validation reads of the agent is the same triples.
    assert load(store, [again]).validated == 1


def _kept_reports(store: Path) -> dict:
    """Each kept report's fingerprint and results, by report graph."""
    ds = open_graph(store=store)
    try:
        prints = {str(g): str(o) for s, p, o, g in ds.quads((None, SG.fingerprint, None, None)) if str(g).startswith(units.REPORTS)}
        return {g: (fingerprint, _kept_in(ds, g)) for g, fingerprint in prints.items()}
    finally:
        ds.close()


def _kept_in(ds, graph: str) -> set:
    report = Graph()
    for s, p, o, _ in ds.quads((None, None, None, URIRef(graph))):
        report.add((s, p, o))
    return _kept_results(report)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="worker processes validate only where there is more than one core")
def test_worker_processes_keep_the_reports_and_fingerprints_one_process_makes(tmp_path, monkeypatch):
    """Many units are validated by worker processes while the change is written; what they keep is what validating here keeps."""
    paths = copies(tmp_path, units._POOL_FROM + 1)
    pooled, here = tmp_path / "pooled", tmp_path / "here"
    started = []
    monkeypatch.setattr(units, "_reports_from", lambda *args, _from=units._reports_from: started.append(1) or _from(*args))
    assert load(pooled, paths).validated == units._POOL_FROM + 1
    assert started == [1]
    monkeypatch.setattr(units, "_POOL_FROM", 10**6)
    assert load(here, paths).validated == len(_kept_reports(pooled))
    assert started == [1]
    assert _kept_reports(pooled) == _kept_reports(here)
    # A fingerprint made by a worker is the one made here: one copy's files again change nothing.
    assert load(pooled, [p for p in paths if p.name.startswith("copy0-")]).validated == 0


def _unit_work(count: int, dump: bytes) -> list:
    return [(frozenset({f"http://example.org/unit{n}"}), dump, "fingerprint") for n in range(count)]


def test_the_error_of_a_failed_worker_is_the_error_of_the_write():
    now = datetime.datetime.now(datetime.UTC)
    with pytest.raises(SyntaxError):
        for _ in units._start_validating(_unit_work(units._POOL_FROM, b"<not n-quads"), now):
            pass


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="worker processes validate only where there is more than one core")
def test_a_worker_that_stops_stops_the_write_with_a_clear_error():
    dump = ox.serialize(ox.parse(path=str(files.dataset_files()[0]), format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS)
    before = set(multiprocessing.active_children())
    batches = units._start_validating(_unit_work(40, dump), datetime.datetime.now(datetime.UTC))
    workers = set(multiprocessing.active_children()) - before
    assert len(workers) == 2
    for worker in workers:
        worker.kill()
    with pytest.raises(RuntimeError, match=r"validation stopped: a worker process ended with \d+ unit\(s\) not validated"):
        for _ in batches:
            pass
    # The spool the workers read their units from is gone too.
    assert not list(Path(tempfile.gettempdir()).glob("strategy-graph-units-*"))


def test_a_gap_rules_finding_is_kept_in_three_statements(five):
    """A kept report keeps what its readers need (graph.engine.reports): a gap rule's own finding is its rule, focus
    node and message. It was twelve statements, and a JSON copy of each: the reports were 0.77x the data."""
    kept = [q for q in five.store._inner if q.graph_name.value.startswith(units.REPORTS)]
    statements: dict = {}
    for q in kept:
        statements.setdefault((q.graph_name, q.subject), []).append(q.predicate.value)
    findings = [sorted(ps) for ps in statements.values() if str(SG.rule) in ps and str(SH.sourceShape) not in ps]
    assert len(findings) > 500
    assert all(ps == sorted([str(SG.rule), str(SH.focusNode), str(SH.resultMessage)]) for ps in findings)
    assert not {str(SH.result), str(SH.sourceConstraint)} & {q.predicate.value for q in kept}
    assert not any(q.object.value == str(SH.ValidationResult) for q in kept)
