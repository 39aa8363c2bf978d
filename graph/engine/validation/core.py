"""The core constraint components of a shape, compiled: one query per constraint, for all the shape's focus nodes.

Value-node tests (value_tests) are checked per value, the cardinality
components (SHACL section 4.2) per focus node by GROUP BY, sh:property
recursively and sh:sparql as SHACL-SPARQL constraints (sparql_constraints).
"""

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from graph.engine.store import rdflib_term as from_ox
from graph.engine.validation.report import Check, Result, Source
from graph.engine.validation.shapes import Unsupported, deactivated, one, parameters, sparql_path
from graph.engine.validation.sparql_constraints import sparql_checks
from graph.engine.validation.value_tests import VALUE_TESTS, Columns, Test


def _component(parameter: URIRef) -> URIRef:
    """The component a value-node parameter belongs to: sh:class, sh:ClassConstraintComponent."""
    name = str(parameter).removeprefix(str(SH))
    return SH[name[0].upper() + name[1:] + "ConstraintComponent"]


def _core_messages(source: Source, component: URIRef) -> tuple:
    return source.messages or (Literal(f"sh:{str(component).removeprefix(str(SH))} is not satisfied"),)


def _tests_check(source: Source, component: URIRef, rules: list, values: str, with_value: bool) -> Check:
    """Rows where a rule fails, or where only Python can tell: one result per failing rule, as pySHACL."""
    columns = Columns()
    tests = [columns.render(rule) for rule in rules]
    unsure = " || ".join(columns.unsure) or "false"
    query = "SELECT ?this ?value %s WHERE { %s %s FILTER (!(%s) || %s) }" % (
        " ".join("?" + n for n in columns.names.values()), values, " ".join(columns.binds),
        " && ".join(tests) or "true", unsure)
    messages = _core_messages(source, component)

    def read(rows):
        for row in rows:
            value = from_ox(row["value"])
            for rule in rules:
                if not columns.holds(rule, row, value):
                    yield Result(from_ox(row["this"]), source, component, messages, value if with_value else None)
    return Check(query, read)


def _count_check(source: Source, component: URIRef, focus: str, path: str, having: str, optional: bool) -> Check:
    values = f"OPTIONAL {{ ?this {path} ?value }}" if optional else f"?this {path} ?value"
    query = f"SELECT ?this WHERE {{ {focus} {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {having})"
    messages = _core_messages(source, component)
    return Check(query, lambda rows: (Result(from_ox(row["this"]), source, component, messages) for row in rows))


def shape_checks(shapes: Graph, shape: Node, focus: str, custom: set[Node]) -> list[Check]:
    """The checks of ``shape`` for the focus nodes that ``focus``, a subquery binding ?this, gives."""
    if deactivated(shapes, shape):
        return []
    paths = list(shapes.objects(shape, SH.path))
    if (len(paths) > 1 or (paths and (shape, RDF.type, SH.NodeShape) in shapes)
            or (not paths and (shape, RDF.type, SH.PropertyShape) in shapes)):
        raise Unsupported("malformed shape")  # pySHACL refuses it, and says why
    path_node = paths[0] if paths else None
    path = sparql_path(shapes, path_node) if path_node is not None else None
    severities = list(shapes.objects(shape, SH.severity))
    source = Source(shape, severities[0] if severities else SH.Violation,
                     tuple(shapes.objects(shape, SH.message)), path_node)
    values = (f"{focus} BIND (?this AS ?value)" if path is None
              else f"{{ SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value }} }}")
    checks = []
    for parameter in parameters(shapes, shape, custom):
        if parameter in VALUE_TESTS:
            rules = VALUE_TESTS[parameter](shapes, shape, custom, frozenset({shape}))
            checks.append(_tests_check(source, _component(parameter), rules, values, True))
        elif parameter == SH.hasValue:
            # A test of the focus node, not of each value: the report has no sh:value.
            rules = [Test("false" if isinstance(v, BNode)
                           else f"EXISTS {{ ?this {path} {v.n3()} }}" if path else f"sameTerm(?this, {v.n3()})")
                     for v in shapes.objects(shape, SH.hasValue)]
            checks.append(_tests_check(source, SH.HasValueConstraintComponent, rules,
                                       f"{focus} BIND (?this AS ?value)", False))
        elif parameter in (SH.minCount, SH.maxCount) and path is not None:
            bound = one(shapes, shape, parameter)
            if not (isinstance(bound, Literal) and bound.datatype == XSD.integer
                    and isinstance(bound.value, int) and bound.value >= 0):
                raise Unsupported(f"{parameter} is not a non-negative xsd:integer")
            if parameter == SH.maxCount:
                checks.append(_count_check(source, SH.MaxCountConstraintComponent, focus, path,
                                           f"> {bound.value}", optional=False))
            elif bound.value > 0:
                checks.append(_count_check(source, SH.MinCountConstraintComponent, focus, path,
                                           f"< {bound.value}", optional=True))
        elif parameter == SH.property and path is None:
            # A node shape's value nodes are its focus nodes: they are the property shapes' focus nodes.
            for child in shapes.objects(shape, SH.property):
                if (child, SH.path, None) not in shapes:
                    raise Unsupported("sh:property names no property shape")
                checks += shape_checks(shapes, child, focus, custom)
        elif parameter == SH.sparql:
            checks += sparql_checks(shapes, source, focus, path is not None)
        else:
            raise Unsupported(f"{parameter} is not compiled")
    return checks

