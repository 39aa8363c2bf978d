"""The README's workflow on the packaged strategy: the first baseline a lead adds, and the area the strategy does not state."""

import re

from click.testing import CliRunner
from openpyxl import load_workbook

from graph.workbook.schema import ONS_AREA
from strategy_graph.cli import main

BASELINE = ["invented-baseline", "households-in-temporary-accommodation-count", "baseline", 500, "2020/21"]  # test data, invented


def _invoke(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_baseline_added_to_the_exported_strategy_is_refused_at_the_strategy_s_area_cell_which_filled_in_closes_it(tmp_path):
    store, book = tmp_path / "store", tmp_path / "luton.xlsx"
    assert _invoke("init", "--store", store).exit_code == 0
    assert _invoke("export", "--format", "xlsx", "--store", store, "-o", book).exit_code == 0
    workbook = load_workbook(book)
    # The published summary states no area code, so the packaged strategy has none: its row's area cell is empty.
    strategy = workbook["Strategy"]
    header = [c.value for c in strategy[1]]
    (strategy_row,) = [row for row in strategy.iter_rows(min_row=2) if row[0].value == "luton-pws"]
    assert strategy_row[header.index("area")].value is None
    targets = workbook["Targets"]
    targets.append(BASELINE)
    baseline_row = targets.max_row
    workbook.save(book)

    refused = _invoke("import", book, "--store", store, "--dry-run")
    assert refused.exit_code == 1
    (problem,) = [line for line in refused.output.splitlines() if "area" in line]
    # One problem, at the cell to fill in, naming the row that needs it.
    assert problem == (f"Strategy row {strategy_row[0].row}, column 'area': empty, but Targets row {baseline_row} gives no area and "
                       "so takes the strategy's; expected the ONS code of the area the strategy covers here, such as E06000032; "
                       "or an area in each of those rows")

    sheet, row, column = re.match(r"(\w+) row (\d+), column '([^']+)'", problem).groups()
    named = workbook[sheet]
    named.cell(int(row), [c.value for c in named[1]].index(column) + 1, "E06000032")  # Luton's ONS code (shared/reference)
    workbook.save(book)
    done = _invoke("import", book, "--store", store)
    assert done.exit_code == 0, done.output
    answer = _invoke("query", "SELECT ?area WHERE { <https://w3id.org/strategy-graph/id/luton-pws/target/invented-baseline> "
                     "<http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?area }", "--store", store, "--format", "csv")
    assert answer.exit_code == 0 and answer.output.split() == ["area", ONS_AREA + "E06000032"], answer.output
