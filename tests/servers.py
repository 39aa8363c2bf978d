"""Real SPARQL servers for the tests, started and stopped by the tests themselves."""

import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen | None, seconds: float = 60) -> None:
    """Until ``url`` answers a SPARQL ASK; raises if the process ends or time runs out."""
    deadline = time.monotonic() + seconds
    query = urllib.parse.urlencode({"query": "ASK {}"})
    while True:
        try:
            urllib.request.urlopen(f"{url}?{query}", timeout=5).read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start") from error
            time.sleep(0.1)


def _term(term: dict) -> str:
    if term["type"] == "uri":
        return f"<{term['value']}>"
    if term["type"] == "bnode":
        return f"_:{term['value']}"
    value = json.dumps(term["value"], ensure_ascii=False)
    return value + (f"@{term['xml:lang']}" if "xml:lang" in term else f"^^<{term['datatype']}>" if "datatype" in term else "")


def relay(handler, url: str, body: bytes) -> None:
    """Answer ``handler``'s request with what ``url`` answers to it (its method, body, Content-Type and Accept): a test's proxy."""
    request = urllib.request.Request(url, data=body or None, method=handler.command,
                                     headers={k: v for k, v in handler.headers.items() if k in ("Content-Type", "Accept")})
    with urllib.request.urlopen(request, timeout=30) as answer:
        payload = answer.read()
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.headers["Content-Type"])
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


def dump(query_url: str) -> list[str]:
    """Every quad a server holds, as sorted lines (blank nodes by the server's own labels), read as plain JSON results."""
    query = urllib.parse.urlencode({"query": "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
    request = urllib.request.Request(f"{query_url}?{query}", headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(urllib.request.urlopen(request, timeout=60).read())["results"]["bindings"]
    return sorted(" ".join(_term(row[v]) for v in "spog") + " ." for row in rows)


@dataclass
class _Server:
    """A server process of the tests: its folder, its port, and how long it may take to stop."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    store_url = None  # a Graph Store Protocol endpoint, for servers whose writes need one
    stopping = 10  # seconds

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(self.stopping)

    def dump(self) -> list[str]:
        return dump(self.query_url)


@dataclass
class OxigraphServer(_Server):
    """`oxigraph serve` (the oxigraph package's binary) on a folder and a free port, its default graph the union."""

    union: bool = True

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    @property
    def update_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/update"

    def options(self) -> list[str]:
        """The CLI options that point a command at this server."""
        return ["--remote", self.query_url, "--remote-update", self.update_url]

    def start(self) -> "OxigraphServer":
        binary = Path(sys.executable).with_name("oxigraph")
        # As docs/servers.md deploys it: the server's own time limit, above the longest query strategy-graph itself sends.
        self.process = subprocess.Popen([str(binary), "serve", "--location", str(self.folder), "--bind",
                                         f"127.0.0.1:{self.port}", "--timeout-s", "60",
                                         *(["--union-default-graph"] if self.union else [])],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.query_url, self.process)
        return self


# A private Virtuoso: its own database folder, ports on 127.0.0.1, no system service.
_VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""


@dataclass
class VirtuosoServer(_Server):
    """Virtuoso Open Source (Debian's virtuoso-opensource) on a folder and free ports, with the least privilege docs/servers.md gives.

    /sparql is the anonymous SPARQL user's, which may only read (Virtuoso's
    own default); writes go to /sparql-auth and /sparql-graph-crud-auth as
    WRITER, an account of its own granted SPARQL_UPDATE, whose password (a new
    one each start) is in ``credentials``.
    """

    isql: int = field(default_factory=free_port)
    max_rows: int = 10_000  # Debian's virtuoso.ini: answers are cut at this many rows, silently
    stopping = 60
    WRITER = "strategy_graph"

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    @property
    def update_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql-auth"

    @property
    def store_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql-graph-crud-auth"

    @property
    def credentials(self) -> Path:
        return self.folder / "writer-credentials"

    def options(self) -> list[str]:
        # Virtuoso compiles each update into SQL and refuses a large one: writes go by the Graph Store Protocol.
        return ["--remote", self.query_url, "--remote-update", self.update_url, "--remote-store", self.store_url,
                "--remote-credentials", str(self.credentials)]

    def isql_exec(self, statement: str) -> str:
        """Run SQL as the database administrator (Debian's isql-vt); its output."""
        return subprocess.run(["isql-vt", f"127.0.0.1:{self.isql}", "dba", "dba", f"exec={statement}"],
                              check=True, capture_output=True, text=True, timeout=60).stdout

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt"))

    def start(self) -> "VirtuosoServer":
        self.folder.mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(_VIRTUOSO_INI.format(dir=self.folder.resolve(), isql=self.isql, http=self.port, max_rows=self.max_rows))
        self.process = subprocess.Popen(["virtuoso-t", "-f", "-c", str(ini)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, cwd=self.folder)
        wait_for(self.query_url, self.process, 120)
        if not self.credentials.exists():  # a restart keeps the account
            password = secrets.token_urlsafe(18)
            self.isql_exec(f"DB.DBA.USER_CREATE('{self.WRITER}', '{password}'); GRANT SPARQL_UPDATE TO \"{self.WRITER}\";")
            self.credentials.write_text(f"{self.WRITER}:{password}\n")
            self.credentials.chmod(0o600)
        return self


# Two independent servers, to test the protocols rather than one product.
KINDS = {"oxigraph": OxigraphServer, "virtuoso": VirtuosoServer}


def kind(name: str) -> type[_Server]:
    """The server class of that name; a missing Virtuoso fails the test (./dev test installs it), never skips it."""
    import pytest

    if name == "virtuoso" and not VirtuosoServer.available():
        pytest.fail("Virtuoso is not installed: ./dev test installs Debian's virtuoso-opensource")
    return KINDS[name]
