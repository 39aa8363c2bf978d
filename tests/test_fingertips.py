"""Fingertips: its data CSV becomes observations of the indicators whose IDs match; tests never leave this machine."""

import http.server
import threading
import urllib.parse
from decimal import Decimal
from typing import ClassVar

import pytest
from rdflib import URIRef

from graph.engine import open_graph
from graph.vocab import SDMX_DIMENSION, SDMX_MEASURE, SG
from strategy_graph.cli import main
from tests.conftest import DATA

SAMPLE = DATA / "fingertips" / "luton-sample.csv"
PWS = "https://w3id.org/strategy-graph/id/luton-pws/indicator/"
LUTON = URIRef("http://statistics.data.gov.uk/id/statistical-geography/E06000032")
ENGLAND = URIRef("http://statistics.data.gov.uk/id/statistical-geography/E92000001")


def _invoke(runner, *args):
    return runner.invoke(main, [str(a) for a in args])


def _observations(store) -> dict:
    """(indicator, area, period, group) → (value, lower, upper, count) for every observation in the store."""
    ds = open_graph(store=store)
    found = {}
    for obs in ds.subjects(SG.indicator, None):
        group = str(ds.value(obs, SG.populationGroup)).rsplit("/", 1)[-1]
        key = (str(ds.value(obs, SG.indicator)).removeprefix(PWS), ds.value(obs, SDMX_DIMENSION.refArea), str(ds.value(obs, SDMX_DIMENSION.refPeriod)), group)
        numbers = [ds.value(obs, p) for p in (SDMX_MEASURE.obsValue, SG.lowerConfidenceLimit, SG.upperConfidenceLimit, SG.numerator)]
        found[key] = tuple(Decimal(str(n)) if n is not None else None for n in numbers)
    ds.close()
    return found


@pytest.fixture
def store(runner, tmp_path):
    path = tmp_path / "store"
    assert _invoke(runner, "init", "--store", path).exit_code == 0
    return path


def test_sample_becomes_the_expected_observations(runner, store):
    before = _observations(store)
    result = _invoke(runner, "fingertips", SAMPLE, "--store", store)
    assert result.exit_code == 0, result.output
    assert "3 values for E06000032 and 2 England comparators; 1 rows for other areas ignored; 1 rows without a value" in result.output
    assert "no indicator in the graph has the Fingertips ID 99999" in result.output
    new = {k: v for k, v in _observations(store).items() if k not in before}
    assert new == {
        ("healthy-life-expectancy-at-birth", LUTON, "2018 - 20", "male-all-ages"): (Decimal("22.2"), Decimal("20.1"), Decimal("24.3"), None),
        ("healthy-life-expectancy-at-birth", ENGLAND, "2018 - 20", "male-all-ages"): (Decimal("11.1"), Decimal("10.9"), Decimal("11.3"), None),
        ("children-in-absolute-low-income-families", LUTON, "2021/22", "all"): (Decimal("55.5"), None, None, Decimal("666")),
        ("children-in-absolute-low-income-families", ENGLAND, "2021/22", "all"): (Decimal("44.4"), None, None, Decimal("555")),
        ("children-in-absolute-low-income-families", LUTON, "2021/22",
         "16-yrs-county-ua-deprivation-deciles-in-england-imd2019-most-deprived-decile-imd2019"): (Decimal("66.6"), None, None, Decimal("77")),
    }


def test_reimport_replaces_rather_than_duplicates(runner, store):
    _invoke(runner, "fingertips", SAMPLE, "--store", store)
    once = _observations(store)
    assert _invoke(runner, "fingertips", SAMPLE, "--store", store).exit_code == 0
    assert _observations(store) == once


def test_the_imported_values_are_well_formed_and_feed_the_gap_rules(runner, store):
    _invoke(runner, "fingertips", SAMPLE, "--store", store)
    import json

    gaps = json.loads(_invoke(runner, "gaps", "--store", store, "--format", "json", "--fail-on", "none").output)
    assert not [g for g in gaps if g["rule"].startswith("well-formed")]


def test_malformed_rows_are_reported_and_nothing_is_written(runner, store, tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",22.2,", ",twenty,")
    lines[4] = lines[4].replace("93701,", "93x01,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _observations(store)
    result = _invoke(runner, "fingertips", bad, "--store", store)
    assert result.exit_code == 1
    assert "bad.csv row 3, column 'Value': 'twenty' is not a number; expected a number, or an empty cell" in result.output
    assert "bad.csv row 5, column 'Indicator ID': '93x01' is not an indicator ID; expected digits, such as 90362" in result.output
    assert _observations(store) == before


def _variant(tmp_path, name: str, edit):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    edit(lines)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_rows_for_one_observation_are_reported_not_merged(runner, store, tmp_path):
    twice = _variant(tmp_path, "twice.csv", lambda lines: lines.insert(3, lines[2].replace(",22.2,", ",25.5,")))
    result = _invoke(runner, "fingertips", twice, "--store", store)
    assert result.exit_code == 1
    assert "twice.csv row 4, column 'Time period': line 3 already gives this indicator a value for E06000032, 2018 - 20" in result.output


def test_rows_differing_only_in_age_are_kept_apart(runner, store, tmp_path):
    ages = _variant(tmp_path, "ages.csv", lambda lines: lines.insert(3, lines[2].replace("All ages", "65+ yrs").replace(",22.2,", ",9.9,")))
    assert _invoke(runner, "fingertips", ages, "--store", store).exit_code == 0
    values = {k[3]: v[0] for k, v in _observations(store).items() if k[0] == "healthy-life-expectancy-at-birth" and k[1] == LUTON}
    assert values == {"male-all-ages": Decimal("22.2"), "male-65-yrs": Decimal("9.9")}


def test_england_values_are_comparators_and_do_not_make_local_data_fresh(runner, store, tmp_path):
    import datetime
    import json

    recent = str(datetime.date.today().year)
    # England has a value for this year; Luton's latest is 2018 - 20.
    fresh_england = _variant(tmp_path, "england.csv", lambda lines: lines.insert(1, lines[1].replace("2018 - 20", recent)))
    assert _invoke(runner, "fingertips", fresh_england, "--store", store).exit_code == 0
    ds = open_graph(store=store)
    marked = {str(ds.value(o, SDMX_DIMENSION.refArea)) for o in ds.subjects(SG.comparator, None)}
    ds.close()
    assert marked == {str(ENGLAND)}
    gaps = json.loads(_invoke(runner, "gaps", "--store", store, "--format", "json", "--fail-on", "none").output)
    stale = {g["label"] for g in gaps if g["rule"] == "indicator-data-out-of-date"}
    assert "Healthy life expectancy at birth" in stale


def test_short_rows_blank_areas_and_bad_areas_are_reported(runner, store, tmp_path):
    def edit(lines):
        lines[2] = ",".join(lines[2].split(",")[:6])  # cut short after Area Name
        lines[5] = lines[5].replace(",E06000032,Luton", ",,Luton", 1)
    odd = _variant(tmp_path, "odd.csv", edit)
    result = _invoke(runner, "fingertips", odd, "--store", store)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "odd.csv row 6, column 'Area Code': empty" in result.output
    assert "odd.csv row 3, column 'Time period': empty" in result.output
    assert _invoke(runner, "fingertips", SAMPLE, "--area", "luton").exit_code == 2


def test_a_file_that_is_not_fingertips_data_exits_2(runner, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = _invoke(runner, "fingertips", path)
    assert result.exit_code == 2 and "not a Fingertips data CSV; missing columns" in result.output


class _FingertipsStub(http.server.BaseHTTPRequestHandler):
    """Serves the test CSV at the API's data path, and remembers what it was asked."""

    requests: ClassVar[list[str]] = []

    def do_GET(self):
        self.requests.append(self.path)
        parsed = urllib.parse.urlparse(self.path)
        if parsed.path != "/api/all_data/csv/by_indicator_id":
            self.send_error(404)
            return
        body = SAMPLE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fingertips_api():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FingertipsStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FingertipsStub.requests = []
    yield f"http://127.0.0.1:{server.server_port}/api/"
    server.shutdown()


def test_download_fetches_the_data_csv_from_the_configured_api(runner, store, fingertips_api):
    result = _invoke(runner, "fingertips", "--download", "90362,93701", "--base-url", fingertips_api, "--store", store)
    assert result.exit_code == 0, result.output
    (request,) = _FingertipsStub.requests
    query = urllib.parse.parse_qs(urllib.parse.urlparse(request).query)
    assert query == {"indicator_ids": ["90362,93701"], "child_area_type_id": ["502"], "parent_area_type_id": ["15"]}
    assert "3 values for E06000032" in result.output


def test_a_download_that_fails_exits_2(runner, fingertips_api):
    result = _invoke(runner, "fingertips", "--download", "90362", "--base-url", fingertips_api + "missing/")
    assert result.exit_code == 2 and "cannot download" in result.output
    result = _invoke(runner, "fingertips", "--download", "90362;drop", "--base-url", fingertips_api)
    assert result.exit_code == 2 and "expected Fingertips indicator IDs" in result.output
    assert len(_FingertipsStub.requests) == 1  # the bad ID never reached the server


def test_strategies_whose_indicators_share_an_import_stay_units_of_their_own(runner, tmp_path):
    """The groups, areas and data set an import describes once are cited by every strategy, and join none of them.

    Each strategy is validated again on its own (in parallel, where there are
    many), and the kept reports are still what pySHACL finds on the whole graph.
    """
    from graph.engine import load, units
    from tests.conftest import copies
    from tests.test_units import _kept, _pyshacl

    store = tmp_path / "store"
    load(store, copies(tmp_path, 2))
    result = _invoke(runner, "fingertips", SAMPLE, "--store", store)
    assert result.exit_code == 0, result.output
    # Both strategies' indicators took the values, with a population group of their own (a deprivation decile).
    assert "6 values for E06000032 and 4 England comparators" in result.output
    ds = open_graph(store=store)
    try:
        covered = sorted(sorted(str(s) for s in ds.objects(URIRef(r.value), SG.covers)) for r in units.kept(ds.store._inner))
        # The two strategies, and the shared graph of areas, groups and the data set, which covers no strategy.
        assert covered == [[], ["http://example.org/copy0/strategy"], ["http://example.org/copy1/strategy"]]
        assert _kept(ds) == _pyshacl(ds)
    finally:
        ds.close()
