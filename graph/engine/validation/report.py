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


# Read once: a namespace's attribute is a lookup, and a report of a national store writes millions of them.
_RESULT, _TYPE, _RESULT_TYPE, _FOCUS, _SEVERITY = SH.result, RDF.type, SH.ValidationResult, SH.focusNode, SH.resultSeverity
_COMPONENT, _SHAPE, _MESSAGE, _VALUE, _PATH = (SH.sourceConstraintComponent, SH.sourceShape, SH.resultMessage, SH.value,
                                               SH.resultPath)
_CONSTRAINT = SH.sourceConstraint


def write_result(report: Triples, root: Node, shapes: Graph, result: Result, copied: set[Node]) -> None:
    """Add ``result`` to the report under ``root``, with the blank nodes of the shapes graph it names."""
    node = BNode()
    report.add((root, _RESULT, node))
    report.add((node, _TYPE, _RESULT_TYPE))
    report.add((node, _FOCUS, result.focus))
    report.add((node, _SEVERITY, result.source.severity))
    report.add((node, _COMPONENT, result.component))
    report.add((node, _SHAPE, result.source.shape))
    # A blank shape is only identified by its content: copy it, as pySHACL does, so that the report says which.
    _copy(shapes, result.source.shape, report, copied)
    for message in result.messages:
        report.add((node, _MESSAGE, message))
    if result.value is not None:
        report.add((node, _VALUE, result.value))
    path = result.path if result.path is not None else result.source.path
    if path is not None:
        report.add((node, _PATH, path))
        _copy(shapes, path, report, copied)
    if result.constraint is not None:
        report.add((node, _CONSTRAINT, result.constraint))


def _copy(shapes: Graph, node: Node, report: Triples, copied: set[Node]) -> None:
    """Copy a blank path node and all it leads to (lists, inverse paths) with their ids, as pySHACL does."""
    if not isinstance(node, BNode) or node in copied:
        return
    copied.add(node)
    for _, p, o in shapes.triples((node, None, None)):
        report.add((node, p, o))
        _copy(shapes, o, report, copied)

