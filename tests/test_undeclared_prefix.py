"""A query that uses a prefix it does not declare is told which, where, and the declaration when the project knows the
prefix, on the command line, at /sparql and on the query page; not the parser's list of expected characters (issue 25, item 10)."""

import re

import pytest
from playwright.sync_api import sync_playwright

from strategy_graph.cli import main
from tests.conftest import CHROMIUM_ARGS, REPO, running_server

# sg: used first on line 3, at column 8; rdfs: declared.
QUERY = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?label WHERE {\n  ?s a sg:Outcome ;\n     rdfs:label ?label .\n}\n"
# foo: is no prefix of the project's; first used on line 1, at column 21, after a comment and a string that mention it.
UNKNOWN = 'SELECT * WHERE { ?s foo:bar "foo:baz" } # foo:qux'


def _declared(prefix: str) -> str:
    """The ontology's own declaration of a prefix, as the query would write it."""
    text = (REPO / "ontology" / "strategy-graph.ttl").read_text(encoding="utf-8")
    return "PREFIX {}: {}".format(prefix, re.search(rf"^@prefix {prefix}:\s+(<[^>]+>)", text, re.M).group(1))


def _says_where_and_what(message: str) -> None:
    assert "the prefix sg:" in message and "line 3, column 8" in message
    assert _declared("sg") == "PREFIX sg: <https://w3id.org/strategy-graph/def#>" and _declared("sg") in message
    assert "\\u{" not in message and "expected one of" not in message  # the parser's list of characters


def test_the_command_line_names_the_prefix_where_it_is_used_and_its_declaration(runner):
    result = runner.invoke(main, ["query", QUERY])
    assert result.exit_code == 2
    _says_where_and_what(result.output)
    assert len(result.output.strip().splitlines()) == 1


def test_a_prefix_the_project_does_not_know_is_named_with_no_iri_guessed(runner):
    result = runner.invoke(main, ["query", UNKNOWN])
    assert result.exit_code == 2
    assert "the prefix foo: of foo:bar is not declared (line 1, column 21)" in result.output
    assert "PREFIX foo: <…>" in result.output and "http" not in result.output


@pytest.fixture(scope="module")
def client():
    from viewer import close, create_app

    app = create_app({"TESTING": True})
    yield app.test_client()
    close(app)


def test_the_sparql_endpoint_answers_400_naming_the_prefix(client):
    for response in (client.post("/sparql", data=QUERY, content_type="application/sparql-query"),
                     client.get("/sparql", query_string={"query": QUERY})):
        assert response.status_code == 400 and response.mimetype == "text/plain"
        _says_where_and_what(response.get_data(as_text=True))


def test_the_query_page_shows_the_prefix_where_it_is_used_and_its_declaration(tmp_path):
    with running_server(tmp_path) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server + "/query")
        page.evaluate("text => document.querySelector('.CodeMirror').CodeMirror.setValue(text)", QUERY)
        with page.expect_response(lambda r: r.url == server + "/sparql") as answer:
            page.click(".yasqe_queryButton")
        assert answer.value.status == 400
        shown = page.wait_for_selector(".yasr .errorResult", timeout=15000).inner_text()
        browser.close()
    _says_where_and_what(shown)
