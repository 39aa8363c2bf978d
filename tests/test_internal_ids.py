"""No page shows an id that is the engine's: a blank node's, a hash, or a node of the kept gap reports (issue 25, item 8)."""

import re

import pytest
from rdflib import BNode, Dataset, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDFS

from graph import files
from graph.vocab import ENGINE_BASE

# A blank node's id as Oxigraph makes it (128 bits in hex), or as rdflib makes it ("N" or "n" and hex), or in N-Triples.
HASH = re.compile(r"(?<![0-9A-Za-z])[Nn]?[0-9a-f]{32,}(?![0-9A-Za-z])")
BLANK = re.compile(r"(?<![\w/])_:\w")
# The properties of a SHACL validation result, as a page would name them from their local names.
REPORT_LINKS = {"focus node", "value", "result", "source shape", "source constraint", "source constraint component",
                "result severity", "result message"}
STRATEGY = "https://w3id.org/strategy-graph/id/luton-pws/strategy"
COUNCIL = "https://w3id.org/strategy-graph/id/luton-pws/luton-borough-council"


@pytest.fixture(scope="module")
def packaged() -> Dataset:
    """The packaged dataset and the ontology as their files state them, read by rdflib alone."""
    ds = Dataset(default_union=True)
    for path in files.dataset_files() + files.ontology_files():
        ds.parse(path, format="trig" if path.suffix == ".trig" else "turtle")
    return ds


def _links(page: str) -> list[tuple[str, str]]:
    """The rows of a resource page's two tables of links, as (first cell, second cell) in words."""
    words = lambda html: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    return [(words(a), words(b)) for a, b in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", page, re.S)]


def _assert_no_engine_id(page: str, where: str) -> None:
    assert not HASH.search(page), (where, HASH.search(page).group(0))
    assert not BLANK.search(page), (where, BLANK.search(page).group(0))
    assert ENGINE_BASE not in page and ".well-known/genid" not in page, where
    for first, second in _links(page):
        assert first not in REPORT_LINKS and second not in REPORT_LINKS, (where, first, second)


def test_a_resource_with_gaps_lists_no_result_of_the_kept_reports(client, packaged):
    """The kept gap reports point at the resources they judge (sh:focusNode, sh:value): their results were
    listed under "What points to it" by their hash ids, as "focus node" and "value"."""
    named = {str(t) for quad in packaged.quads() for t in quad[:3] if isinstance(t, URIRef)}
    with_gaps = {g.focus for g in client.application.extensions["snapshot"].gaps}
    assert len(with_gaps) > 50 and with_gaps <= named  # the packaged dataset's gaps are about its own things
    for iri in sorted(with_gaps):
        page = client.get("/resource", query_string={"iri": iri}).get_data(as_text=True)
        pointing = page.split("<h2>What points to it</h2>", 1)[1].split("</section>", 1)[0]
        assert "focus node" not in pointing and not HASH.search(pointing), iri
        _assert_no_engine_id(page, iri)


def test_no_resource_page_shows_a_blank_node_a_hash_or_a_kept_report(client, packaged):
    """Every resource the dataset and the ontology name."""
    named = {str(t) for quad in packaged.quads() for t in quad[:3] if isinstance(t, URIRef)}
    shown = 0
    for iri in sorted(named):
        response = client.get("/resource", query_string={"iri": iri})
        if response.status_code == 404:
            continue
        assert response.status_code == 200, iri
        _assert_no_engine_id(response.get_data(as_text=True), iri)
        shown += 1
    assert shown > 300


def test_a_blank_node_is_read_in_words_and_through_what_holds_it(client, packaged):
    """The strategy's period (dcterms:temporal, a blank node) and the council's attributions (prov:qualifiedAttribution)."""
    strategy = URIRef(STRATEGY)
    (period,) = packaged.objects(strategy, DCTERMS.temporal)
    assert isinstance(period, BNode)
    start, end = packaged.value(period, DCAT.startDate), packaged.value(period, DCAT.endDate)
    rows = _links(client.get("/resource", query_string={"iri": STRATEGY}).get_data(as_text=True))
    (temporal,) = [value for link, value in rows if link == "temporal"]
    assert f"start date: {start}" in temporal and f"end date: {end}" in temporal
    holders = {g for g, attribution in ((g, a) for g, _, a in packaged.triples((None, PROV.qualifiedAttribution, None)))
               if (attribution, PROV.agent, URIRef(COUNCIL)) in packaged}
    assert len(holders) == 2
    page = client.get("/resource", query_string={"iri": COUNCIL}).get_data(as_text=True)
    for graph in holders:
        assert (str(packaged.value(graph, RDFS.label)), "qualified attribution → agent") in _links(page)
        assert f'href="/resource?iri={graph}"' in page


def test_the_engines_own_graphs_have_no_page(client):
    from graph.engine import graph_names

    engine = [g for g in graph_names(client.application.extensions["snapshot"].graph) if g.startswith(ENGINE_BASE)]
    assert engine  # the catalogue and the kept reports
    for graph in engine:
        assert client.get("/resource", query_string={"iri": graph}).status_code == 404, graph


@pytest.mark.parametrize("words", ["focus", "result", "report", "value", "luton", "strategy", "a"])
def test_search_lists_no_engine_node(client, words):
    _assert_no_engine_id(client.get("/search", query_string={"q": words}).get_data(as_text=True), words)


@pytest.mark.parametrize("path", ["/", "/gaps", "/theory-of-change", "/analysis", "/network", "/contributions", "/owners"])
def test_pages_that_list_linked_resources_show_no_engine_id(client, path):
    _assert_no_engine_id(client.get(path).get_data(as_text=True), path)


def test_a_query_result_names_a_blank_node_without_its_id(client):
    """The strategy's DESCRIBE holds its period, a blank node: numbered in the table, the same number each time."""
    page = client.get("/query", query_string={"saved": "describe-resource", "param.resource": STRATEGY}).get_data(as_text=True)
    table = page.split('<table class="results">', 1)[1].split("</table>", 1)[0]
    _assert_no_engine_id(table, "describe-resource")
    cells = re.findall(r"<td>(.*?)</td>", table)
    assert cells.count("blank node 1") == 4  # subject of its type, start and end; object of dcterms:temporal
