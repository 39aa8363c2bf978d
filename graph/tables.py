"""Rows of text as the files a spreadsheet opens: CSV and xlsx.

In CSV a cell that starts with = + - @ or a control character is prefixed
with an apostrophe (OWASP's advice on CSV injection), so that a label from the
data cannot run as a spreadsheet formula. In xlsx a cell is typed as text
instead, so that its value comes back exactly.
"""

import csv
import io


def as_text(value: str) -> str:
    """A cell's text, with an apostrophe before what a spreadsheet would run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def set_text(cell, value: object) -> None:
    """Put ``value`` into an openpyxl cell; a string is always text, never a formula (openpyxl reads "=…" as one)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def defuse_csv(text: str) -> str:
    """CSV text (from a SPARQL results serialiser, say) with every cell made safe for a spreadsheet."""
    return to_csv(list(csv.reader(io.StringIO(text, newline=""))))


def to_csv(rows: list[list[str]]) -> str:
    """The rows (the first is the heading) as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([as_text(v) for v in row])
    return buffer.getvalue()


def to_xlsx(rows: list[list[str]], title: str) -> bytes:
    """The rows (the first is the heading, kept in view) as a workbook of one sheet called ``title``."""
    from openpyxl import Workbook  # only a workbook needs it

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            set_text(sheet.cell(r, c), value)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
