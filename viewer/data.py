"""The graph a viewer process serves, opened once at start-up."""

import networkx as nx
from flask import Flask, current_app
from rdflib import Dataset

from graph.analysis import analyse, project
from graph.diagram import Box, boxes_and_links
from graph.gaps import Gap, find_gaps
from graph.engine.store import open_graph


def init_app(app: Flask) -> None:
    """Open the configured graph, and work out its gaps, analysis, network and diagram, once for the process."""
    ds = open_graph(data=tuple(app.config["DATA"]), store=app.config["STORE"])
    gaps = find_gaps(ds)
    app.extensions["strategy_graph"] = ds
    app.extensions["gaps"] = gaps
    app.extensions["analysis"] = analyse(ds)
    app.extensions["projection"] = project(ds)
    app.extensions["diagram"] = boxes_and_links(ds, gaps)


def get_graph() -> Dataset:
    """The graph of the running app."""
    return current_app.extensions["strategy_graph"]


def get_gaps() -> list[Gap]:
    """The gaps of the app's graph, found when it started."""
    return current_app.extensions["gaps"]


def get_analysis() -> dict:
    """The analysis of the app's graph, made when it started."""
    return current_app.extensions["analysis"]


def get_projection() -> nx.DiGraph:
    """The app's graph as networkx sees it (graph.analysis.project), made when it started."""
    return current_app.extensions["projection"]


def get_diagram() -> tuple[list[Box], list[tuple[str, str]]]:
    """The whole theory of change's boxes and links, made when the app started."""
    return current_app.extensions["diagram"]
