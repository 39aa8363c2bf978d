"""The viewer's pages."""

from flask import Blueprint, render_template

from graph.overview import strategy_overviews
from viewer.data import get_graph

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Each strategy with its priority, target outcomes and work streams."""
    return render_template("index.html", strategies=strategy_overviews(get_graph()))
