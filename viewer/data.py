"""The graph a viewer process serves, opened once at start-up."""

from flask import Flask, current_app
from rdflib import Dataset

from graph.store import open_graph


def init_app(app: Flask) -> None:
    """Open the configured graph and keep it on the app."""
    app.extensions["strategy_graph"] = open_graph(
        data=tuple(app.config["DATA"]), store=app.config["STORE"]
    )


def get_graph() -> Dataset:
    """The graph of the running app."""
    return current_app.extensions["strategy_graph"]
