"""Workbook rows to RDF: every cell read by its column's kind, every problem reported with its sheet, row and column."""

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import FOAF, RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, PROV, QB, SKOS

from graph.engine import add_triples, is_iri, new_graph, select_rows
from graph.vocab import CONCEPT_BASE, ENGINE_BASE, ID_BASE, SCHEMA, SDMX_DIMENSION, SDMX_MEASURE, SG, WHOLE_POPULATION
from graph.workbook.change import EXPECTED as CHANGE_EXPECTED, read_change
from graph.workbook.schema import (
    BODY_KINDS,
    BROAD_MATCH,
    BY_SHEET,
    CLOSE_MATCH,
    CODE_LISTS,
    ONS_AREA,
    SEPARATOR,
    SHEETS,
    Column,
    Problem,
    Row,
    UnsavedFormula,
)
from graph.workbook.sheets import choice_lists

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ADDRESS = re.compile(r"https?://\S+")
# A thing may be stated by several documents: a second source is no contradiction.
_MANY_SOURCES = (DCTERMS.source, SG.quote)


@dataclass
class _Build:
    """What converting one workbook needs to know, and what it has found wrong."""

    rows: list[Row]
    existing: "_Existing | Graph"
    lists: dict
    staged: Dataset = field(default_factory=new_graph)
    triples: dict = field(default_factory=dict)  # what the rows state, each once, in order: written to ``staged`` at the end
    problems: list[Problem] = field(default_factory=list)
    ids: dict[str, tuple[Row, URIRef]] = field(default_factory=dict)
    by_iri: dict[URIRef, Row] = field(default_factory=dict)  # the row of each thing: a lookup, not a search, per row
    base: str = ""
    strategy: URIRef | None = None
    graph: URIRef | None = None
    area: URIRef | None = None
    period: tuple[datetime.date, datetime.date] | None = None
    arealess: list[Row] = field(default_factory=list)  # values that take the strategy's area, when it has none
    _sheets: dict = field(default_factory=dict)  # rows_of, once the ids are collected

    def problem(self, row: Row, column: str, problem: str, expected: str) -> None:
        self.problems.append(Problem(row.sheet, row.number, column, problem, expected))

    def add(self, s, p, o) -> None:
        # What another layer already states is not stated again: a value stated in two
        # named graphs is one value, and the union of the graphs would count it twice (an
        # exported observation of the indicators layer, re-imported, was drawn twice per graph
        # it was stated in). A literal counts as stated in any language or datatype (a label
        # quoted in the strategy layer); so does a source, which would otherwise claim the
        # workbook's own statements for the document.
        if o is None:
            return
        loose = isinstance(o, Literal) or p in _MANY_SOURCES
        if any(x == o or (loose and str(x) == str(o)) for x in self.existing.objects(s, p)):
            return
        self.triples[(s, p, o)] = None

    def rows_of(self, sheet: str) -> list[tuple[Row, URIRef]]:
        """The rows of a sheet that have a usable id, with their things."""
        if sheet not in self._sheets:
            self._sheets[sheet] = [(row, node) for row, node in self.ids.values() if row.sheet == sheet]
        return self._sheets[sheet]


class _Existing:
    """What the rows may refer to: every graph but the workbook's own, which they replace, and the
    engine's kept reports, which describe the data rather than belong to it.

    Read pattern by pattern, each once: a national store holds hundreds of
    thousands of statements, and a copy of them took most of an import.
    """

    def __init__(self, ds: Dataset, own: URIRef):
        self._ds, self._own = ds, own
        self._found: dict[tuple, list[tuple]] = {}
        self._about: dict = {}  # subject: what the graph states of it, read ahead by read_ahead

    def read_ahead(self, subjects) -> None:
        """Read what the graph states of each of ``subjects`` (IRIs) in a few queries, not pattern by pattern:
        a store on a server answers each over HTTP."""
        todo = sorted({s for s in subjects if isinstance(s, URIRef)} - self._about.keys())
        for start in range(0, len(todo), 1000):
            batch = todo[start:start + 1000]
            found: dict = {s: [] for s in batch}
            values = " ".join(s.n3() for s in batch)
            for s, p, o, g in select_rows(self._ds, f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"):
                if g != self._own and not str(g).startswith(ENGINE_BASE):
                    found[s].append((s, p, o))
            self._about.update(found)

    def triples(self, pattern: tuple) -> list[tuple]:
        if pattern not in self._found and pattern[0] in self._about:
            self._found[pattern] = list(dict.fromkeys(
                t for t in self._about[pattern[0]] if pattern[1] in (None, t[1]) and pattern[2] in (None, t[2])))
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
    build.existing.read_ahead(node for _, node in build.ids.values())
    _own_terms(build)
    order = [sheet.name for sheet in SHEETS]  # the Strategy row first: others use its area and period
    for row in sorted(rows, key=lambda r: order.index(r.sheet)):
        node = build.ids.get(row.text("id"), (row, None))[1]
        if node is not None:
            _row(build, row, node)
    _vision(build, strategies[0])
    _strategy_area(build, strategies[0])
    _describe_graph(build, source_name, now, strategies[0].text("title"))
    _conflicts(build)
    add_triples(build.staged, build.graph, build.triples)
    return build.staged, build.graph, build.problems


def _row(build: _Build, row: Row, node: URIRef) -> None:
    """One row: its type and where it was typed in, every column with a predicate, then its sheet's own columns."""
    sheet = BY_SHEET[row.sheet]
    if sheet.type is not None:
        build.add(node, RDF.type, sheet.type)
    build.add(node, SG.sourceSheet, Literal(row.sheet))
    build.add(node, SG.sourceRow, Literal(row.number))
    for column in sheet.columns:
        if column.predicate is None:
            continue
        for value in _values(build, row, column):
            build.add(*((value, column.predicate, node) if column.inverse else (node, column.predicate, value)))
    _OWN[row.sheet](build, row, node)


def _values(build: _Build, row: Row, column: Column) -> list:
    """The terms a cell holds (several when the column takes several), each read by the column's kind."""
    if isinstance(row.cells.get(column.name), UnsavedFormula):
        build.problem(row, column.name, f"a formula ({row.cells[column.name]}) with no saved value",
                      "a value: open the file in a spreadsheet program and save it")
        return []
    text = row.text(column.name)
    if not text:
        if column.required:
            build.problem(row, column.name, "empty", "a value: this column is required")
        return []
    parts = [p.strip() for p in text.split(SEPARATOR)] if column.many else [text]
    values = [_READERS[column.kind](build, row, column, part) for part in parts if part]
    return [v for v in values if v is not None]


def _cell(build: _Build, row: Row, name: str):
    """The one term of a cell, or None (empty, or wrong: then a problem is recorded)."""
    values = _values(build, row, BY_SHEET[row.sheet].column(name))
    return values[0] if values else None


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
        if iri and not is_iri(iri):
            build.problem(row, "iri", f"'{iri}' is not an absolute IRI", "an absolute IRI such as https://example.org/x, or nothing")
            continue
        node = URIRef(iri or build.base + ("strategy" if row.sheet == "Strategy" else f"{BY_SHEET[row.sheet].segment}/{ident}"))
        same = build.by_iri.get(node)
        if same is not None:
            build.problem(row, "iri", f"the same IRI as {same.sheet} row {same.number}", "one row per thing: a copied row needs its iri cell emptied")
            continue
        build.ids[ident] = (row, node)
        build.by_iri[node] = row
        if row.sheet == "Strategy":
            build.strategy = build.ids[ident][1]


def _own_terms(build: _Build) -> None:
    """Every choice column takes the strategy's own terms (Codes sheet) by id, beside the packaged ones."""
    for row, node in build.rows_of("Codes"):
        name, ident = row.text("list").lower(), row.text("id").lower()
        if name not in CODE_LISTS:
            continue  # the list cell's own problem, reported when the row is read
        if ident in build.lists[name]:
            build.problem(row, "id", f"'{row.text('id')}' is already a term of the list {name}",
                          "another id; to say the terms mean the same, name the packaged term in 'matches'")
            continue
        build.lists[name][ident] = node


def _describe_graph(build: _Build, source_name: str, now: datetime.datetime, title: str) -> None:
    g = build.graph
    build.add(g, RDF.type, PROV.Entity)
    build.add(g, DCTERMS.identifier, Literal(f"{build.base.removeprefix(ID_BASE).rstrip('/')}-spreadsheet"))
    build.add(g, RDFS.label, Literal(f"Spreadsheet import: {title}"))
    build.add(g, DCTERMS.source, Literal(source_name))
    build.add(g, PROV.generatedAtTime, Literal(now.replace(microsecond=0).isoformat(), datatype=XSD.dateTime))


def _conflicts(build: _Build) -> None:
    """Refuse a row that would give a fact of one value a second value beside the one another layer states.

    The strategy as published (or another import) stays the one place that
    states it; the workbook cannot quietly contradict it.
    """
    for s, p, o in build.triples:
        row = build.by_iri.get(s)
        column = _ONE_VALUE[row.sheet].get(p) if row is not None else None
        if row is None or column is None:
            continue
        known = [x for x in build.existing.objects(s, p) if str(x) != str(o)]
        if known:
            build.problems.append(Problem(row.sheet, row.number, column.name, f"'{o}' differs from '{known[0]}', which the graph already states",
                                          "the value the graph holds: change it in the layer that states it, or leave the cell as exported"))


# Each sheet's facts of one value, by predicate, with the column that states them (from SHEETS).
# A thing may be stated by several documents: a second source is no contradiction.
_ONE_VALUE = {sheet.name: {p: c for c in reversed(sheet.columns) if not c.many and not c.inverse for p in c.stated if p not in _MANY_SOURCES}
              for sheet in SHEETS}


# Cell readers: each returns an RDF term, or None after recording a problem.

def decimal_literal(text: str) -> Literal | None:
    """An xsd:decimal for a number written as text (thousands commas allowed), or None if it is not one."""
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return _decimal(value) if value.is_finite() else None


def _decimal(value: Decimal) -> Literal:
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal)


def _number(build, row, column, text):
    value = decimal_literal(text)
    if value is None:
        build.problem(row, column.name, f"'{text}' is not a number", "a number such as 1500 or 12.5")
    return value


def _whole(build, row, column, text):
    value = decimal_literal(text)
    if value is None or value.toPython() != int(value.toPython()):
        build.problem(row, column.name, f"{text} is not a whole number", "a position such as 1, 2 or 3")
        return None
    return Literal(int(value.toPython()))


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


def _day(build, row, column, text):
    value = _date(build, row, column, text)
    if value is not None and value.datatype == XSD.gYear:
        build.problem(row, column.name, f"{text} is a year", "a day such as 2024-03-31")
        return None
    return value


def _choice(build, row, column, text):
    values = build.lists[column.choices]
    if text.lower() not in values:
        build.problem(row, column.name, f"unknown value '{text}'", "one of: " + ", ".join(values))
        return None
    concept = values[text.lower()]
    return concept if isinstance(concept, URIRef) else Literal(concept)


def _group(build, row, column, text):
    """A population group: a concept of the code list, else the strategy's own concept of that name."""
    known = build.lists["population-group"].get(text.lower())
    if known is not None:
        return known
    concept = URIRef(build.base + "population-group/" + _slug(text))
    build.add(concept, RDF.type, SKOS.Concept)
    build.add(concept, SKOS.prefLabel, Literal(text))
    build.add(concept, SKOS.inScheme, URIRef(build.base + "population-group/"))
    return concept


def _ref(build: _Build, row: Row, column: Column, ident: str):
    if "/" in ident and is_iri(ident):
        iri = URIRef(ident)
        if iri in build.by_iri or (iri, RDF.type, None) in build.existing:
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
        candidate = URIRef(build.base + f"{BY_SHEET[sheet].segment}/{ident}")
        if (candidate, RDF.type, None) in build.existing:
            return candidate
    build.problem(row, column.name, f"refers to '{ident}', which is in neither the workbook nor the graph",
                  "the id of a row of " + " or ".join(column.refers_to))
    return None


def area_iri(text: str) -> URIRef | None:
    """The area an ONS code (E06000032) or an address names; None if the text is neither."""
    if re.fullmatch(r"[EWSNK]\d{8}", text):
        return URIRef(ONS_AREA + text)
    return URIRef(text) if _ADDRESS.fullmatch(text) else None


def _area(build, row, column, text):
    area = area_iri(text)
    if area is None:
        build.problem(row, column.name, f"'{text}' is not an area code", "an ONS area code such as E06000032")
    return area


def _address(build, row, column, text):
    if _ADDRESS.fullmatch(text):
        return URIRef(text)
    hint = "; the indicator's data source goes in 'data source'" if row.sheet == "Indicators" else ""
    build.problem(row, column.name, f"'{text}' is not a web address", f"the http or https address of the document that states the row{hint}")
    return None


def _fingertips(build, row, column, text):
    if not re.fullmatch(r"\d+", text):
        build.problem(row, column.name, f"'{text}' is not a Fingertips indicator ID", "digits, such as 90362")
        return None
    return Literal(text)


def _text(build, row, column, text):
    return Literal(text)


_SIGNS = {"£": "GBP", "$": "USD", "€": "EUR"}
_SCALES = {"": 1, "k": 10**3, "thousand": 10**3, "m": 10**6, "million": 10**6, "bn": 10**9, "billion": 10**9}
_MONEY = re.compile(r"(?P<before>[A-Z]{3}|[£$€])?\s*(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*"
                    r"(?P<scale>k|thousand|m|million|bn|billion)?\s*(?P<after>[A-Z]{3})?", re.I)


def read_amount(text: str) -> tuple[Decimal, str | None] | str:
    """An amount as a spreadsheet user types it (1500000, £1,500,000, GBP 1.5m): its exact value and currency, or why it is not one."""
    match = _MONEY.fullmatch(text.strip())
    if match is None:
        return "not an amount"
    before, after = match["before"], match["after"]
    if before and after:
        return "names its currency twice"
    code = _SIGNS.get(before or "", (before or after or "").upper() or None)
    value = Decimal(match["number"].replace(",", "")) * _SCALES[(match["scale"] or "").lower()]
    return value, code


def _money(build, row, column, text):
    read = read_amount(text)
    if isinstance(read, str):
        build.problem(row, column.name, f"'{text}' is {read}",
                      "a number, with a currency sign or code and k, m or bn if you like: 1500000, £1,500,000, GBP 1.5m")
        return None
    return read


_READERS: dict[str, Callable] = {
    "number": _number, "whole": _whole, "date": _date, "day": _day, "choice": _choice, "group": _group, "ref": _ref, "area": _area,
    "address": _address, "fingertips": _fingertips, "money": _money, "text": _text, "lines": _text, "period": _text,
    "id": _text, "iri": _text,
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or _hashed(text)


def _hashed(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


# Each sheet's own columns: what a predicate alone cannot say ------------------------------------

def _strategy(build: _Build, row: Row, node: URIRef) -> None:
    build.add(node, RDFS.label, Literal(row.text("title")) if row.text("title") else None)
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
            build.problem(row, "start", "the graph already gives this strategy the period "
                          f"{build.existing.value(known, DCAT.startDate)} to {build.existing.value(known, DCAT.endDate)}",
                          "the same period, or a change made in the layer that states it")
    build.area = area_iri(row.text("area"))
    if build.area is not None:
        build.add(build.area, RDF.type, DCTERMS.Location)
        build.add(build.area, SKOS.notation, Literal(row.text("area")))


def _vision(build: _Build, row: Row) -> None:
    """The vision the strategy serves: it includes every priority of the workbook."""
    text = row.text("vision")
    priorities = [node for _, node in build.rows_of("Priorities")]
    if not text:
        return
    if not priorities:
        build.problem(row, "vision", "a vision with no priority", "the priorities the vision includes, in the Priorities sheet")
        return
    known = [build.existing.value(predicate=SG.includesPriority, object=p) for p in priorities]
    vision = next((v for v in known if v is not None), None) or URIRef(build.base + "vision")
    build.add(vision, RDF.type, SG.Vision)
    build.add(vision, RDFS.label, Literal(text))
    for priority in priorities:
        build.add(vision, SG.includesPriority, priority)


def _priority(build: _Build, row: Row, node: URIRef) -> None:
    build.add(build.strategy, SG.addressesPriority, node)
    # A priority published under another (dcterms:isPartOf, from 'part of'): never, by any chain, under itself.
    seen, ident = {row.text("id")}, row.text("part of")
    while ident in build.ids and build.ids[ident][0].sheet == "Priorities":
        if ident in seen:
            build.problem(row, "part of", f"'{row.text('part of')}' is, or is part of, this priority", "the id of another priority, not one under this one")
            return
        seen.add(ident)
        ident = build.ids[ident][0].text("part of")


def _outcome(build: _Build, row: Row, node: URIRef) -> None:
    build.add(node, DCTERMS.isPartOf, build.strategy)
    priorities = build.rows_of("Priorities")
    if not row.text("priority") and len(priorities) == 1:
        build.add(priorities[0][1], SG.hasTargetOutcome, node)
    for text in dict.fromkeys(t.strip() for t in row.text("also worded").splitlines() if t.strip()):
        build.add(node, SKOS.altLabel, Literal(text))


def _workstream(build: _Build, row: Row, node: URIRef) -> None:
    build.add(node, DCTERMS.isPartOf, build.strategy)
    _work_period(build, row, node)


def _intervention(build: _Build, row: Row, node: URIRef) -> None:
    if str(_cell(build, row, "part of strategy") or "yes") == "yes":
        build.add(node, DCTERMS.isPartOf, build.strategy)
    _work_period(build, row, node)


def _contribution(build: _Build, row: Row, node: URIRef) -> None:
    for column, predicate, cls in (("assumptions", SG.assumption, SG.Assumption), ("evidence", SG.evidence, SG.Evidence)):
        known = {str(build.existing.value(x, RDFS.label)): x for x in build.existing.objects(node, predicate)}
        for text in (t.strip() for t in row.text(column).splitlines() if t.strip()):
            # The node the graph already has for this text, else one named by the
            # text, so the same assumption is the same node on every import.
            item = known.get(text) or URIRef(f"{node}/{column}/{_hashed(text)}")
            build.add(node, predicate, item)
            build.add(item, RDF.type, cls)
            build.add(item, RDFS.label, Literal(text))


def _funding(build: _Build, row: Row, node: URIRef) -> None:
    amount, currency = _cell(build, row, "amount"), row.text("currency")
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        build.problem(row, "currency", f"'{currency}' is not a currency code", "a three-letter ISO 4217 code such as GBP")
        currency = ""
    value, named = amount if amount is not None else (None, None)
    if named and currency and named != currency:
        build.problem(row, "currency", f"{currency}, but the amount is in {named}", "one currency: the amount's, or none in the amount")
    currency = currency or named
    if value is not None or currency:
        money = URIRef(f"{node}/amount")
        build.add(node, SCHEMA.amount, money)
        build.add(money, RDF.type, SCHEMA.MonetaryAmount)
        build.add(money, SCHEMA.value, None if value is None else _decimal(value))
        build.add(money, SCHEMA.currency, Literal(currency) if currency else None)
    start, end = _cell(build, row, "start"), _cell(build, row, "end")
    if build.period and ((end is not None and _last_day(end) < build.period[0]) or (start is not None and _first_day(start) > build.period[1])):
        build.problem(row, "start" if start is not None else "end", "the funding falls wholly outside the strategy's period",
                      f"a period that overlaps {build.period[0]} to {build.period[1]}")
    _own_period(build, node, start, end)


def _own_period(build: _Build, node: URIRef, start, end) -> None:
    """A thing's own period (dcterms:temporal), as the strategy's: a funding's, a work stream's or an intervention's."""
    if start is not None or end is not None:
        period = URIRef(f"{node}/period")
        build.add(node, DCTERMS.temporal, period)
        build.add(period, RDF.type, DCTERMS.PeriodOfTime)
        build.add(period, DCAT.startDate, start)
        build.add(period, DCAT.endDate, end)


def _code(build: _Build, row: Row, node: URIRef) -> None:
    """A term of the strategy's own scheme for its list, mapped to the packaged term it matches (SKOS)."""
    name = _cell(build, row, "list")
    if name is None:
        return
    scheme = URIRef(f"{build.base}{name}/")
    build.add(node, SKOS.inScheme, scheme)
    build.add(scheme, RDF.type, SKOS.ConceptScheme)
    build.add(scheme, DCTERMS.type, URIRef(f"{CONCEPT_BASE}{name}/"))  # the packaged list it adds to
    build.add(scheme, DCTERMS.isPartOf, build.strategy)  # whose terms they are, in a store of many strategies
    text = row.text("matches")
    if not text:
        return
    predicate, label = SKOS.closeMatch, text
    for prefix, mapping in ((CLOSE_MATCH, SKOS.closeMatch), (BROAD_MATCH, SKOS.broadMatch)):
        if text.lower().startswith(prefix):
            predicate, label = mapping, text[len(prefix):].strip()
    packaged = {k: v for k, v in build.lists[str(name)].items() if str(v).startswith(CONCEPT_BASE)}
    if label.lower() not in packaged:
        build.problem(row, "matches", f"'{label}' is not a packaged term of the list {name}",
                      f"one of: {', '.join(packaged)}; '{BROAD_MATCH}' before it if the packaged term is broader")
        return
    build.add(node, predicate, packaged[label.lower()])


def _work_period(build: _Build, row: Row, node: URIRef) -> None:
    """A work stream's or intervention's start and end (its deadline), refused when it ends before it starts."""
    start, end = _cell(build, row, "start"), _cell(build, row, "end")
    if start is not None and end is not None and _first_day(start) > _last_day(end):
        build.problem(row, "end", f"it ends ({end}) before it starts ({start})", "an end on or after the start")
        return
    _own_period(build, node, start, end)


def _organisation(build: _Build, row: Row, node: URIRef) -> None:
    kind = str(_cell(build, row, "kind") or "organisation")
    # An organisation the graph already types (as a formal organisation, say) keeps its type.
    known = set(build.existing.objects(node, RDF.type)) & {ORG.Organization, ORG.FormalOrganization, SG.Board, FOAF.Person}
    if kind == "person":
        build.add(node, RDF.type, FOAF.Person)
    elif not known:
        build.add(node, RDF.type, ORG.Organization)
    if kind in BODY_KINDS:
        build.add(node, RDF.type, BODY_KINDS[kind])
    board = _cell(build, row, "member of")
    board_row = build.ids.get(row.text("member of"), (None, None))[0]
    role_text = row.text("role")
    if board is not None and board_row is not None and board_row.text("kind").lower() not in BODY_KINDS:
        build.problem(row, "member of", f"'{row.text('member of')}' is not a board or partnership",
                      "the id of an Organisations row whose kind is board or partnership")
        return
    if board is None:
        if role_text:
            build.problem(row, "role", "a role but no board", "the id of the board in 'member of'")
        return
    role = _role(build, role_text)
    if kind == "person":
        # A named person holds a post on the board (W3C ORG): the post is there whoever holds it.
        post = URIRef(f"{node}/post")
        build.add(post, RDF.type, ORG.Post)
        build.add(post, ORG.postIn, board)
        build.add(post, ORG.role, role)
        build.add(node, ORG.holds, post)
    else:
        membership = URIRef(f"{node}/membership")
        build.add(membership, RDF.type, ORG.Membership)
        build.add(membership, ORG.member, node)
        build.add(membership, ORG.organization, board)
        build.add(membership, ORG.role, role)


def _role(build: _Build, text: str) -> URIRef | None:
    """The org:Role a role's words name, one per wording in the strategy; None for no words."""
    if not text:
        return None
    role = URIRef(build.base + "role/" + _slug(text))
    build.add(role, RDF.type, ORG.Role)
    build.add(role, RDFS.label, Literal(text))
    return role


def _post(build: _Build, row: Row, node: URIRef) -> None:
    """A post a person holds in an organisation (W3C ORG): org:postIn is the column's; who holds it, both ways, and its role are stated here."""
    person_row = build.ids.get(row.text("person"), (None, None))[0]
    if person_row is not None and person_row.sheet == "Organisations" and person_row.text("kind").lower() != "person":
        build.problem(row, "person", f"'{row.text('person')}' is not a person", "the id of an Organisations row whose kind is person")
    in_row = build.ids.get(row.text("organisation"), (None, None))[0]
    if in_row is not None and in_row.sheet == "Organisations" and in_row.text("kind").lower() == "person":
        build.problem(row, "organisation", f"'{row.text('organisation')}' is a person, and a post is in an organisation",
                      "the id of an Organisations row that is an organisation, board or partnership")
    person = _cell(build, row, "person")
    if person is not None:
        build.add(person, ORG.holds, node)
        build.add(node, ORG.heldBy, person)
    role = _cell(build, row, "role")  # required: an empty cell is reported
    build.add(node, ORG.role, _role(build, "" if role is None else str(role)))


def _indicator(build: _Build, row: Row, node: URIRef) -> None:
    text = row.text("data source")
    if not text:
        return
    if _ADDRESS.fullmatch(text):
        build.add(node, SG.dataSource, URIRef(text))
        return
    source = URIRef(build.base + "source/" + _slug(text))
    build.add(source, RDF.type, DCAT.Catalog)
    build.add(source, RDFS.label, Literal(text))
    build.add(node, SG.dataSource, source)


def _target(build: _Build, row: Row, node: URIRef) -> None:
    """A baseline (an observation), or a target of its kind: a level, a change from the baseline, or a milestone."""
    indicator, kind = _cell(build, row, "indicator"), _cell(build, row, "kind")
    if kind is None:
        return
    kind = str(kind)
    if kind == "baseline":
        if indicator is None and not row.text("indicator"):
            build.problem(row, "indicator", "empty", "the id of the indicator the baseline is a value of")
        _observation_of(build, row, node, indicator, _required_value(build, row), "date")
        if indicator is not None:
            build.add(indicator, SG.hasBaseline, node)
        return
    build.add(node, RDF.type, SG.Target)
    if indicator is not None:
        build.add(indicator, SG.hasTarget, node)
    elif not row.text("indicator") and not row.text("for"):
        build.problem(row, "indicator", "empty, and so is 'for'", "the id of the indicator, or in 'for' the id of the outcome, "
                      "work stream or intervention the target is for")
    if kind == "target":
        build.add(node, SG.targetValue, _required_value(build, row))
    elif kind == "change":
        build.add(node, RDF.type, SG.ChangeTarget)
        _change(build, row, node)
    else:
        build.add(node, RDF.type, SG.Milestone)
        if row.text("value"):
            build.problem(row, "value", f"'{row.text('value')}' for a milestone", "nothing: a milestone is reached or not ('reached')")
    reached = _cell(build, row, "reached")
    if reached is not None and kind != "milestone":
        build.problem(row, "reached", f"'{reached}' for a {kind}", "nothing: only a milestone is reached or not")
    elif reached is not None:
        build.add(node, SG.reached, Literal(str(reached) == "yes"))
    due = _date(build, row, BY_SHEET["Targets"].column("date"), row.text("date")) if row.text("date") else _cell(build, row, "date")
    build.add(node, SG.targetDate, due)
    if due is not None and build.period and not build.period[0] <= _last_day(due) <= build.period[1]:
        build.problem(row, "date", f"{due} is outside the strategy's period",
                      f"a date from {build.period[0]} to {build.period[1]}")


def _required_value(build: _Build, row: Row):
    """The value of a baseline or a level target: a number, required."""
    if not row.text("value"):
        build.problem(row, "value", "empty", "a value: a baseline or a target needs one, such as 60.5")
        return None
    return _cell(build, row, "value")


def _change(build: _Build, row: Row, node: URIRef) -> None:
    """A change target's value, read exactly from its published wording, which is kept too."""
    text = row.text("value")
    if not text:
        build.problem(row, "value", "empty", "for a change, " + CHANGE_EXPECTED)
        return
    change = read_change(text)
    if isinstance(change, str):
        build.problem(row, "value", f"'{text}' cannot be read: {change}", CHANGE_EXPECTED)
        return
    build.add(node, SG.statedValue, Literal(text))
    build.add(node, SG.changeAmount, _decimal(change.amount))
    build.add(node, SG.relativeChange, Literal(change.relative))
    if change.unit:
        build.add(node, SCHEMA.unitText, Literal(change.unit))


def _observation(build: _Build, row: Row, node: URIRef) -> None:
    _observation_of(build, row, node, None, None, "period")


def _observation_of(build: _Build, row: Row, node: URIRef, indicator, value, period_column: str) -> None:
    """An observation's data set and its defaults; a baseline row states its indicator, value and period here too."""
    build.add(node, RDF.type, SG.Observation)
    # An observation already in the graph stays in its data set.
    dataset = build.existing.value(node, QB.dataSet) or URIRef(build.base + "dataset/spreadsheet")
    build.add(dataset, RDF.type, QB.DataSet)
    build.add(dataset, QB.structure, SG.indicatorStructure)
    build.add(node, QB.dataSet, dataset)
    if row.sheet == "Targets":
        build.add(node, SG.indicator, indicator)
        build.add(node, SDMX_DIMENSION.refPeriod, _cell(build, row, period_column))
        build.add(node, SDMX_MEASURE.obsValue, value)
    if not row.text("area") and build.area is None:
        build.arealess.append(row)
    _defaults(build, row, node)


def _strategy_area(build: _Build, row: Row) -> None:
    """One problem, at the cell to fill in, for the values that take the strategy's area when the Strategy row gives none."""
    if not build.arealess or row.text("area"):
        return  # an area the Strategy row gives but that is no area code is a problem of that cell already
    rows = [f"{r.sheet} row {r.number}" for r in build.arealess]
    named = ", ".join(rows[:3]) + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")
    verbs = "gives no area and so takes" if len(rows) == 1 else "give no area and so take"
    build.problem(row, "area", f"empty, but {named} {verbs} the strategy's",
                  f"the ONS code of the area the strategy covers here, such as {BY_SHEET['Strategy'].column('area').example}; "
                  "or an area in each of those rows")


def _defaults(build: _Build, row: Row, node: URIRef) -> None:
    """A value's area and population group, when its row leaves them out: the strategy's area, and the whole population."""
    if not row.text("area"):
        build.add(node, SDMX_DIMENSION.refArea, build.area)
    if not row.text("population group"):
        build.add(node, SG.populationGroup, WHOLE_POPULATION)


_OWN: dict[str, Callable[[_Build, Row, URIRef], None]] = {
    "Strategy": _strategy, "Priorities": _priority, "Outcomes": _outcome, "Workstreams": _workstream,
    "Interventions": _intervention, "Contributions": _contribution, "Funding": _funding,
    "Organisations": _organisation, "Posts": _post, "Indicators": _indicator, "Targets": _target, "Observations": _observation,
    "Codes": _code,
}


def _first_day(term: Literal) -> datetime.date:
    return datetime.date(int(str(term)[:4]), 1, 1) if term.datatype == XSD.gYear else term.toPython()


def _last_day(term: Literal) -> datetime.date:
    return datetime.date(int(str(term)[:4]), 12, 31) if term.datatype == XSD.gYear else term.toPython()
