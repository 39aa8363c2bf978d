"""The registers: every causal link for evaluators (/contributions), and who is responsible for what for board members (/owners)."""

from flask import Blueprint, Response, abort, render_template, request

from graph import contributions as links
from graph.analysis import ordered
from graph.owners import KINDS, of_strategy
from viewer.data import get_snapshot, named, one_strategy
from viewer.downloads import attachment
from viewer.reports import SPREADSHEETS

bp = Blueprint("registers", __name__)


def _links() -> tuple[list, dict]:
    """The causal links a request asks for, and its filters.

    ?strategy= (the first, when there are several), ?outcome= (its chain), ?strength=, ?evidence=none.
    """
    snapshot = get_snapshot()
    strategy = one_strategy(snapshot)
    outcome = named(snapshot, "outcome", strategy)
    if outcome is not None and snapshot.projection.nodes.get(outcome, {}).get("kind") != "outcome":
        abort(400)
    strengths = sorted({c.strength for c in snapshot.contributions})
    strength = request.args.get("strength") or None
    if strength is not None and strength not in strengths:
        abort(400)
    evidence = request.args.get("evidence") or None
    if evidence not in (None, "none"):
        abort(400)
    shown = links.chosen(snapshot.contributions, snapshot.projection, strategy, outcome, strength, evidence == "none")
    g = snapshot.projection
    outcomes = ordered(g, (n for n, d in g.nodes(data=True) if d["kind"] == "outcome" and (strategy is None or d["strategy"] == strategy)))
    filters = {"strategy": strategy, "outcome": outcome, "strength": strength, "evidence": evidence,
               "outcomes": [(n, g.nodes[n]["label"]) for n in outcomes], "strengths": strengths}
    return shown, filters


@bp.get("/contributions")
def contributions() -> str:
    """Every causal link: from, to, rationale, assumptions, evidence, strength and who asserted it, filtered."""
    shown, filters = _links()
    return render_template("contributions.html", links=shown, columns=links.COLUMNS, filters=filters,
                           strategies=get_snapshot().strategies)


@bp.get("/contributions.<fmt>")
def contributions_file(fmt: str) -> Response:
    """The same table, with the same filters, as CSV (with a byte-order mark, for Excel) or xlsx."""
    if fmt not in SPREADSHEETS:
        abort(404)
    shown, _ = _links()
    body = "\ufeff" + links.as_csv(shown) if fmt == "csv" else links.as_xlsx(shown)
    return attachment(Response(body, content_type=SPREADSHEETS[fmt]), f"causal-links.{fmt}")


@bp.get("/owners")
def owners() -> str:
    """Each owner with what it is accountable for (each with its targets), what it leads and the funding it gives.

    One strategy's (?strategy=, the first by default) when there are several.
    """
    snapshot = get_snapshot()
    strategy = one_strategy(snapshot)
    shown = snapshot.owners if strategy is None else of_strategy(snapshot.owners, snapshot.projection_for(strategy), strategy)
    return render_template("owners.html", owners=shown, kinds=KINDS, strategy=strategy, strategies=snapshot.strategies,
                           targets=snapshot.targets(strategy))
