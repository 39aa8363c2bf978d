"""The strategies in a graph, each with its priorities, outcomes and work streams.

Normalised once here so that pages ask for one field per idea.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from graph.engine.store import select_values
from graph.order import nested, published_order
from graph.vocab import ENGINE_BASE, ID_BASE, SG, SPARQL_PREFIXES

_STRATEGIES = SPARQL_PREFIXES + "SELECT ?strategy ?label WHERE { ?strategy a sg:Strategy ; rdfs:label ?label }"
# One query per kind of part: as one query with UNION, Oxigraph took 6 times as long at 150 strategies.
_PARTS = {
    "priorities": "?strategy a sg:Strategy ; sg:addressesPriority ?item .",
    "visions": "?strategy a sg:Strategy ; sg:addressesPriority/^sg:includesPriority ?item .",
    "outcomes": "?item a sg:Outcome ; dcterms:isPartOf ?strategy .",
    "workstreams": "?item a sg:Workstream ; dcterms:isPartOf ?strategy .",
}
# Pages show how many indicators a strategy has, not which: counted, which is twice as fast as listing them.
_INDICATORS = SPARQL_PREFIXES + """SELECT ?strategy (COUNT(DISTINCT ?item) AS ?count) WHERE {
  ?item sg:measures ?part . ?part dcterms:isPartOf ?strategy . ?item a sg:Indicator } GROUP BY ?strategy"""
# A part's published code (skos:notation) and, for a priority published under another, the one it is part of.
_PART = SPARQL_PREFIXES + """SELECT ?strategy ?item ?itemLabel ?position ?code ?parent WHERE { %s ?item rdfs:label ?itemLabel .
  OPTIONAL { ?item schema:position ?position } OPTIONAL { ?item skos:notation ?code } OPTIONAL { ?item dcterms:isPartOf ?parent . ?parent a sg:StrategicPriority } }"""
# Interventions, and the links that may take them to a strategy's outcomes or work streams: followed
# here, since Oxigraph works out sg:contributesTo+ for every node of a national store (30 s) before joining.
_INTERVENTIONS = SPARQL_PREFIXES + """SELECT ?item ?itemLabel ?position ?strategy WHERE {
  ?item a sg:Intervention ; rdfs:label ?itemLabel . OPTIONAL { ?item schema:position ?position } OPTIONAL { ?item dcterms:isPartOf ?strategy } }"""
_LINKS = SPARQL_PREFIXES + "SELECT ?from ?to WHERE { ?from sg:contributesTo ?to }"


@dataclass(frozen=True)
class Item:
    """A resource, its label and its published code; a priority, the one it is part of, and those part of it."""

    iri: str
    label: str
    code: str = ""
    parent: str = ""
    parts: tuple["Item", ...] = ()


@dataclass
class StrategyOverview:
    """One strategy with the parts a reader sees first."""

    iri: str
    label: str
    visions: list[Item] = field(default_factory=list)
    priorities: list[Item] = field(default_factory=list)
    outcomes: list[Item] = field(default_factory=list)
    workstreams: list[Item] = field(default_factory=list)
    interventions: list[Item] = field(default_factory=list)
    indicators: int = 0  # how many measure its outcomes or work streams

    @property
    def id(self) -> str:
        """The strategy's short id (strategy_id)."""
        return strategy_id(self.iri)


def strategy_overviews(ds: Dataset) -> list[StrategyOverview]:
    """Every strategy in the graph, sorted by label, parts in the published order (graph.order)."""
    found: dict[str, StrategyOverview] = {}
    for row in select_values(ds, _STRATEGIES):  # a strategy with several labels goes by the first
        iri, label = row["strategy"], row["label"]
        if iri not in found or label < found[iri].label:
            found[iri] = StrategyOverview(iri, label)
    for kind, pattern in _PARTS.items():
        rows = {(row["strategy"], row["position"], row["itemLabel"], row["item"], row["code"] or "", row["parent"] or "")
                for row in select_values(ds, _PART % pattern)}
        # Several codes or parents (as several labels): the first in code-point order.
        for strategy, _, label, item, code, parent in sorted(rows, key=lambda r: published_order(*r[1:4]) + r[4:]):
            items = getattr(found[strategy], kind) if strategy in found else None
            if items is not None and (not items or items[-1].iri != item):
                items.append(Item(item, label, code, parent))
    for overview in found.values():
        overview.priorities = _nested(overview.priorities)
    for row in select_values(ds, _INDICATORS):
        if row["strategy"] in found:
            found[row["strategy"]].indicators = int(row["count"])
    _add_interventions(ds, found)
    return sorted(found.values(), key=lambda overview: (overview.label, overview.iri))


def _nested(priorities: list[Item]) -> list[Item]:
    """The top priorities, each holding those part of it, at every depth, all in the published order (graph.order.nested)."""
    def tree(item: Item, parts: list) -> Item:
        return replace(item, parts=tuple(tree(*part) for part in parts))

    return [tree(*top) for top in nested(priorities, lambda p: p.iri, lambda p: p.parent)]


def _add_interventions(ds: Dataset, found: dict[str, StrategyOverview]) -> None:
    """Each strategy's interventions: part of it, or reaching one of its outcomes or work streams by contributions."""
    part_of = {item.iri: iri for iri, overview in found.items() for item in overview.outcomes + overview.workstreams}
    links: dict[str, set[str]] = {}
    for row in select_values(ds, _LINKS):
        links.setdefault(row["from"], set()).add(row["to"])
    interventions = sorted({(row["position"], row["itemLabel"], row["item"], row["strategy"] or "")
                            for row in select_values(ds, _INTERVENTIONS)}, key=lambda r: published_order(*r[:3]) + (r[3],))
    for _, label, item, own in interventions:
        reached, todo, seen = {own} - {""}, [item], {item}
        while todo:
            for nxt in links.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
                    if nxt in part_of:
                        reached.add(part_of[nxt])
        for strategy in sorted(reached & found.keys()):
            if all(existing.iri != item for existing in found[strategy].interventions):
                found[strategy].interventions.append(Item(item, label))


def strategy_id(iri: str) -> str:
    """The short id of a strategy: its workbook id, or else its IRI."""
    return iri.removeprefix(ID_BASE).removesuffix("/strategy") if iri.startswith(ID_BASE) and iri.endswith("/strategy") else iri


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
    for row in ds.query(_STATEMENTS % iri.n3()):
        key = (str(row.direction), str(row.p), str(row.o))
        if key in seen:
            continue  # a second label of the other end
        seen.add(key)
        statement = Statement(str(row.p), predicate_name(str(row.p), row.pLabel and str(row.pLabel)), str(row.o), str(row.oLabel or row.o),
                              isinstance(row.o, URIRef), str(row.oPage or ""))
        (view.outgoing if row.direction.value == "out" else view.incoming).append(statement)
        if row.direction.value == "out" and str(row.p) in (str(RDFS.label), str(DCTERMS.title)) and not view.label:
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
        names[row["p"]] = predicate_name(row["p"], row["pLabel"])
        names[row["q"]] = predicate_name(row["q"], row["qLabel"])
        label = row["name"] or (_local(row["v"]) if row["named"] else row["v"])
        if row["direction"] == "out":
            said.setdefault((row["p"], row["blank"]), {}).setdefault(row["q"], set()).add(label)
        else:
            holders.add((row["p"], row["q"], row["v"], row["name"] or row["v"]))
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


# A comparator, as the gap rules define it (shapes/gaps.ttl): a value marked so, or for an area
# other than every own area of its indicator (sg:ownArea, derived by ontology/rules/unit/own-area.rq).
_COMPARATOR = """(EXISTS { %(v)s sg:comparator true }
    || (EXISTS { %(v)s sdmx-dimension:refArea ?anyArea } && EXISTS { ?indicator sg:ownArea ?anyOwn }
        && NOT EXISTS { %(v)s sdmx-dimension:refArea ?area . ?indicator sg:ownArea ?area }))"""
_WHOLE = "<https://w3id.org/strategy-graph/def/population-group/all>"
# The polarity scheme (ontology/concepts.ttl).
POLARITY = "https://w3id.org/strategy-graph/def/polarity/"
# DISTINCT, with the value's node: a value stated in several named graphs is one value (the union of
# the graphs holds a statement once per graph that states it).
# A value of the indicator for the whole population, not its baseline: the area's own, or a comparator's, told apart
# in two branches by FILTER, since Virtuoso refuses an EXISTS joined by || or && in IF() (error SQ074).
_VALUE = """?obs sg:indicator ?indicator ; sdmx-dimension:refPeriod ?period ; sdmx-measure:obsValue ?value ;
         sg:populationGroup %s .
    FILTER NOT EXISTS { ?indicator sg:hasBaseline ?obs } BIND (?obs AS ?node)""" % _WHOLE
_SERIES = SPARQL_PREFIXES + """
SELECT DISTINCT ?kind ?node ?period ?value ?unit ?polarity WHERE {
  OPTIONAL { ?indicator sg:unit ?unit }
  OPTIONAL { ?indicator sg:polarity ?polarity }
  { %(value)s FILTER (!%(obs)s) BIND ("own" AS ?kind) }
  UNION { %(value)s FILTER (%(obs)s) BIND ("comparator" AS ?kind) }
  # The strategy's own baseline and target, for the whole population: a comparator's are not drawn as its own.
  UNION { ?indicator sg:hasBaseline ?baseline . ?baseline sdmx-measure:obsValue ?value .
          OPTIONAL { ?baseline sdmx-dimension:refPeriod ?period }
          FILTER NOT EXISTS { ?baseline sg:populationGroup ?group FILTER (?group != %(whole)s) }
          FILTER (!%(baseline)s) BIND ("baseline" AS ?kind) BIND (?baseline AS ?node) }
  UNION { ?indicator sg:hasTarget ?target . ?target sg:targetValue ?value .
          OPTIONAL { ?target sg:targetDate ?period }
          FILTER NOT EXISTS { ?target sg:populationGroup ?group FILTER (?group != %(whole)s) }
          FILTER (!%(target)s) BIND ("target" AS ?kind) BIND (?target AS ?node) }
}
ORDER BY ?period
""" % {"whole": _WHOLE, "value": _VALUE, "obs": _COMPARATOR % {"v": "?obs"}, "baseline": _COMPARATOR % {"v": "?baseline"}, "target": _COMPARATOR % {"v": "?target"}}


@dataclass
class Series:
    """An indicator's values for a scorecard: its own and its comparator's, by period; its baseline and target, with when; its polarity."""

    unit: str = ""
    own: list[tuple[str, float]] = field(default_factory=list)
    comparator: list[tuple[str, float]] = field(default_factory=list)
    baseline: float | None = None
    baseline_period: str = ""
    target: float | None = None
    target_date: str = ""
    polarity: str = ""  # an IRI of the polarity scheme, or "" if none is stated

    @property
    def direction(self) -> str:
        """The direction of travel of the last two values, judged against the polarity, in words."""
        if len(self.own) < 2:
            return "not enough values to say"
        (_, before), (period, last) = self.own[-2], self.own[-1]
        moved = "rising" if last > before else "falling" if last < before else "unchanged"
        if moved == "unchanged":
            return f"unchanged in {period}"
        better = {POLARITY + "higher-is-better": "rising", POLARITY + "lower-is-better": "falling"}.get(self.polarity)
        if better is None:
            return f"{moved} in {period} (the indicator's polarity does not say whether that is better)"
        return f"{'improving' if moved == better else 'getting worse'}: {moved} in {period}"


def indicator_series(ds: Dataset, iri: URIRef) -> Series:
    """The values of one indicator, for the whole population, ready to draw.

    A value that is not a finite number cannot be drawn and is left out.
    """
    series = Series()
    # The indicator is written into the query, not joined to it by a trailing VALUES: Oxigraph then worked out the
    # series of every indicator in the store before the join (half a second at 10 strategies; a millisecond so).
    for row in ds.query(_SERIES.replace("?indicator", iri.n3())):
        series.unit = str(row.unit or series.unit)
        series.polarity = str(row.polarity or series.polarity)
        try:
            kind, value = str(row.kind), float(row.value)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(value):
            continue
        if kind in ("own", "comparator"):
            getattr(series, kind).append((str(row.period), value))
        else:
            setattr(series, kind, value)
            setattr(series, "baseline_period" if kind == "baseline" else "target_date", str(row.period or ""))
    return series


# Every target shown beside each of some nodes (VALUES ?shown, named first: see _MEASURES in graph.diagram): its own, set by
# sg:hasTarget (an indicator's) or sg:targetOf (an outcome's, work stream's or intervention's), and those of the indicators
# measuring it. ?node is what the target is set for, ?indicator whether that is an indicator.
_TARGETS = SPARQL_PREFIXES + """
SELECT ?shown ?node ?indicator ?target (MIN(STR(?name)) AS ?nodeLabel) (SAMPLE(?type_) AS ?type) (SAMPLE(?value_) AS ?value)
       (SAMPLE(?amount_) AS ?amount) (SAMPLE(?relative_) AS ?relative) (SAMPLE(?unit_) AS ?unit) (SAMPLE(?stated_) AS ?stated)
       (SAMPLE(?date_) AS ?date) (SAMPLE(?reached_) AS ?reached) (MIN(STR(?quote_)) AS ?quote) (MIN(STR(?groupName)) AS ?group) WHERE {
  VALUES ?shown { %s }
  { ?shown sg:hasTarget ?target BIND (?shown AS ?node) BIND (true AS ?indicator) }
  UNION { ?target sg:targetOf ?shown BIND (?shown AS ?node) BIND (false AS ?indicator) }
  UNION { ?node sg:measures ?shown ; sg:hasTarget ?target BIND (true AS ?indicator) }
  FILTER NOT EXISTS { ?target sg:comparator true }
  OPTIONAL { ?node rdfs:label ?name }
  OPTIONAL { ?target a ?type_ FILTER (?type_ IN (sg:ChangeTarget, sg:Milestone)) }
  OPTIONAL { ?target sg:targetValue ?value_ } OPTIONAL { ?target sg:changeAmount ?amount_ }
  OPTIONAL { ?target sg:relativeChange ?relative_ } OPTIONAL { ?target schema:unitText ?unit_ }
  OPTIONAL { ?target sg:statedValue ?stated_ } OPTIONAL { ?target sg:targetDate ?date_ } OPTIONAL { ?target sg:reached ?reached_ }
  OPTIONAL { ?target sg:quote ?quote_ }
  OPTIONAL { ?target sg:populationGroup ?someGroup FILTER (?someGroup != %s) ?someGroup skos:prefLabel|rdfs:label ?groupName }
}
GROUP BY ?shown ?node ?indicator ?target
""" % ("%s", _WHOLE)
# How a target's progress ends, in one or two words: the verdict a diagram's box shows.
MET, NOT_YET, REACHED, NOT_REACHED, NOT_RECORDED, NO_VALUE, NOT_JUDGED = (
    "met", "not yet met", "reached", "not reached", "not recorded", "no value yet", "not judged")
_KIND_NAMES = {"target": "Level", "change": "Change", "milestone": "Milestone"}


@dataclass(frozen=True)
class TargetView:
    """A target in the document's words (its quote, where the source gives one), and its progress judged for its kind."""

    iri: str
    kind: str  # target (a level), change or milestone
    words: str  # what it asks for: a level with its unit, a change as published, a milestone's quote
    due: str
    progress: str  # the judgement in a sentence
    verdict: str = NOT_JUDGED  # the judgement in a word or two (MET, NOT_YET, REACHED, …)
    quote: str = ""  # the source's own words for it (sg:quote), if recorded
    node: str = ""  # what it is set for: an indicator, or the outcome, work stream or intervention itself
    node_label: str = ""
    indicator: bool = False  # whether ``node`` is an indicator

    @property
    def kind_name(self) -> str:
        """Its kind as a reader calls it: Level, Change or Milestone."""
        return _KIND_NAMES[self.kind]

    def __str__(self) -> str:
        """In one line, as a diagram's box shows it: its kind, what it asks for, by when, the source's words, and the verdict."""
        quoted = f" (“{self.quote}”)" if self.quote and self.quote != self.words else ""
        return f"{self.kind_name}: {self.words}" + (f" by {self.due}" if self.due else "") + quoted + f" — {self.verdict}"


def _number(value: float) -> str:
    return "%g" % value


def targets_by_node(ds: Dataset, nodes: list[str], series_of: Callable[[str], Series]) -> dict[str, list[TargetView]]:
    """The targets to show beside each of ``nodes``, in one query: its own and its indicators', each with its progress.

    A level is judged against the indicator's latest value, a change resolved against the indicator's own baseline,
    a milestone reached or not. ``series_of(indicator)`` gives an indicator's Series (indicator_series, worked out
    once a snapshot: viewer.data.Snapshot.series). Each node's own targets come first, then each indicator's by label,
    each by date.
    """
    found: dict[str, list[TargetView]] = {}
    if not nodes:
        return found

    for row in ds.query(_TARGETS % " ".join(URIRef(n).n3() for n in sorted(set(nodes)))):
        on_indicator = bool(row.indicator.toPython())
        view = _target(row, series_of(str(row.node)) if on_indicator else None)
        found.setdefault(str(row["shown"]), []).append(replace(view, node=str(row.node), node_label=str(row.nodeLabel or row.node),
                                                             indicator=on_indicator))
    for node, views in found.items():
        views.sort(key=lambda t: (t.node != node, t.node_label, t.node, t.due, t.iri))
    return found


def _target(row, series: Series | None) -> TargetView:
    """One row of _TARGETS in words, judged for its kind against ``series`` (None: it is set for no indicator)."""
    kind = {SG.ChangeTarget: "change", SG.Milestone: "milestone"}.get(row.type, "target")
    due, unit, quote = str(row.date or ""), series.unit if series is not None else "", str(row.quote or "")
    if kind == "milestone":
        reached = None if row.reached is None else row.reached.toPython()
        words = quote or "a milestone"
        verdict = {True: REACHED, False: NOT_REACHED}.get(reached, NOT_RECORDED)
        progress = {True: "reached", False: "not reached"}.get(reached, "not recorded as reached or not")
    elif kind == "change":
        amount = float(row.amount) if row.amount is not None else None
        words = str(row.stated or (f"{amount:+g}{row.unit or ''}" if amount is not None else "a change"))
        progress, verdict = _change_progress(amount, bool(row.relative and row.relative.toPython()), series)
    else:
        level = float(row.value) if row.value is not None else None
        words = f"{_number(level)} {unit}".strip() if level is not None else "no value stated"
        progress, verdict = _level_progress(level, series)
    if row.group:  # the scorecard's values are the whole population's: a group's target is not judged by them
        words += f" for {row.group}"
        if kind != "milestone":
            progress, verdict = f"not judged: the values recorded here are for the whole population, not {row.group}", NOT_JUDGED
    return TargetView(str(row.target), kind, words, due, progress, verdict, quote)


def _change_progress(amount: float | None, relative: bool, series: Series | None) -> tuple[str, str]:
    """A change resolved against the indicator's own baseline into the level it asks for, and judged as a level; with its verdict."""
    if amount is None:
        return "no amount stated", NOT_JUDGED
    if series is None:
        return "no indicator to resolve it against", NOT_JUDGED
    if series.baseline is None:
        return "cannot be resolved: the indicator has no baseline of its own", NOT_JUDGED
    level = series.baseline * (1 + amount / 100) if relative else series.baseline + amount
    start = f"from the baseline of {_number(series.baseline)} {series.unit}".rstrip() + (f" in {series.baseline_period}" if series.baseline_period else "")
    progress, verdict = _level_progress(level, series, amount > 0)
    return f"{_number(level)} {series.unit}".strip() + f" ({start}); " + progress, verdict


def _level_progress(level: float | None, series: Series | None, up: bool | None = None) -> tuple[str, str]:
    """The latest own value against a level, met when it is at or beyond it in the direction that is better; with its verdict."""
    if level is None or series is None:
        return "no value to judge it by", NOT_JUDGED
    if not series.own:
        return "no value recorded yet", NO_VALUE
    period, latest = series.own[-1]
    if up is None:
        up = {POLARITY + "higher-is-better": True, POLARITY + "lower-is-better": False}.get(series.polarity)
    said = f"latest {_number(latest)} {series.unit}".rstrip() + f" in {period}"
    if up is None:
        return said + " (the indicator's polarity does not say which way is better)", NOT_JUDGED
    met = latest >= level if up else latest <= level
    return said + (": met" if met else ": not yet met"), MET if met else NOT_YET


_SEARCH = SPARQL_PREFIXES + """
SELECT DISTINCT ?node ?label ?kind WHERE {
  ?node rdfs:label ?label ; a ?type .
  ?type rdfs:label ?kind .
  OPTIONAL { ?node dcterms:description ?description }
  BIND (LCASE(CONCAT(STR(?label), " ", COALESCE(STR(?description), ""))) AS ?text)
  %s
  FILTER (isIRI(?node))
}
ORDER BY ?kind ?label
LIMIT 200
"""


def search(ds: Dataset, words: str) -> list[Item]:
    """Resources whose label or description holds every one of the words, with their kind."""
    terms = [w for w in words.lower().split() if w][:10]
    if not terms:
        return []
    filters = " ".join(f"FILTER (CONTAINS(?text, {Literal(t).n3()}))" for t in terms)
    seen, found = set(), []
    for row in ds.query(_SEARCH % filters):
        if str(row.node) not in seen:
            seen.add(str(row.node))
            found.append(Item(str(row.node), f"{row.label} ({row.kind})"))
    return found
