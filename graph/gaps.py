"""Gap detection: validate a graph against the SHACL shapes, report gaps people can act on."""

import csv
import io
from dataclasses import asdict, dataclass, fields
from functools import lru_cache

from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SH

from graph import files
from graph.engine.store import validate_union
from graph.vocab import SG, SPARQL_PREFIXES

# Most severe first; a --severity or --fail-on level includes everything above it.
SEVERITIES: tuple[str, ...] = ("violation", "warning", "info")
_SEVERITY_OF = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}

# Which strategy a node belongs to, whatever kind of node it is.
_DESCRIBE = SPARQL_PREFIXES + """
SELECT ?node ?name ?strategy ?rank WHERE {
  VALUES ?node { %s }
  # A label, or one made from the labels of what the node links.
  OPTIONAL {
    { ?node rdfs:label|skos:prefLabel ?label }
    UNION { ?from sg:qualifiedContribution ?node ; rdfs:label ?fromName .
            ?node sg:contributionTo/rdfs:label ?toName
            BIND (CONCAT(?fromName, " → ", ?toName) AS ?label) }
    UNION { ?indicator sg:hasTarget ?node ; rdfs:label ?indicatorName
            BIND (CONCAT("target for ", ?indicatorName) AS ?label) }
    UNION { ?node sg:indicator/rdfs:label ?indicatorName
            BIND (CONCAT("observation of ", ?indicatorName) AS ?label) }
    BIND (STR(?label) AS ?name)
  }
  # The strategies the node belongs to, the most direct link ranked first.
  OPTIONAL {
    { ?node a sg:Strategy BIND (?node AS ?strategy) BIND (1 AS ?rank) }
    UNION { ?node dcterms:isPartOf ?strategy BIND (1 AS ?rank) }
    UNION { ?strategy sg:addressesPriority|sg:ledBy ?node BIND (2 AS ?rank) }
    UNION { ?node (sg:measures|^sg:hasTarget/sg:measures|sg:indicator/sg:measures)/dcterms:isPartOf ?strategy BIND (2 AS ?rank) }
    UNION { ?node ^org:member/org:organization/(^sg:ledBy|^sg:owner/dcterms:isPartOf) ?strategy BIND (2 AS ?rank) }
    UNION { ?node ^sg:owner/dcterms:isPartOf ?strategy BIND (3 AS ?rank) }
    UNION { ?node ^sg:qualifiedContribution/dcterms:isPartOf ?strategy BIND (3 AS ?rank) }
    UNION { ?node (sg:contributionTo|sg:contributesTo+|schema:fundedItem/sg:contributesTo*)/dcterms:isPartOf ?strategy BIND (4 AS ?rank) }
    ?strategy a sg:Strategy .
  }
}
"""


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


@dataclass(frozen=True)
class Rule:
    """A shape's identity as the report shows it."""

    id: str
    name: str
    why: str
    fix: str


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The structural shapes and gap rules (shapes/*.ttl), parsed once per process."""
    shapes = Graph()
    for path in files.shape_files():
        shapes.parse(path, format="turtle")
    return shapes


@lru_cache(maxsize=1)
def rules() -> dict[URIRef, Rule]:
    """Every rule of the shapes graph, keyed by its shape."""
    shapes = shapes_graph()
    text = lambda node, prop: str(shapes.value(node, prop) or "")
    return {
        node: Rule(str(identifier), text(node, SH.name), text(node, RDFS.comment), text(node, SG.fix))
        for node, identifier in shapes.subject_objects(DCTERMS.identifier)
        if (node, RDF.type, SH.NodeShape) in shapes
    }


def find_gaps(ds: Dataset) -> list[Gap]:
    """Validate the union of the graph's named graphs; one Gap per result, most severe first."""
    report, validated = validate_union(ds, shapes_graph())
    by_shape = rules()
    found = set()
    # Top-level results only: nested ones (sh:detail) explain these.
    for result in report.objects(None, SH.result):
        found.add((
            by_shape[_rule_shape(report.value(result, SH.sourceShape))],
            _SEVERITY_OF[report.value(result, SH.resultSeverity)],
            report.value(result, SH.focusNode),
            str(report.value(result, SH.resultMessage) or ""),
            report.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent,
        ))
    about = _describe(validated, {focus for _, _, focus, _, _ in found})
    gaps = []
    for rule, severity, focus, message, names_focus in found:
        label, strategy = about.get(focus, ("", ""))
        if not names_focus:
            # Core constraints cannot put the focus node in their message.
            name = f"'{label}'" if label else focus.n3()
            message = f"{name}: {message or rule.name}"
        gaps.append(Gap(rule.id, severity, str(focus), label, message, rule.fix, strategy))
    return sorted(gaps, key=lambda g: (SEVERITIES.index(g.severity), g.rule, g.strategy, g.label, g.message))


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


def _rule_shape(source: URIRef) -> URIRef:
    """The node shape that owns a result's source shape (itself, or the one with it as sh:property)."""
    shapes = shapes_graph()
    if (source, DCTERMS.identifier, None) in shapes:
        return source
    return next(shapes.subjects(SH.property, source))


def _describe(graph: Dataset, nodes: set) -> dict:
    """Label and strategy of each focus node, in one query.

    The label is the first in code-point order, as the rules' messages choose
    it; the strategy is the one the node is most directly part of.
    """
    if not nodes:
        return {}
    names: dict = {}
    strategies: dict = {}
    for row in graph.query(_DESCRIBE % " ".join(node.n3() for node in nodes)):
        if row.name is not None:
            names[row.node] = min(names.get(row.node, str(row.name)), str(row.name))
        if row.strategy is not None:
            candidate = (int(row.rank), str(row.strategy))
            strategies[row.node] = min(strategies.get(row.node, candidate), candidate)
    return {node: (names.get(node, ""), strategies.get(node, (0, ""))[1]) for node in nodes}


def strategy_labels(ds: Dataset, gaps: list[Gap]) -> dict[str, str]:
    """The label of each strategy the gaps belong to."""
    iris = {g.strategy for g in gaps if g.strategy}
    if not iris:
        return {}
    values = " ".join(URIRef(iri).n3() for iri in iris)
    query = "SELECT ?s ?label WHERE { VALUES ?s { %s } ?s <%s> ?label }" % (values, RDFS.label)
    return {str(row.s): str(row.label) for row in ds.query(query)}

