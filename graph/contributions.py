"""Every causal link of the graph as one table, for evaluators to review.

A causal link is a Contribution node: from a contributor (a work stream, an
intervention, or an intermediate outcome) to what it contributes to, with its
rationale, assumptions, evidence, strength and who asserted it. ``COLUMNS`` is
the table: the page, its filters and its CSV and xlsx downloads all follow it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
from rdflib import Dataset

from graph.analysis import chain_of, within
from graph.engine import select_values
from graph.order import published_order
from graph.tables import to_csv, to_xlsx
from graph.vocab import CONCEPT_BASE, SPARQL_PREFIXES

_LINKS = SPARQL_PREFIXES + """
SELECT ?c ?from (SAMPLE(?fromName) AS ?fromLabel) (MIN(?fromPlace) AS ?fromPosition) ?to (SAMPLE(?toName) AS ?toLabel)
       (MIN(?toPlace) AS ?toPosition) (SAMPLE(?s) AS ?strength)
       (SAMPLE(?sName) AS ?strengthLabel) (SAMPLE(?r) AS ?rationale)
       (GROUP_CONCAT(DISTINCT ?assumed; separator="\\n") AS ?assumptions)
       (GROUP_CONCAT(DISTINCT ?cited; separator="\\n") AS ?evidence)
       (GROUP_CONCAT(DISTINCT STR(?agent); separator="\\n") AS ?agents) (MIN(STR(?fromNotation)) AS ?fromCode)
       (MIN(STR(?toNotation)) AS ?toCode) WHERE {
  ?from sg:qualifiedContribution ?c . ?c sg:contributionTo ?to .
  OPTIONAL { ?from rdfs:label ?fromName } OPTIONAL { ?to rdfs:label ?toName }
  OPTIONAL { ?from schema:position ?fromPlace } OPTIONAL { ?to schema:position ?toPlace }
  OPTIONAL { ?from skos:notation ?fromNotation } OPTIONAL { ?to skos:notation ?toNotation }
  OPTIONAL { ?c sg:strength ?s OPTIONAL { ?s skos:prefLabel ?sName } }
  OPTIONAL { ?c sg:rationale ?r }
  OPTIONAL { ?c sg:assumption ?a %(a)s OPTIONAL { ?a rdfs:label ?aName } BIND (COALESCE(STR(?aName), STR(?a)) AS ?assumed) }
  OPTIONAL { ?c sg:evidence ?e %(e)s OPTIONAL { ?e rdfs:label ?eName } BIND (COALESCE(STR(?eName), STR(?e)) AS ?cited) }
  OPTIONAL { ?c prov:wasAttributedTo ?agent }
} GROUP BY ?c ?from ?to
"""
# Read from some named graphs only, a link names its assumptions and evidence (things cited by many strategies,
# described anywhere) by IRI: their names are looked up in the whole graph (_CITED, _NAMES), not in those graphs.
_UNNAMED = {"a": "FILTER (!isIRI(?a))", "e": "FILTER (!isIRI(?e))"}
_CITED = SPARQL_PREFIXES + """SELECT DISTINCT ?c ?kind ?cited WHERE { ?from sg:qualifiedContribution ?c . ?c sg:contributionTo ?to .
  { ?c sg:assumption ?cited BIND ("assumptions" AS ?kind) } UNION { ?c sg:evidence ?cited BIND ("evidence" AS ?kind) } FILTER (isIRI(?cited)) }"""
_NAMES = SPARQL_PREFIXES + "SELECT ?thing ?name WHERE { VALUES ?thing { %s } ?thing rdfs:label ?name }"
# An agent is described in every graph it asserts in: each one's name is looked up once, not once a link.
_AGENTS = SPARQL_PREFIXES + "SELECT ?agent (MIN(STR(?name)) AS ?label) WHERE { VALUES ?agent { %s } ?agent rdfs:label ?name } GROUP BY ?agent"
# The words for a link whose strength is not stated, in the table and its filter.
NOT_STATED = "not stated"
# The contribution strength scheme (ontology/concepts.ttl), and its weakest grade.
STRENGTH_SCHEME = CONCEPT_BASE + "contribution-strength/"
WEAK = STRENGTH_SCHEME + "weak"


@dataclass(frozen=True)
class Contribution:
    """One causal link, in the words an evaluator reads."""

    iri: str
    source: str
    source_label: str
    target: str
    target_label: str
    strength: str  # the strength's label, or NOT_STATED
    strength_iri: str | None
    rationale: str
    assumptions: tuple[str, ...]
    evidence: tuple[str, ...]
    asserted_by: tuple[str, ...]
    source_code: str = ""  # the published codes (skos:notation) of its two ends, shown beside their labels
    target_code: str = ""


# The table: each column's heading and its cell of a link, as text. The page, CSV and xlsx follow it.
COLUMNS = (
    ("From", lambda c: c.source_label),
    ("To", lambda c: c.target_label),
    ("Rationale", lambda c: c.rationale),
    ("Assumptions", lambda c: "; ".join(c.assumptions)),
    ("Evidence", lambda c: "; ".join(c.evidence)),
    ("Strength", lambda c: c.strength),
    ("Asserted by", lambda c: "; ".join(c.asserted_by)),
)


def contributions(ds: Dataset, graphs: Iterable[str] | None = None) -> list[Contribution]:
    """Every causal link of the graph, ordered by what it leads to, then by what it comes from, each in the published order (graph.order).

    ``graphs``: only the links those named graphs state (a unit of validation's, with the vocabulary: a strategy's links).
    """
    if graphs is None:
        rows = list(select_values(ds, _LINKS % {"a": "", "e": ""}))
    else:
        rows = list(select_values(ds, _LINKS % _UNNAMED, graphs))
        _add_cited(ds, rows, graphs)
    lines = lambda row, name: tuple(sorted(filter(None, (row.get(name) or "").split("\n"))))
    agents = {a for row in rows for a in lines(row, "agents")}
    names = {row["agent"]: row["label"] for row in select_values(ds, _AGENTS % " ".join(f"<{a}>" for a in agents))} if agents else {}
    found = [(published_order(row.get("toPosition"), row.get("toLabel") or row["to"], row["to"])
              + published_order(row.get("fromPosition"), row.get("fromLabel") or row["from"], row["from"]) + (row["c"],),
              Contribution(row["c"], row["from"], row.get("fromLabel") or row["from"], row["to"], row.get("toLabel") or row["to"],
                           row.get("strengthLabel") or (row.get("strength") or NOT_STATED), row.get("strength"), row.get("rationale") or "",
                           lines(row, "assumptions"), lines(row, "evidence"), tuple(sorted(names.get(a, a) for a in lines(row, "agents"))),
                           row.get("fromCode") or "", row.get("toCode") or ""))
             for row in rows]
    return [c for _, c in sorted(found, key=lambda pair: pair[0])]


def _add_cited(ds: Dataset, rows: list[dict[str, str]], graphs: Iterable[str]) -> None:
    """To each link's row, the names of the assumptions and evidence ``graphs`` cite by IRI, as _LINKS names them: every
    name the whole graph gives one, else its IRI."""
    cited = list(select_values(ds, _CITED, graphs))
    names: dict[str, set[str]] = {}
    for row in select_values(ds, _NAMES % " ".join(f"<{c}>" for c in {row["cited"] for row in cited})) if cited else ():
        names.setdefault(row["thing"], set()).add(row["name"])
    by_link = {row["c"]: row for row in rows}
    for row in cited:  # as GROUP_CONCAT(DISTINCT …) joins them
        link = by_link[row["c"]]
        said = set(filter(None, (link.get(row["kind"]) or "").split("\n"))) | names.get(row["cited"], {row["cited"]})
        link[row["kind"]] = "\n".join(sorted(said))


def chosen(links: list[Contribution], g: nx.DiGraph, strategy: str | None = None, outcome: str | None = None,
           strength: str | None = None, without_evidence: bool = False) -> list[Contribution]:
    """The links of one strategy (graph.analysis.within), of one outcome's chain, of one strength (its label), or citing no evidence."""
    keep = set(within(g, strategy)) if strategy is not None else None
    if outcome is not None:
        keep = chain_of(g, outcome) if keep is None else keep & chain_of(g, outcome)
    return [c for c in links
            if (keep is None or (c.source in keep and c.target in keep))
            and (strength is None or c.strength == strength)
            and not (without_evidence and c.evidence)]


def as_rows(links: list[Contribution]) -> list[list[str]]:
    """The table's heading row, then a row a link: the cells of ``COLUMNS``."""
    return [[heading for heading, _ in COLUMNS]] + [[cell(c) for _, cell in COLUMNS] for c in links]


def as_csv(links: list[Contribution]) -> str:
    """The table as CSV (graph.tables keeps formulas out)."""
    return to_csv(as_rows(links))


def as_xlsx(links: list[Contribution]) -> bytes:
    """The table as an Excel workbook of one sheet, its cells those of ``as_csv``."""
    return to_xlsx(as_rows(links), "Causal links")
