"""Tables in plain text and in a PDF are read as tables, their cells as published, as Markdown's, HTML's and
.docx's are (issue 27); aligned text that is no table stays paragraphs and items.

The documents are invented, shaped like a Welsh well-being plan and an ICS strategy; the PDFs are written here
with fpdf2.
"""

import re
from pathlib import Path

from benchmarks.draft_corpus import render
from graph.draft import draft
from graph.draft.document import read_document

# A well-being plan's steps, as its table gives them: header first; the second row's first cell left empty, as a
# cell that spans two rows is printed.
STEPS = (("Step", "What we will do", "Lead partner"),
         ("1.1", "Open community well-being hubs in the five upper valley wards", "Afon Dulas County Borough Council"),
         ("", "Build a volunteering passport recognised by every board member", "Afon Dulas Voluntary Action"),
         ("1.2", "Plant 40,000 trees on public land by 2028", "Coed Afon Dulas"))
# A glossary, its columns padded to line up, a meaning left blank.
TERMS = (("Term", "Meaning", "Where used"),
         ("PSB", "Public Services Board", "Throughout"),
         ("GP cluster", "", "Objective 2"))


def _padded(rows: tuple[tuple[str, ...], ...]) -> list[str]:
    """Rows as a typewriter sets them: each cell padded to its column's width, columns three spaces apart."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    return ["   ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


PLAIN = "\n".join([
    "Test data, invented: Afon Dulas Well-being Plan 2023 to 2028",
    "",
    "Objective 1: Communities that are resilient and connected",
    "",
    "What we will do:",
    "",
    *("    ".join(row) for row in STEPS),
    "",
    "Glossary",
    "",
    *_padded(TERMS),
    "",
])


def _tables(path: Path) -> list[tuple[tuple[str, ...], ...]]:
    return [block.rows for block in read_document(path)[0] if block.kind == "table"]


def test_a_plain_text_table_is_read_as_a_table_its_rows_and_cells_as_printed(tmp_path):
    """Cells four spaces apart (an empty first cell as leading spaces), and a table whose columns are padded to line up."""
    path = tmp_path / "plan.txt"
    path.write_text(PLAIN, encoding="utf-8")
    assert _tables(path) == [STEPS, TERMS]
    drafted = draft(path)
    assert [w["work stream"] for w in drafted.rows["Workstreams"]] == [row[1] for row in STEPS[1:]]


# Aligned words that are no table: a justified paragraph (lines of as many words three spaces apart), a date set
# apart, items with their leads lined up, a quotation indented; then one table.
NOT_TABLES = """Test data, invented: Afon Dulas Well-being Plan 2023 to 2028

Published:      March 2023

The  Board  agreed  this  plan  after   listening   to   more
two  thousand  residents,  and  it  will   review   the   plan
every year in public.

- Housing           Afon Dulas County Borough Council
- Health            Bwrdd Iechyd Afon Dulas
- Transport         Afon Dulas Travel Partnership

    We want a county where every community
    has what it needs to thrive.

What we will do    Lead partner
Open community well-being hubs    Afon Dulas County Borough Council
Plant 40,000 trees on public land    Coed Afon Dulas
"""


def test_aligned_text_that_is_no_table_stays_paragraphs_and_items(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(NOT_TABLES, encoding="utf-8")
    blocks, _ = read_document(path)
    lines = NOT_TABLES.splitlines()
    assert [b.rows for b in blocks if b.kind == "table"] == [tuple(tuple(re.split(r" {4}", line)) for line in lines[-3:])]
    texts = [(b.kind, b.text) for b in blocks if b.kind != "table"]
    paragraph = " ".join(" ".join(lines[4:7]).split())
    assert ("paragraph", paragraph) in texts
    assert [text for kind, text in texts if kind == "item"] == [" ".join(line[2:].split()) for line in lines[8:11]]
    assert "Published: March 2023" in [text for _, text in texts]  # standing alone, a heading, as before
    assert ("paragraph", " ".join(" ".join(lines[12:14]).split())) in texts


# An ICS strategy's table, rendered to a PDF by fpdf2's pdf.table(): cells wrap over several lines inside their
# boxes, some are empty, and the second table runs over a page, its header drawn again at the top of the next.
ICS = """# Test data, invented: Westmere and Dale Integrated Care Strategy 2024 to 2029

## Priority 1: Give every child the best start in life

Our ambitions for children and young people, and who leads each:

| Ambition | What we will do | Lead |
| --- | --- | --- |
| Fewer babies born to mothers who smoke | Make the smokefree pregnancy pathway universal across all maternity units in Westmere and Dale | Westmere and Dale Local Maternity and Neonatal System |
| | Offer every pregnant smoker a named stop smoking adviser | Directors of Public Health |
| More children ready for school | Extend family hubs to every locality | Westmere and Dale Councils |

## Priority 2: Help people live longer, healthier lives

{long}

The partnership reviews these actions every year.
"""  # noqa: E501 — a row of the document's table is one line
LONG = "| What we will do | Lead |\n| --- | --- |\n" + "\n".join(
    f"| Open a community diagnostic clinic in locality {n} of the Dale, close to where people live | "
    f"Westmere and Dale Primary Care Collaborative {n} |" for n in range(1, 31))


def _markdown_tables(markdown: str) -> list[tuple[tuple[str, ...], ...]]:
    """The tables of the Markdown source, read from its own lines: header first, the delimiter row left out."""
    tables, current = [], []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            if not re.fullmatch(r"[|\s-]+", line):
                current.append(tuple(cell.strip() for cell in line.strip("|").split("|")))
        elif current:
            tables.append(tuple(current))
            current = []
    return tables


def test_a_pdf_table_drawn_by_fpdf2_is_read_as_a_table_its_wrapped_cells_whole(tmp_path):
    markdown = ICS.format(long=LONG)
    path = render(markdown, "pdf", tmp_path / "strategy")
    from pypdf import PdfReader

    assert len(PdfReader(str(path)).pages) > 1  # the long table runs over a page
    blocks, _ = read_document(path)
    assert [b.rows for b in blocks if b.kind == "table"] == _markdown_tables(markdown)
    kinds = [(b.kind, b.text) for b in blocks]
    lead_in = "Our ambitions for children and young people, and who leads each:"
    assert kinds[kinds.index(("paragraph", lead_in)) + 1] == ("table", "a table")
    assert kinds[-1] == ("paragraph", "The partnership reviews these actions every year.")
    drafted = draft(path)
    actions = [row[1] for row in _markdown_tables(markdown)[0][1:]] + [row[0] for row in _markdown_tables(markdown)[1][1:]]
    assert [w["work stream"] for w in drafted.rows["Workstreams"]] == actions


def test_a_pdfs_justified_paragraph_drawn_word_by_word_and_its_indented_list_are_no_table(tmp_path):
    """Words drawn one by one at their places (as some writers justify text) stand side by side as a table's cells
    do, but their places do not line up from line to line; an indented list neither. Only the table is a table."""
    from fpdf import FPDF

    sentence = ("The Board agreed this plan after listening to more than two thousand residents across the county, "
                "and it will review the plan every year in public with the people who live and work here.")
    words = sentence.split()
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, "Test data, invented: Afon Dulas Well-being Plan 2023 to 2028", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    y, width = pdf.get_y() + 4, pdf.w - pdf.l_margin - pdf.r_margin
    lines, line = [], []
    for word in words:
        if line and pdf.get_string_width(" ".join(line + [word])) > width * 0.6:
            lines.append(line)
            line = []
        line.append(word)
    lines.append(line)
    for number, line in enumerate(lines):
        # justified: the spare width shared between the gaps, but on the last line
        gap = (width * 0.6 - pdf.get_string_width("".join(line))) / (len(line) - 1) if number < len(lines) - 1 else 2
        x = pdf.l_margin
        for word in line:
            pdf.text(x, y, word)
            x += pdf.get_string_width(word) + gap
        y += 5
    pdf.set_y(y + 4)
    for item in ("- Housing", "- Health and care", "- Transport"):
        pdf.set_x(pdf.l_margin + 6)
        pdf.multi_cell(0, 5, item, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    with pdf.table() as table:
        for row in STEPS:
            cells = table.row()
            for cell in row:
                cells.cell(cell)
    pdf.output(str(tmp_path / "plan.pdf"))
    blocks, _ = read_document(tmp_path / "plan.pdf")
    assert [b.rows for b in blocks if b.kind == "table"] == [STEPS]
    assert [b.text for b in blocks if b.kind == "item"] == ["Housing", "Health and care", "Transport"]
    text = " ".join(b.text for b in blocks if b.kind == "paragraph")
    assert all(word in text for word in words)
