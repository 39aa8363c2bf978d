"""The commands and the viewer over a real Oxigraph server (`oxigraph serve`), through the SPARQL 1.1 protocols.

Each check compares the remote run with the embedded store's run of the same
command on the same packaged dataset: the two must agree record for record.
"""

import http.server
import json
import re
import threading
import urllib.request
from contextlib import contextmanager
from typing import ClassVar

import openpyxl
import pytest
from click.testing import CliRunner
from rdflib import Dataset
from rdflib.compare import isomorphic

from graph import files
from graph.engine import Remote
from strategy_graph.cli import main
from tests.servers import KINDS, OxigraphServer, VirtuosoServer, kind as _kind, relay
from viewer import close, create_app

PAGES = ("/", "/gaps", "/theory-of-change", "/analysis", "/contributions", "/owners", "/network",
         "/search?q=housing", "/query")


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """An Oxigraph server holding the packaged dataset, for the protocol's own checks (credentials, hosts, limits)."""
    started = OxigraphServer(tmp_path_factory.mktemp("oxigraph-alone")).start()
    result = CliRunner().invoke(main, ["load", *map(str, files.dataset_files()), *started.options()])
    assert result.exit_code == 0, result.output
    yield started
    started.stop()


def _json(runner, *args):
    result = runner.invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_load_through_the_protocol_holds_what_the_embedded_store_holds(runner, server):
    remote = _json(runner, "stats", "--format", "json", "--remote", server.query_url)
    embedded = _json(runner, "stats", "--format", "json")
    # A server may hold graphs of its own besides (Virtuoso's system graphs): what the embedded store holds, it holds alike.
    for part in ("classes", "graphs"):
        theirs = {c["iri"]: c["count"] for c in remote[part]}
        assert {c["iri"]: theirs.get(c["iri"]) for c in embedded[part]} == {c["iri"]: c["count"] for c in embedded[part]}
    assert {c["name"]: c["count"] for c in remote["classes"]}["Target outcome"] == 5  # the strategy's five target outcomes


@pytest.mark.parametrize("command", [("gaps", "--format", "json", "--fail-on", "none"), ("analyse", "--format", "json"),
                                     ("query", "outcomes-without-funded-intervention", "--format", "json"),
                                     ("gaps", "--format", "json", "--shapes", "examples/council-rules.ttl")])
def test_a_command_over_the_server_answers_as_over_the_embedded_store(runner, server, command):
    remote = _json(runner, *command, "--remote", server.query_url)
    embedded = _json(runner, *command)
    assert remote == embedded
    assert remote  # something to compare: every one of these has records on the Luton data


def test_export_over_the_server_is_the_embedded_graph(runner, server):
    remote = runner.invoke(main, ["export", "--format", "trig", "--remote", server.query_url])
    embedded = runner.invoke(main, ["export", "--format", "trig"])
    parsed = [Dataset().parse(data=r.stdout_bytes, format="trig") for r in (remote, embedded)]
    assert len(parsed[1]) > 1000
    for name in {g.identifier for g in parsed[1].graphs()}:
        assert isomorphic(parsed[0].graph(name), parsed[1].graph(name)), name


def _app(store, **settings):
    """The viewer over a server; its check that the server stops runaway queries (tests/test_remote_safety.py) left out."""
    return create_app({"TESTING": True, "STORE": store, "SETTINGS": {"remote_runaway_check": "off", **settings}})


def _visible(html: str) -> str:
    """A page as a reader sees it: the footer's time of the last change aside (the two stores were written apart)."""
    return re.sub(r"<footer>.*?</footer>", "", html, flags=re.DOTALL)


def test_the_viewer_over_the_server_shows_what_it_shows_over_the_embedded_store(server, client):
    app = _app(_remote(server))
    try:
        remote = app.test_client()
        for page in PAGES:
            theirs, ours = remote.get(page), client.get(page)
            assert theirs.status_code == ours.status_code == 200, page
            assert _visible(theirs.get_data(as_text=True)) == _visible(ours.get_data(as_text=True)), page
    finally:
        close(app)


def test_a_resource_page_over_the_server_shows_what_it_shows_over_the_embedded_store(server, client):
    """The data's own links, a blank node in words, no kept report's result (issue 25, item 8).

    Regression: on Virtuoso every resource page was a 503 (the query's trailing VALUES: "No column node").
    Virtuoso orders labels otherwise than Oxigraph does: the rows are compared, not their order.
    """
    pws = "https://w3id.org/strategy-graph/id/luton-pws/"
    rows = lambda html: sorted(re.findall(r"<tr>.*?</tr>", html, re.S))
    app = _app(_remote(server))
    try:
        remote = app.test_client()
        for iri in (pws + "strategy", pws + "luton-borough-council", pws + "outcome/safer-community",
                    "https://w3id.org/strategy-graph/def#measures"):
            theirs, ours = remote.get("/resource", query_string={"iri": iri}), client.get("/resource", query_string={"iri": iri})
            assert theirs.status_code == ours.status_code == 200, iri
            assert rows(theirs.get_data(as_text=True)) == rows(ours.get_data(as_text=True)), iri
            assert not re.search(r"[0-9a-f]{32}|genid", theirs.get_data(as_text=True)), iri
    finally:
        close(app)


def test_sparql_through_serve_remote_keeps_the_endpoints_checks(server):
    app = _app(_remote(server))
    try:
        endpoint = app.test_client()
        answer = endpoint.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?o a <https://w3id.org/strategy-graph/def#Outcome> }"},
                              headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200
        assert answer.get_json()["results"]["bindings"][0]["n"]["value"] == "5"
        service = endpoint.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
        assert service.status_code == 400 and "SERVICE is refused" in service.get_data(as_text=True)
        update = endpoint.post("/sparql", data={"update": "DROP ALL"})
        assert update.status_code in (400, 403)
    finally:
        close(app)
    assert len(server.dump()) > 1000  # DROP ALL never reached it


def _broken_workbook(runner, server, tmp_path):
    workbook = tmp_path / "luton.xlsx"
    assert runner.invoke(main, ["export", "--format", "xlsx", "-o", str(workbook), "--remote", server.query_url]).exit_code == 0
    book = openpyxl.load_workbook(workbook)
    book["Outcomes"]["B3"] = "a reworded outcome"  # a published label may not change
    book.save(workbook)
    return workbook


def test_a_refused_import_leaves_the_server_exactly_as_it_was(runner, server, tmp_path):
    before = server.dump()
    result = runner.invoke(main, ["import", str(_broken_workbook(runner, server, tmp_path)), *server.options()])
    assert result.exit_code == 1
    assert "Outcomes row 3" in result.output and "nothing was written" in result.output
    assert server.dump() == before


def test_an_update_the_server_refuses_writes_nothing_and_names_the_url_and_status(runner, oxigraph, tmp_path):
    server = oxigraph
    before = server.dump()
    wrong = server.update_url + "-nowhere"
    result = runner.invoke(main, ["load", "examples/example-town.trig", "--remote", server.query_url, "--remote-update", wrong])
    assert result.exit_code == 2
    assert f"{wrong}: HTTP 404" in result.output and "Nothing was loaded" in result.output
    assert server.dump() == before


def test_a_write_is_one_update_that_replaces_the_graphs_it_changed(runner, server):
    """Loading another strategy adds its graphs and re-validates; Luton's gaps stay as they were."""
    luton = "https://w3id.org/strategy-graph/id/luton-pws/strategy"
    gaps = lambda: _json(runner, "gaps", "--format", "json", "--fail-on", "none", "--remote", server.query_url)
    before = gaps()
    result = runner.invoke(main, ["load", "examples/example-town.trig", *server.options()])
    assert result.exit_code == 0, result.output
    after = gaps()
    assert [g for g in after if g["strategy"] == luton] == [g for g in before if g["strategy"] == luton]
    assert len(after) > len(before)
    town = _json(runner, "gaps", "--format", "json", "--fail-on", "none", "--data", "examples/example-town.trig")
    assert {g["focus"] for g in after} - {g["focus"] for g in before} == {g["focus"] for g in town}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_server_that_is_down_gets_a_clear_error_and_exit_2(runner, tmp_path, kind):
    stopped = _kind(kind)(tmp_path / "down")
    result = runner.invoke(main, ["gaps", "--remote", stopped.query_url])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {stopped.query_url}: cannot be reached (Connection refused)"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pages_answer_a_styled_503_while_the_server_is_down_and_recover(tmp_path, kind):
    own = _kind(kind)(tmp_path / "own").start()
    try:
        assert CliRunner().invoke(main, ["load", "examples/example-town.trig", *own.options()]).exit_code == 0
        app = _app(_remote(own))
        try:
            viewer = app.test_client()
            assert viewer.get("/search?q=town").status_code == 200
            own.stop()
            down = viewer.get("/search?q=town")
            assert down.status_code == 503 and down.headers["Retry-After"] == "5"
            assert "The server that holds the graph is not answering" in down.get_data(as_text=True)
            assert "Traceback" not in down.get_data(as_text=True) and own.query_url not in down.get_data(as_text=True)
            sparql = viewer.get("/sparql", query_string={"query": "ASK {}"})
            assert sparql.status_code == 503
            assert viewer.get("/").status_code == 200  # the snapshot's pages need no query
            own.start()
            assert viewer.get("/search?q=town").status_code == 200
        finally:
            close(app)
    finally:
        own.stop()


def test_a_server_whose_default_graph_is_not_the_union_is_refused_with_how_to_fix_it(runner, tmp_path):
    plain = OxigraphServer(tmp_path / "plain", union=False).start()
    try:
        request = urllib.request.Request(plain.update_url,
                                         data=b"INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }",
                                         headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(request, timeout=10).read()
        result = runner.invoke(main, ["gaps", "--remote", plain.query_url])
        assert result.exit_code == 2
        assert "default graph is not the union of its named graphs" in result.output
        assert "--union-default-graph" in result.output
    finally:
        plain.stop()


_TOKEN = "s3cret-t0ken-for-tests"


class _Guard(http.server.BaseHTTPRequestHandler):
    """A server in front of Oxigraph that wants a bearer token, as a hosted triple store would; it records what it saw."""

    token = _TOKEN
    upstream = ""
    seen: ClassVar[list] = []
    on_update = None  # called when an update arrives, before it is relayed

    def _relay(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append((self.command, self.path, dict(self.headers), body))
        if self.path.endswith("/update") and type(self).on_update is not None:
            type(self).on_update()
            self.close_connection = True
            return  # no answer at all: the server went away under the request
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.2:9/query")
            self.end_headers()
            return
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_response(401)
            self.send_header("WWW-Authenticate", "Bearer")
            self.end_headers()
            self.wfile.write(b"missing or wrong token\n")
            return
        relay(self, self.upstream + self.path.removeprefix("/guarded"), body)

    do_GET = do_POST = _relay  # noqa: N815 — http.server's names

    def log_message(self, *args):
        pass


@contextmanager
def _in_front_of(server):
    _Guard.upstream, _Guard.seen, _Guard.on_update = f"http://127.0.0.1:{server.port}", [], None
    front = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Guard)
    threading.Thread(target=front.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{front.server_port}"
    finally:
        front.shutdown()
        _Guard.on_update = None


@pytest.fixture
def guarded(oxigraph):
    with _in_front_of(oxigraph) as front:
        yield front


def test_a_server_that_stops_mid_command_gets_a_clear_error_and_keeps_its_data(runner, tmp_path):
    """The server stops while `load` sends its update: exit 2 naming the URL, and the server restarts with its old data."""
    own = OxigraphServer(tmp_path / "stopping").start()
    try:
        assert runner.invoke(main, ["load", "examples/example-town.trig", *own.options()]).exit_code == 0
        before = own.dump()
        with _in_front_of(own) as front:
            _Guard.on_update = own.stop
            result = runner.invoke(main, ["load", "examples/example-vale.trig", "--remote", front + "/guarded/query",
                                          "--remote-update", front + "/guarded/update"],
                                   env={"STRATEGY_GRAPH_REMOTE_TOKEN": _Guard.token})
        assert result.exit_code == 2
        assert f"{front}/guarded/update: cannot be reached (Remote end closed connection without response)" in result.output
        assert "Nothing was loaded" in result.output
        own.start()
        assert own.dump() == before
    finally:
        own.stop()


def test_credentials_come_from_the_environment_and_never_show(runner, guarded):
    url = guarded + "/guarded/query"
    refused = runner.invoke(main, ["gaps", "--remote", url])
    assert refused.exit_code == 2 and f"{url}: HTTP 401" in refused.output
    accepted = runner.invoke(main, ["gaps", "--format", "json", "--fail-on", "none", "--remote", url],
                             env={"STRATEGY_GRAPH_REMOTE_TOKEN": _Guard.token})
    assert accepted.exit_code == 0 and json.loads(accepted.output)
    wrong = runner.invoke(main, ["gaps", "--remote", url], env={"STRATEGY_GRAPH_REMOTE_TOKEN": "not-" + _Guard.token})
    assert wrong.exit_code == 2 and _Guard.token not in wrong.output
    assert all(seen[2].get("Authorization") in (None, f"Bearer {_Guard.token}", f"Bearer not-{_Guard.token}") for seen in _Guard.seen)


def test_credentials_from_a_file_and_never_in_the_url(runner, guarded, tmp_path):
    secret = tmp_path / "credentials"
    secret.write_text(f"Bearer {_Guard.token}\n")
    url = guarded + "/guarded/query"
    result = runner.invoke(main, ["stats", "--format", "json", "--remote", url, "--remote-credentials", str(secret)])
    assert result.exit_code == 0, result.output
    in_url = runner.invoke(main, ["stats", "--remote", f"http://user:{_Guard.token}@127.0.0.1:1/query"])
    assert in_url.exit_code == 2 and _Guard.token not in in_url.output and "not in the URL" in in_url.output


def test_only_the_given_host_is_contacted_redirects_are_not_followed(runner, guarded):
    result = runner.invoke(main, ["stats", "--remote", guarded + "/redirect/query"])
    assert result.exit_code == 2 and "HTTP 302" in result.output
    elsewhere = runner.invoke(main, ["load", "examples/example-town.trig", "--remote", guarded + "/guarded/query",
                                     "--remote-update", "http://127.0.0.2:9/update"])
    assert elsewhere.exit_code == 2 and "must be on the query endpoint's host" in elsewhere.output


def test_serve_remote_sends_the_time_limit_with_each_query(guarded):
    app = _app(Remote(guarded + "/guarded/query", creds=_credentials()), sparql_time_limit_seconds=3.5)
    try:
        _Guard.seen.clear()
        assert app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        sent = [body for method, path, _, body in _Guard.seen if b"ASK" in body]
        assert sent and all(b"timeout=3500" in body for body in sent)
    finally:
        close(app)


def _remote(server) -> Remote:
    """The Remote that the server's CLI options name."""
    return Remote(server.query_url, server.update_url, store_url=server.store_url)


def _credentials():
    from graph.engine import Credentials

    return Credentials(token=_Guard.token)


def test_a_write_reaches_the_server_as_one_update_request(runner, guarded):
    _Guard.seen.clear()
    result = runner.invoke(main, ["load", "examples/example-vale.trig", "--remote", guarded + "/guarded/query",
                                  "--remote-update", guarded + "/guarded/update"], env={"STRATEGY_GRAPH_REMOTE_TOKEN": _Guard.token})
    assert result.exit_code == 0, result.output
    # The token goes only where it is asked for: a first try without it, answered 401, then the update itself.
    asked = [seen for seen in _Guard.seen if seen[1] == "/guarded/update" and "Authorization" not in seen[2]]
    updates = [seen for seen in _Guard.seen if seen[1] == "/guarded/update" and "Authorization" in seen[2]]
    assert len(asked) == 1 and len(updates) == 1 and updates[0][2]["Content-Type"].startswith("application/sparql-update")
    assert b"example-vale" in updates[0][3] and b"DROP SILENT GRAPH" in updates[0][3]


def test_init_starts_an_empty_server_from_the_packaged_dataset_and_only_an_empty_one(runner, tmp_path):
    own = OxigraphServer(tmp_path / "init").start()
    try:
        first = runner.invoke(main, ["init", *own.options()])
        assert first.exit_code == 0, first.output
        assert first.output.startswith(f"Created {own.query_url} with the packaged dataset")
        outcomes = _json(runner, "query", "SELECT ?o WHERE { ?o a <https://w3id.org/strategy-graph/def#Outcome> }",
                         "--format", "json", "--remote", own.query_url)
        assert len(outcomes["results"]["bindings"]) == 5
        again = runner.invoke(main, ["init", *own.options()])
        assert again.exit_code == 2 and "already holds a strategy graph" in again.output
    finally:
        own.stop()


def test_a_query_the_server_stops_at_the_time_limit_is_a_timeout_not_a_short_answer(server):
    """Regression: Virtuoso answers a query stopped by its timeout parameter with 200 and the rows found so far."""
    app = _app(_remote(server), sparql_time_limit_seconds=0.5)
    try:
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        answer = app.test_client().get("/sparql", query_string={"query": runaway})
        assert answer.status_code == 503
        assert "the query ran longer than 0.5 s and was stopped" in answer.get_data(as_text=True)
    finally:
        close(app)


def test_an_answer_cut_at_the_servers_result_limit_is_refused_not_used(runner, tmp_path):
    """Regression: Virtuoso cuts every answer at ResultSetMaxRows and says nothing; a write made on the cut copy
    rewrote kept reports from part of the graph, and export wrote part of it with exit status 0."""
    if not VirtuosoServer.available():
        pytest.fail("Virtuoso is not installed: ./dev test installs Debian's virtuoso-opensource")
    small = VirtuosoServer(tmp_path / "small", max_rows=3000).start()  # it holds about 2,500 system statements already
    try:
        assert runner.invoke(main, ["load", "examples/example-town.trig", *small.options()]).exit_code == 0
        before = small.dump()
        for command in (["load", "examples/example-vale.trig", *small.options()],
                        ["export", "--format", "nq", "--remote", small.query_url]):
            result = runner.invoke(main, command)
            assert result.exit_code == 2, result.output
            assert re.search(r"answered 3000 of the \d+ statements asked for: its result limit cut the answer short", result.output)
        assert small.dump() == before
    finally:
        small.stop()


def test_a_server_strategy_graph_never_wrote_is_one_snapshot_not_a_new_one_each_poll(tmp_path):
    """Regression: the snapshot's version was made from the time it was built, so the follower rebuilt it every poll."""
    from viewer.data import _current, build

    own = OxigraphServer(tmp_path / "raw").start()
    try:
        request = urllib.request.Request(own.update_url,
                                         data=b"INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }",
                                         headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(request, timeout=10).read()
        remote = Remote(own.query_url)
        assert build(remote).generation == _current(remote) == build(remote).generation
    finally:
        own.stop()


def test_a_password_in_a_url_never_shows_whatever_else_is_wrong_with_it(runner):
    for url in ("ftp://alice:S3CRET@example.org/sparql", "http://alice:S3CRET@:80/sparql", "http://alice:S3CRET@example.org/sparql"):
        result = runner.invoke(main, ["stats", "--remote", url])
        assert result.exit_code == 2 and "S3CRET" not in result.output and "not in the URL" in result.output


def test_serve_remote_caps_what_it_reads_and_maps_the_servers_refusals(oxigraph, guarded):
    app = _app(_remote(oxigraph), sparql_max_result_bytes=20_000)
    try:
        large = app.test_client().get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert large.status_code == 413 and "larger than 20000 bytes" in large.get_data(as_text=True)
    finally:
        close(app)
    # The token stops working while the viewer runs: a 401, the operator's fault, not the client's query's.
    revoked = _app(Remote(guarded + "/guarded/query", creds=_credentials()))
    try:
        _Guard.token = "a-new-token"
        answer = revoked.test_client().get("/sparql", query_string={"query": "ASK {}"})
        assert answer.status_code == 503 and "not answering" in answer.get_data(as_text=True)
    finally:
        _Guard.token = _TOKEN
        close(revoked)


def test_a_write_refuses_to_land_over_another_write_made_meanwhile(runner, tmp_path, monkeypatch):
    from graph.engine import graphs

    own = OxigraphServer(tmp_path / "racing").start()
    try:
        assert runner.invoke(main, ["load", "examples/example-town.trig", *own.options()]).exit_code == 0
        made = graphs.write_into
        raced = []

        def and_another_meanwhile(*args, **kwargs):
            written = made(*args, **kwargs)
            if not raced:  # another process's write lands on the server while this one is being made
                raced.append(None)
                raced[0] = CliRunner().invoke(main, ["load", "examples/council-rules.ttl", "--graph",
                                                     "http://example.org/other", *own.options()]).exit_code
            return written

        monkeypatch.setattr(graphs, "write_into", and_another_meanwhile)
        result = runner.invoke(main, ["load", "examples/example-vale.trig", *own.options()])
        monkeypatch.undo()
        assert raced == [0]
        assert result.exit_code == 2
        assert "was changed by another write while this one was being made; nothing was written" in result.output
        vale = _json(runner, "query", "ASK { GRAPH ?g { ?s ?p ?o } FILTER (CONTAINS(STR(?g), 'example-vale')) }", "--format", "json",
                     "--remote", own.query_url)
        assert vale["boolean"] is False
    finally:
        own.stop()


def test_fingertips_values_reach_the_server_as_they_reach_the_embedded_store(runner, tmp_path):
    from tests.test_fingertips import SAMPLE, _observations

    own, store = OxigraphServer(tmp_path / "fingertips").start(), tmp_path / "store"
    try:
        for target in (own.options(), ["--store", str(store)]):
            assert runner.invoke(main, ["init", *target]).exit_code == 0
            result = runner.invoke(main, ["fingertips", str(SAMPLE), *target])
            assert result.exit_code == 0, result.output
            assert "3 values for E06000032 and 2 England comparators" in result.output
        remote = _observations(Remote(own.query_url))
        assert remote == _observations(store) and len(remote) > 5
    finally:
        own.stop()


@pytest.mark.parametrize("query, expected", [
    # FROM names the default graph only: there are no named graphs (SPARQL 1.1, 13.2).
    ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/strategy-graph/id/luton-pws/graph/strategy> WHERE { GRAPH ?g { ?s ?p ?o } }", "0"),
    # FROM NAMED names the named graphs only: the default graph is empty.
    ("SELECT (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/strategy-graph/id/luton-pws/graph/strategy> WHERE { ?s ?p ?o }", "0"),
])
def test_a_querys_own_dataset_is_read_as_sparql_says_on_either_server(server, client, query, expected):
    """Regression: Oxigraph server's union default graph overrode FROM, and Virtuoso read no named-graph-uri as all of them."""
    app = _app(_remote(server))
    try:
        for viewer in (app.test_client(), client):
            answer = viewer.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
            assert answer.status_code == 200 and answer.get_json()["results"]["bindings"][0]["n"]["value"] == expected
    finally:
        close(app)
