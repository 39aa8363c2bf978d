"""The theory of change as a board reads it (issue 25, items 5 to 7): large enough to read on a wide screen and a phone,
each box naming its indicators with their latest values, and every printed page carrying the legend, title, date and number.

Expectations come from the datasets' source files (the CSVs of examples/example-vale, the TriG of datasets/luton-pws),
read here with the csv module and a plain rdflib graph, not from the program.
"""

import csv
import datetime
import io
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader
from rdflib import Dataset

from tests.conftest import REPO, running_server
from viewer import close, create_app

SVG = {"s": "http://www.w3.org/2000/svg"}
VALE = REPO / "examples" / "example-vale"
LUTON = REPO / "datasets" / "luton-pws"
# The two screens of the issue: a wide one, and a phone (as a phone: its viewport meta tag applies, a finger scrolls).
SCREENS = {"wide": {"viewport": {"width": 1400, "height": 1000}},
           "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}
# The rendered size of every piece of text in the diagram (its computed font size times the scale its SVG is drawn at
# on screen, through every transform), where the diagram's top is on the page, and how wide the page is.
MEASURE = """() => {
  const svg = document.querySelector('figure.diagram svg');
  const sizes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
  });
  return {smallest: Math.min(...sizes), texts: sizes.length, top: svg.getBoundingClientRect().top + window.scrollY,
          pageWidth: document.documentElement.scrollWidth, zoom: window.visualViewport.scale,
          priorities: svg.querySelectorAll('g.node.priority').length};
}"""


def _rows(name: str) -> list[dict]:
    with open(VALE / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _words(text: str) -> str:
    """Text as read: ligatures as letters (Graphviz's PDF writes "ﬁ"), every run of spaces one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="module")
def vale_server(tmp_path_factory):
    """`strategy-graph serve` on the invented four-priority example."""
    with running_server(tmp_path_factory.mktemp("vale"), "--data", str(REPO / "examples" / "example-vale.trig")) as base:
        yield base


@pytest.mark.parametrize("screen", sorted(SCREENS))
@pytest.mark.parametrize("example", ["luton", "vale"])
def test_box_text_is_12px_or_more_and_the_diagram_starts_on_the_first_screen(browser, request, example, screen):
    """Every view of the diagram, a priority at a time and all together, at its own size: nothing shrunk to fit the frame."""
    base = request.getfixturevalue(f"{example}_server")
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    page.goto(base + "/theory-of-change")
    tabs = page.eval_on_selector_all("nav.priorities a", "links => links.map(a => a.getAttribute('href'))")
    priorities = len(_rows("Priorities")) if example == "vale" else 1  # Luton's summary gives one priority
    if priorities > 1:
        assert len(tabs) == priorities + 1  # one view a priority, and one of all of them
        # The first view is the first priority's chains (with any other priority an outcome of it serves), not the whole strategy shrunk.
        assert page.evaluate(MEASURE)["priorities"] < priorities
    for view in ["/theory-of-change"] + tabs:
        page.goto(base + view)
        seen = page.evaluate(MEASURE)
        height = SCREENS[screen]["viewport"]["height"]
        assert seen["texts"] > 0 and seen["smallest"] >= 12, (view, seen)
        assert seen["top"] < height, (view, seen)  # within the first screen
        assert seen["pageWidth"] <= SCREENS[screen]["viewport"]["width"] and seen["zoom"] == 1, (view, seen)  # no pinching
    context.close()


def _vale_readings() -> dict[str, list[tuple[str, str, str]]]:
    """Each outcome's indicators as the example's CSVs give them: name, latest value of the area for everyone, direction of travel."""
    area = _rows("Strategy")[0]["area"]
    outcomes = {row["id"]: row["outcome"] for row in _rows("Outcomes")}
    observations = _rows("Observations")
    found: dict[str, list] = {}
    for indicator in _rows("Indicators"):
        own = sorted((o["period"], o["value"]) for o in observations
                     if o["indicator"] == indicator["id"] and o["area"] in ("", area) and not o["population group"])
        latest = f"{own[-1][1]} {indicator['unit']} in {own[-1][0]}" if own else ""
        direction = ""
        if len(own) > 1:
            before, last = float(own[-2][1]), float(own[-1][1])
            moved = "rising" if last > before else "falling"
            better = {"higher is better": "rising", "lower is better": "falling"}[indicator["polarity"]]
            direction = f"{'improving' if moved == better else 'getting worse'}: {moved} in {own[-1][0]}"
        for measured in indicator["measures"].split(";"):
            found.setdefault(outcomes[measured.strip()], []).append((indicator["indicator"], latest, direction))
    return found


def _check_box(words: str, readings: list[tuple[str, str, str]]) -> None:
    """A box's words name each indicator, with its latest value and direction where the source has them, and invent none."""
    for name, latest, direction in readings:
        assert name in words, name
        if latest:
            assert f"{name}: {latest}" in words, (name, latest, words)
        else:
            assert f"{name}:" not in words, name
        if direction:
            assert f"{latest}; {direction}" in words, (name, direction, words)
        elif latest:
            assert f"{latest};" not in words, name


def test_each_outcome_names_its_indicators_with_latest_value_and_direction_on_screen_and_in_the_pdf():
    readings = _vale_readings()
    assert len(readings) == 6 and any(direction for rows in readings.values() for _, _, direction in rows)
    assert any(latest and not direction for rows in readings.values() for _, latest, direction in rows)  # one value: no direction
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig"]})
    try:
        client = app.test_client()
        svg = ET.fromstring(client.get("/theory-of-change.svg").data)
        boxes = [_words(" ".join(t.text or "" for t in group.iterfind(".//s:text", SVG)))
                 for group in svg.iterfind(".//s:g[@class]", SVG) if group.get("class").startswith("node outcome")]
        for row in _rows("Outcomes"):
            outcome = row["outcome"]  # its published code, if it has one, stands before it
            box = next(words for words in boxes if words.startswith(f"{row.get('code', '')} {outcome}".strip()))
            _check_box(box, readings.get(outcome, []))
            assert ("Measured by" in box) == (outcome in readings)
        pages = [_words(page.extract_text()) for page in PdfReader(io.BytesIO(client.get("/theory-of-change.pdf").data)).pages]
        for outcome, rows in readings.items():
            _check_box(next(words for words in pages if f"The chain of {outcome}" in words), rows)
    finally:
        close(app)


def test_lutons_temporary_accommodation_count_is_on_its_work_streams_box_and_list(client):
    source = Dataset(default_union=True)
    for path in LUTON.glob("*.trig"):
        source.parse(path, format="trig")
    query = """PREFIX sg: <https://w3id.org/strategy-graph/def#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
    SELECT ?name ?unit ?polarity ?box ?period ?value WHERE {
      ?indicator a sg:Indicator ; rdfs:label ?name ; sg:unit ?unit ; sg:polarity ?polarity ; sg:measures/rdfs:label ?box .
      ?obs sg:indicator ?indicator ; sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?value }
    ORDER BY ?period"""
    rows = list(source.query(query))
    assert {str(r.name) for r in rows} == {"Households in temporary accommodation, Luton Borough Council"}  # Luton's only values
    (name,), (unit,), (box,) = {str(r.name) for r in rows}, {str(r.unit) for r in rows}, {str(r.box) for r in rows}
    assert str(rows[0].polarity).endswith("lower-is-better")
    (before, last), period = [int(r.value) for r in rows[-2:]], str(rows[-1].period)
    assert last < before  # 691 then 602: falling, and lower is better
    expected = f"{name}: {last} {unit} in {period}; improving: falling in {period}"
    svg = ET.fromstring(client.get("/theory-of-change.svg").data)
    words = [_words(" ".join(t.text or "" for t in g.iterfind(".//s:text", SVG))) for g in svg.iterfind(".//s:g[@class]", SVG)
             if g.get("class").startswith("node workstream")]
    assert expected in next(w for w in words if w.startswith(box))
    listed = _words(client.get("/theory-of-change").get_data(as_text=True).split("<h2>The same chain as a list</h2>", 1)[1])
    assert f">{name}</a>: {last} {unit} in {period}; improving: falling in {period}" in listed


def test_every_pdf_page_carries_the_legend_the_title_the_date_the_data_changed_and_its_number():
    source = Dataset(default_union=True)
    source.parse(LUTON / "strategy.trig", format="trig")
    (title,) = {str(r.t) for r in source.query("SELECT ?t WHERE { ?s a <https://w3id.org/strategy-graph/def#Strategy> ; "
                                               "<http://www.w3.org/2000/01/rdf-schema#label> ?t }")}
    before = datetime.datetime.now(datetime.UTC).date()
    app = create_app({"TESTING": True})  # its store is written now: the data last changed today
    after = datetime.datetime.now(datetime.UTC).date()
    try:
        pages = PdfReader(io.BytesIO(app.test_client().get("/theory-of-change.pdf").data)).pages
    finally:
        close(app)
    assert len(pages) > 1
    legend = ["Legend", "Vision", "Priority", "Target outcome", "Work stream", "Intervention",  # the colours of the boxes
              "strong", "moderate", "weak", "strength not stated",  # the arrows' styles
              "A red border marks a gap", "Measured by"]
    for number, page in enumerate(pages, 1):
        words = _words(page.extract_text())
        assert all(term in words for term in legend), (number, [t for t in legend if t not in words])
        assert title in words, number
        assert any(f"Data last changed {day.day} {day:%B %Y}" in words for day in {before, after}), number
        assert f"Page {number} of {len(pages)}" in words, number
