"""Spreadsheets in and out: the template, import that reports every problem, export in the template's shape.

One table, SHEETS, says what each sheet and column holds; the template, the
importer, the exporter and the CSV reader all follow it.
"""

import csv
import datetime
import hashlib
import re
from decimal import Decimal, InvalidOperation
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, PROV, QB, SKOS

from graph import files
from graph.gaps import find_gaps
from graph.engine.store import new_graph, read_files
from graph.vocab import ENGINE_BASE, SCHEMA, SDMX_DIMENSION, SDMX_MEASURE, SG, SPARQL_PREFIXES

ID_BASE = "https://w3id.org/strategy-graph/id/"
CONCEPT_BASE = "https://w3id.org/strategy-graph/def/"
ONS_AREA = "http://statistics.data.gov.uk/id/statistical-geography/"
FINGERTIPS_DATASET = URIRef("https://w3id.org/strategy-graph/id/fingertips/dataset")
EXAMPLE = "EXAMPLE"  # rows whose id starts with this are examples, skipped on import
SEPARATOR = ";"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Column:
    """A column: its header, the note on it, and what its cells take."""

    name: str
    note: str
    required: bool = False
    kind: str = "text"  # text, id, ref, refs, number, date, period, choice, iri, source, area
    choices: str = ""  # a code list of concepts.ttl, or one of LOCAL_CHOICES
    refers_to: tuple[str, ...] = ()  # sheets whose ids a ref may name


@dataclass(frozen=True)
class Sheet:
    """A sheet: one kind of thing, one row each."""

    name: str
    about: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)


def _iri_column() -> Column:
    return Column("iri", "Leave empty for a new row: the IRI is made from the id. Export fills it for things already in the graph.", kind="iri")


SHEETS: tuple[Sheet, ...] = (
    Sheet("Strategy", "One row: the strategy this workbook describes.", (
        Column("id", "Short identifier of the strategy, such as luton-pws. New IRIs are made under https://w3id.org/strategy-graph/id/<id>/.", True, "id"),
        Column("title", "The strategy's title, as published.", True),
        Column("start", "First year (2023) or first day (2023-04-01) of the strategy's period.", True, "date"),
        Column("end", "Last year (2028) or last day of the strategy's period.", True, "date"),
        Column("vision", "The vision the strategy serves, as published."),
        Column("priority", "The strategic priority the target outcomes are set for, as published."),
        Column("led by", "id of the board or organisation that leads the strategy (Organisations sheet).", kind="ref", refers_to=("Organisations",)),
        Column("area", "ONS code of the area the strategy covers, such as E06000032; the default area of baselines and observations.", kind="area"),
        Column("life course from", "The first life stage the strategy serves.", kind="choice", choices="life-stage"),
        Column("life course to", "The last life stage the strategy serves.", kind="choice", choices="life-stage"),
        _iri_column(),
    )),
    Sheet("Outcomes", "The target outcomes of the strategy's priority.", (
        Column("id", "Short identifier, unique in the workbook, such as healthy-life-expectancy.", True, "id"),
        Column("outcome", "The outcome, worded as published.", True),
        Column("owner", "id of the organisation accountable for the outcome.", kind="ref", refers_to=("Organisations",)),
        Column("theme", "A theme the outcome is about.", kind="choice", choices="theme"),
        Column("position", "Its place in the published list (1, 2, …).", kind="number"),
        _iri_column(),
    )),
    Sheet("Workstreams", "The strategy's work streams.", (
        Column("id", "Short identifier, unique in the workbook.", True, "id"),
        Column("work stream", "The work stream, worded as published.", True),
        Column("owner", "id of the organisation accountable for the work stream.", kind="ref", refers_to=("Organisations",)),
        Column("serves life stage", "The life stage the work stream serves.", kind="choice", choices="life-stage"),
        Column("position", "Its place in the published list (1, 2, …).", kind="number"),
        _iri_column(),
    )),
    Sheet("Interventions", "Programmes, services and projects that deliver the work.", (
        Column("id", "Short identifier, unique in the workbook.", True, "id"),
        Column("intervention", "The intervention's name.", True),
        Column("owner", "id of the organisation accountable for it.", kind="ref", refers_to=("Organisations",)),
        Column("partner", "id of an organisation that develops or delivers it with the owner.", kind="ref", refers_to=("Organisations",)),
        Column("delivery status", "Where it stands.", kind="choice", choices="delivery-status"),
        _iri_column(),
    )),
    Sheet("Contributions", "Causal links: which work leads to which result, and why.", (
        Column("id", "Short identifier, unique in the workbook.", True, "id"),
        Column("from", "id of the work stream or intervention that contributes.", True, "ref", refers_to=("Workstreams", "Interventions")),
        Column("to", "id of the outcome or work stream it contributes to.", True, "ref", refers_to=("Outcomes", "Workstreams")),
        Column("rationale", "One or two sentences on why the work should bring about the result."),
        Column("assumptions", "What must hold for the link to work; several on separate lines of the cell."),
        Column("evidence", "Studies or data that support the link; several on separate lines of the cell."),
        Column("strength", "How strongly the grounds support the link.", kind="choice", choices="contribution-strength"),
        _iri_column(),
    )),
    Sheet("Funding", "Money for interventions.", (
        Column("id", "Short identifier, unique in the workbook.", True, "id"),
        Column("intervention", "id of the intervention funded.", True, "ref", refers_to=("Interventions",)),
        Column("funder", "id of the organisation that funds it.", kind="ref", refers_to=("Organisations",)),
        Column("amount", "The amount, a number without the currency sign (1500000).", kind="number"),
        Column("currency", "ISO 4217 code, such as GBP."),
        Column("start", "First year or day the funding covers.", kind="date"),
        Column("end", "Last year or day the funding covers.", kind="date"),
        Column("status", "Whether the money is proposed, committed, spent or withdrawn.", kind="choice", choices="funding-status"),
        _iri_column(),
    )),
    Sheet("Organisations", "Organisations, boards, and who sits on which board in what role.", (
        Column("id", "Short identifier, unique in the workbook.", True, "id"),
        Column("name", "The organisation's name.", True),
        Column("kind", "board for a governing or partnership board, else organisation.", kind="choice", choices="organisation-kind"),
        Column("sector", "The organisation's sector.", kind="choice", choices="sector"),
        Column("member of", "id of a board the organisation sits on.", kind="ref", refers_to=("Organisations",)),
        Column("role", "Its role on that board, such as chair."),
        _iri_column(),
    )),
    Sheet("Indicators", "Measures of progress.", (
        Column("id", "Short identifier, unique in the workbook.", True, "id"),
        Column("indicator", "The indicator's name, as its publisher gives it.", True),
        Column("measures", f"ids of the outcomes or work streams it shows progress on; several separated by '{SEPARATOR}'.", kind="refs", refers_to=("Outcomes", "Workstreams")),
        Column("unit", "The unit of its values, such as % or per 100,000."),
        Column("polarity", "Whether higher or lower is better.", kind="choice", choices="polarity"),
        Column("polarity basis", "Whether the polarity is published by the source or judged from the definition.", kind="choice", choices="polarity-basis"),
        Column("source", "Where its values come from: a name, or the address of the catalogue.", kind="source"),
        Column("fingertips id", "Its OHID Fingertips indicator ID, if verified (digits).", kind="fingertips"),
        Column("split by", "A breakdown it is published by, for inequality.", kind="choice", choices="breakdown"),
        _iri_column(),
    )),
    Sheet("Targets", "Baselines and targets of indicators.", (
        Column("id", "Short identifier, unique in the workbook.", True, "id"),
        Column("indicator", "id of the indicator.", True, "ref", refers_to=("Indicators",)),
        Column("kind", "baseline (the starting value) or target (the value to reach).", True, "choice", choices="target-kind"),
        Column("value", "The value, in the indicator's unit.", True, "number"),
        Column("date", "For a target, the year or day by which to reach it; for a baseline, the period it is for (2022/23).", True, "period"),
        Column("area", "ONS code of the area, for a baseline; default: the strategy's area.", kind="area"),
        _iri_column(),
    )),
    Sheet("Observations", "Values of indicators for a period and an area.", (
        Column("id", "Short identifier, unique in the workbook.", True, "id"),
        Column("indicator", "id of the indicator.", True, "ref", refers_to=("Indicators",)),
        Column("period", "The period the value is for, as published (2022/23, 2021).", True, "period"),
        Column("period end", "The last day of the period, if known.", kind="date"),
        Column("value", "The value, in the indicator's unit.", True, "number"),
        Column("lower ci", "Lower 95% confidence limit.", kind="number"),
        Column("upper ci", "Upper 95% confidence limit.", kind="number"),
        Column("count", "The count behind the value.", kind="number"),
        Column("area", "ONS code of the area; default: the strategy's area.", kind="area"),
        _iri_column(),
    )),
)
BY_SHEET = {sheet.name: sheet for sheet in SHEETS}
# Code lists that are not concepts of the ontology: the label is the value.
LOCAL_CHOICES = {"organisation-kind": ("organisation", "board"), "target-kind": ("baseline", "target")}
# The kind of thing each sheet's rows are, in new IRIs and in types.
_SEGMENT = {"Outcomes": "outcome", "Workstreams": "workstream", "Interventions": "intervention",
            "Contributions": "contribution", "Funding": "funding", "Organisations": "organisation",
            "Indicators": "indicator", "Targets": "target", "Observations": "observation"}
_TYPE = {"Strategy": SG.Strategy, "Outcomes": SG.Outcome, "Workstreams": SG.Workstream,
         "Interventions": SG.Intervention, "Contributions": SG.Contribution, "Funding": SG.FundingCommitment,
         "Organisations": ORG.Organization, "Indicators": SG.Indicator, "Observations": SG.Observation}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row), and what was expected."""

    sheet: str
    row: int
    column: str
    problem: str
    expected: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.problem}; expected {self.expected}"


class WorkbookError(Exception):
    """The file or folder cannot be read as a workbook at all."""


class UnsavedFormula(str):
    """A formula cell whose value was never calculated and saved (so reading it would give nothing)."""


@dataclass
class Row:
    """One data row: where it is, and its cells by column name."""

    sheet: str
    number: int
    cells: dict[str, object] = field(default_factory=dict)

    def text(self, column: str) -> str:
        value = self.cells.get(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime):
            value = value.date()
        return str(value).strip()


# ---------------------------------------------------------------- code lists

def choice_lists() -> dict[str, dict[str, URIRef | str]]:
    """Every code list a column may use: label (lower case) to concept, in code-list order."""
    vocabulary = read_files(files.ontology_files())
    lists: dict[str, dict] = {name: {v: v for v in values} for name, values in LOCAL_CHOICES.items()}
    query = SPARQL_PREFIXES + """
        SELECT ?scheme ?concept ?label ?notation WHERE {
          ?concept skos:inScheme ?scheme ; skos:prefLabel ?label . OPTIONAL { ?concept skos:notation ?notation }
        } ORDER BY ?scheme ?notation ?label"""
    for row in vocabulary.query(query):
        name = str(row.scheme).removeprefix(CONCEPT_BASE).rstrip("/")
        lists.setdefault(name, {})[str(row.label).lower()] = row.concept
    return lists


# ---------------------------------------------------------------- template

def write_template(path: Path | BinaryIO, rows: dict[str, list[dict]] | None = None) -> None:
    """Write the workbook: headers with notes, drop-downs, an example row, and ``rows`` if given."""
    lists = choice_lists()
    book = Workbook()
    book.remove(book.active)
    hidden = book.create_sheet("Lists")
    list_ranges = {}
    for col, (name, values) in enumerate(sorted(lists.items()), start=1):
        hidden.cell(1, col, name)
        for r, label in enumerate(values, start=2):
            hidden.cell(r, col, label)
        letter = hidden.cell(1, col).column_letter
        list_ranges[name] = f"Lists!${letter}$2:${letter}${len(values) + 1}"
    hidden.sheet_state = "hidden"
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name, index=len(book.sheetnames) - 1)
        for col, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(1, col, column.name)
            cell.font = Font(bold=True)
            note = column.note + (" Required." if column.required else "")
            cell.comment = Comment(note, "strategy-graph", width=300, height=120)
            ws.column_dimensions[cell.column_letter].width = max(14, len(column.name) + 4)
            if column.kind == "choice":
                validation = DataValidation(type="list", formula1=list_ranges[column.choices], allow_blank=True)
                validation.error = f"Choose one of the values of the list ({column.choices})."
                ws.add_data_validation(validation)
                validation.add(f"{cell.column_letter}2:{cell.column_letter}1000")
        example = _example_row(sheet)
        for col, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(2, col, example.get(column.name))
            cell.font = Font(italic=True, color="808080")
            cell.fill = PatternFill("solid", fgColor="EEEEEE")
        for r, values in enumerate((rows or {}).get(sheet.name, []), start=3):
            for col, column in enumerate(sheet.columns, start=1):
                ws.cell(r, col, values.get(column.name))
        ws.freeze_panes = "A3"
    book.save(path)


def _example_row(sheet: Sheet) -> dict[str, str]:
    """The greyed example row: an id marking it as an example, and a hint in each cell."""
    row = {column.name: f"({column.note.split('.')[0].lower()})" for column in sheet.columns}
    row["id"] = f"{EXAMPLE}-{_SEGMENT.get(sheet.name, 'strategy')}"
    return row


# ---------------------------------------------------------------- reading

def read_workbook(source: Path) -> list[Row]:
    """The data rows of an .xlsx file or a folder of <Sheet>.csv files, examples left out.

    Raises WorkbookError, naming every unknown sheet, file or column at once.
    """
    if source.is_dir():
        return _read_csv_folder(source)
    if source.suffix.lower() != ".xlsx":
        raise WorkbookError(f"{source}: expected an .xlsx workbook or a folder of CSV files")
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
        values = [list(r) for r in book[sheet.name].iter_rows(values_only=True)]
        written = list(formulas[sheet.name].iter_rows(values_only=True))
        for r, (cached, raw) in enumerate(zip(values, written)):
            for c, (value, formula) in enumerate(zip(cached, raw)):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    values[r][c] = UnsavedFormula(formula)
        if values:
            try:
                rows += _rows(sheet, [str(h).strip() if h is not None else "" for h in values[0]], values[1:], source)
            except WorkbookError as error:
                errors.append(str(error))
    if errors:
        raise WorkbookError("\n".join(errors))
    return rows


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
        raise WorkbookError(f"{source}: sheet {sheet.name} has columns {unknown} the template does not; expected {expected}")
    rows = []
    for number, values in enumerate(body, start=2):
        cells = {h: v for h, v in zip(header, values) if h and v is not None and str(v).strip() != ""}
        if cells and not str(cells.get("id", "")).startswith(EXAMPLE):
            rows.append(Row(sheet.name, number, cells))
    return rows


# ---------------------------------------------------------------- rows to RDF

@dataclass
class _Build:
    """What converting one workbook needs to know, and what it has found wrong."""

    rows: list[Row]
    existing: "_Existing | Graph"
    lists: dict
    staged: Dataset = field(default_factory=new_graph)
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, tuple[Row, URIRef]] = field(default_factory=dict)
    base: str = ""
    strategy: URIRef | None = None
    graph: URIRef | None = None
    area: URIRef | None = None
    period: tuple[datetime.date, datetime.date] | None = None

    def problem(self, row: Row, column: str, problem: str, expected: str) -> None:
        self.problems.append(Problem(row.sheet, row.number, column, problem, expected))

    def add(self, s, p, o) -> None:
        # A value the graph already states elsewhere (say, a label quoted in the
        # strategy layer) is not stated again in another language or datatype.
        if o is None or (isinstance(o, Literal) and any(str(x) == str(o) for x in self.existing.objects(s, p))):
            return
        self.staged.add((s, p, o, self.graph))


class _Existing:
    """What the rows may refer to: every graph but the workbook's own, which they replace, and the
    engine's kept reports, which describe the data rather than belong to it.

    Read pattern by pattern, each once: a national store holds hundreds of
    thousands of statements, and a copy of them took most of an import.
    """

    def __init__(self, ds: Dataset, own: URIRef):
        self._ds, self._own, self._found = ds, own, {}

    def triples(self, pattern: tuple) -> list[tuple]:
        if pattern not in self._found:
            # By pattern, not SPARQL: a pattern can name a blank node of the store (a strategy's period, say).
            found = (q[:3] for q in self._ds.quads((*pattern, None))
                     if q[3] != self._own and not str(q[3]).startswith(ENGINE_BASE))
            self._found[pattern] = list(dict.fromkeys(found))
        return self._found[pattern]

    def __contains__(self, pattern: tuple) -> bool:
        return bool(self.triples(pattern))

    def objects(self, subject, predicate) -> list:
        return [o for _, _, o in self.triples((subject, predicate, None))]

    def value(self, subject=None, predicate=None, object=None):
        """One value of the pattern's one unbound position (subject or object), or None."""
        found = self.triples((subject, predicate, object))
        return (found[0][2] if object is None else found[0][0]) if found else None


def build_graph(rows: list[Row], existing: Dataset, source_name: str, now: datetime.datetime) -> tuple[Dataset, URIRef | None, list[Problem]]:
    """Turn workbook rows into RDF in the ontology; return it, its graph's IRI, and every problem found.

    References resolve to rows of the workbook first, then to things already in
    ``existing`` (the store the rows will join).
    """
    build = _Build(rows, Graph(), choice_lists())
    strategies = [r for r in rows if r.sheet == "Strategy"]
    if len(strategies) != 1:
        where = strategies[1] if strategies else Row("Strategy", 3)
        build.problem(where, "", f"{len(strategies)} strategy rows", "exactly one row describing the strategy")
        return build.staged, None, build.problems
    sid = strategies[0].text("id")
    if not _ID.fullmatch(sid):
        build.problem(strategies[0], "id", f"'{sid}' is not a usable identifier", "letters, digits, '-', '_' or '.'")
        return build.staged, None, build.problems
    build.base = f"{ID_BASE}{sid}/"
    build.graph = URIRef(build.base + "graph/spreadsheet")
    # What the rows join: everything but this workbook's own graph, which they replace.
    build.existing = _Existing(existing, build.graph)
    _collect_ids(build)
    order = [sheet.name for sheet in SHEETS]  # the Strategy row first: others use its area and period
    for row in sorted(rows, key=lambda r: order.index(r.sheet)):
        _CONVERT[row.sheet](build, row, build.ids.get(row.text("id"), (row, None))[1])
    _describe_graph(build, source_name, now, strategies[0].text("title"))
    _conflicts(build)
    return build.staged, build.graph, build.problems


# Facts with one value: a second, different value from the workbook contradicts the graph.
_SINGLE = {RDFS.label: "label", DCTERMS.title: "title", SG.strength: "strength", SG.polarity: "polarity",
           SG.polarityBasis: "polarity basis", SG.unit: "unit", SCHEMA.position: "position", SG.fundingStatus: "status",
           SG.rationale: "rationale", SG.targetValue: "value", SG.targetDate: "date", SDMX_MEASURE.obsValue: "value",
           SDMX_DIMENSION.refPeriod: "period", SG.owner: "owner", SG.deliveryStatus: "delivery status"}


def _conflicts(build: _Build) -> None:
    """Refuse a row that would give a fact a second value beside the one another layer states.

    The strategy as published (or another import) stays the one place that
    states it; the workbook cannot quietly contradict it.
    """
    for s, p, o, _ in build.staged.quads((None, None, None, build.graph)):
        if p not in _SINGLE:
            continue
        known = [x for x in build.existing.objects(s, p) if str(x) != str(o)]
        sheet, number = build.staged.value(s, SG.sourceSheet), build.staged.value(s, SG.sourceRow)
        if known and sheet is not None:
            build.problems.append(Problem(str(sheet), int(number), _SINGLE[p], f"'{o}' differs from '{known[0]}', which the graph already states",
                                          "the value the graph holds: change it in the layer that states it, or leave the cell as exported"))


def _collect_ids(build: _Build) -> None:
    for row in build.rows:
        ident = row.text("id")
        if not ident:
            build.problem(row, "id", "no id", "a short identifier, unique in the workbook")
            continue
        if not _ID.fullmatch(ident):
            build.problem(row, "id", f"'{ident}' is not a usable identifier", "letters, digits, '-', '_' or '.'")
            continue
        if ident in build.ids:
            first = build.ids[ident][0]
            build.problem(row, "id", f"duplicate id '{ident}', already used in {first.sheet} row {first.number}", "an id used once in the workbook")
            continue
        iri = row.text("iri")
        if iri and not re.fullmatch(r"[a-z][a-z0-9+.-]*:\S+", iri, re.I):
            build.problem(row, "iri", f"'{iri}' is not an absolute IRI", "an absolute IRI such as https://example.org/x, or nothing")
            continue
        minted = build.base + ("strategy" if row.sheet == "Strategy" else f"{_SEGMENT[row.sheet]}/{ident}")
        same = next((r for r, known in build.ids.values() if known == URIRef(iri or minted)), None)
        if same is not None:
            build.problem(row, "iri", f"the same IRI as {same.sheet} row {same.number}", "one row per thing: a copied row needs its iri cell emptied")
            continue
        build.ids[ident] = (row, URIRef(iri or minted))
        if row.sheet == "Strategy":
            build.strategy = build.ids[ident][1]


def _describe_graph(build: _Build, source_name: str, now: datetime.datetime, title: str) -> None:
    g = build.graph
    build.add(g, RDF.type, PROV.Entity)
    build.add(g, DCTERMS.identifier, Literal(f"{build.base.removeprefix(ID_BASE).rstrip('/')}-spreadsheet"))
    build.add(g, RDFS.label, Literal(f"Spreadsheet import: {title}"))
    build.add(g, DCTERMS.source, Literal(source_name))
    build.add(g, PROV.generatedAtTime, Literal(now.replace(microsecond=0).isoformat(), datatype=XSD.dateTime))


# Cell readers: each returns an RDF term, or None after recording a problem (or for an empty cell).

def _cell(build: _Build, row: Row, name: str):
    column = BY_SHEET[row.sheet].column(name)
    if isinstance(row.cells.get(name), UnsavedFormula):
        build.problem(row, name, f"a formula ({row.cells[name]}) with no saved value", "a value: open the file in a spreadsheet program and save it")
        return None
    text = row.text(name)
    if not text:
        if column.required:
            build.problem(row, name, "empty", "a value: this column is required")
        return None
    reader = _READERS.get(column.kind)
    return reader(build, row, column, text) if reader else Literal(text)


def decimal_literal(text: str) -> Literal | None:
    """An xsd:decimal for a number written as text (thousands commas allowed), or None if it is not one."""
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal) if value.is_finite() else None


def _number(build, row, column, text):
    value = decimal_literal(text)
    if value is None:
        build.problem(row, column.name, f"'{text}' is not a number", "a number such as 1500 or 12.5")
    return value


def _date(build, row, column, text):
    value = row.cells.get(column.name)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return Literal(value.date() if isinstance(value, datetime.datetime) else value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}", text):
        return Literal(text, datatype=XSD.gYear)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?", text):
            raise ValueError(text)
        return Literal(datetime.date.fromisoformat(text[:10]), datatype=XSD.date)
    except ValueError:
        build.problem(row, column.name, f"'{text}' is not a year or a date", "a year such as 2025 or a date such as 2025-03-31")
        return None


def _choice(build, row, column, text):
    values = build.lists[column.choices]
    if text.lower() not in values:
        build.problem(row, column.name, f"unknown value '{text}'", "one of: " + ", ".join(values))
        return None
    concept = values[text.lower()]
    return concept if isinstance(concept, URIRef) else Literal(concept)


def _ref(build, row, column, text):
    return _resolve(build, row, column, text)


def _refs(build, row, column, text):
    return [_resolve(build, row, column, part.strip()) for part in text.split(SEPARATOR) if part.strip()]


def _resolve(build: _Build, row: Row, column: Column, ident: str):
    if re.fullmatch(r"[a-z][a-z0-9+.-]*:\S+", ident, re.I) and "/" in ident:
        iri = URIRef(ident)
        if (iri, RDF.type, None) in build.existing or any(known == iri for _, known in build.ids.values()):
            return iri
        build.problem(row, column.name, f"refers to {ident}, which is in neither the workbook nor the graph",
                      "the id of a row of " + " or ".join(column.refers_to) + ", or the IRI of something in the graph")
        return None
    if ident in build.ids:
        target_row, iri = build.ids[ident]
        if target_row.sheet in column.refers_to:
            return iri
        build.problem(row, column.name, f"'{ident}' is a row of {target_row.sheet}", "the id of a row of " + " or ".join(column.refers_to))
        return None
    for sheet in column.refers_to:
        candidate = URIRef(build.base + f"{_SEGMENT[sheet]}/{ident}")
        if (candidate, RDF.type, None) in build.existing:
            return candidate
    build.problem(row, column.name, f"refers to '{ident}', which is in neither the workbook nor the graph",
                  "the id of a row of " + " or ".join(column.refers_to))
    return None


def _area(build, row, column, text):
    if re.fullmatch(r"[EWSNK]\d{8}", text):
        return URIRef(ONS_AREA + text)
    if re.fullmatch(r"https?://\S+", text):
        return URIRef(text)
    build.problem(row, column.name, f"'{text}' is not an area code", "an ONS area code such as E06000032")
    return None


def _source(build, row, column, text):
    if re.fullmatch(r"https?://\S+", text):
        return URIRef(text)
    source = URIRef(build.base + "source/" + _slug(text))
    build.add(source, RDF.type, DCAT.Catalog)
    build.add(source, RDFS.label, Literal(text))
    return source


def _fingertips(build, row, column, text):
    if not re.fullmatch(r"\d+", text):
        build.problem(row, column.name, f"'{text}' is not a Fingertips indicator ID", "digits, such as 90362")
        return None
    return Literal(text)


def _text(build, row, column, text):
    return Literal(text)


_READERS = {"number": _number, "date": _date, "choice": _choice, "ref": _ref, "refs": _refs,
            "area": _area, "source": _source, "fingertips": _fingertips, "text": _text, "period": _text,
            "id": _text, "iri": _text}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or hashlib.sha1(text.encode()).hexdigest()[:12]


def _hashed(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _common(build: _Build, row: Row, node: URIRef, label_column: str | None, typed: bool = True) -> None:
    if typed:
        build.add(node, RDF.type, _TYPE.get(row.sheet))
    if label_column:
        build.add(node, RDFS.label, _cell(build, row, label_column))
    build.add(node, SG.sourceSheet, Literal(row.sheet))
    build.add(node, SG.sourceRow, Literal(row.number))


# Sheet converters -----------------------------------------------------------------

def _strategy(build: _Build, row: Row, node: URIRef | None) -> None:
    if node is None:
        return
    _common(build, row, node, "title")
    build.add(node, DCTERMS.title, _cell(build, row, "title"))
    start, end = _cell(build, row, "start"), _cell(build, row, "end")
    if start is not None and end is not None and _first_day(start) > _last_day(end):
        build.problem(row, "end", f"the strategy ends ({end}) before it starts ({start})", "an end on or after the start")
    elif start is not None and end is not None:
        build.period = (_first_day(start), _last_day(end))
        known = build.existing.value(node, DCTERMS.temporal)
        if known is None:
            period = URIRef(str(node) + "/period")
            build.add(node, DCTERMS.temporal, period)
            build.add(period, RDF.type, DCTERMS.PeriodOfTime)
            build.add(period, DCAT.startDate, start)
            build.add(period, DCAT.endDate, end)
        elif (str(build.existing.value(known, DCAT.startDate)), str(build.existing.value(known, DCAT.endDate))) != (str(start), str(end)):
            # A second period would contradict the first: change it where it was stated.
            build.problem(row, "start", f"the graph already gives this strategy the period {build.existing.value(known, DCAT.startDate)} to {build.existing.value(known, DCAT.endDate)}",
                          "the same period, or a change made in the layer that states it")
    priority_text = row.text("priority")
    if priority_text:
        priority = URIRef(build.base + "priority")
        build.add(priority, RDF.type, SG.StrategicPriority)
        build.add(priority, RDFS.label, Literal(priority_text))
        build.add(node, SG.addressesPriority, priority)
        for outcome_row, outcome in build.ids.values():
            if outcome_row.sheet == "Outcomes":
                build.add(priority, SG.hasTargetOutcome, outcome)
        vision_text = row.text("vision")
        if vision_text:
            vision = build.existing.value(predicate=SG.includesPriority, object=priority) or URIRef(build.base + "vision")
            build.add(vision, RDF.type, SG.Vision)
            build.add(vision, RDFS.label, Literal(vision_text))
            build.add(vision, SG.includesPriority, priority)
    elif row.text("vision"):
        build.problem(row, "vision", "a vision with no priority", "the priority the vision includes, in the priority column")
    build.add(node, SG.ledBy, _cell(build, row, "led by"))
    build.area = _cell(build, row, "area")
    if build.area is not None:
        build.add(node, DCTERMS.spatial, build.area)
        build.add(build.area, RDF.type, DCTERMS.Location)
        build.add(build.area, SKOS.notation, Literal(row.text("area")))
    build.add(node, SG.lifeCourseStart, _cell(build, row, "life course from"))
    build.add(node, SG.lifeCourseEnd, _cell(build, row, "life course to"))


def _part(label_column: str, extra: dict) -> callable:
    def convert(build: _Build, row: Row, node: URIRef | None) -> None:
        if node is None:
            return
        _common(build, row, node, label_column)
        if build.strategy is not None and row.sheet in ("Outcomes", "Workstreams"):
            build.add(node, DCTERMS.isPartOf, build.strategy)
        for column, predicate in extra.items():
            value = _cell(build, row, column)
            if predicate == SCHEMA.position and value is not None:
                if value.toPython() != int(value.toPython()):
                    build.problem(row, column, f"{value} is not a whole number", "a position such as 1, 2 or 3")
                    continue
                value = Literal(int(value.toPython()))
            build.add(node, predicate, value)
    return convert


def _contribution(build: _Build, row: Row, node: URIRef | None) -> None:
    if node is None:
        return
    _common(build, row, node, None)
    source, target = _cell(build, row, "from"), _cell(build, row, "to")
    if source is not None:
        build.add(source, SG.qualifiedContribution, node)
    build.add(node, SG.contributionTo, target)
    build.add(node, SG.rationale, _cell(build, row, "rationale"))
    build.add(node, SG.strength, _cell(build, row, "strength"))
    for column, predicate, cls in (("assumptions", SG.assumption, SG.Assumption), ("evidence", SG.evidence, SG.Evidence)):
        known = {str(build.existing.value(x, RDFS.label)): x for x in build.existing.objects(node, predicate)}
        for text in (t.strip() for t in row.text(column).splitlines() if t.strip()):
            # The node the graph already has for this text, else one named by the
            # text, so the same assumption is the same node on every import.
            item = known.get(text) or URIRef(f"{node}/{column}/{_hashed(text)}")
            build.add(node, predicate, item)
            build.add(item, RDF.type, cls)
            build.add(item, RDFS.label, Literal(text))


def _funding(build: _Build, row: Row, node: URIRef | None) -> None:
    if node is None:
        return
    _common(build, row, node, None)
    build.add(node, SCHEMA.fundedItem, _cell(build, row, "intervention"))
    build.add(node, SCHEMA.funder, _cell(build, row, "funder"))
    amount, currency = _cell(build, row, "amount"), row.text("currency")
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        build.problem(row, "currency", f"'{currency}' is not a currency code", "a three-letter ISO 4217 code such as GBP")
    if amount is not None or currency:
        money = URIRef(f"{node}/amount")
        build.add(node, SCHEMA.amount, money)
        build.add(money, RDF.type, SCHEMA.MonetaryAmount)
        build.add(money, SCHEMA.value, amount)
        build.add(money, SCHEMA.currency, Literal(currency) if currency else None)
    start, end = _cell(build, row, "start"), _cell(build, row, "end")
    if build.period and ((end is not None and _last_day(end) < build.period[0]) or (start is not None and _first_day(start) > build.period[1])):
        build.problem(row, "start" if start is not None else "end", "the funding falls wholly outside the strategy's period",
                      f"a period that overlaps {build.period[0]} to {build.period[1]}")
    if start is not None or end is not None:
        period = URIRef(f"{node}/period")
        build.add(node, DCTERMS.temporal, period)
        build.add(period, RDF.type, DCTERMS.PeriodOfTime)
        build.add(period, DCAT.startDate, start)
        build.add(period, DCAT.endDate, end)
    build.add(node, SG.fundingStatus, _cell(build, row, "status"))


def _organisation(build: _Build, row: Row, node: URIRef | None) -> None:
    if node is None:
        return
    # An organisation the graph already types (as a formal organisation, say) keeps its type.
    known = set(build.existing.objects(node, RDF.type)) & {ORG.Organization, ORG.FormalOrganization, SG.Board}
    _common(build, row, node, "name", typed=not known)
    kind = _cell(build, row, "kind")
    if kind is not None and str(kind) == "board":
        build.add(node, RDF.type, SG.Board)
    build.add(node, ORG.classification, _cell(build, row, "sector"))
    board = _cell(build, row, "member of")
    board_row = build.ids.get(row.text("member of"), (None, None))[0]
    if board is not None and board_row is not None and board_row.text("kind").lower() != "board":
        build.problem(row, "member of", f"'{row.text('member of')}' is not a board", "the id of an Organisations row whose kind is board")
    elif board is not None:
        membership = URIRef(f"{node}/membership")
        build.add(membership, RDF.type, ORG.Membership)
        build.add(membership, ORG.member, node)
        build.add(membership, ORG.organization, board)
        role_text = row.text("role")
        if role_text:
            role = URIRef(build.base + "role/" + _slug(role_text))
            build.add(role, RDF.type, ORG.Role)
            build.add(role, RDFS.label, Literal(role_text))
            build.add(membership, ORG.role, role)
    elif row.text("role"):
        build.problem(row, "role", "a role but no board", "the id of the board in 'member of'")


def _indicator(build: _Build, row: Row, node: URIRef | None) -> None:
    if node is None:
        return
    _common(build, row, node, "indicator")
    for measured in _cell(build, row, "measures") or []:
        build.add(node, SG.measures, measured)
    build.add(node, SG.unit, _cell(build, row, "unit"))
    build.add(node, SG.polarity, _cell(build, row, "polarity"))
    build.add(node, SG.polarityBasis, _cell(build, row, "polarity basis"))
    build.add(node, SG.dataSource, _cell(build, row, "source"))
    build.add(node, SG.sourceIdentifier, _cell(build, row, "fingertips id"))
    build.add(node, SG.disaggregation, _cell(build, row, "split by"))


def _target(build: _Build, row: Row, node: URIRef | None) -> None:
    if node is None:
        return
    indicator, kind, value = _cell(build, row, "indicator"), _cell(build, row, "kind"), _cell(build, row, "value")
    if kind is None:
        return
    if str(kind) == "target":
        build.add(node, RDF.type, SG.Target)
        _common(build, row, node, None)
        if indicator is not None:
            build.add(indicator, SG.hasTarget, node)
        build.add(node, SG.targetValue, value)
        due = _date(build, row, BY_SHEET["Targets"].column("date"), row.text("date")) if row.text("date") else _cell(build, row, "date")
        build.add(node, SG.targetDate, due)
        if due is not None and build.period and not build.period[0] <= _last_day(due) <= build.period[1]:
            build.problem(row, "date", f"{due} is outside the strategy's period",
                          f"a date from {build.period[0]} to {build.period[1]}")
    else:
        _observation_of(build, row, node, indicator, value, "date")
        if indicator is not None:
            build.add(indicator, SG.hasBaseline, node)


def _observation(build: _Build, row: Row, node: URIRef | None) -> None:
    if node is None:
        return
    _observation_of(build, row, node, _cell(build, row, "indicator"), _cell(build, row, "value"), "period")
    end = _cell(build, row, "period end")
    if end is not None and end.datatype != XSD.date:
        build.problem(row, "period end", f"{end} is a year", "a day such as 2024-03-31")
    else:
        build.add(node, SG.periodEnd, end)
    build.add(node, SG.lowerConfidenceLimit, _cell(build, row, "lower ci"))
    build.add(node, SG.upperConfidenceLimit, _cell(build, row, "upper ci"))
    build.add(node, SG.numerator, _cell(build, row, "count"))


def _observation_of(build: _Build, row: Row, node: URIRef, indicator, value, period_column: str) -> None:
    build.add(node, RDF.type, SG.Observation)
    _common(build, row, node, None)
    # An observation already in the graph stays in its data set.
    dataset = build.existing.value(node, QB.dataSet) or URIRef(build.base + "dataset/spreadsheet")
    build.add(dataset, RDF.type, QB.DataSet)
    build.add(dataset, QB.structure, SG.indicatorStructure)
    build.add(node, QB.dataSet, dataset)
    build.add(node, SG.indicator, indicator)
    build.add(node, SDMX_DIMENSION.refPeriod, _cell(build, row, period_column))
    area = _cell(build, row, "area") or build.area
    if area is None and row.text("area") == "":
        build.problem(row, "area", "no area", "an ONS area code here, or in the Strategy sheet's area column")
    build.add(node, SDMX_DIMENSION.refArea, area)
    build.add(node, SG.populationGroup, URIRef(CONCEPT_BASE + "population-group/all"))
    build.add(node, SDMX_MEASURE.obsValue, value)


_CONVERT = {
    "Strategy": _strategy,
    "Outcomes": _part("outcome", {"owner": SG.owner, "theme": SG.theme, "position": SCHEMA.position}),
    "Workstreams": _part("work stream", {"owner": SG.owner, "serves life stage": SG.servesLifeStage, "position": SCHEMA.position}),
    "Interventions": _part("intervention", {"owner": SG.owner, "partner": SG.partner, "delivery status": SG.deliveryStatus}),
    "Contributions": _contribution,
    "Funding": _funding,
    "Organisations": _organisation,
    "Indicators": _indicator,
    "Targets": _target,
    "Observations": _observation,
}


def _first_day(term: Literal) -> datetime.date:
    return datetime.date(int(str(term)[:4]), 1, 1) if term.datatype == XSD.gYear else term.toPython()


def _last_day(term: Literal) -> datetime.date:
    return datetime.date(int(str(term)[:4]), 12, 31) if term.datatype == XSD.gYear else term.toPython()


def structural_problems(staged: Dataset, written: Dataset) -> list[Problem]:
    """Problems that the structural shapes found, once the staged rows were written, in the rows themselves.

    ``written`` is the graph after the write, with its reports: the rows were
    validated with everything they link to, as every write is.
    """
    problems = []
    for gap in find_gaps(written):
        if not (gap.rule.startswith("well-formed") or gap.rule == "missing-label"):
            continue
        focus = URIRef(gap.focus)
        sheet, number = staged.value(focus, SG.sourceSheet), staged.value(focus, SG.sourceRow)
        if sheet is not None:
            problems.append(Problem(str(sheet), int(number), "", gap.message, gap.fix))
    return sorted(problems, key=lambda p: (p.sheet, p.row, p.problem))


# ---------------------------------------------------------------- RDF to rows

_EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class ExportError(Exception):
    """The graph cannot be written in the template's shape (say, it holds several strategies)."""


def workbook_rows(ds: Dataset, strategy: URIRef | None = None) -> dict[str, list[dict]]:
    """One strategy of the graph as template rows, sheet by sheet, in the order they were entered."""
    g = ds.query(_EVERYTHING).graph  # one query; the rest is lookups in memory
    strategies = sorted(g.subjects(RDF.type, SG.Strategy))
    if strategy is None:
        if len(strategies) != 1:
            raise ExportError(f"the graph holds {len(strategies)} strategies; name one with --strategy: " + ", ".join(strategies))
        strategy = strategies[0]
    elif strategy not in strategies:
        raise ExportError(f"{strategy} is not a strategy of the graph")
    return _Export(g, strategy).rows()


class _Export:
    def __init__(self, g, strategy: URIRef):
        self.g, self.strategy = g, strategy
        self.ids: dict[URIRef, str] = {}
        sid = _last_segment(strategy.removesuffix("/strategy")) if strategy.endswith("/strategy") else _last_segment(strategy)
        self.base = f"{ID_BASE}{sid}/"
        self._name(strategy, sid)

    def _name(self, node: URIRef, wanted: str | None = None) -> str:
        if node not in self.ids:
            ident, n = wanted or _last_segment(node), 1
            while ident in self.ids.values():
                n += 1
                ident = f"{wanted or _last_segment(node)}-{n}"
            self.ids[node] = ident
        return self.ids[node]

    def _ref(self, node) -> str | None:
        return None if node is None else self.ids.get(node, str(node))

    def _label(self, node, predicate=RDFS.label) -> str | None:
        value = self.g.value(node, predicate) if node is not None else None
        return None if value is None else str(value)

    def _concept(self, node) -> str | None:
        return self._label(node, SKOS.prefLabel) if node is not None else None

    def _order(self, nodes) -> list:
        def key(node):
            row, position = self.g.value(node, SG.sourceRow), self.g.value(node, SCHEMA.position)
            return (int(row) if row is not None else 10**9, int(position) if position is not None else 10**9, str(self.g.value(node, RDFS.label) or node))
        return sorted(set(nodes), key=key)

    def rows(self) -> dict[str, list[dict]]:
        g, s = self.g, self.strategy
        outcomes = self._order(o for o in g.subjects(DCTERMS.isPartOf, s) if (o, RDF.type, SG.Outcome) in g)
        workstreams = self._order(w for w in g.subjects(DCTERMS.isPartOf, s) if (w, RDF.type, SG.Workstream) in g)
        parts = set(outcomes) | set(workstreams)
        interventions = self._order(
            i for i in g.subjects(RDF.type, SG.Intervention)
            if g.value(i, DCTERMS.isPartOf) in (None, s)
            # An intervention linked to nothing is this strategy's only if its IRI is: in a store of many
            # strategies, the others' unlinked work is theirs.
            and (g.value(i, DCTERMS.isPartOf) == s or self._reaches(i, parts)
                 or (not list(g.objects(i, SG.contributesTo)) and str(i).startswith(self.base)))
        )
        contributors = set(workstreams) | set(interventions)
        contributions = self._order(c for x in contributors for c in g.objects(x, SG.qualifiedContribution))
        funding = self._order(f for i in interventions for f in g.subjects(SCHEMA.fundedItem, i))
        mine = lambda cls: {n for n in g.subjects(RDF.type, cls) if str(n).startswith(self.base)}
        indicators = self._order({i for p in parts for i in g.subjects(SG.measures, p)} | mine(SG.Indicator))
        targets = self._order(t for i in indicators for t in g.objects(i, SG.hasTarget))
        baselines = self._order(b for i in indicators for b in g.objects(i, SG.hasBaseline))
        # Values that came from Fingertips stay with their import (`fingertips`), not the workbook.
        observations = self._order(o for i in indicators for o in g.subjects(SG.indicator, i)
                                   if o not in baselines and g.value(o, QB.dataSet) != FINGERTIPS_DATASET)
        organisations = self._order(set(self._organisations(outcomes + workstreams + interventions + funding))
                                    | mine(ORG.Organization) | mine(ORG.FormalOrganization) | mine(SG.Board))
        for node in outcomes + workstreams + interventions + contributions + funding + organisations + indicators + targets + baselines + observations:
            self._name(node)
        return {
            "Strategy": [self._strategy_row()],
            "Outcomes": [self._part_row(o, "outcome", {"theme": SG.theme}) for o in outcomes],
            "Workstreams": [self._part_row(w, "work stream", {"serves life stage": SG.servesLifeStage}) for w in workstreams],
            "Interventions": [self._intervention_row(i) for i in interventions],
            "Contributions": [self._contribution_row(c) for c in contributions],
            "Funding": [self._funding_row(f) for f in funding],
            "Organisations": [self._organisation_row(o) for o in organisations],
            "Indicators": [self._indicator_row(i) for i in indicators],
            "Targets": [self._target_row(t) if t in targets else self._baseline_row(t) for t in self._order(targets + baselines)],
            "Observations": [self._observation_row(o) for o in observations],
        }

    def _reaches(self, node, parts: set) -> bool:
        seen, todo = set(), [node]
        while todo:
            for nxt in self.g.objects(todo.pop(), SG.contributesTo):
                if nxt in parts:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    def _organisations(self, nodes) -> list:
        g = self.g
        found = {g.value(self.strategy, SG.ledBy)}
        for node in nodes:
            found |= {g.value(node, p) for p in (SG.owner, SG.partner, SCHEMA.funder)}
        found.discard(None)
        boards = {b for b in found if (b, RDF.type, SG.Board) in g}
        found |= {g.value(m, ORG.member) for b in boards for m in g.subjects(ORG.organization, b)}
        found.discard(None)
        for board in {g.value(m, ORG.organization) for o in found for m in g.subjects(ORG.member, o)} - {None}:
            found.add(board)
        return self._order(found)

    def _common(self, node, label_column: str | None) -> dict:
        row = {"id": self.ids[node], "iri": str(node)}
        if label_column:
            row[label_column] = self._label(node)
        return row

    def _strategy_row(self) -> dict:
        g, s = self.g, self.strategy
        row = self._common(s, None)
        row["title"] = self._label(s, DCTERMS.title) or self._label(s)
        period = g.value(s, DCTERMS.temporal)
        row["start"], row["end"] = self._label(period, DCAT.startDate), self._label(period, DCAT.endDate)
        priority = g.value(s, SG.addressesPriority)
        row["priority"] = self._label(priority)
        row["vision"] = self._label(next(g.subjects(SG.includesPriority, priority), None)) if priority is not None else None
        row["led by"] = self._ref(g.value(s, SG.ledBy))
        row["area"] = _area_code(g.value(s, DCTERMS.spatial))
        row["life course from"] = self._concept(g.value(s, SG.lifeCourseStart))
        row["life course to"] = self._concept(g.value(s, SG.lifeCourseEnd))
        return row

    def _part_row(self, node, label_column: str, concepts: dict) -> dict:
        row = self._common(node, label_column)
        row["owner"] = self._ref(self.g.value(node, SG.owner))
        for column, predicate in concepts.items():
            row[column] = self._concept(self.g.value(node, predicate))
        position = self.g.value(node, SCHEMA.position)
        row["position"] = int(position) if position is not None else None
        return row

    def _intervention_row(self, node) -> dict:
        row = self._common(node, "intervention")
        row["owner"] = self._ref(self.g.value(node, SG.owner))
        row["partner"] = self._ref(self.g.value(node, SG.partner))
        row["delivery status"] = self._concept(self.g.value(node, SG.deliveryStatus))
        return row

    def _contribution_row(self, node) -> dict:
        g = self.g
        row = self._common(node, None)
        row["from"] = self._ref(g.value(predicate=SG.qualifiedContribution, object=node))
        row["to"] = self._ref(g.value(node, SG.contributionTo))
        row["rationale"] = self._label(node, SG.rationale)
        for column, predicate in (("assumptions", SG.assumption), ("evidence", SG.evidence)):
            texts = sorted(str(g.value(x, RDFS.label)) for x in g.objects(node, predicate) if g.value(x, RDFS.label) is not None)
            row[column] = "\n".join(texts) or None
        row["strength"] = self._concept(g.value(node, SG.strength))
        return row

    def _funding_row(self, node) -> dict:
        g = self.g
        row = self._common(node, None)
        row["intervention"] = self._ref(g.value(node, SCHEMA.fundedItem))
        row["funder"] = self._ref(g.value(node, SCHEMA.funder))
        money, period = g.value(node, SCHEMA.amount), g.value(node, DCTERMS.temporal)
        row["amount"] = _number_cell(g.value(money, SCHEMA.value)) if money is not None else None
        row["currency"] = self._label(money, SCHEMA.currency)
        row["start"], row["end"] = self._label(period, DCAT.startDate), self._label(period, DCAT.endDate)
        row["status"] = self._concept(g.value(node, SG.fundingStatus))
        return row

    def _organisation_row(self, node) -> dict:
        g = self.g
        row = self._common(node, "name")
        row["kind"] = "board" if (node, RDF.type, SG.Board) in g else "organisation"
        row["sector"] = self._concept(g.value(node, ORG.classification))
        membership = next(iter(sorted(g.subjects(ORG.member, node))), None)
        if membership is not None:
            row["member of"] = self._ref(g.value(membership, ORG.organization))
            row["role"] = self._label(g.value(membership, ORG.role))
        return row

    def _indicator_row(self, node) -> dict:
        g = self.g
        row = self._common(node, "indicator")
        row["measures"] = f"{SEPARATOR} ".join(sorted(self._ref(m) for m in g.objects(node, SG.measures))) or None
        row["unit"] = self._label(node, SG.unit)
        row["polarity"] = self._concept(g.value(node, SG.polarity))
        row["polarity basis"] = self._concept(g.value(node, SG.polarityBasis))
        source = g.value(node, SG.dataSource)
        row["source"] = self._label(source) if source is not None and str(source).startswith(self.base) else self._ref(source)
        row["fingertips id"] = self._label(node, SG.sourceIdentifier)
        row["split by"] = self._concept(g.value(node, SG.disaggregation))
        return row

    def _target_row(self, node) -> dict:
        g = self.g
        row = self._common(node, None)
        row.update(indicator=self._ref(g.value(predicate=SG.hasTarget, object=node)), kind="target",
                   value=_number_cell(g.value(node, SG.targetValue)), date=self._label(node, SG.targetDate))
        return row

    def _baseline_row(self, node) -> dict:
        g = self.g
        row = self._common(node, None)
        row.update(indicator=self._ref(g.value(node, SG.indicator)), kind="baseline",
                   value=_number_cell(g.value(node, SDMX_MEASURE.obsValue)),
                   date=self._label(node, SDMX_DIMENSION.refPeriod), area=_area_code(g.value(node, SDMX_DIMENSION.refArea)))
        return row

    def _observation_row(self, node) -> dict:
        g = self.g
        row = self._common(node, None)
        row.update({
            "indicator": self._ref(g.value(node, SG.indicator)),
            "period": self._label(node, SDMX_DIMENSION.refPeriod),
            "period end": self._label(node, SG.periodEnd),
            "value": _number_cell(g.value(node, SDMX_MEASURE.obsValue)),
            "lower ci": _number_cell(g.value(node, SG.lowerConfidenceLimit)),
            "upper ci": _number_cell(g.value(node, SG.upperConfidenceLimit)),
            "count": _number_cell(g.value(node, SG.numerator)),
            "area": _area_code(g.value(node, SDMX_DIMENSION.refArea)),
        })
        return row


def _last_segment(iri: str) -> str:
    return re.split(r"[/#]", str(iri).rstrip("/"))[-1]


def _area_code(area) -> str | None:
    if area is None:
        return None
    return str(area).removeprefix(ONS_AREA)


def _number_cell(value) -> int | float | None:
    """A number as a spreadsheet cell: an int when it is whole, so that nothing is lost."""
    if value is None:
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)
