"""A strategy, priority, outcome, indicator or owner is taken by the id its workbook gave it or by its IRI, on every
page and command that takes one, through one parser (graph.names.resolve); an unknown one is refused saying what was
given and what there is (issue 25, item 9)."""

import io
import re

import pytest
from openpyxl import load_workbook
from rdflib import Dataset, URIRef

from graph import files
from graph.vocab import ID_BASE, SG
from strategy_graph.cli import main
from tests.conftest import REPO, WORKBOOK_IDS, copies
from viewer import close, create_app

LUTON = ID_BASE + "luton-pws/"
# Every view that reads ?strategy= (viewer/pages.py, reports.py, registers.py): the pages and their downloads.
TAKE_A_STRATEGY = ["/", "/gaps", "/gaps.csv", "/gaps.xlsx", "/theory-of-change", "/theory-of-change.svg", "/theory-of-change.png",
                   "/theory-of-change.pdf", "/analysis", "/network", "/contributions", "/contributions.csv",
                   "/contributions.xlsx", "/owners"]


def _content(response) -> object:
    """What a response says: its text, or a workbook's cells (an xlsx file records when it was written).

    The theory of change's download links repeat ?outcome= and ?priority= as they were given (each form works).
    """
    assert response.status_code == 200, (response.request.url, response.status_code)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data))
        return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book}
    return re.sub(rb'(<a href="/theory-of-change\.\w+\?)[^"]*"', rb'\1"', response.data)


@pytest.fixture(scope="module")
def luton():
    """The viewer on the packaged dataset, one strategy: luton-pws."""
    app = create_app({"TESTING": True})
    yield app.test_client()
    close(app)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """The viewer on two copies of Luton, copy0 and copy1, as two workbook imports would name them: the same ids in each."""
    app = create_app({"TESTING": True, "DATA": copies(tmp_path_factory.mktemp("two"), 2, WORKBOOK_IDS)})
    yield app.test_client()
    close(app)


@pytest.mark.parametrize("path", TAKE_A_STRATEGY)
def test_every_page_that_takes_a_strategy_takes_its_workbook_id_or_its_iri(luton, two, path):
    assert _content(luton.get(path, query_string={"strategy": "luton-pws"})) == \
        _content(luton.get(path, query_string={"strategy": LUTON + "strategy"}))
    for n in (0, 1):  # of two, each strategy's own page, the same by id and by IRI
        by_id = _content(two.get(path, query_string={"strategy": f"copy{n}"}))
        assert by_id == _content(two.get(path, query_string={"strategy": WORKBOOK_IDS.format(n=n) + "strategy"}))
    if "." in path:  # a download may be the same for both: the causal links' labels, the diagram's picture
        return
    assert _content(two.get(path, query_string={"strategy": "copy0"})) != _content(two.get(path, query_string={"strategy": "copy1"}))


@pytest.mark.parametrize("path", TAKE_A_STRATEGY)
def test_a_strategy_the_graph_does_not_hold_is_404_saying_what_was_given_and_what_there_is(two, path):
    response = two.get(path, query_string={"strategy": "luton-pws"})
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "?strategy= &#39;luton-pws&#39;: no such strategy" in text and f"copy0 ({WORKBOOK_IDS.format(n=0)}strategy)" in text
    assert "workbook id or its IRI" in text


def test_an_outcome_and_a_priority_are_taken_by_their_workbook_ids(luton, tmp_path):
    for path in ("/theory-of-change", "/theory-of-change.svg", "/contributions", "/contributions.csv"):
        assert _content(luton.get(path, query_string={"outcome": "safer-community"})) == \
            _content(luton.get(path, query_string={"outcome": LUTON + "outcome/safer-community"}))
    assert luton.get("/theory-of-change", query_string={"outcome": "no-such-outcome"}).status_code == 404
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig"]})
    vale = app.test_client()
    try:
        chosen = _content(vale.get("/theory-of-change", query_string={"priority": "start-well"}))
        assert chosen == _content(vale.get("/theory-of-change", query_string={"priority": ID_BASE + "example-vale/priority/start-well"}))
        assert chosen != _content(vale.get("/theory-of-change", query_string={"priority": "age-well"}))
    finally:
        close(app)


def test_an_id_two_strategies_share_is_the_chosen_strategys(two):
    for n in (0, 1):
        base = WORKBOOK_IDS.format(n=n)
        assert _content(two.get("/theory-of-change", query_string={"strategy": f"copy{n}", "outcome": "safer-community"})) == \
            _content(two.get("/theory-of-change", query_string={"strategy": base + "strategy", "outcome": base + "outcome/safer-community"}))


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """The packaged dataset as its files state it."""
    ds = Dataset(default_union=True)
    for path in files.dataset_files():
        ds.parse(path, format="trig")
    return ds


@pytest.mark.parametrize("query, param, ident, kind", [
    ("indicator-values", "indicator", "households-in-temporary-accommodation-count", "indicator/"),
    ("owner-portfolio", "owner", "health-and-wellbeing-board", ""),
    ("outcome-subgraph", "outcome", "safer-community", "outcome/"),
])
def test_the_query_page_and_the_command_line_take_a_parameter_by_workbook_id(luton, runner, query, param, ident, kind):
    iri = LUTON + kind + ident
    by_iri = runner.invoke(main, ["query", query, "--param", f"{param}={iri}"])
    by_id = runner.invoke(main, ["query", query, "--param", f"{param}={ident}"])
    assert by_iri.exit_code == 0 and by_id.exit_code == 0 and by_id.output == by_iri.output
    page = lambda value: luton.get("/query", query_string={"saved": query, f"param.{param}": value})
    assert page(ident).status_code == 200
    table = lambda response: response.get_data(as_text=True).split('<table class="results">', 1)[1].split("</table>", 1)[0]
    assert table(page(ident)) == table(page(iri))
    assert f'<option value="{iri}" selected>' in page(ident).get_data(as_text=True)  # the form shows what was chosen


def test_the_indicator_of_the_issue_by_its_workbook_id_gives_its_values(runner, dataset):
    indicator = URIRef(LUTON + "indicator/households-in-temporary-accommodation-count")
    values = {str(v) for o in dataset.subjects(SG.indicator, indicator)
              for v in dataset.objects(o, URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue"))}
    assert len(values) == 3
    result = runner.invoke(main, ["query", "indicator-values", "--param", "indicator=households-in-temporary-accommodation-count",
                                  "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert {line.split(",")[2] for line in result.output.splitlines()[1:]} == values


def test_an_unknown_or_shared_id_is_refused_saying_what_was_given_and_what_there_is(luton, runner, tmp_path):
    result = runner.invoke(main, ["query", "indicator-values", "--param", "indicator=no-such-indicator"])
    assert result.exit_code == 2
    assert "parameter indicator 'no-such-indicator': no such indicator; the graph's indicators are: " in result.output
    assert "workbook id or its IRI" in result.output and "Traceback" not in result.output
    page = luton.get("/query", query_string={"saved": "indicator-values", "param.indicator": "no-such-indicator"})
    assert page.status_code == 404 and "no such indicator" in page.get_data(as_text=True)
    download = luton.get("/query/results.csv", query_string={"saved": "indicator-values", "param.indicator": "no-such-indicator"})
    assert download.status_code == 404 and "no such indicator" in download.get_data(as_text=True)
    data = [a for p in copies(tmp_path, 2, WORKBOOK_IDS) for a in ("--data", str(p))]
    shared = runner.invoke(main, ["query", "outcome-subgraph", *data, "--param", "outcome=safer-community"])
    assert shared.exit_code == 2
    assert "several outcomes have that workbook id" in shared.output
    assert all(WORKBOOK_IDS.format(n=n) + "outcome/safer-community" in shared.output for n in (0, 1))


def test_every_command_that_takes_a_strategy_takes_its_workbook_id_or_its_iri(runner, tmp_path):
    for command in (["gaps", "--format", "json", "--fail-on", "none"], ["analyse", "--format", "json"]):
        by_id = runner.invoke(main, [*command, "--strategy", "luton-pws"])
        assert by_id.exit_code == 0 and by_id.output == runner.invoke(main, [*command, "--strategy", LUTON + "strategy"]).output
    for name in ("luton-pws", LUTON + "strategy"):
        out = tmp_path / f"{len(name)}.xlsx"
        assert runner.invoke(main, ["export", "--format", "xlsx", "--strategy", name, "-o", str(out)]).exit_code == 0
    assert [[c.value for c in r] for r in load_workbook(tmp_path / "9.xlsx")["Outcomes"].iter_rows()] == \
        [[c.value for c in r] for r in load_workbook(tmp_path / f"{len(LUTON + 'strategy')}.xlsx")["Outcomes"].iter_rows()]
    refused = runner.invoke(main, ["gaps", "--strategy", "no-such-strategy"])
    assert refused.exit_code == 2 and f"luton-pws ({LUTON}strategy)" in refused.output
