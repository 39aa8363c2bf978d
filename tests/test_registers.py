"""The registers: every causal link for evaluators, and who is responsible for what for board members.

Each page is compared with a query of the graph's own, written here, not with the page's code.
"""

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook

from tests.conftest import REPO
from viewer import create_app

PREFIXES = """PREFIX sg: <https://w3id.org/strategy-graph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
"""
# Each end as the register shows it: its published code (skos:notation), where it has one, before its label.
LINKS = PREFIXES + """SELECT ?from ?to ?strength ?rationale WHERE {
  ?x sg:qualifiedContribution ?c ; rdfs:label ?fromLabel . ?c sg:contributionTo ?y . ?y rdfs:label ?toLabel .
  OPTIONAL { ?x skos:notation ?fromCode } OPTIONAL { ?y skos:notation ?toCode }
  BIND (IF(BOUND(?fromCode), CONCAT(?fromCode, " ", ?fromLabel), STR(?fromLabel)) AS ?from)
  BIND (IF(BOUND(?toCode), CONCAT(?toCode, " ", ?toLabel), STR(?toLabel)) AS ?to)
  OPTIONAL { ?c sg:strength/skos:prefLabel ?strength } OPTIONAL { ?c sg:rationale ?rationale } %s }"""
SAFER = "https://w3id.org/strategy-graph/id/luton-pws/outcome/safer-community"


@pytest.fixture(scope="module")
def luton():
    app = create_app({"TESTING": True})
    yield app.test_client(), app.extensions["snapshot"].graph
    app.extensions["sparql"].close()


@pytest.fixture(scope="module")
def vale():
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig"]})
    yield app.test_client(), app.extensions["snapshot"].graph
    app.extensions["sparql"].close()


def _rows(page: str) -> list[tuple[str, ...]]:
    """The causal-links table's rows: the text of each cell."""
    body = page.split('<table class="links">', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    cells = lambda row: tuple(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
    return [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _expected(ds, where: str = "") -> set[tuple[str, str, str]]:
    return {(str(r["from"]), str(r.to), str(r.strength or "not stated")) for r in ds.query(LINKS % where)}


def test_the_causal_links_page_holds_every_link_the_graph_holds(luton):
    client, ds = luton
    rows = _rows(client.get("/contributions").get_data(as_text=True))
    assert len(rows) == 18 == len(_expected(ds))
    assert {(r[0], r[1], r[5]) for r in rows} == _expected(ds)
    for r in ds.query(LINKS % ""):
        row = next(x for x in rows if x[:2] == (str(r["from"]), str(r.to)))
        assert row[2].startswith(str(r.rationale or "None given")) and row[4] == "None cited" and row[6] == "strategy-graph project"


def test_the_causal_links_filter_by_strength_outcome_and_evidence(luton, vale):
    client, ds = luton
    weak = _rows(client.get("/contributions?strength=weak").get_data(as_text=True))
    assert {(r[0], r[1], r[5]) for r in weak} == _expected(ds, "?c sg:strength/skos:prefLabel 'weak'@en .") and len(weak) == 8
    chain = _rows(client.get(f"/contributions?outcome={SAFER}").get_data(as_text=True))
    assert {(r[0], r[1], r[5]) for r in chain} == _expected(ds, f"?c sg:contributionTo/sg:contributesTo* <{SAFER}> .")
    assert len(chain) == 2
    for wrong in ("strength=loud", "evidence=some"):
        assert client.get(f"/contributions?{wrong}").status_code == 400, wrong
    for unknown in ("outcome=https://example.org/none", f"outcome={SAFER}x"):  # no such outcome (issue 25, item 9)
        assert client.get(f"/contributions?{unknown}").status_code == 404, unknown
    client, ds = vale
    unevidenced = _rows(client.get("/contributions?evidence=none").get_data(as_text=True))
    assert {(r[0], r[1], r[5]) for r in unevidenced} == _expected(ds, "FILTER NOT EXISTS { ?c sg:evidence ?e }")
    cited = [r for r in _rows(client.get("/contributions").get_data(as_text=True)) if r[4] != "None cited"]
    assert len(cited) == len(_expected(ds)) - len(unevidenced) == 1


def test_the_causal_links_download_as_csv_and_xlsx(luton):
    client, ds = luton
    download = client.get("/contributions.csv?strength=weak")
    assert download.data.startswith(b"\xef\xbb\xbfFrom,To,Rationale,Assumptions,Evidence,Strength,Asserted by")
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert {(r[0], r[1], r[5]) for r in rows[1:]} == _expected(ds, "?c sg:strength/skos:prefLabel 'weak'@en .")
    sheet = load_workbook(io.BytesIO(client.get("/contributions.xlsx?strength=weak").data)).active
    assert [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)] == rows
    assert client.get("/contributions.ods").status_code == 404


def test_the_analysis_lists_the_weak_links(luton):
    client, ds = luton
    page = client.get("/analysis").get_data(as_text=True)
    listed = page.split('<ul class="weak-links">', 1)[1].split("</ul>", 1)[0]
    # The strategy's own work's weak links: not those from an intervention no strategy states as its own.
    own = ("?c sg:strength/skos:prefLabel 'weak'@en . "
           "FILTER NOT EXISTS { ?x a sg:Intervention . FILTER NOT EXISTS { ?x <http://purl.org/dc/terms/isPartOf> ?s } }")
    assert listed.count("<li>") == len(_expected(ds, own)) == 5  # of 8: three come from the MMR clinics and Healthier Wealthier Families


def test_the_owners_page_says_who_is_accountable_for_what(luton, vale):
    for client, ds in (luton, vale):
        page = client.get("/owners").get_data(as_text=True)
        owners = {str(r.agent): str(r.label) for r in ds.query(
            PREFIXES + "SELECT DISTINCT ?agent ?label WHERE { { ?x sg:owner ?agent } UNION { ?x sg:ledBy ?agent } "
                       "UNION { ?x schema:funder ?agent } ?agent rdfs:label ?label }")}
        sections = re.findall(r'<section class="owner"[^>]*>(.*?)</section>', page, re.S)
        assert len(sections) == len(owners)
        for section in sections:
            agent = html.unescape(re.search(r'<h2><a href="/resource\?iri=([^"]+)"', section).group(1))
            owned = {str(r.label) for r in ds.query(PREFIXES + f"SELECT ?label WHERE {{ ?w a sg:Workstream ; sg:owner <{agent}> ; rdfs:label ?label }}")}
            listed = re.sub(r'<ul class="targets">.*?</ul>', "", section, flags=re.S)  # each one's targets, beside it
            shown = set(re.findall(r'<li>(?:<span class="code">[^<]*</span> )?<a [^>]*>([^<]+)</a></li>',
                                   listed.split('class="owned workstream"', 1)[1].split("</ul>", 1)[0])) if owned else set()
            assert {html.unescape(s) for s in shown} == owned, owners[agent]
            led = {str(r.label) for r in ds.query(PREFIXES + f"SELECT ?label WHERE {{ ?s sg:ledBy <{agent}> ; rdfs:label ?label }}")}
            assert all(html.escape(label) in section for label in led) and (("Leads:" in section) == bool(led))
    client, ds = vale
    page = client.get("/owners").get_data(as_text=True)
    grants = list(ds.query(PREFIXES + "SELECT ?funder ?item ?amount WHERE { ?c schema:funder/rdfs:label ?funder ; "
                                      "schema:fundedItem/rdfs:label ?item ; schema:amount/schema:value ?amount }"))
    assert grants
    for grant in grants:
        section = next(s for s in re.findall(r'<section class="owner"[^>]*>(.*?)</section>', page, re.S)
                       if html.escape(str(grant.funder)) in s.split("</h2>", 1)[0])
        assert html.escape(str(grant.item)) in section and f"{float(grant.amount):,.2f}" in section
