"""Gap detection: validate a graph against the SHACL shapes, report gaps people can act on."""

import csv
import io
from dataclasses import asdict, dataclass, fields

from rdflib import BNode, Dataset, URIRef
from rdflib.namespace import RDFS, SH

from graph.engine.rules import Rule, rules
from graph.engine.store import SKOLEM
from graph.engine.units import REPORTS
from graph.vocab import SPARQL_PREFIXES

# Most severe first; a --severity or --fail-on level includes everything above it.
SEVERITIES: tuple[str, ...] = ("violation", "warning", "info")
_SEVERITY_OF = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
# Top-level results of every kept report: nested ones (sh:detail) explain these.
_KEPT = SPARQL_PREFIXES + """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?rule ?severity ?focus ?message ?label ?strategy ?component WHERE {
  GRAPH ?report {
    ?report sh:result ?result .
    ?result sg:rule ?rule ; sh:resultSeverity ?severity ; sh:focusNode ?focus ; sh:sourceConstraintComponent ?component .
    OPTIONAL { ?result sh:resultMessage ?message }
    OPTIONAL { ?result sg:focusLabel ?label }
    OPTIONAL { ?result sg:focusStrategy ?strategy }
  }
  FILTER (STRSTARTS(STR(?report), "%s"))
}
""" % REPORTS

@dataclass(frozen=True)
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
        return asdict(self)


def find_gaps(ds: Dataset) -> list[Gap]:
    """The gaps the graph's kept reports hold, most severe first (reading validates nothing)."""
    found = set()
    for row in ds.query(_KEPT):
        rule = rules_by_id()[str(row.rule)]
        found.add((rule, _SEVERITY_OF[row.severity], row.focus, str(row.message or ""), str(row.label or ""),
                   str(row.strategy or ""), row.component == SH.SPARQLConstraintComponent))
    gaps = []
    for rule, severity, focus, message, label, strategy, names_focus in found:
        focus = URIRef(SKOLEM + focus) if isinstance(focus, BNode) else focus
        if not names_focus:
            # Core constraints cannot put the focus node in their message.
            name = f"'{label}'" if label else focus.n3()
            message = f"{name}: {message or rule.name}"
        gaps.append(Gap(rule.id, severity, str(focus), label, message, rule.fix, strategy))
    return sorted(gaps, key=lambda g: (SEVERITIES.index(g.severity), g.rule, g.strategy, g.label, g.message))


def rules_by_id() -> dict[str, Rule]:
    """Every rule, by its id."""
    return {rule.id: rule for rule in rules().values()}


def at_or_above(gaps: list[Gap], severity: str) -> list[Gap]:
    """The gaps whose severity is ``severity`` or worse."""
    return [g for g in gaps if SEVERITIES.index(g.severity) <= SEVERITIES.index(severity)]


def as_csv(gaps: list[Gap]) -> str:
    """The gaps as CSV, one row per gap.

    A cell that starts with = + - @ or a control character is prefixed with an
    apostrophe, so a label from the data cannot run as a spreadsheet formula.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[f.name for f in fields(Gap)])
    writer.writeheader()
    for gap in gaps:
        writer.writerow({k: "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for k, v in gap.as_dict().items()})
    return buffer.getvalue()


def strategy_labels(ds: Dataset, gaps: list[Gap]) -> dict[str, str]:
    """The label of each strategy the gaps belong to."""
    iris = {g.strategy for g in gaps if g.strategy}
    if not iris:
        return {}
    values = " ".join(URIRef(iri).n3() for iri in iris)
    query = "SELECT ?s ?label WHERE { VALUES ?s { %s } ?s <%s> ?label }" % (values, RDFS.label)
    return {str(row.s): str(row.label) for row in ds.query(query)}

