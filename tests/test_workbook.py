"""Data entry: the template, import with every problem reported, export, and the lead's whole workflow."""

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS

from graph.engine import in_memory, named_graph, open_graph
from graph.vocab import SCHEMA, SG
from graph.workbook import EXAMPLE, SHEETS, choice_lists, export
from graph.workbook.schema import BY_SHEET
from strategy_graph.cli import main
from tests.conftest import REPO

EXAMPLES = REPO / "examples"
INVENTED = {  # a small, complete invented strategy, as the test's lead would type it
    "Strategy": [{"id": "testtown", "title": "Test Town Strategy (invented)", "start": 2024, "end": 2028,
                  "vision": "Test Town 2040 (invented)", "led by": "board",
                  "area": "E06000099", "life course from": "early years", "life course to": "old age"}],
    "Priorities": [{"id": "p1", "priority": "Better lives (invented)", "position": 1},
                   {"id": "p2", "priority": "Fairer chances (invented)", "position": 2,
                    "source": "https://example.org/invented/strategy.pdf", "quote": "Fairer chances for every child (invented)."}],
    "Outcomes": [{"id": "o1", "outcome": "Healthier lives (invented)", "priority": "p1", "owner": "council",
                  "theme": "physical health; mental wellbeing", "position": 1},
                 {"id": "o2", "outcome": "Warmer homes (invented)", "priority": "p1; p2", "position": 2, "owner": "chair"}],
    "Workstreams": [{"id": "w1", "work stream": "Active travel (invented)", "owner": "board",
                     "serves life stage": "working-age adults; old age", "position": 1}],
    "Interventions": [{"id": "i1", "intervention": "Cycle lanes (invented)", "owner": "council", "partner": "trust; board", "delivery status": "active"}],
    "Contributions": [{"id": "c1", "from": "i1", "to": "w1", "rationale": "Lanes make cycling safer.",
                       "assumptions": "People will cycle\nLanes are kept clear; by the council", "evidence": "An invented study",
                       "strength": "moderate"},
                      {"id": "c2", "from": "w1", "to": "o1", "rationale": "Activity improves health.", "strength": "strong"},
                      {"id": "c3", "from": "o2", "to": "o1", "rationale": "Warm homes are an intermediate outcome of health (invented).", "strength": "weak"}],
    "Funding": [{"id": "f1", "intervention": "i1", "funder": "council", "amount": "£250,000", "start": 2024, "end": "2026-03-31", "status": "committed"}],
    "Organisations": [{"id": "council", "name": "Test Town Council (invented)", "kind": "organisation", "sector": "public sector",
                       "member of": "board", "role": "chair"},
                      {"id": "board", "name": "Test Town Board (invented)", "kind": "board", "sector": "public sector"},
                      {"id": "trust", "name": "Test Trust (invented)", "sector": "health and social care"},
                      {"id": "chair", "name": "Councillor Invented Person", "kind": "person", "member of": "board", "role": "chair of the board"},
                      {"id": "vice", "name": "Doctor Invented Person", "kind": "person"}],
    "Posts": [{"id": "vice-chair", "person": "vice", "organisation": "board", "role": "vice chair (invented)"},
              {"id": "trust-director", "person": "vice", "organisation": "trust", "role": "director of public health (invented)"}],
    "Indicators": [{"id": "n1", "indicator": "Invented activity rate", "measures": "o1; w1", "unit": "%", "polarity": "higher is better",
                    "polarity basis": "judged", "data source": "Invented survey", "fingertips id": "93014", "split by": "deprivation"}],
    "Targets": [{"id": "b1", "indicator": "n1", "kind": "baseline", "value": 60.5, "date": "2023/24"},
                {"id": "t1", "indicator": "n1", "kind": "target", "value": 66, "date": 2027},
                {"id": "b2", "indicator": "n1", "kind": "baseline", "value": 58.0, "date": "2023/24", "area": "E92000001"}],
    "Observations": [{"id": "v1", "indicator": "n1", "period": "2024/25", "period end": "2025-03-31", "value": 61.2,
                      "lower ci": 59.8, "upper ci": 62.6, "count": 612},
                     {"id": "v2", "indicator": "n1", "period": "2024/25", "value": 48.1,
                      "population group": "pupils eligible for free school meals (invented)"}],
    "Codes": [{"id": "fuel-poverty", "list": "theme", "label": "fuel poverty (invented)",
               "definition": "Households that cannot afford to heat their homes (invented).", "matches": "broad: income and poverty"}],
}


def _invoke(runner, *args):
    return runner.invoke(main, [str(a) for a in args])


def _workbook(runner, tmp_path: Path, rows: dict, name: str = "filled.xlsx") -> Path:
    """The template, filled in below its example rows with ``rows``, as a lead would."""
    path = tmp_path / name
    assert _invoke(runner, "template", "-o", path).exit_code == 0
    book = load_workbook(path)
    for sheet, entries in rows.items():
        ws = book[sheet]
        columns = [c.value for c in ws[1]]
        for entry in entries:
            ws.append([entry.get(c) for c in columns])
    book.save(path)
    return path


def _refused(runner, tmp_path: Path, rows: dict, name: str = "filled.xlsx") -> str:
    """What a dry-run import of ``rows`` prints, after checking that it refuses them with status 1."""
    result = _invoke(runner, "import", _workbook(runner, tmp_path, rows, name), "--dry-run")
    assert result.exit_code == 1, result.output
    return result.output


def _spreadsheet_graph(store: Path) -> Graph:
    """The import's named graph, without the two facts that differ on every import (time, file name)."""
    ds = open_graph(store=store)
    try:
        (graph,) = [g for g in {q[3] for q in ds.quads((None, None, None, None))} if str(g).endswith("/graph/spreadsheet")]
        result = Graph()
        for s, p, o in named_graph(ds, graph):
            if not (s == graph and p in (PROV.generatedAtTime, URIRef("http://purl.org/dc/terms/source"))):
                result.add((s, p, o))
        return result
    finally:
        ds.close()


def _nquads(runner, store: Path) -> list[str]:
    return sorted(_invoke(runner, "export", "--format", "nq", "--store", store).output.splitlines())


# Template ---------------------------------------------------------------------------------

def test_template_has_a_sheet_per_kind_with_notes_dropdowns_and_an_example_row(runner, tmp_path):
    path = tmp_path / "template.xlsx"
    assert _invoke(runner, "template", "-o", path).exit_code == 0
    book = load_workbook(path)
    lists = choice_lists()
    for sheet in SHEETS:
        ws = book[sheet.name]
        assert [c.value for c in ws[1]] == [c.name for c in sheet.columns]
        assert all(cell.comment and cell.comment.text.strip() for cell in ws[1]), sheet.name
        assert str(ws.cell(2, 1).value).startswith(EXAMPLE)
        for col, column in enumerate(sheet.columns, start=1):
            letter = ws.cell(1, col).column_letter
            drop_downs = [v for v in ws.data_validations.dataValidation if f"{letter}2:" in str(v.sqref)]
            # A drop-down takes one value: a column of several values is typed, and has none.
            assert len(drop_downs) == (column.kind == "choice" and not column.many), column.name
            if drop_downs:
                (validation,) = drop_downs
                listed = [c.value for c in book["Lists"][validation.formula1.split("!")[1].replace("$", "").split(":")[0][0]]][1:]
                assert [v for v in listed if v] == list(lists[column.choices]), column.name
    assert {"funding-status", "polarity", "life-stage", "sector"} <= {c.choices for s in SHEETS for c in s.columns}


def _example_cells(path: Path) -> dict[tuple[str, str], str]:
    """The grey example row of each sheet of a workbook, as the text of its cells, by sheet and column."""
    book = load_workbook(path)
    return {(sheet.name, column.name): "" if cell.value is None else str(cell.value)
            for sheet in SHEETS for column, cell in zip(sheet.columns, book[sheet.name][2])}


def _documented_id(sheet: str) -> str:
    """The example id the note of a sheet's id column gives ("such as healthy-lives")."""
    return re.search(r"such as ([\w.-]+[\w])", BY_SHEET[sheet].column("id").note).group(1)


def test_each_example_cell_of_the_template_is_what_its_header_note_documents(runner, tmp_path):
    """The issue's grey row read "gbp 1", "e06000032", "iso 4217" and an amount cut at "1.5m": every cell is checked here
    against its own column's note, its code list, or the example ids of the sheets it refers to."""
    path = tmp_path / "template.xlsx"
    assert _invoke(runner, "template", "-o", path).exit_code == 0
    lists = choice_lists()
    for (sheet, name), text in _example_cells(path).items():
        column = BY_SHEET[sheet].column(name)
        where = f"{sheet}, column '{name}': {text!r}"
        if name == "id":
            assert text.startswith(EXAMPLE), where  # skipped on import
            continue
        if column.kind == "iri":
            assert text == "" and column.note.startswith("Leave empty for a new row"), where
            continue
        assert text, where
        parts = [p.strip() for p in text.split(";")] if column.many else [text]
        assert all(parts), where
        for part in parts:
            if column.kind == "ref":
                assert part in [_documented_id(s) for s in column.refers_to], where
            elif column.kind == "choice":
                assert part in lists[column.choices], where
            else:
                assert part in column.note or (column.kind == "group" and part in lists["population-group"]), where


def test_each_example_cell_typed_into_a_real_row_imports_as_its_column_means(runner, tmp_path):
    """What the grey row shows is what the import reads: each example (but ids and references), typed into the first row
    of its sheet of the invented strategy, gives a clean import."""
    template = tmp_path / "template.xlsx"
    assert _invoke(runner, "template", "-o", template).exit_code == 0
    typed = json.loads(json.dumps(INVENTED))
    for (sheet, name), text in _example_cells(template).items():
        if BY_SHEET[sheet].column(name).kind not in ("id", "iri", "ref"):
            typed[sheet][0][name] = text
    result = _invoke(runner, "import", _workbook(runner, tmp_path, typed), "--dry-run")
    assert result.exit_code == 0, result.output


def test_an_untouched_template_imports_nothing_and_says_why(runner, tmp_path):
    path = tmp_path / "template.xlsx"
    _invoke(runner, "template", "-o", path)
    result = _invoke(runner, "import", path, "--dry-run")
    assert result.exit_code == 1
    assert "Strategy row 3: 0 strategy rows; expected exactly one row describing the strategy" in result.output


# Import and export ------------------------------------------------------------------------

def test_round_trip_template_import_export_import_is_isomorphic(runner, tmp_path):
    filled = _workbook(runner, tmp_path, INVENTED)
    first, second = tmp_path / "first", tmp_path / "second"
    assert _invoke(runner, "import", filled, "--store", first).exit_code == 0
    exported = tmp_path / "exported.xlsx"
    assert _invoke(runner, "export", "--format", "xlsx", "--store", first, "-o", exported).exit_code == 0
    assert _invoke(runner, "import", exported, "--store", second).exit_code == 0
    one, two = _spreadsheet_graph(first), _spreadsheet_graph(second)
    assert len(one) > 100 and isomorphic(one, two)


def test_import_puts_every_column_into_the_graph(runner, tmp_path):
    store = tmp_path / "store"
    assert _invoke(runner, "import", _workbook(runner, tmp_path, INVENTED), "--store", store).exit_code == 0
    ds = open_graph(store=store)
    base = "https://w3id.org/strategy-graph/id/testtown/"
    i = lambda local: URIRef(base + local)
    assert ds.value(i("strategy"), SG.ledBy) == i("organisation/board")
    assert str(ds.value(i("funding/f1/amount"), URIRef("http://schema.org/value"))) == "250000"
    assert str(ds.value(i("funding/f1"), SG.fundingStatus)).endswith("/committed")
    assert {str(o) for o in ds.objects(i("indicator/n1"), SG.measures)} == {base + "outcome/o1", base + "workstream/w1"}
    assert (i("workstream/w1"), SG.contributesTo, i("outcome/o1")) in ds  # derived from the Contribution row
    assert len(list(ds.objects(i("contribution/c1"), SG.assumption))) == 2
    assert ({str(b) for b in ds.objects(i("indicator/n1"), SG.hasBaseline)},
            str(ds.value(i("target/b1"), URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refArea")))) == (
        {base + "target/b1", base + "target/b2"}, "http://statistics.data.gov.uk/id/statistical-geography/E06000099")
    assert (str(ds.value(i("organisation/council"), SG.sourceSheet)), int(ds.value(i("organisation/council"), SG.sourceRow))) == ("Organisations", 3)
    label = lambda node: str(ds.value(node, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
    assert ds.value(i("intervention/i1"), SG.partner) == i("organisation/trust")
    assert label(ds.value(i("outcome/o1"), SG.theme)) == "physical health"
    assert label(ds.value(i("strategy"), SG.lifeCourseStart)) == "early years" and label(ds.value(i("strategy"), SG.lifeCourseEnd)) == "old age"
    assert label(ds.value(i("contribution/c1"), SG.strength)) == "moderate"
    assert {str(ds.value(a, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) for a in ds.objects(i("contribution/c1"), SG.assumption)} == {
        "People will cycle", "Lanes are kept clear; by the council"}
    assert [str(ds.value(e, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
            for e in ds.objects(i("contribution/c1"), SG.evidence)] == ["An invented study"]
    assert str(ds.value(ds.value(i("indicator/n1"), SG.dataSource), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == "Invented survey"
    assert (str(ds.value(i("indicator/n1"), SG.sourceIdentifier)), label(ds.value(i("indicator/n1"), SG.disaggregation))) == ("93014", "deprivation")
    assert [str(ds.value(i("observation/v1"), p)) for p in (SG.lowerConfidenceLimit, SG.upperConfidenceLimit, SG.numerator, SG.periodEnd)] == [
        "59.8", "62.6", "612", "2025-03-31"]
    assert str(ds.value(i("target/t1"), SG.targetDate)) == "2027" and str(ds.value(i("target/t1"), SG.targetValue)) == "66"
    assert str(ds.value(i("funding/f1/period"), URIRef("http://www.w3.org/ns/dcat#endDate"))) == "2026-03-31"
    ds.close()


TT = "https://w3id.org/strategy-graph/id/testtown/"
SKOS_LABEL = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")


def _imported(runner, tmp_path: Path, rows: dict = INVENTED):
    """The rows imported into a new store, opened; the caller closes it."""
    store = tmp_path / "store"
    result = _invoke(runner, "import", _workbook(runner, tmp_path, rows), "--store", store)
    assert result.exit_code == 0, result.output
    return open_graph(store=store)


def _iri(local: str) -> URIRef:
    return URIRef(TT + local)


def test_several_priorities_each_with_the_outcomes_that_serve_it(runner, tmp_path):
    ds = _imported(runner, tmp_path)
    try:
        assert set(ds.objects(_iri("strategy"), SG.addressesPriority)) == {_iri("priority/p1"), _iri("priority/p2")}
        assert set(ds.objects(_iri("priority/p1"), SG.hasTargetOutcome)) == {_iri("outcome/o1"), _iri("outcome/o2")}
        assert set(ds.objects(_iri("priority/p2"), SG.hasTargetOutcome)) == {_iri("outcome/o2")}
        assert set(ds.objects(_iri("vision"), SG.includesPriority)) == {_iri("priority/p1"), _iri("priority/p2")}
        assert [str(ds.value(_iri(f"priority/{p}"), URIRef("http://schema.org/position"))) for p in ("p1", "p2")] == ["1", "2"]
    finally:
        ds.close()


def test_an_outcome_serves_the_only_priority_unless_it_names_one(runner, tmp_path):
    rows = json.loads(json.dumps(INVENTED))
    rows["Priorities"] = rows["Priorities"][:1]
    for outcome in rows["Outcomes"]:
        outcome.pop("priority")
    ds = _imported(runner, tmp_path, rows)
    try:
        assert set(ds.objects(_iri("priority/p1"), SG.hasTargetOutcome)) == {_iri("outcome/o1"), _iri("outcome/o2")}
    finally:
        ds.close()


def test_cells_of_several_values_state_each_one(runner, tmp_path):
    ds = _imported(runner, tmp_path)
    label = lambda node: str(ds.value(node, SKOS_LABEL))
    try:
        assert {label(t) for t in ds.objects(_iri("outcome/o1"), SG.theme)} == {"physical health", "mental wellbeing"}
        assert {label(t) for t in ds.objects(_iri("workstream/w1"), SG.servesLifeStage)} == {"working-age adults", "old age"}
        assert set(ds.objects(_iri("intervention/i1"), SG.partner)) == {_iri("organisation/trust"), _iri("organisation/board")}
    finally:
        ds.close()


def test_an_intermediate_outcome_contributes_to_a_longer_term_one(runner, tmp_path):
    ds = _imported(runner, tmp_path)
    try:
        assert ds.value(_iri("outcome/o2"), SG.qualifiedContribution) == _iri("contribution/c3")
        assert ds.value(_iri("contribution/c3"), SG.contributionTo) == _iri("outcome/o1")
        assert (_iri("outcome/o2"), SG.contributesTo, _iri("outcome/o1")) in ds  # the short form, derived
    finally:
        ds.close()


def test_a_named_person_holds_a_post_on_the_board_and_can_own_an_outcome(runner, tmp_path):
    ds = _imported(runner, tmp_path)
    person = _iri("organisation/chair")
    try:
        assert (person, RDF.type, FOAF.Person) in ds
        (post,) = ds.objects(person, ORG.holds)
        assert ds.value(post, ORG.postIn) == _iri("organisation/board")
        assert str(ds.value(ds.value(post, ORG.role), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == "chair of the board"
        assert ds.value(_iri("outcome/o2"), SG.owner) == person
        # The council sits on the board as an organisation does: by a membership.
        assert ds.value(predicate=ORG.member, object=_iri("organisation/council")) is not None
    finally:
        ds.close()


def test_a_value_for_another_area_or_group_is_stated_as_such(runner, tmp_path):
    area = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refArea")
    ds = _imported(runner, tmp_path)
    try:
        assert str(ds.value(_iri("target/b2"), area)).endswith("/E92000001")  # England, beside the town's own baseline
        assert str(ds.value(_iri("target/b1"), area)).endswith("/E06000099")
        group = ds.value(_iri("observation/v2"), SG.populationGroup)
        assert str(ds.value(group, SKOS_LABEL)) == "pupils eligible for free school meals (invented)"
        assert ds.value(_iri("observation/v1"), SG.populationGroup) == URIRef("https://w3id.org/strategy-graph/def/population-group/all")
    finally:
        ds.close()


def test_source_and_quote_are_kept_and_a_source_that_is_not_an_address_is_refused(runner, tmp_path):
    ds = _imported(runner, tmp_path)
    try:
        assert str(ds.value(_iri("priority/p2"), URIRef("http://purl.org/dc/terms/source"))) == "https://example.org/invented/strategy.pdf"
        assert str(ds.value(_iri("priority/p2"), SG.quote)) == "Fairer chances for every child (invented)."
    finally:
        ds.close()
    broken = json.loads(json.dumps(INVENTED))
    broken["Indicators"][0]["source"] = "Invented survey"  # a data source, in the column for the publication
    output = _refused(runner, tmp_path, broken, "broken.xlsx")
    assert ("Indicators row 3, column 'source': 'Invented survey' is not a web address; expected the http or https address "
            "of the document that states the row; the indicator's data source goes in 'data source'") in output


@pytest.mark.parametrize("typed, value, currency", [
    ("1500000", "1500000", None), ("£1,500,000", "1500000", "GBP"), ("GBP 1.5m", "1500000", "GBP"), ("1.5bn", "1500000000", None),
    ("250k EUR", "250000", "EUR"), ("$0.25 million", "250000", "USD"), ("12.50", "12.50", None),
])
def test_an_amount_is_read_exactly_as_a_spreadsheet_user_types_it(typed, value, currency):
    from decimal import Decimal

    from graph.workbook import read_amount

    assert read_amount(typed) == (Decimal(value), currency)


@pytest.mark.parametrize("typed, reason", [
    ("1,5", "not an amount"), ("about 3m", "not an amount"), ("-500", "not an amount"), ("£5 GBP", "names its currency twice"),
    ("1,50,000", "not an amount"),
])
def test_an_amount_that_is_not_one_is_refused_with_the_reason(typed, reason):
    from graph.workbook import read_amount

    assert read_amount(typed) == reason


def test_an_amount_in_another_currency_than_the_currency_cell_is_refused(runner, tmp_path):
    broken = json.loads(json.dumps(INVENTED))
    broken["Funding"][0]["currency"] = "EUR"
    output = _refused(runner, tmp_path, broken)
    assert "Funding row 3, column 'currency': EUR, but the amount is in GBP" in output


def test_funding_typed_with_its_sign_is_stored_as_a_number_and_a_currency(runner, tmp_path):
    ds = _imported(runner, tmp_path)
    money = _iri("funding/f1/amount")
    try:
        assert [str(ds.value(money, URIRef(f"http://schema.org/{p}"))) for p in ("value", "currency")] == ["250000", "GBP"]
    finally:
        ds.close()


def test_export_lists_what_the_workbook_cannot_hold_before_it_writes(runner, tmp_path):
    store, exported = tmp_path / "store", tmp_path / "exported.xlsx"
    assert _invoke(runner, "import", _workbook(runner, tmp_path, INVENTED), "--store", store).exit_code == 0
    extra = tmp_path / "extra.trig"
    extra.write_text(f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix sg: <https://w3id.org/strategy-graph/def#> .
<urn:graph:extra> {{ <{TT}outcome/o1> rdfs:comment "A note no column holds (invented)." ; sg:owner <{TT}organisation/trust> . }}""",
                     encoding="utf-8")
    assert _invoke(runner, "load", extra, "--store", store).exit_code == 0
    result = CliRunner().invoke(main, ["export", "--format", "xlsx", "--store", str(store), "-o", str(exported)])
    assert result.exit_code == 0
    listed = (tmp_path / "exported.cannot-hold.txt").read_text(encoding="utf-8").splitlines()
    assert "Outcomes: rdfs:comment of o1 has no column" in listed
    assert "Outcomes, owner: o1 has 2 values (council, trust); the cell holds the first" in listed
    assert result.stderr == ("The workbook cannot hold 2 kind(s) of statement of this strategy; the graph keeps them, and a re-import "
                             f"leaves them as they are. Each is listed in {tmp_path / 'exported.cannot-hold.txt'}.\n")
    assert exported.exists()


def test_the_first_export_of_the_packaged_strategy_says_in_one_line_what_it_cannot_hold_and_lists_it_in_a_file(ds, tmp_path):
    exported = tmp_path / "x.xlsx"
    result = CliRunner().invoke(main, ["export", "--format", "xlsx", "-o", str(exported)])
    assert result.exit_code == 0 and exported.exists()
    (line,) = result.stderr.splitlines()
    said = re.fullmatch(r"The workbook cannot hold (\d+) kind\(s\) of statement of this strategy; the graph keeps them, "
                        r"and a re-import leaves them as they are\. Each is listed in (.+)\.", line)
    assert said, line
    listed = Path(said.group(2)).read_text(encoding="utf-8").splitlines()
    assert Path(said.group(2)) == tmp_path / "x.cannot-hold.txt"
    # One line of the file for each kind counted; among them the passages quoted twice, which the issue's 10,173 bytes were mostly.
    assert int(said.group(1)) == len(listed) == len(export(ds)[1]) > 1
    assert any(entry.startswith("Outcomes, quote: ") for entry in listed)


def test_every_kind_of_error_is_reported_with_sheet_row_and_column_at_once(runner, tmp_path):
    broken = json.loads(json.dumps(INVENTED))
    broken["Contributions"][0]["to"] = "nowhere"  # row 3: a reference to nothing
    broken["Funding"][0]["amount"] = "a lot"  # row 3: a bad number
    broken["Funding"][0]["status"] = "promised"  # row 3: an unknown status
    broken["Targets"][1]["date"] = 2035  # row 4: a date outside the strategy's period
    broken["Outcomes"][1]["id"] = "o1"  # row 4: a duplicate id
    broken["Indicators"][0]["indicator"] = None  # row 3: a missing required cell
    broken["Funding"][0]["currency"] = "pounds"  # row 3: not a currency code
    store = tmp_path / "store"
    result = _invoke(runner, "import", _workbook(runner, tmp_path, broken), "--store", store)
    assert result.exit_code == 1
    expected = [
        "Contributions row 3, column 'to': refers to 'nowhere', which is in neither the workbook nor the graph; "
        "expected the id of a row of Outcomes or Workstreams",
        "Funding row 3, column 'amount': 'a lot' is not an amount; expected a number, with a currency sign or code and k, m or bn "
        "if you like: 1500000, £1,500,000, GBP 1.5m",
        "Funding row 3, column 'status': unknown value 'promised'; expected one of: proposed, committed, spent, withdrawn",
        "Targets row 4, column 'date': 2035 is outside the strategy's period; expected a date from 2024-01-01 to 2028-12-31",
        "Outcomes row 4, column 'id': duplicate id 'o1', already used in Outcomes row 3; expected an id used once in the workbook",
        "Indicators row 3, column 'indicator': empty; expected a value: this column is required",
        "Funding row 3, column 'currency': 'pounds' is not a currency code; expected a three-letter ISO 4217 code such as GBP",
    ]
    for line in expected:
        assert line in result.output
    assert "nothing was written" in result.output and not store.exists()


def test_structural_problems_point_at_their_row(runner, tmp_path):
    """What the cell checks cannot see, the structural shapes report, at the row it came from."""
    import datetime

    from graph.imports import structural_problems
    from graph.workbook import build_graph, read_workbook

    existing = open_graph()
    staged, graph, problems = build_graph(read_workbook(_workbook(runner, tmp_path, INVENTED)), existing, "x.xlsx", datetime.datetime(2026, 1, 1))
    assert problems == []
    observation = URIRef("https://w3id.org/strategy-graph/id/testtown/observation/v1")
    staged.remove((observation, URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refArea"), None, graph))
    # The rows are judged as the write leaves them, with everything they link to.
    (problem,) = structural_problems(staged, in_memory(staged, existing, [graph]))
    assert (problem.sheet, problem.row) == ("Observations", 3)
    assert "It needs exactly one area (sdmx-dimension:refArea)" in problem.problem


def test_a_copied_row_that_keeps_its_iri_is_refused(runner, tmp_path):
    broken = json.loads(json.dumps(INVENTED))
    broken["Outcomes"][0]["iri"] = broken["Outcomes"][1]["iri"] = "https://example.org/invented/outcome"
    output = _refused(runner, tmp_path, broken)
    assert "Outcomes row 4, column 'iri': the same IRI as Outcomes row 3" in output


def test_odd_cells_are_reported_not_guessed(runner, tmp_path):
    broken = json.loads(json.dumps(INVENTED))
    broken["Strategy"][0].update(start=2029, end=2024)
    broken["Outcomes"][0]["position"] = 1.7
    broken["Observations"][0]["period end"] = "2025-03-31 oops"
    broken["Interventions"][0]["owner"] = "https://example.org/typo-owner"
    output = _refused(runner, tmp_path, broken)
    for line in (
        "Strategy row 3, column 'end': the strategy ends (2024) before it starts (2029)",
        "Outcomes row 3, column 'position': 1.7 is not a whole number",
        "Observations row 3, column 'period end': '2025-03-31 oops' is not a year or a date",
        "Interventions row 3, column 'owner': refers to https://example.org/typo-owner, which is in neither the workbook nor the graph",
    ):
        assert line in output


def test_a_formula_with_no_saved_value_is_reported(runner, tmp_path):
    path = _workbook(runner, tmp_path, INVENTED)
    book = load_workbook(path)
    book["Funding"]["D3"] = "=1000*250"  # written by a program, never calculated
    book.save(path)
    result = _invoke(runner, "import", path, "--dry-run")
    assert result.exit_code == 1
    assert "Funding row 3, column 'amount': a formula (=1000*250) with no saved value" in result.output


def test_unknown_sheets_are_all_named_and_the_file_is_refused(runner, tmp_path):
    path = _workbook(runner, tmp_path, INVENTED)
    book = load_workbook(path)
    book["Funding"].title = "Funding 2024"
    book.create_sheet("Notes")
    book.save(path)
    result = _invoke(runner, "import", path, "--dry-run")
    assert result.exit_code == 2
    assert "sheet 'Funding 2024' is not a sheet of the template" in result.output and "sheet 'Notes'" in result.output


def test_a_member_of_something_that_is_not_a_board_is_refused(runner, tmp_path):
    broken = json.loads(json.dumps(INVENTED))
    broken["Organisations"][2]["member of"] = "council"
    output = _refused(runner, tmp_path, broken)
    assert "Organisations row 5, column 'member of': 'council' is not a board" in output


def test_a_failed_import_leaves_the_store_exactly_as_it_was(runner, tmp_path):
    store = tmp_path / "store"
    assert _invoke(runner, "init", "--store", store).exit_code == 0
    before = _nquads(runner, store)
    broken = json.loads(json.dumps(INVENTED))
    broken["Funding"][0]["amount"] = "lots"
    assert _invoke(runner, "import", _workbook(runner, tmp_path, broken), "--store", store).exit_code == 1
    assert _nquads(runner, store) == before


def test_reimporting_the_same_file_is_idempotent(runner, tmp_path):
    store, filled = tmp_path / "store", _workbook(runner, tmp_path, INVENTED)
    _invoke(runner, "import", filled, "--store", store)
    once, lines = _spreadsheet_graph(store), len(_nquads(runner, store))
    _invoke(runner, "import", filled, "--store", store)
    assert len(_nquads(runner, store)) == lines and isomorphic(_spreadsheet_graph(store), once)


def test_a_folder_of_csv_files_imports_like_the_workbook(runner, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for sheet in SHEETS:
        with (folder / f"{sheet.name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=[c.name for c in sheet.columns])
            writer.writeheader()
            writer.writerows(INVENTED.get(sheet.name, []))
    from_csv, from_xlsx = tmp_path / "a", tmp_path / "b"
    assert _invoke(runner, "import", folder, "--store", from_csv).exit_code == 0
    assert _invoke(runner, "import", _workbook(runner, tmp_path, INVENTED), "--store", from_xlsx).exit_code == 0
    strip_rows = lambda g: {(s, p, o) for s, p, o in g if p != SG.sourceRow}  # a CSV has no example row
    assert strip_rows(_spreadsheet_graph(from_csv)) == strip_rows(_spreadsheet_graph(from_xlsx))


@pytest.mark.parametrize("name, content, message", [
    ("notes.xlsx", b"this is not a workbook", "cannot read as an Excel workbook"),
    ("data.txt", b"id,title\n", "expected an .xlsx workbook or a folder of CSV files"),
])
def test_an_unreadable_file_exits_2(runner, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = _invoke(runner, "import", path, "--dry-run")
    assert result.exit_code == 2 and message in result.output


def test_an_unknown_column_makes_the_file_unreadable(runner, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "Outcomes.csv").write_text("id,outcome,budget\nx,y,3\n", encoding="utf-8")
    result = _invoke(runner, "import", folder, "--dry-run")
    assert result.exit_code == 2 and "columns ['budget'] the template does not" in result.output


# The strategy lead's workflow ----------------------------------------------------------------

def test_the_lead_fills_in_funding_and_the_gap_report_shows_it_closed(runner, tmp_path):
    store, workbook = tmp_path / "store", tmp_path / "luton.xlsx"
    assert _invoke(runner, "init", "--store", store).exit_code == 0
    gaps = lambda: json.loads(_invoke(runner, "gaps", "--store", store, "--format", "json", "--fail-on", "none").output)
    unfunded = lambda: {g["label"] for g in gaps() if g["rule"] == "outcome-without-funded-intervention"}
    assert len(unfunded()) == 5
    assert _invoke(runner, "export", "--format", "xlsx", "--store", store, "-o", workbook).exit_code == 0
    book = load_workbook(workbook)
    outcomes = {row[1].value: row[0].value for row in book["Outcomes"].iter_rows(min_row=3)}
    assert len(outcomes) == 5 and len(list(book["Workstreams"].iter_rows(min_row=3))) == 22
    # Invented by the test: a committed grant for the MMR clinics, which reach the healthy-life-expectancy
    # outcome through a work stream, and a new intervention linked straight to the housing outcome.
    book["Organisations"].append(["test-funder", "A funder invented by the test", "organisation"])
    book["Interventions"].append(["test-repairs", "Home repairs invented by the test", "test-funder"])
    housing = outcomes["more of our households will live in good quality and secure housing"]
    book["Contributions"].append(["test-link", "test-repairs", housing, "Invented by the test."])
    book["Funding"].append(["test-grant-1", "mmr-vaccination-clinics", "test-funder", 1000, "GBP", 2024, 2025, "committed"])
    book["Funding"].append(["test-grant-2", "test-repairs", "test-funder", 500, "GBP", 2024, 2025, "spent"])
    book.save(workbook)
    result = _invoke(runner, "import", workbook, "--store", store)
    assert result.exit_code == 0, result.output
    assert unfunded() == {
        "a safer community with fewer cases of domestic abuse, serious violence and drug and alcohol related harm",
        "greater support for mental wellbeing and reduced social isolation for people of all ages",
        "more of our families will be financially sustainable and fewer will experience being in crisis",
    }


def test_importing_the_exported_luton_workbook_unchanged_adds_no_second_fact(runner, tmp_path):
    store, workbook = tmp_path / "store", tmp_path / "luton.xlsx"
    _invoke(runner, "init", "--store", store)
    stats = lambda: {c["name"]: c["count"] for c in json.loads(_invoke(runner, "stats", "--format", "json", "--store", store).output)["classes"]}
    before = stats()
    _invoke(runner, "export", "--format", "xlsx", "--store", store, "-o", workbook)
    result = _invoke(runner, "import", workbook, "--store", store)
    assert result.exit_code == 0, result.output
    after = stats()
    assert after.pop("Entity") == before.pop("Entity") + 1  # the spreadsheet graph, describing itself
    assert after == before


def test_changing_a_published_label_is_refused_at_its_cell(runner, tmp_path):
    store, workbook = tmp_path / "store", tmp_path / "luton.xlsx"
    _invoke(runner, "init", "--store", store)
    _invoke(runner, "export", "--format", "xlsx", "--store", store, "-o", workbook)
    book = load_workbook(workbook)
    book["Outcomes"]["B3"] = "a reworded outcome"
    book.save(workbook)
    result = _invoke(runner, "import", workbook, "--store", store)
    assert result.exit_code == 1
    assert "Outcomes row 3, column 'outcome': 'a reworded outcome' differs from" in result.output


# The invented example ----------------------------------------------------------------------------

@pytest.mark.parametrize("example", ["example-town", "example-vale"])
def test_example_workbook_and_csv_folder_hold_the_same_invented_strategy(runner, tmp_path, example):
    assert "INVENTED" in (EXAMPLES / example / "Strategy.csv").read_text(encoding="utf-8")
    assert "**Everything in this folder is invented.**" in (EXAMPLES / example / "README.md").read_text(encoding="utf-8")
    from_csv, from_xlsx = tmp_path / "a", tmp_path / "b"
    assert _invoke(runner, "import", EXAMPLES / example, "--store", from_csv).exit_code == 0
    assert _invoke(runner, "import", EXAMPLES / f"{example}.xlsx", "--store", from_xlsx).exit_code == 0
    strip_rows = lambda g: {(s, p, o) for s, p, o in g if p != SG.sourceRow}
    assert strip_rows(_spreadsheet_graph(from_csv)) == strip_rows(_spreadsheet_graph(from_xlsx))


@pytest.mark.parametrize("example", ["example-town", "example-vale"])
def test_example_trig_is_the_csv_folder_as_rdf(runner, tmp_path, example):
    store = tmp_path / "store"
    _invoke(runner, "import", EXAMPLES / example, "--store", store)
    ds = open_graph(data=[EXAMPLES / f"{example}.trig"])
    (graph,) = [g for g in {q[3] for q in ds.quads((None, None, None, None))} if str(g).endswith("/graph/spreadsheet")]
    shipped = Graph()
    for s_, p_, o_ in named_graph(ds, graph):
        if not (s_ == graph and p_ in (PROV.generatedAtTime, URIRef("http://purl.org/dc/terms/source"))):
            shipped.add((s_, p_, o_))
    assert isomorphic(shipped, _spreadsheet_graph(store))


def test_example_shows_every_gap_rule_the_importer_lets_in(runner, tmp_path):
    store = tmp_path / "store"
    _invoke(runner, "import", EXAMPLES / "example-town", "--store", store)
    found = {g["rule"] for g in json.loads(_invoke(runner, "gaps", "--store", store, "--format", "json", "--fail-on", "none").output)}
    from graph.gaps import packaged_rules

    gap_rules = {r.id for r in packaged_rules().values() if not r.id.startswith(("well-formed", "missing"))}
    # Two the importer refuses; and with one priority, every outcome serves it.
    not_shown = {"target-outside-strategy-period", "strategy-without-period", "priority-without-outcome"}
    assert found == gap_rules - not_shown


def test_the_second_example_has_the_other_shape(runner, tmp_path):
    """Example Vale: several priorities, chains of outcomes, a named chair, an England comparator, a population group."""
    from graph.progress import indicator_series

    store = tmp_path / "store"
    assert _invoke(runner, "import", EXAMPLES / "example-vale", "--store", store).exit_code == 0
    g = _spreadsheet_graph(store)
    vale = Namespace("https://w3id.org/strategy-graph/id/example-vale/")
    # Four priorities at the top, and one (fair work) published under live well.
    priorities = set(g.objects(vale.strategy, SG.addressesPriority))
    assert len({p for p in priorities if (p, DCTERMS.isPartOf, None) not in g}) == 4 and len(priorities) == 5
    assert set(g.subjects(SG.hasTargetOutcome, vale["outcome/warm-homes"])) == {vale["priority/healthy-places"], vale["priority/age-well"]}
    chained = {(str(x).rsplit("/", 1)[-1], str(g.value(c, SG.contributionTo)).rsplit("/", 1)[-1])
               for x, c in g.subject_objects(SG.qualifiedContribution) if (x, RDF.type, SG.Outcome) in g}
    assert chained == {("school-ready", "fsm-attainment-gap"), ("active-adults", "fewer-early-deaths")}
    (post,) = g.objects(vale["organisation/chair"], ORG.holds)
    assert (vale["organisation/chair"], RDF.type, FOAF.Person) in g and g.value(post, ORG.postIn) == vale["organisation/vale-board"]
    assert str(g.value(g.value(post, ORG.role), RDFS.label)) == "chair"
    # England's values are the comparator; the Vale's own baseline is the whole population's, not England's or a group's.
    series = indicator_series(open_graph(store=store), vale["indicator/school-readiness"])
    assert series.own == [("2022/23", 63.0), ("2024/25", 65.0)] and series.comparator == [("2022/23", 67.2), ("2024/25", 68.1)]
    assert (series.baseline, series.target) == (64.0, 70.0)
    group = g.value(vale["target/readiness-target-fsm"], SG.populationGroup)
    assert str(g.value(group, SKOS.prefLabel)) == "pupils eligible for free school meals (invented)"
    money = g.value(vale["funding/packs-grant"], SCHEMA.amount)
    assert (g.value(money, SCHEMA.value).toPython(), str(g.value(money, SCHEMA.currency))) == (60000, "GBP")


def test_the_second_example_has_every_shape_of_issue_26(runner, tmp_path):
    """Example Vale keeps one of each of issue 26's shapes, so that it cannot silently lose one."""
    from rdflib import Literal
    from rdflib.namespace import DCAT  # here, not at the top: pytest's collection warns on DCAT as a module attribute

    store = tmp_path / "store"
    assert _invoke(runner, "import", EXAMPLES / "example-vale", "--store", store).exit_code == 0
    g = _spreadsheet_graph(store)
    vale = Namespace("https://w3id.org/strategy-graph/id/example-vale/")
    packaged = Namespace("https://w3id.org/strategy-graph/def/")
    text = lambda s, p: {str(o) for o in g.objects(s, p)}
    # A priority published under another, both with their codes.
    assert (vale["priority/fair-work"], DCTERMS.isPartOf, vale["priority/live-well"]) in g
    assert text(vale["priority/fair-work"], SKOS.notation) == {"Priority 2a"} and text(vale["priority/live-well"], SKOS.notation) == {"Priority 2"}
    # An outcome's code and its second wordings.
    outcome = vale["outcome/good-work"]
    assert text(outcome, SKOS.notation) == {"LW3"}
    assert text(outcome, SKOS.altLabel) == {"Fewer people in low-paid work", "Fair pay for every worker in the Vale"}
    # A project with a code, its own period and its own target.
    project = vale["workstream/good-work-pledge"]
    assert text(project, SKOS.notation) == {"2.1"}
    period = g.value(project, DCTERMS.temporal)
    assert (str(g.value(period, DCAT.startDate)), str(g.value(period, DCAT.endDate))) == ("2025", "2027")  # years, as typed
    assert (vale["target/pledge-employers"], SG.targetOf, project) in g and g.value(vale["target/pledge-employers"], SG.targetValue).toPython() == 50
    # A change target against a baseline of its own, and a milestone reached.
    change = vale["target/living-wage-rise"]
    assert (change, RDF.type, SG.ChangeTarget) in g and (vale["indicator/living-wage-share"], SG.hasTarget, change) in g
    assert text(change, SG.statedValue) == {"a 10% increase"} and g.value(change, SG.changeAmount).toPython() == 10
    assert g.value(change, SG.relativeChange).toPython() is True
    assert (vale["indicator/living-wage-share"], SG.hasBaseline, vale["target/living-wage-baseline"]) in g
    milestone = vale["target/living-wage-place"]
    assert (milestone, RDF.type, SG.Milestone) in g and (milestone, SG.targetOf, outcome) in g and (milestone, SG.reached, Literal(True)) in g
    # The council's own terms, matched to packaged ones where one fits, and used in choice columns.
    economy, care, localities = vale["code/economy"], vale["code/care-experienced"], vale["code/priority-localities"]
    assert (economy, SKOS.broadMatch, packaged["theme/income-and-poverty"]) in g and (economy, SKOS.inScheme, vale["theme/"]) in g
    assert (localities, SKOS.broadMatch, packaged["breakdown/area"]) in g and (care, SKOS.inScheme, vale["breakdown/"]) in g
    assert (outcome, SG.theme, economy) in g
    assert (vale["indicator/care-leavers-in-work"], SG.disaggregation, care) in g
    assert (vale["indicator/living-wage-share"], SG.disaggregation, localities) in g
    # A partnership leads the strategy, and is responsible for work.
    partnership = vale["organisation/vale-partnership"]
    assert (vale.strategy, SG.ledBy, partnership) in g and (partnership, RDF.type, ORG.OrganizationalCollaboration) in g
    assert (project, SG.owner, partnership) in g
    # One person in two posts: chair of the partnership and co-leader of the council.
    posts = {(g.value(post, ORG.postIn), str(g.value(g.value(post, ORG.role), RDFS.label)))
             for post in g.objects(vale["organisation/co-leader"], ORG.holds)}
    assert posts == {(partnership, "chair"), (vale["organisation/vale-council"], "co-leader of the council")}


def test_one_strategys_workbook_leaves_out_the_others_unlinked_work(tmp_path):
    """Regression: exporting one of 150 strategies wrote every strategy's unlinked programmes into its workbook."""
    from graph.workbook import workbook_rows
    from tests.conftest import WORKBOOK_IDS, copies

    # The ids a workbook import would make: one strategy id each.
    rows = workbook_rows(open_graph(data=copies(tmp_path, 2, WORKBOOK_IDS)), URIRef("https://w3id.org/strategy-graph/id/copy0/strategy"))
    iris = {row["iri"] for row in rows["Interventions"]}
    assert len(iris) == 3 and all("/copy0/" in iri for iri in iris)


def test_one_strategys_workbook_is_read_from_its_unit_and_is_what_the_whole_graph_gives(tmp_path, monkeypatch):
    """An export reads the graphs of the strategy's unit (and what they cite), not the store: the same rows as from every graph."""
    from graph.engine import strategy_unit
    from graph.workbook import from_rdf
    from tests.conftest import WORKBOOK_IDS, copies

    ds = open_graph(data=copies(tmp_path, 2, WORKBOOK_IDS))
    chosen = URIRef("https://w3id.org/strategy-graph/id/copy0/strategy")
    unit = strategy_unit(ds, chosen)
    assert unit is not None and not any("/copy1/" in str(s) for s in unit.subjects())
    from_unit = from_rdf.export(ds, chosen)
    monkeypatch.setattr(from_rdf, "strategy_unit", lambda ds, strategy: None)  # the read of every data graph
    assert from_unit == from_rdf.export(ds, chosen)


def test_one_strategys_workbook_leaves_out_the_boards_of_others_that_a_shared_agent_sits_on(tmp_path):
    """Regression: a strategy led by an agent (a shared reference) listed every board of other strategies the agent sat on."""
    from graph.engine import load
    from graph.workbook import workbook_rows

    data = tmp_path / "two.trig"
    data.write_text("""@prefix sg: <https://w3id.org/strategy-graph/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/a/graph> { <http://example.org/a/strategy> a sg:Strategy ; rdfs:label "A" ; sg:ledBy <http://example.org/agent> . }
<http://example.org/b/graph> {
  <http://example.org/b/strategy> a sg:Strategy ; rdfs:label "B" ; sg:ledBy <http://example.org/b/board> .
  <http://example.org/b/board> a sg:Board ; rdfs:label "B's board" .
  <http://example.org/b/seat> a org:Membership ; org:organization <http://example.org/b/board> ; org:member <http://example.org/agent> .
}
<http://example.org/agents> { <http://example.org/agent> a prov:Agent ; rdfs:label "An agent" . }
""", encoding="utf-8")
    load(tmp_path / "store", [data])
    ds = open_graph(store=tmp_path / "store")
    try:
        rows = workbook_rows(ds, URIRef("http://example.org/a/strategy"))
    finally:
        ds.close()
    assert [row["iri"] for row in rows["Organisations"]] == ["http://example.org/agent"]
