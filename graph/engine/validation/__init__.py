"""Set-wise SHACL validation: each constraint of each shape is one SPARQL query over all its focus nodes.

pySHACL evaluates every constraint once per focus node, which takes minutes on
a store of 150 strategies. Here each constraint is compiled into one query that
Oxigraph answers for all the focus nodes of its shape at once, so the number
of queries grows with the shapes, never with the data. The results are the
ones pySHACL finds (tests/test_validation_engine.py compares the two). A shape
that uses something the compiler cannot express faithfully is validated by
pySHACL instead (``pyshacl_adapter.by_pyshacl``), and its results join the same report.

The modules, by concept: ``shapes`` reads the shapes graph (targets, paths,
parameters); ``value_tests`` are the tests of one value node; ``core`` compiles
a shape's core constraint components into checks; ``sparql_constraints`` runs
sh:sparql SELECTs, with $this bound by ``prebinding``; ``report`` writes the
results; ``pyshacl_adapter`` is the pySHACL fallback.
"""

import datetime
import weakref
from dataclasses import dataclass

import pyoxigraph
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from graph.engine.store import select
from graph.engine.validation import pyshacl_adapter
from graph.engine.validation.core import shape_checks
from graph.engine.validation.lexical import WRITTEN_TEXT, Lexical, seen_by, written_text
from graph.engine.validation.prebinding import bind_now
from graph.engine.validation.pyshacl_adapter import ShapesError, validate_graph
from graph.engine.validation.report import Check, Result, Triples, write_result
from graph.engine.validation.shapes import Unsupported, target_pattern, top_level_shapes

__all__ = ["ShapesError", "report_triples", "top_level_shapes", "validate", "validate_graph"]


@dataclass(frozen=True)
class _Plan:
    """A top-level shape and the checks that validate it."""

    shape: Node
    checks: list[Check]


def _compile(shapes: Graph) -> tuple[list[_Plan], list[Node]]:
    """The checks of every top-level shape, and the shapes pySHACL must validate."""
    custom = {path for component in shapes.subjects(RDF.type, SH.ConstraintComponent)
              for parameter in shapes.objects(component, SH.parameter)
              for path in shapes.objects(parameter, SH.path)}
    plans, delegated = [], []
    for shape in top_level_shapes(shapes):
        try:
            # A subquery, so that a focus node with two targets is still one focus node.
            focus = "{ SELECT DISTINCT ?this WHERE { %s } }" % target_pattern(shapes, shape)
            plans.append(_Plan(shape, shape_checks(shapes, shape, focus, custom)))
        except Unsupported:
            delegated.append(shape)
    return plans, delegated


# Compiling reads the shapes graph with thousands of lookups (40 ms for
# shapes/*.ttl, more than the queries take): each shapes graph is compiled
# once, and again if its number of triples changes.
_COMPILED: dict[int, tuple[weakref.ref, int, list[_Plan], list[Node]]] = {}


def _compiled(shapes: Graph) -> tuple[list[_Plan], list[Node]]:
    key = id(shapes)
    entry = _COMPILED.get(key)
    if entry is None or entry[0]() is not shapes or entry[1] != len(shapes):
        plans, delegated = _compile(shapes)
        entry = (weakref.ref(shapes, lambda _: _COMPILED.pop(key, None)), len(shapes), plans, delegated)
        _COMPILED[key] = entry
    return entry[2], list(entry[3])


def validate(data: pyoxigraph.Store, shapes: Graph, now: datetime.datetime | None = None,
             lexical: Lexical | None = None) -> Graph:
    """SHACL validation of the union of data's graphs; the W3C sh:ValidationReport as an rdflib Graph.

    A SPARQL constraint's NOW() is ``now`` (an aware datetime; by default the moment it starts).
    ``lexical``: the literals the store holds as other terms, judged as written (see lexical).
    """
    report = Graph(bind_namespaces="core")
    for triple in report_triples(data, shapes, now, lexical)[1]:
        report.add(triple)
    return report


def _rows(data: pyoxigraph.Store, query: str, now: datetime.datetime, lexical: Lexical | None, rewrite: bool):
    """A check's rows; with ``lexical``, its changed literals as written (and STR() reading them so if ``rewrite``)."""
    query = bind_now(query, now)
    if lexical is None:
        return select(data, query, use_default_graph_as_union=True)
    functions = {WRITTEN_TEXT: lexical.text} if rewrite else {}
    return lexical.rows(select(data, written_text(query) if rewrite else query, use_default_graph_as_union=True,
                               custom_functions=functions))


def report_triples(data: pyoxigraph.Store, shapes: Graph, now: datetime.datetime | None = None,
                   lexical: Lexical | None = None) -> tuple[BNode, list[tuple]]:
    """The same report as ``validate``, as its root node and a list of triples."""
    now = now or datetime.datetime.now(datetime.UTC)
    plans, delegated = _compiled(shapes)
    to_pyshacl, to_rewrite = seen_by(shapes, lexical) if lexical else (set(), set())
    results: list[Result] = []
    for plan in plans:
        if plan.shape in to_pyshacl:
            delegated.append(plan.shape)
            continue
        try:
            found = [r for check in plan.checks for r in check.read(_rows(data, check.query, now, lexical,
                                                                            plan.shape in to_rewrite))]
        except SyntaxError:  # Oxigraph refuses a constraint's SPARQL that rdflib may accept
            delegated.append(plan.shape)
            continue
        results += found
    report = Triples()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    copied: set[Node] = set()
    for result in results:
        write_result(report, root, shapes, result, copied)
    if delegated:
        compiled = {p.shape for p in plans} - set(delegated)
        pyshacl_adapter.by_pyshacl(lexical.graph() if lexical else data, shapes, compiled, report, root, now)
    # SHACL's definition: conforms iff there is no result, whatever its severity.
    report.add((root, SH.conforms, Literal(not any(s == root and p == SH.result for s, p, _ in report))))
    return root, report

