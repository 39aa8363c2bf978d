"""Indicators as scorecards: a scaled axis, England as its own series, baseline and target marked and stated in words,
the direction of travel judged against the polarity.

The expected figures are read from the example graphs by queries written here.
"""

import re

import pytest

from tests.conftest import REPO
from viewer import create_app

VALE = "https://w3id.org/strategy-graph/id/example-vale/"
TOWN = "https://w3id.org/strategy-graph/id/example-town/"
PREFIXES = """PREFIX sg: <https://w3id.org/strategy-graph/def#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
"""


@pytest.fixture(scope="module")
def examples():
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig", REPO / "examples" / "example-town.trig"]})
    yield app.test_client(), app.extensions["snapshot"].graph
    app.extensions["sparql"].close()


def _scorecard(client, indicator: str) -> str:
    page = client.get(f"/resource?iri={indicator}").get_data(as_text=True)
    return page.split('<section class="trend scorecard">', 1)[1].split("</section>", 1)[0]


def test_a_scorecard_has_a_scaled_axis_both_series_and_its_baseline_and_target_in_words(examples):
    client, ds = examples
    indicator = VALE + "indicator/school-readiness"
    card = _scorecard(client, indicator)
    own_area = "<http://example.org/area/example-vale>"
    rows = ds.query(PREFIXES + f"""SELECT ?period ?value (BOUND(?mine) AS ?own) WHERE {{
        ?o sg:indicator <{indicator}> ; sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?value ;
           sg:populationGroup <https://w3id.org/strategy-graph/def/population-group/all> .
        FILTER NOT EXISTS {{ <{indicator}> sg:hasBaseline ?o }}
        OPTIONAL {{ ?o sdmx-dimension:refArea ?mine FILTER (?mine = {own_area}) }} }} ORDER BY ?period""")
    own = [(str(r.period), float(r.value)) for r in rows if r.own.toPython()]
    england = [(str(r.period), float(r.value)) for r in rows if not r.own.toPython()]
    assert len(own) >= 2 and england
    table = card.split('<table class="values">', 1)[1]
    for period, value in own:
        assert re.search(rf"<th scope=\"row\">{re.escape(period)}</th><td>{value:g}</td>", table)
    for period, value in england:
        assert re.search(rf"<th scope=\"row\">{re.escape(period)}</th><td>[^<]*</td><td>{value:g}</td>", table)
    ticks = [float(t) for t in re.findall(r'text-anchor="end" font-size="11">(-?[\d.]+)</text>', card)]
    assert len(ticks) >= 3 and ticks == sorted(ticks) and ticks[0] <= min(v for _, v in own + england)
    (base,) = ds.query(PREFIXES + f"SELECT ?v ?p WHERE {{ <{indicator}> sg:hasBaseline ?b . ?b sdmx-measure:obsValue ?v ; "
                                  "sdmx-dimension:refPeriod ?p ; sg:populationGroup <https://w3id.org/strategy-graph/def/population-group/all> ; "
                                  f"sdmx-dimension:refArea {own_area} }}")
    (target,) = ds.query(PREFIXES + f"SELECT ?v ?d WHERE {{ <{indicator}> sg:hasTarget ?t . ?t sg:targetValue ?v ; sg:targetDate ?d "
                                    "FILTER NOT EXISTS { ?t sg:populationGroup ?g "
                                    "FILTER (?g != <https://w3id.org/strategy-graph/def/population-group/all>) } }")
    assert f"Baseline: {float(base.v):g} % in {base.p}." in card and f"Target: {float(target.v):g} % by {target.d}." in card
    assert "this area</text>" in card and "England</text>" in card and "baseline</text>" in card and "target</text>" in card
    assert "/target/" not in card  # stated in words, never as an IRI
    # Higher is better for this indicator: a rise between the last two values is an improvement.
    (_, before), (period, last) = own[-2:]
    assert f"Direction of travel:</strong> {'improving: rising' if last > before else 'getting worse: falling'} in {period}." in card


def test_a_baseline_or_target_is_named_in_words_on_the_indicators_page(examples):
    client, _ = examples
    page = client.get(f"/resource?iri={VALE}indicator/school-readiness").get_data(as_text=True)
    says = page.split("<h2>What it says</h2>", 1)[1].split("</section>", 1)[0]
    assert re.search(r'has baseline</td><td><a href="/resource\?iri=[^"]+">64 % in 2023/24</a>', says)
    assert re.search(r'has target</td><td><a href="/resource\?iri=[^"]+">70 % by 2030</a>', says)


def test_an_indicator_with_no_values_still_shows_its_baseline_and_target(examples):
    client, ds = examples
    indicator = TOWN + "indicator/footfall"
    assert not list(ds.query(PREFIXES + f"SELECT ?o WHERE {{ ?o sg:indicator <{indicator}> FILTER NOT EXISTS {{ <{indicator}> sg:hasBaseline ?o }} }}"))
    card = _scorecard(client, indicator)
    assert "No values are recorded yet." in card and "Direction of travel:</strong> not enough values to say." in card
    assert "Baseline: " in card and "none stated" not in card.split("Target:")[0]
    assert "<svg" in card and card.count("<rect") == 2  # the baseline and the target, marked at their periods
