"""The Flask viewer: pages that present the graph to board members and evaluators."""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from graph.settings import with_defaults
from viewer import data, errors, routes, sparql


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: open its store, and follow it as it changes.

    ``DATA`` (RDF files) or ``STORE`` (a graph.engine.stores.Store, or a
    persistent store's folder, or a graph.engine.remote.Remote server) choose the graph;
    with neither, the packaged dataset is served (files are first loaded into
    a temporary store). ``SETTINGS`` overrides entries of graph.settings (time
    limits, row caps, body sizes, how often the store is checked for writes).
    """
    app = Flask(__name__)
    app.config.from_mapping(DATA=(), STORE=None)
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config["SETTINGS"] = with_defaults(app.config.get("SETTINGS"))
    # Flask answers any other Host with 400 (a forged Host could poison links and caches).
    app.config["TRUSTED_HOSTS"] = [h.strip() for h in app.config["SETTINGS"]["trusted_hosts"].split(",") if h.strip()]
    data.init_app(app)
    errors.init_app(app)
    sparql.init_app(app)
    routes.register(app)
    return app


def close(app: Flask) -> None:
    """Stop following the store and stop the query workers (the server's own exit does this too)."""
    app.extensions["stop_following"].set()
    app.extensions["sparql"].close()
