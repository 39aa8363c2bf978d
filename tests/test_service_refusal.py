"""SERVICE can never make the server connect out: the check and the engine agree, and the workers are offline.

The check (graph.engine.query.check) judges rdflib's parse; Oxigraph runs its own.
Each query of the corpus below is a trick that once made, or could make, the
two read different characters. For every one, the text the check lets through
is run on a bare Oxigraph store beside a listener: had the check passed a
SERVICE that Oxigraph runs, the listener would hear it. Underneath, the query
workers cannot reach any address at all.
"""

import http.server
import os
import threading
from typing import ClassVar

import pyoxigraph
import pytest

from graph.engine import QueryError, check
from graph.engine.workers import QueryService, context, cut_off_network
from tests.test_workers import HANG, make_generation


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        _Listener.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET  # noqa: N815 — http.server's names

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """The URL of an HTTP server on loopback that records every request it gets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Listener.hits = []
    yield f"http://127.0.0.1:{server.server_port}/x"
    server.shutdown()
    server.server_close()


# Each {url} is the listener's. Backslashes are the query's own: \\u below is \u in the query.
CORPUS = [
    # The red team's query: \u005C writes a backslash, which Oxigraph expands again and rdflib did not.
    "SELECT * WHERE {{ BIND('\\u005Cu00000027' AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # ''' AS ?y)\n}}",
    "SELECT * WHERE {{ BIND('\\u005CU00000027' AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # ''' AS ?y)\n}}",
    "SELECT * WHERE {{ BIND(\"\\u005Cu0022\" AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # \"\"\" AS ?y)\n}}",
    "SELECT * WHERE {{ BIND('\\u005C\\u005Cu0027' AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # ''' AS ?y)\n}}",
    # The keyword written with escapes.
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\U00000053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ sErViCe <{url}> {{ ?s ?p ?o }} }}",
    # Comments that end at a character one parser takes for a line end.
    "SELECT * WHERE {{ ?s ?p ?o . # x\rSERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "SELECT * WHERE {{ ?s ?p ?o . # x\\u000dSERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "SELECT * WHERE {{ ?s ?p ?o . # x\\u000aSERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "SELECT * WHERE {{ ?s ?p ?o . # x\u2028SERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "SELECT * WHERE {{ ?s ?p ?o . # x\u0085SERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "SELECT * WHERE {{ ?s ?p ?o . # x\fSERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "SELECT * WHERE {{ ?s ?p ?o . # x\vSERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "SELECT * WHERE {{ ?s ?p ?o . # x\x00SERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    # Strings that end, for one parser, where the other reads on.
    "SELECT * WHERE {{ BIND('\\\\' AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # '\n}}",
    "SELECT * WHERE {{ BIND('''a'' ' AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # '''\n}}",
    "SELECT * WHERE {{ BIND('\\u0027 AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # ' AS ?y)\n}}",
    "SELECT * WHERE {{ BIND(\"a\\\"\" AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # \"\n}}",
    "SELECT * WHERE {{ BIND('\\\\u0027' AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # ' AS ?y)\n}}",
    "SELECT * WHERE {{ BIND('\\x00' AS ?y) SERVICE <{url}> {{ ?s ?p ?o }} # ' AS ?y)\n}}",
    # The listener reached by other names and other places.
    "PREFIX l: <{url}> SELECT * WHERE {{ SERVICE l: {{ ?s ?p ?o }} }}",
    "BASE <{url}> SELECT * WHERE {{ SERVICE <> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?where {{ <{url}> }} SERVICE ?where {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


def _engine_reaches(text: str) -> bool:
    """Whether Oxigraph itself, with no check before it, connects to the listener when it runs ``text``."""
    before = len(_Listener.hits)
    try:
        answer = pyoxigraph.Store().query(text)
        if not isinstance(answer, pyoxigraph.QueryBoolean):
            list(answer)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass  # refused by its parser, or the listener's 500
    return len(_Listener.hits) > before


@pytest.mark.parametrize("trick", CORPUS)
def test_the_check_never_passes_a_service_that_the_engine_runs(listener, trick):
    """Regression: rdflib and Oxigraph read \\u005Cu00000027 differently, and SERVICE reached the listener with 200."""
    query = trick.format(url=listener)
    try:
        passed = check(query, set()).text
    except QueryError:
        return  # refused: nothing runs
    assert not _engine_reaches(passed), f"the check let through a query that Oxigraph sends to {listener}: {passed!r}"


def test_the_corpus_holds_queries_the_engine_would_send(listener):
    """The corpus can catch a disagreement: run unchecked, Oxigraph sends the escape tricks and the plain ones out."""
    for trick in (*CORPUS[0:4], CORPUS[7], CORPUS[23]):
        assert _engine_reaches(trick.format(url=listener)), trick


@pytest.mark.parametrize("query, why", [
    ("SELECT ('\\u005Cu0041' AS ?a) {}", "an escape that writes another escape"),
    ("SELECT ('\\uD800' AS ?a) {}", "\\uD800 is not a Unicode character"),
    ("SELECT ('\\U00110000' AS ?a) {}", "\\U00110000 is not a Unicode character"),
])
def test_escapes_that_write_no_character_or_another_escape_are_malformed(query, why):
    with pytest.raises(QueryError) as refused:
        check(query, set())
    assert refused.value.reason == "malformed" and why in str(refused.value)


def test_escapes_that_write_characters_still_work():
    assert check("SELECT ('caf\\u00E9 \\U0001F600' AS ?a) {}", set()).text == "SELECT ('caf\u00e9 \U0001f600' AS ?a) {}"


# The workers ---------------------------------------------------------------------------------------------------


def _query_offline(text: str, offline: bool, answers) -> None:
    if offline:
        cut_off_network()
    try:
        list(pyoxigraph.Store().query(text))
        answers.put("answered")
    except Exception as error:  # noqa: BLE001 — the test reads what the engine said
        answers.put(str(error))


@pytest.mark.parametrize("offline", [True, False])
def test_a_service_query_that_skips_the_check_reaches_no_listener_from_an_offline_process(listener, offline):
    """Defence in depth: however a SERVICE query got past the check, a process cut off as the workers are cannot connect.

    The same query from a process that is not cut off reaches the listener:
    the test would see a connection if one were made.
    """
    answers = context().Queue()
    process = context().Process(target=_query_offline, args=(f"SELECT * WHERE {{ SERVICE <{listener}> {{ ?s ?p ?o }} }}", offline, answers))
    process.start()
    said = answers.get(timeout=HANG)
    process.join(HANG)
    if offline:
        assert _Listener.hits == [] and "Network is unreachable" in said
    else:
        assert _Listener.hits == ["/x"] and "500" in said


def test_every_query_worker_is_in_a_network_namespace_of_its_own(tmp_path):
    generation = make_generation(tmp_path / "gen", 1)
    with QueryService({"sparql_workers": 2}) as service:
        service.start(generation)
        spaces = {os.readlink(f"/proc/{pid}/ns/net") for pid in service.worker_pids()}
        ours = os.readlink("/proc/self/ns/net")
    assert len(spaces) == 2 and ours not in spaces


def test_workers_may_be_left_online_by_a_setting(tmp_path):
    generation = make_generation(tmp_path / "gen", 1)
    with QueryService({"sparql_workers": 1, "sparql_workers_offline": False}) as service:
        service.start(generation)
        (pid,) = service.worker_pids()
        assert os.readlink(f"/proc/{pid}/ns/net") == os.readlink("/proc/self/ns/net")

