"""Benchmark: strategy-graph at national scale, each figure beside a baseline from the same run.

N strategies are copies of the packaged dataset under their own IRIs, each with
synthetic indicator values (INVENTED, well formed, in one shared data set):
150 strategies at about 300k statements, and about 3M statements for the
memory figure (1,500 strategies, --size 1500, are themselves about 3M
statements, and skip it). Every command runs as a user runs it, as a subprocess.

    .venv/bin/python benchmarks/national.py                   # 150 strategies, then the 3M run
    .venv/bin/python benchmarks/national.py --size 1500       # the national graph, 1,500 strategies
    .venv/bin/python benchmarks/national.py --quick           # 20 strategies, no 3M run
    .venv/bin/python benchmarks/national.py --skip-pyshacl    # without pySHACL's 20-strategy baseline (7-10 min)
    .venv/bin/python benchmarks/national.py --import-remote   # only `import --remote` beside `import --store`
"""

import argparse
import csv
import ctypes
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph import files  # noqa: E402
from graph.sparql import saved_queries  # noqa: E402
from graph.vocab import ENGINE_BASE  # noqa: E402
from viewer.routes import addresses  # noqa: E402

CLI = str(Path(sys.executable).with_name("strategy-graph"))
PERIODS = ("2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25")
PR_SET_CHILD_SUBREAPER = 36  # prctl(2)
DATASET = "https://w3id.org/strategy-graph/id/benchmark/synthetic-values"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PREFIXES = """@prefix sg: <https://w3id.org/strategy-graph/def#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
"""


def generate(folder: Path, strategies: int, observations: int) -> list[Path]:
    """The packaged dataset under ``strategies`` IRIs, each with ``observations`` synthetic values: 5 TriG files a strategy."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = {p.name: p.read_text(encoding="utf-8") for p in files.dataset_files()}
    indicators = packaged_indicators()
    paths = []
    for n in range(strategies):
        base = f"https://w3id.org/strategy-graph/id/benchmark-{n:04d}/"
        for name, text in sources.items():
            path = folder / f"s{n:04d}-{name}"
            path.write_text(text.replace("https://w3id.org/strategy-graph/id/luton-pws/", base), encoding="utf-8")
            paths.append(path)
        lines = [PREFIXES, f"<{base}graph/synthetic-values> {{",
                 f'  <{DATASET}> a qb:DataSet ; rdfs:label "Synthetic indicator values, invented for the benchmark" ; qb:structure sg:indicatorStructure .']
        for k in range(observations):
            indicator, period = indicators[k % len(indicators)], PERIODS[(k // len(indicators)) % len(PERIODS)]
            lines.append(
                f'  <{base}observation/synthetic-{k}> a sg:Observation ; rdfs:label "synthetic value {k}" ; qb:dataSet <{DATASET}> ;'
                f" sg:indicator <{base}indicator/{indicator}> ;"
                f" sdmx-dimension:refArea <http://statistics.data.gov.uk/id/statistical-geography/E06{n:06d}> ;"
                f' sdmx-dimension:refPeriod "{period}" ; sg:populationGroup <https://w3id.org/strategy-graph/def/population-group/all> ;'
                f' sdmx-measure:obsValue "{k % 97}.5"^^xsd:decimal .')
        lines.append("}")
        path = folder / f"s{n:04d}-synthetic-values.trig"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def packaged_indicators() -> list[str]:
    """The local names of the packaged dataset's indicators, sorted."""
    text = next(p for p in files.dataset_files() if p.name == "indicators.trig").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^    ind:([\w-]+)\n        a sg:Indicator", text, re.M)))


REFERENCE = """
import sys, pyoxigraph as ox
memory = ox.Store()
for path in sys.argv[2:]:
    memory.extend(ox.parse(path=path, format=ox.RdfFormat.TRIG))
store = ox.Store(sys.argv[1])
store.bulk_extend(memory)
store.flush()
"""


def timed(command: list[str], **options) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **options)
    return time.perf_counter() - start, done


def run(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    seconds, done = timed(command)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[:3])} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done


def gaps_by_rule(store: Path | None, options: tuple[str, ...] = ()) -> tuple[float, Counter]:
    source = ("--store", str(store)) if store is not None else ()
    seconds, done = run([CLI, "gaps", *source, "--format", "json", "--fail-on", "none", *options])
    return seconds, Counter(record["rule"] for record in json.loads(done.stdout))


def row(figure: str, value: str, baseline: str = "", target: str = "") -> None:
    print(f"| {figure} | {value} | {baseline} | {target} |", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def serving(store: Path, *settings: str):
    port = free_port()
    process = subprocess.Popen([CLI, "serve", "--store", str(store), "--port", str(port),
                                *[a for s in settings for a in ("--setting", s)]],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return process, f"http://127.0.0.1:{port}"


def wait_for_first_page(process, base: str) -> float:
    start = time.perf_counter()
    while True:
        try:
            if get(base + "/", timeout=5)[0] == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        if process.poll() is not None:
            sys.exit("serve stopped: " + process.stderr.read().decode()[-2000:])
        time.sleep(0.05)


def resident_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    total = 0
    for current in {pid} | descendants(pid):
        try:
            total += int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{current}/status").read_text()).group(1))
        except (OSError, AttributeError):
            continue
    return total / 1024


def descendants(pid: int) -> set[int]:
    """The processes below ``pid`` now.

    A child belongs to the thread that started it: /proc/PID/task/TID/children lists only that thread's, so the
    children of every thread are read (the query workers are started by the supervisor's thread, not the main one).
    """
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                children = {int(c) for c in (task / "children").read_text().split()}
                found |= children
                todo += children
        except OSError:
            continue
    return found


@dataclass
class Measured:
    """A command's wall-clock seconds, CPU seconds over its process tree and peak resident memory of the tree."""

    seconds: float
    cpu: float
    peak_mib: float
    done: subprocess.CompletedProcess
    stopped: bool = False

    def figures(self) -> str:
        return f"{self.seconds:.1f} s, {self.cpu:.1f} CPU-s, peak {self.peak_mib:,.0f} MiB"


def measured(command: list[str], timeout: float | None = None) -> Measured:
    """Run ``command``, sampling its process tree's resident memory every 50 ms (the peak of the sums).

    Its CPU seconds are those os.wait4 gives for the command and for each descendant it left behind: the command's
    own and those of every descendant it waited for, and the same of each orphan. The benchmark is made a child
    subreaper, so that an orphan (the forkserver of the validation and query workers, which its parent never
    waits for, and which reaps the workers) becomes its child, to be waited for. A command still running after
    ``timeout`` seconds is stopped with its process group.
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, start_new_session=True)
        peak, stopped, seen = 0.0, False, set()
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            seen |= descendants(process.pid)
            peak = max(peak, resident_mib(process.pid))
            if timeout is not None and time.perf_counter() - start > timeout and not stopped:
                os.killpg(process.pid, 9)
                stopped = True
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        cpu = usage.ru_utime + usage.ru_stime + orphans_cpu(seen)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())
    return Measured(seconds, cpu, peak, done, stopped)


def orphans_cpu(seen: set[int], within: float = 30) -> float:
    """The CPU seconds of those of ``seen`` that became the benchmark's children, each waited for (``within``
    seconds at most in all): their own and their waited descendants'."""
    cpu, deadline = 0.0, time.perf_counter() + within
    for pid in seen:
        while time.perf_counter() < deadline:
            try:
                waited, _, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:  # waited for by its own parent: counted in the parent's figure
                break
            if waited:
                cpu += usage.ru_utime + usage.ru_stime
                break
            time.sleep(0.01)
    return cpu


def run_measured(command: list[str]) -> Measured:
    """``measured``, stopping the benchmark if the command failed, as ``run`` does."""
    result = measured(command)
    if result.done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[:3])} failed ({result.done.returncode}):\n{result.done.stderr[-2000:]}")
    return result


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95 + 0.5) - 1)]


def loaded(work: Path, prefix: str, paths: list[Path], target: str) -> tuple[Path, float]:
    """`load` the files into a new store, beside the pyoxigraph reference on the same files; print the figure:
    seconds, CPU seconds of the process tree and its peak resident memory, for both."""
    reference = run_measured([sys.executable, "-c", REFERENCE, str(work / f"{prefix}reference"), *map(str, paths)])
    shutil.rmtree(work / f"{prefix}reference")
    store = work / f"{prefix}store"
    load = run_measured([CLI, "load", "--store", str(store), *map(str, paths)])
    statements = re.search(r"Loaded (\d+) statements", load.done.stdout).group(1)
    row(f"`load` {len(paths)} files ({statements} statements)", load.figures(),
        f"pyoxigraph parse + one bulk_load: {reference.figures()} ({load.seconds / reference.seconds:.1f}x, "
        f"{load.cpu / reference.cpu:.1f}x the CPU)", target)
    return store, load.seconds


def national(work: Path, strategies: int, observations: int, pyshacl: bool = True) -> None:
    print(f"\n## {strategies} strategies, {observations} synthetic values each\n")
    paths = generate(work / "files", strategies, observations)
    one = generate(work / "one", 1, observations)
    print("| figure | strategy-graph | baseline, same run | target |\n| --- | --- | --- | --- |")
    store, load_seconds = loaded(work, "", paths, "within 2.5x; peak under 3 GB")
    seconds, _ = run([CLI, "stats", "--store", str(store)])
    row("read-only open (`stats --store`)", f"{seconds:.2f} s", "", "under 1 s")
    report_size(store)
    whole = run_measured([CLI, "gaps", "--store", str(store), "--format", "json", "--fail-on", "none"])
    seconds, many = whole.seconds, Counter(record["rule"] for record in json.loads(whole.done.stdout))
    one_store = work / "one-store"
    run([CLI, "load", "--store", str(one_store), *map(str, one)])
    _, single = gaps_by_rule(one_store)
    exact = all(many[rule] == strategies * single[rule] for rule in single | many)
    row("`gaps`, whole report, after the load", f"{seconds:.2f} s, {sum(many.values())} gaps, "
        f"peak {whole.peak_mib:,.0f} MiB", f"{strategies} x one strategy's, rule by rule: {'exactly' if exact else 'NOT EQUAL'}",
        "under 3 s; peak under 500 MB")
    council = ("--shapes", str(REPO / "examples" / "council-rules.ttl"))
    extra_seconds, with_council = gaps_by_rule(store, council)
    _, single_council = gaps_by_rule(one_store, council)
    exact = all(with_council[rule] == strategies * single_council[rule] for rule in single_council | with_council)
    row("`gaps --shapes` a council's rule file, checked unit by unit", f"{extra_seconds:.2f} s, "
        f"{sum(with_council.values()) - sum(many.values())} more gaps",
        f"`gaps` alone {seconds:.2f} s; {strategies} x one strategy's: {'exactly' if exact else 'NOT EQUAL'}", "")

    # Export one strategy's workbook, then re-import it: only its unit is validated again.
    workbook = work / "strategy-0.xlsx"
    export_seconds = exported(store, workbook)
    row("`export --format xlsx` of one strategy", f"{export_seconds:.1f} s",
        f"from the 1-strategy store: {exported(one_store, work / 'strategy-0-one.xlsx'):.1f} s", "under 2 s, whatever N")
    import_seconds, done = run([CLI, "import", str(workbook), "--store", str(store)])
    validated = re.search(r"(\d+) unit\(s\) of the graph re-validated in ([\d.]+) s", done.stdout)
    if validated is None:
        sys.exit(f"the re-import failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    gaps_seconds, after = gaps_by_rule(store)
    row("re-import one strategy's workbook: its validation", f"{validated.group(2)} s, {validated.group(1)} unit(s)",
        f"the whole import command: {import_seconds:.1f} s", "under 2 s")
    row("re-import one strategy's workbook, the whole command", f"{import_seconds:.1f} s",
        f"into the 1-strategy store: {run([CLI, 'import', str(workbook), '--store', str(one_store)])[0]:.1f} s",
        "under 2 s, whatever N")
    row("`gaps` after the re-import", f"{gaps_seconds:.2f} s, {'unchanged' if after == many else 'changed'}", "", "under 2 s")
    writes = linked_copy(store, work / "write-store")  # the writes below leave the store the rows after it read as loaded
    one_writes = linked_copy(one_store, work / "write-one-store")
    fingertips_figures(work, writes, one_writes)
    write_shown(work, writes, workbook)
    shutil.rmtree(writes)
    shutil.rmtree(one_writes)

    # The 20-strategy graph: plain pySHACL on an rdflib graph against our validation.
    if strategies >= 20 and pyshacl:
        pyshacl_seconds, ours_seconds = compare_with_pyshacl(paths[: 20 * 5])
        row("validation of 20 strategies, in process", f"{ours_seconds:.2f} s",
            f"pySHACL on an rdflib graph: {pyshacl_seconds:.1f} s ({pyshacl_seconds / ours_seconds:.0f}x)", "")
    sizes = (1, 20, 150) if strategies >= 1500 else tuple(n for n in (1, 20) if n <= strategies)  # 150: if time allows
    validate_figures(work, paths, sum(single.values()), sizes)
    query_check_figures()
    embedded_queries = serve_figures(store)
    remote_figures(work, paths, load_seconds, (gaps_seconds, after), embedded_queries, new_strategy(work, store))


def exported(store: Path, path: Path) -> float:
    """The seconds of `export --format xlsx` of the first strategy from ``store`` to ``path``."""
    seconds, done = run([CLI, "export", "--store", str(store), "--format", "xlsx", "--strategy",
                         "https://w3id.org/strategy-graph/id/benchmark-0000/strategy", "-o", str(path)])
    if done.returncode != 0:
        sys.exit(f"the export failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def linked_copy(store: Path, copy: Path) -> Path:
    """A copy of ``store`` made of hard links: cheap, and safe since a write makes a new generation, never
    changing a file of a published one."""
    shutil.copytree(store, copy, copy_function=os.link)
    return copy


def report_size(store: Path) -> None:
    """The row of the kept reports' size: the statements in the report graphs against those of the data."""
    query = f"""SELECT ?report (COUNT(*) AS ?n) WHERE {{
      GRAPH ?g {{ ?s ?p ?o }}
      BIND (STRSTARTS(STR(?g), "{ENGINE_BASE}report/") AS ?report)
      FILTER (?report || !STRSTARTS(STR(?g), "{ENGINE_BASE}"))
    }} GROUP BY ?report"""
    _, done = run([CLI, "query", "--store", str(store), "--format", "json", query])
    counts = {b["report"]["value"] == "true": int(b["n"]["value"]) for b in json.loads(done.stdout)["results"]["bindings"]}
    reports, data = counts.get(True, 0), counts.get(False, 0)
    row("kept reports: statements in the report graphs", f"{reports:,} ({reports / data:.2f}x the data)",
        f"data, vocabulary included: {data:,} statements", "under 0.25x the data")


FINGERTIPS_COLUMNS = ("Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
                      "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
                      "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Count", "Time period Sortable")


def fingertips_csv(path: Path) -> int:
    """A Fingertips data CSV (INVENTED values) of every Fingertips ID of the packaged indicators, which every
    benchmark strategy's copies carry: Luton's and England's values, three periods each. Returns its rows."""
    text = next(p for p in files.dataset_files() if p.name == "indicators.trig").read_text(encoding="utf-8")
    identifiers = sorted(set(re.findall(r'sg:sourceIdentifier "(\d+)"', text)))
    areas = (("E06000032", "Luton", "UA", "E92000001", "England"), ("E92000001", "England", "England", "", ""))
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(FINGERTIPS_COLUMNS)
        for n, identifier in enumerate(identifiers):
            for code, name, kind, parent, parent_name in areas:
                for year in (2021, 2022, 2023):
                    value = 10 + (n * 7 + year) % 80
                    writer.writerow([identifier, f"Invented values of indicator {identifier}", parent, parent_name, code,
                                     name, kind, "Persons", "All ages", "", "", f"{year}/{(year + 1) % 100:02d}",
                                     f"{value}.5", f"{value - 1}.5", f"{value + 1}.5", "", f"{year}0000"])
                    rows += 1
    return rows


def fingertips_figures(work: Path, store: Path, one_store: Path) -> None:
    """The row of `fingertips` of one CSV whose indicator IDs every strategy shares, beside the 1-strategy store's."""
    path = work / "fingertips-invented.csv"
    rows = fingertips_csv(path)
    figures = []
    for target in (store, one_store):
        result = measured([CLI, "fingertips", str(path), "--store", str(target)], timeout=600)
        if result.done.returncode not in (0, 1) and not result.stopped:
            sys.exit(f"fingertips failed:\n{result.done.stdout[-2000:]}{result.done.stderr[-2000:]}")
        figures.append(f"stopped after {result.seconds:.0f} s" if result.stopped else result.figures())
    row(f"`fingertips` of one CSV ({rows} rows, invented) of the indicator IDs every strategy shares", figures[0],
        f"into the 1-strategy store: {figures[1]}", "under 10 s, whatever N")


def write_shown(work: Path, store: Path, workbook: Path) -> None:
    """The row of the time a running `serve --store` takes to show a write: a re-import adding a value, from the
    import's end until the date of the data's last write, on every page's footer, changes."""
    from openpyxl import load_workbook

    book = load_workbook(workbook)
    sheet = book["Observations"]
    columns = [cell.value for cell in sheet[1]]
    added = [cell.value for cell in sheet[3]]  # the first value (row 2 is the template's example)
    added[columns.index("id")], added[columns.index("period")], added[columns.index("iri")] = "benchmark-write", "2030/31", None
    sheet.append(added)
    changed = work / "strategy-0-changed.xlsx"
    book.save(changed)

    def written(base: str) -> str:
        return re.search(rb'<time datetime="([^"]+)"', get(base + "/", timeout=300)[1]).group(1).decode()

    process, base = serving(store)
    try:
        wait_for_first_page(process, base)
        before = written(base)
        import_seconds, done = run([CLI, "import", str(changed), "--store", str(store)])
        if done.returncode != 0:
            sys.exit(f"the changing re-import failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        start = time.perf_counter()
        while written(base) == before:
            if time.perf_counter() - start > 300:
                break
            time.sleep(0.05)
        shown = time.perf_counter() - start
    finally:
        process.terminate()
        process.wait(10)
    row("a running `serve --store` shows a write (a re-import adding one value)",
        f"{shown:.2f} s after the import returned" if shown <= 300 else "not shown within 300 s",
        f"the import itself: {import_seconds:.1f} s", "under 3 s")


UNION = """
import sys, pyoxigraph as ox
DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
def triples(path):
    for quad in ox.parse(path=path):
        value = quad.object
        if sys.argv[1] == "spreadsheet" and isinstance(value, ox.Literal) and value.datatype == DECIMAL and "." in value.value:
            value = ox.Literal(value.value + "0", datatype=DECIMAL)  # "21.50", as a spreadsheet or CSV writes it
        yield ox.Triple(quad.subject, quad.predicate, value)
with open(sys.argv[2], "wb") as out:
    ox.serialize((t for path in sys.argv[3:] for t in triples(path)), out, format=ox.RdfFormat.N_TRIPLES)
"""
JENA_JARS = ("slf4j-api", "slf4j-nop", "guava", "commons-cli", "commons-codec", "commons-compress", "commons-csv",
             "commons-io", "commons-lang3", "dexx.collection", "gson", "httpclient", "httpcore", "jackson-core",
             "jackson-databind", "jackson-annotations", "jsonld-java", "thrift", "protobuf", "titanium-json-ld",
             "jakarta.json-api")


def jena_shacl(work: Path) -> list[str] | None:
    """The command of Jena's `shacl` (Debian's libapache-jena-java), or None when it is not installed.

    Debian's jena-core moves the bundled Xerces to the package `xerces` but leaves its messages under
    org/apache/jena/ext/xerces, and Xerces fails at start without them: they are copied beside it, on the class path.
    """
    java, jars = shutil.which("java"), Path("/usr/share/java")
    if java is None or not (jars / "jena-shacl.jar").exists():
        return None
    messages = work / "jena-messages"
    with zipfile.ZipFile(jars / "jena-core.jar") as core:
        for name in core.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = messages / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(core.read(name))
    jena_jars = [p for p in sorted(jars.glob("jena-*.jar")) if not re.search(r"-\d[\w.]*\.jar$", p.name)]  # unversioned
    path = [messages, *jena_jars, *(jars / f"{name}.jar" for name in JENA_JARS)]
    return [java, "-cp", ":".join(map(str, path)), "shacl.shacl", "validate"]


def validate_figures(work: Path, paths: list[Path], one_strategy_gaps: int, sizes: tuple[int, ...]) -> None:
    """`validate` of the union of 1, 20 (and 150) strategies with the packaged shapes, beside Jena SHACL on the same
    N-Triples file. The values are written as a spreadsheet or CSV writes them ("21.50"), as an evaluator's are."""
    jena = jena_shacl(work)
    if jena is None:
        row("`validate` beside Jena SHACL", "", "not measured: Jena not installed", "")
    shapes = work / "shapes.nt"
    run([sys.executable, "-c", UNION, "as-is", str(shapes), *map(str, files.shape_files())])
    for n in sizes:
        union = work / f"union-{n}.nt"
        run([sys.executable, "-c", UNION, "spreadsheet", str(union), *map(str, paths[: 5 * n]),
             *map(str, files.ontology_files())])
        with union.open("rb") as lines:
            statements = sum(1 for _ in lines)
        ours = measured([CLI, "validate", str(union), *[a for p in files.shape_files() for a in ("--shapes", str(p))],
                         "--format", "json"], timeout=600)
        if ours.stopped:
            value = f"stopped after {ours.seconds:.0f} s"
        elif ours.done.returncode not in (0, 1):
            value = f"failed ({ours.done.returncode}): {ours.done.stderr.strip()[-200:]}"
        else:
            value = f"{ours.figures()}, {len(json.loads(ours.done.stdout)['results'])} results"
        baseline = f"`gaps` of the same strategies: {n * one_strategy_gaps} gaps"
        if jena is not None:
            theirs = measured([*jena, "--shapes", str(shapes), "--data", str(union)], timeout=600)
            found = len(re.findall(r"\bsh:ValidationResult\b", theirs.done.stdout))
            baseline += "; Jena SHACL 4.5, JVM start included: " + (
                f"stopped after {theirs.seconds:.0f} s" if theirs.stopped else
                f"{theirs.figures()}, {found} results" if theirs.done.returncode == 0 else
                f"failed ({theirs.done.returncode}): {theirs.done.stderr.strip()[-200:]}")
        row(f"`validate` the union of {n} strateg{'y' if n == 1 else 'ies'} ({statements:,} statements), "
            "the packaged shapes", value, baseline, "Jena's time or better, the results of `gaps`")
        union.unlink()


def first_requests(base: str) -> None:
    """The rows of the first request of every page the viewer lists, one after another, right after the first page."""
    example = urllib.parse.quote("https://w3id.org/strategy-graph/id/benchmark-0000/", safe="")
    for address in addresses(outcome=example + "outcome%2Ffinancially-sustainable-families",
                             indicator=example + "indicator%2F" + packaged_indicators()[0]):
        start = time.perf_counter()
        try:
            status, _ = get(base + address, timeout=300)
            figure = f"{time.perf_counter() - start:.2f} s (status {status})"
        except OSError as error:  # a timeout, say: the rows after it are still worth having
            figure = f"no answer after {time.perf_counter() - start:.0f} s ({error})"
        row(f"page `{address.replace(example, '…')}`, first request", figure, "",
            "under 1 s" if address == "/theory-of-change" else "")


def compare_with_pyshacl(paths: list[Path]) -> tuple[float, float]:
    import pyshacl
    from rdflib import Graph

    from graph.engine import open_graph, shapes_graph
    from graph.engine.validation import pyshacl_adapter

    start = time.perf_counter()
    ds = open_graph(data=paths)  # parses, runs the rules and validates every unit
    ours = time.perf_counter() - start
    union = Graph()
    for s, p, o in ds.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
                            f"FILTER (!STRSTARTS(STR(?g), '{ENGINE_BASE}')) }}"):
        union.add((s, p, o))
    start = time.perf_counter()
    with pyshacl_adapter.fixed():
        pyshacl.validate(union, shacl_graph=shapes_graph(), inference="none")
    return time.perf_counter() - start, ours


def serve_figures(store: Path) -> list:
    """The rows of `serve --store`; returns the saved queries' p95 figures, the baseline of `serve --remote`'s."""
    process, base = serving(store)
    try:
        row("`serve --store`: start to first page", f"{wait_for_first_page(process, base):.2f} s", "", "under 3 s")
        first_requests(base)
        kept, worked = saved_query_times(base)
        row("parameterless saved queries through `/sparql`, p95", _under(kept, 0.1),
            f"worked out by a worker, median: {_under(worked, 0.1)}", "p95 under 100 ms")
        after_runaway(base)
        idle = {}
        for page in ("/", "/theory-of-change", "/gaps", "/analysis"):
            idle[page], status = page_median(base + page)
            row(f"page `{page}`", f"median {idle[page] * 1000:.0f} ms (status {status})", "", "median under 300 ms")
        flooded, answers = under_runaway_flood(base + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}), base + "/")
        row("page `/` while 8 clients loop runaway queries", f"median {flooded * 1000:.0f} ms (runaways answered: {answers})",
            f"idle, above: {idle['/'] * 1000:.0f} ms", "pages never wait behind queries")
        row("all serving processes, resident", f"{resident_mib(process.pid):.0f} MiB", "", "under 1 GiB")
        return kept
    finally:
        process.terminate()
        process.wait(10)


def saved_query_times(base: str) -> tuple[list, list]:
    """Each parameterless saved query through /sparql: the p95 of 20 requests after a first, and the median of 3 made new by a comment."""
    kept, worked = [], []
    for saved in saved_queries():
        if saved.params:
            continue
        url = base + "/sparql?" + urllib.parse.urlencode({"query": saved.text})
        get(url, timeout=60)  # the first may wait for the answer the viewer works out ahead
        times, statuses = [], set()
        for _ in range(20):
            start = time.perf_counter()
            statuses.add(get(url, timeout=60)[0])
            times.append(time.perf_counter() - start)
        kept.append((p95(times), saved.name, statuses))
        # The baseline: the same query made new to the viewer by a comment, so that it is worked out again.
        fresh = []
        for n in range(3):
            start = time.perf_counter()
            get(base + "/sparql?" + urllib.parse.urlencode({"query": f"{saved.text}\n# {n}"}), timeout=60)
            fresh.append(time.perf_counter() - start)
        worked.append((statistics.median(fresh), saved.name, {200}))
    return kept, worked


@contextmanager
def oxigraph_server(work: Path):
    """An Oxigraph server (`oxigraph serve`) on a new folder, as docs/servers.md deploys it: its query and update URLs,
    or None when there is no `oxigraph` binary (a row says so)."""
    binary = Path(sys.executable).with_name("oxigraph")
    if not binary.exists():
        row("over an Oxigraph server", "not measured: no `oxigraph` binary (pip install oxigraph)", "", "")
        yield None
        return
    port = free_port()
    query, update = f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/update"
    # With the server's own time limit.
    server = subprocess.Popen([str(binary), "serve", "--location", str(work / "oxigraph-server"), "--bind",
                               f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "60"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            try:
                if get(query + "?" + urllib.parse.urlencode({"query": "ASK {}"}), timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                sys.exit("oxigraph serve stopped: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.1)
        yield query, update
    finally:
        server.terminate()
        server.wait(10)


def new_strategy(work: Path, store: Path) -> tuple[Path, float]:
    """A new strategy's workbook of 1,000 rows (generated by ``workbook``), and the time of its `import --store`.

    A new strategy, not a re-import: a re-import over a server is refused while the strategy's period is a blank
    node (the packaged data's), which a SPARQL query cannot name.
    """
    path = workbook(work / "new-strategy.xlsx", 1_000)
    seconds, done = run([CLI, "import", str(path), "--store", str(store)])
    if done.returncode != 0:
        sys.exit(f"the import --store failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return path, seconds


def remote_import(query: str, update: str, workbook: Path, embedded: float) -> None:
    """The row of `import --remote` of a strategy's workbook into the server's national graph, beside `import --store`."""
    seconds, done = run([CLI, "import", str(workbook), "--remote", query, "--remote-update", update])
    validated = re.search(r"(\d+) unit\(s\) of the graph re-validated in ([\d.]+) s", done.stdout)
    if validated is None:
        sys.exit(f"the import --remote failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    row("`import --remote` of a new strategy's workbook (1,000 rows) into the Oxigraph server", f"{seconds:.1f} s, "
        f"{validated.group(1)} unit(s) validated", f"`import --store` of the same workbook: {embedded:.1f} s "
        f"({seconds / embedded:.1f}x)", "within 2x")


def remote_figures(work: Path, paths: list[Path], embedded_load: float, embedded_gaps: tuple[float, Counter],
                   embedded_queries: list, embedded_import: tuple[Path, float]) -> None:
    """The same graph on an Oxigraph server, through --remote: load, gaps, an import, and serve --remote's saved queries."""
    with oxigraph_server(work) as endpoints:
        if endpoints is not None:
            remote_serving(paths, embedded_load, embedded_gaps, embedded_queries, embedded_import, *endpoints)


def remote_serving(paths: list[Path], embedded_load: float, embedded_gaps: tuple[float, Counter], embedded_queries: list,
                   embedded_import: tuple[Path, float], query: str, update: str) -> None:
    """`load --remote` of the national graph, `gaps --remote`, `serve --remote`, and an import, over the server."""
    seconds, _ = run([CLI, "load", "--remote", query, "--remote-update", update, *map(str, paths)])
    row("`load --remote` into an Oxigraph server, one update", f"{seconds:.1f} s",
        f"`load --store`, above: {embedded_load:.1f} s", "")
    remote_seconds, remote_gaps = gaps_by_rule(None, ("--remote", query))
    seconds, gaps = embedded_gaps
    row("`gaps --remote`, over the Oxigraph server", f"{remote_seconds:.2f} s, "
        f"{'the same gaps, rule by rule' if remote_gaps == gaps else 'NOT THE SAME GAPS'}",
        f"embedded store: {seconds:.2f} s ({remote_seconds / seconds:.1f}x)", "within 2x")
    port_viewer = free_port()
    # warn: Oxigraph server does not stop the runaway probe, and under the default (refuse) /sparql would answer
    # only the saved queries, not the baseline's variants of them. The probe runs on the server once, at start:
    # the figures are taken after it, as a deployment's are.
    viewer = subprocess.Popen([CLI, "serve", "--remote", query, "--port", str(port_viewer),
                               "--setting", "remote_runaway_check=warn"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port_viewer}"
        start = time.perf_counter()
        row("`serve --remote`: start to first page", f"{wait_for_first_page(viewer, base):.2f} s", "", "")
        found = runaway_check(viewer)
        row("`serve --remote`: its check that the server stops a runaway, in the background",
            f"{time.perf_counter() - start:.1f} s from start: {found}", "", "")
        kept, worked = saved_query_times(base)
        row("parameterless saved queries through `serve --remote`, p95", _under(kept, 0.15),
            f"`serve --store`, above: {_under(embedded_queries, 0.15)}; passed on to the server each time, "
            f"median: {_under(worked, 0.15)}", "p95 under 150 ms")
    finally:
        viewer.terminate()
        viewer.wait(10)
    remote_import(query, update, *embedded_import)  # last: the other figures are of the graph as loaded


def runaway_check(viewer) -> str:
    """What `serve --remote` logged of its runaway check (its stderr read until then), in a few words."""
    log = ""
    while "runaway" not in log and "time limit" not in log:
        line = viewer.stderr.readline().decode()
        if not line:
            return "not logged"
        log += line
    # What was seen ends at the sentence's end, not at a decimal point ("7.1 s").
    found = re.search(r"(did not stop|may not stop|stops runaway queries)[^:]*: (.*?)(?:\.\s|\.?$)", log)
    return f"{found.group(1)}: {found.group(2)}" if found else log.strip()[-200:]


def query_check_figures() -> None:
    """The endpoint's check of each saved query, in process, beside rdflib's parse alone (what the check cost before issue 24)."""
    from rdflib.plugins.sparql.parser import parseQuery

    from graph.engine import check, normalise
    from graph.sparql import bind

    def best_ms(*works, runs: int = 15) -> list[float]:
        """For each work, the least CPU time of ``runs``, taken in turns: what it costs, without what else the machine did."""
        times = [[] for _ in works]
        for _ in range(runs):
            for work, taken in zip(works, times):
                start = time.process_time()
                work()
                taken.append(time.process_time() - start)
        return [min(taken) * 1000 for taken in times]

    check("ASK {}", set())  # rdflib builds its grammar on first use, as the workers do at start
    added = []
    for saved in saved_queries():
        text = bind(saved, {p.name: "https://w3id.org/strategy-graph/id/x" if p.kind == "iri" else "1" for p in saved.params})
        whole, parse = best_ms(lambda text=text: check(text, set()), lambda text=text: parseQuery(normalise(text)))
        added.append((whole - parse, whole, parse, saved.name))
    worst = max(added)
    row("the endpoint's check of each saved query beyond rdflib's parse (SERVICE, functions, prefixes, IRIs, FROM), "
        "least CPU time of 15", f"at most {worst[0]:.2f} ms ({worst[3]}: {worst[1]:.1f} ms in all)",
        f"rdflib's parse of it alone: {worst[2]:.1f} ms", "the check adds under 5 ms")


def after_runaway(base: str) -> None:
    """The row for the first query after a runaway one was stopped with its worker."""
    status, _ = get(base + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}))
    start = time.perf_counter()
    status_next, _ = get(base + "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s a ?t }"}))
    row("the first query after a runaway query was stopped", f"{time.perf_counter() - start:.2f} s (runaway: {status}, next: {status_next})",
        "", "within 1 s")


def page_median(url: str) -> tuple[float, int]:
    """The median time of 15 requests for a page, and the last status."""
    times = []
    for _ in range(15):
        start = time.perf_counter()
        status, _ = get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times), status


def under_runaway_flood(runaway_url: str, page_url: str) -> tuple[float, str]:
    """A page's median while 8 clients each send runaway queries one after another, and how those were answered."""
    stop, answered = threading.Event(), Counter()

    def flood() -> None:
        while not stop.is_set():
            status, body = get(runaway_url, timeout=60)
            answered["busy" if b"busy" in body else "stopped" if b"stopped" in body else str(status)] += 1

    clients = [threading.Thread(target=flood, daemon=True) for _ in range(8)]
    for client in clients:
        client.start()
    time.sleep(1)  # every worker has a runaway by now
    try:
        median, _ = page_median(page_url)
    finally:
        stop.set()
        for client in clients:
            client.join(60)
    return median, ", ".join(f"{count} {kind}" for kind, count in sorted(answered.items()))


def _under(figures: list[tuple[float, str, set]], limit: float) -> str:
    """'N of M under X ms', and the ones over it, slowest first."""
    figures = sorted(figures, reverse=True)
    over = ", ".join(f"{name} {seconds * 1000:.0f} ms{'' if statuses == {200} else ' ' + str(sorted(statuses))}"
                     for seconds, name, statuses in figures if seconds >= limit)
    under = sum(1 for seconds, _, _ in figures if seconds < limit)
    return f"{under} of {len(figures)} under {limit * 1000:.0f} ms; over: {over or 'none'}"


def memory_at_scale(work: Path, strategies: int, observations: int) -> None:
    print(f"\n## about 3M statements: {strategies} strategies, {observations} synthetic values each\n")
    print("| figure | strategy-graph | baseline, same run | target |\n| --- | --- | --- | --- |")
    store, _ = loaded(work, "big-", generate(work / "big-files", strategies, observations), "")
    process, base = serving(store)
    try:
        row("`serve --store`: start to first page", f"{wait_for_first_page(process, base):.2f} s", "", "")
        first_requests(base)
        for saved in saved_queries():
            if not saved.params:
                get(base + "/sparql?" + urllib.parse.urlencode({"query": saved.text}), timeout=60)
        after_runaway(base)
        row("all serving processes together, resident", f"{resident_mib(process.pid):.0f} MiB", "", "under 1 GiB")
    finally:
        process.terminate()
        process.wait(10)


def workbook(path: Path, rows: int) -> Path:
    """An invented strategy of about ``rows`` rows, as a lead's workbook: outcomes, indicators and mostly observations."""
    from openpyxl import Workbook

    from graph.workbook import SHEETS

    parts = max(1, rows // 10)
    entries = {
        "Strategy": [{"id": f"rows-{rows}", "title": f"A strategy of {rows} rows (invented)", "start": 2024, "end": 2028, "area": "E06000099"}],
        "Priorities": [{"id": "p", "priority": "An invented priority"}],
        "Outcomes": [{"id": f"o{i}", "outcome": f"Invented outcome {i}"} for i in range(parts)],
        "Indicators": [{"id": f"n{i}", "indicator": f"Invented indicator {i}", "measures": f"o{i}", "unit": "%"} for i in range(parts)],
        "Observations": [{"id": f"v{i}", "indicator": f"n{i % parts}", "period": str(2005 + i % 20), "value": i % 97}
                         for i in range(rows - 2 * parts - 2)],
    }
    book = Workbook(write_only=True)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append([c.name for c in sheet.columns])
        ws.append([f"EXAMPLE-{sheet.segment}"])  # the template's example row, which import skips
        for entry in entries.get(sheet.name, []):
            ws.append([entry.get(c.name) for c in sheet.columns])
    book.save(path)
    return path


def import_remote_figures(work: Path, strategies: int, observations: int) -> None:
    """`import` of a new strategy's workbook into the national graph, held by an Oxigraph server and by the embedded store."""
    print(f"\n## Import into a server: {strategies} strategies, {observations} synthetic values each\n")
    print("| figure | strategy-graph | baseline, same run | target |\n| --- | --- | --- | --- |")
    paths = generate(work / "files", strategies, observations)
    store = work / "store"
    run([CLI, "load", "--store", str(store), *map(str, paths)])
    imported = new_strategy(work, store)
    with oxigraph_server(work) as endpoints:
        if endpoints is not None:
            run([CLI, "load", "--remote", endpoints[0], "--remote-update", endpoints[1], *map(str, paths)])
            remote_import(*endpoints, *imported)


def import_figures(work: Path) -> None:
    """`import` of a 10k-row and a 40k-row workbook into an empty store: the second within 5x the first."""
    print("\n## Workbook import\n")
    print("| figure | strategy-graph | baseline, same run | target |\n| --- | --- | --- | --- |")
    seconds = {}
    for rows in (10_000, 40_000):
        path = workbook(work / f"rows-{rows}.xlsx", rows)
        seconds[rows], done = run([CLI, "import", str(path), "--store", str(work / f"import-{rows}")])
        if done.returncode != 0:
            sys.exit(f"the import of {rows} rows failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    row("`import` of a 10,000-row workbook", f"{seconds[10_000]:.1f} s")
    row("`import` of a 40,000-row workbook", f"{seconds[40_000]:.1f} s",
        f"{seconds[40_000] / seconds[10_000]:.1f}x the 10,000 rows", "within 5x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=150, help="the number of strategies (default 150; 1500 is the "
                        "national graph, about 3.2M statements, and skips the separate 3M run)")
    parser.add_argument("--quick", action="store_true", help="20 strategies only, and no 3M run")
    parser.add_argument("--skip-pyshacl", action="store_true",
                        help="without pySHACL's baseline on 20 strategies (it takes 7 to 10 minutes)")
    parser.add_argument("--work", type=Path, help="folder for the generated files and stores (default: a temporary one)")
    parser.add_argument("--import-remote", action="store_true",
                        help="only `import --remote` of one workbook into the national graph, beside `import --store`")
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="strategy-graph-bench-"))
    try:
        size = 20 if options.quick else options.size
        if options.import_remote:
            import_remote_figures(work, size, 140)
            sys.exit(0)
        national(work, size, 140, pyshacl=not options.skip_pyshacl)
        import_figures(work)
        if not options.quick and size < 1000:  # from 1,000 strategies, the national graph is itself about 3M statements
            memory_at_scale(work, 150, 2400)
    finally:
        if options.work is None:
            shutil.rmtree(work, ignore_errors=True)
