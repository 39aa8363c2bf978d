"""The published order: priorities, outcomes and work streams come back in the order of their positions, then their
labels, everywhere: the exported workbook, the analysis, the pages and registers, the diagram's lanes as drawn.

The invented workbook's rows are in neither that order, nor alphabetical order, nor its reverse.
"""

import json
import re

import pytest
from openpyxl import load_workbook

from graph.analysis import analyse
from graph.diagram import boxes_and_links, dot, lanes, render
from graph.engine import open_graph
from graph.gaps import find_gaps
from graph.strategies import strategy_overviews
from strategy_graph.cli import main
from viewer import close, create_app

# (id, label, position), in the order the rows are entered: published order is Gamma, Alpha, Beta.
ROWS = [("b", "Beta", 3), ("c", "Gamma", 1), ("a", "Alpha", 2)]
PUBLISHED = ["Gamma", "Alpha", "Beta"]
KINDS = {"priority": "priority", "outcome": "outcome", "workstream": "work stream"}


def _label(word: str, kind: str) -> str:
    return f"{word} {KINDS[kind]} (invented)"


def _csv(rows: list[list]) -> str:
    return "\n".join(",".join("" if cell is None else str(cell) for cell in row) for row in rows) + "\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store holding one invented strategy whose positions disagree with its rows' order and with its labels'."""
    folder = tmp_path_factory.mktemp("ordered")
    book = folder / "book"
    book.mkdir()
    sheets = {
        "Strategy": [["id", "title", "start", "end", "vision", "led by"],
                     ["ordered", "An invented strategy in its published order", 2025, 2030, "An invented vision", "board"]],
        "Priorities": [["id", "priority", "position"]] + [[f"p-{i}", _label(w, "priority"), n] for i, w, n in ROWS],
        "Outcomes": [["id", "outcome", "priority", "owner", "position"]] + [[f"o-{i}", _label(w, "outcome"), f"p-{i}", "board", n] for i, w, n in ROWS],
        "Workstreams": [["id", "work stream", "owner", "position"]] + [[f"w-{i}", _label(w, "workstream"), "board", n] for i, w, n in ROWS],
        "Contributions": [["id", "from", "to", "rationale"]] + [[f"l-{i}", f"w-{i}", f"o-{i}", "Invented."] for i, _, _ in ROWS],
        "Organisations": [["id", "name", "kind"], ["board", "An invented board", "board"]],
    }
    for name, rows in sheets.items():
        (book / f"{name}.csv").write_text(_csv(rows), encoding="utf-8")
    path = folder / "store"
    result = main.main(["import", str(book), "--store", str(path)], standalone_mode=False)
    assert result in (None, 0)
    return path


def _in_order(text: str, labels: list[str]) -> bool:
    places = [text.find(label) for label in labels]
    return -1 not in places and places == sorted(places)


def _published(kind: str) -> list[str]:
    return [_label(w, kind) for w in PUBLISHED]


def test_the_exported_workbook_lists_them_in_the_published_order(store, tmp_path, runner):
    workbook = tmp_path / "out.xlsx"
    result = runner.invoke(main, ["export", "--format", "xlsx", "--store", str(store), "-o", str(workbook)])
    assert result.exit_code == 0, result.output
    book = load_workbook(workbook)
    for sheet, kind in (("Priorities", "priority"), ("Outcomes", "outcome"), ("Workstreams", "workstream")):
        assert [row[1].value for row in book[sheet].iter_rows(min_row=3)] == _published(kind), sheet


def test_the_read_models_and_the_analysis_follow_the_published_order(store):
    ds = open_graph(store=store)
    try:
        (overview,) = strategy_overviews(ds)
        for kind, items in (("priority", overview.priorities), ("outcome", overview.outcomes), ("workstream", overview.workstreams)):
            assert [i.label for i in items] == _published(kind)
        found = analyse(ds)
        assert [p["outcome"]["label"] for p in found["pathways"]] == _published("outcome")
    finally:
        ds.close()


def test_the_cli_analysis_follows_the_published_order(store, runner):
    result = runner.invoke(main, ["analyse", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [p["outcome"]["label"] for p in json.loads(result.output)["pathways"]] == _published("outcome")


def test_the_pages_and_registers_follow_the_published_order(store):
    app = create_app({"TESTING": True, "STORE": store})
    try:
        client = app.test_client()
        home = client.get("/").get_data(as_text=True)
        for kind in KINDS:
            assert _in_order(home, _published(kind)), kind
        owners = client.get("/owners").get_data(as_text=True)
        assert _in_order(owners, _published("outcome")) and _in_order(owners, _published("workstream"))
        links = client.get("/contributions").get_data(as_text=True)
        table = links[links.index("<tbody"):]
        assert _in_order(table, _published("outcome"))
        choices = links[:links.index("<tbody")]
        assert _in_order(choices, _published("outcome"))
    finally:
        close(app)


def test_the_diagram_lays_its_lanes_and_priorities_out_in_the_published_order(store):
    ds = open_graph(store=store)
    try:
        boxes, links = boxes_and_links(ds, find_gaps(ds))
    finally:
        ds.close()
    for kind in KINDS:
        assert [b.label for b in boxes if b.kind == kind] == _published(kind)
    label = {b.iri: b.label for b in boxes}
    assert [label[o] for o in lanes(boxes, links) if o is not None] == _published("outcome")
    # As drawn: each column top to bottom (Graphviz reorders a column unless it is held).
    svg = render(dot(boxes, links, lambda iri: "#", {}), "svg").decode("utf-8")  # no indicators: the order alone
    for kind in KINDS:
        heights = [float(re.search(r'<text[^>]* y="([-\d.]+)"[^>]*>' + re.escape(text.split(" (")[0]), svg).group(1))
                   for text in _published(kind)]
        assert heights == sorted(heights), kind
