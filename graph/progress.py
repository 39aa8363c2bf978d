"""Progress: an indicator's values over time (its scorecard's series), and the targets set on a node, judged against them."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import cast

from rdflib import Dataset, Literal, URIRef

from graph.engine import select_rows
from graph.vocab import CONCEPT_BASE, SG, SPARQL_PREFIXES, WHOLE_POPULATION

# A comparator, as the gap rules define it (shapes/gaps.ttl): a value marked so, or for an area
# other than every own area of its indicator (sg:ownArea, derived by ontology/rules/unit/own-area.rq).
_COMPARATOR = """(EXISTS { %(v)s sg:comparator true }
    || (EXISTS { %(v)s sdmx-dimension:refArea ?anyArea } && EXISTS { ?indicator sg:ownArea ?anyOwn }
        && NOT EXISTS { %(v)s sdmx-dimension:refArea ?area . ?indicator sg:ownArea ?area }))"""
_WHOLE = WHOLE_POPULATION.n3()
# The polarity scheme (ontology/concepts.ttl).
POLARITY = CONCEPT_BASE + "polarity/"
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
""" % {"whole": _WHOLE, "value": _VALUE, "obs": _COMPARATOR % {"v": "?obs"},
       "baseline": _COMPARATOR % {"v": "?baseline"}, "target": _COMPARATOR % {"v": "?target"}}


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
    for row in select_rows(ds, _SERIES.replace("?indicator", iri.n3())):
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

    for row in select_rows(ds, _TARGETS % " ".join(URIRef(n).n3() for n in sorted(set(nodes)))):
        on_indicator = bool(cast(Literal, row.indicator).toPython())  # the query binds a boolean
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
