"""The README's first-ten-minutes walk-through, read from the README itself, and a runner that does it.

tests/test_readme.py runs it and checks that the gap it names closes; docs/screenshots.py runs it and takes the
pictures the README shows. Both read the steps from the README, so neither can drift from what a reader is told.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from tests.conftest import running_server

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
WALKTHROUGH = "Your first ten minutes"
# What `export PATH=…` in the walk-through must say: ./dev installs the tool in the repository's .venv.
VENV_PATH = "$PWD/.venv/bin:$PATH"


@dataclass(frozen=True)
class Cell:
    """The one cell the walk-through has the reader type: sheet, the row's id, column, value."""

    sheet: str
    row_id: str
    column: str
    value: str


@dataclass(frozen=True)
class Walkthrough:
    """What the README's walk-through says: its commands in order, the cell to type, the rule it closes, its URLs."""

    commands: list[list[str]]
    cell: Cell
    rule: str
    port: int
    urls: list[str]
    text: str


def section(text: str, title: str) -> str:
    """The body of the Markdown section headed ``title`` (any level), up to the next heading of that level or above."""
    match = re.search(rf"^(#+) {re.escape(title)}\s*$", text, re.M)
    if not match:
        raise LookupError(f"README.md has no section headed {title!r}")
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", _blank_code(rest), re.M)
    return rest[:end.start()] if end else rest


def _blank_code(text: str) -> str:
    """``text`` with its fenced code blocks' lines blanked (same length), so a ``#`` comment in one is no heading."""
    return re.sub(r"^```.*?^```", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.M | re.S)


def code_blocks(text: str) -> list[str]:
    """The contents of the ```sh blocks of ``text``, in order."""
    return re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)


def walkthrough(text: str | None = None) -> Walkthrough:
    """The walk-through as the README states it."""
    body = section(text if text is not None else README.read_text(encoding="utf-8"), WALKTHROUGH)
    commands = [shlex.split(line, comments=True) for block in code_blocks(body) for line in block.splitlines()]
    commands = [c for c in commands if c]
    rows = [line for line in body.splitlines() if line.startswith("|")]
    if len(rows) != 3 or rows[0].strip("|").split("|")[0].strip() != "sheet":
        raise LookupError("the walk-through has no table | sheet | row | column | value | with one row")
    sheet, row_id, column, value = (c.strip().strip("`") for c in rows[2].strip().strip("|").split("|"))
    rule = re.search(r"the rule `([a-z-]+)`", body)
    serve = [c for c in commands if c[:2] == ["./dev", "run"]]
    if not rule or len(serve) != 1 or "--port" not in serve[0]:
        raise LookupError("the walk-through names no rule (\"the rule `id`\"), or no one `./dev run ... --port N`")
    port = int(serve[0][serve[0].index("--port") + 1])
    urls = re.findall(r"<(http://127\.0\.0\.1:\d+/[^>]*)>", body)
    return Walkthrough(commands, Cell(sheet, row_id, column, value), rule.group(1), port, urls, body)


def type_cell(workbook: Path, cell: Cell) -> str:
    """Type ``cell`` into ``workbook`` as a reader would, and save it; return the row's IRI (its ``iri`` column).

    The cell must be empty: the walk-through has the reader fill in what is missing.
    """
    book = openpyxl.load_workbook(workbook)
    sheet = book[cell.sheet]
    header = [c.value for c in sheet[1]]
    if cell.column not in header:
        raise LookupError(f"sheet {cell.sheet} has no column {cell.column!r}: {header}")
    rows = [row for row in sheet.iter_rows(min_row=3) if row[header.index("id")].value == cell.row_id]
    if len(rows) != 1:
        raise LookupError(f"sheet {cell.sheet} has {len(rows)} rows whose id is {cell.row_id!r}, not one")
    target = rows[0][header.index(cell.column)]
    if target.value not in (None, ""):
        raise LookupError(f"sheet {cell.sheet}, row {cell.row_id}, column {cell.column} already holds {target.value!r}")
    target.value = cell.value
    book.save(workbook)
    return rows[0][header.index("iri")].value


def row_iri(workbook: Path, sheet: str, row_id: str) -> str:
    """The ``iri`` column of the row of ``sheet`` whose id is ``row_id``, in an exported workbook."""
    rows = openpyxl.load_workbook(workbook, read_only=True)[sheet].iter_rows(values_only=True)
    header = list(next(rows))
    (iri,) = [row[header.index("iri")] for row in rows if row[header.index("id")] == row_id]
    return iri


def local(url: str, walk: Walkthrough, base: str) -> str:
    """``url`` of the walk-through, at the server actually started (``base``) instead of its stated port."""
    stated = f"http://127.0.0.1:{walk.port}"
    if not url.startswith(stated + "/"):
        raise LookupError(f"the walk-through's {url} is not on the port its ./dev run gives ({walk.port})")
    return base + url[len(stated):]


@dataclass
class Step:
    """One command of the walk-through, done: its words, the server's base URL once served, the typed row's IRI."""

    command: list[str]
    base: str | None
    typed: str | None
    output: str


def run(walk: Walkthrough, folder: Path) -> Iterator[Step]:
    """Do the walk-through in ``folder``, one command at a time, yielding after each; stop the server when closed.

    ``./dev run ARGS`` is ``strategy-graph serve ARGS`` (what ./dev does once installed), on a free port in place
    of the stated one; ``strategy-graph`` is this interpreter's; the cell is typed into the workbook the export
    writes, right after it. ``export PATH`` must say where ./dev installs the tool, and any other command is refused.
    """
    tool = Path(sys.executable).with_name("strategy-graph")
    base = typed = None
    with ExitStack() as stack:
        for command in walk.commands:
            output = ""
            if command[0] == "export":
                if command[1:] != [f"PATH={VENV_PATH}"]:
                    raise LookupError(f"unexpected export in the walk-through: {command}")
            elif command[:2] == ["./dev", "run"]:
                args = list(command[2:])
                del args[args.index("--port"):args.index("--port") + 2]
                base = stack.enter_context(running_server(folder, *args))
            elif command[0] == "strategy-graph":
                done = subprocess.run([str(tool), *command[1:]], cwd=folder, capture_output=True, text=True, timeout=300)
                allowed = (0, 1) if command[1] == "gaps" else (0,)  # gaps: 1 when a violation is found
                if done.returncode not in allowed:
                    raise AssertionError(f"{shlex.join(command)} exited {done.returncode}: {done.stdout}{done.stderr}")
                output = done.stdout
                if "-o" in command and command[command.index("-o") + 1].endswith(".xlsx"):
                    typed = type_cell(folder / command[command.index("-o") + 1], walk.cell)
            else:
                raise LookupError(f"the walk-through runs {command[0]!r}, which this runner does not know")
            yield Step(command, base, typed, output)


def fetch(url: str) -> str:
    """The text of a page of the running server."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")
