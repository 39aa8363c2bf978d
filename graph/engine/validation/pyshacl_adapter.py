"""The pySHACL fallback, and the one place that works around pySHACL 0.40: every call into it goes through ``fixed``.

pySHACL is the reference SHACL engine here: shapes that the set-wise validator
cannot compile are run by it (``by_pyshacl``), data that must be judged term
for term is validated by it (``validate_graph``), and the tests compare the two.
"""

import datetime
import re
import threading
from contextlib import contextmanager

import pyoxigraph
import pyshacl
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.errors import ValidationFailure
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from graph.engine.store import rdflib_term as from_ox
from graph.engine.validation.prebinding import bind_now
from graph.engine.validation.report import Triples
from graph.engine.validation.shapes import TARGETS, class_types
from graph.errors import StrategyGraphError


class ShapesError(StrategyGraphError):
    """The shapes cannot be applied (pySHACL's ValidationFailure); the message says why."""


# The patches are process-wide: validations that need them run one at a time.
_LOCK = threading.Lock()


def fill(message: str, names: dict) -> str:
    """A SPARQL constraint's message with each {?name} or {$name} replaced by str() of its value, the value as it is."""
    for name, value in names.items():
        if value is not None:
            # A function, not a replacement string: a backslash in a label is not an escape.
            def text(_: re.Match[str], value: object = value) -> str:
                return str(value)

            message = re.sub("{[?$]%s}" % re.escape(str(name)), text, message)
    return message


@contextmanager
def fixed():
    """Two fixes to pySHACL 0.40 while a validation runs, undone after.

    - It evaluates `datagraph or shapes_graph` for every result it describes,
      and its Oxigraph data graph answers bool() with a COUNT over the store:
      on the Luton dataset that made validation 1.9 s instead of 0.35 s. A data
      graph is always there, so bool() is True.
    - It puts values into messages with re.sub, which reads a backslash in a
      label as a regular-expression escape and fails: values go in as they are.
    """
    def format_message(self, msg, bound_vars):
        if isinstance(bound_vars, (tuple, list)):
            names = dict(zip(("this", "path", "value"), bound_vars[:3]), **(bound_vars[3] if len(bound_vars) == 4 else {}))
        else:
            names = dict(bound_vars or {})
        return fill(msg, names)

    _LOCK.acquire()
    original = ConstraintComponent._format_sparql_based_result_message
    OxigraphDataGraph.__bool__ = lambda self: True
    ConstraintComponent._format_sparql_based_result_message = format_message
    try:
        yield
    finally:
        del OxigraphDataGraph.__bool__
        ConstraintComponent._format_sparql_based_result_message = original
        _LOCK.release()


def validate_graph(data: Graph, shapes: Graph, now: datetime.datetime | None = None) -> Graph:
    """pySHACL's report on an rdflib graph, for data that must be judged term for term as given.

    NOW() is ``now`` (an aware datetime; by default the moment it starts), as the set-wise validator reads it.
    """
    with fixed():
        _, found, _ = pyshacl.validate(data, shacl_graph=_at(shapes, now or datetime.datetime.now(datetime.UTC)),
                                       inference="none")
    if isinstance(found, ValidationFailure):  # pySHACL returns it in place of a report
        raise ShapesError(f"the shapes cannot be applied: {found.message}")
    return found


def _at(shapes: Graph, now: datetime.datetime) -> Graph:
    """``shapes``, or a copy of it whose SPARQL (sh:select, sh:ask) reads ``now`` for NOW()."""
    timed = [(s, p, o) for p in (SH.select, SH.ask) for s, o in shapes.subject_objects(p)
             if isinstance(o, Literal) and bind_now(str(o), now) != str(o)]
    if not timed:
        return shapes
    copy = Graph(identifier=shapes.identifier)
    copy += shapes
    copy.namespace_manager = shapes.namespace_manager  # pySHACL's messages name nodes by these prefixes
    for s, p, o in timed:
        copy.remove((s, p, o))
        copy.add((s, p, Literal(bind_now(str(o), now), lang=o.language, datatype=o.datatype)))
    return copy


def by_pyshacl(data: pyoxigraph.Store | Graph, shapes: Graph, compiled: set[Node], report: Triples, root: Node,
               now: datetime.datetime | None = None) -> None:
    """Validate the shapes that were not compiled with pySHACL, on the same triples; add its results to ``report``.

    pySHACL's ``use_shapes`` takes IRIs only, and a top-level shape may be a
    blank node: pySHACL gets the whole shapes graph, with the targets of the
    shapes already validated here taken away.
    """
    if isinstance(data, Graph):  # the data as written, where the store would change some literal
        graph = data
    else:
        graph = Graph()
        for quad in data:
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    rest = Graph()
    rest += shapes
    rest.namespace_manager = shapes.namespace_manager  # pySHACL's messages name nodes by these prefixes
    types = class_types(shapes)
    for shape in compiled:
        for p in TARGETS:
            rest.remove((shape, p, None))
        for t in types:
            rest.remove((shape, RDF.type, t))
    found = validate_graph(graph, rest, now)
    (their_root,) = found.subjects(RDF.type, SH.ValidationReport)
    for triple in found:
        if triple[0] != their_root:
            report.add(triple)
    for result in found.objects(their_root, SH.result):
        report.add((root, SH.result, result))
