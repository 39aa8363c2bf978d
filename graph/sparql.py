"""SPARQL for strategy leads: saved queries, safe parameters, the checks every query passes.

A query passes ``check`` before it runs anywhere: it must parse as a query
(an update is refused), use no SERVICE, call only the functions SPARQL
defines, XSD casts and the extension functions an operator allows (a server
such as Virtuoso runs its own procedures, bif:http_get among them, for
anyone who can name them), declare every prefix it uses, and name in FROM /
FROM NAMED only graphs the store holds or http(s): and urn: IRIs, which are
empty graphs, never fetched. The endpoint runs queries in worker processes
(graph.engine.workers) so that one that runs past the time limit can be
stopped; they call ``check`` from here, and the engine writes the results. Nothing here knows
HTTP: a refusal says which of ``REASONS`` it is, and the viewer picks the
status; the viewer also reads the Accept header and names the formats.
"""

import datetime
import re
import threading
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from pyparsing import ParseException, ParseResults
from rdflib import Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from graph import files
from graph.engine.store import is_iri, select_values
from graph.settings import SettingError
from graph.vocab import PREFIXES, SPARQL_PREFIXES

_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
_PARAM = re.compile(r"(\w+)\s*\((iri|string|integer|decimal|date)(?:\s+of\s+(\w+))?\)\s*(.*)")
# The things a parameter written "(iri of NAME)" chooses from, NAME a key here: the query gives each one's IRI and label.
# They are also the kinds of thing a page or a command takes by workbook id or IRI (graph.names).
CHOICES = {
    "owner": "SELECT DISTINCT ?value ?label WHERE { ?x sg:owner ?value OPTIONAL { ?value rdfs:label ?label } }",
    "outcome": "SELECT DISTINCT ?value ?label WHERE { ?value a sg:Outcome OPTIONAL { ?value rdfs:label ?label } }",
    "indicator": "SELECT DISTINCT ?value ?label WHERE { ?value a sg:Indicator OPTIONAL { ?value rdfs:label ?label } }",
    "strategy": "SELECT DISTINCT ?value ?label WHERE { ?value a sg:Strategy OPTIONAL { ?value rdfs:label ?label } }",
    "priority": "SELECT DISTINCT ?value ?label WHERE { ?value a sg:StrategicPriority OPTIONAL { ?value rdfs:label ?label } }",
}

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


class QueryError(Exception):
    """A query that is refused, or could not be answered: the message says why, ``reason`` (one of REASONS) what kind of why."""

    def __init__(self, message: str, reason: str = "malformed"):
        super().__init__(message)
        if reason not in REASONS:
            raise ValueError(f"{reason!r} is not one of {REASONS}")
        self.reason = reason


@dataclass(frozen=True)
class Param:
    """A parameter of a saved query: a variable, the kind of value it takes, and what it means."""

    name: str
    kind: str
    description: str
    choices: str | None = None  # a key of CHOICES: the graph's own things this parameter takes one of


@dataclass(frozen=True)
class SavedQuery:
    """A query of queries/: its name (the file's stem), title, description, parameters and text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def read_query_file(path: Path) -> SavedQuery:
    """A .rq file, with the title, description and parameters of its comment header."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            fields[match.group(1)].append(match.group(2).strip())
    params = []
    for spec in fields["param"]:
        match = _PARAM.fullmatch(spec)
        if not match:
            raise QueryError(f"{path}: parameter line '{spec}' is not 'name (iri|string|integer|decimal|date) description'"
                             f" or 'name (iri of {'|'.join(CHOICES)}) description'")
        if match.group(3) is not None and (match.group(2) != "iri" or match.group(3) not in CHOICES):
            raise QueryError(f"{path}: parameter line '{spec}': only an iri parameter chooses, from one of {', '.join(CHOICES)}")
        name, kind, chooses, description = match.groups()
        params.append(Param(name, kind, description, chooses))
    return SavedQuery(path.stem, " ".join(fields["title"]) or path.stem, " ".join(fields["description"]), tuple(params), text)


def choices(ds, name: str) -> list[tuple[str, str]]:
    """The things of the graph a parameter with ``choices`` = ``name`` takes, as (IRI, label), by label.

    Two things of the same label are told apart by their IRIs.
    """
    labels: dict[str, str] = {}
    for row in select_values(ds, SPARQL_PREFIXES + CHOICES[name]):
        labels[row["value"]] = min(labels.get(row["value"], row["label"] or row["value"]), row["label"] or row["value"])  # one label a thing
    found = sorted(labels.items(), key=lambda c: (c[1].casefold(), c[0]))
    repeated = Counter(label for _, label in found)
    return [(iri, f"{label} ({iri})" if repeated[label] > 1 else label) for iri, label in found]


def saved_queries() -> list[SavedQuery]:
    """Every saved query of queries/, by name."""
    return [read_query_file(path) for path in sorted(files.QUERIES_DIR.glob("*.rq"))]


def resolve(reference: str) -> SavedQuery:
    """A saved query by name, a .rq file by path, or SPARQL text given directly."""
    by_name = {q.name: q for q in saved_queries()}
    if reference in by_name:
        return by_name[reference]
    if reference.endswith(".rq") and Path(reference).is_file():
        return read_query_file(Path(reference))
    if re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE)\b", reference, re.I):
        return SavedQuery("query", "Query", "", (), reference)
    raise QueryError(f"'{reference}' is neither a saved query ({', '.join(by_name)}), a .rq file, nor SPARQL text")


def bind(query: SavedQuery, values: dict[str, str]) -> str:
    """The query's text with its parameters bound by a trailing VALUES clause.

    Values become RDF terms (an IRI, a literal of the parameter's kind) written
    by rdflib, so no value can change the query's meaning: a quote or a brace
    is part of a literal, and an IRI with a space or a bracket is refused.
    """
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise QueryError(f"{query.name} has no parameter {', '.join(unknown)}; it takes: {', '.join(declared) or 'none'}")
    missing = [name for name in declared if name not in values]
    if missing:
        raise QueryError(f"{query.name} needs a value for {', '.join(missing)} ({'; '.join(declared[m].description for m in missing)})")
    if not declared:
        return query.text
    terms = [_term(declared[name], values[name]) for name in declared]
    variables = " ".join(f"?{name}" for name in declared)
    return f"{query.text.rstrip()}\nVALUES ({variables}) {{ ({' '.join(t.n3() for t in terms)}) }}\n"


def _term(param: Param, value: str):
    try:
        if param.kind == "iri":
            if not is_iri(value):
                raise ValueError("expected an absolute IRI such as https://example.org/x, with no spaces or brackets")
            return URIRef(value)
        if param.kind == "integer":
            return Literal(int(value))
        if param.kind == "decimal":
            return Literal(value, datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")) if re.fullmatch(r"-?\d+(\.\d+)?", value) else _bad()
        if param.kind == "date":
            return Literal(datetime.date.fromisoformat(value))
        return Literal(value)
    except ValueError as error:
        raise QueryError(f"parameter {param.name}: '{value}' is not a valid {param.kind}: {error}") from error


def _bad():
    raise ValueError("expected a number such as 12.5")


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
    return iri in graphs or iri.partition(":")[0].lower() in NAMEABLE_SCHEMES and is_iri(iri)


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
    clauses = form["datasetClause"] if "datasetClause" in form else []
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
            name = decl["prefix"] if "prefix" in decl else ""
            # Some servers keep these names for their procedures whatever the query declares (Virtuoso's bif: and sql:).
            if name.lower() in ENGINE_SCHEMES:
                raise QueryError(f"PREFIX {name}: is refused: {name}: is the name of a server's own procedures", "refused")
            self.prefixes[name] = str(decl["iri"])

    def __call__(self, term) -> str:
        if isinstance(term, CompValue):  # a pname; SPARQL's \-escapes in a local name stand for the character
            prefix = term["prefix"] if "prefix" in term else ""
            local = re.sub(r"\\(.)", r"\1", term["localname"] if "localname" in term else "")
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
