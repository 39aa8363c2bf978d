"""The validation report (SHACL section 3.6): results as the compiled checks find them, written as pySHACL does."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node


@dataclass(frozen=True)
class Source:
    """The shape a result comes from, as the report names it."""

    shape: Node
    severity: Node
    messages: tuple
    path: Node | None


@dataclass(frozen=True)
class Result:
    """One validation result, before it is written into the report."""

    focus: Node
    source: Source
    component: URIRef
    messages: tuple
    value: Node | None = None
    path: Node | None = None  # a ?path binding; else the shape's own path
    constraint: Node | None = None


@dataclass(frozen=True)
class Check:
    """One query and how its rows become results."""

    query: str
    read: Callable[[pyoxigraph.QuerySolutions], Iterator[Result]]


class Triples(list):
    """A report as a plain list of triples: building an rdflib Graph costs more than the queries."""

    add = list.append


def write_result(report: Triples, root: Node, shapes: Graph, result: Result, copied: set[Node]) -> None:
    """Add ``result`` to the report under ``root``, with the blank nodes of the shapes graph it names."""
    node = BNode()
    report.add((root, SH.result, node))
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.focusNode, result.focus))
    report.add((node, SH.resultSeverity, result.source.severity))
    report.add((node, SH.sourceConstraintComponent, result.component))
    report.add((node, SH.sourceShape, result.source.shape))
    # A blank shape is only identified by its content: copy it, as pySHACL does, so that the report says which.
    _copy(shapes, result.source.shape, report, copied)
    for message in result.messages:
        report.add((node, SH.resultMessage, message))
    if result.value is not None:
        report.add((node, SH.value, result.value))
    path = result.path if result.path is not None else result.source.path
    if path is not None:
        report.add((node, SH.resultPath, path))
        _copy(shapes, path, report, copied)
    if result.constraint is not None:
        report.add((node, SH.sourceConstraint, result.constraint))


def _copy(shapes: Graph, node: Node, report: Triples, copied: set[Node]) -> None:
    """Copy a blank path node and all it leads to (lists, inverse paths) with their ids, as pySHACL does."""
    if not isinstance(node, BNode) or node in copied:
        return
    copied.add(node)
    for _, p, o in shapes.triples((node, None, None)):
        report.add((node, p, o))
        _copy(shapes, o, report, copied)

