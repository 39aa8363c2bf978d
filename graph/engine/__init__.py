"""The engine: the stores, the rules, validation and the query services.

It is the only code that touches Oxigraph, oxrdflib or pySHACL internals. It
speaks HTTP only as a client of a SPARQL server (graph.engine.remote, which
also sorts a server's answers into whose fault a failure was); it never
answers HTTP: no status codes of its own, no media-type negotiation.

This module is its façade: code outside the engine imports these names from
``graph.engine``, never a submodule (tests/test_layers.py holds it to that).
"""

import importlib
from typing import TYPE_CHECKING, Any

from graph.engine.graphs import in_memory, load, open_graph, statement_counts, strategy_unit, write
from graph.engine.query import QueryError, check, extension_functions, normalise
from graph.engine.remote import Credentials, Remote, RemoteError, RunawayCheck, check_runaways, credentials
from graph.engine.reports import kept_records
from graph.engine.results import execute
from graph.engine.rules import ExtraRules, Rule, packaged_rules, read_extra_rules, shapes_graph
from graph.engine.snapshots import NoStore, NotAStore
from graph.engine.store import (
    GraphSourceError,
    add_triples,
    graph_names,
    is_iri,
    named_graph,
    new_graph,
    read_files,
    select_rows,
    select_values,
)
from graph.engine.stores import Store, open_store

# Loaded on first use: a command that only reads a store never needs the validator, pySHACL or the query workers,
# whose import would add a tenth of a second to its start.
_LATER = {"extra_records": "graph.engine.units", "strategy_units": "graph.engine.units",
          "Unit": "graph.engine.units",
          "ShapesError": "graph.engine.validation",
          "validate": "graph.engine.validation", "Validated": "graph.engine.validation.files",
          "validate_files": "graph.engine.validation.files", "QueryService": "graph.engine.workers"}

if TYPE_CHECKING:
    from graph.engine.units import Unit, extra_records, strategy_units
    from graph.engine.validation import ShapesError, validate
    from graph.engine.validation.files import Validated, validate_files
    from graph.engine.workers import QueryService


def __getattr__(name: str) -> Any:
    """A name of _LATER, imported from its module the first time it is asked for."""
    if name not in _LATER:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LATER[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "Credentials",
    "ExtraRules",
    "GraphSourceError",
    "NoStore",
    "NotAStore",
    "QueryError",
    "QueryService",
    "Remote",
    "RemoteError",
    "Rule",
    "RunawayCheck",
    "ShapesError",
    "Store",
    "Unit",
    "Validated",
    "add_triples",
    "check",
    "check_runaways",
    "credentials",
    "execute",
    "extension_functions",
    "extra_records",
    "graph_names",
    "in_memory",
    "is_iri",
    "kept_records",
    "load",
    "named_graph",
    "new_graph",
    "normalise",
    "open_graph",
    "open_store",
    "packaged_rules",
    "read_extra_rules",
    "read_files",
    "select_rows",
    "select_values",
    "shapes_graph",
    "statement_counts",
    "strategy_unit",
    "strategy_units",
    "validate",
    "validate_files",
    "write",
]
