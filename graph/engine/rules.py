"""The rules a graph is checked against: the SHACL shapes of shapes/, read once per process."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import cast

import pyoxigraph
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SH
from rdflib.term import Node

from graph import files
from graph.engine.store import as_graph, files_digest, read_plain, select
from graph.errors import StrategyGraphError
from graph.vocab import SG, SPARQL_PREFIXES


@dataclass(frozen=True)
class Rule:
    """A shape's identity as the report shows it."""

    id: str
    name: str
    why: str
    fix: str
    targets: tuple[URIRef, ...] = ()  # the classes whose members it checks (sh:targetClass)
    structural: bool = False  # a rule of what a well-formed graph must have: an import refuses rows that break it


# The kind a shape declares (dcterms:type) to be a structural rule (shapes/structure.ttl).
_STRUCTURAL = URIRef("https://w3id.org/strategy-graph/shapes#StructuralRule")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The structural shapes and gap rules (shapes/*.ttl), parsed once per process."""
    shapes = Graph()
    for path in files.shape_files():
        shapes.parse(path, format="turtle")
    return shapes


@lru_cache(maxsize=1)
def shapes_digest() -> str:
    """A digest of the shape files, part of every kept report's fingerprint."""
    return files_digest(files.shape_files())


@lru_cache(maxsize=1)
def packaged_rules() -> dict[Node, Rule]:
    """Every rule of the shapes graph, keyed by its shape."""
    shapes = shapes_graph()
    return {node: _rule(shapes, node, str(identifier)) for node, identifier in shapes.subject_objects(DCTERMS.identifier)
            if (node, RDF.type, SH.NodeShape) in shapes}


def _rule(shapes: Graph, node, identifier: str) -> Rule:
    text = lambda prop: str(shapes.value(node, prop) or "")
    return Rule(identifier, text(SH.name), text(RDFS.comment), text(SG.fix), tuple(sorted(cast("Iterator[URIRef]", shapes.objects(node, SH.targetClass)))),
                (node, DCTERMS.type, _STRUCTURAL) in shapes)


class RulesError(StrategyGraphError):
    """A file of extra rules cannot be used as one; the message says why."""


@dataclass(frozen=True)
class ExtraRules:
    """A council's own rules, added to the packaged ones: a shapes graph and the rule each of its shapes reports as."""

    shapes: Graph
    by_shape: dict

    def rule_of(self, source_shape) -> Rule:
        """The rule a result's source shape belongs to (as ``rule_of``)."""
        return _owner(self.shapes, self.by_shape, source_shape)


def read_extra_rules(paths: Iterable[Path]) -> ExtraRules:
    """A council's rules from SHACL files of any RDF format (see ``extra_rules``); raises GraphSourceError, RulesError."""
    paths = list(paths)
    return extra_rules(as_graph(*read_plain(paths)), ", ".join(str(p) for p in paths))


def extra_rules(shapes: Graph, source: str) -> ExtraRules:
    """Every shape of ``shapes`` with a target is a rule: its dcterms:identifier, or else its IRI, is the rule's id.

    Its sh:name, rdfs:comment and sg:fix are the name, why and fix a report
    shows, as for the packaged rules. ``source`` names the file in errors.
    """
    # Here, not at the top: validation imports pySHACL, which reading kept reports never needs.
    from graph.engine.validation import top_level_shapes

    found, taken = {}, {rule.id for rule in packaged_rules().values()}
    for node in sorted(top_level_shapes(shapes), key=str):
        identifier = shapes.value(node, DCTERMS.identifier)
        if identifier is None and not isinstance(node, URIRef):
            raise RulesError(f"{source}: a shape with a target is a blank node with no dcterms:identifier: "
                             "give it an IRI or an identifier, so that its gaps can say which rule found them")
        rule_id = str(identifier if identifier is not None else node)
        if rule_id in taken:
            raise RulesError(f"{source}: rule id {rule_id!r} is already taken, by a packaged rule or another shape")
        taken.add(rule_id)
        found[node] = _rule(shapes, node, rule_id)
    if not found:
        raise RulesError(f"{source}: no shape with a target (sh:targetClass, sh:targetNode, sh:targetSubjectsOf, "
                         "sh:targetObjectsOf, or a shape that is a class): nothing to check")
    return ExtraRules(shapes, found)


@cache
def rule_of(source_shape) -> Rule:
    """The rule a result's source shape belongs to: itself, or the shape that has it as sh:property."""
    return _owner(shapes_graph(), packaged_rules(), source_shape)


def _owner(shapes: Graph, by_shape: dict, source_shape) -> Rule:
    if source_shape in by_shape:
        return by_shape[source_shape]
    return by_shape[next(shapes.subjects(SH.property, source_shape))]


# Which strategy a node belongs to, whatever kind of node it is, and the label a reader sees.
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
    UNION { ?node sg:targetOf/rdfs:label ?thingName
            BIND (CONCAT("target for ", ?thingName) AS ?label) }
    UNION { ?node sg:indicator/rdfs:label ?indicatorName
            BIND (CONCAT("observation of ", ?indicatorName) AS ?label) }
    BIND (STR(?label) AS ?name)
  }
  # The strategies the node belongs to, the most direct link ranked first. A priority (nested at any depth), an
  # outcome, a work stream or an intervention serves a strategy (sg:servesStrategy, derived by
  # ontology/rules/unit/1-serves-strategy.rq); an indicator, a target or an observation belongs to what it is of.
  OPTIONAL {
    { ?node a sg:Strategy BIND (?node AS ?strategy) BIND (1 AS ?rank) }
    UNION { ?node dcterms:isPartOf ?strategy BIND (1 AS ?rank) }
    UNION { ?node sg:servesStrategy ?strategy BIND (2 AS ?rank) }
    UNION { ?strategy sg:ledBy ?node BIND (2 AS ?rank) }
    UNION { ?node (sg:measures|^sg:hasTarget/sg:measures|sg:indicator/sg:measures|sg:targetOf)/sg:servesStrategy ?strategy BIND (2 AS ?rank) }
    UNION { ?node ^org:member/org:organization/(^sg:ledBy|^sg:owner/dcterms:isPartOf) ?strategy BIND (2 AS ?rank) }
    UNION { ?node ^sg:owner/dcterms:isPartOf ?strategy BIND (3 AS ?rank) }
    UNION { ?node ^sg:qualifiedContribution/dcterms:isPartOf ?strategy BIND (3 AS ?rank) }
    UNION { ?node (sg:contributionTo|schema:fundedItem)/sg:servesStrategy ?strategy BIND (4 AS ?rank) }
    ?strategy a sg:Strategy .
  }
}
"""


def describe(store: pyoxigraph.Store, nodes: set) -> dict:
    """Label and strategy of each node (Oxigraph terms, not blank nodes), in one query.

    The label is the first in code-point order, as the rules' messages choose
    it; the strategy is the one the node is most directly part of.
    """
    if not nodes:
        return {}
    names: dict = {}
    strategies: dict = {}
    rows = select(store, _DESCRIBE % " ".join(str(node) for node in nodes), use_default_graph_as_union=True)
    for node, name, strategy, rank in rows:
        if name is not None:
            names[node] = min(names.get(node, name.value), name.value)
        if strategy is not None:
            candidate = (int(rank.value), strategy.value)
            strategies[node] = min(strategies.get(node, candidate), candidate)
    return {node: (names.get(node, ""), strategies.get(node, (0, ""))[1]) for node in nodes}
