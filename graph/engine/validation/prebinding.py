"""Pre-binding $this (SHACL section 5.3.1) as a join: the focus nodes' subquery put first in the groups that need it.

The query's text is changed in place, so the positions of its groups are
needed, and a small lexer finds them. Neither parser at hand gives them:
rdflib's ``parseQuery`` builds a tree with no source offsets, and its
algebra serialised back (``translateAlgebra``) is not the same query text
that pySHACL and Oxigraph read; pyoxigraph parses a query only to run it.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from itertools import pairwise

from pyshacl.errors import ValidationFailure
from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

from graph.engine.validation.shapes import Unsupported

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


def prebind(select: str, focus: str) -> str:
    """``select`` with the focus subquery joined first in each group that needs $this bound.

    That is the outermost group, and every group that mentions $this without
    binding it in a triple pattern of its own (a FILTER or BIND in a UNION
    branch, say), except inside EXISTS, where Oxigraph substitutes the outer
    binding. Raises Unsupported where a join would differ from pre-binding.
    """
    helper = SPARQLQueryHelper(None, None, select)
    try:
        helper.check_invalid_sparql(select)
    except ValidationFailure as error:  # pySHACL refuses it: let pySHACL report that
        raise Unsupported(str(error)) from error
    if not helper.bind_this_regex.search(select) or any(
            r.search(select) for r in (helper.bind_path_regex, helper.bind_cs_regex, helper.bind_sg_regex)):
        raise Unsupported("pySHACL binds this query's variables otherwise")
    tokens = [(m.lastgroup, m.group(), m.end()) for m in _TOKEN.finditer(select) if m.lastgroup != "skip"]
    # Keywords upper-cased, variables as ?name ($this is ?this), anything else as written.
    words = [t[1].upper() if t[0] == "name" else ("?" + t[1][1:] if t[0] == "var" else t[1]) for t in tokens]
    if "SELECT" not in words:
        raise Unsupported("not a SELECT query")
    start = words.index("SELECT")
    for i, (kind, _, _) in enumerate(tokens):
        if kind == "name" and words[i] in _REFUSED:
            raise Unsupported(f"{words[i]} in a SPARQL constraint")
        if kind == "name" and words[i] == "AS" and words[i + 1: i + 2] == ["?this"]:
            raise Unsupported("AS $this")
        if kind == "name" and words[i] == "SELECT" and not _projects_this(tokens, words, i, nested=i != start):
            raise Unsupported("a SELECT that does not project $this")
    opened = _where(tokens, words, start)
    depth, end = 0, opened
    for end in range(opened, len(words)):
        depth += _brace(tokens[end])
        if depth == 0:
            break
    outside = words[start:opened] + words[end + 1:]
    grouped = "GROUP" in outside or "HAVING" in outside or any(
        w in _AGGREGATES and nxt == "(" for w, nxt in pairwise(outside))
    if grouped and "?this" not in _group_keys(tokens, words, end + 1):
        raise Unsupported("aggregates over more than one focus node")
    inserts = _insertion_points(tokens, words, opened, end)
    text, last = [], 0
    for at in sorted(inserts):
        text += [select[last:at], " ", focus, " "]
        last = at
    return "".join(text) + select[last:]


def bind_now(query: str, now: datetime.datetime) -> str:
    """``query`` with each NOW() replaced by ``now``, an xsd:dateTime: every rule of one validation reads the same instant.

    SPARQL gives NOW() one value per query; the validator gives it one per
    validation, which it can be told (a report kept for a day, a test of the 1st of a month).
    """
    return ('"%s"^^<http://www.w3.org/2001/XMLSchema#dateTime>' % now.isoformat()).join(_around_now(query))


@functools.lru_cache(maxsize=1024)
def _around_now(query: str) -> tuple[str, ...]:
    """The text of ``query`` between its NOW() calls (found once per query: every unit's validation asks)."""
    if "NOW" not in query.upper():
        return (query,)
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKEN.finditer(query) if m.lastgroup != "skip"]
    parts, last = [], 0
    for (kind, word, start, _), (_, opened, _, _), (_, closed, _, end) in zip(tokens, tokens[1:], tokens[2:]):
        if kind == "name" and word.upper() == "NOW" and (opened, closed) == ("(", ")"):
            parts.append(query[last:start])
            last = end
    return (*parts, query[last:])


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
    raise Unsupported("a SELECT with no WHERE group")


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
                raise Unsupported("a subquery inside EXISTS")
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

