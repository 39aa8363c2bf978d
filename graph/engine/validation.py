"""Set-wise SHACL validation: each constraint of each shape is one SPARQL query over all its focus nodes.

pySHACL evaluates every constraint once per focus node, which takes minutes on
a store of 150 strategies. Here each constraint is compiled into one query that
Oxigraph answers for all the focus nodes of its shape at once, so the number
of queries grows with the shapes, never with the data. The results are the
ones pySHACL finds (tests/test_validation_engine.py compares the two). A shape
that uses something the compiler cannot express faithfully is validated by
pySHACL instead (``_by_pyshacl``), and its results join the same report.
"""

import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial

import pyoxigraph
import pyshacl
from oxrdflib._converter import from_ox
from pyshacl.consts import XSD_WHOLE_INTEGERS
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
from pyshacl.errors import ValidationFailure
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from graph.engine import pyshacl_adapter
from graph.errors import StrategyGraphError

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# A SHACL instance of a class: typed with it or with one of its subclasses.
_INSTANCE = f"{RDF.type.n3()}/{RDFS.subClassOf.n3()}*"
_TRUE = pyoxigraph.Literal(True)


class ShapesError(StrategyGraphError):
    """The shapes cannot be applied (pySHACL's ValidationFailure); the message says why."""


class _Unsupported(Exception):
    """The shape uses something the compiler cannot express as pySHACL evaluates it."""


# Tests of a value node ----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Test:
    """One test of ?value.

    ``sparql`` decides it, where an error counts as false. Where SPARQL cannot
    decide it as pySHACL does (well-formed literals, Python regular
    expressions, rdflib's comparisons), ``python`` decides it on the values
    for which ``unsure`` holds: the query returns those rows whatever SPARQL
    makes of them.
    """

    sparql: str
    python: Callable[[Node], bool] | None = None
    unsure: str = "false"


@dataclass(frozen=True)
class _Op:
    """and / or / xone / not over tests: the conformance of a value to nested shapes."""

    kind: str
    args: tuple


_CONFORMS = _Op("and", ())


@dataclass
class _Columns:
    """The tests of one query: each is bound to a column, read back for the rows Python re-decides."""

    binds: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    names: dict[_Test, str] = field(default_factory=dict)

    def render(self, expr: "_Test | _Op") -> str:
        """The SPARQL boolean for ``expr``, registering its tests."""
        if isinstance(expr, _Test):
            name = f"?c{len(self.binds)}"
            self.names[expr] = name[1:]
            self.binds.append(f"BIND (COALESCE({expr.sparql}, false) AS {name})")
            if expr.python is not None:
                self.unsure.append(f"COALESCE({expr.unsure}, false)")
            return name
        args = [self.render(a) for a in expr.args]
        if expr.kind == "not":
            return f"(!{args[0]})"
        if expr.kind == "xone":
            return "((%s) = 1)" % " + ".join(f"IF({a}, 1, 0)" for a in args)
        joined = (" && " if expr.kind == "and" else " || ").join(args)
        return f"({joined})" if args else ("true" if expr.kind == "and" else "false")

    def holds(self, expr: "_Test | _Op", row: pyoxigraph.QuerySolution, value: Node) -> bool:
        """Whether ``expr`` holds for the row, as pySHACL decides it."""
        if isinstance(expr, _Test):
            return expr.python(value) if expr.python is not None else row[self.names[expr]] == _TRUE
        results = [self.holds(a, row, value) for a in expr.args]
        if expr.kind == "not":
            return not results[0]
        if expr.kind == "xone":
            return results.count(True) == 1
        return all(results) if expr.kind == "and" else any(results)


def _has_datatype(datatype: URIRef, value: Node) -> bool:
    """pySHACL's sh:datatype for a datatype other than xsd:string, rdf:langString, rdfs:Literal, rdfs:Datatype."""
    if not isinstance(value, Literal) or value.datatype != datatype or value.ill_typed is True:
        return False
    kinds = {XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
             XSD.date: date, XSD.time: time, XSD.dateTime: datetime}
    return datatype not in kinds or isinstance(value.value, kinds[datatype])


def _in_range(bound: Literal, passes: Callable[[int], bool], value: Node) -> bool:
    """pySHACL's range tests: rdflib's comparison of literals, a string only with a string."""
    if not isinstance(value, Literal) or isinstance(value.value, str) != isinstance(bound.value, str):
        return False
    try:
        return passes(compare_literal(value, bound))
    except (TypeError, NotImplementedError):
        return False


def _text(value: Node) -> str:
    """The string pySHACL measures and matches: str() of rdflib's (normalised) term."""
    if isinstance(value, Literal) and value.value is not None and value.datatype in (None, RDF.langString, XSD.string):
        return str(value.value)
    return str(value)


def _matches(pattern: re.Pattern, value: Node) -> bool:
    return not isinstance(value, BNode) and pattern.search(_text(value)) is not None


def _length(passes: Callable[[int], bool], value: Node) -> bool:
    return not isinstance(value, BNode) and passes(len(_text(value)))


# Reading the shapes graph ----------------------------------------------------------


def _one(shapes: Graph, node: Node, parameter: URIRef) -> Node:
    values = list(shapes.objects(node, parameter))
    if len(values) != 1:
        raise _Unsupported(f"{parameter} must have exactly one value")
    return values[0]


def _deactivated(shapes: Graph, node: Node) -> bool:
    values = list(shapes.objects(node, SH.deactivated))
    if len(values) > 1 or (values and not isinstance(values[0], Literal)):
        raise _Unsupported("malformed sh:deactivated")
    # As pySHACL: the Python truth of the literal's value.
    return bool(values and values[0].value)


def _list(shapes: Graph, node: Node) -> list[Node]:
    items = list(shapes.items(node))
    if not items:
        raise _Unsupported("a shape list must not be empty")
    return items


def _class_types(shapes: Graph) -> set[Node]:
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
    explicit = {s for p in _TARGETS for s in shapes.subjects(p, None)}
    classes = {s for t in _class_types(shapes) for s in shapes.subjects(RDF.type, t)}
    return explicit | {s for s in classes if _is_shape(shapes, s)}


def _targets(shapes: Graph, shape: Node) -> str:
    """A SPARQL pattern binding ?this to each focus node of ``shape``."""
    classes = list(shapes.objects(shape, SH.targetClass))
    if any((shape, RDF.type, t) in shapes for t in _class_types(shapes)):
        classes.append(shape)
    parts = []
    for cls in classes:
        if not isinstance(cls, URIRef):
            raise _Unsupported("target class is not an IRI")
        parts.append(f"{{ ?this {_INSTANCE} {cls.n3()} }}")
    nodes = list(shapes.objects(shape, SH.targetNode))
    # A blank node of the shapes graph cannot be named in a query, and a literal
    # comes back from Oxigraph as "x"^^xsd:string where pySHACL reports "x".
    if not all(isinstance(n, URIRef) for n in nodes):
        raise _Unsupported("a target node that is not an IRI")
    if nodes:
        parts.append("{ VALUES ?this { %s } }" % " ".join(n.n3() for n in nodes))
    for predicate, pattern in ((SH.targetSubjectsOf, "{ ?this %s [] }"), (SH.targetObjectsOf, "{ [] %s ?this }")):
        for p in shapes.objects(shape, predicate):
            if not isinstance(p, URIRef):
                raise _Unsupported("target property is not an IRI")
            parts.append(pattern % p.n3())
    return " UNION ".join(parts)


def _path(shapes: Graph, node: Node, inverse: bool = False) -> str:
    """A SHACL path as a SPARQL property path, reading it in pySHACL's order."""
    if isinstance(node, URIRef):
        return ("^" if inverse else "") + node.n3()
    if not isinstance(node, BNode):
        raise _Unsupported("a path cannot be a literal")
    if (node, RDF.first, None) in shapes:
        if inverse:
            # pySHACL inverts each step of an inverted sequence but keeps their order.
            raise _Unsupported("inverse of a sequence path")
        steps = list(shapes.items(node))
        if len(steps) < 2:
            raise _Unsupported("a sequence path needs two steps")
        return "(%s)" % " / ".join(_path(shapes, s) for s in steps)
    inverted = shapes.value(node, SH.inversePath)
    if inverted is not None:
        return _path(shapes, inverted, not inverse)
    alternatives = shapes.value(node, SH.alternativePath)
    if alternatives is not None:
        options = list(shapes.items(alternatives))
        if len(options) < 2:
            raise _Unsupported("an alternative path needs two options")
        return "(%s)" % " | ".join(_path(shapes, o, inverse) for o in options)
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(node, predicate)
        if inner is not None:
            return f"({_path(shapes, inner, inverse)}){suffix}"
    raise _Unsupported("unknown path")


_PARAMETERS = set(ALL_CONSTRAINT_PARAMETERS)


def _parameters(shapes: Graph, node: Node, custom: set[Node]) -> set[Node]:
    """The constraint parameters pySHACL would evaluate on ``node``."""
    predicates = set(shapes.predicates(node))
    if predicates & custom:
        raise _Unsupported("custom constraint component")
    return predicates & _PARAMETERS


# Value-node constraints as tests ---------------------------------------------------


def _class(shapes, node, custom, seen):
    classes = list(shapes.objects(node, SH["class"]))
    if not all(isinstance(c, URIRef) for c in classes):
        raise _Unsupported("sh:class is not an IRI")
    return [_Test(f"!isLiteral(?value) && EXISTS {{ ?value {_INSTANCE} {c.n3()} }}") for c in classes]


def _datatype(shapes, node, custom, seen):
    datatype = _one(shapes, node, SH.datatype)
    if not isinstance(datatype, URIRef):
        raise _Unsupported("sh:datatype is not an IRI")
    # The four datatypes pySHACL treats apart, which SPARQL decides alone.
    exact = {XSD.string: f"datatype(?value) = {XSD.string.n3()}", RDF.langString: 'lang(?value) != ""',
             RDFS.Literal: "isLiteral(?value)", RDFS.Datatype: 'isLiteral(?value) && lang(?value) = ""'}
    if datatype in exact:
        return [_Test(exact[datatype])]
    # Any other: only a literal of that datatype can pass, and rdflib judges whether it is well formed.
    return [_Test("false", partial(_has_datatype, datatype), f"datatype(?value) = {datatype.n3()}")]


_NODE_KINDS = {SH.BlankNode: "isBlank(?value)", SH.IRI: "isIRI(?value)", SH.Literal: "isLiteral(?value)",
               SH.BlankNodeOrIRI: "!isLiteral(?value)", SH.BlankNodeOrLiteral: "!isIRI(?value)",
               SH.IRIOrLiteral: "!isBlank(?value)"}


def _node_kind(shapes, node, custom, seen):
    return [_Test(_NODE_KINDS.get(_one(shapes, node, SH.nodeKind), "false"))]


def _range(parameter, passes):
    def tests(shapes, node, custom, seen):
        bounds = list(shapes.objects(node, parameter))
        if not all(isinstance(b, Literal) for b in bounds):
            raise _Unsupported(f"{parameter} is not a literal")
        return [_Test("false", partial(_in_range, b, passes), "isLiteral(?value)") for b in bounds]
    return tests


def _length_bound(shapes: Graph, node: Node, parameter: URIRef) -> int:
    bound = _one(shapes, node, parameter)
    if (not isinstance(bound, Literal) or bound.ill_typed or bound.datatype not in XSD_WHOLE_INTEGERS
            or bound.datatype in (XSD.negativeInteger, XSD.nonPositiveInteger) or bound.value < 0):
        raise _Unsupported(f"{parameter} is not a non-negative integer")
    return int(bound.value)


# rdflib normalises the lexical form of typed literals ("1"^^xsd:boolean is "true"):
# for those, Python measures the string pySHACL measures.
_TYPED = f'isLiteral(?value) && lang(?value) = "" && datatype(?value) != {XSD.string.n3()}'


def _min_length(shapes, node, custom, seen):
    n = _length_bound(shapes, node, SH.minLength)
    if n == 0:
        return [_Test("true")]
    return [_Test(f"!isBlank(?value) && STRLEN(STR(?value)) >= {n}", partial(_length, lambda k: k >= n), _TYPED)]


def _max_length(shapes, node, custom, seen):
    n = _length_bound(shapes, node, SH.maxLength)
    return [_Test(f"!isBlank(?value) && STRLEN(STR(?value)) <= {n}", partial(_length, lambda k: k <= n), _TYPED)]


def _pattern(shapes, node, custom, seen):
    flags = list(shapes.objects(node, SH.flags))
    if len(flags) > 1:
        raise _Unsupported("more than one sh:flags")
    # pySHACL honours only the i and m flags, with Python's re.
    text = str(flags[0]).lower() if flags else ""
    options = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
    tests = []
    for pattern in shapes.objects(node, SH.pattern):
        if not isinstance(pattern, Literal):
            raise _Unsupported("sh:pattern is not a literal")
        try:
            compiled = re.compile(str(pattern), options)
        except re.error as error:
            raise _Unsupported("sh:pattern does not compile") from error
        tests.append(_Test("false", partial(_matches, compiled), "!isBlank(?value)"))
    return tests


def _language_in(shapes, node, custom, seen):
    tags = list(shapes.items(_one(shapes, node, SH.languageIn)))
    if not all(isinstance(t, Literal) and isinstance(t.value, str) for t in tags):
        raise _Unsupported("sh:languageIn must list strings")
    wanted = {str(t.value).lower() for t in tags}
    if "*" in wanted:
        return [_Test('lang(?value) != ""')]
    # As pySHACL: the whole tag, or its first subtag, is one of the list, ignoring case.
    listed = ", ".join(Literal(t).n3() for t in sorted(wanted)) or '""'
    return [_Test(f'lang(?value) != "" && (LCASE(lang(?value)) IN ({listed}) '
                  f'|| LCASE(STRBEFORE(CONCAT(lang(?value), "-"), "-")) IN ({listed}))')]


def _in(shapes, node, custom, seen):
    members = [m for m in shapes.items(_one(shapes, node, SH["in"])) if not isinstance(m, BNode)]
    # sameTerm, not =: 1 and 1.0 are equal values but different terms.
    return [_Test(" || ".join(f"sameTerm(?value, {m.n3()})" for m in members) or "false")]


def _node(shapes, node, custom, seen):
    return [_conforms(shapes, n, custom, seen) for n in shapes.objects(node, SH.node)]


def _not(shapes, node, custom, seen):
    return [_Op("not", (_conforms(shapes, n, custom, seen),)) for n in shapes.objects(node, SH["not"])]


def _logical(parameter, kind):
    def tests(shapes, node, custom, seen):
        # pySHACL reads the members of sh:and and sh:or as a set, of sh:xone as a list.
        members = (lambda items: items) if kind == "xone" else (lambda items: list(dict.fromkeys(items)))
        return [_Op(kind, tuple(_conforms(shapes, m, custom, seen) for m in members(_list(shapes, lst))))
                for lst in shapes.objects(node, parameter)]
    return tests


_VALUE_TESTS = {
    SH["class"]: _class, SH.datatype: _datatype, SH.nodeKind: _node_kind,
    SH.minExclusive: _range(SH.minExclusive, lambda c: c > 0),
    SH.minInclusive: _range(SH.minInclusive, lambda c: c >= 0),
    SH.maxExclusive: _range(SH.maxExclusive, lambda c: c < 0),
    SH.maxInclusive: _range(SH.maxInclusive, lambda c: c <= 0),
    SH.minLength: _min_length, SH.maxLength: _max_length, SH.pattern: _pattern, SH.languageIn: _language_in,
    SH["in"]: _in, SH.node: _node, SH["not"]: _not, SH["and"]: _logical(SH["and"], "and"),
    SH["or"]: _logical(SH["or"], "or"), SH.xone: _logical(SH.xone, "xone"),
}


def _conforms(shapes: Graph, node: Node, custom: set[Node], seen: frozenset = frozenset()) -> "_Test | _Op":
    """Whether ?value conforms to the nested shape ``node``, if that depends on the value alone."""
    if node in seen:
        raise _Unsupported("recursive shape")
    if _deactivated(shapes, node):
        return _CONFORMS
    if (node, SH.path, None) in shapes:
        raise _Unsupported("a property shape is not local to the value")
    tests = []
    for parameter in _parameters(shapes, node, custom):
        if parameter == SH.hasValue:  # a node shape's one value node is its focus node
            tests += [_Test("false" if isinstance(v, BNode) else f"sameTerm(?value, {v.n3()})")
                      for v in shapes.objects(node, SH.hasValue)]
        elif parameter in _VALUE_TESTS:
            tests += _VALUE_TESTS[parameter](shapes, node, custom, seen | {node})
        else:
            raise _Unsupported(f"{parameter} is not local to the value")
    return _Op("and", tuple(tests))


# Compiled checks --------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """The shape a result comes from, as the report names it."""

    shape: Node
    severity: Node
    messages: tuple
    path: Node | None


@dataclass(frozen=True)
class _Result:
    """One validation result, before it is written into the report."""

    focus: Node
    source: _Source
    component: URIRef
    messages: tuple
    value: Node | None = None
    path: Node | None = None  # a ?path binding; else the shape's own path
    constraint: Node | None = None


@dataclass(frozen=True)
class _Check:
    """One query and how its rows become results."""

    query: str
    read: Callable[[pyoxigraph.QuerySolutions], Iterator[_Result]]


def _component(parameter: URIRef) -> URIRef:
    """The component a value-node parameter belongs to: sh:class, sh:ClassConstraintComponent."""
    name = str(parameter).removeprefix(str(SH))
    return SH[name[0].upper() + name[1:] + "ConstraintComponent"]


def _core_messages(source: _Source, component: URIRef) -> tuple:
    return source.messages or (Literal(f"sh:{str(component).removeprefix(str(SH))} is not satisfied"),)


def _tests_check(source: _Source, component: URIRef, rules: list, values: str, with_value: bool) -> _Check:
    """Rows where a rule fails, or where only Python can tell: one result per failing rule, as pySHACL."""
    columns = _Columns()
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
                    yield _Result(from_ox(row["this"]), source, component, messages, value if with_value else None)
    return _Check(query, read)


def _count_check(source: _Source, component: URIRef, focus: str, path: str, having: str, optional: bool) -> _Check:
    values = f"OPTIONAL {{ ?this {path} ?value }}" if optional else f"?this {path} ?value"
    query = f"SELECT ?this WHERE {{ {focus} {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {having})"
    messages = _core_messages(source, component)
    return _Check(query, lambda rows: (_Result(from_ox(row["this"]), source, component, messages) for row in rows))


def _checks(shapes: Graph, shape: Node, focus: str, custom: set[Node]) -> list[_Check]:
    """The checks of ``shape`` for the focus nodes that ``focus``, a subquery binding ?this, gives."""
    if _deactivated(shapes, shape):
        return []
    paths = list(shapes.objects(shape, SH.path))
    if (len(paths) > 1 or (paths and (shape, RDF.type, SH.NodeShape) in shapes)
            or (not paths and (shape, RDF.type, SH.PropertyShape) in shapes)):
        raise _Unsupported("malformed shape")  # pySHACL refuses it, and says why
    path_node = paths[0] if paths else None
    path = _path(shapes, path_node) if path_node is not None else None
    severities = list(shapes.objects(shape, SH.severity))
    source = _Source(shape, severities[0] if severities else SH.Violation,
                     tuple(shapes.objects(shape, SH.message)), path_node)
    if path is None:
        values = f"{focus} BIND (?this AS ?value)"
    else:
        values = f"{{ SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value }} }}"
    checks = []
    for parameter in _parameters(shapes, shape, custom):
        if parameter in _VALUE_TESTS:
            rules = _VALUE_TESTS[parameter](shapes, shape, custom, frozenset({shape}))
            checks.append(_tests_check(source, _component(parameter), rules, values, True))
        elif parameter == SH.hasValue:
            # A test of the focus node, not of each value: the report has no sh:value.
            rules = [_Test("false" if isinstance(v, BNode)
                           else f"EXISTS {{ ?this {path} {v.n3()} }}" if path else f"sameTerm(?this, {v.n3()})")
                     for v in shapes.objects(shape, SH.hasValue)]
            checks.append(_tests_check(source, SH.HasValueConstraintComponent, rules,
                                       f"{focus} BIND (?this AS ?value)", False))
        elif parameter in (SH.minCount, SH.maxCount) and path is not None:
            bound = _one(shapes, shape, parameter)
            if not (isinstance(bound, Literal) and bound.datatype == XSD.integer
                    and isinstance(bound.value, int) and bound.value >= 0):
                raise _Unsupported(f"{parameter} is not a non-negative xsd:integer")
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
                    raise _Unsupported("sh:property names no property shape")
                checks += _checks(shapes, child, focus, custom)
        elif parameter == SH.sparql:
            checks += _sparql_checks(shapes, source, focus, path is not None)
        else:
            raise _Unsupported(f"{parameter} is not compiled")
    return checks


# SHACL-SPARQL ---------------------------------------------------------------------


def _sparql_checks(shapes: Graph, source: _Source, focus: str, is_property: bool) -> list[_Check]:
    """One check per sh:sparql constraint of the shape: its SELECT, with $this joined to the focus nodes."""
    checks = []
    for constraint in shapes.objects(source.shape, SH.sparql):
        selects = list(shapes.objects(constraint, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal) or not isinstance(selects[0].value, str):
            raise _Unsupported("sh:sparql needs exactly one sh:select string")
        if (constraint, SH.ask, None) in shapes:
            raise _Unsupported("sh:ask")
        messages = list(shapes.objects(constraint, SH.message))
        if not all(isinstance(m, Literal) and isinstance(m.value, str) for m in messages):
            raise _Unsupported("sh:message of a SPARQL constraint must be a string")
        if _deactivated(shapes, constraint):
            continue
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _prefixes(shapes, constraint).items())
        query = prologue + "\n" + _prebind(str(selects[0].value), focus)
        # pySHACL reports the constraint's messages and the shape's, each with the row's values put in.
        checks.append(_Check(query, partial(_sparql_results, source, constraint,
                                            tuple(dict.fromkeys([*messages, *source.messages])), is_property)))
    return checks


def _sparql_results(source: _Source, constraint: Node, messages: tuple, is_property: bool,
                    rows: pyoxigraph.QuerySolutions) -> Iterator[_Result]:
    """Results from a SELECT's rows, built as pySHACL builds them from each focus node's rows."""
    names = [v.value for v in rows.variables]
    seen = set()
    for row in rows:
        bound = {n: from_ox(row[n]) for n in names if row[n] is not None}
        focus = bound.get("this")
        if "failure" in bound:
            del bound["failure"]
            if (focus, "failure") not in seen:  # pySHACL reports one failure per focus node
                seen.add((focus, "failure"))
                yield _Result(focus, source, SH.SPARQLConstraintComponent, _fill(messages, bound),
                              None if is_property else focus, constraint=constraint)
            continue
        path, value, this = bound.pop("path", None), bound.pop("value", None), bound.pop("this", None)
        key = (focus, this, path, value, tuple(bound.items()))
        if key in seen:
            continue
        seen.add(key)
        if value is None and not is_property:
            value = focus
        filled = _fill(messages, {"this": this, "path": path, "value": value, **bound})
        yield _Result(this if this is not None else focus, source, SH.SPARQLConstraintComponent, filled,
                      value, path, constraint)


def _fill(messages: tuple, names: dict) -> tuple:
    """Messages with {?var} / {$var} replaced by str() of the bindings (pyshacl_adapter.fill, as pySHACL is made to)."""
    if not messages:
        return (Literal("sh:SPARQLConstraintComponent is not satisfied"),)
    filled = []
    for message in messages:
        if not isinstance(message, Literal):
            filled.append(message)
            continue
        filled.append(Literal(pyshacl_adapter.fill(str(message.value), names)))
    return tuple(filled)


def _prefixes(shapes: Graph, constraint: Node) -> dict[str, str]:
    """The prefixes of a SPARQL constraint: SHACL's sh:prefixes/owl:imports*/sh:declare, and those pySHACL adds.

    pySHACL (SPARQLQueryHelper.collect_prefixes) does not follow owl:imports,
    but rdflib lends it the data graph's Turtle prefixes; Oxigraph has none.
    """
    prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    graph_declares = set(shapes.objects(shapes.identifier, SH.declare))
    ontologies = set(shapes.subjects(RDF.type, OWL.Ontology))
    everywhere = graph_declares | {d for o in ontologies for d in shapes.objects(o, SH.declare)}
    for holder in shapes.objects(constraint, SH.prefixes):
        imported = set(shapes.transitive_objects(holder, OWL.imports)) - {holder}
        own = set(shapes.objects(holder, SH.declare)) | {d for i in imported for d in shapes.objects(i, SH.declare)}
        for declaration in (own | graph_declares) if own and holder in ontologies else (everywhere | own):
            prefix, namespace = _one(shapes, declaration, SH.prefix), _one(shapes, declaration, SH.namespace)
            if not (isinstance(prefix, Literal) and isinstance(prefix.value, str) and isinstance(namespace, Literal)
                    and (isinstance(namespace.value, str) or namespace.datatype == XSD.anyURI)):
                raise _Unsupported("malformed sh:declare")
            prefixes[str(prefix.value)] = str(namespace.value)
    return prefixes


_TOKEN = re.compile(r"""
      (?P<skip>\s+|\#[^\r\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$]\w+)
    | (?P<name>(?:[^\W\d][\w.-]*)?:(?:[\w:%.-]|\\.)*|[^\W\d]\w*)
    | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
    | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
# Pre-binding $this is a join with the focus nodes only under SHACL's syntax
# rules (section 5.3.1) and when each focus node's rows stay its own: no
# query-wide LIMIT, no aggregate over more than one focus node.
_REFUSED = {"MINUS", "VALUES", "SERVICE", "GRAPH", "FROM", "LIMIT", "OFFSET"}
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


@dataclass
class _Group:
    """A { … } of the query, while the lexer is inside it."""

    at: int  # where a pattern can be put first in it
    kind: str  # "group", "exists" (also anything inside one) or "subquery" ({ SELECT … })
    parens: int
    mentions: bool = False  # $this occurs in it, at any depth
    binds: bool = False  # a triple pattern of its own binds $this


def _prebind(select: str, focus: str) -> str:
    """``select`` with the focus subquery joined first in each group that needs $this bound.

    That is the outermost group, and every group that mentions $this without
    binding it in a triple pattern of its own (a FILTER or BIND in a UNION
    branch, say), except inside EXISTS, where Oxigraph substitutes the outer
    binding. Raises _Unsupported where a join would differ from pre-binding.
    """
    helper = SPARQLQueryHelper(None, None, select)
    try:
        helper.check_invalid_sparql(select)
    except ValidationFailure as error:  # pySHACL refuses it: let pySHACL report that
        raise _Unsupported(str(error)) from error
    if not helper.bind_this_regex.search(select) or any(
            r.search(select) for r in (helper.bind_path_regex, helper.bind_cs_regex, helper.bind_sg_regex)):
        raise _Unsupported("pySHACL binds this query's variables otherwise")
    tokens = [(m.lastgroup, m.group(), m.end()) for m in _TOKEN.finditer(select) if m.lastgroup != "skip"]
    # Keywords upper-cased, variables as ?name ($this is ?this), anything else as written.
    words = [t[1].upper() if t[0] == "name" else ("?" + t[1][1:] if t[0] == "var" else t[1]) for t in tokens]
    if "SELECT" not in words:
        raise _Unsupported("not a SELECT query")
    start = words.index("SELECT")
    for i, (kind, _, _) in enumerate(tokens):
        if kind == "name" and words[i] in _REFUSED:
            raise _Unsupported(f"{words[i]} in a SPARQL constraint")
        if kind == "name" and words[i] == "AS" and words[i + 1: i + 2] == ["?this"]:
            raise _Unsupported("AS $this")
        if kind == "name" and words[i] == "SELECT" and not _projects_this(tokens, words, i, nested=i != start):
            raise _Unsupported("a SELECT that does not project $this")
    opened = _where(tokens, words, start)
    depth, end = 0, opened
    for end in range(opened, len(words)):
        depth += _brace(tokens[end])
        if depth == 0:
            break
    outside = words[start:opened] + words[end + 1:]
    grouped = "GROUP" in outside or "HAVING" in outside or any(
        w in _AGGREGATES and nxt == "(" for w, nxt in zip(outside, outside[1:]))
    if grouped and "?this" not in _group_keys(tokens, words, end + 1):
        raise _Unsupported("aggregates over more than one focus node")
    inserts = _insertion_points(tokens, words, opened, end)
    text, last = [], 0
    for at in sorted(inserts):
        text += [select[last:at], " ", focus, " "]
        last = at
    return "".join(text) + select[last:]


def _brace(token) -> int:
    return {"{": 1, "}": -1}.get(token[1], 0) if token[0] == "other" else 0


def _paren(token) -> int:
    return {"(": 1, ")": -1}.get(token[1], 0) if token[0] == "other" else 0


def _where(tokens, words, select: int) -> int:
    """The { that opens the WHERE group of the SELECT at ``select`` (an EXISTS in its projection is in parentheses)."""
    parens = 0
    for j in range(select + 1, len(words)):
        if _brace(tokens[j]) == 1 and parens == 0:
            return j
        parens += _paren(tokens[j])
    raise _Unsupported("a SELECT with no WHERE group")


def _projects_this(tokens, words, i: int, nested: bool) -> bool:
    """Whether the SELECT at ``i`` projects $this as a plain variable (or *, at the top)."""
    parens = 0
    for j in range(i + 1, _where(tokens, words, i)):
        if parens == 0 and (words[j] == "?this" or (words[j] == "*" and not nested)):
            return True
        parens += _paren(tokens[j])
    return False


def _group_keys(tokens, words, after: int) -> set[str]:
    keys, inside, parens = set(), False, 0
    for j in range(after, len(words)):
        if words[j] == "BY" and words[j - 1] == "GROUP":
            inside = True
        elif words[j] in ("HAVING", "ORDER"):
            inside = False
        elif inside and parens == 0 and tokens[j][0] == "var":
            keys.add(words[j])
        parens += _paren(tokens[j])
    return keys


def _insertion_points(tokens, words, opened: int, end: int) -> list[int]:
    """Where the focus subquery goes: after the { of the outermost group and of each group that needs it."""
    groups: list[_Group] = []
    points, parens = [], 0
    for j in range(opened, end + 1):
        parens += _paren(tokens[j])
        if _brace(tokens[j]) == 1:
            in_exists = bool(groups) and groups[-1].kind == "exists"
            subquery = words[j + 1: j + 2] == ["SELECT"]
            if in_exists and subquery:
                raise _Unsupported("a subquery inside EXISTS")
            kind = "exists" if in_exists or words[j - 1] == "EXISTS" else "subquery" if subquery else "group"
            groups.append(_Group(tokens[j][2], kind, parens))
        elif _brace(tokens[j]) == -1:
            group = groups.pop()
            if not groups or (group.kind == "group" and group.mentions and not group.binds):
                points.append(group.at)
            if groups:
                groups[-1].mentions |= group.mentions
        elif words[j] == "?this" and groups:
            groups[-1].mentions = True
            if parens == groups[-1].parens and groups[-1].kind == "group":
                groups[-1].binds = True
    return points


# Validation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """A top-level shape and the checks that validate it."""

    shape: Node
    checks: list[_Check]


def _compile(shapes: Graph) -> tuple[list[_Plan], list[Node]]:
    """The checks of every top-level shape, and the shapes pySHACL must validate."""
    custom = {path for component in shapes.subjects(RDF.type, SH.ConstraintComponent)
              for parameter in shapes.objects(component, SH.parameter)
              for path in shapes.objects(parameter, SH.path)}
    plans, delegated = [], []
    for shape in top_level_shapes(shapes):
        try:
            # A subquery, so that a focus node with two targets is still one focus node.
            focus = "{ SELECT DISTINCT ?this WHERE { %s } }" % _targets(shapes, shape)
            plans.append(_Plan(shape, _checks(shapes, shape, focus, custom)))
        except _Unsupported:
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


def validate(data: pyoxigraph.Store, shapes: Graph) -> Graph:
    """SHACL validation of the union of data's graphs; the W3C sh:ValidationReport as an rdflib Graph."""
    report = Graph(bind_namespaces="core")
    for triple in report_triples(data, shapes)[1]:
        report.add(triple)
    return report


class _Triples(list):
    """A report as a plain list of triples: building an rdflib Graph costs more than the queries."""

    add = list.append


def report_triples(data: pyoxigraph.Store, shapes: Graph) -> tuple[BNode, list[tuple]]:
    """The same report as ``validate``, as its root node and a list of triples."""
    plans, delegated = _compiled(shapes)
    results: list[_Result] = []
    for plan in plans:
        try:
            found = [r for check in plan.checks
                     for r in check.read(data.query(check.query, use_default_graph_as_union=True))]
        except SyntaxError:  # Oxigraph refuses a constraint's SPARQL that rdflib may accept
            delegated.append(plan.shape)
            continue
        results += found
    report = _Triples()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    copied: set[Node] = set()
    for result in results:
        _write(report, root, shapes, result, copied)
    if delegated:
        compiled = {p.shape for p in plans} - set(delegated)
        _by_pyshacl(data, shapes, compiled, report, root)
    # SHACL's definition: conforms iff there is no result, whatever its severity.
    report.add((root, SH.conforms, Literal(not any(s == root and p == SH.result for s, p, _ in report))))
    return root, report


def _write(report: _Triples, root: Node, shapes: Graph, result: _Result, copied: set[Node]) -> None:
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


def _copy(shapes: Graph, node: Node, report: _Triples, copied: set[Node]) -> None:
    """Copy a blank path node and all it leads to (lists, inverse paths) with their ids, as pySHACL does."""
    if not isinstance(node, BNode) or node in copied:
        return
    copied.add(node)
    for _, p, o in shapes.triples((node, None, None)):
        report.add((node, p, o))
        _copy(shapes, o, report, copied)


def validate_graph(data: Graph, shapes: Graph) -> Graph:
    """pySHACL's report on an rdflib graph, for data that must be judged term for term as given."""
    with pyshacl_adapter.fixed():
        _, found, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    if isinstance(found, ValidationFailure):  # pySHACL returns it in place of a report
        raise ShapesError(f"the shapes cannot be applied: {found.message}")
    return found


def _by_pyshacl(data: pyoxigraph.Store, shapes: Graph, compiled: set[Node], report: _Triples, root: Node) -> None:
    """Validate the shapes that were not compiled with pySHACL, on the same triples; add its results to ``report``.

    pySHACL's ``use_shapes`` takes IRIs only, and a top-level shape may be a
    blank node: pySHACL gets the whole shapes graph, with the targets of the
    shapes already validated here taken away.
    """
    graph = Graph()
    for quad in data:
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    rest = Graph()
    rest += shapes
    rest.namespace_manager = shapes.namespace_manager  # pySHACL's messages name nodes by these prefixes
    class_types = _class_types(shapes)
    for shape in compiled:
        for p in _TARGETS:
            rest.remove((shape, p, None))
        for t in class_types:
            rest.remove((shape, RDF.type, t))
    found = validate_graph(graph, rest)
    (their_root,) = found.subjects(RDF.type, SH.ValidationReport)
    for s, p, o in found:
        if s != their_root:
            report.add((s, p, o))
    for result in found.objects(their_root, SH.result):
        report.add((root, SH.result, result))
