"""The RDF formats the project reads and writes: one table for files, the CLI and HTTP."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RdfFormat:
    """An RDF syntax: its CLI name, file extensions, media type and oxrdflib plugin."""

    name: str
    extensions: tuple[str, ...]
    media_type: str
    plugin: str
    quads: bool  # can it hold named graphs?


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("ttl", (".ttl",), "text/turtle", "ox-turtle", False),
    RdfFormat("trig", (".trig",), "application/trig", "ox-trig", True),
    RdfFormat("nt", (".nt",), "application/n-triples", "ox-nt", False),
    RdfFormat("nq", (".nq",), "application/n-quads", "ox-nquads", True),
    RdfFormat("jsonld", (".jsonld", ".json"), "application/ld+json", "ox-json-ld", True),
    RdfFormat("xml", (".rdf", ".owl", ".xml"), "application/rdf+xml", "ox-xml", False),
)

BY_NAME = {f.name: f for f in FORMATS}


def format_for_path(path: Path) -> RdfFormat:
    """The format a file's extension names; ValueError listing the known ones otherwise."""
    suffix = path.suffix.lower()
    for fmt in FORMATS:
        if suffix in fmt.extensions:
            return fmt
    known = ", ".join(ext for f in FORMATS for ext in f.extensions)
    raise ValueError(f"{path}: unknown RDF file extension {suffix!r}; expected one of {known}")
