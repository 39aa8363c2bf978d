"""Opening the knowledge graph: the one place that builds a store.

Everything else reaches the graph through the rdflib ``Dataset`` returned here
and sends it SPARQL as strings, so the same code can later run against a
remote SPARQL 1.1 server. Oxigraph (through oxrdflib) is the embedded engine:
rdflib's own SPARQL engine is two orders of magnitude slower on real sizes.
"""

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.parsers import expat

import pyoxigraph
from oxrdflib.store import OxigraphStore
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager

from graph import files
from graph.formats import format_for_path
from graph.vocab import PREFIXES


class GraphSourceError(Exception):
    """A file or store could not be read; the message says where and why."""


def open_graph(
    data: Sequence[Path] = (), store: Path | None = None, *, writable: bool = False
) -> Dataset:
    """Open the graph a command reads.

    With ``store``, the persistent Oxigraph store at that path (read-only
    unless ``writable``, which also creates it). Otherwise an in-memory store
    holding the vocabulary and either ``data`` or the packaged dataset.
    The default graph of the returned Dataset is the union of its named graphs.
    """
    if store is not None:
        if data:
            raise GraphSourceError("give either --data files or --store, not both")
        return _open_persistent(store, writable)
    return read_files([*files.ontology_files(), *(data or files.dataset_files())])


def read_files(paths: Iterable[Path], graph: URIRef | None = None) -> Dataset:
    """Parse RDF files into a new in-memory graph and apply the derivation rules.

    A file of quads keeps its named graphs. A file of plain triples (and the
    default graph of a quads file) goes into ``graph`` if given, else into the
    graph named by the single owl:Ontology the file declares, else into a
    graph named by the file's own URI. Raises GraphSourceError naming the
    file, line and column of the first syntax error.
    """
    ds = new_graph()
    for path in paths:
        _parse_into(ds, Path(path), graph)
    derive(ds)
    return ds


def new_graph() -> Dataset:
    """A new, empty in-memory graph, for staging or serialising a subset."""
    return _new_dataset(OxigraphStore())


def named_graph(ds: Dataset, iri: URIRef) -> Graph:
    """A view of one named graph of ``ds`` (no copy)."""
    # bind_namespaces="none": prefixes live in the store, and rdflib's long
    # default list would otherwise be written into it and into every export.
    return Graph(store=ds.store, identifier=iri, bind_namespaces="none")


def load_into_store(store: Path, paths: Sequence[Path], graph: URIRef | None = None) -> int:
    """Add files, with the vocabulary, to a persistent store; return the statements read.

    Every file is parsed before the store is touched, and the quads go in with
    one atomic write: a malformed file leaves the store exactly as it was.
    """
    staged = read_files([*files.ontology_files()], None)
    for path in paths:
        _parse_into(staged, Path(path), graph)
    derive(staged)
    quads = list(staged.quads())
    target = open_graph(store=store, writable=True)
    try:
        # OxigraphStore.addN hands the whole batch to Oxigraph's atomic extend().
        target.addN(quads)
    finally:
        target.close()
    return len(quads)


def derive(ds: Dataset) -> None:
    """Run the ontology's derivation rules (ontology/rules/*.ru) on the graph."""
    for rule in files.rule_files():
        _update(ds, rule.read_text(encoding="utf-8"))


def _new_dataset(store: OxigraphStore) -> Dataset:
    ds = Dataset(store=store, default_union=True)
    # Only the project's prefixes, not rdflib's long default list, reach exports.
    ds.namespace_manager = NamespaceManager(ds, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)
    return ds


def _update(ds: Dataset, update: str) -> None:
    # oxrdflib runs an update in Oxigraph only when it is addressed to the
    # default graph; Dataset.update on a union dataset would fall back,
    # silently, to rdflib's slow engine.
    named_graph(ds, DATASET_DEFAULT_GRAPH_ID).update(update)


def _open_persistent(path: Path, writable: bool) -> Dataset:
    try:
        if writable:
            path.mkdir(parents=True, exist_ok=True)
            inner = pyoxigraph.Store(str(path))
        elif not path.is_dir():
            raise GraphSourceError(
                f"{path}: no store here; create one with `strategy-graph load FILE --store {path}`"
            )
        else:
            inner = pyoxigraph.Store.read_only(str(path))
    except OSError as error:
        raise GraphSourceError(f"{path}: the store cannot be opened: {error}") from error
    return _new_dataset(OxigraphStore(store=inner))


def _parse_into(ds: Dataset, path: Path, graph: URIRef | None) -> None:
    try:
        fmt = format_for_path(path)
    except ValueError as error:
        raise GraphSourceError(str(error)) from error
    if not path.is_file():
        raise GraphSourceError(f"{path}: no such file")
    target = graph or URIRef(path.resolve().as_uri())
    try:
        # Oxigraph parses and writes the file in one transaction.
        named_graph(ds, target).parse(str(path), format=fmt.plugin)
    except SyntaxError as error:
        raise GraphSourceError(_syntax_message(path, fmt.name, error)) from error
    except (ValueError, OSError, UnicodeDecodeError) as error:
        raise GraphSourceError(f"{path}: cannot read as {fmt.name}: {error}") from error
    if graph is None:
        _name_by_ontology(ds, target)


def _name_by_ontology(ds: Dataset, file_graph: URIRef) -> None:
    """Move a file's triples into the graph of the one owl:Ontology it declares."""
    found = list(ds.query(
        "SELECT DISTINCT ?o WHERE { GRAPH %s { ?o a <http://www.w3.org/2002/07/owl#Ontology> } }"
        % file_graph.n3()
    ))
    if len(found) == 1 and isinstance(found[0][0], URIRef):
        _update(ds, f"ADD {file_graph.n3()} TO {found[0][0].n3()} ; DROP GRAPH {file_graph.n3()}")


def _syntax_message(path: Path, fmt: str, error: SyntaxError) -> str:
    # Oxigraph's message repeats the position that the prefix already gives.
    message = re.sub(r"^Parser error (at|between) line .*?: ", "", error.msg)
    if error.lineno:
        return f"{path}:{error.lineno}:{error.offset}: invalid {fmt}: {message}"
    if fmt == "xml":
        # Oxigraph's RDF/XML errors carry no position; expat finds XML ones.
        parser = expat.ParserCreate()
        try:
            parser.Parse(path.read_bytes(), True)
        except expat.ExpatError as xml_error:
            return f"{path}:{xml_error.lineno}:{xml_error.offset + 1}: invalid xml: {message}"
    return f"{path}: invalid {fmt}: {message}"
