"""The viewer's pages."""

import re

from flask import Blueprint, abort, render_template, request
from rdflib import URIRef

from graph.overview import describe_resource, strategy_overviews
from viewer.data import get_graph

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Each strategy with its priority, target outcomes and work streams."""
    return render_template("index.html", strategies=strategy_overviews(get_graph()))


@bp.get("/resource")
def resource() -> str:
    """Everything the graph says about one resource (?iri=…)."""
    iri = request.args.get("iri", "")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+", iri):
        abort(400)
    view = describe_resource(get_graph(), URIRef(iri))
    if view is None:
        abort(404)
    return render_template("resource.html", resource=view)
