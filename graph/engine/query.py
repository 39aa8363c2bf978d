"""The check every SPARQL query passes before it runs, and why a query is refused or not answered.

A query passes ``check`` before it runs anywhere: it must parse as a query
(an update is refused), use no SERVICE, call only the functions SPARQL
defines, XSD casts and the extension functions an operator allows (a server
such as Virtuoso runs its own procedures, bif:http_get among them, for
anyone who can name them), declare every prefix it uses, and name in FROM /
FROM NAMED only graphs the store holds or http(s): and urn: IRIs, which are
empty graphs, never fetched. The query workers (graph.engine.workers) call
``check`` under the time limit, and graph.engine.results writes the answers.
Nothing here knows HTTP: a refusal says which of ``REASONS`` it is, and the
viewer picks the status.
"""

import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urljoin

from pyparsing import ParseException, ParseResults
from rdflib import URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from graph.engine.store import is_iri
from graph.errors import StrategyGraphError
from graph.settings import SettingError
from graph.vocab import PREFIXES

# Why a query is refused or not answered.
REASONS = (
    "malformed",       # it does not parse, or a parameter is wrong
    "read-only",       # an update
    "refused",         # SERVICE, or a graph the store does not hold
    "not-acceptable",  # none of the formats the client accepts fits the query's form
    "too-large",       # the result is over the size limit
    "timed-out",       # stopped at the time limit
    "too-costly",      # stopped at the memory limit
    "busy",            # every worker is busy
    "unavailable",     # the query service is not running
    "failed",          # the engine failed on it
)


class QueryError(StrategyGraphError):
    """A query that is refused, or could not be answered: the message says why, ``reason`` (one of REASONS) what kind of why."""

    def __init__(self, message: str, reason: str = "malformed"):
        super().__init__(message)
        if reason not in REASONS:
            raise ValueError(f"{reason!r} is not one of {REASONS}")
        self.reason = reason


_PARSING = threading.Lock()  # pyparsing sets up its parse actions on first use, not thread-safely
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# After expansion, a backslash before u or U: Oxigraph would expand it again
# (it reads "\\u005Cu0027" as a quote), rdflib would not.
_ESCAPE_AGAIN = re.compile(r"\\[uU]")


def _codepoint(match: re.Match) -> str:
    code = int(match.group(1) or match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise QueryError(f"malformed query: {match.group(0)} is not a Unicode character")
    return chr(code)


def normalise(text: str) -> str:
    """The query as every engine reads it: codepoint escapes expanded, line ends made LF.

    SPARQL expands \\u escapes before parsing, and Oxigraph ends a comment at a
    carriage return where rdflib does not: check and run this text, never the
    raw one, so that no SERVICE hides from the check in a comment. The text
    that runs must hold no escape left to expand, or the engine would read
    other characters than the check did: such a query is refused. SPARQL's
    grammar has no place for a backslash before u once escapes are expanded,
    so no valid query is lost.
    """
    expanded = _ESCAPE.sub(_codepoint, text)
    again = _ESCAPE_AGAIN.search(expanded)
    if again:
        raise QueryError(f"malformed query: an escape that writes another escape ({again.group(0)}... at character {again.start()})"
                         " is refused; write the character itself")
    return expanded.replace("\r\n", "\n").replace("\r", "\n")


_SURROGATE = re.compile("[\ud800-\udfff]")
# The IRIs a dataset may name besides the store's own graphs: none is ever fetched,
# each is answered as the graph the store holds under it, empty if none.
NAMEABLE_SCHEMES = ("http", "https", "urn")
NAMEABLE = f"a query's dataset names only this store's graphs or {', '.join(s + ':' for s in NAMEABLE_SCHEMES)} IRIs, never fetched"


def may_name(iri: str, graphs: set[str]) -> bool:
    """Whether a dataset (FROM, FROM NAMED, the protocol's graphs) may name ``iri``: a graph of the store, else empty."""
    return iri in graphs or (iri.partition(":")[0].lower() in NAMEABLE_SCHEMES and is_iri(iri))


@dataclass(frozen=True)
class Checked:
    """A query that may run: its normalised text, its form, and the dataset its FROM / FROM NAMED name, if any.

    ``dataset`` (default graphs, named graphs) is passed on as the protocol's
    dataset, which a server then cannot read otherwise (Oxigraph server's
    --union-default-graph overrides a query's own FROM).
    """

    text: str
    form: str
    dataset: tuple[tuple[str, ...], tuple[str, ...]] | None


XSD = "http://www.w3.org/2001/XMLSchema#"
# The functions a query may call by IRI: XSD's constructor functions (casts), those SPARQL 1.1 defines
# (section 17.5) and the date, time and duration ones its engines answer. Every other function of SPARQL
# is a keyword, not an IRI, so an IRI that is none of these is an extension of some engine.
XSD_CASTS = frozenset(XSD + name for name in (
    "string", "boolean", "double", "float", "decimal", "integer", "dateTime",
    "date", "time", "duration", "yearMonthDuration", "dayTimeDuration", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay"))
# Schemes of IRIs that name a server's own procedures rather than a resource: Virtuoso's bif: (built-in
# functions, some of them magic predicates such as bif:contains) and sql: (stored procedures), and
# Jena's java: (any Java class as a function). Refused wherever they stand, not only where a function is called.
ENGINE_SCHEMES = ("bif", "sql", "java")


def extension_functions(settings: dict) -> tuple[str, ...]:
    """The extension functions the settings allow a query to call (sparql_extension_functions), each an absolute IRI."""
    named = tuple(f.strip() for f in str(settings["sparql_extension_functions"]).split(",") if f.strip())
    for function in named:
        if not is_iri(function):
            raise SettingError(f"sparql_extension_functions: {function!r} is not an absolute IRI")
        if function.partition(":")[0].lower() in ENGINE_SCHEMES:
            raise SettingError(f"sparql_extension_functions: <{function}> names a server's own procedure, which is never allowed")
    return named


def check(text: str, graphs: set[str], functions: Collection[str] = ()) -> Checked:
    """The query, normalised, if it may run; QueryError if not.

    Judged from rdflib's parse of the query, never by searching its text: it
    must be a query (an update is refused as read-only), use no SERVICE, call
    by IRI only XSD_CASTS and ``functions`` (the extension functions allowed),
    use no IRI of ENGINE_SCHEMES, declare every prefix it uses, and name in
    FROM / FROM NAMED only what ``may_name`` allows.
    """
    text = normalise(text)
    if _SURROGATE.search(text):  # one sent as such, not escaped (normalise refuses \uD800)
        raise QueryError("malformed query: it holds a lone surrogate (D800 to DFFF), which is no character")
    if not text.strip():
        raise QueryError("empty query")
    with _PARSING:
        try:
            tree = parseQuery(text)
        except ParseException as error:
            try:
                parseUpdate(text)
            except ParseException:
                raise QueryError(f"malformed query: {error}") from error
            raise QueryError("updates are not accepted: this endpoint is read-only", "read-only") from error
        except Exception as error:  # rdflib raises others for some malformed input (bad IRIs, prefixes)
            raise QueryError(f"malformed query: {error}") from error
    iri = _Resolver(tree[0], text)
    form = tree[1]
    for node in _nodes(tree):
        if isinstance(node, URIRef):
            _refuse_engine_iri(str(node))  # relative ones resolve against BASE or the endpoint: an http IRI
        elif not isinstance(node, CompValue):
            continue
        elif node.name == "ServiceGraphPattern":
            raise QueryError("SERVICE is refused: a query here may read only this store's graphs", "refused")
        elif node.name == "pname":
            _refuse_engine_iri(iri(node))  # and an undeclared prefix is refused wherever it stands
        elif node.name == "Function":
            called = iri(node["iri"])
            if called not in XSD_CASTS and called not in functions:
                raise QueryError(f"the function <{called}> is refused: a query here may call the functions SPARQL "
                                 "defines and XSD casts" + (f", and these: {', '.join(sorted(functions))}" if functions else ""),
                                 "refused")
    # CompValue.get returns the key itself when it is missing: ask with `in`.
    clauses = form["datasetClause"] if "datasetClause" in form else []  # noqa: SIM401  CompValue.get returns the key itself, not the default, when it is missing
    dataset: tuple[list[str], list[str]] = ([], [])
    for clause in clauses:
        named = iri(clause["default"] if "default" in clause else clause["named"])
        if not may_name(named, graphs):
            raise QueryError(f"FROM <{named}> is refused: {NAMEABLE}", "refused")
        dataset[0 if "default" in clause else 1].append(named)
    return Checked(text, form.name.removesuffix("Query").upper(), (tuple(dataset[0]), tuple(dataset[1])) if clauses else None)


def _refuse_engine_iri(iri: str) -> None:
    if iri.partition(":")[0].lower() in ENGINE_SCHEMES:
        raise QueryError(f"<{iri}> is refused: it names a server's own procedure, not a resource", "refused")


class _Resolver:
    """A query's IRIs as its prologue resolves them: a prefixed name by its declared prefix, a relative IRI by BASE."""

    def __init__(self, prologue, text: str):
        self.text = text  # the query, to say where it uses a prefix it does not declare
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}
        for decl in prologue:
            if decl.name == "Base":
                self.base = urljoin(self.base, str(decl["iri"])) if self.base else str(decl["iri"])
                continue
            name = decl["prefix"] if "prefix" in decl else ""  # noqa: SIM401  CompValue.get returns the key itself, not the default, when it is missing
            # Some servers keep these names for their procedures whatever the query declares (Virtuoso's bif: and sql:).
            if name.lower() in ENGINE_SCHEMES:
                raise QueryError(f"PREFIX {name}: is refused: {name}: is the name of a server's own procedures", "refused")
            self.prefixes[name] = str(decl["iri"])

    def __call__(self, term) -> str:
        if isinstance(term, CompValue):  # a pname; SPARQL's \-escapes in a local name stand for the character
            prefix = term["prefix"] if "prefix" in term else ""  # noqa: SIM401  CompValue.get returns the key itself, not the default, when it is missing
            local = re.sub(r"\\(.)", r"\1", term["localname"] if "localname" in term else "")  # noqa: SIM401  CompValue.get returns the key itself, not the default, when it is missing
            if prefix not in self.prefixes:
                # Virtuoso reads bif: and sql: undeclared; SPARQL, and so this check, does not.
                _refuse_engine_iri(f"{prefix}:{local}")
                raise QueryError(f"malformed query: the prefix {prefix}: of {prefix}:{local} is not declared"
                                 f"{_first_use(self.text, prefix)}; {_declaration(prefix)}")
            return self.prefixes[prefix] + local
        return urljoin(self.base, str(term)) if self.base else str(term)


# What may hold a prefixed name's text without being one: a comment, a long or short string, an IRI.
_NOT_NAMES = re.compile(r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
                        r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r'|<[^<>"{}|^`\\\x00-\x20]*>')


def _first_use(text: str, prefix: str) -> str:
    """Where ``prefix``: is first used in a query's text, as " (line L, column C)"; "" if it cannot be told."""
    masked = _NOT_NAMES.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    use = re.search(r"(?<![\w.\-])" + re.escape(prefix) + ":", masked)
    if use is None:
        return ""
    line, start = masked.count("\n", 0, use.start()) + 1, masked.rfind("\n", 0, use.start()) + 1
    return f" (line {line}, column {use.start() - start + 1})"


def _declaration(prefix: str) -> str:
    """What a query that uses ``prefix`` undeclared needs: the project's own declaration of it, if it has one."""
    if prefix in PREFIXES:
        return f"declare it before the query: PREFIX {prefix}: <{PREFIXES[prefix]}>"
    return f"declare it before the query with the IRI it stands for: PREFIX {prefix}: <…>"


def _nodes(tree):
    """The CompValues and the terms of a parse tree, each parent before its children.

    A loop over a stack, not nested generators: each level of those costs every
    node below it a step, and a query's tree is some dozens of levels deep.
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(reversed(node.values()))  # reversed: the query's own order, so the first fault is named
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(reversed(node))
        else:
            yield node
