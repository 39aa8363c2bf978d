"""RDF to workbook rows: one strategy in the template's shape, and a list of what the shape cannot hold."""

import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import ClassVar

from rdflib import FOAF, RDF, RDFS, Dataset, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, QB, SKOS

from graph.engine import strategy_unit
from graph.errors import StrategyGraphError
from graph.order import published_order
from graph.vocab import CONCEPT_BASE, ENGINE_BASE, FINGERTIPS_DATASET, ID_BASE, SCHEMA, SDMX_DIMENSION, SDMX_MEASURE, SG
from graph.workbook.schema import (
    BODY_KINDS,
    BROAD_MATCH,
    BY_SHEET,
    LOCAL_CHOICES,
    ONS_AREA,
    ROW_PREDICATES,
    SEPARATOR,
    STATED_BY_OTHERS,
    STRUCTURE,
    Column,
    Sheet,
)

# The data graphs only: the engine's kept reports, and what it derives with them (an indicator's own area), are not entered.
_EVERYTHING = 'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER (!STRSTARTS(STR(?g), "%s")) }' % ENGINE_BASE
# Statements that are worked out from others, not entered: the short form of a Contribution.
_DERIVED = (SG.contributesTo,)


class ExportError(StrategyGraphError):
    """The graph cannot be written in the template's shape (say, it holds several strategies and none was named)."""


def workbook_rows(ds: Dataset, strategy: URIRef | None = None) -> dict[str, list[dict]]:
    """One strategy of the graph as template rows, sheet by sheet, in the published order, then the order they were entered in."""
    return export(ds, strategy)[0]


def export(ds: Dataset, strategy: URIRef | None = None) -> tuple[dict[str, list[dict]], list[str]]:
    """One strategy as template rows, and what of its things the workbook cannot express (say nothing else is lost)."""
    # One read; the rest is lookups in memory. Of a named strategy, its unit alone, where the kept reports say
    # which that is (what validation read of it is what it is made of); else every data graph.
    g = strategy_unit(ds, strategy) if strategy is not None else None
    if g is None:
        g = ds.query(_EVERYTHING).graph
    strategies = sorted(g.subjects(RDF.type, SG.Strategy))
    if strategy is None:
        if len(strategies) != 1:
            raise ExportError(f"the graph holds {len(strategies)} strategies; name one with --strategy: " + ", ".join(strategies))
        strategy = strategies[0]
    elif strategy not in strategies:
        raise ExportError(f"{strategy} is not a strategy of the graph")
    found = _Export(g, strategy)
    return found.rows(), found.unexpressed()


class _Export:
    def __init__(self, g, strategy: URIRef):
        self.g, self.strategy = g, strategy
        self.ids: dict[URIRef, str] = {}
        self.sheet_of: dict[URIRef, Sheet] = {}
        self.lost: dict[tuple[str, str], list[str]] = defaultdict(list)
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

    def _order(self, nodes) -> list:
        """Nodes in the published order (graph.order), the order their rows were entered in after it."""
        g = self.g
        return sorted(set(nodes), key=lambda node: published_order(g.value(node, SCHEMA.position), g.value(node, RDFS.label) or node,
                                                                    node, entered=g.value(node, SG.sourceRow)))

    def rows(self) -> dict[str, list[dict]]:
        """Every sheet's rows for the strategy's things."""
        things = self._things()
        for sheet, nodes in things.items():
            for node in nodes:
                self._name(node)
                self.sheet_of.setdefault(node, BY_SHEET[sheet])
        rows = {}
        for sheet, nodes in things.items():
            rows[sheet] = [self._row(BY_SHEET[sheet], node) for node in nodes]
        return rows

    def _things(self) -> dict[str, list]:
        g, s = self.g, self.strategy
        priorities = self._order(g.objects(s, SG.addressesPriority))
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
        contributors = set(workstreams) | set(interventions) | set(outcomes)
        contributions = self._order(c for x in contributors for c in g.objects(x, SG.qualifiedContribution))
        funding = self._order(f for i in interventions for f in g.subjects(SCHEMA.fundedItem, i))
        mine = lambda cls: {n for n in g.subjects(RDF.type, cls) if str(n).startswith(self.base)}
        indicators = self._order({i for p in parts for i in g.subjects(SG.measures, p)} | mine(SG.Indicator))
        targets = list(dict.fromkeys([t for i in indicators for t in g.objects(i, SG.hasTarget)]
                                     + [t for x in [*parts, *interventions] for t in g.subjects(SG.targetOf, x)]))
        baselines = [b for i in indicators for b in g.objects(i, SG.hasBaseline)]
        # Values that came from Fingertips stay with their import (`fingertips`), not the workbook.
        observations = self._order(o for i in indicators for o in g.subjects(SG.indicator, i)
                                   if o not in baselines and g.value(o, QB.dataSet) != FINGERTIPS_DATASET)
        organisations = self._order(set(self._organisations(outcomes + workstreams + interventions + funding))
                                    | mine(ORG.Organization) | mine(ORG.FormalOrganization) | mine(SG.Board) | mine(FOAF.Person))
        # An Organisations row shows the one post its person holds there (<person>/post); every other post is a Posts row.
        posts = self._order(p for o in organisations for p in g.objects(o, ORG.holds) if p != URIRef(f"{o}/post"))
        # The strategy's own terms: concepts of its schemes that add to a packaged list.
        codes = self._order(c for c in mine(SKOS.Concept) if any((scheme, DCTERMS.type, None) in g for scheme in g.objects(c, SKOS.inScheme)))
        return {"Strategy": [s], "Priorities": priorities, "Outcomes": outcomes, "Workstreams": workstreams,
                "Interventions": interventions, "Contributions": contributions, "Funding": funding, "Organisations": organisations,
                "Posts": posts, "Indicators": indicators, "Targets": self._order(targets + baselines), "Observations": observations,
                "Codes": codes}

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
            found |= {g.value(node, p) for p in (SG.owner, SCHEMA.funder)} | set(g.objects(node, SG.partner))
        found.discard(None)
        boards = {b for b in found if any((b, RDF.type, body) in g for body in BODY_KINDS.values())}
        found |= {g.value(m, ORG.member) for b in boards for m in g.subjects(ORG.organization, b)}
        found |= {h for b in boards for post in g.subjects(ORG.postIn, b) for h in g.subjects(ORG.holds, post)}
        found.discard(None)
        found |= {g.value(m, ORG.organization) for o in found for m in g.subjects(ORG.member, o)}
        found |= {g.value(post, ORG.postIn) for o in found for post in g.objects(o, ORG.holds)}
        found.discard(None)
        return self._order(found)

    # A row: the columns with a predicate, read back the way they were written; then the sheet's own.

    def _row(self, sheet: Sheet, node) -> dict:
        row = {"id": self.ids[node], "iri": str(node)}
        for column in sheet.columns:
            if column.predicate is not None:
                values = (list(self.g.subjects(column.predicate, node)) if column.inverse
                          else list(self.g.objects(node, column.predicate)))
                row[column.name] = self._cell(sheet, node, column, values)
        self._OWN.get(sheet.name, lambda self, node, row: None)(self, node, row)
        return row

    def _cell(self, sheet: Sheet, node, column: Column, values: list):
        texts = sorted({text for text in (self._text(column, v) for v in values) if text is not None}, key=str)
        if not texts:
            return None
        if column.many:
            return f"{SEPARATOR} ".join(str(t) for t in texts)
        if len(texts) > 1:
            self.lost[(sheet.name, column.name)].append(f"{self.ids[node]} has {len(texts)} values ({', '.join(map(str, texts))}); the cell holds the first")
        return texts[0]

    def _text(self, column: Column, value):
        """A term as its column writes it: ids for things of the workbook, labels for concepts, numbers as numbers."""
        if column.kind == "ref":
            return self._ref(value)
        if column.kind == "choice" and value in self.ids:
            return self.ids[value]  # the strategy's own term, by its id in the Codes sheet
        if column.kind in ("choice", "group"):
            label = self._label(value, SKOS.prefLabel)
            return label if label is not None or column.choices in LOCAL_CHOICES else str(value)
        if column.kind in ("number", "whole"):
            return _number_cell(value)
        if column.kind == "area":
            return _area_code(value)
        return str(value)

    def _strategy(self, node, row: dict) -> None:
        g = self.g
        period = g.value(node, DCTERMS.temporal)
        row["start"], row["end"] = self._label(period, DCAT.startDate), self._label(period, DCAT.endDate)
        visions = {v for p in g.objects(node, SG.addressesPriority) for v in g.subjects(SG.includesPriority, p)}
        row["vision"] = self._label(sorted(visions)[0]) if visions else None

    def _contribution(self, node, row: dict) -> None:
        for column, predicate in (("assumptions", SG.assumption), ("evidence", SG.evidence)):
            texts = sorted(str(self.g.value(x, RDFS.label)) for x in self.g.objects(node, predicate) if self.g.value(x, RDFS.label) is not None)
            row[column] = "\n".join(texts) or None

    def _period(self, node, row: dict) -> None:
        period = self.g.value(node, DCTERMS.temporal)
        row["start"], row["end"] = self._label(period, DCAT.startDate), self._label(period, DCAT.endDate)

    def _outcome(self, node, row: dict) -> None:
        row["also worded"] = "\n".join(sorted(str(t) for t in self.g.objects(node, SKOS.altLabel))) or None

    def _workstream(self, node, row: dict) -> None:
        self._period(node, row)

    def _intervention(self, node, row: dict) -> None:
        row["part of strategy"] = "yes" if self.g.value(node, DCTERMS.isPartOf) == self.strategy else "no"
        self._period(node, row)

    def _funding(self, node, row: dict) -> None:
        g = self.g
        money = g.value(node, SCHEMA.amount)
        row["amount"] = _number_cell(g.value(money, SCHEMA.value)) if money is not None else None
        row["currency"] = self._label(money, SCHEMA.currency)
        self._period(node, row)

    def _organisation(self, node, row: dict) -> None:
        g = self.g
        bodies = [kind for kind, body in BODY_KINDS.items() if (node, RDF.type, body) in g]
        row["kind"] = "person" if (node, RDF.type, FOAF.Person) in g else bodies[0] if bodies else "organisation"
        memberships = sorted(g.subjects(ORG.member, node))
        posts = sorted(p for p in g.objects(node, ORG.holds) if p not in self.sheet_of)
        held = [(g.value(m, ORG.organization), g.value(m, ORG.role)) for m in memberships]
        held += [(g.value(p, ORG.postIn), g.value(p, ORG.role)) for p in posts]
        if held:
            board, role = held[0]
            row["member of"], row["role"] = self._ref(board), self._label(role)
        if len(held) > 1:
            self.lost[("Organisations", "member of")].append(f"{self.ids[node]} sits on {len(held)} boards; the row holds the first")

    def _post(self, node, row: dict) -> None:
        g = self.g
        holders = sorted(set(g.objects(node, ORG.heldBy)) | set(g.subjects(ORG.holds, node)))
        row["person"], row["role"] = self._ref(holders[0]) if holders else None, self._label(g.value(node, ORG.role))
        if len(holders) > 1:
            self.lost[("Posts", "person")].append(f"{self.ids[node]} is held by {len(holders)} people; the row holds the first")

    def _indicator(self, node, row: dict) -> None:
        source = self.g.value(node, SG.dataSource)
        row["data source"] = self._label(source) if source is not None and str(source).startswith(self.base) else self._ref(source)

    def _target(self, node, row: dict) -> None:
        g = self.g
        if (node, RDF.type, SG.Target) in g:
            kind = "milestone" if (node, RDF.type, SG.Milestone) in g else "change" if (node, RDF.type, SG.ChangeTarget) in g else "target"
            reached = g.value(node, SG.reached)
            row.update(indicator=self._ref(g.value(predicate=SG.hasTarget, object=node)), kind=kind,
                       value=self._label(node, SG.statedValue) if kind == "change" else _number_cell(g.value(node, SG.targetValue)),
                       date=self._label(node, SG.targetDate), reached=None if reached is None else "yes" if reached.toPython() else "no")
        else:
            row.update(indicator=self._ref(g.value(node, SG.indicator)), kind="baseline",
                       value=_number_cell(g.value(node, SDMX_MEASURE.obsValue)), date=self._label(node, SDMX_DIMENSION.refPeriod))

    def _code(self, node, row: dict) -> None:
        g = self.g
        lists = [g.value(scheme, DCTERMS.type) for scheme in g.objects(node, SKOS.inScheme)]
        row["list"] = next((str(p).removeprefix(CONCEPT_BASE).rstrip("/") for p in sorted(lists, key=str) if p is not None), None)
        close, broad = g.value(node, SKOS.closeMatch), g.value(node, SKOS.broadMatch)
        if len(set(g.objects(node, SKOS.closeMatch)) | set(g.objects(node, SKOS.broadMatch))) > 1:
            self.lost[("Codes", "matches")].append(f"{self.ids[node]} matches several packaged terms; the cell holds one")
        row["matches"] = (self._label(close, SKOS.prefLabel) if close is not None
                          else f"{BROAD_MATCH} {self._label(broad, SKOS.prefLabel)}" if broad is not None else None)

    _OWN: ClassVar[dict[str, Callable]] = {
        "Strategy": _strategy, "Outcomes": _outcome, "Workstreams": _workstream, "Interventions": _intervention,
        "Contributions": _contribution, "Funding": _funding, "Organisations": _organisation, "Posts": _post,
        "Indicators": _indicator, "Targets": _target, "Codes": _code}

    def unexpressed(self) -> list[str]:
        """What the rows cannot hold, one line per column or statement: several values in a one-value cell, statements no column states."""
        stated = {sheet: {p for c in sheet.columns for p in c.stated} for sheet in set(self.sheet_of.values())}
        kept = {RDF.type, *ROW_PREDICATES, *STRUCTURE, *STATED_BY_OTHERS, *_DERIVED}
        missing: dict[tuple[str, str], list[str]] = defaultdict(list)
        for node, sheet in self.sheet_of.items():
            for p, _ in self.g.predicate_objects(node):
                if p not in stated[sheet] and p not in kept:
                    missing[(sheet.name, self.g.namespace_manager.normalizeUri(p))].append(self.ids[node])
        lines = [f"{sheet}, {column}: {'; '.join(found)}" for (sheet, column), found in sorted(self.lost.items())]
        lines += [f"{sheet}: {predicate} of {', '.join(sorted(set(ids)))} has no column" for (sheet, predicate), ids in sorted(missing.items())]
        return lines


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
