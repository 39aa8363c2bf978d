"""Gap detection: validate a graph against the SHACL shapes, report gaps people can act on."""

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import lru_cache
from itertools import chain

from rdflib import Dataset, URIRef
from rdflib.namespace import RDFS, SH

from graph.engine import ExtraRules, Rule, kept_records, packaged_rules, select_rows
from graph.tables import to_csv, to_xlsx

# Most severe first; a --severity or --fail-on level includes everything above it.
SEVERITIES: tuple[str, ...] = ("violation", "warning", "info")
_SEVERITY_OF = {str(SH.Violation): "violation", str(SH.Warning): "warning", str(SH.Info): "info"}
_SPARQL_COMPONENT = str(SH.SPARQLConstraintComponent)


# Slots: a national store has hundreds of thousands of gaps, and a dict each would double what they hold.
@dataclass(frozen=True, slots=True)
class Gap:
    """One gap: which rule found it, where, and what to do about it."""

    rule: str
    severity: str
    focus: str
    label: str
    message: str
    fix: str
    strategy: str

    def as_dict(self) -> dict[str, str]:
        """The record with exactly the keys of the JSON and CSV reports."""
        return {name: getattr(self, name) for name in _COLUMNS}


_COLUMNS = tuple(f.name for f in fields(Gap))


def find_gaps(ds: Dataset, extra: ExtraRules | None = None, strategy: str | None = None,
              about: Iterable[URIRef] | None = None) -> list[Gap]:
    """The gaps the graph's kept reports hold, most severe first (reading validates nothing).

    ``extra``: a council's own rules as well, checked now, unit by unit, and
    ``strategy`` limits that check to the unit that holds it. ``about``: only
    the gaps on these nodes, read from the reports of the units that hold them.
    """
    by_id, found = rules_by_id(extra), set()
    nodes = None if about is None else {str(node) for node in about}
    records: Iterable[dict] = kept_records(ds, nodes)
    if extra is not None:
        from graph.engine import extra_records  # validation, which only this needs

        records = chain(records, extra_records(ds, extra, strategy))
    if nodes is not None:
        records = (record for record in records if record["focus"] in nodes)
    for record in records:
        rule, message, label = by_id[record["rule"]], record["message"], record["label"]
        # Core constraints cannot put the focus node in their message; a SPARQL one may, and then says it all.
        if record["component"] != _SPARQL_COMPONENT or not message:
            name = f"'{label}'" if label else URIRef(record["focus"]).n3()
            message = f"{name}: {message or rule.name}"
        found.add(Gap(rule.id, _SEVERITY_OF[record["severity"]], record["focus"], label, message, rule.fix,
                      record["strategy"]))
    # The focus node last: two gaps alike in all else (the same rule and message in two strategies' copies of one
    # thing) come in the same order every time.
    rank = {severity: n for n, severity in enumerate(SEVERITIES)}
    return sorted(found, key=lambda g: (rank[g.severity], g.rule, g.strategy, g.label, g.message, g.focus))


@dataclass(frozen=True)
class RuleCount:
    """How many gaps one rule found, and how many of them are in things that belong to no strategy."""

    rule: str
    severity: str
    found: int
    unowned: int


def counts_by_rule(gaps: list[Gap]) -> list[RuleCount]:
    """Each rule's count among ``gaps``, in their order (most severe first, as ``find_gaps`` sorts them)."""
    found, unowned = Counter(g.rule for g in gaps), Counter(g.rule for g in gaps if not g.strategy)
    severity = {g.rule: g.severity for g in gaps}
    return [RuleCount(rule, severity[rule], n, unowned[rule]) for rule, n in found.items()]


def unlabelled(gap: Gap) -> str:
    """The gap's message without its label, for a list that shows the label already: what is wrong, said of "it"."""
    quoted = f"'{gap.label}'"
    if not gap.label or quoted not in gap.message:
        return gap.message
    if gap.message.startswith(quoted + ":"):
        return gap.message.removeprefix(quoted + ":").strip()
    if gap.message.startswith(quoted):
        return "It" + gap.message.removeprefix(quoted)
    return gap.message.replace(" " + quoted, "", 1)


def rules_by_id(extra: ExtraRules | None = None) -> dict[str, Rule]:
    """Every rule, by its id: the packaged ones, and ``extra``'s."""
    return {**_packaged_by_id(), **({rule.id: rule for rule in extra.by_shape.values()} if extra else {})}


@lru_cache(maxsize=1)
def _packaged_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in packaged_rules().values()}


def at_or_above(gaps: list[Gap], severity: str) -> list[Gap]:
    """The gaps whose severity is ``severity`` or worse."""
    return [g for g in gaps if SEVERITIES.index(g.severity) <= SEVERITIES.index(severity)]


def _rows(gaps: list[Gap]) -> list[list[str]]:
    return [list(_COLUMNS)] + [[getattr(gap, c) for c in _COLUMNS] for gap in gaps]


def as_json(gaps: list[Gap]) -> Iterator[str]:
    """The gaps as the JSON report, in pieces: exactly ``json.dumps([g.as_dict() for g in gaps], indent=2,
    ensure_ascii=False)``, without the pure-Python encoder that an indent needs, or the whole text at once."""
    if not gaps:
        yield "[]"
        return
    quote = json.encoder.encode_basestring  # type: ignore[attr-defined]  # the C encoder of a str, as json.dumps uses
    record = lambda gap: "  {\n" + ",\n".join(f"    {quote(c)}: {quote(getattr(gap, c))}" for c in _COLUMNS) + "\n  }"
    for start in range(0, len(gaps), 1000):
        yield ("[\n" if start == 0 else ",\n") + ",\n".join(record(g) for g in gaps[start:start + 1000])
    yield "\n]"


def as_csv(gaps: list[Gap]) -> str:
    """The gaps as CSV, one row per gap (graph.tables keeps formulas out)."""
    return to_csv(_rows(gaps))


def as_xlsx(gaps: list[Gap]) -> bytes:
    """The gaps as an Excel workbook: the same columns and cells as ``as_csv``, on one sheet."""
    return to_xlsx(_rows(gaps), "Gaps")


def strategy_labels(ds: Dataset, gaps: list[Gap]) -> dict[str, str]:
    """The label of each strategy the gaps belong to."""
    iris = {g.strategy for g in gaps if g.strategy}
    if not iris:
        return {}
    values = " ".join(URIRef(iri).n3() for iri in iris)
    query = "SELECT ?s ?label WHERE { VALUES ?s { %s } ?s <%s> ?label }" % (values, RDFS.label)
    return {str(row.s): str(row.label) for row in select_rows(ds, query)}

