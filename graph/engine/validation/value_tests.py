"""Tests of a value node: the core constraint components that judge each value alone, as SPARQL booleans.

SHACL's value type, value range, string-based, logical, shape-based and
sh:in components (sections 4.1, 4.3, 4.4, 4.6, 4.7, 4.8) each become a
``Test`` of ?value, or an ``Op`` over the tests of nested shapes. Where SPARQL
cannot decide a test as pySHACL does, Python decides it on the rows the query
returns for it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial

import pyoxigraph
from pyshacl.consts import XSD_WHOLE_INTEGERS
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from graph.engine.validation.shapes import INSTANCE, Unsupported, deactivated, list_items, one, parameters

_TRUE = pyoxigraph.Literal(True)


@dataclass(frozen=True, eq=False)
class Test:
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
class Op:
    """and / or / xone / not over tests: the conformance of a value to nested shapes."""

    kind: str
    args: tuple


_CONFORMS = Op("and", ())


@dataclass
class Columns:
    """The tests of one query: each is bound to a column, read back for the rows Python re-decides."""

    binds: list[str] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    names: dict[Test, str] = field(default_factory=dict)

    def render(self, expr: "Test | Op") -> str:
        """The SPARQL boolean for ``expr``, registering its tests."""
        if isinstance(expr, Test):
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

    def holds(self, expr: "Test | Op", row: pyoxigraph.QuerySolution, value: Node) -> bool:
        """Whether ``expr`` holds for the row, as pySHACL decides it."""
        if isinstance(expr, Test):
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


def _class(shapes, node, custom, seen):
    classes = list(shapes.objects(node, SH["class"]))
    if not all(isinstance(c, URIRef) for c in classes):
        raise Unsupported("sh:class is not an IRI")
    return [Test(f"!isLiteral(?value) && EXISTS {{ ?value {INSTANCE} {c.n3()} }}") for c in classes]


def _datatype(shapes, node, custom, seen):
    datatype = one(shapes, node, SH.datatype)
    if not isinstance(datatype, URIRef):
        raise Unsupported("sh:datatype is not an IRI")
    # The four datatypes pySHACL treats apart, which SPARQL decides alone.
    exact = {XSD.string: f"datatype(?value) = {XSD.string.n3()}", RDF.langString: 'lang(?value) != ""',
             RDFS.Literal: "isLiteral(?value)", RDFS.Datatype: 'isLiteral(?value) && lang(?value) = ""'}
    if datatype in exact:
        return [Test(exact[datatype])]
    # Any other: only a literal of that datatype can pass, and rdflib judges whether it is well formed.
    return [Test("false", partial(_has_datatype, datatype), f"datatype(?value) = {datatype.n3()}")]


_NODE_KINDS = {SH.BlankNode: "isBlank(?value)", SH.IRI: "isIRI(?value)", SH.Literal: "isLiteral(?value)",
               SH.BlankNodeOrIRI: "!isLiteral(?value)", SH.BlankNodeOrLiteral: "!isIRI(?value)",
               SH.IRIOrLiteral: "!isBlank(?value)"}


def _node_kind(shapes, node, custom, seen):
    return [Test(_NODE_KINDS.get(one(shapes, node, SH.nodeKind), "false"))]


def _range(parameter, passes):
    def tests(shapes, node, custom, seen):
        bounds = list(shapes.objects(node, parameter))
        if not all(isinstance(b, Literal) for b in bounds):
            raise Unsupported(f"{parameter} is not a literal")
        return [Test("false", partial(_in_range, b, passes), "isLiteral(?value)") for b in bounds]
    return tests


def _length_bound(shapes: Graph, node: Node, parameter: URIRef) -> int:
    bound = one(shapes, node, parameter)
    if (not isinstance(bound, Literal) or bound.ill_typed or bound.datatype not in XSD_WHOLE_INTEGERS
            or bound.datatype in (XSD.negativeInteger, XSD.nonPositiveInteger) or bound.value < 0):
        raise Unsupported(f"{parameter} is not a non-negative integer")
    return int(bound.value)


# rdflib normalises the lexical form of typed literals ("1"^^xsd:boolean is "true"):
# for those, Python measures the string pySHACL measures.
_TYPED = f'isLiteral(?value) && lang(?value) = "" && datatype(?value) != {XSD.string.n3()}'


def _min_length(shapes, node, custom, seen):
    n = _length_bound(shapes, node, SH.minLength)
    if n == 0:
        return [Test("true")]
    return [Test(f"!isBlank(?value) && STRLEN(STR(?value)) >= {n}", partial(_length, lambda k: k >= n), _TYPED)]


def _max_length(shapes, node, custom, seen):
    n = _length_bound(shapes, node, SH.maxLength)
    return [Test(f"!isBlank(?value) && STRLEN(STR(?value)) <= {n}", partial(_length, lambda k: k <= n), _TYPED)]


def _pattern(shapes, node, custom, seen):
    flags = list(shapes.objects(node, SH.flags))
    if len(flags) > 1:
        raise Unsupported("more than one sh:flags")
    # pySHACL honours only the i and m flags, with Python's re.
    text = str(flags[0]).lower() if flags else ""
    options = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
    tests = []
    for pattern in shapes.objects(node, SH.pattern):
        if not isinstance(pattern, Literal):
            raise Unsupported("sh:pattern is not a literal")
        try:
            compiled = re.compile(str(pattern), options)
        except re.error as error:
            raise Unsupported("sh:pattern does not compile") from error
        tests.append(Test("false", partial(_matches, compiled), "!isBlank(?value)"))
    return tests


def _language_in(shapes, node, custom, seen):
    tags = list(shapes.items(one(shapes, node, SH.languageIn)))
    if not all(isinstance(t, Literal) and isinstance(t.value, str) for t in tags):
        raise Unsupported("sh:languageIn must list strings")
    wanted = {str(t.value).lower() for t in tags}
    if "*" in wanted:
        return [Test('lang(?value) != ""')]
    # As pySHACL: the whole tag, or its first subtag, is one of the list, ignoring case.
    listed = ", ".join(Literal(t).n3() for t in sorted(wanted)) or '""'
    return [Test(f'lang(?value) != "" && (LCASE(lang(?value)) IN ({listed}) '
                  f'|| LCASE(STRBEFORE(CONCAT(lang(?value), "-"), "-")) IN ({listed}))')]


def _in(shapes, node, custom, seen):
    members = [m for m in shapes.items(one(shapes, node, SH["in"])) if not isinstance(m, BNode)]
    # sameTerm, not =: 1 and 1.0 are equal values but different terms.
    return [Test(" || ".join(f"sameTerm(?value, {m.n3()})" for m in members) or "false")]


def _node(shapes, node, custom, seen):
    return [conforms(shapes, n, custom, seen) for n in shapes.objects(node, SH.node)]


def _not(shapes, node, custom, seen):
    return [Op("not", (conforms(shapes, n, custom, seen),)) for n in shapes.objects(node, SH["not"])]


def _logical(parameter, kind):
    def tests(shapes, node, custom, seen):
        # pySHACL reads the members of sh:and and sh:or as a set, of sh:xone as a list.
        members = (lambda items: items) if kind == "xone" else (lambda items: list(dict.fromkeys(items)))
        return [Op(kind, tuple(conforms(shapes, m, custom, seen) for m in members(list_items(shapes, lst))))
                for lst in shapes.objects(node, parameter)]
    return tests


# Each parameter that judges a value node alone, and how it becomes tests.
VALUE_TESTS = {
    SH["class"]: _class, SH.datatype: _datatype, SH.nodeKind: _node_kind,
    SH.minExclusive: _range(SH.minExclusive, lambda c: c > 0),
    SH.minInclusive: _range(SH.minInclusive, lambda c: c >= 0),
    SH.maxExclusive: _range(SH.maxExclusive, lambda c: c < 0),
    SH.maxInclusive: _range(SH.maxInclusive, lambda c: c <= 0),
    SH.minLength: _min_length, SH.maxLength: _max_length, SH.pattern: _pattern, SH.languageIn: _language_in,
    SH["in"]: _in, SH.node: _node, SH["not"]: _not, SH["and"]: _logical(SH["and"], "and"),
    SH["or"]: _logical(SH["or"], "or"), SH.xone: _logical(SH.xone, "xone"),
}


def conforms(shapes: Graph, node: Node, custom: set[Node], seen: frozenset = frozenset()) -> "Test | Op":
    """Whether ?value conforms to the nested shape ``node``, if that depends on the value alone."""
    if node in seen:
        raise Unsupported("recursive shape")
    if deactivated(shapes, node):
        return _CONFORMS
    if (node, SH.path, None) in shapes:
        raise Unsupported("a property shape is not local to the value")
    tests = []
    for parameter in parameters(shapes, node, custom):
        if parameter == SH.hasValue:  # a node shape's one value node is its focus node
            tests += [Test("false" if isinstance(v, BNode) else f"sameTerm(?value, {v.n3()})")
                      for v in shapes.objects(node, SH.hasValue)]
        elif parameter in VALUE_TESTS:
            tests += VALUE_TESTS[parameter](shapes, node, custom, seen | {node})
        else:
            raise Unsupported(f"{parameter} is not local to the value")
    return Op("and", tuple(tests))

