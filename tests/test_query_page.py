"""The query page and the resource page: saved queries with parameters, links, downloads, and a real browser."""

import json
import re

import pytest
from playwright.sync_api import sync_playwright

from graph.sparql import saved_queries
from tests.conftest import CHROMIUM_ARGS, REPO, copies, running_server
from viewer import create_app

BOARD = "https://w3id.org/strategy-graph/id/luton-pws/health-and-wellbeing-board"
SAFER = "https://w3id.org/strategy-graph/id/luton-pws/outcome/safer-community"


@pytest.fixture(scope="module")
def client():
    app = create_app({"TESTING": True})
    yield app.test_client()
    app.extensions["sparql"].close()


def test_query_page_lists_every_saved_query(client):
    page = client.get("/query").get_data(as_text=True)
    for saved in saved_queries():
        assert f">{saved.title.replace(chr(39), '&#39;')}</option>" in page


def test_a_saved_query_with_a_parameter_runs_and_links_its_results(client):
    page = client.get("/query", query_string={"saved": "owner-portfolio", "param.owner": BOARD}).get_data(as_text=True)
    assert 'name="param.owner"' in page and "Download CSV" in page
    assert page.count("<tr><td>") == 22
    csv = client.get("/query/results.csv", query_string={"saved": "owner-portfolio", "param.owner": BOARD})
    assert csv.headers["Content-Disposition"] == 'attachment; filename="owner-portfolio.csv"'
    assert len(csv.get_data(as_text=True).strip().splitlines()) == 23
    assert csv.data.startswith(b"\xef\xbb\xbfowner") and csv.mimetype == "text/csv"  # Excel reads it as UTF-8
    as_json = json.loads(client.get("/query/results.json", query_string={"saved": "unlinked-workstreams"}).get_data())
    assert len(as_json["results"]["bindings"]) == 7


def test_iris_in_results_link_to_their_pages(client):
    page = client.get("/query", query_string={"saved": "outcome-subgraph", "param.outcome": SAFER}).get_data(as_text=True)
    assert f'href="/resource?iri={SAFER}"' in page


def test_a_hostile_parameter_is_refused_on_the_page(client):
    response = client.get("/query", query_string={"saved": "owner-portfolio", "param.owner": 'x" } ; DROP ALL'})
    assert response.status_code == 404  # the workbook id or the IRI of no owner (issue 25, item 9)
    assert "no such owner" in response.get_data(as_text=True) and '<table class="results">' not in response.get_data(as_text=True)


def test_unknown_saved_query_is_404_and_a_bad_download_format_too(client):
    assert client.get("/query", query_string={"saved": "nope"}).status_code == 404
    assert client.get("/query/results.xlsx", query_string={"saved": "logic-chain"}).status_code == 404


def test_only_the_query_page_allows_inline_styles(client):
    assert "style-src 'self' 'unsafe-inline'" in client.get("/query").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in client.get("/").headers["Content-Security-Policy"]
    assert "script-src" not in client.get("/query").headers["Content-Security-Policy"]  # scripts stay 'self'


def test_resource_page(client):
    page = client.get("/resource", query_string={"iri": SAFER}).get_data(as_text=True)
    assert "<h1>a safer community with fewer cases of domestic abuse, serious violence and drug and alcohol related harm</h1>" in page
    assert "lower crime and reoffending rates" in page  # a work stream that contributes to it, linked in
    assert client.get("/resource", query_string={"iri": "https://example.org/nothing"}).status_code == 404
    assert client.get("/resource", query_string={"iri": "not an iri"}).status_code == 400
    assert client.get("/resource").status_code == 400


def test_yasgui_is_served_with_its_licence(client):
    assert client.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200
    licence = client.get("/static/vendor/yasgui/LICENSE.md").get_data(as_text=True)
    assert "MIT License" in licence and "@zazuko/yasgui 4.6.2" in licence


# In a real browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("server")) as base:
        yield base


def test_query_page_in_chromium_runs_a_query_offline(server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        problems, requests = [], []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(server + "/query?saved=life-course-coverage")
        page.click(".yasqe_queryButton")
        page.wait_for_selector("text=5 results", timeout=15000)
        assert page.locator("table.results tbody tr").count() == 5
        browser.close()
    assert problems == []
    assert [u for u in requests if not u.startswith(server)] == []


def test_a_malformed_query_in_the_editor_shows_the_servers_message(server):
    """Regression: with a relative endpoint YASGUI threw "Failed to construct 'URL'" and showed nothing."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/query")
        page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('SELECT * WHERE { ?s ?p }')")
        with page.expect_response(lambda r: r.url == server + "/sparql") as answer:
            page.click(".yasqe_queryButton")
        status, message = answer.value.status, answer.value.text()
        assert status == 400 and message
        shown = page.wait_for_selector(".yasr .errorResult", timeout=15000).inner_text()
        assert message.strip().splitlines()[0][:40] in shown
        browser.close()
    assert errors == []


def test_on_a_phone_a_saved_querys_results_stay_in_view_and_the_run_button_clears_the_query(server):
    """Regression: YASGUI's focus scrolled the page past the results, and its run button covered the first lines."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(server + "/query?saved=life-course-coverage")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.scrollY") == 0 and page.locator("table.results").is_visible()
        button, text = page.locator(".yasqe_queryButton").bounding_box(), page.locator(".CodeMirror-line").first.bounding_box()
        assert button["y"] + button["height"] <= text["y"]  # the query's first line starts below the button
        browser.close()


def _offered(page: str, name: str) -> dict[str, str]:
    select = page.split(f'<select id="param-{name}" name="param.{name}" required>', 1)[1].split("</select>", 1)[0]
    return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select))


def test_parameters_that_take_an_owner_or_an_outcome_offer_the_graphs_own(client, ds):
    sg = "https://w3id.org/strategy-graph/def#"
    owners = _offered(client.get("/query?saved=owner-portfolio").get_data(as_text=True), "owner")
    assert owners == {str(r.o): str(r.label) for r in ds.query(
        f"SELECT DISTINCT ?o ?label WHERE {{ ?x <{sg}owner> ?o . ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label }}")}
    outcomes = _offered(client.get("/query?saved=outcome-subgraph").get_data(as_text=True), "outcome")
    assert outcomes == {str(r.o): str(r.label) for r in ds.query(
        f"SELECT ?o ?label WHERE {{ ?o a <{sg}Outcome> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}")}
    assert len(outcomes) == 5
    chosen = client.get("/query", query_string={"saved": "owner-portfolio", "param.owner": BOARD}).get_data(as_text=True)
    assert f'<option value="{BOARD}" selected>' in chosen and chosen.count("<tr><td>") == 22


def test_things_of_the_same_name_in_two_strategies_are_told_apart(tmp_path):
    app = create_app({"TESTING": True, "DATA": copies(tmp_path, 2)})
    outcomes = _offered(app.test_client().get("/query?saved=outcome-subgraph").get_data(as_text=True), "outcome")
    app.extensions["sparql"].close()
    assert len(outcomes) == 10 and len(set(outcomes.values())) == 10
    assert all(text.endswith(f"({iri})") for iri, text in outcomes.items())


def test_a_parameter_that_takes_an_indicator_offers_the_graphs_indicators(tmp_path):
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig"]})
    client, ds = app.test_client(), app.extensions["snapshot"].graph
    offered = _offered(client.get("/query?saved=indicator-values").get_data(as_text=True), "indicator")
    sg = "https://w3id.org/strategy-graph/def#"
    assert offered == {str(r.i): str(r.label) for r in ds.query(
        f"SELECT ?i ?label WHERE {{ ?i a <{sg}Indicator> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}")}
    indicator = "https://w3id.org/strategy-graph/id/example-vale/indicator/school-readiness"
    page = client.get("/query", query_string={"saved": "indicator-values", "param.indicator": indicator}).get_data(as_text=True)
    values = len(list(ds.query(f"SELECT ?o WHERE {{ ?o <{sg}indicator> <{indicator}> }}")))
    targets = len(list(ds.query(f"SELECT ?t WHERE {{ <{indicator}> <{sg}hasTarget> ?t }}")))
    assert page.count("<tr><td>") == values + targets and "<td>baseline</td>" in page and "<td>target</td>" in page
    app.extensions["sparql"].close()
