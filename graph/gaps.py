"""Gap detection: validate a graph against the SHACL shapes, report gaps people can act on."""

from dataclasses import asdict, dataclass
from functools import lru_cache

import pyshacl
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SH

from graph import files
from graph.store import union_for_validation
from graph.vocab import SG

# pySHACL 0.40 evaluates `datagraph or shapes_graph` for every result it
# describes, and an Oxigraph data graph answers bool() with a COUNT over the
# whole store: validating the Luton dataset took 1.9 s instead of 0.3 s, and the
# cost grows with results times triples. A data graph is always there.
OxigraphDataGraph.__bool__ = lambda self: True

# Most severe first; a --severity or --fail-on level includes everything above it.
SEVERITIES: tuple[str, ...] = ("violation", "warning", "info")
_SEVERITY_OF = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}

# Which strategy a node belongs to, whatever kind of node it is.
_DESCRIBE = """
PREFIX sg: <https://w3id.org/strategy-graph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
SELECT ?node (SAMPLE(?name) AS ?label) (MIN(STR(?strategy)) AS ?member) WHERE {
  VALUES ?node { %s }
  # A label, or one made from the labels of what the node links.
  OPTIONAL {
    { ?node rdfs:label|skos:prefLabel ?name }
    UNION { ?from sg:qualifiedContribution ?node ; rdfs:label ?fromName .
            ?node sg:contributionTo/rdfs:label ?toName
            BIND (CONCAT(?fromName, " → ", ?toName) AS ?name) }
    UNION { ?indicator sg:hasTarget ?node ; rdfs:label ?indicatorName
            BIND (CONCAT("target for ", ?indicatorName) AS ?name) }
    UNION { ?node sg:indicator/rdfs:label ?indicatorName
            BIND (CONCAT("observation of ", ?indicatorName) AS ?name) }
  }
  # The strategy the node belongs to, whatever kind of node it is.
  OPTIONAL {
    { ?node a sg:Strategy BIND (?node AS ?strategy) }
    UNION { ?node dcterms:isPartOf ?strategy }
    UNION { ?strategy sg:addressesPriority ?node }
    UNION { ?node sg:measures/dcterms:isPartOf ?strategy }
    UNION { ?node ^sg:hasTarget/sg:measures/dcterms:isPartOf ?strategy }
    UNION { ?node sg:indicator/sg:measures/dcterms:isPartOf ?strategy }
    UNION { ?node sg:contributesTo+/dcterms:isPartOf ?strategy }
    UNION { ?node schema:fundedItem/sg:contributesTo+/dcterms:isPartOf ?strategy }
    UNION { ?node (^sg:qualifiedContribution|sg:contributionTo)/dcterms:isPartOf ?strategy }
    UNION { ?strategy sg:ledBy ?node }
    UNION { ?node ^sg:owner/dcterms:isPartOf ?strategy }
    ?strategy a sg:Strategy .
  }
}
GROUP BY ?node
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
    for path in sorted(files.SHAPES_DIR.glob("*.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


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
    _, report, _ = pyshacl.validate(
        union_for_validation(ds), shacl_graph=shapes_graph(), inference="none", allow_warnings=True, inplace=True
    )
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
    about = _describe(ds, {focus for _, _, focus, _, _ in found})
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


def _rule_shape(source: URIRef) -> URIRef:
    """The node shape that owns a result's source shape (itself, or the one with it as sh:property)."""
    shapes = shapes_graph()
    if (source, DCTERMS.identifier, None) in shapes:
        return source
    return next(shapes.subjects(SH.property, source))


def _describe(ds: Dataset, nodes: set) -> dict:
    """Label and strategy of each focus node, in one query."""
    if not nodes:
        return {}
    values = " ".join(node.n3() for node in nodes)
    return {
        row.node: (str(row.label) if row.label is not None else "", str(row.member) if row.member is not None else "")
        for row in ds.query(_DESCRIBE % values)
    }


def strategy_labels(ds: Dataset, gaps: list[Gap]) -> dict[str, str]:
    """The label of each strategy the gaps belong to."""
    iris = {g.strategy for g in gaps if g.strategy}
    if not iris:
        return {}
    values = " ".join(URIRef(iri).n3() for iri in iris)
    query = "SELECT ?s ?label WHERE { VALUES ?s { %s } ?s <%s> ?label }" % (values, RDFS.label)
    return {str(row.s): str(row.label) for row in ds.query(query)}

