"""The main pages: home, resource pages, search."""

from flask import Blueprint, abort, render_template, request
from rdflib import URIRef

from graph.engine import is_iri
from graph.gaps import counts_by_rule, rules_by_id
from graph.owners import posts
from graph.progress import targets_by_node
from graph.resources import describe_resource
from graph.search import search as search_graph
from graph.vocab import SG
from viewer.charts import scorecard
from viewer.data import chosen_strategy, get_gaps, get_graph, get_snapshot

bp = Blueprint("pages", __name__)
SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}


@bp.get("/")
def index() -> str:
    """The strategy at a glance (vision, priorities, outcomes, how much work, headline gaps), or with several, each one's figures."""
    snapshot = get_snapshot()
    wanted = chosen_strategy(snapshot)
    strategy = next(s for s in snapshot.strategies if s.iri == wanted) if wanted is not None \
        else snapshot.strategies[0] if len(snapshot.strategies) == 1 else None
    if strategy is None:
        return render_template("index.html", strategy=None, strategies=snapshot.strategies, severities=snapshot.gap_counts)
    # The gaps page of the graph's only strategy lists, beside its gaps, those of things that belong to no strategy:
    # each headline says how many more that page counts, so that the two agree.
    alone = len(snapshot.strategies) == 1
    own = snapshot.gaps if alone else snapshot.gaps_by_strategy.get(strategy.iri, [])
    counts = counts_by_rule([g for g in own if g.severity != "info" and (g.strategy == strategy.iri or (alone and not g.strategy))])
    names = {rule_id: rule.name for rule_id, rule in rules_by_id().items()}
    headline = sorted((c for c in counts if c.found > c.unowned), key=lambda c: (SEVERITY_ORDER[c.severity], c.unowned - c.found))
    targets = snapshot.targets(strategy.iri if len(snapshot.strategies) > 1 else None)
    return render_template("index.html", strategy=strategy, strategies=snapshot.strategies, headline=headline, names=names, targets=targets)


@bp.get("/resource")
def resource() -> str:
    """Everything the graph says about one resource (?iri=…), where it comes from, and its gaps."""
    iri = request.args.get("iri", "")
    if not is_iri(iri):
        abort(400)
    snapshot = get_snapshot()
    ds = snapshot.graph
    view = describe_resource(ds, URIRef(iri))
    if view is None:
        abort(404)
    chart = series = None
    if str(SG.Indicator) in view.values("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"):
        series = snapshot.series(iri)
        chart = scorecard(series)
    targets = targets_by_node(ds, [iri], snapshot.series).get(iri, [])
    gaps = sorted((g for g in get_gaps() if g.focus == iri), key=lambda g: SEVERITY_ORDER[g.severity])
    return render_template("resource.html", resource=view, gaps=gaps, chart=chart, series=series, targets=targets,
                           posts=posts(ds, URIRef(iri)))


@bp.get("/search")
def search() -> str:
    """Resources whose label or description holds the words of ?q=."""
    words = request.args.get("q", "")
    if len(words) > 200:
        abort(400)
    return render_template("search.html", words=words, results=search_graph(get_graph(), words) if words.strip() else None)
