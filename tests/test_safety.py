"""Regression tests for the hostile tester's findings (issue 13, "Safety"), one per finding."""

import contextlib
import io
import resource
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("strategy-graph"))
RDF_HEAD = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'


def _one_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _laughs() -> str:
    """The classic "billion laughs": ten levels of ten references each, under 1 kB."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n" + RDF_HEAD
            + '<rdf:Description rdf:about="http://example.org/a"><ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>\n')


def _xxe() -> str:
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>\n' + RDF_HEAD
            + '<rdf:Description rdf:about="http://example.org/a"><ex:p>&secret;</ex:p></rdf:Description></rdf:RDF>\n')


@pytest.mark.parametrize("make", [_laughs, _xxe], ids=["billion-laughs", "external-entity"])
@pytest.mark.parametrize("command", [["stats", "--data"], ["load", "--store", "store"]], ids=["stats", "load"])
def test_finding_2_rdfxml_entities_are_refused_before_parsing(tmp_path, make, command):
    source = tmp_path / "bomb.rdf"
    source.write_text(make(), encoding="utf-8")
    assert len(source.read_bytes()) < 1100
    done = subprocess.run([CLI, *command, str(source)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          preexec_fn=_one_gib)
    assert done.returncode == 2, done.stderr
    assert f"{source}:2: RDF/XML with a DOCTYPE that declares entities" in done.stderr
    assert "Traceback" not in done.stderr and "root:x:0" not in done.stdout


def test_finding_2_rdfxml_without_a_dtd_still_loads(runner, tmp_path):
    from strategy_graph.cli import main

    source = tmp_path / "plain.rdf"
    source.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF>\n' + RDF_HEAD
                      + '<rdf:Description rdf:about="http://example.org/a"><ex:p>x</ex:p></rdf:Description></rdf:RDF>\n')
    result = runner.invoke(main, ["export", "--data", str(source), "--format", "nt"])
    assert result.exit_code == 0, result.output
    assert '<http://example.org/a> <http://example.org/p> "x"' in result.output


def test_finding_9_a_latin1_fingertips_csv_is_named_with_its_line_and_byte(runner, tmp_path):
    from strategy_graph.cli import main

    sample = (Path(__file__).parent / "data" / "fingertips" / "luton-sample.csv").read_bytes()
    header, rest = sample.split(b"\n", 1)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(header + b"\n" + rest.replace(b"Luton", "Lut\u00f6n".encode("latin-1"), 1))
    bad_at = latin.read_bytes().index(b"\xf6")
    result = runner.invoke(main, ["fingertips", str(latin)])
    assert result.exit_code == 2, result.output
    line = latin.read_bytes()[:bad_at].count(b"\n") + 1
    assert line >= 2
    assert f"{latin}:{line}: byte {bad_at} (0xf6) is not UTF-8; expected a UTF-8 CSV" in result.output


def _bomb(path: Path, megabytes: int) -> Path:
    """A zip with one part of ``megabytes`` MB of zeros (written in chunks, never held in memory)."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(megabytes):
                part.write(bytes(1 << 20))
    return path


@pytest.mark.parametrize("megabytes, expected", [
    (250, "unpacks to 262144008 bytes, more than the 200000000 allowed (setting zip_max_unpacked_bytes)"),
    (20, "more than the 200 allowed (setting zip_max_compression_ratio); expected an ordinary .xlsx file, not a zip bomb"),
], ids=["total", "ratio"])
def test_finding_7_an_xlsx_zip_bomb_is_refused_before_it_is_opened(runner, tmp_path, megabytes, expected):
    from strategy_graph.cli import main

    bomb = _bomb(tmp_path / "bomb.xlsx", megabytes)
    assert bomb.stat().st_size < 1_000_000
    result = runner.invoke(main, ["import", str(bomb)])
    assert result.exit_code == 2, result.output
    assert f"{bomb}: " in result.output and expected in result.output


def test_finding_8_an_untrusted_host_gets_400_and_forms_post_only_to_the_viewer(app, client):
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    page = client.get("/", headers={"Host": "localhost"})
    assert page.status_code == 200
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]
    forged = client.get("/", headers={"Host": "attacker.example"})
    assert forged.status_code == 400
    assert "attacker.example" not in forged.get_data(as_text=True)
    from viewer import close, create_app

    public = create_app({"TESTING": True, "SETTINGS": {"trusted_hosts": "127.0.0.1, strategy.example.org"}})
    try:
        assert public.test_client().get("/", headers={"Host": "strategy.example.org"}).status_code == 200
        assert public.test_client().get("/", headers={"Host": "localhost"}).status_code == 400
    finally:
        close(public)


FORMULAS = ['=HYPERLINK("http://attacker.example/","click")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)"]


def test_finding_4_formula_like_labels_are_text_in_exports_and_come_back_exact(tmp_path):
    import openpyxl

    from graph.engine import in_memory
    from graph.tables import to_csv
    from graph.workbook import export, read_workbook, write_template
    from tests.test_workbook_round_trip import _import

    rows = read_workbook(Path(__file__).parent.parent / "examples" / "example-town")
    outcomes = [r for r in rows if r.sheet == "Outcomes"]
    for row, label in zip(outcomes, FORMULAS):
        row.cells["outcome"] = label
    first, staged = _import(rows)
    sheets, _ = export(in_memory(staged))
    path = tmp_path / "exported.xlsx"
    write_template(path, sheets)
    cells = [c for sheet in openpyxl.load_workbook(path) for line in sheet.iter_rows() for c in line if c.value in FORMULAS]
    assert sorted(c.value for c in cells) == sorted(FORMULAS[:len(outcomes)]) and all(c.data_type == "s" for c in cells)
    second, _ = _import(read_workbook(path))
    # Row numbers differ between the CSV folder and the exported workbook; everything else must not.
    without_rows = lambda g: {t for t in g if not str(t[1]).endswith("#sourceRow")}
    assert without_rows(first) == without_rows(second) and len(without_rows(first)) > 300
    assert to_csv([["label"], *[[f] for f in FORMULAS]]).splitlines()[1:] == [
        '"\'=HYPERLINK(""http://attacker.example/"",""click"")"', "'=cmd|' /C calc'!A0", "'+1+1", "'@SUM(A1)"]


def test_finding_4_query_csv_for_spreadsheets_is_defused_but_sparql_csv_is_exact(runner, tmp_path):
    from strategy_graph.cli import main

    source = tmp_path / "formula.ttl"
    source.write_text('<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "=cmd|\' /C calc\'!A0" .\n')
    sparql = "SELECT ?label WHERE { <http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    result = runner.invoke(main, ["query", sparql, "--data", str(source), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["label", "'=cmd|' /C calc'!A0"]
    tsv = runner.invoke(main, ["query", sparql, "--data", str(source), "--format", "tsv"])
    assert "\"=cmd|' /C calc'!A0\"" in tsv.output


@pytest.mark.parametrize("column, value, status, expected", [
    ("outcome", "Healthier\uffff lives", 2, "sheet Outcomes, row 2, column 'outcome': character U+FFFF is not allowed"),
    ("outcome", "Healthier\x0b lives", 2, "sheet Outcomes, row 2, column 'outcome': character U+000B is not allowed"),
    ("iri", 'http://example.org/"x<y', 1, "Outcomes row 2, column 'iri': 'http://example.org/\"x<y' is not an absolute IRI"),
], ids=["non-character", "control", "iri"])
def test_finding_5_import_refuses_characters_xml_forbids_and_iris_the_store_would_not_take(runner, tmp_path, column, value,
                                                                                           status, expected):
    import csv
    import shutil

    from strategy_graph.cli import main

    folder = tmp_path / "town"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "example-town", folder)
    table = list(csv.DictReader((folder / "Outcomes.csv").open(encoding="utf-8")))
    table[0][column] = value
    with (folder / "Outcomes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    result = runner.invoke(main, ["import", str(folder)])
    assert result.exit_code == status, result.output
    assert expected in result.output and "Traceback" not in result.output


@contextlib.contextmanager
def _hostile_labels_client(tmp_path, old: str, new: str):
    """A test client of the viewer on tests/data/hostile-labels.ttl with ``old`` replaced by ``new``."""
    from viewer import close, create_app

    source = tmp_path / "changed.ttl"
    text = (Path(__file__).parent / "data" / "hostile-labels.ttl").read_text(encoding="utf-8")
    source.write_text(text.replace(old, new), encoding="utf-8")
    app = create_app({"TESTING": True, "DATA": [source]})
    try:
        yield app.test_client()
    finally:
        close(app)


def test_finding_5_a_loaded_non_character_does_not_break_the_diagram(tmp_path):
    with _hostile_labels_client(tmp_path, '"<img src=x onerror=alert(1)>"', '"Fewer\\uFFFF falls\\uFFFE"') as client:
        for path in ("/theory-of-change", "/theory-of-change.svg", "/theory-of-change.png", "/theory-of-change.pdf"):
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert answer.data, path
        svg = client.get("/theory-of-change.svg").get_data(as_text=True)
        assert "Fewer falls" in svg and "\uffff" not in svg


def test_finding_5_an_apostrophe_in_an_iri_gives_a_whole_pdf(tmp_path):
    """Regression: cairo writes a PDF's links inside '...', and an IRI's apostrophe broke the file (500, or an empty PDF)."""
    from pypdf import PdfReader

    with _hostile_labels_client(tmp_path, "ex:outcome", "<https://example.org/outcome/it's>") as client:
        answer = client.get("/theory-of-change.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    links = [a.get_object()["/A"]["/URI"] for page in PdfReader(io.BytesIO(answer.data)).pages for a in page.get("/Annots", [])]
    assert any("it%27s" in link for link in links), links


HOSTILE_VALUES = ["%ED%A0%80", "%ZZ", "9" * 400, "%5CU00110000", "%00"]


def test_finding_6_no_route_answers_a_client_mistake_with_500(app, client):
    import re

    from graph.sparql import saved_queries

    saved = saved_queries()
    params = sorted({p.name for s in saved for p in s.params})
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/sparql"):
            continue  # /sparql is the protocol's, tested in tests/test_sparql.py
        for bad in HOSTILE_VALUES:
            path = re.sub(r"<[^>]+>", bad, rule.rule)
            common = "&".join(f"{name}={bad}" for name in ("iri", "q", "saved", "strategy", "severity", "outcome", "priority", "strength", "evidence"))
            for query in [common, *(f"saved={s.name}&" + "&".join(f"param.{n}={bad}" for n in params) for s in saved)]:
                answer = client.get(f"{path}?{query}")
                assert answer.status_code < 500, f"{path}?{query}"
                assert "codec" not in answer.get_data(as_text=True)
                checked += 1
    assert checked > 100
