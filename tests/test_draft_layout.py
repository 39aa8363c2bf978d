"""The structure reader keeps what a page shows: a PDF's headings and paragraphs by their type and spacing,
two lists side by side as two, and a long title on a cover as the title (issue 27).

The documents are invented, shaped like a Scottish Local Outcome Improvement Plan; the PDFs are generated here.
"""

import re
from pathlib import Path

import pytest

from benchmarks.draft_corpus import render
from graph.draft import draft

LOIP = """# Northmoor and Eastdale Community Planning Partnership Local Outcome Improvement Plan 2016-26 Refreshed May 2021

Test data, invented: this document describes no real place.

## Theme 1: A prosperous economy where everyone shares in the benefits of growth

### Stretch outcome 1: 10% increase in employment across priority localities and the volume growth sectors by 2026

Improvement projects:

1.1 Support 50 people from the priority localities into sustained and fair employment by 2026

1.2 Increase the number of people in Living Wage employment across the partnership's own workforce.

### Stretch outcome 2: 90% of children in the partnership area will meet their developmental milestones by 2026

2.1 Increase the uptake of parenting and family support in the priority localities of the partnership

## Theme 2: People are resilient, included and supported when in need

### Stretch outcome 3: Healthy life expectancy is five years longer in priority localities by 2026

3.1 Reduce the number of people who smoke in the priority localities by a quarter.
"""

# What the document says, read from its own lines: its title, themes, stretch outcomes and improvement projects.
TITLE = LOIP.splitlines()[0].removeprefix("# ")
THEMES = re.findall(r"^## Theme \d: (.+)$", LOIP, re.MULTILINE)
OUTCOMES = re.findall(r"^### Stretch outcome \d: (.+)$", LOIP, re.MULTILINE)
PROJECTS = re.findall(r"^\d\.\d (.+?)\.?$", LOIP, re.MULTILINE)


@pytest.mark.parametrize("kind", ["pdf", "txt", "md"])
def test_a_loip_laid_out_as_a_pdf_drafts_its_headings_and_projects_apart(kind, tmp_path):
    """The PDF sets its headings in a larger, bold type with space around them; pypdf's text runs a line as wide as
    the page into the next (the stretch outcome 3 heading, projects 1.1 and 2.1 with no full stop)."""
    rows = draft(render(LOIP, kind, tmp_path / "loip")).rows
    assert [w["work stream"] for w in rows["Workstreams"]] == PROJECTS
    assert [o["outcome"] for o in rows["Outcomes"]] == OUTCOMES
    assert [p["priority"] for p in rows["Priorities"]] == THEMES
    (strategy,) = rows["Strategy"]
    assert (strategy["title"], strategy["start"], strategy["end"]) == (TITLE, "2016", "2026")
    assert [(w["code"], w["work stream"]) for w in rows["Workstreams"]][2] == ("2.1", PROJECTS[2])
    theme = {p["id"]: p["priority"] for p in rows["Priorities"]}
    assert [theme[o["priority"]] for o in rows["Outcomes"]] == [THEMES[0], THEMES[0], THEMES[1]]


def _one_type_pdf(text: str, path: Path) -> Path:
    """The lines in one type, a blank line as a gap: a PDF whose headings its type does not set apart."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in text.splitlines():
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.mark.parametrize("kind", ["txt", "pdf"])
def test_a_title_of_more_than_twelve_words_standing_first_is_the_title(kind, tmp_path):
    title = "Test data, invented - Westerby Community Planning Partnership Local Outcome Improvement Plan 2017-21 Refreshed June 2020"
    text = f"{title}\n\nOur outcomes:\n- Fewer children live in poverty\n- More people are in fair work\n"
    path = tmp_path / f"plan.{kind}"
    if kind == "txt":
        path.write_text(text, encoding="utf-8")
    else:
        _one_type_pdf(text, path)
    drafted = draft(path)
    (strategy,) = drafted.rows["Strategy"]
    assert (strategy["title"], strategy["start"], strategy["end"]) == (title, "2017", "2021")
    assert [o["outcome"] for o in drafted.rows["Outcomes"]] == ["Fewer children live in poverty", "More people are in fair work"]


ADJACENT = {
    "md": "# Test data, invented: Westerby Plan 2024 to 2028\n\nOur outcomes:\n\n- Fewer children live in poverty\n"
          "- More people are in fair work\n\n1. Open a jobs hub\n2. Fund a debt advice line\n",
    "html": "<h1>Test data, invented: Westerby Plan 2024 to 2028</h1><p>Our outcomes:</p>"
            "<ul><li>Fewer children live in poverty</li><li>More people are in fair work</li></ul>"
            "<ol><li>Open a jobs hub</li><li>Fund a debt advice line</li></ol>",
}


@pytest.mark.parametrize("kind", ["md", "html"])
def test_two_lists_with_nothing_between_them_are_two_lists(kind, tmp_path):
    path = tmp_path / f"plan.{kind}"
    path.write_text(ADJACENT[kind], encoding="utf-8")
    drafted = draft(path)
    assert [o["outcome"] for o in drafted.rows["Outcomes"]] == ["Fewer children live in poverty", "More people are in fair work"]
    assert any(line.startswith("ambiguous: a list of 2 item(s)") and "('Open a jobs hub') has no lead-in" in line
               for line in drafted.report)


def test_a_pdfs_type_makes_headings_of_its_headings_only(tmp_path):
    """A larger type for a long passage, and bold for a lead-in sentence, do not make headings; levels follow sizes."""
    from fpdf import FPDF

    from graph.draft.document import read_document

    intro = ("Test data, invented: this plan sets out how the partners of Westerby will work together over the next "
             "five years to reduce the inequalities that our residents told us matter most to them and their families.")
    pdf = FPDF()
    pdf.add_page()
    for style, size, words in [("B", 18, "Westerby Community Plan 2024 to 2029"), ("", 12, intro),
                               ("B", 10, "Our outcomes:"), ("", 10, "- Fewer children live in poverty"),
                               ("", 10, "- More people are in fair work"), ("B", 14, "Theme 1: A fairer economy"),
                               ("", 10, "The partners will meet every quarter.")]:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, size * 0.5, words, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(tmp_path / "plan.pdf"))
    blocks, _ = read_document(tmp_path / "plan.pdf")
    assert [(b.kind, b.text, b.level) for b in blocks] == [
        ("heading", "Westerby Community Plan 2024 to 2029", 1), ("paragraph", intro, 0),
        ("paragraph", "Our outcomes:", 0), ("item", "Fewer children live in poverty", 0),
        ("item", "More people are in fair work", 0), ("heading", "Theme 1: A fairer economy", 2),
        ("paragraph", "The partners will meet every quarter.", 0)]


def test_a_pdf_line_that_opens_in_bold_is_not_a_heading(tmp_path):
    """'Lead: Public Health', its first word in bold, is a paragraph: most of the line is in the text's type."""
    from fpdf import FPDF

    from graph.draft.document import read_document

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, "Test data, invented: Westerby Community Plan 2024 to 2029", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, "**Lead:** Westerby Public Health Partnership", markdown=True, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(0, 5, "The partners will meet every quarter.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "plan.pdf"))
    blocks, _ = read_document(tmp_path / "plan.pdf")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Test data, invented: Westerby Community Plan 2024 to 2029"),
        ("paragraph", "Lead: Westerby Public Health Partnership"), ("paragraph", "The partners will meet every quarter.")]


def test_pdf_headings_of_one_type_one_after_another_are_apart_when_the_second_starts_with_its_number(tmp_path):
    """Regression (issue 27's corpus): a mission's heading and its first Big Move's, set in the same type with no wider
    gap between them, were read as one heading, 'Cut emissions … Big Move 1: Warm homes': words the plan never wrote."""
    from fpdf import FPDF

    from graph.draft.document import read_document

    pdf = FPDF()
    pdf.add_page()
    body = ("Test data, invented: a plan of no real place. The partners will set out here what the move means for the "
            "residents of the town, how it will be paid for and who will answer for it, year by year.")
    lines = [("B", 10, "Mission 1: Cut emissions across Westerby"), ("B", 10, "Big Move 1: Warm homes for everyone"),
             ("", 9, body), ("B", 10, "Big Move 2: Clean travel"), ("", 9, body),
             ("B", 10, "Mission 2: Prepare for a changing climate"), ("B", 10, "Big Move 3: Cool streets"), ("", 9, body)]
    for style, size, words in lines:
        if style:
            pdf.ln(3)
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(0, 7 if style else 5, words, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "plan.pdf"))
    blocks, _ = read_document(tmp_path / "plan.pdf")
    assert [b.text for b in blocks if b.kind == "heading"] == [
        "Mission 1: Cut emissions across Westerby", "Big Move 1: Warm homes for everyone", "Big Move 2: Clean travel",
        "Mission 2: Prepare for a changing climate", "Big Move 3: Cool streets"]


def test_pdf_heading_lines_of_one_type_are_one_heading_only_when_the_first_runs_to_the_width_of_a_line(tmp_path):
    """Regression (issue 27's third held-out set): a cover's body name and the plan's title, two short lines in the same
    type, were joined as one title, 'Westerby Public Services Board Local Well-being Plan 2028-2033', words the plan
    never wrote in that order; a long title wrapped over two lines is still one."""
    from fpdf import FPDF

    from graph.draft.document import read_document

    body = ("Test data, invented: a plan of no real place. The partners will set out here what the plan means for the "
            "residents of the county, how it will be paid for and who will answer for it, year by year, in every ward.")
    wrapped = "A long title of an invented plan that runs on across the whole width of the page and then wraps"
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    for line in ("Westerby Public Services Board", "Local Well-being Plan 2028-2033"):
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, body, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, wrapped, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, body, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "plan.pdf"))
    blocks, _ = read_document(tmp_path / "plan.pdf")
    assert [b.text for b in blocks if b.kind == "heading"] == [
        "Westerby Public Services Board", "Local Well-being Plan 2028-2033", wrapped]
