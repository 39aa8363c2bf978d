"""The store's lowest layer: parsing input files, the vocabulary, the rules, and views of Oxigraph stores.

Everything else reaches the graph through an rdflib ``Dataset`` over an
Oxigraph store and sends it SPARQL as strings: rdflib's own SPARQL engine is
two orders of magnitude slower on real sizes. Files are parsed by Oxigraph
alone, once, with no base IRI, so a relative IRI is an error with a position.
"""

import hashlib
import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast, overload
from xml.parsers import expat

import pyoxigraph
from oxrdflib._converter import from_ox, to_ox
from oxrdflib.store import OxigraphStore
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.query import Result, ResultRow
from rdflib.term import Node, Variable

from graph import files
from graph.errors import StrategyGraphError
from graph.formats import format_for_path
from graph.vocab import PREFIXES

# RDF 1.1 skolem IRIs: blank nodes of a report, made addressable.
SKOLEM = "https://w3id.org/strategy-graph/.well-known/genid/"
_OWL_ONTOLOGY = pyoxigraph.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class GraphSourceError(StrategyGraphError):
    """A file or store could not be read; the message says where and why."""


class _ToRdflib(Protocol):
    @overload
    def __call__(self, term: None, /) -> None: ...
    @overload
    def __call__(self, term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal, /) -> Node: ...
    @overload
    def __call__(self, term: pyoxigraph.Triple, /) -> tuple[Node, Node, Node]: ...


# oxrdflib's from_ox, typed as it behaves (its own hints give every input every output): None for None, an rdflib
# term for a term, a triple for a triple term. The same function, so a row's many terms cost no extra call.
rdflib_term = cast(_ToRdflib, from_ox)
# oxrdflib's to_ox: an rdflib term as Oxigraph's. The engine's one import of oxrdflib's converters is this module's.
oxigraph_term = to_ox


def serialized(quads: Iterable[pyoxigraph.Quad] | Iterable[pyoxigraph.Triple], format: pyoxigraph.RdfFormat) -> bytes:
    """Quads or triples written in ``format``, as bytes (pyoxigraph returns None only when given a file to write to)."""
    return cast(bytes, pyoxigraph.serialize(quads, format=format))


class QuadSource(Protocol):
    """What the engine reads of a store of quads: pyoxigraph's Store, or one that answers the same calls over a
    SPARQL server (remote.ServerReader, and the overlay a remote write is made in)."""

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any,
                          graph_name: Any = None) -> Iterator[pyoxigraph.Quad]: ...

    def named_graphs(self) -> Iterator[pyoxigraph.NamedNode | pyoxigraph.BlankNode]: ...

    def query(self, query: str, *, use_default_graph_as_union: bool = False) -> Any: ...


class QuadStore(QuadSource, Protocol):
    """A QuadSource that a write changes: pyoxigraph's Store, or the overlay a remote write is made in."""

    def add(self, quad: pyoxigraph.Quad) -> None: ...

    def extend(self, quads: Iterable[pyoxigraph.Quad]) -> None: ...

    def bulk_extend(self, quads: Iterable[pyoxigraph.Quad]) -> None: ...

    def load(self, input: bytes, format: pyoxigraph.RdfFormat) -> None: ...

    def bulk_load(self, input: bytes, format: pyoxigraph.RdfFormat) -> None: ...

    def remove_graph(self, graph_name: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.DefaultGraph) -> None: ...


def oxigraph(ds: Dataset) -> pyoxigraph.Store:
    """The Oxigraph store under an rdflib view of one (rdflib types a Dataset's store as any store)."""
    return cast(OxigraphStore, ds.store)._inner


def select(inner: pyoxigraph.Store, query: str, **options: Any) -> pyoxigraph.QuerySolutions:
    """A SELECT's solutions from an Oxigraph store (pyoxigraph types an answer as that of any query form)."""
    return cast(pyoxigraph.QuerySolutions, inner.query(query, **options))


def select_rows(graph: Graph, query: str, graphs: Iterable[str] | None = None) -> Iterable[ResultRow]:
    """A SELECT's rows through rdflib, as they come (rdflib types a result's rows as those of any query form).

    ``graphs``: the named graphs whose union the query reads, rather than every one's.
    """
    if graphs is None:
        return cast("Iterable[ResultRow]", graph.query(query))
    # As oxrdflib answers graph.query, which cannot be told which graphs to read.
    answer = select(oxigraph(cast(Dataset, graph)), query, default_graph=_named(graphs))
    out = Result("SELECT")
    out.vars = [Variable(v.value) for v in answer.variables]
    out.bindings = ({v: cast(Any, from_ox(value)) for v, value in zip(out.vars, row)} for row in answer)  # None: unbound, as oxrdflib has it
    return cast("Iterable[ResultRow]", out)


def _named(graphs: Iterable[str]) -> list[pyoxigraph.NamedNode]:
    return [pyoxigraph.NamedNode(g) for g in sorted(graphs)]


def read_files(paths: Iterable[Path], graph: URIRef | None = None) -> Dataset:
    """Parse input files into a new in-memory graph and apply the input rules.

    A file of quads keeps its named graphs. A file of plain triples (and the
    default graph of a quads file) goes into ``graph`` if given, else into a
    graph named by the file's own URI. Raises GraphSourceError naming the
    file, line and column of the first error.
    """
    ds = new_graph()
    for path in paths:
        _parse_into(oxigraph(ds), Path(path), graph)
    run_rules(oxigraph(ds), files.input_rules())
    return ds


def derive(ds: Dataset) -> None:
    """Re-derive the short forms from the qualified nodes (the ontology's graph rules), graph by graph."""
    run_rules(oxigraph(ds), files.graph_rules())


def run_rules(inner: pyoxigraph.Store, rules: Iterable[Path]) -> None:
    """Run SPARQL Update rules on an Oxigraph store, in Oxigraph."""
    for rule in rules:
        inner.update(_rule_text(rule))


def derive_into(inner: pyoxigraph.Store, rules: Iterable[Path], graph: pyoxigraph.NamedNode | pyoxigraph.DefaultGraph) -> list[pyoxigraph.Triple]:
    """Add to ``graph`` of an Oxigraph store what SPARQL CONSTRUCT rules derive from it (the union of its graphs), and
    return it, each triple once: the rules run in order, each reading what those before it derived."""
    derived: dict[pyoxigraph.Triple, None] = {}
    for rule in rules:
        constructed = cast(pyoxigraph.QueryTriples, inner.query(_rule_text(rule), use_default_graph_as_union=True))
        found = dict.fromkeys(t for t in constructed if t not in derived)
        inner.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in found)
        derived.update(found)
    return list(derived)


@cache
def _rule_text(rule: Path) -> str:
    return rule.read_text(encoding="utf-8")


def files_digest(paths: Iterable[Path]) -> str:
    """A digest of files' names and bytes: what a kept report was validated with."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def vocabulary() -> tuple[tuple[pyoxigraph.Quad, ...], str]:
    """The ontology files' statements, each file in the named graph of the owl:Ontology it declares, and their digest."""
    quads = []
    for path in files.ontology_files():
        triples = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
        (ontology,) = {t.subject for t in triples if t.predicate == _TYPE and t.object == _OWL_ONTOLOGY}
        quads += [pyoxigraph.Quad(t.subject, t.predicate, t.object, ontology) for t in triples]
    return tuple(quads), files_digest(files.ontology_files())


# Above this many statements a write goes in through Oxigraph's bulk loader.
_BULK = 20_000


def add_all(store: QuadStore, statements: Iterable[pyoxigraph.Quad] | bytes, count: int) -> None:
    """Add ``count`` statements (quads, or N-Quads) to a store, through Oxigraph's bulk loader when there are many.

    The bulk loader is not transactional: callers write into a generation
    that is published only once whole (graph.engine.snapshots).
    """
    if isinstance(statements, bytes):
        if statements:
            (store.bulk_load if count > _BULK else store.load)(statements, format=pyoxigraph.RdfFormat.N_QUADS)
    else:
        (store.bulk_extend if count > _BULK else store.extend)(statements)


def add_triples(ds: Dataset, graph: URIRef, triples: Iterable[tuple]) -> None:
    """Add rdflib triples to one named graph of ``ds``, in one call to its Oxigraph store (one by one, each is a transaction)."""
    name = pyoxigraph.NamedNode(str(graph))
    converted: dict = {}  # each distinct term converted once: most recur (predicates, types, shared objects)

    def term(node):
        # Equal rdflib terms are one term to Oxigraph: same lexical form, datatype and language tag (in any case, which it lowercases).
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_ox(node)
        return found

    # to_ox is typed for any term, quad or graph; these are a triple's terms.
    oxigraph(ds).extend(pyoxigraph.Quad(cast("pyoxigraph.NamedNode | pyoxigraph.BlankNode", term(s)),
                                        cast(pyoxigraph.NamedNode, term(p)),
                                        cast("pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal", term(o)),
                                        name)
                        for s, p, o in triples)


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


def rdf_format(media_type: str) -> pyoxigraph.RdfFormat:
    """Oxigraph's reader and writer of an RDF syntax, by its media type (graph.formats)."""
    found = pyoxigraph.RdfFormat.from_media_type(media_type)
    if found is None:
        raise ValueError(f"Oxigraph reads and writes no RDF syntax of media type {media_type}")
    return found


def results_format(media_type: str) -> pyoxigraph.QueryResultsFormat:
    """Oxigraph's reader and writer of a query-results format, by its media type (graph.formats)."""
    found = pyoxigraph.QueryResultsFormat.from_media_type(media_type)
    if found is None:
        raise ValueError(f"Oxigraph reads and writes no query-results format of media type {media_type}")
    return found


def graph_names(ds: Dataset) -> list[str]:
    """The IRIs of the named graphs the graph holds statements in (no query: `GRAPH ?g {}` is not read alike by every server)."""
    return sorted(g.value for g in oxigraph(ds).named_graphs() if isinstance(g, pyoxigraph.NamedNode))


def select_values(ds: Dataset, query: str, graphs: Iterable[str] | None = None) -> Iterator[dict[str, str]]:
    """The rows of a SELECT on the union of the named graphs (of ``graphs``, if given): each bound variable's value as its lexical form.

    An unbound variable (of an OPTIONAL, an aggregate of nothing) is absent
    from its row: read it with ``row.get``, which the types then ask for.

    For reads that need no rdflib terms: making them is most of the time of a
    query of many rows through rdflib.
    """
    answer = select(oxigraph(ds), query, **({"use_default_graph_as_union": True} if graphs is None else {"default_graph": _named(graphs)}))
    names = [v.value for v in answer.variables]
    for row in answer:
        yield {name: value.value for name, value in zip(names, row) if value is not None}


def _bind_prefixes(ds: Dataset) -> None:
    # Only the project's prefixes, not rdflib's long default list, reach exports.
    ds.namespace_manager = NamespaceManager(ds, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)


_View = TypeVar("_View", bound=Dataset)


@overload
def as_dataset(inner: QuadSource) -> Dataset: ...
@overload
def as_dataset(inner: QuadSource, cls: type[_View]) -> _View: ...
def as_dataset(inner: QuadSource, cls: type[Dataset] = Dataset) -> Dataset:
    """An rdflib view of an Oxigraph store, or of a server's reader (no copy); its default graph is the union of
    the named graphs."""
    ds = cls(store=OxigraphStore(store=cast(pyoxigraph.Store, inner)), default_union=True)
    _bind_prefixes(ds)
    return ds


def open_generation(path: Path) -> Dataset:
    """One generation of a store (an Oxigraph folder), opened read-only."""
    try:
        return as_dataset(pyoxigraph.Store.read_only(str(path)))
    except OSError as error:
        raise GraphSourceError(f"{path}: the store cannot be opened: {error}") from error


def read_plain(paths: Iterable[Path]) -> tuple[list[pyoxigraph.Quad], dict[str, str]]:
    """The quads of files of any readable format as they are, for plain SHACL validation (no input rules), and their prefixes.

    Unlike ``read_files``, a relative IRI resolves against the file's own URI,
    as other SHACL tools do. Raises GraphSourceError naming file, line and column.
    """
    quads: list[pyoxigraph.Quad] = []
    prefixes: dict[str, str] = {}
    for path in paths:
        prefixes.update(_parse_into(quads, Path(path), None, relative=True))
    return quads, prefixes


def as_store(quads: list[pyoxigraph.Quad]) -> tuple[pyoxigraph.Store, list[pyoxigraph.Literal]]:
    """An in-memory store of ``quads``, and the literals it holds as other terms than the ones given.

    Oxigraph's store keeps numbers, booleans and dates by value: "4.0"^^xsd:decimal
    comes back as "4", and "100"^^xsd:byte as "100"^^xsd:integer. For data
    whose exact terms matter (plain SHACL validation), the caller can tell.
    """
    store = pyoxigraph.Store()
    store.extend(quads)
    given = {q.object for q in quads if type(q.object) is pyoxigraph.Literal}
    held = {q.object for q in store if type(q.object) is pyoxigraph.Literal}
    return store, sorted(given - held, key=str)


def as_graph(quads: list[pyoxigraph.Quad], prefixes: dict[str, str]) -> Graph:
    """``quads`` (all graphs merged) as an rdflib Graph with ``prefixes``, each term exactly as given."""
    graph = Graph(bind_namespaces="core")
    for prefix, iri in prefixes.items():
        graph.bind(prefix, iri, replace=True)
    for quad in quads:
        # from_ox is typed for any term or none; these are a quad's terms.
        graph.add(cast("tuple[Node, Node, Node]", (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))))
    return graph


def _parse_into(inner: pyoxigraph.Store | list, path: Path, graph: URIRef | None, relative: bool = False) -> dict[str, str]:
    """Parse one file into ``inner`` (a store, or a list): quads keep their graph, triples go into ``graph`` or the file's own; its prefixes.

    ``relative``: resolve relative IRIs against the file's URI instead of refusing them.
    """
    try:
        fmt = format_for_path(path)
    except ValueError as error:
        raise GraphSourceError(str(error)) from error
    if not path.is_file():
        raise GraphSourceError(f"{path}: no such file")
    if fmt.name == "xml":
        _refuse_entities(path)
    own = path.resolve().as_uri()
    target = pyoxigraph.NamedNode(str(graph or own))
    blank = _file_blank_nodes(path)
    try:
        # No base IRI: a relative IRI is an error with a position, not an IRI
        # that only means something on this machine.
        quads = pyoxigraph.parse(path=str(path), format=rdf_format(fmt.media_type),
                                 base_iri=own if relative else None)
        inner.extend(_placed(quads, target, blank))
        return quads.prefixes
    except SyntaxError as error:
        raise GraphSourceError(_syntax_message(path, fmt.name, error)) from error
    except (ValueError, OSError) as error:
        raise GraphSourceError(f"{path}: cannot read as {fmt.name}: {_explain(str(error))}") from error


class _Prolog(Exception):
    """Raised inside expat to stop reading once the prolog is judged."""


def _refuse_entities(path: Path) -> None:
    """Refuse an RDF/XML file whose DOCTYPE declares entities or names an external DTD.

    Oxigraph's RDF/XML parser expands DTD entities: a 940-byte file of nested
    ones ("billion laughs") takes gigabytes, and a SYSTEM entity reads other
    files. Only the prolog is read, by expat, in chunks: reading stops at the
    root element, after which no DTD can come.
    """
    parser = expat.ParserCreate()
    found: list[str] = []

    def doctype(name, system_id, public_id, has_internal_subset):
        if has_internal_subset or system_id or public_id:
            found.append(f"{path}:{parser.CurrentLineNumber}: RDF/XML with a DOCTYPE that declares entities or an "
                         "external DTD is refused (entity expansion can exhaust memory or read other files); "
                         "expected RDF/XML with no DTD")
        raise _Prolog

    def start(name, attributes):
        raise _Prolog

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    try:
        with path.open("rb") as stream:
            parser.ParseFile(stream)
    except _Prolog:
        pass
    except expat.ExpatError:
        return  # not well-formed: Oxigraph's parse says where and why
    if found:
        raise GraphSourceError(found[0])


def _placed(quads, target: pyoxigraph.NamedNode, blank):
    """The quads of one file, triples moved into ``target`` and blank nodes named for the file."""
    # Local names for the classes, spelt as the classes: one lookup each per file, not per quad.
    BlankNode, DefaultGraph, Quad = pyoxigraph.BlankNode, pyoxigraph.DefaultGraph, pyoxigraph.Quad  # noqa: N806  classes
    for q in quads:
        s, o, g = q.subject, q.object, q.graph_name
        if type(s) is BlankNode or type(o) is BlankNode or type(g) is DefaultGraph:
            yield Quad(blank(s), q.predicate, blank(o), target if type(g) is DefaultGraph else g)
        else:  # most statements: nothing to change, and no new object to make
            yield q


def _file_blank_nodes(path: Path):
    """A function naming each blank node of one file, by the order it first appears in.

    Blank nodes are scoped to their file, as RDF says; and the same file read
    again gets the same names, so loading it again changes nothing, and its
    unit's kept report stays valid.
    """
    names: dict = {}
    scope = str(path.resolve())

    def name(term):
        if type(term) is not pyoxigraph.BlankNode:
            return term
        found = names.get(term)
        if found is None:
            found = names[term] = pyoxigraph.BlankNode("b" + hashlib.sha1(f"{scope}\n{len(names)}".encode()).hexdigest()[:32])
        return found

    return name


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
