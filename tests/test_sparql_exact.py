"""The endpoint answers exactly what the engine holds, and reads a request only as the protocol says (issue 13)."""

import io
import json
import urllib.parse

import pyoxigraph
import pytest
from rdflib.query import Result

from graph.engine import execute
from graph.engine.store import as_dataset
from viewer.sparql import formats_accepted

XSD = "http://www.w3.org/2001/XMLSchema#"
LITERALS = f'SELECT ?d ?e ?t ?s WHERE {{ VALUES (?d ?e ?t ?s) {{ ("PT0S"^^<{XSD}duration> 1E3 "2020-01-01T00:00:00Z"^^<{XSD}dateTime> "plain") }} }}'


def _get(client, accept="*/*", **params):
    return client.get("/sparql", query_string=params, headers={"Accept": accept})


def test_literals_keep_their_lexical_forms_and_simple_literals_gain_no_datatype(client):
    binding = json.loads(_get(client, query=LITERALS).data)["results"]["bindings"][0]
    assert binding["d"] == {"type": "literal", "datatype": f"{XSD}duration", "value": "PT0S"}
    # Oxigraph holds a double as a number and writes it canonically: 1000, where rdflib wrote 1000.0.
    assert binding["e"] == {"type": "literal", "datatype": f"{XSD}double", "value": "1000"}
    assert binding["t"]["value"] == "2020-01-01T00:00:00Z"
    assert binding["s"] == {"type": "literal", "value": "plain"}
    xml = _get(client, "application/sparql-results+xml", query=LITERALS).data.decode()
    assert ">PT0S<" in xml and ">1000<" in xml and ">2020-01-01T00:00:00Z<" in xml and "<literal>plain</literal>" in xml
    assert _get(client, "text/csv", query=LITERALS).data.decode().splitlines() == ["d,e,t,s", "PT0S,1000,2020-01-01T00:00:00Z,plain"]
    assert _get(client, "text/tab-separated-values", query=LITERALS).data.decode().splitlines()[1] == \
        f'"PT0S"^^<{XSD}duration>\t"1000"^^<{XSD}double>\t"2020-01-01T00:00:00Z"^^<{XSD}dateTime>\t"plain"'


def test_tsv_escapes_a_tab_and_a_newline_in_a_string(client):
    payload = _get(client, "text/tab-separated-values", query='SELECT ?x ?y WHERE { BIND("a\\tb\\nc" AS ?x) BIND(1 AS ?y) }').data
    assert payload.count(b"\n") == 2
    (row,) = Result.parse(io.BytesIO(payload), format="tsv").bindings
    assert [str(v) for v in row.values()] == ["a\tb\nc", "1"]


def test_blank_nodes_and_triple_terms_survive_the_row_cap():
    store = pyoxigraph.Store()
    ex = pyoxigraph.NamedNode("http://example.org/p")
    quoted = pyoxigraph.Triple(pyoxigraph.BlankNode("q"), ex, pyoxigraph.Literal("x\ty"))
    for n in range(3):
        store.add(pyoxigraph.Quad(pyoxigraph.BlankNode(f"b{n}"), ex, quoted, pyoxigraph.NamedNode("http://example.org/g")))
    answer, truncated = execute(as_dataset(store), "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s", max_rows=2)
    assert truncated
    bindings = json.loads(answer.serialize("json"))["results"]["bindings"]
    assert len(bindings) == 2 and {b["s"]["type"] for b in bindings} == {"bnode"} and bindings[0]["s"] != bindings[1]["s"]
    assert bindings[0]["o"]["type"] == "triple" and bindings[0]["o"]["value"]["object"] == {"type": "literal", "value": "x\ty"}
    graph, truncated = execute(as_dataset(store), "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", max_rows=1)
    (triple,) = pyoxigraph.parse(graph.serialize("nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert truncated and isinstance(triple.subject, pyoxigraph.BlankNode) and triple.object.object == pyoxigraph.Literal("x\ty")


def test_several_queries_in_one_request_are_refused(client):
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400 and "2 queries" in response.data.decode()
    both = client.post("/sparql?query=ASK%7B%7D", data="ASK {}", content_type="application/sparql-query")
    assert both.status_code == 400
    form = client.post("/sparql?query=ASK%7B%7D", data={"query": "ASK {}"})
    assert form.status_code == 400


def test_a_relative_iri_resolves_against_the_endpoints_url(client):
    response = _get(client, "application/n-triples", query="CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert response.status_code == 200, response.data
    assert response.data.decode().strip() == f'<http://localhost/s> <http://localhost/p> "1"^^<{XSD}integer> .'


def test_a_protocol_graph_the_store_does_not_hold_is_empty_and_file_graphs_are_refused(client):
    empty = _get(client, "text/csv", query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": "http://example.org/nothing"})
    assert empty.status_code == 200 and empty.data.decode().splitlines() == ["n", "0"]
    assert _get(client, query="ASK {}", **{"named-graph-uri": "file:///etc/passwd"}).status_code == 400


def test_a_form_is_decoded_by_its_declared_charset_and_a_direct_query_must_be_utf_8(client):
    query = 'SELECT ?x WHERE { BIND("café" AS ?x) }'
    body = urllib.parse.urlencode({"query": query}, encoding="latin-1")
    response = client.post("/sparql", data=body, content_type="application/x-www-form-urlencoded; charset=ISO-8859-1")
    assert response.status_code == 200, response.data
    assert json.loads(response.data)["results"]["bindings"][0]["x"]["value"] == "café"
    latin = client.post("/sparql", data=query.encode("latin-1"), content_type="application/sparql-query; charset=ISO-8859-1")
    assert latin.status_code == 415 and "always UTF-8" in latin.data.decode()
    assert client.post("/sparql", data=query.encode(), content_type="application/sparql-query; charset=utf8").status_code == 200
    unknown = client.post("/sparql", data=b"query=ASK+%7B%7D", content_type="application/x-www-form-urlencoded; charset=no-such-charset")
    assert unknown.status_code == 415 and "no-such-charset" in unknown.data.decode()


@pytest.mark.parametrize("request_args", [
    {"query_string": {"query": 'SELECT * WHERE { BIND("\\uD800" AS ?x) }'}},
    {"query_string": {"query": 'SELECT * WHERE { BIND("\\U00110000" AS ?x) }'}},
    {"path": "/sparql?query=ASK%7B%FF%7D"},
    {"path": "/sparql?query=ASK%zz%7B%7D"},
    {"method": "POST", "data": b"ASK {\xff}", "content_type": "application/sparql-query"},
    {"method": "POST", "data": b"query=ASK%7B%FF%7D", "content_type": "application/x-www-form-urlencoded"},
])
def test_client_mistakes_in_the_text_get_400_and_a_plain_message(client, request_args):
    response = client.open(**{"path": "/sparql", **request_args})
    assert response.status_code == 400, response.data
    assert response.mimetype == "text/plain" and "Traceback" not in response.data.decode() and "codec" not in response.data.decode()


def test_q_0_excludes_a_format_even_under_a_wildcard(client):
    assert formats_accepted("*/*, application/sparql-results+json;q=0")["SELECT"] == "xml"
    assert formats_accepted("*/*;q=0.1, application/sparql-results+json;q=0, application/sparql-results+xml;q=0")["SELECT"] == "csv"
    assert formats_accepted("application/json;q=0, */*")["SELECT"] == "json"  # the alias refused, the format's own type not
    assert formats_accepted("text/turtle;q=0, */*")["CONSTRUCT"] == "nt"
    assert formats_accepted("application/json")["ASK"] == "json"
    response = _get(client, "*/*, application/sparql-results+json;q=0", query="ASK {}")
    assert response.mimetype == "application/sparql-results+xml"
