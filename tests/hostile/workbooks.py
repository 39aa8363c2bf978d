"""Hostile workbooks and labels: what other spreadsheet writers, hand edits and loaded data put in front of the workbook code."""

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook

EXAMPLE_TOWN = Path(__file__).resolve().parents[2] / "examples" / "example-town.trig"
# Every character a label can hold that XML 1.0 cannot (C0 controls but tab, LF and CR; U+FFFE and U+FFFF),
# with tab, LF and CR among them.
UNWRITABLE = "".join(map(chr, range(0x20))) + "\ufffe\uffff"
CONTROL_LABEL = f"Walking buses{UNWRITABLE}to school"
# Text that looks like OOXML's _xHHHH_ escapes: it must come back as typed, not as what it seems to escape.
LOOKALIKE_LABEL = "Befriending _x0041_ pilot _x005F_x0008_ _x000D_"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def exported_workbook(folder: Path, interventions: int = 400) -> Path:
    """The packaged strategy's workbook as `export --format xlsx` writes it, with ``interventions`` more rows of Interventions."""
    from graph.engine import open_graph
    from graph.workbook import workbook_rows, write_template

    ds = open_graph()
    rows = workbook_rows(ds)
    ds.close()
    rows["Interventions"] += [{"id": f"added-{n}", "intervention": f"Added intervention {n}"} for n in range(interventions)]
    path = folder / "exported.xlsx"
    write_template(path, rows)
    return path


def with_dimension(source: Path, ref: str, folder: Path, sheet: str | None = None) -> Path:
    """A copy of ``source`` whose ``<dimension>`` claims ``ref``, as a hand edit or a careless writer leaves it.

    In the worksheet called ``sheet``, or in every worksheet.
    """
    path = folder / f"dimension-{ref.replace(':', '-')}{'-' + sheet if sheet else ''}.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        edited = _part(original, sheet) if sheet else None
        for part in original.infolist():
            data = original.read(part)
            if part.filename == edited or (edited is None and part.filename.startswith("xl/worksheets/sheet")):
                data, count = re.subn(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data)
                if count != 1:
                    raise ValueError(f"{source}: {part.filename} has {count} <dimension> elements, not one")
            copy.writestr(part, data)
    return path


def _part(archive: zipfile.ZipFile, sheet: str) -> str:
    """The name of the part that holds the worksheet called ``sheet``, by the workbook's relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rid = next(s.get(f"{{{_RELATIONSHIP}}}id") for s in workbook.iter(f"{{{_MAIN}}}sheet") if s.get("name") == sheet)
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in relationships if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _sheets(source: Path) -> dict[str, list[tuple]]:
    book = load_workbook(source)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def streamed_by_openpyxl(source: Path, folder: Path) -> Path:
    """``source``'s cells written again by openpyxl's write-only mode, which streams rows and writes no ``<dimension>``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in _sheets(source).items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = folder / "write-only.xlsx"
    book.save(path)
    return path


def streamed_by_xlsxwriter(source: Path, folder: Path) -> Path:
    """``source``'s cells written again by XlsxWriter's constant_memory mode, which streams rows as inline strings."""
    import xlsxwriter

    path = folder / "constant-memory.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    for title, rows in _sheets(source).items():
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):  # write() would take "=…" for a formula, "http…" for a link
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


def saved_as_excel(folder: Path, sheet: str, rows: list[list[str]]) -> Path:
    """A workbook of one sheet as Excel saves one: shared strings with Excel's escapes (XlsxWriter writes them as Excel does).

    Excel writes a carriage return as ``_x000D_``, and text that looks like an escape with its underscore escaped.
    """
    import xlsxwriter

    path = folder / "saved-as-excel.xlsx"
    book = xlsxwriter.Workbook(path)
    written = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            written.write_string(r, c, value)
    book.close()
    return path


def control_character_graph(folder: Path) -> Path:
    """Example Town with an intervention labelled with every character XML cannot hold, and one with escape look-alikes.

    The file itself is plain text: Turtle's \\u escapes carry the characters, as `load` accepts them.
    """
    escaped = "".join(f"\\u{ord(c):04X}" if c in UNWRITABLE else c for c in CONTROL_LABEL)
    text = EXAMPLE_TOWN.read_text(encoding="utf-8")
    for old, new in (('"Walking buses to school"', f'"{escaped}"'), ('"Befriending pilot"', f'"{LOOKALIKE_LABEL}"')):
        if text.count(old) != 1:
            raise ValueError(f"{EXAMPLE_TOWN}: expected {old} once")
        text = text.replace(old, new)
    path = folder / "control-characters.trig"
    path.write_text(text, encoding="utf-8")
    return path
