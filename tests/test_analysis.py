"""Logic-model analysis: hand-computed answers on a small fixture, and Luton checked against SPARQL."""

import json

import pytest
from rdflib import Dataset

from graph.analysis import SHARED_FUNDING_RULE, analyse, project, within
from graph.engine import open_graph
from strategy_graph.cli import main
from tests.conftest import DATA

EX = "http://example.org/logic/"
KEYS = {"pathways", "coverage", "funding_by_outcome", "single_points_of_failure", "cut_points", "cycles",
        "centrality", "life_course", "themes", "unlinked_workstreams", "outside_work"}


@pytest.fixture(scope="module")
def result():
    return analyse(open_graph(data=[DATA / "analysis" / "logic.ttl"]))


def labels(refs) -> list[str]:
    return [r["label"] for r in refs]


def test_projection_has_typed_nodes_and_edges():
    g = project(open_graph(data=[DATA / "analysis" / "logic.ttl"]))
    assert g.nodes[EX + "I1"]["kind"] == "intervention" and g.nodes[EX + "W1"]["kind"] == "workstream"
    assert g.edges[EX + "I1", EX + "W1"]["kind"] == "contributes"
    assert g.edges[EX + "O1", EX + "P"]["kind"] == "serves_priority"
    assert [(a, str(c)) for _, a, c in g.nodes[EX + "I1"]["funding"]] == [(100, "GBP")]
    assert g.nodes[EX + "I2"]["funding"] == []  # proposed funding is not funding


def test_pathways_by_hand(result):
    by_outcome = {p["outcome"]["label"]: p for p in result["pathways"]}
    assert {o: p["reached_from"] for o, p in by_outcome.items()} == {"O1": "funded", "O2": "funded", "O3": "unfunded", "O4": "nothing"}
    assert [labels(c) for c in by_outcome["O1"]["chains"]] == [["I1", "W1", "O1", "P"]]
    assert sorted(labels(c) for c in by_outcome["O2"]["chains"]) == [["I1", "W2", "O2", "P"], ["I3", "W2", "O2", "P"]]
    assert [labels(c) for c in by_outcome["O3"]["chains"]] == [["I2", "O3", "P"], ["I5", "O3", "P"]]
    assert by_outcome["O4"]["chains"] == []


def test_coverage_by_hand(result):
    ws = result["coverage"]["workstreams_by_outcome"]
    assert labels(ws["columns"]) == ["O1", "O2", "O3", "O4"]
    assert dict(zip(labels(ws["rows"]), ws["cells"])) == {
        "W1": [1, 0, 0, 0], "W2": [0, 1, 0, 0], "W3": [0, 0, 0, 0], "W4": [0, 0, 0, 0], "W5": [0, 0, 0, 0]}
    iv = result["coverage"]["interventions_by_outcome"]
    assert dict(zip(labels(iv["rows"]), iv["cells"])) == {"I1": [1, 1, 0, 0], "I2": [0, 0, 1, 0], "I3": [0, 1, 0, 0], "I5": [0, 0, 1, 0]}


def test_shared_funding_is_split_and_flagged(result):
    funding = result["funding_by_outcome"]
    assert funding["rule"] == SHARED_FUNDING_RULE and funding["rule"].startswith("split")
    amounts = {f["outcome"]["label"]: f["amounts"] for f in funding["outcomes"]}
    # I1's 100 reaches O1 and O2: 50 each. I3's 60 reaches O2 only. I2's proposed 500 counts nowhere.
    assert amounts == {"O1": {"GBP": 50.0}, "O2": {"GBP": 110.0}, "O3": {}, "O4": {}}
    o2 = next(f for f in funding["outcomes"] if f["outcome"]["label"] == "O2")
    assert sorted((s["intervention"]["label"], s["amount"], s["shared"]) for s in o2["from"]) == [("I1", 50.0, True), ("I3", 60.0, False)]


def test_weak_points_by_hand(result):
    single = {(s["outcome"]["label"], s["depends_on"], s["single"]["label"]) for s in result["single_points_of_failure"]}
    assert single == {("O1", "a single intervention", "I1"), ("O1", "a single owner", "Owner A"), ("O3", "a single intervention", "I2")}
    cuts = {(c["outcome"]["label"], c["cut_by"]["label"]) for c in result["cut_points"]}
    # O1 hangs on I1 and W1; O2 on W2 alone (I1 and I3 both fund it).
    assert cuts == {("O1", "I1"), ("O1", "W1"), ("O2", "W2")}
    assert [labels(c) for c in result["cycles"]] == [["W4", "W5"]]


def test_work_from_outside_the_strategy_is_shown_apart_and_makes_no_weak_point(result):
    # I5 is part of no strategy: O3 still hangs on its own I2 alone, and I5 is listed apart.
    assert [(w["outcome"]["label"], labels(w["interventions"])) for w in result["outside_work"]] == [("O3", ["I5"])]
    assert not any("I5" in (s["single"]["label"], ) for s in result["single_points_of_failure"])


def test_centrality_life_course_and_unlinked_by_hand(result):
    ranking = [(r["label"], r["outcomes"]) for r in result["centrality"]["ranking"]]
    assert ranking[:5] == [("I1", 2), ("I2", 1), ("I3", 1), ("I5", 1), ("W1", 1)]
    assert "target outcomes" in result["centrality"]["counts"]
    stages = {s["life_stage"]["label"]: labels(s["served_by"]) for s in result["life_course"]}
    assert stages["early years"] == ["I1", "W1"] and stages["old age"] == []
    assert list(stages) == ["early years", "childhood", "young people", "working-age adults", "old age"]
    assert labels(result["unlinked_workstreams"]) == ["W3", "W4", "W5"]


def test_cli_json_has_the_documented_keys_and_resources_as_iri_and_label(runner):
    out = runner.invoke(main, ["analyse", "--format", "json", "--data", str(DATA / "analysis" / "logic.ttl")])
    data = json.loads(out.output)
    assert set(data) == KEYS
    assert data["unlinked_workstreams"][0] == {"iri": EX + "W3", "label": "W3"}
    text = runner.invoke(main, ["analyse", "--data", str(DATA / "analysis" / "logic.ttl")]).output
    assert "O2: 110.00 GBP" in text and "W4 → W5" in text
    assert "Work from outside the strategy, not counted in the weak points above\n  O3: I5" in text
    assert "  O4: no work reaches it\n" in text


def test_the_text_says_plainly_what_reaches_each_outcome(runner, ds):
    """Regression: it said "reached from unfunded work (0 chains)", which reads as a contradiction."""
    text = runner.invoke(main, ["analyse"]).output.split("\n\n", 1)[0]
    query = """SELECT ?label (COUNT(DISTINCT ?i) AS ?n) WHERE {
      ?o a <https://w3id.org/strategy-graph/def#Outcome> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label .
      OPTIONAL { ?i a <https://w3id.org/strategy-graph/def#Intervention> ; <https://w3id.org/strategy-graph/def#contributesTo>+ ?o }
    } GROUP BY ?label"""
    reached = {str(r.label): int(r.n) for r in ds.query(query)}
    assert sorted(reached.values()) == [0, 0, 0, 1, 2]
    for label, interventions in reached.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"  {label}: "))
        if interventions:
            assert "only unfunded work reaches it (" in line and "none funded)" in line
        else:
            assert line.endswith(": work streams reach it, but no intervention does")
    assert "0 chains" not in text


# Luton: the analysis agrees with SPARQL over the same data ----------------------------------------

REACHES = """
PREFIX sg: <https://w3id.org/strategy-graph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?ws ?outcome WHERE {
  ?ws a sg:Workstream ; dcterms:isPartOf ?s ; sg:contributesTo+ ?outcome .
  ?outcome a sg:Outcome ; dcterms:isPartOf ?s .
}
"""
INTERVENTION_REACHES = """
PREFIX sg: <https://w3id.org/strategy-graph/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?i ?outcome WHERE {
  ?i a sg:Intervention ; sg:contributesTo ?first .
  ?outcome a sg:Outcome ; dcterms:isPartOf ?s .
  FILTER (?first = ?outcome || EXISTS { ?first a sg:Workstream ; dcterms:isPartOf ?s ; sg:contributesTo* ?outcome })
}
"""
CHAINS = """
PREFIX sg: <https://w3id.org/strategy-graph/def#>
SELECT ?i ?ws ?outcome ?priority WHERE {
  ?i a sg:Intervention .
  { ?i sg:contributesTo ?ws . ?ws a sg:Workstream ; sg:contributesTo ?outcome } UNION { ?i sg:contributesTo ?outcome }
  ?outcome a sg:Outcome . ?priority sg:hasTargetOutcome ?outcome .
}
"""


def test_luton_coverage_agrees_with_sparql(ds):
    result = analyse(ds)
    for matrix, query in ((result["coverage"]["workstreams_by_outcome"], REACHES), (result["coverage"]["interventions_by_outcome"], INTERVENTION_REACHES)):
        cells = {(r["iri"], c["iri"]) for r, row in zip(matrix["rows"], matrix["cells"]) for c, on in zip(matrix["columns"], row) if on}
        assert cells == {(str(a), str(b)) for a, b in ds.query(query)}
        assert cells


def test_luton_pathways_agree_with_sparql(ds):
    result = analyse(ds)
    chains = {tuple(n["iri"] for n in chain) for p in result["pathways"] for chain in p["chains"]}
    assert chains == {tuple(str(t) for t in row if t is not None) for row in ds.query(CHAINS)}
    assert any(len(chain) == 3 for chain in chains)  # an intervention straight to an outcome
    unlinked = {w["iri"] for w in result["unlinked_workstreams"]}
    all_ws = {str(w) for w, in ds.query("SELECT ?w WHERE { ?w a <https://w3id.org/strategy-graph/def#Workstream> }")}
    assert unlinked == all_ws - {str(w) for w, _ in ds.query(REACHES)}
    # No funding is published: every outcome is reached from unfunded work, if at all.
    assert {p["reached_from"] for p in result["pathways"]} == {"unfunded"}


def test_work_reaches_a_longer_term_outcome_through_an_intermediate_one():
    result = analyse(open_graph(data=[DATA / "analysis" / "chain.ttl"]))
    by_outcome = {p["outcome"]["label"]: p for p in result["pathways"]}
    assert by_outcome["O2"]["reached_from"] == "funded"
    assert [labels(c) for c in by_outcome["O2"]["chains"]] == [["I1", "W1", "O1", "O2", "P"]]
    # Funding is counted once per outcome it reaches, O2 through O1 included: split between the two.
    assert {f["outcome"]["label"]: f["amounts"] for f in result["funding_by_outcome"]["outcomes"]} == {"O1": {"GBP": 50.0}, "O2": {"GBP": 50.0}}
    # The work is the weak point, not the intermediate outcome.
    assert {(c["outcome"]["label"], c["cut_by"]["label"]) for c in result["cut_points"]} == {
        ("O1", "I1"), ("O1", "W1"), ("O2", "I1"), ("O2", "W1")}


def test_a_parent_priority_with_no_outcome_of_its_own_stays_in_its_strategys_part():
    """Regression: to keep a nested priority from taking its parent priority for its strategy, every priority lost
    its strategy, and within() dropped a parent priority whose outcomes all sit under the priorities published under it."""
    ds = Dataset()
    ds.parse(data="""
        @prefix sg: <https://w3id.org/strategy-graph/def#> . @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix ex: <http://example.org/> .
        ex:s a sg:Strategy .
        ex:parent a sg:StrategicPriority ; dcterms:isPartOf ex:s .
        ex:child a sg:StrategicPriority ; dcterms:isPartOf ex:parent ; sg:hasTargetOutcome ex:o .
        ex:o a sg:Outcome ; dcterms:isPartOf ex:s .
        """, format="turtle")
    g = project(ds)
    assert sorted(within(g, "http://example.org/s").nodes) == [f"http://example.org/{n}" for n in ("child", "o", "parent", "s")]
    child = g.nodes["http://example.org/child"]
    assert child["parent"] == "http://example.org/parent" and child["strategy"] != "http://example.org/parent"
