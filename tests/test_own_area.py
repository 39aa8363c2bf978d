"""An indicator's own area, defined once (ontology/rules/unit/own-area.rq) and read by every rule and view that tells
the area's own data from a comparator, for every shape a strategy takes: an outcome of a priority, an outcome of a
priority published under another (issue 26), a chain of outcomes, a work stream that leads to an outcome.

The gap rules' side is tested by the fixtures of tests/data/gaps/*/*-comparator-shapes.ttl (tests/test_gaps.py);
here, the scorecard's series, the saved query and the derived link itself, on the same fixture.
"""

import json
import re

import pytest
from rdflib import URIRef

from graph import files
from graph.engine import open_graph
from graph.progress import indicator_series
from graph.vocab import SG
from strategy_graph.cli import main
from tests.conftest import DATA, read_fixture

EX = "http://example.org/"
SHAPES = DATA / "gaps" / "indicator-data-out-of-date" / "fires-comparator-shapes.ttl"
INDICATORS = ("by-priority", "by-nested", "by-chain", "by-workstream")


@pytest.fixture
def fixture(tmp_path):
    return read_fixture(SHAPES, tmp_path)


def test_each_shape_of_indicator_has_the_strategys_area_as_its_own(fixture):
    ds = open_graph(data=[fixture])
    try:
        for name in INDICATORS:
            assert set(ds.objects(URIRef(EX + name), SG.ownArea)) == {URIRef(EX + "town")}, name
    finally:
        ds.close()


def test_the_scorecard_draws_englands_values_as_the_comparator_for_each_shape(fixture):
    this_year = re.search(r'refArea ex:england-area ; sdmx-dimension:refPeriod "(\d+)"', fixture.read_text()).group(1)
    ds = open_graph(data=[fixture])
    try:
        for name in INDICATORS:
            series = indicator_series(ds, URIRef(EX + name))
            assert (series.own, series.comparator) == ([("2015", 50.0)], [(this_year, 52.0)]), name
    finally:
        ds.close()


def test_the_saved_query_gives_the_latest_own_value_not_englands(fixture, runner):
    result = runner.invoke(main, ["query", "indicators-by-outcome", "--data", str(fixture), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    latest = {row["indicator"]["value"]: (row["latestPeriod"]["value"], row["latest"]["value"]) for row in rows}
    assert latest == {
        "An invented indicator of the outcome of the priority": ("2015", "50"),
        "An invented indicator of the outcome of the child priority": ("2015", "50"),
        "An invented indicator of the earlier outcome": ("2015", "50"),
        "An invented indicator of the work stream": ("2015", "50"),
    }


def test_own_data_is_told_from_a_comparator_in_one_place():
    """Every rule, saved query and read model that tells a comparator reads sg:ownArea; only its rule says what it is."""
    texts = {path: path.read_text(encoding="utf-8") for path in
             [*files.shape_files(), *files.QUERIES_DIR.glob("*.rq"), *(files.ROOT / "graph").rglob("*.py")]}
    comparing = [path for path, text in texts.items() if re.search(r"sdmx(-dimension)?:refArea \?", text) and "comparator" in text]
    assert comparing, "nothing tells own data from a comparator"
    for path in comparing:
        assert "sg:ownArea" in texts[path], path
        assert "dcterms:spatial" not in texts[path], path
    (rule,) = [path for path in files.unit_rules() if path.name == "own-area.rq"]
    assert "CONSTRUCT { ?indicator sg:ownArea ?area }" in rule.read_text(encoding="utf-8")


def test_the_strategies_a_thing_serves_are_defined_in_one_place():
    """Which strategy a priority, outcome or work belongs to is derived once (sg:servesStrategy), before own-area reads it;
    no rule, saved query or the engine's description of a gap walks the strategy's priorities itself."""
    serves, own_area = files.unit_rules()
    assert serves.name == "1-serves-strategy.rq" and own_area.name == "own-area.rq"
    assert "CONSTRUCT { ?node sg:servesStrategy ?strategy }" in serves.read_text(encoding="utf-8")
    assert "sg:servesStrategy" in own_area.read_text(encoding="utf-8")
    readers = [*files.shape_files(), *files.QUERIES_DIR.glob("*.rq"), files.ROOT / "graph" / "engine" / "rules.py", own_area]
    for path in readers:
        text = path.read_text(encoding="utf-8")
        assert "sg:addressesPriority" not in text and "measures/dcterms:isPartOf" not in text, path


def test_each_part_of_a_nested_strategy_serves_it(fixture):
    """The strategy addresses a parent priority; a child priority published under it, the child's outcome and the
    child outcome's indicator belong to the strategy all the same, and so do the chain and the work stream."""
    ds = open_graph(data=[fixture])
    try:
        for name in ("priority", "parent", "child", "outcome", "nested", "earlier", "work"):
            assert set(ds.objects(URIRef(EX + name), SG.servesStrategy)) == {URIRef(EX + "strategy")}, name
    finally:
        ds.close()


def test_only_priorities_outcomes_and_work_serve_a_strategy_not_its_own_code_lists():
    """Regression: the strategy's own code list (a SKOS scheme stated part of it, Codes sheet) was derived to serve
    it, though sg:servesStrategy is defined for priorities, outcomes, work streams and interventions."""
    from rdflib.namespace import DCTERMS, RDF, SKOS

    ds = open_graph(data=[files.ROOT / "examples" / "example-vale.trig"])
    try:
        schemes = set(ds.subjects(RDF.type, SKOS.ConceptScheme)) & set(ds.subjects(DCTERMS.isPartOf, None))
        assert schemes, "Example Vale has code lists of its own"
        kinds = {SG.StrategicPriority, SG.Outcome, SG.Workstream, SG.Intervention}
        serving = set(ds.subjects(SG.servesStrategy, None))
        assert serving and all(set(ds.objects(node, RDF.type)) & kinds for node in serving)
    finally:
        ds.close()
