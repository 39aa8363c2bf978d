"""Who is responsible for what: each owner, what it is accountable for, what it leads and the funding it gives.

An owner is any agent the graph names as the owner of something (sg:owner),
as the body that leads a strategy (sg:ledBy) or as a funder (schema:funder).
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import networkx as nx
from rdflib import Dataset, URIRef

from graph.analysis import within
from graph.engine import select_values
from graph.order import published_order
from graph.vocab import SPARQL_PREFIXES

# What an owner can be accountable for, in the order a page lists them.
KINDS = {"outcome": "Target outcomes", "workstream": "Work streams", "intervention": "Interventions", "indicator": "Indicators"}
_AGENTS = SPARQL_PREFIXES + """
SELECT ?agent (SAMPLE(?name) AS ?label) (SAMPLE(?board) AS ?isBoard) (SAMPLE(?partnership) AS ?isPartnership) (SAMPLE(?person) AS ?isPerson)
WHERE {
  { ?x sg:owner ?agent } UNION { ?x sg:ledBy ?agent } UNION { ?x schema:funder ?agent }
  OPTIONAL { ?agent rdfs:label ?name }
  # OPTIONAL, not BIND (EXISTS …): Virtuoso cannot compile EXISTS in a BIND of a grouped query.
  OPTIONAL { ?agent a sg:Board BIND ("yes" AS ?board) }
  OPTIONAL { ?agent a org:OrganizationalCollaboration BIND ("yes" AS ?partnership) }
  OPTIONAL { ?agent a ?personClass FILTER (?personClass IN (foaf:Person, prov:Person)) BIND ("yes" AS ?person) }
} GROUP BY ?agent
"""
_OWNED = SPARQL_PREFIXES + """
SELECT ?agent ?thing ?kind (SAMPLE(?name) AS ?label) (GROUP_CONCAT(DISTINCT STR(?measured); separator=" ") AS ?measures)
       (MIN(?place) AS ?position) (MIN(STR(?notation)) AS ?code) WHERE {
  VALUES (?type ?kind) { (sg:Outcome "outcome") (sg:Workstream "workstream") (sg:Intervention "intervention") (sg:Indicator "indicator") }
  ?thing sg:owner ?agent ; a ?type .
  OPTIONAL { ?thing rdfs:label ?name }
  OPTIONAL { ?thing sg:measures ?measured }
  OPTIONAL { ?thing schema:position ?place }
  OPTIONAL { ?thing skos:notation ?notation }
} GROUP BY ?agent ?thing ?kind
"""
_LED = SPARQL_PREFIXES + """
SELECT ?agent ?strategy (SAMPLE(?name) AS ?label) WHERE { ?strategy sg:ledBy ?agent OPTIONAL { ?strategy rdfs:label ?name } }
GROUP BY ?agent ?strategy
"""
_FUNDED = SPARQL_PREFIXES + """
SELECT ?agent ?commitment ?item (SAMPLE(?itemName) AS ?itemLabel) (SAMPLE(?value) AS ?amount) (SAMPLE(?unit) AS ?currency)
       (SAMPLE(?statusName) AS ?status) WHERE {
  ?commitment schema:funder ?agent ; schema:fundedItem ?item .
  OPTIONAL { ?item rdfs:label ?itemName }
  OPTIONAL { ?commitment schema:amount ?money . ?money schema:value ?value OPTIONAL { ?money schema:currency ?unit } }
  OPTIONAL { ?commitment sg:fundingStatus/skos:prefLabel ?statusName }
} GROUP BY ?agent ?commitment ?item
"""

# Posts (W3C ORG): the organisation each is in, who holds it (org:holds, or its inverse org:heldBy) and its role.
# %s narrows them to one agent's, as the organisation or the holder, or is empty.
_POSTS = SPARQL_PREFIXES + """
SELECT ?post ?organisation ?holder (SAMPLE(?roleName) AS ?role) (SAMPLE(?orgName) AS ?orgLabel) (SAMPLE(?holderName) AS ?holderLabel) WHERE {
  %s
  ?post org:postIn ?organisation .
  OPTIONAL { { ?holder org:holds ?post } UNION { ?post org:heldBy ?holder } OPTIONAL { ?holder rdfs:label ?holderName } }
  OPTIONAL { ?post org:role/rdfs:label ?roleName }
  OPTIONAL { ?organisation rdfs:label ?orgName }
} GROUP BY ?post ?organisation ?holder
"""
_ONES_POSTS = "{ ?post org:postIn %s } UNION { %s org:holds ?post } UNION { ?post org:heldBy %s }"


@dataclass(frozen=True)
class Thing:
    """Something an owner is responsible for, leads or funds: its IRI and label.

    ``measures``: for an indicator, what it measures, which places it in a strategy;
    ``position``: its place in the published list (schema:position), if it has one;
    ``code``: its published code (skos:notation), shown beside its label, if it has one.
    """

    iri: str
    label: str
    measures: frozenset[str] = frozenset()
    position: str | None = None
    code: str = ""


@dataclass(frozen=True)
class Grant:
    """A funding commitment an owner gives: what it funds, how much, and its status in words."""

    iri: str
    item: Thing
    amount: Decimal | None
    currency: str
    status: str


@dataclass(frozen=True)
class Post:
    """A post (org:Post): its role in words, the organisation it is in, and who holds it (None: nobody named)."""

    iri: str
    role: str
    organisation: Thing
    holder: Thing | None


@dataclass
class Owner:
    """One owner with what it is accountable for (by kind), the strategies it leads and the funding it gives."""

    iri: str
    label: str
    kind: str  # board, partnership, person or organisation
    owns: dict[str, list[Thing]] = field(default_factory=dict)
    leads: list[Thing] = field(default_factory=list)
    funds: list[Grant] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)  # the posts in it, or that it holds


def owners(ds: Dataset) -> list[Owner]:
    """Every owner of the graph, by label; what each is accountable for in the published order (graph.order)."""
    found = {}
    for row in select_values(ds, _AGENTS):
        kind = ("board" if row.get("isBoard") else "partnership" if row.get("isPartnership") else "person" if row.get("isPerson")
                else "organisation")
        found[row["agent"]] = Owner(row["agent"], row.get("label") or row["agent"], kind, {k: [] for k in KINDS})
    for row in select_values(ds, _OWNED):
        if row["agent"] in found:
            found[row["agent"]].owns[row["kind"]].append(
                Thing(row["thing"], row.get("label") or row["thing"], frozenset((row.get("measures") or "").split()), row.get("position"),
                      row.get("code") or ""))
    for row in select_values(ds, _LED):
        found[row["agent"]].leads.append(Thing(row["strategy"], row.get("label") or row["strategy"]))
    for row in select_values(ds, _FUNDED):
        found[row["agent"]].funds.append(Grant(row["commitment"], Thing(row["item"], row.get("itemLabel") or row["item"]),
                                               _amount(row.get("amount")), row.get("currency") or "",
                                               row.get("status") or "status not stated"))
    for post in posts(ds):
        for agent in found.keys() & {post.organisation.iri, post.holder.iri if post.holder else None}:
            found[agent].posts.append(post)
    for owner in found.values():
        for things in owner.owns.values():
            things.sort(key=lambda t: published_order(t.position, t.label, t.iri))
        owner.leads.sort(key=lambda t: (t.label, t.iri))
        owner.funds.sort(key=lambda f: (f.item.label, f.iri))
    return sorted(found.values(), key=lambda o: (o.label, o.iri))


def of_strategy(all_owners: list[Owner], g: nx.DiGraph, strategy: str) -> list[Owner]:
    """The owners of one strategy's things (graph.analysis.within), each with only that strategy's part."""
    inside = set(within(g, strategy))
    shown = []
    for owner in all_owners:
        part = Owner(owner.iri, owner.label, owner.kind,
                     {k: [t for t in things if t.iri in inside or t.measures & inside] for k, things in owner.owns.items()},
                     [t for t in owner.leads if t.iri == strategy], [f for f in owner.funds if f.item.iri in inside], owner.posts)
        if part.leads or part.funds or any(part.owns.values()):
            shown.append(part)
    return shown


def posts(ds: Dataset, agent: URIRef | None = None) -> list[Post]:
    """Every post of the graph, or ``agent``'s (the posts in it and those it holds), by organisation, role and holder."""
    where = _ONES_POSTS % ((agent.n3(),) * 3) if agent is not None else ""
    found = [Post(row["post"], row.get("role") or "role not stated", Thing(row["organisation"], row.get("orgLabel") or row["organisation"]),
                  Thing(row["holder"], row.get("holderLabel") or row["holder"]) if row.get("holder") else None)
             for row in select_values(ds, _POSTS % where)]
    return sorted(found, key=lambda p: (p.organisation.label, p.role, p.holder.label if p.holder else "", p.iri))


def _amount(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:  # not a number: shown as not stated, the gap rules report it
        return None
