"""The Flask viewer: pages that present the graph to board members and evaluators."""

from collections.abc import Mapping
from typing import Any

from flask import Flask

from viewer import data, downloads, errors, pages, query, reports, sparql


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app and load its graph once, for the life of the process.

    ``DATA`` (RDF files) or ``STORE`` (a persistent store) choose the graph;
    with neither, the packaged dataset is served. ``SETTINGS`` overrides
    entries of graph.settings (time limits, row caps, body sizes).
    """
    app = Flask(__name__)
    app.config.from_mapping(DATA=(), STORE=None)
    if test_config is not None:
        app.config.from_mapping(test_config)
    data.init_app(app)
    errors.init_app(app)
    sparql.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(query.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(downloads.bp)
    return app
