"""Benchmark: find the gaps in the packaged dataset, and in 20 copies of it, each copy in its own graphs.

Prints seconds for strategy-graph's validation (set-wise SHACL per unit, in
Oxigraph: what every write does, and what `open_graph` does for files) and,
as a baseline in the same process, for plain pySHACL over an rdflib graph of
the same triples, with the ratio. Run:
    .venv/bin/python benchmarks/gaps.py
"""

import statistics
import tempfile
import time
from pathlib import Path

import pyshacl
from rdflib import Graph

from graph import files
from graph.engine import in_memory, read_files, shapes_graph
from graph.engine.validation import pyshacl_adapter
from graph.gaps import find_gaps
from graph.vocab import ENGINE_BASE

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


def validated(paths) -> tuple[float, list]:
    """Stage the files (parsed before the clock starts), then validate every unit and read the gaps."""
    staged = read_files(paths)
    start = time.perf_counter()
    gaps = find_gaps(in_memory(staged))
    return time.perf_counter() - start, gaps


if __name__ == "__main__":
    shapes_graph()
    validated(files.dataset_files())  # compiles the shapes once, as a long-lived process does
    runs = [validated(files.dataset_files()) for _ in range(5)]
    ours, gaps = statistics.median(r[0] for r in runs), runs[0][1]
    union = Graph()  # the same statements, vocabulary included, without the kept reports
    for s, p, o, g in in_memory(read_files(files.dataset_files())).quads((None, None, None, None)):
        if not str(g).startswith(ENGINE_BASE):
            union.add((s, p, o))
    with pyshacl_adapter.fixed():
        base, _ = timed(lambda: pyshacl.validate(union, shacl_graph=shapes_graph(), inference="none"), 1)
    print(f"gaps in the packaged dataset ({len(union)} triples, {len(gaps)} gaps)")
    print(f"  strategy-graph (set-wise, in Oxigraph): {ours:7.2f} s (median of 5)")
    print(f"  pySHACL on an rdflib graph:             {base:7.2f} s")
    print(f"  ratio baseline / ours:                  {base / ours:7.1f}x")
    with tempfile.TemporaryDirectory() as folder:
        scaled, many_gaps = validated(copies(Path(folder), COPIES))
    print(f"gaps in {COPIES} copies ({len(many_gaps)} gaps): {scaled:.2f} s, {scaled / ours:.1f}x one copy")
