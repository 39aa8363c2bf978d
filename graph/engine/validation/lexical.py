"""Literals the store holds as other terms: which shapes can see how they were written, and giving them back.

Oxigraph's store keeps numbers, booleans, dates and language tags by value:
"21.660"^^xsd:decimal comes back as "21.66", "100"^^xsd:byte as
"100"^^xsd:integer, "en-GB" as "en-gb". Most constraints compare values, where
that makes no difference. A shape sees the written form only

- by testing a value's text or term: sh:pattern, sh:minLength, sh:maxLength,
  sh:languageIn, sh:uniqueLang, sh:in, sh:hasValue, and sh:datatype when a datatype changes;
- in SPARQL, through STR(), which is given the written text back by a function
  of the engine's, or through LANG(), DATATYPE(), sameTerm(), GROUP_CONCAT or an
  xsd:string() cast, which are not: such a shape is validated by pySHACL;
- in the report, where every term a query gives back is given back as written.

All this holds while each stored term stands for one written term. When two
(1.0 and 1.00) become one, joins and counts differ too: ``of`` says so, and pySHACL validates all.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from graph.engine import store
from graph.engine.validation.prebinding import _TOKEN
from graph.engine.validation.shapes import list_items, top_level_shapes
from graph.vocab import ENGINE_BASE

# The function that STR() becomes where a shape's SPARQL may read a changed literal.
WRITTEN_TEXT = ox.NamedNode(ENGINE_BASE + "written-text")
# Tests of a value's text or term, which see how it is written.
_TEXT_TESTS = (SH.pattern, SH.minLength, SH.maxLength, SH.languageIn, SH.uniqueLang, SH["in"], SH.hasValue)
# SPARQL that reads how a term is written, other than STR().
_OPAQUE = {"LANG", "LANGMATCHES", "DATATYPE", "SAMETERM", "GROUP_CONCAT", "XSD:STRING",
           "<HTTP://WWW.W3.ORG/2001/XMLSCHEMA#STRING>"}
# The shapes that hold a node's value nodes as their focus nodes, and their lists.
_NESTED, _NESTED_LISTS = (SH.node, SH["not"], SH.qualifiedValueShape), (SH["and"], SH["or"], SH.xone)


@dataclass(frozen=True)
class Lexical:
    """The data's literals that the store holds as other terms (their stored term: their written one)."""

    written: dict[ox.Literal, ox.Literal]
    predicates: frozenset[URIRef]  # those whose objects include one
    datatypes: bool  # one of them changes datatype
    quads: list[ox.Quad]  # the data as written, for pySHACL

    def rows(self, rows: ox.QuerySolutions) -> "_Rows":
        """A query's rows with each stored term of a changed literal given back as written."""
        return _Rows(rows, self.written)

    def text(self, term: ox.NamedNode | ox.Literal | ox.BlankNode) -> ox.Literal | None:
        """STR() of the term as written (None, SPARQL's error, for a blank node)."""
        if isinstance(term, ox.BlankNode):
            return None
        return ox.Literal(self.written.get(term, term).value) if isinstance(term, ox.Literal) else ox.Literal(term.value)

    def graph(self) -> Graph:
        return store.as_graph(self.quads, {})


def of(quads: list[ox.Quad], changed: list[ox.Literal]) -> Lexical | None:
    """What the store changes of ``quads``' literals (``changed``, from store.as_store); None when two become one."""
    probe = ox.Store()
    probe.extend(ox.Quad(ox.NamedNode(f"urn:literal:{i}"), WRITTEN_TEXT, literal) for i, literal in enumerate(changed))
    stored = {int(q.subject.value.rsplit(":", 1)[1]): q.object for q in probe}
    written = {stored[i]: literal for i, literal in enumerate(changed)}
    given = {q.object for q in quads if type(q.object) is ox.Literal}
    if len(written) < len(changed) or any(term in given for term in written):
        return None
    changed_set = set(changed)
    predicates = frozenset(URIRef(q.predicate.value) for q in quads if q.object in changed_set)
    datatypes = any(s.datatype != w.datatype for s, w in written.items())
    return Lexical(written, predicates, datatypes, quads)


class _Rows:
    """Query solutions read through ``written``: the same variables, each row's changed literals as written."""

    def __init__(self, rows: ox.QuerySolutions, written: dict):
        self._rows, self._written = rows, written
        self.variables = rows.variables

    def __iter__(self) -> Iterator["_Row"]:
        return (_Row(row, self._written) for row in self._rows)


class _Row:
    __slots__ = ("_row", "_written")

    def __init__(self, row: ox.QuerySolution, written: dict):
        self._row, self._written = row, written

    def __getitem__(self, key):
        term = self._row[key]
        return self._written.get(term, term) if type(term) is ox.Literal else term


def seen_by(shapes: Graph, lexical: Lexical) -> tuple[set[Node], set[Node]]:
    """The top-level shapes that see how a changed literal is written: those pySHACL must validate,
    and those whose SPARQL needs STR() to give the written text (``written_text``)."""
    to_pyshacl, to_rewrite = set(), set()
    for shape in top_level_shapes(shapes):
        focus = any(p in lexical.predicates for p in shapes.objects(shape, SH.targetObjectsOf))
        seen = _Seen()
        _walk(shapes, shape, focus, lexical, seen, set())
        if seen.opaque:
            to_pyshacl.add(shape)
        elif seen.text:
            to_rewrite.add(shape)
    return to_pyshacl, to_rewrite


@dataclass
class _Seen:
    opaque: bool = False
    text: bool = False


def _walk(shapes: Graph, shape: Node, focus: bool, lexical: Lexical, seen: _Seen, visited: set) -> None:
    """Whether ``shape``, whose focus nodes may be changed literals if ``focus``, sees how one is written."""
    if shape in visited:
        return
    visited.add(shape)
    path = shapes.value(shape, SH.path)
    # Conservatively: a path that names a predicate of a changed literal anywhere may reach one.
    values = focus or (path is not None and bool(_iris(shapes, path) & lexical.predicates))
    tests = (*_TEXT_TESTS, SH.datatype) if lexical.datatypes else _TEXT_TESTS
    if values and any((shape, t, None) in shapes for t in tests):
        seen.opaque = True
    for constraint in shapes.objects(shape, SH.sparql):
        for select in shapes.objects(constraint, SH.select):
            tokens = [(m.lastgroup, m.group().upper()) for m in _TOKEN.finditer(str(select)) if m.lastgroup != "skip"]
            if values or _reads(tokens, lexical.predicates):
                words = {word for kind, word in tokens if kind != "string"}
                seen.opaque |= bool(words & _OPAQUE)
                seen.text |= "STR" in words
    for child in shapes.objects(shape, SH.property):
        _walk(shapes, child, values, lexical, seen, visited)
    for p in _NESTED:
        for child in shapes.objects(shape, p):
            _walk(shapes, child, values, lexical, seen, visited)
    for p in _NESTED_LISTS:
        for members in shapes.objects(shape, p):
            for child in list_items(shapes, members):
                _walk(shapes, child, values, lexical, seen, visited)


def _iris(shapes: Graph, node: Node) -> set:
    """Every IRI in a path's description."""
    found, todo, done = set(), [node], set()
    while todo:
        node = todo.pop()
        if node in done:
            continue
        done.add(node)
        if isinstance(node, URIRef):
            found.add(node)
        else:
            todo += list(shapes.objects(node, None))
    return found


def _reads(tokens: list[tuple], predicates: frozenset[URIRef]) -> bool:
    """Whether a query may match a triple of one of ``predicates``: it names one (or one of the same local name),
    or has a variable or a negated set (!) as a predicate."""
    names = {f"<{p}>".upper() for p in predicates}
    locals_ = {":" + _local(p).upper() for p in predicates}
    projection = False
    for i, (kind, word) in enumerate(tokens):
        if word in names or (kind == "name" and any(word.endswith(n) for n in locals_)):
            return True
        projection = (projection or word == "SELECT") and word != "{"
        if projection or i < 2:
            continue
        before, start = tokens[i - 1], tokens[i - 2][1]
        subject = before[0] in ("var", "iri") or (before[0] == "name" and ":" in before[1]) or before[1] == "]"
        # A variable after ";", or after a subject that starts a triple pattern, is a predicate; so is a
        # negated set in a path ("|" alone: "||" is a FILTER's or).
        if kind == "var" and (before[1] == ";" or (subject and start in ("{", ".", "}", ")"))):
            return True
        if word == "!" and (subject or before[1] in (";", "/", "^") or (before[1] == "|" and start != "|")):
            return True
    return False


def _local(iri: str) -> str:
    return re.split(r"[#/:]", iri)[-1]


def written_text(query: str) -> str:
    """``query`` with each STR(…) a call of WRITTEN_TEXT, which gives a changed literal's text as written."""
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(query) if m.lastgroup != "skip"]
    text, last = [], 0
    for (kind, word, start, end), following in pairwise(tokens):
        if kind == "name" and word.upper() == "STR" and following[1] == "(":
            text += [query[last:start], f"<{WRITTEN_TEXT.value}>"]
            last = end
    return "".join(text) + query[last:]
