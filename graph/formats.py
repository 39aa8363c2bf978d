"""The formats the project reads and writes: one table for files, the CLI, the engine and HTTP.

A format is named within its kind ("xml" is RDF/XML as a graph, SPARQL XML as
query results), and carries its media type: the engine finds its own reader
and writer from that, the viewer negotiates by it.
"""

from dataclasses import dataclass
from pathlib import Path

# The kinds of format.
GRAPH = "graph"              # an RDF syntax
RESULTS = "results"          # SPARQL query results
SPREADSHEET = "spreadsheet"  # a table to open in a spreadsheet
DIAGRAM = "diagram"          # a drawn diagram
REPORT = "report"            # a SHACL validation report (strategy-graph validate)


@dataclass(frozen=True)
class Format:
    """A format: its name (on the CLI, in URLs), kind, media type, file extensions, and for RDF its oxrdflib plugin."""

    name: str
    kind: str
    media_type: str
    extensions: tuple[str, ...] = ()  # a file's, for an RDF syntax read from files; a download is named .<name>
    plugin: str = ""  # oxrdflib's parser and serialiser, for an RDF syntax
    quads: bool = False  # can it hold named graphs?
    aliases: tuple[str, ...] = ()  # other media types clients send for it
    w3c: str = ""  # its name in http://www.w3.org/ns/formats/, for a format queries are answered in


FORMATS: tuple[Format, ...] = (
    Format("ttl", GRAPH, "text/turtle", (".ttl",), "ox-turtle", w3c="Turtle"),
    Format("trig", GRAPH, "application/trig", (".trig",), "ox-trig", True),
    Format("nt", GRAPH, "application/n-triples", (".nt",), "ox-nt", w3c="N-Triples"),
    Format("nq", GRAPH, "application/n-quads", (".nq",), "ox-nquads", True),
    Format("jsonld", GRAPH, "application/ld+json", (".jsonld", ".json"), "ox-json-ld", True, w3c="JSON-LD"),
    Format("xml", GRAPH, "application/rdf+xml", (".rdf", ".owl", ".xml"), "ox-xml", w3c="RDF_XML"),
    Format("json", RESULTS, "application/sparql-results+json", aliases=("application/json",), w3c="SPARQL_Results_JSON"),
    Format("xml", RESULTS, "application/sparql-results+xml", aliases=("application/xml", "text/xml"),
           w3c="SPARQL_Results_XML"),
    Format("csv", RESULTS, "text/csv", w3c="SPARQL_Results_CSV"),
    Format("tsv", RESULTS, "text/tab-separated-values", w3c="SPARQL_Results_TSV"),
    Format("csv", SPREADSHEET, "text/csv; charset=utf-8"),
    Format("xlsx", SPREADSHEET, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    Format("svg", DIAGRAM, "image/svg+xml"),
    Format("png", DIAGRAM, "image/png"),
    Format("pdf", DIAGRAM, "application/pdf"),
    Format("ttl", REPORT, "text/turtle"),
    Format("json", REPORT, "application/json"),
    Format("text", REPORT, "text/plain"),
)


def of_kind(kind: str) -> dict[str, Format]:
    """The formats of one kind, by name, in the table's order."""
    return {f.name: f for f in FORMATS if f.kind == kind}


def media_types(kind: str) -> dict[str, str]:
    """The media type of each format of one kind, by name."""
    return {name: f.media_type for name, f in of_kind(kind).items()}


BY_NAME = of_kind(GRAPH)  # the RDF syntaxes

# The query forms, and the formats each is answered in: the first is what a client that states no preference gets.
# SPARQL's CSV and TSV have no boolean, so an ASK is answered in neither.
_ANSWERED_IN = {
    "SELECT": (RESULTS, ("json", "xml", "csv", "tsv")),
    "ASK": (RESULTS, ("json", "xml")),
    "CONSTRUCT": (GRAPH, ("ttl", "nt", "xml", "jsonld")),
    "DESCRIBE": (GRAPH, ("ttl", "nt", "xml", "jsonld")),
}
FORMS = tuple(_ANSWERED_IN)
_ANSWERS = {form: {name: of_kind(kind)[name] for name in names} for form, (kind, names) in _ANSWERED_IN.items()}
_ANSWER_TYPES = {form: {name: f.media_type for name, f in formats.items()} for form, formats in _ANSWERS.items()}


def answer_formats(form: str) -> dict[str, Format]:
    """The formats a query form (one of FORMS) is answered in, by name."""
    return _ANSWERS[form]


def formats_for(form: str) -> dict[str, str]:
    """The result formats a query form can be written in: name to media type."""
    return _ANSWER_TYPES[form]


def format_for_path(path: Path) -> Format:
    """The RDF syntax a file's extension names; ValueError listing the known ones otherwise."""
    suffix = path.suffix.lower()
    for fmt in BY_NAME.values():
        if suffix in fmt.extensions:
            return fmt
    known = ", ".join(ext for f in BY_NAME.values() for ext in f.extensions)
    raise ValueError(f"{path}: unknown RDF file extension {suffix!r}; expected one of {known}")
