"""A resource as its page describes it: everything the graph says about it and with it, its links named for a reader."""

import re
from dataclasses import dataclass, field, replace
from typing import cast

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from graph.engine import select_rows, select_values
from graph.vocab import ENGINE_BASE, SG, SPARQL_PREFIXES

# What a page shows is the data and the vocabulary: the engine's graphs (its kept gap reports, whose
# results point at the data they judge by sh:focusNode and sh:value) are its own, never the page's.
_NOT_ENGINE = f'!STRSTARTS(STR(?g), "{ENGINE_BASE}")'
# A blank node has no name or address to show: it is read through the links whose other end it is (_BLANK_ENDS).
_STATEMENTS = SPARQL_PREFIXES + """
SELECT ?direction ?p ?pLabel ?o (COALESCE(?name, ?words, ?span) AS ?oLabel) ?oPage WHERE {
  VALUES ?node { %%s }
  GRAPH ?g { { ?node ?p ?o BIND ("out" AS ?direction) } UNION { ?o ?p ?node BIND ("in" AS ?direction) } }
  FILTER (%(data)s && !isBlank(?o))
  OPTIONAL { ?p rdfs:label ?pLabel }
  OPTIONAL { ?o rdfs:label|skos:prefLabel ?name }
  OPTIONAL { ?o foaf:page ?oPage }
  # A value, baseline or target has no name: it is read in words, as its amount, unit and period.
  # Bound inside, with the amount: Virtuoso reads STR of an unbound amount as "", which words every other thing.
  OPTIONAL { ?o sdmx-measure:obsValue|sg:targetValue ?amount
             OPTIONAL { ?o sg:indicator|^sg:hasBaseline|^sg:hasTarget ?indicator . ?indicator sg:unit ?unit }
             OPTIONAL { ?o sdmx-dimension:refPeriod ?period } OPTIONAL { ?o sg:targetDate ?by }
             BIND (CONCAT(STR(?amount), IF(BOUND(?unit), CONCAT(" ", STR(?unit)), ""),
                          IF(BOUND(?period), CONCAT(" in ", STR(?period)), ""), IF(BOUND(?by), CONCAT(" by ", STR(?by)), "")) AS ?words) }
  # A named period (a strategy's, a funding's, a work stream's) is read as its first and last day or year.
  OPTIONAL { ?o a dcterms:PeriodOfTime OPTIONAL { ?o dcat:startDate ?from } OPTIONAL { ?o dcat:endDate ?to }
             BIND (CONCAT(COALESCE(STR(?from), "…"), " to ", COALESCE(STR(?to), "…")) AS ?span) }
}
ORDER BY ?direction ?pLabel ?p ?oLabel ?o
""" % {"data": _NOT_ENGINE}
# The links whose other end is a blank node. One it points to is read in words: what the blank node
# says, the members of a list it holds among them (a period's start and end, a union's classes). One
# that points to it is read through the resource that holds it (a graph's qualified attribution).
_BLANK_ENDS = SPARQL_PREFIXES + """
SELECT ?direction ?p ?pLabel ?blank ?q ?qLabel ?v ?name (IF(isIRI(?v), "iri", "") AS ?named) WHERE {
  VALUES ?node { %%s }
  { GRAPH ?g { ?node ?p ?blank } FILTER (isBlank(?blank) && %(data)s) BIND ("out" AS ?direction)
    { ?blank ?q ?v FILTER (!isBlank(?v)) } UNION { ?blank ?q ?list FILTER (isBlank(?list)) ?list rdf:rest*/rdf:first ?v FILTER (!isBlank(?v)) } }
  UNION
  { GRAPH ?g { ?blank ?p ?node } FILTER (isBlank(?blank) && %(data)s) BIND ("in" AS ?direction)
    ?v ?q ?blank FILTER (isIRI(?v)) }
  OPTIONAL { ?p rdfs:label ?pLabel }
  OPTIONAL { ?q rdfs:label ?qLabel }
  OPTIONAL { ?v rdfs:label|skos:prefLabel ?name }
}
""" % {"data": _NOT_ENGINE}


# Names a board member reads in place of a property's own label, for the
# properties on nearly every page. Any other property without a label of its
# own is named from its local name, camelCase split into words.
READER_NAMES = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "kind",
    "http://www.w3.org/2000/01/rdf-schema#label": "name",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "name",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/isPartOf": "part of",
    "http://schema.org/position": "position in the document",
    "http://www.w3.org/2004/02/skos/core#notation": "code",
    "http://www.w3.org/2004/02/skos/core#altLabel": "also worded",
    "https://w3id.org/strategy-graph/def#quote": "quoted from the source",
    "http://www.w3.org/ns/prov#wasAttributedTo": "asserted by",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
}


def predicate_name(predicate: str, label: str | None) -> str:
    """What a reader sees for a property: a reader's name, its label, or its local name in words."""
    if predicate in READER_NAMES:
        return READER_NAMES[predicate]
    return label or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", _local(predicate)).lower()


@dataclass(frozen=True)
class Statement:
    """One link of a resource: what it is called, and the other end with its label."""

    predicate: str
    predicate_label: str
    value: str
    value_label: str
    is_resource: bool
    value_page: str = ""  # the other end's web address (foaf:page), as for a source document
    reason: str = ""  # for a causal link: the Contribution node that gives its rationale


@dataclass
class ResourceView:
    """A resource as a page shows it: label, kind, where it comes from, and its links both ways."""

    iri: str
    label: str
    outgoing: list[Statement] = field(default_factory=list)
    incoming: list[Statement] = field(default_factory=list)

    def values(self, predicate: str) -> list[str]:
        """The values of one of its own properties."""
        return [s.value for s in self.outgoing if s.predicate == predicate]

    def labels(self, predicate: str) -> list[str]:
        """The labels of the values of one of its own properties."""
        return [s.value_label for s in self.outgoing if s.predicate == predicate]


def describe_resource(ds: Dataset, iri: URIRef) -> ResourceView | None:
    """Everything the graph says about ``iri``, and says with it as object; None if nothing."""
    view = ResourceView(str(iri), "")
    seen = set()
    for row in select_rows(ds, _STATEMENTS % iri.n3()):
        key = (str(row.direction), str(row.p), str(row.o))
        if key in seen:
            continue  # a second label of the other end
        seen.add(key)
        statement = Statement(str(row.p), predicate_name(str(row.p), row.pLabel and str(row.pLabel)), str(row.o), str(row.oLabel or row.o),
                              isinstance(row.o, URIRef), str(row.oPage or ""))
        outgoing = cast(Literal, row.direction).value == "out"  # the query binds it to a literal, "out" or "in"
        (view.outgoing if outgoing else view.incoming).append(statement)
        if outgoing and str(row.p) in (str(RDFS.label), str(DCTERMS.title)) and not view.label:
            view.label = str(row.o)
    if not _blank_ends(ds, iri, view) and not seen:
        return None
    view.label = view.label or _local(iri)
    _once_each(ds, iri, view)
    return view


def _blank_ends(ds: Dataset, iri: URIRef, view: ResourceView) -> bool:
    """Add the links of ``iri`` whose other end is a blank node, with no blank node's id (_BLANK_ENDS); whether there are any."""
    said: dict[tuple[str, str], dict[str, set[str]]] = {}  # (link, blank node) -> what the blank node says, by property
    names: dict[str, str] = {}
    holders = set()
    for row in select_values(ds, _BLANK_ENDS % iri.n3()):
        names[row["p"]] = predicate_name(row["p"], row.get("pLabel"))
        names[row["q"]] = predicate_name(row["q"], row.get("qLabel"))
        label = row.get("name") or (_local(row["v"]) if row["named"] else row["v"])
        if row["direction"] == "out":
            said.setdefault((row["p"], row["blank"]), {}).setdefault(row["q"], set()).add(label)
        else:
            holders.add((row["p"], row["q"], row["v"], row.get("name") or row["v"]))
    words = sorted((names[p], p, "; ".join(f"{names[q]}: {', '.join(sorted(values[q]))}"
                                          for q in sorted(values, key=lambda q: (q != str(RDF.type), names[q]))))
                   for (p, _), values in said.items())
    view.outgoing += [Statement(p, name, text, text, False) for name, p, text in words]
    view.incoming += [Statement(p, f"{names[q]} → {names[p]}", holder, label, True)
                      for p, q, holder, label in sorted(holders, key=lambda h: (names[h[0]], h[3], h[2]))]
    return bool(words or holders)


_CONTRIBUTORS = SPARQL_PREFIXES + "SELECT ?x ?c WHERE { ?x sg:qualifiedContribution ?c . ?c sg:contributionTo %s }"


def _once_each(ds: Dataset, iri: URIRef, view: ResourceView) -> None:
    """Each causal link into ``iri`` once: its contributor (sg:contributesTo), its Contribution node as the reason.

    The graph states a link twice, the qualified node (sg:contributionTo) and the short link derived from it.
    """
    reasons = {row["x"]: row["c"] for row in select_values(ds, _CONTRIBUTORS % iri.n3())}
    if not reasons:
        return
    shown = set()
    for i, statement in enumerate(view.incoming):
        if statement.predicate == str(SG.contributesTo) and statement.value in reasons:
            view.incoming[i] = replace(statement, reason=reasons[statement.value])
            shown.add(reasons[statement.value])
    view.incoming = [s for s in view.incoming if not (s.predicate == str(SG.contributionTo) and s.value in shown)]


def _local(iri) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
