"""Targets of every kind (issue 26, item 1): a level, a change from the baseline, a milestone, each in the document's
words and of an indicator, an outcome, a work stream or an intervention; imported, exported and imported again."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from rdflib import RDF, Literal
from rdflib.namespace import XSD

from graph.vocab import SCHEMA, SG
from graph.workbook.change import Change, read_change
from tests.test_workbook import INVENTED, _imported, _invoke, _iri, _refused, _workbook


@pytest.mark.parametrize("published, amount, unit, relative", [
    ("10%", "10", "%", True),
    ("-42.5%", "-42.5", "%", True),
    ("25% fewer", "-25", "%", True),
    ("five years longer", "5", "years", False),
    ("reduced by 42.5%", "-42.5", "%", True),
    ("a 10% increase", "10", "%", True),
    ("twenty per cent lower", "-20", "%", True),
    ("+3 percentage points", "3", "percentage points", False),
])
def test_a_change_is_read_exactly_with_its_sign_unit_and_whether_it_is_relative(published, amount, unit, relative):
    assert read_change(published) == Change(Decimal(amount), unit, relative)


@pytest.mark.parametrize("published, reason", [
    ("a lot", "not a change with a number"),
    ("-5% more", "opposite directions"),
    ("stayed by 5%", "'stayed by' says no direction"),
    ("12 £ more", "'£' is not a unit"),
])
def test_a_change_that_cannot_be_read_says_why(published, reason):
    assert reason in read_change(published)


# An invented plan's targets of every kind, as its lead would type them.
KINDS = [
    {"id": "level", "indicator": "n1", "kind": "target", "value": 90, "date": 2026,
     "quote": "90% of working people in Living Wage employment by 2026 (invented)"},
    {"id": "more", "indicator": "n1", "kind": "change", "value": "a 10% increase", "date": 2026},
    {"id": "fewer", "indicator": "n1", "kind": "change", "value": "25% fewer", "date": 2027},
    {"id": "longer", "for": "o1", "kind": "change", "value": "five years longer", "date": 2028},
    {"id": "friendly", "for": "o2", "kind": "milestone", "date": 2026, "reached": "no",
     "quote": "Test Town will be a Child Friendly City by 2026 (invented)"},
    {"id": "plans", "for": "w1", "kind": "milestone", "date": 2025, "reached": "yes"},
    {"id": "lanes", "for": "i1", "kind": "target", "value": 12, "date": 2026},
]


def _with_targets(targets: list[dict]) -> dict:
    return INVENTED | {"Targets": INVENTED["Targets"] + targets}


def test_every_kind_of_target_is_stated_with_its_value_date_and_what_it_is_for(runner, tmp_path):
    ds = _imported(runner, tmp_path, _with_targets(KINDS))
    try:
        assert (_iri("target/more"), RDF.type, SG.ChangeTarget) in ds and (_iri("target/more"), RDF.type, SG.Target) in ds
        assert (_iri("indicator/n1"), SG.hasTarget, _iri("target/more")) in ds
        assert ds.value(_iri("target/more"), SG.changeAmount) == Literal("10", datatype=XSD.decimal)
        assert ds.value(_iri("target/fewer"), SG.changeAmount) == Literal("-25", datatype=XSD.decimal)
        assert ds.value(_iri("target/fewer"), SG.relativeChange) == Literal(True)
        assert str(ds.value(_iri("target/fewer"), SCHEMA.unitText)) == "%"
        assert str(ds.value(_iri("target/fewer"), SG.statedValue)) == "25% fewer"
        assert ds.value(_iri("target/longer"), SG.changeAmount) == Literal("5", datatype=XSD.decimal)
        assert ds.value(_iri("target/longer"), SG.relativeChange) == Literal(False)
        assert str(ds.value(_iri("target/longer"), SCHEMA.unitText)) == "years"
        assert ds.value(_iri("target/longer"), SG.targetOf) == _iri("outcome/o1")
        assert (_iri("target/friendly"), RDF.type, SG.Milestone) in ds
        assert ds.value(_iri("target/friendly"), SG.reached) == Literal(False)
        assert ds.value(_iri("target/plans"), SG.reached) == Literal(True)
        assert ds.value(_iri("target/plans"), SG.targetOf) == _iri("workstream/w1")
        assert ds.value(_iri("target/friendly"), SG.targetValue) is None
        assert ds.value(_iri("target/lanes"), SG.targetOf) == _iri("intervention/i1")
        assert ds.value(_iri("target/lanes"), SG.targetValue) == Literal("12", datatype=XSD.decimal)
        assert str(ds.value(_iri("target/level"), SG.targetDate)) == "2026"
    finally:
        ds.close()


def test_export_writes_every_target_back_in_the_words_it_was_typed(runner, tmp_path):
    store, exported = tmp_path / "store", tmp_path / "exported.xlsx"
    assert _invoke(runner, "import", _workbook(runner, tmp_path, _with_targets(KINDS)), "--store", store).exit_code == 0
    assert _invoke(runner, "export", "--format", "xlsx", "--store", store, "-o", exported).exit_code == 0
    ws = load_workbook(exported)["Targets"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("id")]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    for typed in KINDS:
        cells = {k: v for k, v in rows[typed["id"]].items() if v is not None and k != "iri"}
        assert cells == {k: str(v) if k == "date" else v for k, v in typed.items()}, typed["id"]
    second = tmp_path / "second"
    result = _invoke(runner, "import", exported, "--store", second)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("row, where", [
    ({"id": "bad", "indicator": "n1", "kind": "change", "value": "much better", "date": 2026},
     "Targets row 6, column 'value': 'much better' cannot be read: not a change with a number"),
    ({"id": "bad", "indicator": "n1", "kind": "change", "date": 2026}, "Targets row 6, column 'value': empty; expected for a change, a change as published"),
    ({"id": "bad", "kind": "milestone", "date": 2026}, "Targets row 6, column 'indicator': empty, and so is 'for'"),
    ({"id": "bad", "for": "o1", "kind": "target", "value": 5, "date": 2026, "reached": "yes"},
     "Targets row 6, column 'reached': 'yes' for a target"),
    ({"id": "bad", "for": "o1", "kind": "milestone", "value": 5, "date": 2026}, "Targets row 6, column 'value': '5' for a milestone"),
    ({"id": "bad", "for": "n1", "kind": "milestone", "date": 2026}, "Targets row 6, column 'for': 'n1' is a row of Indicators"),
])
def test_a_target_that_cannot_be_read_is_refused_at_its_cell(runner, tmp_path, row, where):
    assert where in _refused(runner, tmp_path, _with_targets([row]))


def test_the_gap_report_reads_each_kind_of_target_where_it_is_set(runner, tmp_path):
    """A milestone measures its outcome; a target set for an outcome belongs to the outcome's strategy."""
    import json

    store = tmp_path / "store"
    rows = _with_targets(KINDS + [{"id": "late", "for": "o2", "kind": "change", "value": "10%", "date": 2025}])
    rows["Indicators"] = [dict(rows["Indicators"][0], measures="o1")]  # o2 has no indicator: only its milestone
    assert _invoke(runner, "import", _workbook(runner, tmp_path, rows), "--store", store).exit_code == 0
    gaps = json.loads(_invoke(runner, "gaps", "--format", "json", "--store", store, "--fail-on", "none").output)
    assert str(_iri("outcome/o2")) not in {g["focus"] for g in gaps if g["rule"] == "outcome-without-indicator"}
    # A change set for the outcome, due in 2025, with no indicator to record a value of: past due, and the outcome's strategy's.
    (late,) = [g for g in gaps if g["rule"] == "target-past-due"]
    assert (late["focus"], late["label"], late["strategy"]) == (str(_iri("target/late")), "target for Warmer homes (invented)", str(_iri("strategy")))


# Progress for each kind, on the indicator's and the outcome's page (expectations from tests/data/targets/progress.ttl).

@pytest.fixture(scope="module")
def progress_pages():
    from tests.conftest import DATA
    from viewer import create_app

    app = create_app({"TESTING": True, "DATA": [DATA / "targets" / "progress.ttl"]})
    client = app.test_client()
    yield lambda node: _targets_section(client.get(f"/resource?iri=http://example.org/{node}").get_data(as_text=True))
    app.extensions["sparql"].close()


def _targets_section(page: str) -> list[str]:
    import html
    import re

    section = page.split('<section class="targets">', 1)[1].split("</section>", 1)[0]
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in section.split("<li>")[1:]]


def test_a_change_is_resolved_against_the_baseline_and_a_level_judged_by_the_latest_value(progress_pages):
    # Baseline 60 in 2022/23; a 10% increase asks for 66; the latest value is 63 in 2024/25; the level asks for 70.
    assert progress_pages("employment") == [
        "Change: a 10% increase by 2026. Progress: 66 % (from the baseline of 60 % in 2022/23); latest 63 % in 2024/25: not yet met.",
        "Level: 70 % by 2028. Progress: latest 63 % in 2024/25: not yet met.",
    ]
    # Baseline 200 in 2022; 25% fewer asks for 150; the latest is 140 in 2024, fewer still.
    assert progress_pages("charged") == [
        "Change: 25% fewer by 2027. Progress: 150 people (from the baseline of 200 people in 2022); latest 140 people in 2024: met."]


def test_a_milestone_shows_whether_it_was_reached_on_its_outcomes_page(progress_pages):
    assert progress_pages("friendly-outcome") == ["Milestone: Test Town will be a Child Friendly City (invented) by 2026. Progress: reached."]
