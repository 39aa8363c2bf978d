"""Every CLI command runs, and bad input gets a clear error with exit status 2."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal

from graph.formats import BY_NAME
from graph.vocab import ENGINE_BASE as ENGINE
from strategy_graph.cli import main
from tests.conftest import DATA, REPO

COMMANDS = ["stats", "export", "load", "serve"]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_every_command_has_help(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output and "--help" in result.output


def test_stats_counts_classes_and_graphs(runner):
    result = runner.invoke(main, ["stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    classes = {c["name"]: c["count"] for c in counts["classes"]}
    assert classes["Target outcome"] == 5 and classes["Work stream"] == 22 and classes["Strategic priority"] == 1
    graphs = {c["name"] for c in counts["graphs"]}
    assert {"strategy", "analysis", "indicators", "programmes", "ontology"} <= graphs


def test_stats_text_is_a_readable_table(runner):
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 0
    line = next(ln for ln in result.output.splitlines() if "Work stream" in ln)
    assert line.split()[0] == "22"


@pytest.mark.parametrize("fmt", list(BY_NAME))
def test_export_round_trips_in_every_format(runner, ds, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(main, ["export", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    spec = BY_NAME[fmt]
    back = Dataset() if spec.quads else Graph()
    back.parse(out, format={"ttl": "turtle", "nt": "nt", "xml": "xml", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}[fmt])
    # Everything but the engine's kept reports, which a store that loads the file works out again.
    data = {q for q in ds.quads((None, None, None, None)) if not str(q[3]).startswith(ENGINE)}
    assert data and len(data) < len(set(ds.quads((None, None, None, None))))
    if spec.quads:
        assert len(set(back.quads((None, None, None, None)))) == len(data)
    else:
        assert len(back) == len({q[:3] for q in data})  # the union of the named graphs


def test_export_says_what_it_wrote_and_refuses_a_missing_folder(runner, tmp_path, layer):
    out = tmp_path / "strategy.nt"
    result = runner.invoke(main, ["export", "--format", "nt", "--graph", "strategy", "-o", str(out)])
    assert result.exit_code == 0
    assert result.output == (f"Wrote the graph <https://w3id.org/strategy-graph/id/luton-pws/graph/strategy> as nt to {out} "
                             f"({out.stat().st_size:,} bytes).\n")
    assert len(Graph().parse(out, format="nt")) == len(layer("strategy"))
    missing = tmp_path / "no-such-folder" / "out.trig"
    result = runner.invoke(main, ["export", "-o", str(missing)])
    assert result.exit_code == 2 and f"there is no folder {missing.parent}" in result.output and not missing.parent.exists()


def test_serve_on_a_taken_port_says_so_in_one_line_and_exits_2(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([str(Path(sys.executable).with_name("strategy-graph")), "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; choose another --port"]
    assert "Serving" not in done.stdout


def test_export_one_graph_by_short_name(runner, layer):
    result = runner.invoke(main, ["export", "--format", "nt", "--graph", "strategy"])
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.output, format="nt")) == len(layer("strategy"))


def test_export_unknown_graph_lists_the_graphs_and_exits_2(runner):
    result = runner.invoke(main, ["export", "--graph", "nonsense"])
    assert result.exit_code == 2
    assert "no graph called 'nonsense'; the graphs are:" in result.output and "strategy" in result.output


def test_a_failed_export_leaves_the_output_file_as_it_was(runner, tmp_path):
    # Regression: click's atomic file replaced the file, empty, when the command failed.
    output = tmp_path / "kept.trig"
    output.write_text("what was there", encoding="utf-8")
    for wrong in (["--graph", "nonsense"], ["--strategy", "nonsense", "--format", "xlsx"]):
        result = runner.invoke(main, ["export", *wrong, "-o", str(output)])
        assert result.exit_code != 0 and "nonsense" in result.output
        assert output.read_text(encoding="utf-8") == "what was there"


def test_data_option_reads_a_plain_triples_file(runner):
    result = runner.invoke(main, ["stats", "--format", "json", "--data", str(DATA / "plain-triples.ttl")])
    assert result.exit_code == 0, result.output
    classes = {c["name"]: c["count"] for c in json.loads(result.output)["classes"]}
    assert classes["Strategy"] == 1 and "Indicator" not in classes


def test_malformed_data_file_exits_2_naming_line_and_column(runner):
    result = runner.invoke(main, ["stats", "--data", str(DATA / "malformed.ttl")])
    assert result.exit_code == 2
    assert f"{DATA / 'malformed.ttl'}:5:11: invalid ttl" in result.output
    assert "Traceback" not in result.output


def test_load_then_read_the_store(runner, tmp_path):
    store = tmp_path / "store"
    result = runner.invoke(main, ["load", str(DATA / "plain-triples.ttl"), "--store", str(store)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["stats", "--format", "json", "--store", str(store)])
    classes = {c["name"]: c["count"] for c in json.loads(result.output)["classes"]}
    assert classes["Strategy"] == 1


def test_load_of_a_malformed_file_fails_clearly_and_leaves_the_store_unchanged(runner, tmp_path):
    store = tmp_path / "store"
    runner.invoke(main, ["load", str(DATA / "plain-triples.ttl"), "--store", str(store)])
    before = runner.invoke(main, ["export", "--format", "nq", "--store", str(store)]).output
    result = runner.invoke(main, ["load", str(DATA / "quads.jsonld"), str(DATA / "malformed.ttl"), "--store", str(store)])
    assert result.exit_code == 2
    assert "malformed.ttl:5:11: invalid ttl" in result.output and "is unchanged" in result.output
    after = runner.invoke(main, ["export", "--format", "nq", "--store", str(store)]).output
    assert sorted(after.splitlines()) == sorted(before.splitlines())


def test_console_script_works_from_any_folder(tmp_path):
    script = Path(sys.executable).with_name("strategy-graph")
    result = subprocess.run([str(script), "stats"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Target outcome" in result.stdout


def test_wheel_carries_the_rdf_files_and_works_outside_the_repository(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("strategy_graph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("graph/_files/ontology/strategy-graph.ttl", "graph/_files/datasets/luton-pws/strategy.trig",
                     "graph/_files/ontology/rules/graph/derive-contributes-to.ru", "viewer/templates/index.html"):
        assert expected in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = "import graph.files, strategy_graph.cli; print(graph.files.ROOT); strategy_graph.cli.main(['stats'])"
    # The unpacked wheel comes first on sys.path, ahead of the editable checkout.
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {probe}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == str(site / "graph" / "_files")
    assert "Target outcome" in result.stdout


# Several strategies in one store ------------------------------------------------------------

def _two_strategies(tmp_path: Path) -> list[Path]:
    """The packaged dataset twice, under the ids a workbook import would give it: copy0 and copy1."""
    from tests.conftest import WORKBOOK_IDS, copies

    return copies(tmp_path, 2, WORKBOOK_IDS)


def test_gaps_and_analyse_take_one_strategy_of_several_by_its_id_or_iri(runner, tmp_path):
    data = [a for p in _two_strategies(tmp_path) for a in ("--data", str(p))]
    gaps = lambda *more: json.loads(runner.invoke(main, ["gaps", *data, "--format", "json", "--fail-on", "none", *more]).output)
    every, one = gaps(), gaps("--strategy", "copy0")
    # A gap of work that belongs to no strategy (a programme outside both) is no strategy's.
    assert {g["strategy"] for g in every} - {""} == {f"https://w3id.org/strategy-graph/id/copy{n}/strategy" for n in range(2)}
    assert {g["strategy"] for g in one} == {"https://w3id.org/strategy-graph/id/copy0/strategy"}
    assert len(one) * 2 == len([g for g in every if g["strategy"]])
    assert gaps("--strategy", "https://w3id.org/strategy-graph/id/copy1/strategy") == [g for g in every if "/copy1/" in g["strategy"]]
    analysed = json.loads(runner.invoke(main, ["analyse", *data, "--format", "json", "--strategy", "copy1"]).output)
    served = {s["iri"] for stage in analysed["life_course"] for s in stage["served_by"]}
    assert served and all("/copy1/" in iri for iri in served)  # the other council's work is not listed as covering this one's
    assert {p["outcome"]["iri"] for p in analysed["pathways"]} == {iri for iri in (p["outcome"]["iri"] for p in analysed["pathways"]) if "/copy1/" in iri}
    assert len(analysed["pathways"]) == 5


@pytest.mark.parametrize("command", ["gaps", "analyse"])
def test_one_strategy_of_two_of_different_shapes_is_reported_as_when_it_is_alone(runner, tmp_path, command):
    from tests.conftest import REPO, WORKBOOK_IDS, copies

    vale = ["--data", str(REPO / "examples" / "example-vale.trig")]
    luton = [a for p in copies(tmp_path, 1, WORKBOOK_IDS) for a in ("--data", str(p))]
    report = lambda data, strategy: json.loads(runner.invoke(main, [command, *data, "--format", "json", "--strategy", strategy]
                                                             + (["--fail-on", "none"] if command == "gaps" else [])).output)
    for strategy, alone in (("example-vale", vale), ("copy0", luton)):
        together = report(luton + vale, strategy)
        assert together == report(alone, strategy) and together
    assert report(luton + vale, "example-vale") != report(luton + vale, "copy0")


def test_a_strategy_the_graph_does_not_hold_is_refused_with_the_list(runner, tmp_path):
    data = [a for p in _two_strategies(tmp_path) for a in ("--data", str(p))]
    result = runner.invoke(main, ["gaps", *data, "--strategy", "luton-pws"])
    assert result.exit_code == 2
    assert ("--strategy 'luton-pws': no such strategy; the graph's strategies are: "
            "copy0 (https://w3id.org/strategy-graph/id/copy0/strategy), copy1 (https://w3id.org/strategy-graph/id/copy1/strategy)") in result.output


def test_export_writes_one_strategy_of_several_by_its_id_and_refuses_it_for_rdf(runner, tmp_path):
    from openpyxl import load_workbook

    data = [a for p in _two_strategies(tmp_path) for a in ("--data", str(p))]
    out = tmp_path / "copy1.xlsx"
    assert runner.invoke(main, ["export", *data, "--format", "xlsx", "--strategy", "copy1", "-o", str(out)]).exit_code == 0
    iris = [row[-1].value for row in load_workbook(out)["Outcomes"].iter_rows(min_row=3)]
    assert len(iris) == 5 and all("/copy1/" in iri for iri in iris)
    refused = runner.invoke(main, ["export", *data, "--format", "ttl", "--strategy", "copy1"])
    assert refused.exit_code == 2 and "--strategy goes with --format xlsx" in refused.output


def test_a_flag_setting_reads_false_as_false(runner):
    """Regression: a setting was read by calling its type, and bool("false") is True."""
    from strategy_graph.cli import SettingParam

    _settings = lambda pairs, command: dict(map(SettingParam(command), pairs))  # each pair converted as click converts it

    assert _settings(("sparql_workers_offline=false", "sparql_workers_offline=no"), "serve") == {"sparql_workers_offline": False}
    assert _settings(("sparql_workers_offline=true",), "serve") == {"sparql_workers_offline": True}
    result = runner.invoke(main, ["serve", "--setting", "sparql_workers_offline=maybe"])
    assert result.exit_code == 2 and "sparql_workers_offline='maybe': expected a bool" in result.output


def test_a_setting_the_command_does_not_read_is_refused_first_naming_it_and_the_commands_settings(runner):
    """--setting is read with the command line: a name the command does not read is refused before anything else
    (before the graph is opened, or the other options are judged), saying which commands read it and which it takes."""
    refused = runner.invoke(main, ["serve", "--remote-update", "http://127.0.0.1:9/update", "--setting", "fingertips_max_bytes=1"])
    assert refused.exit_code == 2 and "--remote-update" not in refused.output
    assert "'fingertips_max_bytes' is not a setting of serve; it is fixed; the settings of serve are: sparql_time_limit_seconds" in refused.output
    refused = runner.invoke(main, ["query", "--data", str(DATA / "malformed.ttl"), "--setting", "draft_max_nesting=1", "ASK {}"])
    assert refused.exit_code == 2 and "malformed.ttl" not in refused.output
    assert ("'draft_max_nesting' is not a setting of query; it is read by draft; the settings of query are: "
            "sparql_extension_functions") in refused.output


_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Warning ] .
"""


def _validate(runner, tmp_path, data: str, *options: str):
    (tmp_path / "shapes.ttl").write_text(_SHAPES)
    (tmp_path / "data.ttl").write_text("@prefix ex: <https://example.org/> .\n" + data)
    return runner.invoke(main, ["validate", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "shapes.ttl"), *options])


def test_validate_writes_a_conforming_report_and_exits_0(runner, tmp_path):
    from rdflib.namespace import SH

    result = _validate(runner, tmp_path, '<alice> a ex:Person ; ex:name "Alice" .')
    assert result.exit_code == 0, result.output
    report = Graph().parse(data=result.output, format="turtle")
    assert set(report.objects(None, SH.conforms)) == {Literal(True)} and not set(report.subjects(None, SH.ValidationResult))


def test_validate_reports_each_result_with_relative_iris_resolved_against_the_file_and_exits_1(runner, tmp_path):
    """A warning alone still makes the report say it does not conform: SHACL's sh:conforms, not a severity threshold."""
    result = _validate(runner, tmp_path, "<alice> a ex:Person .", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["conforms"] is False
    assert [(r["focusNode"], r["resultPath"], r["resultSeverity"], r["sourceConstraintComponent"]) for r in report["results"]] == [
        ((tmp_path / "alice").as_uri(), "https://example.org/name", "http://www.w3.org/ns/shacl#Warning",
         "http://www.w3.org/ns/shacl#MinCountConstraintComponent")]


def test_validate_names_the_file_and_line_of_malformed_data_and_exits_2(runner, tmp_path):
    result = _validate(runner, tmp_path, "<alice> a ex:Person ;\n ex:name .")
    assert result.exit_code == 2
    assert "data.ttl:3:10: invalid ttl" in result.output  # file, line and column


def test_validate_as_text_gives_a_line_a_result(runner, tmp_path):
    result = _validate(runner, tmp_path, "<alice> a ex:Person .", "--format", "text")
    assert result.exit_code == 1
    line, summary = result.output.splitlines()
    assert line.startswith(f"Warning: {(tmp_path / 'alice').as_uri()} https://example.org/name (MinCountConstraintComponent)")
    assert summary == "Does not conform: 1 result(s)."


def test_validate_judges_literals_as_the_file_writes_them_not_as_the_store_holds_them(runner, tmp_path):
    """Regression: Oxigraph's store holds "100"^^xsd:byte as "100"^^xsd:integer and 4.0 as 4, so a valid byte failed
    sh:datatype and a sh:targetNode 4.0 was reported as 4 (W3C datatype-ill-formed, maxExclusive-001)."""
    (tmp_path / "shapes.ttl").write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:Bytes a sh:NodeShape ; sh:targetNode ex:i ; sh:property [ sh:path ex:p ; sh:datatype xsd:byte ] .
        ex:Small a sh:NodeShape ; sh:targetNode 4.0 ; sh:maxExclusive 4 .""")
    (tmp_path / "data.ttl").write_text("""@prefix ex: <https://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:i ex:p "100"^^xsd:byte, "300"^^xsd:byte .""")
    result = runner.invoke(main, ["validate", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "shapes.ttl"),
                                  "--format", "json"])
    assert result.exit_code == 1, result.output
    failing = {(r["focusNode"], r.get("value")) for r in json.loads(result.stdout)["results"]}
    assert failing == {("https://example.org/i", "300"), ("4.0", "4.0")}
    assert "2 literal(s) of the data would change in the store" in result.stderr
    assert "validated with pySHACL" in result.stderr
