"""A value stated once is counted once: after the README's round trip (init, export, import unchanged), and when
two named graphs state the same value.

Oxigraph's union of the named graphs holds a statement once per graph that states it, so a value an import
restated beside the layer that first stated it was drawn once per combination of restated statements (8 times
for the temporary-accommodation counts: their indicator, their population group and the indicator's polarity were
each stated twice). The expected values here are read from the dataset's own files with rdflib, not from the program.
"""

import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS, RDF

from graph import files
from graph.engine import open_graph
from graph.progress import POLARITY, indicator_series
from graph.vocab import SDMX_DIMENSION, SDMX_MEASURE, SG
from strategy_graph.cli import main
from tests.conftest import DATA
from viewer import close, create_app

WHOLE = URIRef("https://w3id.org/strategy-graph/def/population-group/all")
TEMPORARY = URIRef("https://w3id.org/strategy-graph/id/luton-pws/indicator/households-in-temporary-accommodation-count")


def _invoke(runner, *args):
    result = runner.invoke(main, [str(a) for a in args])
    assert result.exit_code in (0, 1), result.output
    return result


def _source() -> Dataset:
    """The packaged dataset as its files state it, parsed by rdflib alone."""
    source = Dataset()
    for path in files.dataset_files():
        source.parse(path, format="trig")
    return source


def _expected(source: Dataset) -> dict[URIRef, list[tuple[str, float]]]:
    """Each indicator's own values for the whole population, by period, as the source states them (none is a
    comparator: the packaged strategy names no area, and no value is marked as one)."""
    facts = {(s, p, o) for s, p, o, _ in source.quads((None, None, None, None))}
    baselines = {o for s, p, o in facts if p == SG.hasBaseline}
    assert not any(p in (SG.comparator, DCTERMS.spatial) for _, p, _ in facts)
    found: dict[URIRef, list[tuple[str, float]]] = {i: [] for i, p, o in facts if p == RDF.type and o == SG.Indicator}
    for node, p, indicator in facts:
        if p != SG.indicator or node in baselines or (node, SG.populationGroup, WHOLE) not in facts:
            continue
        period = next(o for s, q, o in facts if s == node and q == SDMX_DIMENSION.refPeriod)
        value = next(o for s, q, o in facts if s == node and q == SDMX_MEASURE.obsValue)
        found[indicator].append((str(period), float(value)))
    return {i: sorted(values) for i, values in found.items()}


def _direction(values: list[tuple[str, float]], polarity: str) -> str:
    (_, before), (period, last) = values[-2], values[-1]
    moved = "falling" if last < before else "rising"
    better = {POLARITY + "lower-is-better": "falling", POLARITY + "higher-is-better": "rising"}[polarity]
    return f"{'improving' if moved == better else 'getting worse'}: {moved} in {period}"


def _values_by_sparql(runner, store: Path, indicator: URIRef) -> list[dict]:
    result = _invoke(runner, "query", "indicator-values", "--param", f"indicator={indicator}", "--store", store, "--format", "json")
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(result.output)["results"]["bindings"]]


@pytest.fixture(scope="module")
def source():
    return _source()


@pytest.fixture(scope="module")
def expected(source):
    found = _expected(source)
    # Not a test that cannot fail: the source has an indicator with several values to count.
    assert len(found[TEMPORARY]) == 3
    return found


def _round_trip(runner, tmp_path: Path, edit=None) -> Path:
    store, workbook = tmp_path / "store", tmp_path / "luton.xlsx"
    _invoke(runner, "init", "--store", store)
    _invoke(runner, "export", "--format", "xlsx", "--store", store, "-o", workbook)
    if edit is not None:
        book = load_workbook(workbook)
        edit(book)
        book.save(workbook)
    result = _invoke(runner, "import", workbook, "--store", store)
    assert result.exit_code == 0, result.output
    return store


def _check_every_indicator(runner, store: Path, expected: dict, source: Dataset) -> None:
    """The series (scorecard, direction of travel), the resource page and SPARQL each count every value once."""
    ds = open_graph(store=store)
    try:
        for indicator, values in expected.items():
            series = indicator_series(ds, indicator)
            assert sorted(series.own) == values, indicator
            assert series.comparator == []
            if len(values) >= 2:
                (polarity,) = {str(o) for _, _, o, _ in source.quads((indicator, SG.polarity, None, None))}
                assert series.direction == _direction(values, polarity)
            rows = [r for r in _values_by_sparql(runner, store, indicator) if r["kind"] == "value"]
            assert sorted((r["period"], float(r["value"])) for r in rows) == values, indicator
    finally:
        ds.close()
    app = create_app({"TESTING": True, "STORE": store})
    try:
        client = app.test_client()
        for indicator, values in expected.items():
            page = client.get("/resource", query_string={"iri": str(indicator)}).get_data(as_text=True)
            if values:
                assert f"{len(values)} values of this area" in page, indicator
            assert len(re.findall(r"<title>this area: ", page)) == len(values), indicator
    finally:
        close(app)


def _gaps(runner, store: Path) -> list[tuple]:
    result = _invoke(runner, "gaps", "--store", store, "--format", "json", "--fail-on", "none")
    return sorted((g["rule"], g["focus"], g["message"]) for g in json.loads(result.output))


def test_importing_the_exported_workbook_unchanged_counts_every_value_as_before(runner, tmp_path, source, expected):
    fresh = tmp_path / "fresh"
    _invoke(runner, "init", "--store", fresh)
    store = _round_trip(runner, tmp_path)
    _check_every_indicator(runner, store, expected, source)
    assert _gaps(runner, store) == _gaps(runner, fresh)
    # The figures: 3 values, not 24, and the direction of travel as before the round trip.
    ds = open_graph(store=store)
    try:
        assert indicator_series(ds, TEMPORARY).direction == "improving: falling in 2023/24"
    finally:
        ds.close()


def test_the_import_restates_nothing_another_layer_states(runner, tmp_path):
    store = _round_trip(runner, tmp_path)
    ds = open_graph(store=store)
    try:
        graphs: dict = {}
        for s, p, o, g in ds.quads((None, None, None, None)):
            if str(g).startswith("https://w3id.org/strategy-graph/id/luton-pws/graph/"):
                graphs.setdefault((s, p, o), set()).add(g)
        assert [t for t, where in graphs.items() if len(where) > 1] == []
    finally:
        ds.close()


def test_a_target_added_to_the_exported_workbook_is_one_target_and_leaves_the_values_as_they_were(runner, tmp_path, source, expected):
    def add_target(book):
        # Invented by the test: a target for the temporary-accommodation count, in Luton (the packaged strategy names no area).
        book["Targets"].append(["test-target", "households-in-temporary-accommodation-count", "target", 450, 2027, "E06000032"])

    store = _round_trip(runner, tmp_path, add_target)
    _check_every_indicator(runner, store, expected, source)
    ds = open_graph(store=store)
    try:
        series = indicator_series(ds, TEMPORARY)
        assert (series.target, series.target_date) == (450.0, "2027")
    finally:
        ds.close()
    targets = [r for r in _values_by_sparql(runner, store, TEMPORARY) if r["kind"] == "target"]
    assert [(r["period"], float(r["value"])) for r in targets] == [("2027", 450.0)]


def test_a_value_two_named_graphs_state_is_drawn_and_listed_once(runner, tmp_path):
    data = DATA / "stated-in-two-layers.trig"
    ds = open_graph(data=[data])
    indicator = URIRef("http://example.org/indicator")
    try:
        series = indicator_series(ds, indicator)
        assert series.own == [("2023/24", 10.0), ("2024/25", 8.0)]
        assert series.direction == "improving: falling in 2024/25"
    finally:
        ds.close()
    result = _invoke(runner, "query", "indicator-values", "--param", f"indicator={indicator}", "--data", data, "--format", "json")
    rows = json.loads(result.output)["results"]["bindings"]
    assert sorted((r["period"]["value"], r["value"]["value"]) for r in rows) == [("2023/24", "10"), ("2024/25", "8")]
    result = _invoke(runner, "query", "funding-by-funder", "--data", data, "--format", "json")
    (row,) = json.loads(result.output)["results"]["bindings"]
    assert (float(row["total"]["value"]), row["commitments"]["value"]) == (1000.0, "1")
