"""Rows of text as the files a spreadsheet opens, CSV and xlsx: every cell of either is written here.

CSV holds every string as it is. A cell that starts with = + - @, a tab or a
carriage return is prefixed with an apostrophe (OWASP's advice on CSV
injection), so that a label from the data cannot run as a spreadsheet formula.

In xlsx a string is typed as text, never a formula, so that it comes back
exactly. The XML that holds a workbook cannot hold the C0 control characters
but tab, LF and CR, nor U+FFFE and U+FFFF, and a label may hold any of them:
each is written as OOXML's escape ``_xHHHH_`` (ECMA-376's ST_Xstring), which
Excel shows as the character, and an underscore that would start such an
escape is itself escaped, as ``_x005F_``. ``read_text`` undoes both when a
workbook is imported, where a control character is then refused at its cell,
as one typed there is.
"""

import csv
import io
import re

# The characters XML 1.0 cannot hold: the complement of its Char production.
# openpyxl.utils.escape is not used: it escapes U+0001 to U+0019 only (an octal
# range), so U+0000 and U+001A to U+001F (ESC among them) still fail, and it
# leaves text that looks like an escape to be read as one.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
# Any underscore before x and four hex digits: one before a character that is then escaped starts an escape too.
_STARTS_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4})")


def as_text(value: str) -> str:
    """A cell's text, with an apostrophe before what a spreadsheet would run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def set_text(cell, value: object):
    """Put ``value`` into an openpyxl cell and return the cell; a string is always text, never a formula (openpyxl reads "=…" as one)."""
    if isinstance(value, str):
        value = _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", _STARTS_ESCAPE.sub("_x005F_", value))
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def read_text(value: str) -> str:
    """A string as an xlsx cell holds it, with OOXML's escapes undone: the text ``set_text`` was given.

    Only escapes of the underscore, of C0 controls (Excel writes a carriage
    return as ``_x000D_``) and of what XML cannot hold are undone: openpyxl
    reads Excel's shared strings with the underscore's escape already taken
    out, so an ``_x0041_`` read from one is text somebody typed, not an "A".
    """
    def unescaped(match: re.Match) -> str:
        char = chr(int(match.group(1), 16))
        return char if char < " " or char == "_" or _NOT_XML.match(char) else match.group()

    return _ESCAPE.sub(unescaped, value)


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
