"""The graph a viewer serves: one snapshot of one on-disk store, followed as the store changes.

The viewer reads a store on disk, shared with its SPARQL workers: for
``--data`` files or the packaged dataset it first builds a temporary one. Or
it reads a remote SPARQL server, whose catalog records when it was last
written: a new write there is a new snapshot here, as a new generation is. A
snapshot is one generation of that store with everything the pages derive
from it (gaps, analysis, network, the diagram's boxes), built once. A watcher
thread notices a write and builds the next snapshot in the background; until
it is ready the pages go on serving the old one, and each request sees one
snapshot from start to end.
"""

import atexit
import datetime
import shutil
import tempfile
import threading
import weakref
from collections import Counter
from functools import cached_property
from pathlib import Path

import networkx as nx
from flask import Flask, abort, current_app, g, request
from rdflib import Dataset, URIRef

from graph import files
from graph.analysis import analyse, project, within
from graph.contributions import Contribution, contributions
from graph.diagram import MARKED, Box, Link, Reading, boxes_and_links, of_strategy, readings
from graph.engine import Remote, Store, Unit, graph_names, load, open_store, strategy_units
from graph.gaps import Gap, find_gaps
from graph.names import UnknownName, resolve
from graph.owners import Owner, owners
from graph.progress import Series, TargetView, indicator_series, targets_by_node
from graph.sparql import choices
from graph.strategies import StrategyOverview, strategy_overviews
from graph.vocab import VOCABULARY_BASE


class Snapshot:
    """One generation of the store and what the pages derive from it.

    The strategies and gaps, and the targets of a graph's only strategy (which
    its home page lists), are worked out when the snapshot is built, so that
    the home page asks no query; the analysis, the networkx projection, the
    diagram's boxes and each strategy's targets with their progress are worked
    out by ``warm`` in the background once the snapshot is served, or by the
    first request that needs them, whichever comes first; never twice.

    A view of one strategy reads only the unit of validation that holds it
    (graph.engine.units: its graphs, all the strategy's logic, with the
    vocabulary): its projection, links and diagram take milliseconds whatever
    the size of the store. A snapshot that follows ``earlier`` takes from it
    what it worked out of the units whose fingerprint did not change, the
    strategies' overviews among them: a write costs what it changed.
    """

    def __init__(self, ds: Dataset, generation: Path | str, written: datetime.datetime, earlier: "Snapshot | None" = None):
        self.graph = ds
        # Which state of the store this is (graph.engine.stores.Version.name): what the query service answers from.
        self.generation = generation
        self.written = written
        # Diagrams drawn by Graphviz, by strategy, outcome and format: drawn when first asked for, then kept.
        self.drawn: dict = {}
        # One lock a part: a request for the diagram need not wait for the analysis.
        self._worked_out: dict = {}
        self._series: dict[str, Series] = {}
        self._locks = {part: threading.Lock() for part in ("analysis", "projection", "diagram", "readings", "targets", "contributions", "owners",
                                                           "choices", "marks")}
        self.gaps: list[Gap] = find_gaps(ds)
        self.strategies: list[StrategyOverview] = self._overviews(earlier)
        if earlier is not None:  # what depends only on a unit (kept by it), of the units that did not change
            kept = set(self.units.values())
            self._worked_out.update((key, value) for key, value in list(earlier._worked_out.items())
                                    if isinstance(key[1], tuple) and key[1][0] in kept)
        if len(self.strategies) == 1:  # the home page lists the only strategy's targets: built with it, so "/" asks no query
            self.targets(None)

    def _overviews(self, earlier: "Snapshot | None") -> list[StrategyOverview]:
        """The strategies' overviews: those of an unchanged unit taken from ``earlier``, the others read from their units;
        all read at once from the whole graph on a first snapshot, or where some strategy is in no kept unit."""
        if earlier is None or set(self.units) != {iri for iri, _ in self.choices("strategy")}:
            return strategy_overviews(self.graph)
        taken = earlier.by_unit
        self.by_unit = {unit: taken[unit] if unit in taken else strategy_overviews(self.graph, self._reads(unit)) for unit in set(self.units.values())}
        return sorted((o for found in self.by_unit.values() for o in found), key=lambda overview: (overview.label, overview.iri))

    @cached_property
    def units(self) -> dict[str, Unit]:
        """The unit of validation that holds each strategy, by its IRI; none where no kept report covers it."""
        return strategy_units(self.graph)

    @cached_property
    def by_unit(self) -> dict[Unit, list[StrategyOverview]]:
        """The strategies' overviews by the unit that holds them: what a later snapshot takes while a unit is unchanged."""
        found: dict[Unit, list[StrategyOverview]] = {unit: [] for unit in self.units.values()}
        for overview in self.strategies:
            if overview.iri in self.units:
                found[self.units[overview.iri]].append(overview)
        return found

    @cached_property
    def _vocabulary(self) -> frozenset[str]:
        return frozenset(g for g in graph_names(self.graph) if g.startswith(VOCABULARY_BASE))

    def _reads(self, unit: Unit) -> frozenset[str]:
        """The named graphs a view of a unit's strategies reads: the unit's, its kept report (which holds what the unit rules
        derived from it), and the vocabulary."""
        return unit.graphs | {unit.report} | self._vocabulary

    def _once(self, part: str, work, key: str | tuple | None = None):
        with self._locks[part]:
            if (part, key) not in self._worked_out:
                self._worked_out[(part, key)] = work()
            return self._worked_out[(part, key)]

    @cached_property
    def gaps_by_strategy(self) -> dict[str, list[Gap]]:
        """Each strategy's gaps ("": those of things of no strategy), in the order of ``gaps``: sorted out once, not once a request."""
        found: dict[str, list[Gap]] = {}
        for gap in self.gaps:
            found.setdefault(gap.strategy or "", []).append(gap)
        return found

    @cached_property
    def gap_counts(self) -> Counter:
        """How many gaps each strategy has of each severity, by (strategy IRI, severity)."""
        return Counter((g.strategy, g.severity) for g in self.gaps)

    @cached_property
    def graphs(self) -> frozenset[str]:
        """The named graphs, for the service description."""
        return frozenset(graph_names(self.graph))

    @property
    def analysis(self) -> dict:
        """graph.analysis.analyse of this snapshot."""
        return self._once("analysis", lambda: analyse(self.graph, self.projection))

    def analysis_of(self, strategy: str) -> dict:
        """graph.analysis.analyse of one strategy's part of this snapshot (graph.analysis.within)."""
        return self._once("analysis", lambda: analyse(self.graph, within(self.projection_for(strategy), strategy)), self._of(strategy))

    def _of(self, strategy: str) -> tuple | str:
        """What a part of one strategy is kept by: with its unit, so that a later snapshot takes it while the unit is unchanged."""
        unit = self.units.get(strategy)
        return strategy if unit is None else (unit, strategy)

    def projection_for(self, strategy: str | None) -> nx.DiGraph:
        """The projection a view of ``strategy`` reads (graph.analysis.within cuts its part out): its unit's; the whole one
        for None, or where no kept unit holds the strategy."""
        unit = self.units.get(strategy) if strategy is not None else None
        if unit is None:
            return self.projection
        return self._once("projection", lambda: project(self.graph, self._reads(unit)), (unit,))

    def contributions_for(self, strategy: str | None) -> list[Contribution]:
        """The causal links a view of ``strategy`` reads, as ``projection_for``: its unit's, or every one."""
        unit = self.units.get(strategy) if strategy is not None else None
        if unit is None:
            return self.contributions
        return self._once("contributions", lambda: contributions(self.graph, self._reads(unit)), (unit,))

    def diagram_of(self, strategy: str) -> tuple[list[Box], list[Link]]:
        """One strategy's boxes and links (graph.diagram.of_strategy), drawn from its unit."""
        def work() -> tuple[list[Box], list[Link]]:
            g = self.projection_for(strategy)
            marked = [gap for gap in self.marks if gap.focus in g]
            return of_strategy(*boxes_and_links(self.graph, marked, g, self.contributions_for(strategy)), g, strategy)
        return self._once("diagram", work, self._of(strategy))

    @property
    def marks(self) -> list[Gap]:
        """The gaps a diagram marks on its boxes (graph.diagram.MARKED)."""
        return self._once("marks", lambda: [gap for gap in self.gaps if gap.rule in MARKED])

    @property
    def projection(self) -> nx.DiGraph:
        """This snapshot as networkx sees it (graph.analysis.project)."""
        return self._once("projection", lambda: project(self.graph))

    @property
    def diagram(self) -> tuple[list[Box], list[Link]]:
        """The whole theory of change's boxes and links."""
        return self._once("diagram", lambda: boxes_and_links(self.graph, self.gaps, self.projection, self.contributions))

    def series(self, indicator: str) -> Series:
        """An indicator's values as its scorecard reads them (graph.progress.indicator_series), worked out once a snapshot:
        a diagram's readings and its targets' progress read the same indicators."""
        found = self._series.get(indicator)
        if found is None:  # two threads may both work it out: the same answer, kept once
            found = self._series[indicator] = indicator_series(self.graph, URIRef(indicator))
        return found

    def readings(self, strategy: str | None) -> dict[str, tuple[Reading, ...]]:
        """The indicators each box of one strategy's diagram (None: the whole one) names, with their latest values (graph.diagram.readings)."""
        def work() -> dict[str, tuple[Reading, ...]]:
            return readings(self.graph, (self.diagram if strategy is None else self.diagram_of(strategy))[0], self.series)
        return self._once("readings", work, strategy)

    def targets(self, strategy: str | None) -> dict[str, list[TargetView]]:
        """The targets beside each outcome, work stream and intervention of one strategy (None: of every strategy), and
        beside each indicator measuring them: one query for them all (graph.progress.targets_by_node)."""
        def work() -> dict[str, list[TargetView]]:
            shown = [s for s in self.strategies if strategy is None or s.iri == strategy]
            things = [item.iri for s in shown for item in s.outcomes + s.workstreams + s.interventions]
            found = targets_by_node(self.graph, things, self.series)
            for views in list(found.values()):  # an indicator's own targets, beside the indicator where a page lists it
                for view in views:
                    if view.indicator and view not in found.setdefault(view.node, []):
                        found[view.node].append(view)
            return found
        return self._once("targets", work, strategy)

    @property
    def contributions(self) -> list[Contribution]:
        """Every causal link (graph.contributions)."""
        return self._once("contributions", lambda: contributions(self.graph))

    @property
    def owners(self) -> list[Owner]:
        """Every owner and what it is responsible for (graph.owners)."""
        return self._once("owners", lambda: owners(self.graph))

    def choices(self, name: str) -> list[tuple[str, str]]:
        """The things a saved query's parameter chooses from (graph.sparql.choices)."""
        return self._once("choices", lambda: choices(self.graph, name), name)

    def warm(self) -> None:
        """Work out the slow parts now, so that no request waits for them: only those a page shows.

        With several strategies the pages show one strategy (the first by default), never the whole
        graph, which at national scale takes seconds of this process and much of its memory.
        """
        first = self.strategies[0].iri if len(self.strategies) > 1 else None
        if first is None:
            for part in ("projection", "contributions", "diagram"):  # the diagram's arrows, and the analysis's weak links
                getattr(self, part)
        self.readings(first)  # the boxes of the diagram first shown
        self.targets(first)
        if first is not None:
            self.contributions_for(first)  # the analysis's weak links
            self.analysis_of(first)
        else:
            self.analysis  # noqa: B018 — a cached property: worked out now


def build(store: "Store | Path | Remote", earlier: Snapshot | None = None) -> Snapshot:
    """Open a snapshot of ``store`` (a Store, or what graph.engine.stores.open_store takes) and derive the home page's data
    from it, taking from ``earlier`` what depends only on the units that did not change."""
    ds = open_store(store).open()
    version = ds.version
    # A server strategy-graph never wrote has no time of its last write: the time it was read stands for it.
    snapshot = Snapshot(ds, version.name, version.written or datetime.datetime.now(datetime.UTC), earlier)
    # A generation on disk stays there while any request still holds this snapshot.
    weakref.finalize(snapshot, ds.release)
    return snapshot


def _current(store: "Store | Path | Remote"):
    """What names the store's state now, as a Snapshot's ``generation``; None for a store never written."""
    version = open_store(store).version()
    return version.name if version is not None else None


def _install(app: Flask, snapshot: Snapshot) -> None:
    app.extensions["snapshot"] = snapshot

    def warm() -> None:
        try:
            snapshot.warm()
        except Exception:  # a remote server gone meanwhile, say: the first request that needs the part tries again
            app.logger.warning("working out the snapshot's slow parts ahead failed", exc_info=True)

    threading.Thread(target=warm, name="snapshot-warm", daemon=True).start()


def init_app(app: Flask) -> None:
    """Open the configured store (building a temporary one for files), and start following it."""
    store = app.config["STORE"]
    if store is None:
        store = Path(tempfile.mkdtemp(prefix="strategy-graph-"))
        atexit.register(shutil.rmtree, store, ignore_errors=True)
        load(store, list(app.config["DATA"]) or files.dataset_files())
    # The query service and the follower ask the store; none asks what kind it is.
    store = app.extensions["store"] = open_store(store)
    _install(app, build(store))
    poll = app.config["SETTINGS"]["store_poll_seconds"]
    stop = threading.Event()
    app.extensions["stop_following"] = stop
    threading.Thread(target=_follow, args=(app, store, poll, stop), name="store-follower", daemon=True).start()

    @app.before_request
    def pin_snapshot() -> None:
        g.snapshot = app.extensions["snapshot"]

    @app.context_processor
    def data_changed() -> dict:
        return {"data_changed": get_snapshot().written}


def _follow(app: Flask, store: Store, poll: float, stop: threading.Event) -> None:
    """Swap in a new snapshot whenever the store's live generation changes."""
    failing = False
    while not stop.wait(poll):
        try:
            current = _current(store)
            if current is None or current == app.extensions["snapshot"].generation:
                failing = False
                continue
            snapshot = build(store, app.extensions["snapshot"])
        except Exception:  # a store mid-rewrite, unreadable, or a server down: keep serving the last good snapshot
            if not failing:  # once an outage, not once a poll
                app.logger.exception("the store could not be read; still serving the previous snapshot")
            failing = True
            continue
        failing = False
        _install(app, snapshot)
        for listener in app.extensions.get("snapshot_listeners", ()):
            listener(snapshot)


def get_snapshot() -> Snapshot:
    """The snapshot this request reads."""
    return g.get("snapshot") or current_app.extensions["snapshot"]


def get_graph() -> Dataset:
    """The graph of this request's snapshot."""
    return get_snapshot().graph


def get_gaps() -> list[Gap]:
    """The gaps of this request's snapshot, read from the store's kept reports."""
    return get_snapshot().gaps


def named(snapshot, kind: str, within: str | None = None) -> str | None:
    """The IRI of the thing of ``kind`` that ?KIND= names by workbook id or IRI (graph.names.resolve); None if not given.

    404, saying what was given and what there is, if the graph holds no such thing.
    """
    text = request.args.get(kind) or None  # a form's "All" sends KIND=
    if text is None:
        return None
    known = [s.iri for s in snapshot.strategies] if kind == "strategy" else [iri for iri, _ in snapshot.choices(kind)]
    try:
        return resolve(kind, text, known, within, f"?{kind}=")
    except UnknownName as error:
        abort(404, description=str(error))


def chosen_strategy(snapshot) -> str | None:
    """The IRI of the strategy ?strategy= names, by workbook id or IRI; None means all of them."""
    return named(snapshot, "strategy")


def one_strategy(snapshot) -> str | None:
    """The strategy a view of one strategy shows: ?strategy=, else the first when there are several; None for the whole graph of one."""
    strategy = chosen_strategy(snapshot)
    if strategy is None and len(snapshot.strategies) > 1:
        strategy = snapshot.strategies[0].iri
    return strategy
