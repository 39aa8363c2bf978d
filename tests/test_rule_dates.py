"""Rules that read dates and today give one result whatever the engine and whatever the day (issue 29)."""

import datetime

import pyoxigraph
import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS, SH

from graph import files
from graph.engine import open_graph
from graph.engine.store import rdflib_term
from graph.engine.validation import validate
from graph.engine.validation.prebinding import bind_now
from graph.engine.validation.pyshacl_adapter import validate_graph
from tests.conftest import DATA, read_fixture

DATED_RULES = ("indicator-data-out-of-date", "target-past-due", "milestone-past-due", "target-outside-strategy-period")
_INDICATORS = """@prefix sg: <https://w3id.org/strategy-graph/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:stale a sg:Indicator ; rdfs:label "Stale" .
ex:a sg:indicator ex:stale ; sg:periodEnd "%s"^^xsd:date .
ex:recent a sg:Indicator ; rdfs:label "Recent" .
ex:b sg:indicator ex:recent ; sg:periodEnd "%s"^^xsd:date .
ex:named a sg:Indicator ; rdfs:label "Named by its period" .
ex:c sg:indicator ex:named ; <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> "%s" .
"""


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The packaged shapes, with only the dated rules' targets: the others have nothing to say here."""
    graph = Graph()
    for path in files.shape_files():
        graph.parse(path, format="turtle")
    for shape in set(graph.subjects(SH.targetClass, None)):
        if str(graph.value(shape, DCTERMS.identifier)) not in DATED_RULES:
            graph.remove((shape, SH.targetClass, None))
    return graph


def _by_rule(report: Graph, shapes: Graph) -> dict[str, set]:
    """The focus nodes of each dated rule's results, and the messages."""
    found: dict[str, set] = {rule: set() for rule in DATED_RULES}
    for result in report.objects(None, SH.result):
        rule = str(shapes.value(report.value(result, SH.sourceShape), DCTERMS.identifier))
        if rule in found:
            found[rule].add((report.value(result, SH.focusNode), str(report.value(result, SH.resultMessage))))
    return found


def _both(data: str | pyoxigraph.Store, shapes: Graph, now: datetime.datetime) -> tuple[dict, dict]:
    """The dated rules' results by the set-wise engine (Oxigraph) and by pySHACL on rdflib (the fallback)."""
    if isinstance(data, str):
        store = pyoxigraph.Store()
        store.load(data, pyoxigraph.RdfFormat.TURTLE)
    else:
        store = data
    graph = Graph()
    for quad in store:
        graph.add((rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)))
    return _by_rule(validate(store, shapes, now), shapes), _by_rule(validate_graph(graph, shapes, now), shapes)


@pytest.mark.parametrize("day", [1, 5, 9, 10, 28])
def test_a_value_is_stale_two_years_after_its_period_whatever_the_day_of_the_month(day, shapes):
    """Regression: "two years before today" was pasted from strings, malformed on the 1st-9th for Jena
    ("2024-12-007"), and rdflib's SPARQL (the pySHACL fallback) has no xsd:date cast: it found none at all."""
    now = datetime.datetime(2030, 3, day, 9, 30, tzinfo=datetime.UTC)
    two_years_before = datetime.date(2028, 3, day)
    data = _INDICATORS % (two_years_before - datetime.timedelta(days=1), two_years_before, "2026/27")
    engine, fallback = _both(data, shapes, now)
    stale = {str(focus).rsplit("/", 1)[1] for focus, _ in engine["indicator-data-out-of-date"]}
    assert stale == {"stale", "named"}
    assert fallback == engine


def test_29_february_goes_back_to_the_28th(shapes):
    now = datetime.datetime(2028, 2, 29, tzinfo=datetime.UTC)
    engine, fallback = _both(_INDICATORS % ("2026-02-27", "2026-02-28", "2026"), shapes, now)
    assert {str(f).rsplit("/", 1)[1] for f, _ in engine["indicator-data-out-of-date"]} == {"stale"}
    assert fallback == engine


def test_an_observation_that_cannot_be_dated_leaves_its_indicator_unjudged(shapes):
    now = datetime.datetime(2030, 3, 5, tzinfo=datetime.UTC)
    data = _INDICATORS % ("2020-01-01", "2020-01-01", "2015") + 'ex:d sg:indicator ex:stale ; ' \
        '<http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> "to be published" .\n'
    engine, fallback = _both(data, shapes, now)
    assert {str(f).rsplit("/", 1)[1] for f, _ in engine["indicator-data-out-of-date"]} == {"recent", "named"}
    assert fallback == engine


@pytest.mark.parametrize("fixture", sorted(p for rule in DATED_RULES for p in (DATA / "gaps" / rule).glob("*.ttl")),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_pyshacl_fallback_finds_what_the_engine_finds(fixture, shapes, tmp_path):
    """Regression: the fallback (pySHACL on an rdflib graph) dropped every result of a rule that cast with xsd:date()."""
    # With the vocabulary and what the unit rules derive (an indicator's own area), as gaps reads it.
    graph = open_graph(data=[read_fixture(fixture, tmp_path)])
    try:
        engine, fallback = _both(graph.store._inner, shapes, datetime.datetime.now(datetime.UTC))
    finally:
        graph.close()
    assert fallback == engine
    if fixture.stem.startswith("fires"):
        assert engine[fixture.parent.name]


def test_now_is_bound_where_it_is_a_call_only():
    now = datetime.datetime(2030, 3, 5, tzinfo=datetime.UTC)
    query = 'SELECT * { BIND (now ( ) AS ?t) FILTER (?t != "NOW()") } # NOW()'
    assert bind_now(query, now) == ('SELECT * { BIND ("2030-03-05T00:00:00+00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
                                    ' AS ?t) FILTER (?t != "NOW()") } # NOW()')
