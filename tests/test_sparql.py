"""SPARQL: saved queries with their answers, safe parameters, and the endpoint driven by real clients."""

import http.server
import json
import logging
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import ClassVar

import pytest
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from graph.engine import QueryError, check, execute
from graph.sparql import bind, resolve, saved_queries
from strategy_graph.cli import main
from tests.conftest import running_server

PWS = "https://w3id.org/strategy-graph/id/luton-pws/"
BOARD = PWS + "health-and-wellbeing-board"
SAFER = PWS + "outcome/safer-community"
VALUES = {"owner": BOARD, "resource": SAFER, "outcome": SAFER}


def _run(ds, name: str, **params):
    saved = resolve(name)
    text = bind(saved, {p.name: params.get(p.name, VALUES[p.name]) for p in saved.params})
    graphs = {str(g) for g in {q[3] for q in ds.quads((None, None, None, None))}}
    checked = check(text, graphs)
    answer, _ = execute(ds, checked.text, checked.dataset)
    if checked.form in ("CONSTRUCT", "DESCRIBE"):
        return Graph().parse(data=answer.serialize("nt"), format="nt")
    return [{k: v for k, v, term in zip(answer.variables, cells, row) if term is not None} for cells, row in zip(answer.cells(), answer.rows)]


# Saved queries ---------------------------------------------------------------------------------

def test_there_are_at_least_15_saved_queries_each_with_a_title_and_description():
    queries = saved_queries()
    assert len(queries) >= 15
    for q in queries:
        assert q.title and q.title != q.name and q.description, q.name


def test_logic_chain(ds):
    rows = _run(ds, "logic-chain")
    outcomes = {r["outcome"] for r in rows}
    assert len(outcomes) == 5
    chain = [r for r in rows if r.get("intervention")]
    assert chain == [{
        "priority": next(r["priority"] for r in rows),
        "outcome": "better and more equal healthy life expectancy rates for residents across Luton",
        "workstream": "reduced inequalities from birth across Luton",
        "intervention": "Monthly MMR vaccination clinics for under-vaccinated children",
    }]


def test_outcomes_without_funded_intervention_are_all_five(ds):
    assert len(_run(ds, "outcomes-without-funded-intervention")) == 5


def test_funding_queries_find_no_published_funding(ds):
    assert _run(ds, "funding-by-funder") == [] and _run(ds, "funding-by-status") == []
    by_outcome = _run(ds, "funding-by-outcome")
    assert len(by_outcome) == 5 and all(r["commitments"] == "0" and r.get("total", "0") == "0" for r in by_outcome)


def test_funding_queries_on_the_invented_example():
    from graph.engine import open_graph
    from tests.conftest import REPO

    example = open_graph(data=[REPO / "examples" / "example-town.trig"])
    status = {(r.get("strategy"), r["status"], r.get("currency")): (r["commitments"], r.get("total")) for r in _run(example, "funding-by-status")}
    # The befriending pot has no currency, and funds work outside the strategy: it is added to nothing.
    town = "Example Town Wellbeing Strategy 2024 to 2029 (INVENTED EXAMPLE DATA)"
    assert status == {(town, "committed", "GBP"): ("1", "120000"), (town, "proposed", "GBP"): ("1", "40000"), (None, "proposed", None): ("1", "5000")}
    funders = {(r.get("funder"), r.get("status")): r.get("total") for r in _run(example, "funding-by-funder")}
    assert funders[("Example Town Council (invented)", "committed")] == "120000"
    assert funders[("Example Town Council (invented)", "proposed")] == "40000"
    by_outcome = {r["outcome"]: r.get("total") for r in _run(example, "funding-by-outcome")}
    assert by_outcome["Narrower gap in healthy life expectancy between the most and least deprived"] == "120000"
    unfunded = {r["label"] for r in _run(example, "outcomes-without-funded-intervention")}
    assert unfunded == {"More households live in warm and dry homes", "Fewer people feel lonely"}


def test_indicators_by_outcome_give_the_strategys_own_figures_not_a_comparators_or_a_groups():
    """Regression: England's values and a group's baseline and target each multiplied the indicator's row."""
    from graph.engine import open_graph
    from tests.conftest import REPO

    rows = [r for r in _run(open_graph(data=[REPO / "examples" / "example-vale.trig"]), "indicators-by-outcome")
            if r["indicator"].startswith("Children at a good level of development")]
    # examples/example-vale: own baseline 64 (2023/24), own value 65 (2024/25), target 70 (2030); England 67.7 and 68.1, the group 49, 51 and 60.
    assert [(r["baseline"], r["latest"], r["latestPeriod"], r["target"]) for r in rows] == [("64", "65", "2024/25", "70")]


def test_indicators_by_outcome_give_the_latest_reported_count(ds):
    rows = _run(ds, "indicators-by-outcome")
    counts = [r for r in rows if r["indicator"] == "Households in temporary accommodation, Luton Borough Council"]
    assert counts == [{"measured": "reducing homelessness and temporary accommodation",
                       "indicator": "Households in temporary accommodation, Luton Borough Council",
                       "unit": "households", "polarity": "lower is better", "latest": "602", "latestPeriod": "2023/24"}]
    assert {r["measured"] for r in rows if r["indicator"] == "Healthy life expectancy at birth"} == {
        "better and more equal healthy life expectancy rates for residents across Luton"}


def test_owner_portfolio_and_workstreams_by_owner(ds):
    portfolio = _run(ds, "owner-portfolio")
    assert {r["kind"] for r in portfolio} == {"Work stream"} and len(portfolio) == 22
    by_owner = _run(ds, "workstreams-by-owner")
    assert {r["owner"] for r in by_owner} == {"Health and Wellbeing Board"} and len(by_owner) == 22
    assert next(r for r in by_owner if r["workstream"] == "reducing social isolation")["outcomes"] == (
        "greater support for mental wellbeing and reduced social isolation for people of all ages")


def test_life_course_coverage_in_order(ds):
    rows = _run(ds, "life-course-coverage")
    assert [(r["stage"], r["count"]) for r in rows] == [
        ("early years", "2"), ("childhood", "1"), ("young people", "1"), ("working-age adults", "2"), ("old age", "3")]


def test_contributions_without_evidence_and_analysis_links(ds):
    lacking = _run(ds, "contributions-without-evidence")
    links = _run(ds, "analysis-links")
    assert len(lacking) == len(links) == 18  # no contribution in the dataset cites evidence
    assert {r["assertedBy"] for r in links} == {"strategy-graph project"}
    assert sum(1 for r in lacking if r.get("assumptions")) == 10


def test_stale_indicators_and_unlinked_workstreams(ds):
    import datetime

    stale = _run(ds, "stale-indicators")
    # The only values are temporary-accommodation counts up to 2023/24, which end by 31 December 2024.
    assert [(r["indicator"], r["latestEnded"]) for r in stale] == (
        [] if datetime.date.today().year - 2 <= 2024 else [("Households in temporary accommodation, Luton Borough Council", "2024-12-31")])
    assert len(_run(ds, "unlinked-workstreams")) == 7


def test_stale_indicators_name_the_day_the_latest_value_ended(tmp_path):
    """On data that is stale by the day, not the year: the saved query gives the rule's result and its day."""
    from graph.engine import open_graph
    from tests.conftest import DATA, read_fixture

    fixture = read_fixture(DATA / "gaps" / "indicator-data-out-of-date" / "fires-period-end.ttl", tmp_path)
    stale_day = next(line for line in fixture.read_text(encoding="utf-8").splitlines() if "sg:periodEnd" in line).split('"')[3]
    rows = _run(open_graph(data=[fixture]), "stale-indicators")
    assert [(r["indicator"], r["latestEnded"]) for r in rows] == [("An invented indicator", stale_day)]


def test_gaps_by_strategy_count_the_nodes_the_gap_report_names(ds):
    from graph.gaps import find_gaps, strategy_labels

    gaps = find_gaps(ds)
    labels = strategy_labels(ds, gaps)
    expected: dict = {}
    for gap in gaps:
        expected.setdefault((labels.get(gap.strategy), gap.rule, gap.severity), set()).add(gap.focus)
    rows = _run(ds, "gaps-by-strategy")
    assert {(r.get("strategy"), r["rule"], r["severity"].lower()): int(r["nodes"]) for r in rows} == {
        key: len(nodes) for key, nodes in expected.items()}
    # Rules the README names for Luton are among them, with the counts of the published summary's shape.
    by_rule = {r["rule"]: int(r["nodes"]) for r in rows}
    assert by_rule["outcome-without-funded-intervention"] == 5 and by_rule["workstream-without-outcome"] == 7


def test_programmes_and_layers(ds):
    programmes = {r["programme"]: r for r in _run(ds, "programmes-and-sources")}
    assert set(programmes) == {"Monthly MMR vaccination clinics for under-vaccinated children", "Family Hubs programme", "Healthier Wealthier Families"}
    assert programmes["Healthier Wealthier Families"]["partner"] == "East London NHS Foundation Trust"
    assert all(r["source"].startswith("https://m.luton.gov.uk/") for r in programmes.values())
    layers = {(r["name"], r.get("role")) for r in _run(ds, "layers-and-provenance")}
    assert ("analysis", "analyst") in layers and ("strategy", "publisher") in layers and ("strategy", "transcriber") in layers


def test_describe_and_outcome_subgraph(ds):
    described = _run(ds, "describe-resource")
    assert any(str(o) == "a safer community with fewer cases of domestic abuse, serious violence and drug and alcohol related harm"
               for o in described.objects())
    sub = _run(ds, "outcome-subgraph")
    means = {str(o) for s, p, o in sub if str(p).endswith("#contributesTo")}
    assert means == {SAFER}
    assert {str(s).rsplit("/", 1)[-1] for s, p, o in sub if str(p).endswith("#contributesTo")} == {"drug-alcohol-harm", "crime-reoffending"}


@pytest.mark.parametrize("attack", ['x" } ; DROP ALL', "https://example.org/a> } ; DROP ALL #", "{ }", "https://ex.org/a b"])
def test_attacking_parameter_values_are_refused_as_iris(attack):
    with pytest.raises(QueryError, match="is not a valid iri"):
        bind(resolve("owner-portfolio"), {"owner": attack})


def test_attacking_string_values_stay_literals():
    from graph.sparql import Param, SavedQuery

    query = SavedQuery("q", "Q", "", (Param("label", "string", ""),), "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    text = bind(query, {"label": '"} ; DROP ALL ; SELECT * WHERE { ?a ?b "'})
    assert text.endswith('VALUES (?label) { ("\\"} ; DROP ALL ; SELECT * WHERE { ?a ?b \\"") }\n')
    assert check(text, set()).form == "SELECT"


def test_cli_query_and_queries(runner):
    listing = runner.invoke(main, ["queries"]).output
    assert "outcomes-without-funded-intervention" in listing and "--param owner=<iri>" in listing
    table = runner.invoke(main, ["query", "unlinked-workstreams"]).output
    assert "(7 rows)" in table
    as_json = json.loads(runner.invoke(main, ["query", "life-course-coverage", "--format", "json"]).output)
    assert as_json["head"]["vars"] == ["stage", "count", "servedBy"]
    ttl = runner.invoke(main, ["query", "outcome-subgraph", "--param", f"outcome={SAFER}", "--format", "ttl"]).output
    assert len(Graph().parse(data=ttl, format="turtle")) > 5
    bad = runner.invoke(main, ["query", "owner-portfolio", "--param", 'owner=x"}'])
    assert bad.exit_code == 2 and "no such owner" in bad.output
    update = runner.invoke(main, ["query", "DROP ALL"])
    assert update.exit_code == 2 and "read-only" in update.output


# The endpoint, with real clients ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    settings = ("sparql_time_limit_seconds=2", "sparql_max_rows=40", "max_post_body_bytes=20000", "sparql_max_result_bytes=200000")
    with running_server(tmp_path_factory.mktemp("server"), *[a for s in settings for a in ("--setting", s)]) as base:
        yield base + "/sparql"


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/strategy-graph/def#Workstream> }"


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_format(endpoint, fmt):
    client = SPARQLWrapper(endpoint)
    client.setQuery(COUNT)
    client.setReturnFormat(fmt)
    result = client.query()
    body = result.convert()
    if fmt == JSON:
        assert body["results"]["bindings"][0]["n"]["value"] == "22"
    elif fmt == XML:
        assert body.getElementsByTagName("literal")[0].firstChild.data == "22"
    elif fmt == CSV:
        assert body.decode().splitlines() == ["n", "22"]
    else:
        assert body.decode().splitlines() == ["?n", "22"]  # SPARQL TSV writes an xsd:integer as in Turtle


def test_sparqlwrapper_ask_and_post(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setMethod("POST")
    client.setQuery("ASK { ?s a <https://w3id.org/strategy-graph/def#Outcome> }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("fmt, media", [("turtle", "text/turtle"), ("n3", "application/n-triples"), ("xml", "application/rdf+xml"),
                                        ("json-ld", "application/ld+json")])
def test_construct_and_describe_in_every_graph_format(endpoint, fmt, media):
    query = f"CONSTRUCT {{ <{SAFER}> ?p ?o }} WHERE {{ <{SAFER}> ?p ?o }}"
    request = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": media})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].startswith(media)
        parsed = Graph().parse(data=response.read(), format={"n3": "nt"}.get(fmt, fmt))
    assert len(parsed) >= 5
    describe = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": f"DESCRIBE <{SAFER}>"}), headers={"Accept": "text/turtle"})
    assert len(Graph().parse(data=urllib.request.urlopen(describe, timeout=30).read(), format="turtle")) >= 5


def test_curl_posts_a_query_body_and_gets_cors(endpoint):
    out = subprocess.run(
        ["curl", "-s", "-i", "-X", "POST", endpoint, "-H", "Content-Type: application/sparql-query", "-H", "Accept: text/csv", "--data-binary", COUNT],
        capture_output=True, text=True, timeout=30,
    ).stdout
    assert out.startswith("HTTP/1.1 200") and "Access-Control-Allow-Origin: *" in out
    assert out.replace("\r\n", "\n").rstrip().endswith("\n\nn\n22")
    preflight = subprocess.run(["curl", "-s", "-i", "-X", "OPTIONS", endpoint], capture_output=True, text=True, timeout=30).stdout
    assert preflight.startswith("HTTP/1.1 204") and "Access-Control-Allow-Methods: GET, POST, OPTIONS" in preflight


def test_service_description_without_a_query(endpoint):
    sd = Graph().parse(data=urllib.request.urlopen(endpoint, timeout=30).read(), format="turtle")
    ns = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, None, URIRef(ns + "SPARQL11Query")) in sd
    assert len(list(sd.objects(None, URIRef(ns + "name")))) >= 7


def test_dataset_of_the_protocol(endpoint, layer):
    strategy = PWS + "graph/strategy"
    params = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": strategy}
    body = json.loads(urllib.request.urlopen(endpoint + "?" + urllib.parse.urlencode(params), timeout=30).read())
    assert body["results"]["bindings"][0]["n"]["value"] == str(len(layer("strategy")))  # the graph alone, counted here
    params["default-graph-uri"] = "file:///etc/passwd"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(endpoint + "?" + urllib.parse.urlencode(params), timeout=30)
    assert refused.value.code == 400


def test_a_malformed_query_gets_400_with_the_parsers_message(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed) as error:
        client.query()
    assert "malformed query" in str(error.value)


def _status(endpoint, method="GET", **kwargs) -> tuple[int, str]:
    data = kwargs.pop("data", None)
    url = endpoint + ("?" + urllib.parse.urlencode(kwargs) if kwargs else "")
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_updates_and_load_are_refused(endpoint):
    assert _status(endpoint, query="DROP ALL")[0] == 403
    assert _status(endpoint, query="LOAD <file:///etc/passwd>")[0] == 403
    assert _status(endpoint, "POST", data=b"update=INSERT+DATA+%7B%3Ca%3E+%3Cb%3E+%3Cc%3E%7D")[0] == 403


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


def test_service_makes_no_outbound_request(endpoint):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.hits = []
    try:
        target = f"http://127.0.0.1:{server.server_port}/sparql"
        for query in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }} }} }}",
                      ):
            status, message = _status(endpoint, query=query)
            assert status == 400, message
        # A graph the store does not hold is empty, never fetched.
        assert _status(endpoint, query=f"ASK {{ GRAPH <{target}> {{ ?s ?p ?o }} }}", **{"named-graph-uri": target})[0] == 200
        assert _status(endpoint, query=f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}")[0] == 200
        time.sleep(0.5)
        assert _Recorder.hits == []
    finally:
        server.shutdown()


def test_from_a_local_file_is_refused_and_the_file_is_never_opened(endpoint, tmp_path):
    fifo = tmp_path / "secret.ttl"
    os.mkfifo(fifo)  # opening it to read would block: a query that read it would hang, not answer 400
    started = time.monotonic()
    for query in (f"SELECT * FROM <{fifo.as_uri()}> WHERE {{ ?s ?p ?o }}", f"SELECT * FROM NAMED <{fifo.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        assert _status(endpoint, query=query)[0] == 400
    assert time.monotonic() - started < 10
    with pytest.raises(OSError):  # ENXIO: no process has the FIFO open for reading
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_slow_query_is_stopped_and_the_server_answers_the_next(endpoint):
    _status(endpoint, query=COUNT)  # the workers have loaded the graph: that time is not the query's
    started = time.monotonic()
    status, message = _status(endpoint, query=SLOW)
    assert status == 503 and "was stopped" in message
    assert time.monotonic() - started < 2 + 3  # the limit, and a margin for a busy machine
    status, body = _status(endpoint, query=COUNT)
    assert status == 200 and '"22"' in body


def test_results_are_capped_and_say_so(endpoint):
    request = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}), headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert len(response.read().decode().splitlines()) == 41  # header and the 40-row cap
        assert "first 40 results" in response.headers["X-Result-Truncated"]


def test_a_large_body_is_refused(endpoint):
    body = ("SELECT * WHERE { ?s ?p ?o } # " + "x" * 30_000).encode()
    request = urllib.request.Request(endpoint, data=body, method="POST", headers={"Content-Type": "application/sparql-query"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413


@pytest.mark.parametrize("hiding", ["# x\rSERVICE", "# x\\u000aSERVICE", "# x\\U0000000aSERVICE"])
def test_service_hidden_in_a_comment_for_one_parser_is_still_refused(endpoint, hiding):
    """Regression: Oxigraph ends a comment at a carriage return, rdflib did not; SERVICE went out."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.hits = []
    try:
        query = f"SELECT * WHERE {{ ?s ?p ?o . {hiding} <http://127.0.0.1:{server.server_port}/x> {{ ?a ?b ?c }}\n}} LIMIT 1"
        status, message = _status(endpoint, "POST", data=urllib.parse.urlencode({"query": query}).encode())
        assert status == 400 and "SERVICE is refused" in message
        time.sleep(0.5)
        assert _Recorder.hits == []
    finally:
        server.shutdown()


def test_concurrent_queries_all_parse(endpoint):
    """Regression: rdflib's parser, first used by several threads at once, broke for good."""
    results = []
    query = "SELECT (COUNT(*) AS ?n) (SAMPLE(?s) AS ?one) WHERE { ?s a ?t } GROUP BY ?t HAVING (COUNT(*) > 1)"
    # Four: two run and two wait, the most that wait at once for the two workers.
    threads = [threading.Thread(target=lambda: results.append(_status(endpoint, query=query)[0])) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4


def test_busy_workers_answer_503_and_the_site_stays_up(endpoint):
    statuses = []
    threads = [threading.Thread(target=lambda: statuses.append(_status(endpoint, query=SLOW)[0])) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert _status(endpoint.removesuffix("/sparql") + "/")[0] == 200
    assert time.monotonic() - started < 2
    for t in threads:
        t.join()
    assert statuses == [503] * 3
    assert _status(endpoint, query=COUNT)[0] == 200


def test_a_query_beyond_the_workers_is_answered_busy_at_once_with_retry_after(endpoint):
    """Regression: queries queued for a worker behind runaway ones, holding the web server's threads for seconds."""
    runaways = []  # each holds one of the two workers
    for _ in range(20):  # one that finds a worker answering a saved query ahead is turned away, and another tried
        runaway = threading.Thread(target=_status, args=(endpoint,), kwargs={"query": SLOW})
        runaway.start()
        runaway.join(0.5)  # turned away by then, or running on a worker
        if runaway.is_alive():
            runaways.append(runaway)
        if len(runaways) == 2:
            break
    fresh = COUNT + " # asked here only, so no answer is kept"
    request = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": fresh}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    still_running = [t.is_alive() for t in runaways]
    for t in runaways:
        t.join()
    assert refused.value.code == 503 and "busy" in refused.value.read().decode()
    assert refused.value.headers["Retry-After"] == "1"
    assert still_running == [True, True]  # answered while the runaways ran, not after a worker came free


def test_a_crashed_worker_is_replaced(ds, tmp_path):
    """Regression: a worker that died stayed in the pool, and every other query then failed."""
    import signal
    from pathlib import Path

    import pyoxigraph

    from graph.engine import QueryService

    generation = tmp_path / "generation"
    store = pyoxigraph.Store(str(generation))
    store.load(ds.serialize(format="ox-nquads", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    del store
    service = QueryService(settings={"sparql_workers": 1})
    try:
        service.start(generation)
        assert service.run(COUNT, {"SELECT": "csv"})[0].decode().splitlines() == ["n", "22"]
        (dead,) = service.worker_pids()
        os.kill(dead, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while Path(f"/proc/{dead}").exists():  # ended and reaped
            assert time.monotonic() < deadline, "the worker did not die"
            time.sleep(0.02)
        # The dead worker is never handed a query: its replacement answers every one.
        for _ in range(3):
            assert service.run(COUNT, {"SELECT": "csv"})[0].decode().splitlines() == ["n", "22"]
        assert service.wait_ready(60) and len(service.worker_pids()) == 1 and dead not in service.worker_pids()
    finally:
        service.close()


def test_a_huge_result_is_refused(endpoint):
    doubling = " ".join(f"BIND (CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(20))
    status, message = _status(endpoint, query=f'SELECT ?v20 WHERE {{ BIND ("x" AS ?v0) {doubling} }}')
    assert status == 413 and "larger than 200000 bytes" in message


def test_the_querys_own_from_and_the_protocols_dataset_are_honoured(endpoint, ds):
    concepts = "https://w3id.org/strategy-graph/def/concepts"
    expected = str(len(list(ds.quads((None, None, None, URIRef(concepts))))))
    body = json.loads(_status(endpoint, query=f"SELECT (COUNT(*) AS ?n) FROM <{concepts}> WHERE {{ ?s ?p ?o }}")[1])
    assert body["results"]["bindings"][0]["n"]["value"] == expected
    # default-graph-uri alone: the dataset has that default graph and no named graphs.
    body = json.loads(_status(endpoint, query="SELECT ?g WHERE { GRAPH ?g { } }", **{"default-graph-uri": concepts})[1])
    assert body["results"]["bindings"] == []


def test_content_negotiation_edges(endpoint):
    def get(query, accept):
        request = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers["Content-Type"]
        except urllib.error.HTTPError as error:
            return error.code, ""
    assert get("ASK {}", "text/csv")[0] == 406  # SPARQL CSV has no boolean
    assert get(COUNT, "application/json") == (200, "application/sparql-results+json")
    assert get(COUNT, "text/csv;q=0, application/sparql-results+xml;q=0")[0] == 406
    assert get(COUNT, "text/*")[1].startswith("text/csv")


def test_an_empty_query_is_400_not_403(endpoint):
    request = urllib.request.Request(endpoint, data=b"  ", method="POST", headers={"Content-Type": "application/sparql-query"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400


# Answers kept by the viewer -----------------------------------------------------------------------

def test_kept_answers_go_least_recently_used_first_and_with_their_snapshot():
    from viewer.sparql import Answers

    answers = Answers(max_bytes=10)
    key = lambda text, generation="g1": (generation, text, "*/*", None)
    answers.put(key("a"), (b"1234", "text/csv", False))
    answers.put(key("b"), (b"5678", "text/csv", True))
    assert answers.get(key("a")) == (b"1234", "text/csv", False)  # a is now the more recently used
    answers.put(key("c", "g2"), (b"9012", "text/csv", False))  # 12 bytes: over the bound, so b goes
    assert answers.get(key("b")) is None
    assert answers.get(key("a")) and answers.get(key("c", "g2"))
    answers.put(key("d"), (b"x" * 11, "text/csv", False))  # larger than the bound: not kept at all
    assert answers.get(key("d")) is None and answers.get(key("a"))
    answers.keep_only("g2")
    assert answers.get(key("a")) is None and answers.get(key("c", "g2")) == (b"9012", "text/csv", False)
    answers.put(key("e"), (b"1", "text/csv", False))  # a request still reading g1 finishes after the switch
    assert answers.get(key("e")) is None


def test_saved_queries_are_answered_when_the_data_changes_not_when_asked():
    """Every parameterless saved query is answered ahead on the snapshot served: with no worker left, it still is."""
    from viewer import close, create_app

    app = create_app({"TESTING": True})
    try:
        from viewer.sparql import formats_accepted

        answers, generation = app.extensions["sparql_answers"], app.extensions["snapshot"].generation
        wanted = [q for q in saved_queries() if not q.params]
        anything = tuple(formats_accepted("*/*").items())
        deadline = time.monotonic() + 120
        while not all(answers.get((generation, q.text, anything, None, None)) for q in wanted):
            assert time.monotonic() < deadline, "the saved queries were not answered ahead"
            time.sleep(0.1)
        app.extensions["sparql"].close()
        client = app.test_client()
        unlinked = next(q for q in wanted if q.name == "unlinked-workstreams")
        response = client.get("/sparql", query_string={"query": unlinked.text})
        assert response.status_code == 200
        # The seven Luton work streams whose wording names no outcome's change (README, "gaps").
        assert len(json.loads(response.data)["results"]["bindings"]) == 7
        # A query not asked before needs a worker, and none is left.
        assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 503
    finally:
        close(app)


def test_the_accept_header_chooses_a_format_for_each_form_of_query():
    from viewer.sparql import formats_accepted

    assert formats_accepted(None) == {"SELECT": "json", "ASK": "json", "CONSTRUCT": "ttl", "DESCRIBE": "ttl"}
    csv = formats_accepted("text/csv")
    assert csv["SELECT"] == "csv" and csv["ASK"] is None and csv["CONSTRUCT"] is None  # CSV has no boolean, and is no graph
    preferring = formats_accepted("text/turtle;q=0.5, application/sparql-results+xml, application/n-triples;q=0.9")
    assert preferring["SELECT"] == "xml" and preferring["CONSTRUCT"] == "nt"
    assert formats_accepted("application/json")["SELECT"] == "json" and formats_accepted("text/xml")["ASK"] == "xml"
    assert formats_accepted("text/*")["SELECT"] == "csv" and formats_accepted("text/*")["CONSTRUCT"] == "ttl"
    assert set(formats_accepted("image/png").values()) == {None}
    assert formats_accepted("text/csv;q=0, */*")["SELECT"] == "json"  # q=0: not acceptable


def test_a_parameter_chooses_only_from_a_known_list_and_only_for_iris(tmp_path):
    from graph.engine import QueryError
    from graph.sparql import read_query_file

    for spec in ("thing (iri of planets)", "name (string of owner)"):
        path = tmp_path / "q.rq"
        path.write_text(f"# param: {spec} What it is\nSELECT * WHERE {{ ?s ?p ?o }}\n", encoding="utf-8")
        with pytest.raises(QueryError, match="only an iri parameter chooses, from one of owner, outcome, indicator"):
            read_query_file(path)
    path.write_text("# param: who (iri of owner) The owner\nSELECT * WHERE { ?s ?p ?who }\n", encoding="utf-8")
    (param,) = read_query_file(path).params
    assert (param.name, param.kind, param.choices, param.description) == ("who", "iri", "owner", "The owner")


def test_closing_the_app_while_it_answers_saved_queries_ahead_logs_no_failure(caplog):
    """Regression: a server stopped while its saved queries were being answered ahead logged the one in hand
    as "not answered ahead" with "the query engine failed" or "the query service is stopped", which names a
    shutdown as a fault of the query or of the engine."""
    from viewer import close, create_app
    from viewer.sparql import Answers

    def answering_ahead() -> list[threading.Thread]:
        return [thread for thread in threading.enumerate() if thread.name == "saved-query-answers"]

    app = create_app({"TESTING": True})
    for thread in answering_ahead():
        thread.join(60)
    service = app.extensions["sparql"]

    class ClosedWhileAsked:
        """The app's own query service, with the app closed as each query is put to it."""

        def precompute(self, *args, **kwargs):
            close(app)
            return service.precompute(*args, **kwargs)

        def close(self):
            service.close()

    app.extensions["sparql"] = ClosedWhileAsked()
    app.extensions["sparql_answers"] = Answers(10_000_000)  # none answered yet, so the first is put to the service
    caplog.set_level(logging.WARNING)
    app.extensions["sparql_ahead"].restart(app.extensions["snapshot"])
    for thread in answering_ahead():
        thread.join(60)
    asked = [record.getMessage() for record in caplog.records if "answered ahead" in record.getMessage()]
    assert asked == []


def _saved_answers(store, settings: dict) -> dict:
    """Each parameterless saved query's status and rows, through /sparql of a viewer over ``store`` with ``settings``."""
    from viewer import close, create_app

    app = create_app({"TESTING": True, "STORE": store, "SETTINGS": settings})
    try:
        client = app.test_client()
        answers = {}
        for saved in (q for q in saved_queries() if not q.params):
            response = client.get("/sparql", query_string={"query": saved.text})
            answers[saved.name] = (response.status_code, response.get_data() if response.status_code == 200 else b"")
        return answers
    finally:
        close(app)


def test_a_saved_query_slower_than_the_request_limit_is_answered_once_worked_out_ahead(tmp_path):
    """Regression: at 1,500 strategies 6 of the 15 saved queries took longer than the 5-second request limit, and so
    did their answers worked out ahead, under the same limit: they were never kept, and every request got 503.
    Here the request limit is 0 s, which the saved queries cannot keep to, yet every one is answered: from its
    answer worked out ahead, within its own budget, which the request waits for rather than being refused."""
    from graph import files
    from graph.engine import load

    load(tmp_path / "store", files.dataset_files())
    answers = _saved_answers(tmp_path / "store", {"sparql_time_limit_seconds": 0})
    assert {name: status for name, (status, _) in answers.items()} == dict.fromkeys(answers, 200)
    unlinked = json.loads(answers["unlinked-workstreams"][1])["results"]["bindings"]
    assert len(unlinked) == 7  # the seven Luton work streams whose wording names no outcome's change (README, "gaps")


def test_answers_worked_out_ahead_are_kept_beside_the_store_and_read_after_a_restart(tmp_path):
    """Answers worked out ahead are kept on disk, by the store's generation: a restarted viewer (or a second one)
    reads them and works none out again. Here it could not in time: its budget and request limit are both 0 s."""
    from graph import files
    from graph.engine import load

    load(tmp_path / "store", files.dataset_files())
    first = _saved_answers(tmp_path / "store", {})
    assert {status for status, _ in first.values()} == {200}
    again = _saved_answers(tmp_path / "store", {"sparql_time_limit_seconds": 0, "sparql_precompute_seconds": 0})
    assert again == first
    # A write makes a new generation, whose answers are worked out and kept anew; a generation's are let go of
    # with it, so the folder holds only those of generations the store still holds.
    load(tmp_path / "store", [files.dataset_files()[0]])
    after = _saved_answers(tmp_path / "store", {})
    assert {status for status, _ in after.values()} == {200}
    live = json.loads((tmp_path / "store" / "current").read_text())["generation"]
    kept = {path.name.partition(".")[0] for path in (tmp_path / "store" / "answers").iterdir()}
    assert live in kept and all((tmp_path / "store" / generation).is_dir() for generation in kept)
