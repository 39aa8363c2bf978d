"""Reading a shapes graph as pySHACL reads it: which shapes have targets, their focus nodes, paths and parameters.

The names follow the SHACL spec: targets (section 2.1.3), property paths
(2.3.1), constraint parameters (2.2). What the compiler cannot express as
pySHACL evaluates it raises ``Unsupported``, and pySHACL validates that shape.
"""

from typing import cast

from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# A SHACL instance of a class: typed with it or with one of its subclasses.
INSTANCE = f"{RDF.type.n3()}/{RDFS.subClassOf.n3()}*"


class Unsupported(Exception):
    """The shape uses something the compiler cannot express as pySHACL evaluates it."""


def one(shapes: Graph, node: Node, parameter: URIRef) -> Node:
    """The one value of ``parameter`` on ``node``."""
    values = list(shapes.objects(node, parameter))
    if len(values) != 1:
        raise Unsupported(f"{parameter} must have exactly one value")
    return values[0]


def deactivated(shapes: Graph, node: Node) -> bool:
    """Whether ``node`` (a shape or a SPARQL constraint) has sh:deactivated true."""
    values = list(shapes.objects(node, SH.deactivated))
    if len(values) > 1 or (values and not isinstance(values[0], Literal)):
        raise Unsupported("malformed sh:deactivated")
    # As pySHACL: the Python truth of the literal's value.
    return bool(values and cast(Literal, values[0]).value)


def list_items(shapes: Graph, node: Node) -> list[Node]:
    """The members of a non-empty RDF list (sh:and, sh:or, sh:xone)."""
    items = list(shapes.items(node))
    if not items:
        raise Unsupported("a shape list must not be empty")
    return items


def class_types(shapes: Graph) -> set[Node]:
    """What makes a shape its own target class: rdfs:Class and its direct subclasses, as pySHACL reads it."""
    return {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}


def _is_shape(shapes: Graph, node: Node) -> bool:
    """Whether pySHACL counts ``node`` among the shapes (for a shape targeted only by being a class)."""
    if any((node, RDF.type, kind) in shapes for kind in (SH.NodeShape, SH.PropertyShape)):
        return True
    if (node, SH.property, None) in shapes or (node, SH.node, None) in shapes:
        return True
    if any((None, p, node) in shapes for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)):
        return True
    lists = (lst for p in (SH["and"], SH["or"], SH.xone) for lst in shapes.objects(None, p))
    return any(node in set(shapes.items(lst)) for lst in lists)


def top_level_shapes(shapes: Graph) -> set[Node]:
    """The shapes pySHACL validates with their own focus nodes: those with a target."""
    explicit = {s for p in TARGETS for s in shapes.subjects(p, None)}
    classes = {s for t in class_types(shapes) for s in shapes.subjects(RDF.type, t)}
    return explicit | {s for s in classes if _is_shape(shapes, s)}


def target_pattern(shapes: Graph, shape: Node) -> str:
    """A SPARQL pattern binding ?this to each focus node of ``shape``."""
    classes = list(shapes.objects(shape, SH.targetClass))
    if any((shape, RDF.type, t) in shapes for t in class_types(shapes)):
        classes.append(shape)
    parts = []
    for cls in classes:
        if not isinstance(cls, URIRef):
            raise Unsupported("target class is not an IRI")
        parts.append(f"{{ ?this {INSTANCE} {cls.n3()} }}")
    nodes = list(shapes.objects(shape, SH.targetNode))
    # A blank node of the shapes graph cannot be named in a query, and a literal
    # comes back from Oxigraph as "x"^^xsd:string where pySHACL reports "x".
    if not all(isinstance(n, URIRef) for n in nodes):
        raise Unsupported("a target node that is not an IRI")
    if nodes:
        parts.append("{ VALUES ?this { %s } }" % " ".join(n.n3() for n in nodes))
    for predicate, pattern in ((SH.targetSubjectsOf, "{ ?this %s [] }"), (SH.targetObjectsOf, "{ [] %s ?this }")):
        for p in shapes.objects(shape, predicate):
            if not isinstance(p, URIRef):
                raise Unsupported("target property is not an IRI")
            parts.append(pattern % p.n3())
    return " UNION ".join(parts)


def sparql_path(shapes: Graph, node: Node, inverse: bool = False) -> str:
    """A SHACL path as a SPARQL property path, reading it in pySHACL's order."""
    if isinstance(node, URIRef):
        return ("^" if inverse else "") + node.n3()
    if not isinstance(node, BNode):
        raise Unsupported("a path cannot be a literal")
    if (node, RDF.first, None) in shapes:
        if inverse:
            # pySHACL inverts each step of an inverted sequence but keeps their order.
            raise Unsupported("inverse of a sequence path")
        steps = list(shapes.items(node))
        if len(steps) < 2:
            raise Unsupported("a sequence path needs two steps")
        return "(%s)" % " / ".join(sparql_path(shapes, s) for s in steps)
    inverted = shapes.value(node, SH.inversePath)
    if inverted is not None:
        return sparql_path(shapes, inverted, not inverse)
    alternatives = shapes.value(node, SH.alternativePath)
    if alternatives is not None:
        options = list(shapes.items(alternatives))
        if len(options) < 2:
            raise Unsupported("an alternative path needs two options")
        return "(%s)" % " | ".join(sparql_path(shapes, o, inverse) for o in options)
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(node, predicate)
        if inner is not None:
            return f"({sparql_path(shapes, inner, inverse)}){suffix}"
    raise Unsupported("unknown path")


_PARAMETERS = set(ALL_CONSTRAINT_PARAMETERS)


def parameters(shapes: Graph, node: Node, custom: set[Node]) -> set[URIRef]:
    """The constraint parameters pySHACL would evaluate on ``node``."""
    predicates = set(shapes.predicates(node))
    if predicates & custom:
        raise Unsupported("custom constraint component")
    return cast("set[URIRef]", predicates & _PARAMETERS)  # members of _PARAMETERS, pySHACL's IRIs

