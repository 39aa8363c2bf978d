"""strategy-graph: a knowledge graph of strategy logic.

The RDF files under ``ontology/``, ``shapes/``, ``queries/`` and ``datasets/``
are the source of truth; this package opens, loads, exports and describes them.
"""

__version__ = "0.1.0"
