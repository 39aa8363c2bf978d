"""The kept form of a unit's validation report: what graph.engine.units writes, and what reading the gaps reads.

A kept report holds what a reader needs, not the whole SHACL report: each
result's rule (sg:rule, its id), focus node, messages, and value and path where
it has them; the label (sg:focusLabel) and strategy (sg:focusStrategy) of each
focus node, in the report's graph; and the severity of each rule its results
come from. A result of a gap rule's own SPARQL constraint, the rule's node
shape, is kept short: its shape, constraint component and severity are its
rule's, and a value that is its focus node is left out. Any other result keeps
them (sh:sourceShape, sh:sourceConstraintComponent, sh:resultSeverity,
sh:value). A focus node's label is kept only where it is not the least of the
node's own rdfs:label and skos:prefLabel, which the data says already.

And, for reading every gap at once, the same results as one literal (sg:gapRecords): a statement a report.
"""

import json
from collections.abc import Iterator
from functools import cache

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.namespace import DCTERMS, RDFS, SH, SKOS

from graph.engine.rules import packaged_rules, shapes_graph
from graph.engine.store import SKOLEM, oxigraph, select
from graph.vocab import ENGINE_BASE, SG

REPORTS = ENGINE_BASE + "report/"
SPARQL = str(SH.SPARQLConstraintComponent)
VIOLATION = str(SH.Violation)
LABELS = (ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.prefLabel)))
RULE, LABEL, STRATEGY = (ox.NamedNode(str(SG[n])) for n in ("rule", "focusLabel", "focusStrategy"))
IDENTIFIER, SEVERITY = ox.NamedNode(str(DCTERMS.identifier)), ox.NamedNode(str(SH.severity))

RECORDS = ox.NamedNode(str(SG.gapRecords))
# Every kept report's gap records, one literal a report: a national store holds hundreds of thousands of results,
# and reading them as triples takes several times longer than reading one literal a unit.
_KEPT = "SELECT ?records WHERE { GRAPH ?report { ?report <%s> ?records } FILTER (STRSTARTS(STR(?report), \"%s\")) }" % (
    RECORDS.value, REPORTS)
# The same, of the units whose graphs state something of (or cite) one of the nodes given as VALUES.
_KEPT_ABOUT = """
SELECT DISTINCT ?records WHERE {
  VALUES ?focus { %%s }
  { GRAPH ?graph { ?focus ?p ?o } } UNION { GRAPH ?graph { ?s ?p ?focus } }
  GRAPH ?report { ?report <%s> ?graph ; <%s> ?records }
}
""" % (SG.inputGraph, RECORDS.value)


@cache
def rule_severities() -> dict[str, str]:
    """The severity of each packaged rule, by id: its node shape's sh:severity, else sh:Violation (SHACL's default)."""
    shapes = shapes_graph()
    return {rule.id: str(shapes.value(node, SH.severity) or VIOLATION) for node, rule in packaged_rules().items()}


def focus_name(term) -> str:
    """A focus node as a gap record names it: a blank node by its skolem IRI."""
    return SKOLEM + term.value if isinstance(term, ox.BlankNode) else term.value


def records_literal(foci: dict, results: list[tuple]) -> ox.Literal:
    """A report's gap records as one JSON literal: ``foci`` (focus node: its label and strategy), ``results``
    (rule, focus node, message, and for a result not kept short its severity and component)."""
    index = {focus: n for n, focus in enumerate(foci)}
    return ox.Literal(json.dumps({"foci": [[focus_name(f), *about] for f, about in foci.items()],
                                  "results": [[rule, index[focus], *rest] for rule, focus, *rest in results]},
                                 ensure_ascii=False, separators=(",", ":")))


def kept_records(ds: Dataset, about: set[str] | None = None) -> Iterator[dict[str, str]]:
    """Every result of the kept reports of ``ds`` as a gap record: rule, severity, component, focus, message, label,
    strategy (a shared reference's results, kept in each unit that cites it, come once a unit).

    ``about`` (IRIs): only the reports of the units whose graphs state something of, or cite, one of these nodes, the
    only reports that can hold a gap on them (their other results come too).
    """
    if about is not None and not about:
        return
    query = _KEPT if about is None else _KEPT_ABOUT % " ".join(f"<{node}>" for node in sorted(about))
    severities = rule_severities()
    for (literal,) in select(oxigraph(ds), query, use_default_graph_as_union=True):
        kept = json.loads(literal.value)
        if isinstance(kept, list):
            # Kept by a version before units-7, which wrote each gap record whole: a store is read as it was written
            # until its next write validates it again.
            yield from kept
            continue
        foci = kept["foci"]
        for rule, focus, message, *full in kept["results"]:
            name, label, strategy = foci[focus]
            severity, component = full or (severities[rule], SPARQL)
            yield {"rule": rule, "severity": severity, "component": component, "focus": name, "message": message,
                   "label": label, "strategy": strategy}
