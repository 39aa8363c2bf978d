"""Every value a scorecard draws lies inside its axes, and the unit's title never overprints a tick's label (issue 25, item 2).

The plot area is read from the chart's own axis lines.
"""

import re

import pytest
from hypothesis import given, settings, strategies as st
from rdflib import URIRef

from graph.progress import Series, indicator_series
from tests.conftest import REPO
from viewer import close, create_app
from viewer.charts import scorecard

PREFIXES = "PREFIX sg: <https://w3id.org/strategy-graph/def#>\n"
FONT = 11  # the chart's text size, in its own units


def _plot_area(svg: str) -> tuple[float, float]:
    """The y of the axis's top and bottom, from the y axis line (drawn from (left, top) to (left, bottom))."""
    x1, top, x2, bottom = map(float, re.search(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)" stroke="#333"/>', svg).groups())
    assert x1 == x2
    return top, bottom


def _drawn_ys(svg: str) -> list[float]:
    """The y of every drawn value: the points of the series and the marks of the baseline and the target."""
    points = [float(y) for y in re.findall(r'<circle cx="[\d.-]+" cy="([\d.-]+)"', svg)]
    marks = [float(y) + 5 for y in re.findall(r'<rect x="[\d.-]+" y="([\d.-]+)" width="10"', svg)]
    return points + marks


def _assert_inside(svg: str, values: list[float]) -> None:
    top, bottom = _plot_area(svg)
    ys = _drawn_ys(svg)
    assert ys and all(top <= y <= bottom for y in ys), (top, bottom, ys)
    ticks = [float(t) for t in re.findall(r'text-anchor="end" font-size="11">(-?[\d.e+-]+)</text>', svg)]
    assert ticks[0] <= min(values) and ticks[-1] >= max(values)
    unit_y = float(re.search(r'<text class="unit" x="[\d.]+" y="([\d.-]+)"', svg).group(1))
    tick_label_ys = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.-]+)" text-anchor="end"', svg)]
    # Two lines of text a font's height apart or more do not overprint.
    assert all(abs(unit_y - y) >= FONT for y in tick_label_ys), (unit_y, tick_label_ys)


def test_a_value_above_the_last_round_step_is_drawn_inside_the_axis():
    """The issue's case: 691 households, where steps of 200 used to stop the axis at 600."""
    series = Series(unit="households", own=[("2021/22", 412.0), ("2022/23", 691.0), ("2023/24", 585.0)])
    _assert_inside(scorecard(series), [412.0, 691.0, 585.0])


@pytest.fixture(scope="module")
def examples():
    """The viewer on the two invented examples, whose indicators have several values each."""
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig", REPO / "examples" / "example-town.trig"]})
    yield app.test_client(), app.extensions["snapshot"].graph
    close(app)


def _every_scorecard_inside(client, ds) -> int:
    """Checks each indicator's scorecard against its values in the graph; the number of scorecards drawn."""
    indicators = [str(r.i) for r in ds.query(PREFIXES + "SELECT DISTINCT ?i WHERE { ?i a sg:Indicator }")]
    drawn = 0
    for indicator in indicators:
        page = client.get(f"/resource?iri={indicator}").get_data(as_text=True)
        if '<svg class="chart scorecard"' not in page:
            continue
        svg = page.split('<svg class="chart scorecard"', 1)[1].split("</svg>", 1)[0]
        # The geometry is checked against what the read model hands the chart (which values those are is tested elsewhere).
        series = indicator_series(ds, URIRef(indicator))
        values = [v for _, v in series.own + series.comparator] + [v for v in (series.baseline, series.target) if v is not None]
        _assert_inside(svg, values)
        drawn += 1
    return drawn


def test_every_scorecard_of_the_packaged_strategy_keeps_its_values_inside_its_axes(client, ds):
    assert _every_scorecard_inside(client, ds) >= 1


def test_every_scorecard_of_the_examples_keeps_its_values_inside_its_axes(examples):
    assert _every_scorecard_inside(*examples) >= 5


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, derandomize=True)  # the same cases every run: CI never fails by chance
@given(own=st.lists(finite, min_size=1, max_size=8), comparator=st.lists(finite, max_size=8),
       baseline=st.none() | finite, target=st.none() | finite)
def test_any_values_lie_inside_the_axes(own, comparator, baseline, target):
    series = Series(unit="a long unit name", own=[(f"{2000 + i}", v) for i, v in enumerate(own)],
                    comparator=[(f"{2000 + i}", v) for i, v in enumerate(comparator)],
                    baseline=baseline, baseline_period="2000" if baseline is not None else "",
                    target=target, target_date="2030" if target is not None else "")
    values = own + comparator + [v for v in (baseline, target) if v is not None]
    _assert_inside(scorecard(series), values)
