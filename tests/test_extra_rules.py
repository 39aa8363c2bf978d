"""`gaps --shapes EXTRA`: a council's own SHACL rules, checked unit by unit and reported like the packaged ones."""

import json

from strategy_graph.cli import main

PREFIXES = """@prefix sg: <https://w3id.org/strategy-graph/def#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> . @prefix rules: <https://council.example/rules#> .
"""
# Test data, invented: two strategies, each with one outcome described and one not.
DATA = PREFIXES + """
ex:a a sg:Strategy ; rdfs:label "Invented strategy A" .
ex:a-described a sg:Outcome ; rdfs:label "Described outcome A" ; dcterms:description "Said in a sentence." ; dcterms:isPartOf ex:a .
ex:a-bare a sg:Outcome ; rdfs:label "Bare outcome A" ; dcterms:isPartOf ex:a .
ex:b a sg:Strategy ; rdfs:label "Invented strategy B" .
ex:b-bare a sg:Outcome ; rdfs:label "Bare outcome B" ; dcterms:isPartOf ex:b .
"""
RULES = PREFIXES + """
rules:described a sh:NodeShape ;
  dcterms:identifier "council-outcome-described" ;
  sh:name "Outcome has no description" ;
  rdfs:comment "The board reads each outcome's description before it signs the strategy off." ;
  sg:fix "Add a dcterms:description to the outcome." ;
  sh:targetClass sg:Outcome ;
  sh:property [ sh:path dcterms:description ; sh:minCount 1 ; sh:severity sh:Warning ] .
rules:short-label a sh:NodeShape ;
  sh:name "Outcome label over 16 characters" ;
  sg:fix "Shorten the label." ;
  sh:targetClass sg:Outcome ;
  sh:sparql [ sh:message "{$this} is labelled {?label}, which is long" ;
              sh:select "SELECT $this ?label WHERE { $this <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER (STRLEN(?label) > 16) }" ] .
"""


def _run(runner, tmp_path, rules: str, *options: str):
    (tmp_path / "data.ttl").write_text(DATA, encoding="utf-8")
    (tmp_path / "rules.ttl").write_text(rules, encoding="utf-8")
    return runner.invoke(main, ["gaps", "--data", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "rules.ttl"),
                                "--fail-on", "none", *options])


def _council(records: list[dict]) -> list[tuple]:
    return sorted((r["rule"], r["severity"], r["focus"], r["strategy"], r["message"]) for r in records
                  if r["rule"].startswith(("council-", "https://council.example/")))


def test_a_councils_rules_are_reported_with_their_own_ids_names_severities_and_fixes(runner, tmp_path):
    result = _run(runner, tmp_path, RULES, "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert _council(records) == [
        ("council-outcome-described", "warning", "http://example.org/a-bare", "http://example.org/a",
         "'Bare outcome A': Outcome has no description"),
        ("council-outcome-described", "warning", "http://example.org/b-bare", "http://example.org/b",
         "'Bare outcome B': Outcome has no description"),
        ("https://council.example/rules#short-label", "violation", "http://example.org/a-described", "http://example.org/a",
         "http://example.org/a-described is labelled Described outcome A, which is long"),
    ]
    fixes = {r["rule"]: r["fix"] for r in records}
    assert fixes["council-outcome-described"] == "Add a dcterms:description to the outcome."
    # The packaged rules still report: an outcome with no indicator, for each of the three.
    assert {r["focus"] for r in records if r["rule"] == "outcome-without-indicator"} == {
        "http://example.org/a-described", "http://example.org/a-bare", "http://example.org/b-bare"}


def test_the_text_report_gives_a_councils_rule_its_name_why_and_fix(runner, tmp_path):
    result = _run(runner, tmp_path, RULES, "--strategy", "http://example.org/b")
    assert result.exit_code == 0, result.output
    assert "WARNING: Outcome has no description (1)  [council-outcome-described]" in result.output
    text = " ".join(result.output.split())  # as read, not as wrapped
    assert "Why it matters: The board reads each outcome's description before it signs the strategy off." in text
    assert "How to close it: Add a dcterms:description to the outcome." in text
    assert "Bare outcome A" not in result.output  # --strategy keeps to B's unit


def test_severity_filters_a_councils_gaps_by_their_own_sh_severity(runner, tmp_path):
    result = _run(runner, tmp_path, RULES, "--format", "json", "--severity", "violation")
    # The description rule is a warning (its property shape's sh:severity); the label rule a violation (the default).
    assert [r[0] for r in _council(json.loads(result.output))] == ["https://council.example/rules#short-label"]


def test_a_blank_rule_with_no_identifier_is_refused_naming_the_file(runner, tmp_path):
    result = _run(runner, tmp_path, PREFIXES + "[] a sh:NodeShape ; sh:targetClass sg:Outcome ; sh:minCount 1 .")
    assert result.exit_code == 2
    assert f"{tmp_path / 'rules.ttl'}: a shape with a target is a blank node with no dcterms:identifier" in result.output


def test_a_rule_id_the_packaged_rules_use_is_refused(runner, tmp_path):
    result = _run(runner, tmp_path, PREFIXES + 'rules:x a sh:NodeShape ; dcterms:identifier "outcome-without-indicator" ; '
                                               "sh:targetClass sg:Outcome .")
    assert result.exit_code == 2
    assert "rule id 'outcome-without-indicator' is already taken" in result.output


def test_a_file_with_no_rule_or_bad_syntax_is_refused(runner, tmp_path):
    empty = _run(runner, tmp_path, PREFIXES + 'rules:x rdfs:label "not a shape" .')
    assert empty.exit_code == 2 and "no shape with a target" in empty.output
    broken = _run(runner, tmp_path, PREFIXES + "rules:x a sh:NodeShape ;\n sh:targetClass .")
    assert broken.exit_code == 2 and "rules.ttl:5:" in broken.output


def test_the_example_rule_file_reports_each_packaged_outcome_with_no_description(runner):
    from rdflib import Dataset

    from graph import files

    packaged = Dataset(default_union=True)
    for path in files.dataset_files():
        packaged.parse(path)
    bare = {str(row.o) for row in packaged.query(
        "SELECT ?o WHERE { ?o a <https://w3id.org/strategy-graph/def#Outcome> "
        "FILTER NOT EXISTS { ?o <http://purl.org/dc/terms/description> [] } }")}
    assert len(bare) == 5  # the strategy's five target outcomes, none described in the published summary
    result = runner.invoke(main, ["gaps", "--shapes", "examples/council-rules.ttl", "--format", "json", "--fail-on", "none"])
    assert result.exit_code == 0, result.output
    assert {r["focus"] for r in json.loads(result.output) if r["rule"] == "council-outcome-described"} == bare
