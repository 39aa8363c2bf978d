"""The report of plain SHACL validation (`strategy-graph validate`; the engine's validate_files makes it), for people and programs."""

import json

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH

from graph.formats import REPORT, of_kind

FORMATS: tuple[str, ...] = tuple(of_kind(REPORT))
# The keys of a result in the JSON report, after the SHACL properties they carry.
_FIELDS = {"focusNode": SH.focusNode, "resultPath": SH.resultPath, "value": SH.value,
           "resultSeverity": SH.resultSeverity, "sourceConstraintComponent": SH.sourceConstraintComponent,
           "sourceShape": SH.sourceShape, "resultMessage": SH.resultMessage}


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
