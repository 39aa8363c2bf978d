"""Opening the knowledge graph: the one place that builds a store.

Everything else reaches the graph through the rdflib ``Dataset`` returned here
and sends it SPARQL as strings, so the same code can later run against a
remote SPARQL 1.1 server. Oxigraph (through oxrdflib) is the embedded engine:
rdflib's own SPARQL engine is two orders of magnitude slower on real sizes.
"""

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.parsers import expat

import pyoxigraph
import pyshacl
from oxrdflib._converter import from_ox
from oxrdflib.store import OxigraphStore
from pyshacl.errors import ReportableRuntimeError
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.query import Result
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager

from graph import files
from graph.engine import pyshacl_adapter
from graph.formats import RdfFormat, format_for_path
from graph.vocab import PREFIXES

# RDF 1.1 skolem IRIs: blank nodes of a validated graph, made addressable.
SKOLEM = "https://w3id.org/strategy-graph/.well-known/genid/"
_PREFIX = re.compile(r"^PREFIX\s+\S*:\s*<[^>]*>\s*$", re.MULTILINE | re.IGNORECASE)


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
    ds = new_graph()
    _add_vocabulary(ds)
    for path in data or files.dataset_files():
        _parse_into(ds, Path(path), None)
    _run_rules(ds, files.input_rules())
    derive(ds)
    return ds


def derive(ds: Dataset) -> None:
    """Re-derive the short forms from the qualified nodes (the ontology's graph rules).

    Run after any change to a graph; every load already does.
    """
    _run_rules(ds, files.graph_rules())


def read_files(paths: Iterable[Path], graph: URIRef | None = None) -> Dataset:
    """Parse input files into a new in-memory graph and apply the input rules.

    A file of quads keeps its named graphs. A file of plain triples (and the
    default graph of a quads file) goes into ``graph`` if given, else into a
    graph named by the file's own URI. Raises GraphSourceError naming the
    file, line and column of the first error.
    """
    ds = new_graph()
    for path in paths:
        _parse_into(ds, Path(path), graph)
    _run_rules(ds, files.input_rules())
    return ds


def new_graph() -> Dataset:
    """A new, empty in-memory graph, for staging or serialising a subset."""
    ds = Dataset(store=OxigraphStore(), default_union=True)
    _bind_prefixes(ds)
    return ds


def named_graph(ds: Dataset, iri: URIRef) -> Graph:
    """A view of one named graph of ``ds`` (no copy)."""
    # bind_namespaces="none": prefixes live in the store, and rdflib's long
    # default list would otherwise be written into it and into every export.
    return Graph(store=ds.store, identifier=iri, bind_namespaces="none")


def is_iri(text: str) -> bool:
    """Whether the store would accept ``text`` as an IRI (RFC 3987), so a query built on it cannot fail to parse."""
    try:
        pyoxigraph.NamedNode(text)
    except ValueError:
        return False
    return True


def validate_union(ds: Dataset, shapes: Graph) -> tuple[Graph, Dataset]:
    """Validate the union of ``ds``'s named graphs against SHACL ``shapes`` with pySHACL.

    Returns the validation report and a view of the graph that was validated,
    in which blank nodes are skolem IRIs, so that every focus node of the
    report can be looked up. pySHACL runs SHACL-SPARQL natively, and fast,
    when the data graph is a pyoxigraph Store.
    """
    union = pyoxigraph.Store()
    union.extend(
        pyoxigraph.Quad(_skolem(q.subject), q.predicate, _skolem(q.object))
        for q in pyoxigraph.parse(ds.serialize(format="ox-nquads", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    )
    try:
        with pyshacl_adapter.fixed():
            _, report, _ = pyshacl.validate(union, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True)
    except ReportableRuntimeError as error:
        raise GraphSourceError(f"the shapes could not be run: {error.message}") from error
    view = Dataset(store=OxigraphStore(store=union))
    _bind_prefixes(view)
    return report, view


def _skolem(term):
    if isinstance(term, pyoxigraph.BlankNode):
        return pyoxigraph.NamedNode(SKOLEM + term.value)
    return term


def load_into_store(store: Path, paths: Sequence[Path], graph: URIRef | None = None) -> int:
    """Add files, with the vocabulary, to a persistent store; return the statements written.

    Every file is parsed before the store is touched (see write_to_store): a
    malformed file leaves the store exactly as it was.
    """
    if graph is not None and not is_iri(graph):
        raise GraphSourceError(f"--graph {str(graph)!r}: expected an absolute IRI, such as https://example.org/graph/mine")
    return write_to_store(store, read_files(paths, graph))


def execute(ds: Dataset, query: str, protocol_dataset: tuple[Sequence[str], Sequence[str]] | None = None,
            own_dataset: bool = False, max_rows: int | None = None) -> tuple[Result, bool]:
    """Run a SPARQL query on the graph; return the result and whether it was cut short at ``max_rows``.

    The dataset is, in order: the protocol's (default graphs, named graphs),
    exactly; the query's own FROM / FROM NAMED (``own_dataset``); else the
    default graph is the union of the named graphs.
    """
    if protocol_dataset is not None:
        options = {"default_graph": [pyoxigraph.NamedNode(g) for g in protocol_dataset[0]],
                   "named_graphs": [pyoxigraph.NamedNode(g) for g in protocol_dataset[1]]}
    elif own_dataset:
        options = {}
    else:
        options = {"use_default_graph_as_union": True}
    # oxrdflib's Dataset.query cannot pass a protocol dataset; the store it wraps can.
    answer = ds.store._inner.query(query, **options)
    if isinstance(answer, pyoxigraph.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result, False
    rows = list(itertools.islice(answer, max_rows + 1)) if max_rows is not None else list(answer)
    truncated = max_rows is not None and len(rows) > max_rows
    rows = rows[:max_rows] if truncated else rows
    if isinstance(answer, pyoxigraph.QuerySolutions):
        result = Result("SELECT")
        result.vars = [Variable(v.value) for v in answer.variables]
        result.bindings = [{v: from_ox(value) for v, value in zip(result.vars, row) if value is not None} for row in rows]
        return result, truncated
    result = Result("CONSTRUCT")
    result.graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        result.graph.bind(prefix, namespace)
    for triple in rows:
        result.graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return result, truncated


def write_to_store(store: Path, staged: Dataset, replacing: Iterable[URIRef] = ()) -> int:
    """Write a staged graph, with the vocabulary, to a persistent store; return the statements written.

    One SPARQL update, which Oxigraph runs as one transaction, empties the
    vocabulary graphs and the named graphs in ``replacing``, adds the staged
    quads and re-runs the graph rules: it all happens or none of it does, and
    writing the same staged graph twice changes nothing (except that blank
    nodes are new on every write, as in any RDF store).
    """
    vocabulary = new_graph()
    _add_vocabulary(vocabulary)
    quads = [*vocabulary.quads(), *staged.quads()]
    emptied = {quad[3] for quad in vocabulary.quads()} | set(replacing)
    # Oxigraph takes PREFIX declarations only at the start of an update request.
    rules = [rule.read_text(encoding="utf-8") for rule in files.graph_rules()]
    prologue = [line for rule in rules for line in rule.splitlines() if _PREFIX.match(line)]
    update = "\n".join(prologue) + "\n" + " ;\n".join([
        *(f"DROP SILENT GRAPH {g.n3()}" for g in sorted(emptied)),
        _insert_data(quads),
        *(_PREFIX.sub("", rule) for rule in rules),
    ])
    target = open_graph(store=store, writable=True)
    try:
        _update(target, update)
    finally:
        target.close()
    return len(quads)


def _insert_data(quads: Iterable[tuple]) -> str:
    by_graph: dict[URIRef, list[str]] = defaultdict(list)
    for s, p, o, g in quads:
        by_graph[g].append(f"{s.n3()} {p.n3()} {o.n3()} .")
    blocks = (f"GRAPH {g.n3()} {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def _run_rules(ds: Dataset, rules: Iterable[Path]) -> None:
    for rule in rules:
        _update(ds, rule.read_text(encoding="utf-8"))


def _update(ds: Dataset, update: str) -> None:
    # oxrdflib runs an update in Oxigraph only when it is addressed to the
    # default graph; Dataset.update on a union dataset would fall back,
    # silently, to rdflib's slow engine.
    named_graph(ds, DATASET_DEFAULT_GRAPH_ID).update(update)


def _bind_prefixes(ds: Dataset) -> None:
    # Only the project's prefixes, not rdflib's long default list, reach exports.
    ds.namespace_manager = NamespaceManager(ds, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)


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
    return as_dataset(inner)


def as_dataset(inner: pyoxigraph.Store) -> Dataset:
    """An rdflib view of an Oxigraph store (no copy); its default graph is the union of the named graphs."""
    ds = Dataset(store=OxigraphStore(store=inner), default_union=True)
    _bind_prefixes(ds)
    return ds


def open_generation(path: Path) -> Dataset:
    """One generation of a store (an Oxigraph folder), opened read-only."""
    return _open_persistent(path, writable=False)


def _add_vocabulary(ds: Dataset) -> None:
    """The ontology files, each in the named graph of the owl:Ontology it declares."""
    for path in files.ontology_files():
        file_graph = _parse_into(ds, path, None)
        (ontology,) = ds.query(
            "SELECT ?o WHERE { GRAPH %s { ?o a <http://www.w3.org/2002/07/owl#Ontology> } }"
            % file_graph.n3()
        )
        _update(ds, f"MOVE {file_graph.n3()} TO {ontology[0].n3()}")


def _parse_into(ds: Dataset, path: Path, graph: URIRef | None) -> URIRef:
    """Parse one file into ``ds``; return the graph its triples went into."""
    try:
        fmt = format_for_path(path)
    except ValueError as error:
        raise GraphSourceError(str(error)) from error
    if not path.is_file():
        raise GraphSourceError(f"{path}: no such file")
    target = graph or URIRef(path.resolve().as_uri())
    try:
        _check(path, fmt)
        # Oxigraph parses and writes the file in one transaction.
        named_graph(ds, target).parse(str(path), format=fmt.plugin)
    except SyntaxError as error:
        raise GraphSourceError(_syntax_message(path, fmt.name, error)) from error
    except (ValueError, OSError) as error:
        raise GraphSourceError(f"{path}: cannot read as {fmt.name}: {_explain(str(error))}") from error
    return target


def _check(path: Path, fmt: RdfFormat) -> None:
    """Parse once with no base IRI, so that relative IRIs are errors with a position.

    Through rdflib, relative IRIs would quietly resolve against the file's own
    path and give the graph IRIs that only mean something on this machine.
    """
    for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.from_media_type(fmt.media_type), base_iri=None):
        pass


def _explain(message: str) -> str:
    if "LoadDocumentCallback" in message:
        return "remote JSON-LD @context documents are not fetched; put the @context in the file"
    return message


def _syntax_message(path: Path, fmt: str, error: SyntaxError) -> str:
    # Oxigraph's message repeats the position that the prefix already gives.
    message = _explain(re.sub(r"^Parser error (at|between) line .*?: ", "", error.msg))
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
