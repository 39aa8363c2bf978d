"""The red team's workbooks, labels and disk (issue 24, findings 11, 12, 13c and 14).

Rows past a stale ``<dimension>`` are read; every character a label can hold
goes through every spreadsheet writer; a full disk is a message that changes
nothing; every CSV response names one charset.
"""

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import RDFS, URIRef

from graph.engine import open_graph
from graph.workbook import read_workbook
from strategy_graph.cli import main
from tests.conftest import SOURCE_TEXT
from tests.hostile import run_bounded
from tests.hostile.workbooks import (
    CONTROL_LABEL,
    EXAMPLE_TOWN,
    LOOKALIKE_LABEL,
    UNWRITABLE,
    control_character_graph,
    exported_workbook,
    saved_as_excel,
    streamed_by_openpyxl,
    streamed_by_xlsxwriter,
    with_dimension,
)
from viewer import close, create_app

# The cells as an xlsx file holds them: each character XML cannot hold as _xHHHH_, tab, LF and CR as they are,
# and each underscore before x and four hex digits as _x005F_.
CONTROL_CELL = "Walking buses" + "".join(c if c in "\t\n\r" else f"_x{ord(c):04X}_" for c in UNWRITABLE) + "to school"
LOOKALIKE_CELL = "Befriending _x005F_x0041_ pilot _x005F_x005F_x005F_x0008_ _x005F_x000D_"
TOWN = "https://w3id.org/strategy-graph/id/example-town/"
INTERVENTION = "https://w3id.org/strategy-graph/def#Intervention"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """The packaged strategy's workbook with 400 more interventions: 492 rows."""
    return exported_workbook(tmp_path_factory.mktemp("exported"))


def _interventions(store: Path, folder: Path) -> int:
    stats = run_bounded(["stats", "--store", str(store), "--format", "json"], folder)
    return next(c["count"] for c in json.loads(stats.stdout)["classes"] if c["iri"] == INTERVENTION)


def test_a_stale_dimension_loses_no_row(exported, tmp_path):
    """Finding 11: with <dimension ref="A1:I3"/> in Interventions the import read 90 rows of 492, exited 0, and the
    store's 403 interventions became 3."""
    stale = with_dimension(exported, "A1:I3", tmp_path, "Interventions")
    store = tmp_path / "store"
    assert run_bounded(["init", "--store", str(store)], tmp_path).returncode == 0
    first = run_bounded(["import", str(exported), "--store", str(store)], tmp_path)
    assert first.stdout.startswith(f"Imported 492 rows from {exported} into "), first.stderr
    assert _interventions(store, tmp_path) == 403
    again = run_bounded(["import", str(stale), "--store", str(store)], tmp_path)
    assert (again.returncode, again.stdout.split(" into ")[0]) == (0, f"Imported 492 rows from {stale}"), again.stderr
    assert _interventions(store, tmp_path) == 403


@pytest.mark.parametrize("rewrite", [
    lambda source, folder: with_dimension(source, "A1:I3", folder),
    lambda source, folder: with_dimension(source, "A1", folder),
    streamed_by_openpyxl,
    streamed_by_xlsxwriter,
], ids=["stale-dimension", "one-cell-dimension", "openpyxl-write-only", "xlsxwriter-constant-memory"])
def test_every_writer_s_workbook_reads_as_the_original(exported, tmp_path, rewrite):
    """The same cells, whatever the <dimension> claims or whether a streaming writer wrote one."""
    rows = read_workbook(exported)
    assert len(rows) == 492
    assert read_workbook(rewrite(exported, tmp_path)) == rows


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    """The viewer on Example Town with an intervention labelled with every character XML cannot hold."""
    app = create_app({"TESTING": True, "DATA": [control_character_graph(tmp_path_factory.mktemp("labels"))]})
    yield app.test_client()
    close(app)


@pytest.mark.parametrize("path, column, cells", [
    ("/contributions.xlsx", "From", {CONTROL_CELL}),
    ("/gaps.xlsx", "label", {CONTROL_CELL, LOOKALIKE_CELL}),
])
def test_xlsx_downloads_write_every_character(hostile_client, path, column, cells):
    """Finding 12: these answered 500 (openpyxl's IllegalCharacterError)."""
    response = hostile_client.get(path)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows(values_only=True))
    assert cells <= {row[rows[0].index(column)] for row in rows[1:]}


@pytest.mark.parametrize("path, column", [
    ("/contributions.csv", "From"),
    ("/gaps.csv", "label"),
    ("/query/results.csv?saved=programmes-and-sources", "programme"),
])
def test_csv_downloads_hold_every_character(hostile_client, path, column):
    """CSV holds every character as it is, after the byte-order mark."""
    text = hostile_client.get(path).data.decode("utf-8")
    assert text.startswith("\ufeff")
    assert CONTROL_LABEL in [row[column] for row in csv.DictReader(io.StringIO(text[1:], newline=""))]


@pytest.mark.parametrize("path, headers", [
    ("/contributions.csv", {}),
    ("/gaps.csv", {}),
    ("/query/results.csv?saved=programmes-and-sources", {}),
    ("/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fc%20%7D%20LIMIT%201", {"Accept": "text/csv"}),
])
def test_every_csv_response_names_one_charset(hostile_client, path, headers):
    """Finding 14: the downloads said text/csv; charset=utf-8; charset=utf-8."""
    response = hostile_client.get(path, headers=headers)
    assert (response.status_code, response.headers["Content-Type"]) == (200, "text/csv; charset=utf-8")


def test_cli_csv_holds_every_character(tmp_path, runner):
    """`gaps --format csv` and `query --format csv` write the label as it is (in process: a text pipe would turn CR into LF)."""
    graph = control_character_graph(tmp_path)
    for args, column in ((["gaps", "--format", "csv", "--fail-on", "none"], "label"),
                         (["query", "programmes-and-sources", "--format", "csv"], "programme")):
        result = runner.invoke(main, [*args, "--data", str(graph)])
        assert result.exit_code == 0, result.output
        assert CONTROL_LABEL in [row[column] for row in csv.DictReader(io.StringIO(result.stdout, newline=""))]


def test_export_writes_every_character_and_import_refuses_it_at_its_cell(tmp_path):
    """Finding 12: `export --format xlsx` crashed on such a label. It now writes OOXML's escapes; the import reads them
    back, refuses the control characters at their cell as it refuses typed ones, and keeps look-alikes as they were."""
    book = tmp_path / "town.xlsx"
    exported = run_bounded(["export", "--format", "xlsx", "--data", str(control_character_graph(tmp_path)), "-o", str(book)], tmp_path)
    assert exported.returncode == 0, exported.stderr
    workbook = load_workbook(book)
    cells = {row[0].value: row[1] for row in workbook["Interventions"].iter_rows(min_row=3)}
    assert (cells["walking-buses"].value, cells["befriending-pilot"].value) == (CONTROL_CELL, LOOKALIKE_CELL)

    refused = run_bounded(["import", str(book), "--dry-run"], tmp_path)
    assert (refused.returncode, refused.stderr) == (2, (
        f"Error: {book}: sheet Interventions, row {cells['walking-buses'].row}, column 'intervention': character U+0000 "
        "is not allowed; expected text without control characters or Unicode non-characters\n"))

    cells["walking-buses"].value = "Walking buses to school"  # the mend a person makes
    workbook.save(book)
    store = tmp_path / "store"
    imported = run_bounded(["import", str(book), "--store", str(store)], tmp_path)
    assert imported.returncode == 0, imported.stderr
    ds = open_graph(store=store)
    try:
        labels = {name: {str(o) for o in ds.objects(URIRef(f"{TOWN}intervention/{name}"), RDFS.label)}
                  for name in ("walking-buses", "befriending-pilot")}
    finally:
        ds.close()
    assert labels == {"walking-buses": {"Walking buses to school"}, "befriending-pilot": {LOOKALIKE_LABEL}}


def test_excel_s_escapes_read_as_typed(tmp_path):
    """A workbook Excel saved: its _x000D_ is a carriage return, and a typed _x0041_ stays text, not an 'A'."""
    typed = "Walking buses\r\nto school _x0041_"
    book = saved_as_excel(tmp_path, "Interventions", [["id", "intervention"], ["walking-buses", typed]])
    assert [row.cells for row in read_workbook(book)] == [{"id": "walking-buses", "intervention": typed}]


@pytest.fixture
def small_disk(tmp_path):
    """A file system of 64 MB of its own (tmpfs, mounted as root), unmounted after the test; skipped where mounting is refused."""
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True, text=True)
    except OSError as error:
        pytest.skip(f"cannot mount a tmpfs: {error}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def _fill(disk: Path) -> Path:
    """Take every free byte of ``disk``; delete the returned file to give them back."""
    free = os.statvfs(disk)
    filler = disk / "filler"
    with open(filler, "wb") as out:
        os.posix_fallocate(out.fileno(), 0, free.f_bavail * free.f_frsize)
    return filler


def _contents(store: Path) -> dict[str, bytes]:
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", ["load", "import"])
def test_a_full_disk_is_a_message_and_leaves_the_store_as_it_was(small_disk, exported, command):
    """Finding 13c: `load` and `import` on a full disk ended in a traceback."""
    args = {"load": ["load", str(EXAMPLE_TOWN)], "import": ["import", str(exported)]}[command] + ["--store", "store"]
    assert run_bounded(["init", "--store", "store"], small_disk).returncode == 0
    run_bounded(["stats", "--store", "store"], small_disk)  # a read leaves its readers' lock file: there before, as after
    before = _contents(small_disk / "store")
    filler = _fill(small_disk)

    failed = run_bounded(args, small_disk)
    assert failed.returncode == 2
    assert re.fullmatch(r"Error: the system stopped the command: IO error: No space left on device: While appending to "
                        r"file: store/gen-000002\.tmp/MANIFEST-\d+: No space left on device\n", failed.stderr), failed.stderr
    assert _contents(small_disk / "store") == before

    filler.unlink()
    assert run_bounded(args, small_disk).returncode == 0
    assert _interventions(small_disk / "store", small_disk) == {"load": 3 + 4, "import": 403}[command]


@pytest.mark.parametrize("command", [
    ["export", "--format", "nt", "-o", "out"],
    ["export", "--format", "xlsx", "-o", "out"],
    ["template", "-o", "out"],
    ["draft", str(SOURCE_TEXT), "-o", "out"],
], ids=["export-nt", "export-xlsx", "template", "draft"])
def test_a_file_written_on_a_full_disk_stays_as_it_was(small_disk, command):
    """Regression: click's atomic file was published, cut short, when the disk filled under `export -o`."""
    earlier = small_disk / "out"
    earlier.write_bytes(b"the earlier file\n")
    earlier.chmod(0o640)
    filler = _fill(small_disk)
    failed = run_bounded(command, small_disk)
    assert failed.returncode == 2 and "No space left on device" in failed.stderr and "Traceback" not in failed.stderr
    assert earlier.read_bytes() == b"the earlier file\n"
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "out"]  # no part-written file left beside it
    filler.unlink()
    done = run_bounded(command, small_disk)
    assert done.returncode == 0, done.stderr
    assert earlier.read_bytes() != b"the earlier file\n" and earlier.stat().st_mode & 0o777 == 0o640
