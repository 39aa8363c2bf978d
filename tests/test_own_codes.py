"""A council's own code lists (issue 26, item 5): the Codes sheet's terms become SKOS concepts of the
strategy's own schemes, every choice column takes them by id, the gap rules and the analysis count them
as they count packaged terms, and the sheet survives export, import and export cell for cell.

Every strategy, term and value here is invented.
"""

import datetime

import pytest
from openpyxl import load_workbook
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, SKOS

from graph.analysis import analyse, as_text
from graph.engine import in_memory, named_graph, new_graph
from graph.gaps import find_gaps
from graph.vocab import SG
from graph.workbook import build_graph, export, read_workbook, write_template
from graph.workbook.schema import LOCAL_CHOICES, Row

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
BASE = "https://w3id.org/strategy-graph/id/own-codes/"
DEF = "https://w3id.org/strategy-graph/def/"
# The packaged terms the invented ones match, as ontology/concepts.ttl names them.
INEQUALITY, WORKING_AGE = URIRef(DEF + "theme/inequality"), URIRef(DEF + "life-stage/working-age")

CODES = [
    {"list": "theme", "id": "care-gap", "label": "the care gap (invented)",
     "definition": "How far children in care fall behind their peers (invented).", "matches": "broad: inequality"},
    {"list": "breakdown", "id": "care-experienced", "label": "care experienced (invented)",
     "definition": "Split by whether the child is or was looked after (invented)."},
    {"list": "life-stage", "id": "adults", "label": "adults (invented)", "definition": "Everyone aged 18 or over (invented).",
     "matches": "working-age adults"},
]
SHEETS = {
    "Strategy": [{"id": "own-codes", "title": "An invented plan with its own codes", "start": 2024, "end": 2030, "area": "E06000099",
                  "life course from": "early years", "life course to": "old age"}],
    "Priorities": [{"id": "people", "priority": "People (invented)"}],
    "Outcomes": [{"id": "care", "outcome": "Care-experienced children do as well at school as their peers (invented)",
                  "theme": "care-gap; education"}],
    "Workstreams": [{"id": "jobs", "work stream": "Jobs for adults (invented)", "serves life stage": "adults; early years"}],
    "Indicators": [{"id": "attainment", "indicator": "Attainment at 16 (invented)", "measures": "care", "split by": "care-experienced"}],
    "Codes": CODES,
}


def _rows(sheets: dict) -> list[Row]:
    return [Row(sheet, n, {k: v for k, v in cells.items() if v not in (None, "")})
            for sheet, entries in sheets.items() for n, cells in enumerate(entries, start=3)]


def _build(sheets: dict):
    return build_graph(_rows(sheets), in_memory(new_graph()), "own-codes.xlsx", NOW)


@pytest.fixture(scope="module")
def imported():
    staged, graph, problems = _build(SHEETS)
    assert problems == [], "\n".join(map(str, problems))
    return staged, graph


def test_each_row_is_a_concept_of_the_strategys_own_scheme_for_its_list(imported):
    staged, graph = imported
    g = named_graph(staged, graph)
    for code in CODES:
        concept, scheme = URIRef(BASE + "code/" + code["id"]), URIRef(BASE + code["list"] + "/")
        assert (concept, RDF.type, SKOS.Concept) in g
        assert (concept, SKOS.inScheme, scheme) in g
        assert (scheme, RDF.type, SKOS.ConceptScheme) in g and (scheme, DCTERMS.type, URIRef(DEF + code["list"] + "/")) in g
        assert str(g.value(concept, SKOS.prefLabel)) == code["label"] and str(g.value(concept, SKOS.definition)) == code["definition"]
    # "broad: inequality" says the packaged term is broader; a bare label, that it means the same.
    assert set(g.objects(URIRef(BASE + "code/care-gap"), SKOS.broadMatch)) == {INEQUALITY}
    assert set(g.objects(URIRef(BASE + "code/adults"), SKOS.closeMatch)) == {WORKING_AGE}
    assert not list(g.objects(URIRef(BASE + "code/care-experienced"), SKOS.closeMatch))


def test_every_choice_column_takes_own_terms_by_id_beside_packaged_ones(imported):
    staged, graph = imported
    g = named_graph(staged, graph)
    assert set(g.objects(URIRef(BASE + "outcome/care"), SG.theme)) == {URIRef(BASE + "code/care-gap"), URIRef(DEF + "theme/education")}
    assert set(g.objects(URIRef(BASE + "workstream/jobs"), SG.servesLifeStage)) == {URIRef(BASE + "code/adults"),
                                                                                   URIRef(DEF + "life-stage/early-years")}
    assert g.value(URIRef(BASE + "indicator/attainment"), SG.disaggregation) == URIRef(BASE + "code/care-experienced")


@pytest.mark.parametrize("change, where, says", [
    ({"list": "colour"}, ("Codes", 3, "list"), "unknown value 'colour'"),
    ({"matches": "broad: wellbeing"}, ("Codes", 3, "matches"), "'wellbeing' is not a packaged term of the list theme"),
    ({"matches": "deprivation"}, ("Codes", 3, "matches"), "'deprivation' is not a packaged term of the list theme"),
    ({"id": "housing"}, ("Codes", 3, "id"), "'housing' is already a term of the list theme"),
])
def test_a_wrong_code_row_is_named_by_sheet_row_and_column(change, where, says):
    codes = [{**CODES[0], **change}, *CODES[1:]]
    outcomes = [{**SHEETS["Outcomes"][0], "theme": "education"}]
    _, _, problems = _build({**SHEETS, "Outcomes": outcomes, "Codes": codes})
    assert [(p.sheet, p.row, p.column) for p in problems] == [where] and says in problems[0].problem


def test_an_own_term_of_another_list_is_refused_and_the_own_ids_are_offered():
    outcomes = [{**SHEETS["Outcomes"][0], "theme": "care-experienced"}]  # a breakdown, not a theme
    _, _, problems = _build({**SHEETS, "Outcomes": outcomes})
    (problem,) = problems
    assert (problem.sheet, problem.row, problem.column) == ("Outcomes", 3, "theme")
    assert "care-gap" in problem.expected and "inequality" in problem.expected


def _gaps(sheets: dict, rule: str) -> set[str]:
    staged, _, problems = _build(sheets)
    assert problems == []
    return {g.focus for g in find_gaps(in_memory(staged)) if g.rule == rule}


def test_a_split_by_an_own_breakdown_closes_the_inequality_gap_of_an_outcome_with_an_own_theme():
    unsplit = [{k: v for k, v in SHEETS["Indicators"][0].items() if k != "split by"}]
    rule = "inequality-without-split-indicator"
    assert _gaps({**SHEETS, "Indicators": unsplit}, rule) == {BASE + "outcome/care"}
    assert _gaps(SHEETS, rule) == set()


def test_work_for_an_own_life_stage_serves_the_packaged_stage_it_closely_matches():
    rule = "life-stage-not-served"
    everything = "early years; childhood; young people; adults; old age"
    workstreams = [{**SHEETS["Workstreams"][0], "serves life stage": everything}]
    assert _gaps({**SHEETS, "Workstreams": workstreams}, rule) == set()
    unmatched = [CODES[0], CODES[1], {k: v for k, v in CODES[2].items() if k != "matches"}]
    assert _gaps({**SHEETS, "Workstreams": workstreams, "Codes": unmatched}, rule) == {BASE + "strategy"}


def test_the_analysis_counts_own_life_stages_as_packaged_ones(imported):
    staged, _ = imported
    stages = {s["life_stage"]["label"]: [n["label"] for n in s["served_by"]] for s in analyse(in_memory(staged))["life_course"]}
    assert stages["adults (invented)"] == ["Jobs for adults (invented)"]
    assert stages["working-age adults"] == ["Jobs for adults (invented)"]  # adults means the same (closeMatch)
    assert list(stages)[:5] == ["early years", "childhood", "young people", "working-age adults", "old age"]


def test_the_analysis_counts_own_themes_and_the_packaged_themes_they_match(imported):
    staged, _ = imported
    result = analyse(in_memory(staged))
    about = {t["theme"]["label"]: [n["label"] for n in t["about"]] for t in result["themes"]}
    outcome = [SHEETS["Outcomes"][0]["outcome"]]
    assert about["the care gap (invented)"] == outcome and about["inequality"] == outcome and about["education"] == outcome
    assert about["housing"] == []
    assert "  the care gap (invented): " + outcome[0] in as_text(result)


def test_export_import_export_keeps_every_cell_of_the_codes_sheet(imported, tmp_path):
    staged, _ = imported
    first, unexpressed = export(in_memory(staged))
    assert unexpressed == []
    assert [{k: v for k, v in row.items() if k != "iri" and v is not None} for row in first["Codes"]] == CODES
    assert first["Outcomes"][0]["theme"] == "care-gap; education" and first["Indicators"][0]["split by"] == "care-experienced"
    path = tmp_path / "exported.xlsx"
    write_template(path, first)
    again, _, problems = build_graph(read_workbook(path), in_memory(new_graph()), "exported.xlsx", NOW)
    assert problems == []
    second, _ = export(in_memory(again))
    assert second["Codes"] == first["Codes"]
    assert second == first


def test_close_prefix_is_the_same_as_a_bare_label():
    codes = [*CODES[:2], {**CODES[2], "matches": "close: Working-age adults"}]
    staged, graph, problems = _build({**SHEETS, "Codes": codes})
    assert problems == []
    assert set(named_graph(staged, graph).objects(URIRef(BASE + "code/adults"), SKOS.closeMatch)) == {WORKING_AGE}


def test_the_template_offers_the_code_lists_and_lets_a_drop_down_take_an_own_id(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    book = load_workbook(path)
    assert [c.value for c in book["Codes"][1]] == ["id", "list", "label", "definition", "matches", "source", "quote", "iri"]
    lists = book["Lists"]
    column = next(c.column for c in lists[1] if c.value == "code-list")
    offered = [lists.cell(r, column).value for r in range(2, lists.max_row + 1) if lists.cell(r, column).value]
    assert {"theme", "breakdown", "life-stage"} <= set(offered) and offered == list(LOCAL_CHOICES["code-list"])
    # Excel refuses a typed value only when the drop-down shows an error; none does, so an own id may be typed.
    validations = book["Outcomes"].data_validations.dataValidation + book["Indicators"].data_validations.dataValidation
    assert validations and not any(v.showErrorMessage for v in validations)
