"""Saved queries for strategy leads: the queries of queries/, their parameters, and the values those take.

A saved query's parameters are bound by a VALUES clause of RDF terms, never
pasted into its text; the bound query then passes graph.engine.query's check
like any other.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef

from graph import files
from graph.engine import QueryError, is_iri, select_values
from graph.vocab import SPARQL_PREFIXES

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
        label = row.get("label") or row["value"]
        labels[row["value"]] = min(labels.get(row["value"], label), label)  # one label a thing
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
