"""`strategy-graph draft`: a published strategy becomes a draft workbook, in its own words, inventing nothing."""

import json
from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.namespace import RDF, RDFS

from graph import files
from graph.draft import draft
from graph.vocab import SG
from graph.workbook import read_workbook
from strategy_graph.cli import main

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "source" / "population-wellbeing-strategy.txt"
ADDRESS = "https://example.org/published/population-wellbeing"
STRATEGY_LAYER = Path(files.dataset_files()[0]).parent / "strategy.trig"

# Test data, invented: a strategy of another shape (two priorities, outcomes by list and by heading, numbered actions).
INVENTED = """# Example Borough Health Strategy 2025 to 2030

Test data, invented: this document describes no real place.

The Example Borough Health Strategy 2025 to 2030 is led by the Example Borough Health Partnership Board.

## Priority 1: A healthy start in life

We want to see these outcomes:

- fewer babies born at a low birth weight
- more children ready for school at five

## Priority 2: Ageing well

### Outcome: more older people living independently at home

To achieve this we will:

1. expand falls prevention classes in every ward
2. open a home adaptations service

### Outcome: fewer people lonely in later life

- a list with no lead-in

## About this document
"""


def _packaged_labels() -> dict:
    """The labels of the packaged strategy graph, by class: read with rdflib from the file, not through the drafter."""
    graph = Dataset(default_union=True).parse(STRATEGY_LAYER)
    return {kind: sorted(str(graph.value(s, RDFS.label)) for s in graph.subjects(RDF.type, kind))
            for kind in (SG.StrategicPriority, SG.Outcome, SG.Workstream, SG.Board, SG.Vision, SG.Strategy)}


def _sheet(rows, name):
    return [r.cells for r in rows if r.sheet == name]


@pytest.fixture(scope="module")
def luton(tmp_path_factory):
    """The draft of the Luton summary, as plain text, written by the CLI and read back as a workbook."""
    from click.testing import CliRunner

    output = tmp_path_factory.mktemp("draft") / "draft.xlsx"
    result = CliRunner().invoke(main, ["draft", str(SOURCE), "--source", ADDRESS, "-o", str(output)])
    assert result.exit_code == 0, result.output
    return output, read_workbook(output), result.stderr


def test_the_luton_draft_holds_exactly_the_strategys_priority_outcomes_and_work_streams(luton):
    _, rows, _ = luton
    labels = _packaged_labels()
    assert sorted(r["priority"] for r in _sheet(rows, "Priorities")) == labels[SG.StrategicPriority]
    assert sorted(r["outcome"] for r in _sheet(rows, "Outcomes")) == labels[SG.Outcome]
    assert sorted(r["work stream"] for r in _sheet(rows, "Workstreams")) == labels[SG.Workstream]
    assert (len(labels[SG.StrategicPriority]), len(labels[SG.Outcome]), len(labels[SG.Workstream])) == (1, 5, 22)
    (strategy,) = _sheet(rows, "Strategy")
    assert [strategy["title"]] == labels[SG.Strategy] and [strategy["vision"]] == labels[SG.Vision]
    assert (str(strategy["start"]), str(strategy["end"])) == ("2023", "2028")
    (board,) = _sheet(rows, "Organisations")
    assert [board["name"]] == labels[SG.Board] and board["kind"] == "board"
    assert strategy["led by"] == board["id"]
    # "The Health and Wellbeing board have responsibility for the following work streams."
    assert {r["owner"] for r in _sheet(rows, "Workstreams")} == {board["id"]}
    (priority,) = _sheet(rows, "Priorities")
    assert {r["priority"] for r in _sheet(rows, "Outcomes")} == {priority["id"]}
    assert not _sheet(rows, "Contributions") and not _sheet(rows, "Indicators") and not _sheet(rows, "Funding")


def test_every_drafted_row_quotes_the_document_and_names_the_source(luton):
    _, rows, _ = luton
    text = " ".join(SOURCE.read_text(encoding="utf-8").split())
    assert rows
    for row in rows:
        assert row.cells["source"] == ADDRESS, row
        assert row.cells["quote"] and row.cells["quote"] in text, row


def test_the_report_says_what_each_rule_found_and_what_was_ambiguous(luton):
    *_, report = luton
    assert ("ambiguous: two candidate titles, 'Population Wellbeing' (first heading, line 1) and "
            "'Population and Wellbeing Strategy 2023 to 2028' (line 2)") in report
    assert "outcomes: 5, by rule outcomes-lead-in (line 6: 'For this priority there are five target outcomes:')" in report
    assert "work streams: 22, by rule workstreams-lead-in" in report
    assert "led by: 'Health and Wellbeing Board', by rule led-by (line 3)" in report


def test_the_draft_goes_through_a_dry_run_and_gives_the_packaged_strategy_layers_gaps(luton, runner, tmp_path):
    workbook, *_ = luton
    dry = runner.invoke(main, ["import", str(workbook), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    store = tmp_path / "store"
    imported = runner.invoke(main, ["import", str(workbook), "--store", str(store)])
    assert imported.exit_code == 0, imported.output
    gaps = lambda *source: {(g["rule"], g["severity"], g["label"]) for g in json.loads(
        runner.invoke(main, ["gaps", "--format", "json", "--fail-on", "none", *source]).output)}
    drafted, packaged = gaps("--store", str(store)), gaps("--data", str(STRATEGY_LAYER))
    assert drafted == packaged and len(packaged) > 40


def _same_text_as(kind: str, folder: Path) -> Path:
    """The Luton summary written as another format, by the library that writes it."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    heading, rest = lines[0], lines[1:]
    path = folder / f"pws.{kind}"
    if kind == "docx":
        import docx

        document = docx.Document()
        document.add_heading(heading, level=1)
        for line in rest:
            if line.startswith("- "):
                document.add_paragraph(line[2:], style="List Bullet")
            else:
                document.add_paragraph(line)
        document.save(str(path))
    elif kind == "html":
        from lxml.html import builder as E, tostring  # noqa: N812 — lxml's own name for its builder

        body, items = [E.H1(heading)], []
        for line in rest + [""]:
            if line.startswith("- "):
                items.append(E.LI(line[2:]))
                continue
            if items:
                body.append(E.UL(*items))
                items = []
            if line:
                body.append(E.P(line))
        path.write_bytes(tostring(E.HTML(E.HEAD(E.TITLE(heading)), E.BODY(*body)), encoding="utf-8"))
    elif kind == "pdf":
        from fpdf import FPDF

        pdf = FPDF(orientation="landscape", format="A3")
        pdf.add_page()
        pdf.set_font("Helvetica", size=8)
        for line in lines:
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(path))
    elif kind == "md":
        path.write_text(f"# {heading}\n\n" + "\n".join(line if line.startswith("- ") else f"\n{line}\n" for line in rest),
                        encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["docx", "html", "pdf", "md"])
def test_the_same_content_in_another_format_drafts_the_same_rows(kind, tmp_path):
    expected = draft(SOURCE, ADDRESS).rows
    assert draft(_same_text_as(kind, tmp_path), ADDRESS).rows == expected


def test_an_invented_document_of_another_shape_is_drafted_cell_by_cell(runner, tmp_path):
    document = tmp_path / "invented.md"
    document.write_text(INVENTED, encoding="utf-8")
    drafted = draft(document, ADDRESS)
    quote = lambda row: {k: v for k, v in row.items() if k != "source"}
    rows = {sheet: [quote(r) for r in found] for sheet, found in drafted.rows.items()}
    assert all(r["source"] == ADDRESS for found in drafted.rows.values() for r in found)
    assert rows["Strategy"] == [{
        "id": "example-borough-health-strategy-2025-to", "title": "Example Borough Health Strategy 2025 to 2030",
        "start": "2025", "end": "2030", "led by": "example-borough-health-partnership-board",
        "quote": "Example Borough Health Strategy 2025 to 2030"}]
    assert rows["Organisations"] == [{
        "id": "example-borough-health-partnership-board", "name": "Example Borough Health Partnership Board", "kind": "board",
        "quote": "The Example Borough Health Strategy 2025 to 2030 is led by the Example Borough Health Partnership Board."}]
    # Each priority keeps the code it is published under: its heading's words before the colon (issue 26: "Priority 3").
    assert rows["Priorities"] == [
        {"id": "a-healthy-start-in-life", "priority": "A healthy start in life", "position": 1, "code": "Priority 1",
         "quote": "Priority 1: A healthy start in life"},
        {"id": "ageing-well", "priority": "Ageing well", "position": 2, "code": "Priority 2", "quote": "Priority 2: Ageing well"}]
    assert rows["Outcomes"] == [
        {"id": "fewer-babies-born-at-a-low", "outcome": "fewer babies born at a low birth weight", "priority": "a-healthy-start-in-life",
         "position": 1, "quote": "fewer babies born at a low birth weight"},
        {"id": "more-children-ready-for-school-at", "outcome": "more children ready for school at five",
         "priority": "a-healthy-start-in-life", "position": 2, "quote": "more children ready for school at five"},
        {"id": "more-older-people-living-independently-at", "outcome": "more older people living independently at home",
         "priority": "ageing-well", "position": 1, "quote": "Outcome: more older people living independently at home"},
        {"id": "fewer-people-lonely-in-later-life", "outcome": "fewer people lonely in later life", "priority": "ageing-well",
         "position": 2, "quote": "Outcome: fewer people lonely in later life"}]
    assert rows["Workstreams"] == [
        {"id": "expand-falls-prevention-classes-in-every", "work stream": "expand falls prevention classes in every ward",
         "owner": "", "position": 1, "quote": "expand falls prevention classes in every ward"},
        {"id": "open-a-home-adaptations-service", "work stream": "open a home adaptations service", "owner": "", "position": 2,
         "quote": "open a home adaptations service"}]
    assert rows["Contributions"] == [
        {"id": "expand-falls-prevention-classes-in-every--more-older-people-living-independently-at",
         "from": "expand-falls-prevention-classes-in-every",
         "to": "more-older-people-living-independently-at",
         "rationale": "listed under 'more older people living independently at home' in the document",
         "quote": "expand falls prevention classes in every ward"},
        {"id": "open-a-home-adaptations-service--more-older-people-living-independently-at",
         "from": "open-a-home-adaptations-service", "to": "more-older-people-living-independently-at",
         "rationale": "listed under 'more older people living independently at home' in the document",
         "quote": "open a home adaptations service"}]
    assert "ambiguous: a list of 1 item(s) at line 25 ('a list with no lead-in') has no lead-in that says what it holds; not used" in drafted.report
    assert "not used: the heading 'About this document' (line 27)" in drafted.report
    output = tmp_path / "invented.xlsx"
    assert runner.invoke(main, ["draft", str(document), "-o", str(output)]).exit_code == 0
    dry = runner.invoke(main, ["import", str(output), "--dry-run"])
    assert dry.exit_code == 0, dry.output


@pytest.mark.parametrize("name", ["luton", "invented"])
def test_drafting_invents_nothing_every_label_is_the_documents_words(name, tmp_path):
    if name == "luton":
        document = SOURCE
    else:
        document = tmp_path / "invented.md"
        document.write_text(INVENTED, encoding="utf-8")
    text = " ".join(document.read_text(encoding="utf-8").split())
    labels = {"Strategy": ("title", "vision"), "Priorities": ("priority",), "Outcomes": ("outcome",),
              "Workstreams": ("work stream",), "Organisations": ("name",)}
    found = [row[c] for sheet, columns in labels.items() for row in draft(document).rows[sheet] for c in columns if row.get(c)]
    assert len(found) >= 5
    for label in found:
        assert label in text, label


def test_a_scanned_pdf_or_a_document_with_no_lists_gets_exit_2_and_no_workbook(runner, tmp_path):
    from fpdf import FPDF

    scanned = tmp_path / "scanned.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 150, style="F")  # a picture of a page: no text to read
    pdf.output(str(scanned))
    prose = tmp_path / "prose.txt"
    prose.write_text("A letter.\nIt says nothing a strategy would list, and lists nothing.\n", encoding="utf-8")
    for document, message in ((scanned, "no text could be read from it (a scanned PDF"),
                              (prose, "no priorities, outcomes or work streams were recognised"),
                              (tmp_path / "notes.rtf", "cannot draft from a .rtf")):
        document.touch()
        output = tmp_path / "out.xlsx"
        result = runner.invoke(main, ["draft", str(document), "-o", str(output)])
        assert result.exit_code == 2 and message in result.output, result.output
        assert not output.exists()


def test_a_source_that_is_not_a_web_address_is_refused(runner, tmp_path):
    result = runner.invoke(main, ["draft", str(SOURCE), "--source", "C:\\strategy.pdf", "-o", str(tmp_path / "d.xlsx")])
    assert result.exit_code == 2 and "expected the http or https address of the document" in result.output
    assert not (tmp_path / "d.xlsx").exists()


@pytest.mark.parametrize(("name", "text"), [
    ("styled.md", "# A Strategy 2024 to 2026\n\nOur outcomes:\n\n- more **healthy** years, [as measured](https://example.org)\n"),
    ("styled.html", "<h1>A Strategy 2024 to 2026</h1><p>Our outcomes:</p><ul><li>more <b>health</b>y years, "
                    "<a href='https://example.org'>as measured</a></li></ul>"),
])
def test_markup_is_not_part_of_a_label(name, text, tmp_path):
    """Regression: Markdown's emphasis and links reached the label as asterisks and brackets."""
    document = tmp_path / name
    document.write_text(text, encoding="utf-8")
    (outcome,) = draft(document).rows["Outcomes"]
    assert outcome["outcome"] == "more healthy years, as measured"


def _drafted(tmp_path, name: str, text: str):
    document = tmp_path / name
    document.write_text(text, encoding="utf-8")
    return draft(document)


def test_regressions_of_the_review_of_the_drafter(tmp_path, runner):
    """One document, invented, holding each form a review found drafted wrongly."""
    drafted = _drafted(tmp_path, "review.md", """# Our Plan for Ashdown 2024 to 2029

This plan replaces the Ashdown Health and Wellbeing Strategy 2019 to 2023. This Strategy sets out our aims.

Falls classes are delivered by Age UK Ashdown. The plan is led by the Ashdown Health and Wellbeing Board.

Our vision is for everyone to live well.

Our strategic priorities are:

- Reducing violence
- Tackling anti-social behaviour

Our outcomes:

- Healthy weight;
- fewer young people smoke; and

We have responsibility for the following actions:

- Healthy weight

## Priority One: Homes for all

### Outcome: Healthy weight

## How we will work

We will:

- publish an annual report

The workstreams report to the following boards:

- the Safer Ashdown Board
""")
    rows = drafted.rows
    (strategy,) = rows["Strategy"]
    assert (strategy["title"], strategy["start"], strategy["end"]) == ("Our Plan for Ashdown 2024 to 2029", "2024", "2029")
    assert "ambiguous: the document also names 'Ashdown Health and Wellbeing Strategy 2019 to 2023' (line 3); not drafted" in drafted.report
    assert [o["name"] for o in rows["Organisations"]] == ["Ashdown Health and Wellbeing Board"]  # not Age UK, not 'We'
    assert strategy["vision"] == "for everyone to live well"  # stated, not named: the words after "Our vision is" (issue 27)
    assert [p["priority"] for p in rows["Priorities"]] == ["Reducing violence", "Tackling anti-social behaviour", "Homes for all"]
    # After a list of two priorities the document does not say which each outcome serves.
    assert {o["outcome"]: o["priority"] for o in rows["Outcomes"]} == {"Healthy weight": "", "fewer young people smoke": ""}
    assert any(line.startswith("ambiguous: the outcomes at line 14 follow a list of 2 priorities") for line in drafted.report)
    assert "outcome: 'Healthy weight' again (line 25): the row already drafted" in drafted.report
    assert [(w["work stream"], w["owner"]) for w in rows["Workstreams"]] == [("Healthy weight", ""), ("publish an annual report", "")]
    # The action under "How we will work" is not under the outcome's heading: no contribution is drafted.
    assert rows["Contributions"] == []
    ids = [r["id"] for sheet in rows.values() for r in sheet]
    assert len(ids) == len(set(ids))  # unique across the workbook, as the import wants
    output = tmp_path / "review.xlsx"
    assert runner.invoke(main, ["draft", str(tmp_path / "review.md"), "-o", str(output)]).exit_code == 0
    dry = runner.invoke(main, ["import", str(output), "--dry-run"])
    assert dry.exit_code == 0, dry.output


def test_html_line_breaks_and_nested_lists_keep_their_words_apart(tmp_path):
    drafted = _drafted(tmp_path, "nested.html", "<h1>Ashdown Housing Strategy 2024 to 2026</h1><p>Our outcomes:</p><ul>"
                       "<li>Decent homes<br>for every resident</li>"
                       "<li>Ending rough sleeping<ul><li>Housing First pilot</li></ul></li></ul>")
    assert [o["outcome"] for o in drafted.rows["Outcomes"]] == ["Decent homes for every resident", "Ending rough sleeping"]
    assert any(line.startswith("not used: 1 item(s) of lists inside the list at element 3 ('Housing First pilot')")
               for line in drafted.report)


def test_a_wrapped_item_is_one_item_whatever_case_its_next_line_starts_with(tmp_path):
    # As pypdf gives a page: lines broken where the page runs out, the longest about as long as the item's first.
    long = "This paragraph is as wide as the page, so that the lines of the list below are measured against it."
    drafted = _drafted(tmp_path, "wrapped.txt", f"Ashdown Skills Strategy 2024 to 2026\n{long}\nWe will:\n"
                       f"- Work with the local colleges and employers to offer apprenticeships to every school leaver who\n"
                       "NHS trusts also employ\n- Open a careers hub\n")
    assert [w["work stream"] for w in drafted.rows["Workstreams"]] == [
        "Work with the local colleges and employers to offer apprenticeships to every school leaver who NHS trusts also employ",
        "Open a careers hub"]


def test_priority_actions_are_not_priorities(tmp_path):
    """Regression: 'The priority actions for this year:' drafted its actions as priorities."""
    drafted = _drafted(tmp_path, "actions.txt", "Ashdown Strategy 2024 to 2026\nThe priority actions for this year:\n- open a hub\n"
                                                "Our outcomes:\n- more jobs\n")
    assert drafted.rows["Priorities"] == [] and drafted.rows["Workstreams"] == []
    assert [o["outcome"] for o in drafted.rows["Outcomes"]] == ["more jobs"]
    assert any("('open a hub') has no lead-in that says what it holds" in line for line in drafted.report)
