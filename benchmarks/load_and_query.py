"""Benchmark: open the packaged dataset and answer a first query.

Prints seconds for strategy-graph's Oxigraph-backed graph and, as a baseline in
the same process, for rdflib's in-memory store and SPARQL engine on the same
files and query, with the ratio. Run: .venv/bin/python benchmarks/load_and_query.py
"""

import statistics
import time

from rdflib import Dataset

from graph import files
from graph.engine import open_graph

QUERY = """
PREFIX sg: <https://w3id.org/strategy-graph/def#>
SELECT ?outcome (COUNT(DISTINCT ?means) AS ?n) WHERE {
  ?outcome a sg:Outcome .
  OPTIONAL { ?means (sg:qualifiedContribution/sg:contributionTo)+ ?outcome }
} GROUP BY ?outcome
"""
RUNS = 7


def strategy_graph() -> set:
    return set(open_graph().query(QUERY))


def rdflib_baseline() -> set:
    ds = Dataset(default_union=True)
    for path in [*files.ontology_files(), *files.dataset_files()]:
        ds.parse(path)
    return set(ds.query(QUERY))


def timed(function) -> tuple[float, set]:
    times, rows = [], set()
    for _ in range(RUNS):
        start = time.perf_counter()
        rows = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


if __name__ == "__main__":
    ours, ours_rows = timed(strategy_graph)
    base, base_rows = timed(rdflib_baseline)
    # Same answer from both engines; ours also runs the derivation rules.
    assert ours_rows == base_rows and len(ours_rows) == 5, (ours_rows, base_rows)
    print(f"open packaged dataset + first query, median of {RUNS} runs")
    print(f"  strategy-graph (Oxigraph): {ours * 1000:8.1f} ms")
    print(f"  rdflib in-memory baseline: {base * 1000:8.1f} ms")
    print(f"  ratio baseline / ours:     {base / ours:8.1f}x")
