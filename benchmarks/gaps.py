"""Benchmark: find the gaps in the packaged dataset, and in 20 copies of it in one graph.

Prints seconds for strategy-graph's validation (pySHACL over an Oxigraph store)
and, as a baseline in the same process, for pySHACL over an rdflib in-memory
graph of the same triples, with the ratio. Run:
    .venv/bin/python benchmarks/gaps.py
"""

import statistics
import tempfile
import time
from pathlib import Path

import pyshacl
from rdflib import Graph

from graph import files
from graph.gaps import find_gaps, shapes_graph
from graph.engine.graphs import open_graph

COPIES = 20


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def copies(folder: Path, count: int) -> list[Path]:
    """The packaged dataset under ``count`` different IRIs: as many strategies in one graph."""
    paths = []
    for n in range(count):
        for source in files.dataset_files():
            path = folder / f"copy{n}-{source.name}"
            path.write_text(source.read_text(encoding="utf-8").replace("/luton-pws/", f"/luton-pws-copy{n}/"), encoding="utf-8")
            paths.append(path)
    return paths


if __name__ == "__main__":
    ds = open_graph()
    shapes_graph()
    ours, gaps = timed(lambda: find_gaps(ds), 5)
    union = Graph()
    for s, p, o in ds.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"):
        union.add((s, p, o))
    base, _ = timed(lambda: pyshacl.validate(union, shacl_graph=shapes_graph(), inference="none", allow_warnings=True), 1)
    print(f"gaps in the packaged dataset ({len(union)} triples, {len(gaps)} gaps)")
    print(f"  strategy-graph (pySHACL on Oxigraph): {ours:7.2f} s (median of 5)")
    print(f"  pySHACL on an rdflib graph:           {base:7.2f} s")
    print(f"  ratio baseline / ours:                {base / ours:7.1f}x")
    with tempfile.TemporaryDirectory() as folder:
        many = open_graph(data=copies(Path(folder), COPIES))
        scaled, many_gaps = timed(lambda: find_gaps(many), 1)
    print(f"gaps in {COPIES} copies in one graph ({len(many_gaps)} gaps): {scaled:.2f} s, {scaled / ours:.1f}x one copy")
