"""The theory of change as a board reads it: a lane for each outcome, arrows by strength, on screen and on A3 paper.

Every expectation is read from the graph by a query of its own, not from the diagram's code.
"""

import io
import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from tests.conftest import REPO
from viewer import create_app

SVG = {"s": "http://www.w3.org/2000/svg"}
HREF = "{http://www.w3.org/1999/xlink}href"
PREFIXES = """PREFIX sg: <https://w3id.org/strategy-graph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
VALE = "https://w3id.org/strategy-graph/id/example-vale/"


@pytest.fixture(scope="module")
def svg(app):
    """Luton's whole diagram (the conftest's app: the packaged dataset)."""
    return ET.fromstring(app.test_client().get("/theory-of-change.svg").data)


def _extent(group) -> tuple[float, float, float, float]:
    """The bounding box of a node's or cluster's outline."""
    shape = group.find("s:path", SVG) if group.find("s:path", SVG) is not None else group.find(".//s:path", SVG)
    if shape is None:
        shape = group.find(".//s:polygon", SVG)
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def _boxes(svg) -> dict[str, tuple]:
    """Each box's extent, by the IRI its link opens."""
    found = {}
    for group in svg.iterfind(".//s:g[@class]", SVG):
        if group.get("class").startswith("node "):
            href = group.find(".//s:a", SVG).get(HREF)
            found[href.split("iri=", 1)[1]] = _extent(group)
    return found


def _clusters(svg) -> dict[str, tuple]:
    return {group.find("s:title", SVG).text: _extent(group) for group in svg.iterfind(".//s:g[@class='cluster']", SVG)}


def _inside(inner, outer) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _reaches(ds) -> dict[str, set[str]]:
    """Each work stream's and intervention's outcomes, reached through work streams (not through other outcomes)."""
    query = PREFIXES + """
    SELECT ?work ?outcome WHERE {
      VALUES ?kind { sg:Workstream sg:Intervention } ?work a ?kind ; sg:contributesTo+ ?outcome .
      ?outcome a sg:Outcome .
      FILTER NOT EXISTS { ?work sg:contributesTo+ ?mid . ?mid a sg:Outcome ; sg:contributesTo+ ?outcome }
    }"""
    found: dict[str, set[str]] = {}
    for row in ds.query(query):
        found.setdefault(str(row.work), set()).add(str(row.outcome))
    return found


def test_lutons_diagram_at_its_own_size_is_as_wide_as_a_wide_screen_not_wider(svg):
    """On screen the diagram is drawn at its own size, never shrunk: Luton's one priority fits 1,400 px across, and scrolls down."""
    width = float(svg.get("width").removesuffix("pt")) * 4 / 3  # CSS pixels
    assert width <= 1400 - 2 * 24, width  # the window less the page's margins
    sizes = {float(t.get("font-size")) for t in svg.iterfind(".//s:text", SVG)}
    assert min(sizes) >= 10  # points, at the diagram's own size: 13.3 px


def test_each_outcomes_work_sits_in_its_lane_and_unlinked_work_in_its_panel(svg, ds):
    boxes, clusters = _boxes(svg), _clusters(svg)
    reaches = _reaches(ds)
    outcomes = [str(r.o) for r in ds.query(PREFIXES + "SELECT ?o WHERE { ?o a sg:Outcome }")]
    lane_of = {o: next(name for name, extent in clusters.items() if name.startswith("cluster_lane") and _inside(boxes[o], extent))
               for o in outcomes}
    assert len(set(lane_of.values())) == len(outcomes) == 5  # a lane each
    for work, reached in reaches.items():
        assert any(_inside(boxes[work], clusters[lane_of[o]]) for o in reached), work
    works = {str(r.w) for r in ds.query(PREFIXES + "SELECT ?w WHERE { VALUES ?k { sg:Workstream sg:Intervention } ?w a ?k }")}
    unlinked = {w for w in works - set(reaches) if w in boxes}
    assert len(unlinked) >= 7  # Luton's seven work streams that reach no target outcome, and Family Hubs
    assert all(_inside(boxes[w], clusters["cluster_unlinked"]) for w in unlinked)
    panel = next(g for g in svg.iterfind(".//s:g[@class='cluster']", SVG) if g.find("s:title", SVG).text == "cluster_unlinked")
    assert "Work not linked to any target outcome" in " ".join(t.text or "" for t in panel.iterfind(".//s:text", SVG))


def test_each_arrow_shows_its_strength_and_says_its_rationale_and_assumptions(svg, ds, client):
    query = PREFIXES + """
    SELECT ?c ?from ?to ?strength ?rationale (GROUP_CONCAT(?assumed; separator="|") AS ?assumptions) WHERE {
      ?x sg:qualifiedContribution ?c ; rdfs:label ?from . ?c sg:contributionTo/rdfs:label ?to .
      OPTIONAL { ?c sg:strength/skos:prefLabel ?strength } OPTIONAL { ?c sg:rationale ?rationale }
      OPTIONAL { ?c sg:assumption/rdfs:label ?assumed }
    } GROUP BY ?c ?from ?to ?strength ?rationale"""
    edges = {g.find("s:title", SVG).text: g for g in svg.iterfind(".//s:g[@class]", SVG) if g.get("class").startswith("edge")}
    assert not any(re.fullmatch(r"n\d+->n\d+", title) for title in edges)  # Graphviz's own names, never shown
    dash = {"strong": None, "moderate": None, "weak": "5,2", None: "1,5"}
    rows = list(ds.query(query))
    assert len(rows) >= 18
    for row in rows:
        title, group = next((t, g) for t, g in edges.items() if t.startswith(f"{row['from']} → {row.to}."))
        strength = str(row.strength) if row.strength else None
        assert f"Strength: {strength or 'strength not stated'}." in title
        assert (str(row.rationale).rstrip(".") if row.rationale else "No rationale given") in title
        for assumption in filter(None, str(row.assumptions or "").split("|")):
            assert assumption.rstrip(".") in title
        line = group.find(".//s:path", SVG)
        assert line.get("stroke-dasharray") == dash[strength], title
        assert (float(line.get("stroke-width", "1")) > 2) == (strength == "strong"), title
        assert group.find(".//s:a", SVG).get(HREF) == f"/resource?iri={row.c}"  # its page: the Contribution
    page = client.get(f"/resource?iri={rows[0].c}")
    assert page.status_code == 200 and str(rows[0].to) in page.get_data(as_text=True)


def test_the_pdf_is_the_strategy_on_a3_then_a_page_for_each_outcomes_chain_and_one_for_unlinked_work(client, ds):
    pdf = PdfReader(io.BytesIO(client.get("/theory-of-change.pdf").data))
    outcomes = sorted(str(r.l) for r in ds.query(PREFIXES + "SELECT ?l WHERE { ?o a sg:Outcome ; rdfs:label ?l }"))
    assert len(pdf.pages) == 1 + len(outcomes) + 1
    chains = []
    for page in pdf.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (1191, 842)  # A3 landscape, points
        sizes = []

        def seen(text, cm, tm, font, size, *, sizes=sizes):  # this page's sizes, bound now (B023)
            if text.strip():  # the text's size as printed: its font size through the text and page matrices
                c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
                sizes.append(size * (c * c + d * d) ** 0.5)

        # Graphviz's PDF writes ligatures ("ﬁ"): NFKC reads them as letters.
        words = " ".join(unicodedata.normalize("NFKC", page.extract_text(visitor_text=seen)).split())
        assert min(sizes) >= 7, min(sizes)
        chains.append(words)
    assert all(label in chains[0] for label in outcomes)
    for label, words in zip(sorted(outcomes), sorted(chains[1:-1], key=lambda w: w.split("The chain of ", 1)[1])):
        assert words.split("The chain of ", 1)[1].startswith(label.split()[0]) and label in words
        assert sum(other in words for other in outcomes) == 1
    works = {str(r.w): str(r.l) for r in ds.query(PREFIXES + "SELECT ?w ?l WHERE { VALUES ?k { sg:Workstream sg:Intervention } ?w a ?k ; rdfs:label ?l }")}
    unlinked = [label for work, label in works.items() if work not in _reaches(ds)]
    assert "Work not linked to any target outcome" in chains[-1] and len(unlinked) >= 7
    assert all(label in chains[-1] for label in unlinked) and not any(label in chains[-1] for label in outcomes)


def test_a_priority_shows_the_chains_of_its_outcomes_only():
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig"]})
    client = app.test_client()
    ds = app.extensions["snapshot"].graph
    outcomes = {str(r.o) for r in ds.query(PREFIXES + "SELECT ?o WHERE { ?o a sg:Outcome }")}
    priorities = [str(r.p) for r in ds.query(PREFIXES + "SELECT ?p WHERE { ?p a sg:StrategicPriority }")]
    assert len(priorities) == 5  # four, and fair work published under live well
    for priority in priorities:
        # Its target outcomes and those of the priorities published under it, and the earlier outcomes of their chains.
        wanted = {str(r.o) for r in ds.query(PREFIXES + f"SELECT ?o WHERE {{ ?p <http://purl.org/dc/terms/isPartOf>* <{priority}> ; "
                                                        "sg:hasTargetOutcome ?t . ?o a sg:Outcome ; sg:contributesTo* ?t }")}
        shown = set(_boxes(ET.fromstring(client.get(f"/theory-of-change.svg?priority={priority}").data)))
        assert shown & outcomes == wanted and priority in shown
    assert client.get("/theory-of-change?priority=https://example.org/none").status_code == 404
    app.extensions["sparql"].close()


def test_the_keyboard_alone_zooms_the_diagram_and_opens_a_box(browser, luton_server):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(luton_server + "/theory-of-change")
    width = lambda: page.evaluate("document.querySelector('figure.diagram svg').getBoundingClientRect().width")
    home = width()
    figure = page.locator("figure.diagram")
    box = figure.bounding_box()
    assert box["width"] <= 1440 and page.evaluate("document.documentElement.scrollWidth") <= 1440  # the frame scrolls, not the page
    figure.focus()
    page.keyboard.press("+")
    assert width() > home
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.querySelector('figure.diagram').scrollLeft") > 0
    page.keyboard.press("0")
    assert width() == home
    page.keyboard.press("Tab")  # the first box
    focused = page.evaluate("document.activeElement.getAttribute('xlink:href') || document.activeElement.getAttribute('href')")
    assert focused.startswith("/resource?iri=")
    detail = page.inner_text("#diagram-detail")
    assert detail and "Point at a box" not in detail
    page.keyboard.press("Enter")
    page.wait_for_url("**" + focused)
    page.goto(luton_server + "/theory-of-change")
    # A point of the arrow's line where the arrow is what the pointer meets: the middle of its box may lie off the
    # line, and a part of the line may run under a lane's background.
    arrow = page.locator("g.edge.contributes a path").first
    arrow.scroll_into_view_if_needed()
    point = arrow.evaluate("p => { const m = p.getScreenCTM(), a = p.closest('a');"
                           " for (let i = 1; i < 40; i++) { const q = p.getPointAtLength(p.getTotalLength() * i / 40);"
                           "   const x = q.x * m.a + q.y * m.c + m.e, y = q.x * m.b + q.y * m.d + m.f;"
                           "   if (a.contains(document.elementFromPoint(x, y))) return [x, y]; } return null; }")
    assert point, "the arrow is covered along its whole length"
    page.mouse.move(*point)
    assert "Rationale:" in page.inner_text("#diagram-detail")
    page.close()


def test_printed_the_legend_keeps_its_colours_and_says_nothing_of_pointing(browser, luton_server):
    page = browser.new_page()
    page.goto(luton_server + "/theory-of-change")
    page.emulate_media(media="print")
    legend = page.inner_text("section.legend")
    assert "A red border marks a gap" in legend and "point" not in legend.lower() and "hover" not in legend.lower()
    swatches = page.eval_on_selector_all("section.legend .swatch", "els => els.map(e => getComputedStyle(e).printColorAdjust)")
    assert len(swatches) == 6 and set(swatches) == {"exact"}
    for hidden in (".diagram-tools", "#diagram-detail", "header"):
        assert not page.is_visible(hidden), hidden
    assert page.is_visible("figure.diagram svg")
    page.emulate_media(media="screen")
    assert "point at the box, or tab to it" in page.inner_text("section.legend")
    page.close()
