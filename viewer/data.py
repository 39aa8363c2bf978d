"""The graph a viewer process serves, opened once at start-up."""

from flask import Flask, current_app
from rdflib import Dataset

from graph.analysis import analyse
from graph.gaps import Gap, find_gaps
from graph.store import open_graph


def init_app(app: Flask) -> None:
    """Open the configured graph, and work out its gaps and analysis, once for the process."""
    ds = open_graph(data=tuple(app.config["DATA"]), store=app.config["STORE"])
    app.extensions["strategy_graph"] = ds
    app.extensions["gaps"] = find_gaps(ds)
    app.extensions["analysis"] = analyse(ds)


def get_graph() -> Dataset:
    """The graph of the running app."""
    return current_app.extensions["strategy_graph"]


def get_gaps() -> list[Gap]:
    """The gaps of the app's graph, found when it started."""
    return current_app.extensions["gaps"]


def get_analysis() -> dict:
    """The analysis of the app's graph, made when it started."""
    return current_app.extensions["analysis"]
