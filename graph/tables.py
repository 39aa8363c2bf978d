"""Rows of text as the files a spreadsheet opens: CSV and xlsx.

A cell that starts with = + - @ or a control character is prefixed with an
apostrophe, so that a label from the data cannot run as a spreadsheet formula.
"""

import csv
import io


def as_text(value: str) -> str:
    """A cell's text, with an apostrophe before what a spreadsheet would run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


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
    for row in rows:
        sheet.append([as_text(v) for v in row])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
