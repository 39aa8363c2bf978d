"""Plain SHACL validation of any RDF files with the project's engine: `strategy-graph validate`."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH

from graph.engine import store, validation
from graph.formats import REPORT, of_kind

FORMATS: tuple[str, ...] = tuple(of_kind(REPORT))
# The keys of a result in the JSON report, after the SHACL properties they carry.
_FIELDS = {"focusNode": SH.focusNode, "resultPath": SH.resultPath, "value": SH.value,
           "resultSeverity": SH.resultSeverity, "sourceConstraintComponent": SH.sourceConstraintComponent,
           "sourceShape": SH.sourceShape, "resultMessage": SH.resultMessage}


@dataclass(frozen=True)
class Validated:
    """A report, and the literals of the data that Oxigraph's store would hold as other terms (see store.as_store)."""

    report: Graph
    exact_terms: tuple[str, ...] = ()


def validate_files(data: Iterable[Path], shapes: Iterable[Path]) -> Validated:
    """The sh:ValidationReport of the data files against the shapes files.

    The data is validated in a store by the packaged engine, unless the store
    would hold some literal as another term: then pySHACL judges the terms
    as the files give them, and ``exact_terms`` names those literals.
    Raises store.GraphSourceError for a file that cannot be read and
    validation.ShapesError for shapes that cannot be applied.
    """
    quads, prefixes = store.read_plain(data)
    # Shapes are never stored: a sh:targetNode 4.0 stays 4.0.
    shapes_graph = store.as_graph(*store.read_plain(shapes))
    data_store, changed = store.as_store(quads)
    report = (validation.validate_graph(store.as_graph(quads, {}), shapes_graph) if changed
              else validation.validate(data_store, shapes_graph))
    # The files' own prefixes, so that the Turtle report reads as they do.
    for prefix, iri in [*prefixes.items(), *shapes_graph.namespaces()]:
        report.bind(prefix, iri, replace=True)
    return Validated(report, tuple(str(literal) for literal in changed))


def conforms(report: Graph) -> bool:
    """The report's sh:conforms."""
    return any(isinstance(v, Literal) and v.toPython() is True for v in report.objects(None, SH.conforms))


def _results(report: Graph) -> list[dict[str, str]]:
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        record = {}
        for key, prop in _FIELDS.items():
            value = report.value(result, prop)
            if value is not None:
                # A blank node (a complex path, a blank focus node) keeps its _: form: the Turtle report has its structure.
                record[key] = value.n3() if isinstance(value, BNode) else str(value)
        found.append(record)
    return sorted(found, key=lambda r: tuple(r.get(k, "") for k in _FIELDS))


def render(report: Graph, fmt: str) -> str:
    """The report as Turtle (``ttl``), a JSON list of results (``json``) or one line a result (``text``)."""
    if fmt == "ttl":
        return report.serialize(format="turtle")
    results = _results(report)
    if fmt == "json":
        return json.dumps({"conforms": conforms(report), "results": results}, indent=2, ensure_ascii=False) + "\n"
    lines = [f"{r['resultSeverity'].rsplit('#', 1)[-1]}: {r.get('focusNode', '')}"
             + (f" {r['resultPath']}" if "resultPath" in r else "")
             + (f" = {r['value']}" if "value" in r else "")
             + f" ({r['sourceConstraintComponent'].rsplit('#', 1)[-1]})"
             + (f": {r['resultMessage']}" if "resultMessage" in r else "") for r in results]
    lines.append("Conforms." if conforms(report) else f"Does not conform: {len(results)} result(s).")
    return "\n".join(lines) + "\n"
