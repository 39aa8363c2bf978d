"""The layers' arrows only point down (issue 28): the import graph of graph/, viewer/ and strategy_graph/, read with ast.

Every ``import`` and ``from ... import`` counts, wherever it is (inside a function, under ``if TYPE_CHECKING``). The
layers, bottom-up, are the table ``LAYERS``; a module of the project that no pattern places fails, so a new module
is placed on purpose. Each failure names the importing file, its line and the module imported.
"""

from __future__ import annotations

import ast
import fnmatch
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ("graph", "viewer", "strategy_graph")

# Bottom-up: a module may import its own layer and the layers below it, never one above. A module takes the first
# layer one of whose patterns (fnmatch, on the dotted name) matches it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Names, settings, file formats and errors every layer shares: they import no other layer.
    ("base", ("graph", "graph.vocab", "graph.files", "graph.settings", "graph.formats", "graph.errors", "graph.tables",
              "graph.archives", "graph.order", "graph.palette")),
    # The only code that touches the store and the validator; reached through graph.engine, its façade.
    ("engine", ("graph.engine", "graph.engine.*")),
    # Read models, ingest, saved queries, analysis: what the viewer and the CLI present.
    ("middle", ("graph.analysis", "graph.contributions", "graph.owners", "graph.names", "graph.describe", "graph.export",
                "graph.strategies", "graph.progress", "graph.resources", "graph.search", "graph.sparql", "graph.gaps",
                "graph.diagram", "graph.fingertips", "graph.shacl", "graph.imports", "graph.draft", "graph.draft.*",
                "graph.workbook", "graph.workbook.*")),
    # The web app: it presents, and owns HTTP and its status codes.
    ("viewer", ("viewer", "viewer.*")),
    # The command line stands above both.
    ("cli", ("strategy_graph", "strategy_graph.*")),
)
# Only the engine imports these (third-party packages, by their top-level name).
ENGINE_ONLY = ("pyoxigraph", "oxrdflib", "pyshacl")
# Arrows the layers alone allow but the design does not, (importer pattern, imported pattern, why).
# The first two hold whether or not the modules are placed in LAYERS yet.
FORBIDDEN: tuple[tuple[str, str, str], ...] = (
    ("graph*", "viewer*", "graph/ never imports the viewer"),
    ("[gv]*", "strategy_graph*", "only the CLI imports the CLI"),
    ("graph.workbook*", "graph.gaps*", "ingest does not depend on the gap report"),
)


@dataclass(frozen=True)
class Import:
    """One imported module, as one statement of ``importer`` names it."""

    importer: str
    path: str
    line: int
    imported: str


def modules(root: Path = REPO) -> dict[str, Path]:
    """The project's modules under ``root``, by dotted name (a package by its own name, for its ``__init__.py``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: str, source: str, known: Iterable[str]) -> Iterator[Import]:
    """Every module ``source`` (module ``name``, file ``path``) imports; ``from p import n`` is the module ``p.n``
    when that is one of the ``known`` modules, else ``p``."""
    known = set(known)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    seen = set()
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:  # one statement naming three things from one module is one arrow
            if (node.lineno, target) not in seen:
                seen.add((node.lineno, target))
                yield Import(name, path, node.lineno, target)


def layer_of(module: str) -> int | None:
    """The index in ``LAYERS`` of the first layer that places ``module``, or None."""
    for index, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(module, pattern) for pattern in patterns):
            return index
    return None


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(found: Mapping[str, str], edges: Iterable[Import]) -> list[str]:
    """What breaks the layering: ``found`` maps each module to its file, ``edges`` are all their imports."""
    problems = [f"{path}: module {module} is in no layer of LAYERS (tests/test_layers.py): place it"
                for module, path in found.items() if layer_of(module) is None]
    for edge in sorted(edges, key=lambda edge: (edge.path, edge.line)):
        where = f"{edge.path}:{edge.line} imports {edge.imported}"
        top = edge.imported.split(".")[0]
        in_engine = _inside(edge.importer, "graph.engine")
        if top in ENGINE_ONLY and not in_engine:
            problems.append(f"{where}: only graph/engine/ imports {top}")
        if top not in PACKAGES:
            continue
        if _inside(edge.imported, "graph.engine") and edge.imported != "graph.engine" and not in_engine:
            problems.append(f"{where}: outside the engine, import graph.engine (its façade), not its submodules")
        forbidden = [f"{where}: {why}" for importer, imported, why in FORBIDDEN
                     if fnmatch.fnmatchcase(edge.importer, importer) and fnmatch.fnmatchcase(edge.imported, imported)]
        problems += forbidden
        source, target = layer_of(edge.importer), layer_of(edge.imported)
        if not forbidden and source is not None and target is not None and target > source:
            problems.append(f"{where}: the {LAYERS[source][0]} layer imports the {LAYERS[target][0]} layer above it")
    return problems


def _graph(root: Path = REPO) -> tuple[dict[str, str], list[Import]]:
    found = modules(root)
    edges = [edge for module, path in found.items()
             for edge in imports(module, str(path.relative_to(root)), path.read_text(encoding="utf-8"), found)]
    return {module: str(path.relative_to(root)) for module, path in found.items()}, edges


def test_the_import_graph_has_no_arrow_pointing_up():
    found, edges = _graph()
    project = [edge for edge in edges if edge.imported.split(".")[0] in PACKAGES]
    # Not vacuous: the walk found the project and its imports.
    assert len(found) > 40 and len(project) > 100, (len(found), len(project))
    problems = violations(found, edges)
    assert not problems, f"{len(problems)} arrows break the layers:\n" + "\n".join(problems)


def test_the_check_catches_each_kind_of_bad_import():
    found = {"graph": "graph/__init__.py", "graph.vocab": "graph/vocab.py", "graph.engine": "graph/engine/__init__.py",
             "graph.engine.store": "graph/engine/store.py", "graph.gaps": "graph/gaps.py",
             "graph.workbook": "graph/workbook/__init__.py", "graph.workbook.to_rdf": "graph/workbook/to_rdf.py",
             "viewer": "viewer/__init__.py", "viewer.data": "viewer/data.py", "graph.newcomer": "graph/newcomer.py",
             "strategy_graph": "strategy_graph/__init__.py"}
    sources = {
        "graph.vocab": "def late():\n    import graph.engine\n",  # base imports the engine, inside a function
        "graph.engine.store": "import pyoxigraph\nfrom graph import vocab\nfrom graph.gaps import find_gaps\n",
        "graph.workbook.to_rdf": "from ..gaps import find_gaps\nfrom graph.engine import store\n",
        "viewer.data": "from pyoxigraph import Store\nfrom graph.engine import Store as S, open_graph\nfrom . import data\n"
                       "import strategy_graph\n",
        "graph.newcomer": "import viewer\n",  # in no layer, and still kept from the viewer
        "strategy_graph": "import viewer, graph.engine.store\n",  # the CLI imports any layer, but not past the façade
    }
    edges = [edge for module, source in sources.items() for edge in imports(module, found[module], source, found)]
    assert [edge.imported for edge in edges] == [
        "graph.engine", "pyoxigraph", "graph.vocab", "graph.gaps", "graph.gaps", "graph.engine.store",
        "pyoxigraph", "graph.engine", "viewer.data", "strategy_graph", "viewer", "viewer", "graph.engine.store"]
    assert violations(found, edges) == [
        "graph/newcomer.py: module graph.newcomer is in no layer of LAYERS (tests/test_layers.py): place it",
        "graph/engine/store.py:3 imports graph.gaps: the engine layer imports the middle layer above it",
        "graph/newcomer.py:1 imports viewer: graph/ never imports the viewer",
        "graph/vocab.py:2 imports graph.engine: the base layer imports the engine layer above it",
        "graph/workbook/to_rdf.py:1 imports graph.gaps: ingest does not depend on the gap report",
        "graph/workbook/to_rdf.py:2 imports graph.engine.store: outside the engine, import graph.engine (its façade), "
        "not its submodules",
        "strategy_graph/__init__.py:1 imports graph.engine.store: outside the engine, import graph.engine (its façade), "
        "not its submodules",
        "viewer/data.py:1 imports pyoxigraph: only graph/engine/ imports pyoxigraph",
        "viewer/data.py:4 imports strategy_graph: only the CLI imports the CLI",
    ]
