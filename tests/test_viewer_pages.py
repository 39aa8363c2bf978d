"""The viewer's pages: every route, what board members and evaluators read on them, and a real browser."""

import csv
import io
import json
import re
import time

import pytest

from strategy_graph.cli import main
from tests.conftest import DATA, REPO, running_server
from viewer import create_app
from viewer.routes import addresses

PWS = "https://w3id.org/strategy-graph/id/luton-pws/"
SAFER = PWS + "outcome/safer-community"
INDICATOR = PWS + "indicator/households-in-temporary-accommodation-count"
PAGES = addresses(outcome=SAFER, indicator=INDICATOR)
SCREENSHOTS = REPO / "screenshots"


@pytest.fixture(scope="module")
def client():
    app = create_app({"TESTING": True})
    yield app.test_client()
    app.extensions["sparql"].close()


@pytest.fixture(scope="module")
def outcomes(ds):
    query = "SELECT ?l WHERE { ?o a <https://w3id.org/strategy-graph/def#Outcome> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    return sorted(str(r.l) for r in ds.query(query))


def _svg_text(svg: str) -> str:
    """The words of an SVG's text elements, whatever lines Graphviz wrapped them on."""
    return " ".join(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)).split()).replace("&#39;", "'")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("path, status", [
    ("/resource?iri=https://example.org/nothing", 404), ("/resource?iri=not%20an%20iri", 400), ("/resource", 400),
    ("/theory-of-change?outcome=https://example.org/x", 404), ("/theory-of-change.gif", 404), ("/gaps?severity=loud", 400),
    ("/gaps.csv?severity=loud", 400), ("/download/graph.xml", 404), ("/download/ontology/passwd", 404),
    ("/download/shapes/..%2Fpyproject.toml", 404), ("/search?q=" + "x" * 300, 400), ("/no/such/page", 404),
])
def test_bad_addresses_get_plain_errors(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert "Traceback" not in response.get_data(as_text=True)


def test_home_shows_the_strategy_at_a_glance(client, outcomes):
    page = client.get("/").get_data(as_text=True)
    for label in outcomes:
        assert label in page
    assert "Luton 2040 vision</a>" in page
    # Two programmes reach the strategy's work (MMR clinics, Healthier Wealthier Families); Family Hubs reaches nothing of it.
    assert "<strong>22</strong> work streams" in page and "<strong>2</strong> interventions reaching its outcomes or work streams" in page
    assert "Outcome with no funded intervention</a>: 5" in page


def test_theory_of_change_svg_has_the_outcomes_marked_and_linked(client, outcomes):
    svg = client.get("/theory-of-change.svg").get_data(as_text=True)
    words = _svg_text(svg)
    for label in outcomes:
        assert label in words
    assert svg.count('class="node outcome gap"') == 5  # none has a funded intervention
    assert "No funded intervention reaches this outcome" in svg
    assert f'xlink:href="/resource?iri={SAFER}"' in svg


def test_theory_of_change_filtered_to_one_outcome(client, outcomes):
    svg = client.get(f"/theory-of-change.svg?outcome={SAFER}").get_data(as_text=True)
    words = _svg_text(svg)
    assert "a safer community with fewer cases of domestic abuse" in words
    assert sum(label in words for label in outcomes) == 1
    assert "reduced drug and alcohol related harm" in words and "reducing social isolation" not in words


def test_theory_of_change_downloads_for_board_papers(client):
    assert client.get("/theory-of-change.png").data.startswith(b"\x89PNG")
    assert client.get("/theory-of-change.pdf").data.startswith(b"%PDF")
    page = client.get("/theory-of-change").get_data(as_text=True)
    assert "The same chain as a list" in page and 'aria-label="Legend"' in page


def test_an_outcome_page_lists_each_contributor_once_with_its_reason(client, ds):
    """Regression: each work stream was listed twice, as "contributes to" and as "contribution to"."""
    query = ("SELECT ?x ?c WHERE { ?x <https://w3id.org/strategy-graph/def#qualifiedContribution> ?c . "
             f"?c <https://w3id.org/strategy-graph/def#contributionTo> <{SAFER}> }}")
    contributors = {str(r.x): str(r.c) for r in ds.query(query)}
    assert len(contributors) == 2
    page = client.get(f"/resource?iri={SAFER}").get_data(as_text=True)
    pointing = page.split("<h2>What points to it</h2>", 1)[1].split("</section>", 1)[0]
    for contributor, contribution in contributors.items():
        assert pointing.count(f'href="/resource?iri={contributor}"') == 1
        assert pointing.count(f'href="/resource?iri={contribution}"') == 1 and "why: its rationale" in pointing
    assert "contribution to" not in pointing


def test_resource_page_shows_provenance_gaps_and_a_trend(client):
    outcome = client.get(f"/resource?iri={SAFER}").get_data(as_text=True)
    assert "<blockquote>- a safer community with fewer cases" in outcome  # the quoted source line
    assert "No intervention with committed or spent funding contributes" in outcome
    indicator = client.get(f"/resource?iri={INDICATOR}").get_data(as_text=True)
    assert 'class="chart scorecard"' in indicator and indicator.count("<circle") == 3  # the three reported counts
    assert "Asserted by analysis" in indicator
    # The source document is named, and its address given: the council's page on the strategy.
    assert ('Source: <a href="/resource?iri=https://w3id.org/strategy-graph/id/luton-pws/document">Population Wellbeing</a>' in outcome
            and '<a class="iri" href="https://m.luton.gov.uk/Page/Show/Council_government_and_democracy/2040/Pages/'
                'Population-wellbeing-strategy.aspx">' in outcome)


def test_gaps_page_groups_filters_and_downloads(client, ds):
    page = client.get("/gaps?severity=violation").get_data(as_text=True)
    assert 'id="outcome-without-funded-intervention"' in page and "How to close it" in page
    assert 'id="indicator-without-baseline"' not in page
    download = client.get("/gaps.csv?severity=warning").data
    assert download.startswith(b"\xef\xbb\xbfrule,")  # a byte-order mark: Excel reads "–" and "→" as UTF-8
    rows = list(csv.DictReader(io.StringIO(download.decode("utf-8-sig"))))
    assert rows and {r["severity"] for r in rows} == {"violation", "warning"}
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/gaps.xlsx?severity=warning").data)).active
    cells = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == list(rows[0]) and cells[1:] == [list(r.values()) for r in rows]
    assert client.get("/gaps.ods").status_code == 404


def test_analysis_page(client):
    page = client.get("/analysis").get_data(as_text=True)
    assert page.count('<table class="heat">') == 2
    assert "No committed or spent funding reaches any outcome." in page
    assert "depends on a single owner" in page
    assert "<h2>Themes</h2>" in page and "No outcome, work stream or intervention has a theme." in page  # Luton tags none
    # The MMR clinics are not stated to be part of the strategy: shown apart, never as a weak point.
    weak, outside = page.split("<h3>Work from outside the strategy</h3>")[0], page.split("<h3>Work from outside the strategy</h3>")[1].split("<h3>")[0]
    assert "Monthly MMR vaccination clinics" in outside and "Monthly MMR vaccination clinics" not in weak.split("<h2>Weak points</h2>")[1]


def test_network_data_is_json_with_every_node(client):
    page = client.get("/network").get_data(as_text=True)
    data = json.loads(re.search(r'id="network-data">(.*?)</script>', page, re.S).group(1))
    assert len(data["nodes"]) == 1 + 1 + 1 + 5 + 22 + 3  # strategy, vision, priority, outcomes, work streams, interventions
    assert all(n["url"].startswith("/resource?iri=") for n in data["nodes"])


def test_search_and_downloads(client):
    found = client.get("/search?q=temporary accommodation").get_data(as_text=True)
    assert "reducing homelessness and temporary accommodation" in found
    assert client.get("/download/graph.trig").headers["Content-Disposition"] == 'attachment; filename="strategy-graph.trig"'
    assert b"owl:Ontology" in client.get("/download/ontology/strategy-graph.ttl").data
    assert b"sh:NodeShape" in client.get("/download/shapes/gaps.ttl").data


def test_hostile_labels_are_text_on_every_page():
    app = create_app({"TESTING": True, "DATA": [DATA / "hostile-labels.ttl"]})
    client = app.test_client()
    for path in ["/", "/theory-of-change", "/theory-of-change.svg", "/gaps", "/analysis", "/network", "/search?q=alert",
                 "/resource?iri=http://example.org/hostile/outcome"]:
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, path
    app.extensions["sparql"].close()


# In Chromium --------------------------------------------------------------------------------------------

def test_every_page_loads_in_chromium_offline_and_cleanly(browser, luton_server):
    SCREENSHOTS.mkdir(exist_ok=True)
    for path in PAGES:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        problems, outside = [], []
        # Each handler holds this page's lists, bound when it is made (B023).
        page.on("console", lambda m, *, problems=problems: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e, *, problems=problems: problems.append(str(e)))
        page.on("request", lambda r, *, outside=outside: outside.append(r.url) if not r.url.startswith(luton_server) else None)
        page.goto(luton_server + path)
        page.wait_for_load_state("networkidle")
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "home"
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        page.close()
        assert problems == [], path
        assert outside == [], path


def test_the_network_keeps_its_boxes_apart_and_opens_a_found_node_with_enter(browser, luton_server):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(luton_server + "/network")
    # Polled from here: wait_for_function evaluates a string in the page, which its Content-Security-Policy forbids.
    settled = "(() => { const n = document.getElementById('network').network; return !!n && !n.physics.options.enabled; })()"
    deadline = time.monotonic() + 60
    while not page.evaluate(settled):
        assert time.monotonic() < deadline, "the network did not settle"
        page.wait_for_timeout(200)
    boxes = page.evaluate("(() => { const n = document.getElementById('network').network; return n.body.nodeIndices.map(id => n.getBoundingBox(id)); })()")
    assert len(boxes) == 33
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"], (a, b)
    page.fill("#find", "safer community")
    page.keyboard.press("Enter")  # finds it
    page.keyboard.press("Enter")  # opens it
    page.wait_for_url(f"**/resource?iri={SAFER}")
    page.close()


def test_the_network_lists_the_same_nodes_for_small_screens_and_screen_readers(client):
    page = client.get("/network").get_data(as_text=True)
    data = json.loads(re.search(r'id="network-data">(.*?)</script>', page, re.S).group(1))
    listed = page.split("<h2>The same nodes as a list</h2>", 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<li><a href="([^"]+)">', listed)
    assert sorted(links) == sorted(n["url"] for n in data["nodes"]) and len(links) == 33


def test_no_page_scrolls_sideways_on_a_phone(browser, luton_server):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for path in PAGES:
        page.goto(luton_server + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    # A wide table scrolls in a box of its own, named, which the keyboard can reach.
    page.goto(luton_server + "/analysis")
    boxes = page.locator("div.wide")
    assert boxes.count() == 2
    for i in range(boxes.count()):
        assert boxes.nth(i).get_attribute("tabindex") == "0" and "scrolls sideways" in boxes.nth(i).get_attribute("aria-label")
    page.close()


def test_clicking_a_box_of_the_theory_of_change_opens_its_page(browser, luton_server, outcomes):
    page = browser.new_page()
    page.goto(luton_server + "/theory-of-change")
    words = _svg_text(page.inner_html("figure.diagram"))
    assert all(label in words for label in outcomes)
    # Graphviz writes SVG links as xlink:href, which CSS attribute selectors do not see.
    page.locator(f'xpath=//*[local-name()="a" and @*[local-name()="href"]="/resource?iri={SAFER}"]').first.click()
    page.wait_for_url(f"**/resource?iri={SAFER}")
    assert page.inner_text("h1").startswith("a safer community")
    page.close()


def test_hostile_labels_never_run_in_chromium(browser, tmp_path):
    with running_server(tmp_path, "--data", str(DATA / "hostile-labels.ttl")) as base:
        # With the Content-Security-Policy bypassed, only escaping stands between a label and the page.
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in ["/", "/theory-of-change", "/network", "/resource?iri=http://example.org/hostile/outcome", "/search?q=alert"]:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            assert page.locator("main img, main script:not([src]):not([type=\"application/json\"])").count() == 0, path
        page.goto(base + "/")
        assert "<script>alert('strategy')</script>" in page.inner_text("h1")
        context.close()
    assert dialogs == []


def test_awkward_values_are_shown_not_fatal(runner):
    """Regression: a backslash in a label crashed gap finding, a control character the diagram,
    a value that is no number the indicator's page; a label could run as a spreadsheet formula."""
    app = create_app({"TESTING": True, "DATA": [DATA / "awkward-values.ttl"]})
    client = app.test_client()
    for path in ["/", "/theory-of-change", "/theory-of-change.svg", "/theory-of-change?outcome=", "/gaps", "/analysis",
                 "/network", "/resource?iri=http://example.org/awkward/indicator", "/resource?iri=http://example.org/awkward/stream"]:
        assert client.get(path).status_code == 200, path
    assert "C:\\new\\1 \\g&lt;0&gt; outcome" in client.get("/gaps").get_data(as_text=True)
    assert "bell and stream" in client.get("/theory-of-change").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/gaps.csv").data.decode("utf-8-sig"))))
    labels = {row["label"] for row in rows}
    assert "'=HYPERLINK(\"http://example.org\",\"x\")" in labels and not any(v[:1] in "=+-@" for row in rows for v in row.values())
    app.extensions["sparql"].close()
    result = runner.invoke(main, ["gaps", "--format", "csv", "--fail-on", "none", "--data", str(DATA / "awkward-values.ttl")])
    assert result.exit_code == 0 and "'=HYPERLINK" in result.output


@pytest.mark.parametrize("iri", ["http://x/%25", "http://x/%5B", "http://x/%01", "http://x/a%3Eb"])
def test_iris_the_store_would_refuse_are_bad_requests(client, iri):
    """Regression: IRIs that passed a loose pattern but not the SPARQL parser gave a server error."""
    assert client.get("/resource?iri=" + iri).status_code == 400


def test_theory_of_change_boxes_never_overlap_and_hold_their_labels(client):
    """The layout is Graphviz's: no two boxes intersect, and each label starts inside its own box."""
    import xml.etree.ElementTree as ET

    svg = ET.fromstring(client.get("/theory-of-change.svg").data)
    ns = {"s": "http://www.w3.org/2000/svg"}
    boxes = []
    for node in svg.iterfind(".//s:g[@class]", ns):
        if not node.get("class").startswith("node "):
            continue
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", node.find(".//s:path", ns).get("d"))]
        xs, ys = numbers[0::2], numbers[1::2]
        box = (min(xs), min(ys), max(xs), max(ys))
        for text in node.iterfind(".//s:text", ns):
            x, y = float(text.get("x")), float(text.get("y"))
            assert box[0] <= x <= box[2] and box[1] <= y <= box[3], text.text
        boxes.append(box)
    assert len(boxes) >= 29  # vision, priority, five outcomes, 22 work streams
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_home_lists_several_strategies_each_with_its_own_figures_and_never_a_sum(tmp_path):
    from tests.conftest import WORKBOOK_IDS, copies
    from viewer import create_app

    client = create_app({"TESTING": True, "DATA": copies(tmp_path, 2, WORKBOOK_IDS)}).test_client()
    listing = client.get("/").get_data(as_text=True)
    assert listing.count('href="/?strategy=copy') == 2 and "Strategies (2)" in listing
    assert "<td>22</td>" in listing and "<td>44</td>" not in listing  # each strategy's 22 work streams, not 44
    one = client.get("/?strategy=copy1").get_data(as_text=True)
    assert "Outcome with no funded intervention</a>: 5" in one  # its own five outcomes, not both strategies' ten
    assert "<strong>22</strong> work streams" in one and "All 2 strategies" in one
    assert client.get("/?strategy=luton-pws").status_code == 404


_COMPARED = """@prefix sg: <https://w3id.org/strategy-graph/def#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> . @prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix ex: <http://example.org/> . @prefix group: <https://w3id.org/strategy-graph/def/population-group/> .
ex:strategy a sg:Strategy ; rdfs:label "An invented strategy" ; dcterms:spatial ex:town .
ex:outcome a sg:Outcome ; rdfs:label "An invented outcome" ; dcterms:isPartOf ex:strategy .
ex:indicator a sg:Indicator ; rdfs:label "An invented indicator" ; sg:measures ex:outcome ; sg:hasBaseline ex:own-base , ex:england-base .
ex:own-base a sg:Observation ; sg:indicator ex:indicator ; sdmx-dimension:refArea ex:town ; sdmx-dimension:refPeriod "2021" ;
    sg:populationGroup group:all ; sdmx-measure:obsValue 40 .
ex:england-base a sg:Observation ; sg:indicator ex:indicator ; sdmx-dimension:refArea ex:england ; sdmx-dimension:refPeriod "2021" ;
    sg:populationGroup group:all ; sdmx-measure:obsValue 60 .
ex:own-2023 a sg:Observation ; sg:indicator ex:indicator ; sdmx-dimension:refArea ex:town ; sdmx-dimension:refPeriod "2023" ;
    sg:populationGroup group:all ; sdmx-measure:obsValue 42 .
ex:england-2023 a sg:Observation ; sg:indicator ex:indicator ; sdmx-dimension:refArea ex:england ; sdmx-dimension:refPeriod "2023" ;
    sg:populationGroup group:all ; sdmx-measure:obsValue 61 .
"""


def test_a_value_for_another_area_is_charted_as_a_comparator_and_its_baseline_is_not_the_strategys(tmp_path):
    """Regression: England's value, typed into a workbook with its area code, was charted as the council's own."""
    from rdflib import URIRef

    from graph.engine import open_graph
    from graph.progress import indicator_series

    data = tmp_path / "compared.ttl"
    data.write_text(_COMPARED, encoding="utf-8")
    series = indicator_series(open_graph(data=[data]), URIRef("http://example.org/indicator"))
    assert (series.own, series.comparator, series.baseline) == ([("2023", 42.0)], [("2023", 61.0)], 40.0)


# Two strategies of different shapes in one store: each page of one is that strategy's alone ----------

def _main(page: str) -> str:
    """A page's main content, without the form that moves between strategies, and links without the strategy they keep to."""
    main = page.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    main = re.sub(r'<form method="get" class="filter">.*?</form>', "", main, flags=re.S)
    return re.sub(r'[?&](amp;)?strategy=[^"&#]+', "", main)


def _gap_items(page: str) -> list[str]:
    return sorted(re.findall(r'<li[^>]*>\s*<a href="/resource\?iri=[^"]+">[^<]*</a>.*?</li>', _main(page), re.S))


@pytest.fixture(scope="module")
def two_and_alone(tmp_path_factory):
    """One app serving a copy of Luton and the invented Example Town together, and one app for each alone."""
    from tests.conftest import WORKBOOK_IDS, copies

    luton = copies(tmp_path_factory.mktemp("luton"), 1, WORKBOOK_IDS)
    town = [REPO / "examples" / "example-town.trig"]
    make = lambda data: create_app({"TESTING": True, "DATA": data}).test_client()
    return make(luton + town), {"https://w3id.org/strategy-graph/id/copy0/strategy": make(luton),
                                "https://w3id.org/strategy-graph/id/example-town/strategy": make(town)}


@pytest.mark.parametrize("path", ["/theory-of-change", "/analysis", "/network", "/gaps", "/contributions", "/owners"])
def test_each_page_of_one_strategy_of_two_is_that_strategy_alone(two_and_alone, path):
    both, alone = two_and_alone
    pages = {}
    for strategy, client in alone.items():
        together = both.get(f"{path}?strategy={strategy}").get_data(as_text=True)
        by_itself = client.get(f"{path}?strategy={strategy}").get_data(as_text=True)
        assert f'<option value="{strategy}" selected>' in together  # the page says which strategy it shows
        if path == "/gaps":
            assert _gap_items(together) == _gap_items(by_itself) and _gap_items(together)
        elif path == "/network":
            nodes = lambda page: sorted(n["id"] for n in json.loads(re.search(r'id="network-data">(.*?)</script>', page, re.S).group(1))["nodes"])
            assert nodes(together) == nodes(by_itself)
        else:
            assert _main(together) == _main(by_itself)
        pages[strategy] = _main(together)
    luton, town = pages.values()
    assert luton != town  # the two strategies' pages differ: neither shows the other's


def test_each_home_page_of_two_strategies_has_its_own_figures(two_and_alone):
    both, alone = two_and_alone
    listing = both.get("/").get_data(as_text=True)
    assert "Strategies (2)" in listing
    for strategy, client in alone.items():
        short = strategy.split("/id/", 1)[1].split("/", 1)[0]
        together, by_itself = both.get(f"/?strategy={short}").get_data(as_text=True), client.get("/").get_data(as_text=True)
        # Its own figures; alone, a headline also says how many more the gaps page lists of things of no strategy.
        figures = lambda page: (re.findall(r"<strong>(\d+)</strong> ([^<]+)</li>", page)
                                + re.findall(r'<li class="\w+"><a [^>]*>([^<]+)</a>: (\d+)(?: \([^<]*\))?</li>', page))
        assert figures(together) == figures(by_itself) and figures(together)
        assert f'href="/gaps?strategy={strategy}' in together  # its links keep to it


def test_home_lists_the_work_streams_in_the_order_the_summary_gives_them(client, source_text):
    # Positions 1 to 22: as numbers, 10 comes after 9, not after 1.
    page = client.get("/").get_data(as_text=True)
    listed = re.findall(r"<li><a [^>]*>([^<]*)</a></li>", page.split('<ol class="workstreams">', 1)[1].split("</ol>", 1)[0])
    given = [line[2:] for line in source_text.split("have responsibility for the following work streams.", 1)[1].splitlines() if line.startswith("- ")]
    assert listed == given and len(listed) == 22


def test_an_outcomes_chain_takes_in_the_earlier_outcomes_and_their_work():
    """Regression: the chain of a longer-term outcome stopped at it, leaving out the outcome and work that lead to it."""
    vale = "https://w3id.org/strategy-graph/id/example-vale/"
    client = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig"]}).test_client()
    words = _svg_text(client.get(f"/theory-of-change.svg?outcome={vale}outcome/fsm-attainment-gap").get_data(as_text=True))
    assert "A narrower attainment gap" in words and "More children are ready for school at five" in words
    assert "Early language and play in every family hub" in words and "Home language packs for new parents" in words
    assert "Safe walking and cycling routes" not in words  # another outcome's work


def test_the_chain_of_another_strategys_outcome_shows_all_of_this_ones(two_and_alone):
    both, _ = two_and_alone
    luton, town = "https://w3id.org/strategy-graph/id/copy0/", "https://w3id.org/strategy-graph/id/example-town/"
    page = both.get(f"/theory-of-change?strategy={luton}strategy&outcome={town}outcome/warm-homes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count('class="node outcome') == 5  # this strategy's five outcomes, all shown
    assert "selected" not in html.split('<select id="outcome"', 1)[1].split("</select>", 1)[0]  # no chain chosen
    assert both.get(f"/theory-of-change?strategy={luton}strategy&outcome=http://example.org/nothing").status_code == 404
