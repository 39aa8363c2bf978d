"""Workbook files: the template written, and .xlsx files or folders of CSV files read into rows."""

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from rdflib import URIRef

from graph import files
from graph.archives import ArchiveError, refuse_zip_bomb
from graph.engine import read_files, select_rows
from graph.settings import with_defaults
from graph.tables import read_text, set_text
from graph.vocab import CONCEPT_BASE, SPARQL_PREFIXES, XML_FORBIDDEN
from graph.workbook.schema import (
    BY_SHEET,
    EXAMPLE,
    LOCAL_CHOICES,
    SEPARATOR,
    SHEETS,
    Column,
    Row,
    Sheet,
    UnsavedFormula,
    WorkbookError,
)

# Columns an older template had, and where what they held went.
_MOVED = {("Strategy", "priority"): "priorities have a sheet of their own, Priorities, and each outcome names its priorities"}


def choice_lists() -> dict[str, dict[str, URIRef | str]]:
    """Every code list a column may use: label (lower case) to concept, in code-list order."""
    vocabulary = read_files(files.ontology_files())
    lists: dict[str, dict] = {name: {v: v for v in values} for name, values in LOCAL_CHOICES.items()}
    query = SPARQL_PREFIXES + """
        SELECT ?scheme ?concept ?label ?notation WHERE {
          ?concept skos:inScheme ?scheme ; skos:prefLabel ?label . OPTIONAL { ?concept skos:notation ?notation }
        } ORDER BY ?scheme ?notation ?label"""
    for row in select_rows(vocabulary, query):
        name = str(row.scheme).removeprefix(CONCEPT_BASE).rstrip("/")
        lists.setdefault(name, {})[str(row.label).lower()] = row.concept
    return lists


def write_template(path: Path | BinaryIO, rows: dict[str, list[dict]] | None = None) -> None:
    """Write the workbook: headers with notes, drop-downs, an example row, and ``rows`` if given."""
    # Here, not at the top: the viewer reads the schema through this package, and never writes a workbook.
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = choice_lists()
    book = Workbook()
    book.remove(book.active)
    hidden = book.create_sheet("Lists")
    list_ranges = {}
    for col, (name, values) in enumerate(sorted(lists.items()), start=1):
        set_text(hidden.cell(1, col), name)
        for r, label in enumerate(values, start=2):
            set_text(hidden.cell(r, col), label)
        letter = hidden.cell(1, col).column_letter
        list_ranges[name] = f"Lists!${letter}$2:${letter}${len(values) + 1}"
    hidden.sheet_state = "hidden"
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name, index=len(book.sheetnames) - 1)
        for col, column in enumerate(sheet.columns, start=1):
            cell = set_text(ws.cell(1, col), column.name)
            cell.font = Font(bold=True)
            note = column.note + (" Required." if column.required else "")
            cell.comment = Comment(note, "strategy-graph", width=300, height=120)
            ws.column_dimensions[cell.column_letter].width = max(14, len(column.name) + 4)
            # A drop-down allows one value: a cell that takes several is typed.
            if column.kind == "choice" and not column.many:
                validation = DataValidation(type="list", formula1=list_ranges[column.choices], allow_blank=True)
                validation.error = f"Choose one of the values of the list ({column.choices})."
                ws.add_data_validation(validation)
                validation.add(f"{cell.column_letter}2:{cell.column_letter}1000")
        example = _example_row(sheet)
        for col, column in enumerate(sheet.columns, start=1):
            cell = set_text(ws.cell(2, col), example.get(column.name))
            cell.font = Font(italic=True, color="808080")
            cell.fill = PatternFill("solid", fgColor="EEEEEE")
        for r, values in enumerate((rows or {}).get(sheet.name, []), start=3):
            for col, column in enumerate(sheet.columns, start=1):
                set_text(ws.cell(r, col), values.get(column.name))
        ws.freeze_panes = "A3"
    book.save(path)


def _example_row(sheet: Sheet) -> dict[str, str]:
    """The greyed example row: an id marking it as an example, and in each cell what a lead types there."""
    row = {column.name: example(column) for column in sheet.columns}
    row["id"] = f"{EXAMPLE}-{sheet.segment or 'strategy'}"
    return row


def example(column: Column) -> str:
    """What a lead types in the column, as its note gives it; for a reference, the example id of the sheet (or sheets) it names."""
    if column.kind != "ref":
        return column.example
    ids = [BY_SHEET[name].column("id").example for name in column.refers_to]
    return f"{SEPARATOR} ".join(ids) if column.many else ids[0]


def read_workbook(source: Path, limits: Mapping[str, Any] | None = None) -> list[Row]:
    """The data rows of an .xlsx file or a folder of <Sheet>.csv files, examples left out.

    ``limits``: the settings an .xlsx file is held to (what it may unpack to); the defaults for those not given.
    Raises WorkbookError, naming every unknown sheet, file or column at once.
    """
    if source.is_dir():
        return _read_csv_folder(source)
    if source.suffix.lower() != ".xlsx":
        raise WorkbookError(f"{source}: expected an .xlsx workbook or a folder of CSV files")
    _refuse_zip_bomb(source, with_defaults(limits))
    from openpyxl import load_workbook  # only an .xlsx file needs it

    try:
        book = load_workbook(source, data_only=True, read_only=True)
        formulas = load_workbook(source, read_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError(f"{source}: cannot read as an Excel workbook: {error}") from error
    unknown = [name for name in book.sheetnames if name not in BY_SHEET and name != "Lists"]
    errors = [f"{source}: sheet '{name}' is not a sheet of the template; expected one of {', '.join(BY_SHEET)}" for name in unknown]
    rows = []
    for sheet in SHEETS:
        if sheet.name not in book.sheetnames:
            continue
        for opened in (book, formulas):
            # Read-only mode stops where the sheet's <dimension> says it ends, which a hand edit or another writer may leave stale.
            opened[sheet.name].reset_dimensions()
        values = [list(r) for r in book[sheet.name].iter_rows(values_only=True)]
        written = list(formulas[sheet.name].iter_rows(values_only=True))
        for r, (cached, raw) in enumerate(zip(values, written)):
            for c, (value, formula) in enumerate(zip(cached, raw)):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    values[r][c] = UnsavedFormula(formula)
                elif isinstance(value, str):
                    values[r][c] = read_text(value)
        if values:
            try:
                rows += _rows(sheet, [str(h).strip() if h is not None else "" for h in values[0]], values[1:], source)
            except WorkbookError as error:
                errors.append(str(error))
    if errors:
        raise WorkbookError("\n".join(errors))
    return rows


def _refuse_zip_bomb(source: Path, limits: Mapping[str, Any]) -> None:
    """Refuse a workbook that would unpack to more than ``limits`` allow, before openpyxl opens it."""
    try:
        refuse_zip_bomb(source, "an Excel workbook", limits)
    except ArchiveError as error:
        raise WorkbookError(str(error)) from error


def _read_csv_folder(folder: Path) -> list[Row]:
    rows, errors = [], []
    known = {f"{sheet.name.lower()}.csv": sheet for sheet in SHEETS}
    for path in sorted(folder.glob("*.csv")):
        sheet = known.get(path.name.lower())
        if sheet is None:
            errors.append(f"{path}: not a sheet of the template; expected one of {', '.join(s.name + '.csv' for s in SHEETS)}")
            continue
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                table = list(csv.reader(handle))
            if table:
                rows += _rows(sheet, [h.strip() for h in table[0]], [[c if c != "" else None for c in r] for r in table[1:]], path)
        except (UnicodeDecodeError, csv.Error) as error:
            errors.append(f"{path}: cannot read as UTF-8 CSV: {error}")
        except WorkbookError as error:
            errors.append(str(error))
    if errors:
        raise WorkbookError("\n".join(errors))
    return rows


def _rows(sheet: Sheet, header: list[str], body: Iterable, source: Path) -> list[Row]:
    expected = [c.name for c in sheet.columns]
    unknown = [h for h in header if h and h not in expected]
    if unknown:
        moved = "".join(f" ('{h}': {_MOVED[sheet.name, h]})" for h in unknown if (sheet.name, h) in _MOVED)
        raise WorkbookError(f"{source}: sheet {sheet.name} has columns {unknown} the template does not{moved}; expected {expected}")
    rows = []
    for number, values in enumerate(body, start=2):
        cells = {h: v for h, v in zip(header, values) if h and v is not None and str(v).strip() != ""}
        if cells and not str(cells.get("id", "")).startswith(EXAMPLE):
            for column, value in cells.items():
                bad = XML_FORBIDDEN.search(str(value))
                if bad:
                    raise WorkbookError(f"{source}: sheet {sheet.name}, row {number}, column '{column}': character "
                                        f"U+{ord(bad.group()):04X} is not allowed; expected text without control "
                                        "characters or Unicode non-characters")
            rows.append(Row(sheet.name, number, cells))
    return rows
