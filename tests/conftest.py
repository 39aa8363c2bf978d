"""Fixtures and helpers: the packaged graph, the Flask app and client, the CLI runner, fixture files."""

import datetime
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import sync_playwright
from rdflib import Dataset

from graph import files
from graph.describe import resolve_graph
from graph.engine import named_graph, open_graph
from tests.servers import KINDS, kind
from viewer import close, create_app

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SOURCE_TEXT = SHARED / "source" / "population-wellbeing-strategy.txt"
DATA = Path(__file__).resolve().parent / "data"
# Debian's Chromium, headless, asking nothing of the network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def read_fixture(path: Path, folder: Path) -> Path:
    """A copy of a gap fixture in ``folder``, with today's dates put in, for the data-age rule.

    {this_year} and {this_yy} become today's year; {stale_day} the day a month
    more than two years ago, and {two_years_ago} the year of that day.
    """
    today = datetime.date.today()
    stale = _years_before(today, 2) - datetime.timedelta(days=31)
    year = str(today.year)
    text = path.read_text(encoding="utf-8")
    for name, value in (("{this_year}", year), ("{this_yy}", year[2:]), ("{stale_day}", stale.isoformat()), ("{two_years_ago}", str(stale.year))):
        text = text.replace(name, value)
    copy = folder / f"{path.parent.name}-{path.name}"
    copy.write_text(text, encoding="utf-8")
    return copy


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def copies(folder: Path, count: int, base: str = "http://example.org/copy{n}/") -> list[Path]:
    """The packaged dataset under ``count`` other IRIs (``base`` with n = 0, 1, …), each copy in its own named graphs.

    ``WORKBOOK_IDS`` as ``base`` gives the IRIs a workbook import makes for strategy ids copy0, copy1, ….
    """
    paths = []
    for n in range(count):
        for source in files.dataset_files():
            path = folder / f"copy{n}-{source.name}"
            path.write_text(source.read_text(encoding="utf-8").replace("https://w3id.org/strategy-graph/id/luton-pws/", base.format(n=n)),
                            encoding="utf-8")
            paths.append(path)
    return paths


WORKBOOK_IDS = "https://w3id.org/strategy-graph/id/copy{n}/"


@pytest.fixture(scope="session")
def ds() -> Dataset:
    """The packaged dataset with the vocabulary, opened once for the session."""
    return open_graph()


@pytest.fixture(scope="session")
def layer(ds):
    """A function giving one named graph of the packaged dataset by short name."""
    return lambda name: named_graph(ds, resolve_graph(ds, name))


@pytest.fixture(scope="session")
def source_text() -> str:
    """The published strategy summary, as received."""
    return SOURCE_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def app():
    """The viewer on the packaged dataset (a temporary store), stopped after the module's tests."""
    app = create_app({"TESTING": True})
    yield app
    close(app)


@pytest.fixture
def client(app):
    """A test client of the viewer."""
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    """A runner for the strategy-graph CLI."""
    return CliRunner()


@contextmanager
def running_server(folder: Path, *options: str):
    """`strategy-graph serve` in a subprocess on a free local port; yields its base URL, stops it after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = Path(sys.executable).with_name("strategy-graph")
    process = subprocess.Popen([str(script), "serve", "--port", str(port), *options], cwd=folder,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError) as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    said = process.stdout.read().decode() if process.poll() is not None else "timeout"
                    raise RuntimeError("the server did not start: " + said) from error
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module", params=sorted(KINDS))
def server(request, tmp_path_factory):
    """Each kind of SPARQL server in turn (tests/servers.py), holding the packaged dataset, loaded through --remote."""
    from strategy_graph.cli import main

    started = kind(request.param)(tmp_path_factory.mktemp(request.param)).start()
    result = CliRunner().invoke(main, ["load", *map(str, files.dataset_files()), *started.options()])
    assert result.exit_code == 0, result.output
    yield started
    started.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, for one test module."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def luton_server(tmp_path_factory):
    """`strategy-graph serve` on the packaged dataset, for one test module."""
    with running_server(tmp_path_factory.mktemp("luton")) as base:
        yield base


# Passed and run, by suite, filled by the modules that run vendored W3C suites.
W3C_COUNTS: dict[str, tuple[int, int]] = {}
_SHACL_COUNTS = pytest.StashKey[dict]()


def _shacl_counts_of(config) -> dict:
    return config.stash.setdefault(_SHACL_COUNTS, {"tests": 0, "plain pySHACL on rdflib": 0, "the project's path": 0})


@pytest.fixture(scope="session")
def shacl_counts(pytestconfig):
    """The W3C SHACL suite's pass counts (tests/test_w3c_shacl.py), printed at the end of the run."""
    return _shacl_counts_of(pytestconfig)


def pytest_sessionfinish(session):
    """Under pytest-xdist, a worker hands its W3C counts to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["w3c"] = json.dumps({"sparql": W3C_COUNTS, "shacl": session.config.stash.get(_SHACL_COUNTS, {})})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller adds up what each pytest-xdist worker counted (each suite runs whole in one worker)."""
    counted = json.loads(getattr(node, "workeroutput", {}).get("w3c", "{}"))
    for suite, (passed, run) in counted.get("sparql", {}).items():
        W3C_COUNTS[suite] = (passed, run)
    shacl = _shacl_counts_of(node.config)
    for run, passed in counted.get("shacl", {}).items():
        shacl[run] += passed


def pytest_terminal_summary(terminalreporter, config):
    """Print the W3C suites' pass counts at the end of the run."""
    if W3C_COUNTS:
        terminalreporter.section("W3C SPARQL 1.1 suites, through /sparql")
        for suite, (passed, run) in W3C_COUNTS.items():
            terminalreporter.write_line(f"{suite}: {passed} of {run} passed")
    counts = config.stash.get(_SHACL_COUNTS, None)
    if counts and counts["tests"]:
        terminalreporter.section("W3C SHACL test suite")
        for run, passed in counts.items():
            if run != "tests":
                terminalreporter.write_line(f"{run}: {passed} of {counts['tests']} passed")
