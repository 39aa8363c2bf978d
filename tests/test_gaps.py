"""Gap rules: each fires on its fixture and not once the gap is closed; no rule leaks
between strategies; the Luton report matches what the Luton data holds."""

import datetime
import json
import re
from pathlib import Path

import pytest
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, SKOS

from graph.cli import main
from graph.gaps import SEVERITIES, find_gaps, rules
from graph.store import open_graph
from graph.vocab import SCHEMA, SG
from tests.conftest import DATA

FIXTURES = DATA / "gaps"
RULE_IDS = sorted(rule.id for rule in rules().values())
EX = "http://example.org/"
FUNDED = {URIRef("https://w3id.org/strategy-graph/def/funding-status/" + s) for s in ("committed", "spent")}


def _read(path: Path, tmp_path: Path) -> Path:
    """The fixture, with {this_year} made today's year (for the data-age rule)."""
    text = path.read_text(encoding="utf-8").replace("{this_year}", str(datetime.date.today().year))
    copy = tmp_path / f"{path.parent.name}-{path.name}"
    copy.write_text(text, encoding="utf-8")
    return copy


def _gaps_of(path: Path, tmp_path: Path):
    return find_gaps(open_graph(data=[_read(path, tmp_path)]))


def test_every_rule_has_a_pair_of_fixtures_and_the_fields_a_report_needs():
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == RULE_IDS
    for rule in rules().values():
        assert rule.name and rule.fix, rule.id
        if not rule.id.startswith(("well-formed", "missing")):
            assert rule.why, f"{rule.id} does not say why it matters"


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_fires_on_its_gap(rule, tmp_path):
    fixture = FIXTURES / rule / "fires.ttl"
    expected = re.search(r"^# expect: (.*)$", fixture.read_text(encoding="utf-8"), re.MULTILINE).group(1)
    focus = {EX + name.removeprefix("ex:") for name in expected.split()}
    gaps = [g for g in _gaps_of(fixture, tmp_path) if g.rule == rule]
    assert {g.focus for g in gaps} == focus
    for gap in gaps:
        assert gap.message and gap.fix and gap.severity in SEVERITIES
        # The message names the focus node: by its label, or by its IRI if it has none.
        assert (gap.label or f"<{gap.focus}>") in gap.message, gap


@pytest.mark.parametrize("rule", RULE_IDS)
def test_rule_is_silent_once_the_gap_is_closed(rule, tmp_path):
    assert not [g for g in _gaps_of(FIXTURES / rule / "fixed.ttl", tmp_path) if g.rule == rule]


def test_a_sound_strategy_has_no_gap_at_all(tmp_path):
    assert _gaps_of(FIXTURES / "sound-strategy.ttl", tmp_path) == []


def test_no_rule_credits_one_strategys_work_to_anothers(tmp_path):
    gaps = _gaps_of(FIXTURES / "two-strategies.ttl", tmp_path)
    found = lambda rule: {(g.focus, g.strategy) for g in gaps if g.rule == rule}
    a, b = EX + "a/", EX + "b/"
    # A's funded intervention reaches B's outcome only through A's work stream.
    assert found("outcome-without-funded-intervention") == {(b + "outcome", b + "strategy")}
    assert found("outcome-without-workstream") == {(b + "outcome", b + "strategy")}
    # Both name early years; only A has a work stream that serves them.
    assert found("life-stage-not-served") == {(b + "strategy", b + "strategy")}
    # The same 2025 target date is outside A's period and inside B's.
    assert found("target-outside-strategy-period") == {(a + "target", a + "strategy")}


def test_pyshacl_never_counts_the_whole_store_per_result(monkeypatch, ds):
    """Regression: bool() on pySHACL's Oxigraph data graph ran COUNT over the store for every result."""
    calls = []
    original = OxigraphDataGraph.__len__
    monkeypatch.setattr(OxigraphDataGraph, "__len__", lambda self, *a: calls.append(1) or original(self, *a))
    assert find_gaps(ds)
    assert len(calls) < 5


# The Luton report, rule by rule, against what the data holds ---------------------------

@pytest.fixture(scope="module")
def luton(ds):
    return find_gaps(ds)


def _closure(ds, start) -> set:
    """Everything reachable from ``start`` by sg:contributesTo."""
    seen, todo = set(), [start]
    while todo:
        for nxt in ds.objects(todo.pop(), SG.contributesTo):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _expected(ds) -> dict[str, set]:
    """What each rule should report on the graph, worked out here in Python."""
    of = lambda cls: set(ds.subjects(RDF.type, cls))
    strategy = lambda node: ds.value(node, DCTERMS.isPartOf)
    outcomes, workstreams, interventions = of(SG.Outcome), of(SG.Workstream), of(SG.Intervention)
    indicators, contributions, boards = of(SG.Indicator), of(SG.Contribution), of(SG.Board)
    funded = {
        ds.value(f, SCHEMA.fundedItem) for f in of(SG.FundingCommitment)
        if ds.value(f, SG.fundingStatus) in FUNDED and float(ds.value(ds.value(f, SCHEMA.amount), SCHEMA.value) or 0) > 0
    }
    reached_by_funding = set()
    for intervention in funded:
        for first in ds.objects(intervention, SG.contributesTo):
            reached_by_funding.add(first)
            if first in workstreams:
                reached_by_funding |= {o for o in _closure(ds, first) if strategy(o) == strategy(first)}
    measured_by = lambda node: set(ds.subjects(SG.measures, node))
    about_inequality = {
        n for n in outcomes | workstreams
        if re.search(r"equal|equit|disparit|gap between", str(ds.value(n, RDFS.label)), re.I)
    }
    named_stages = {(s, stage) for s in of(SG.Strategy) for p in (SG.lifeCourseStart, SG.lifeCourseEnd) for stage in ds.objects(s, p)}
    served = {(strategy(w), stage) for w in workstreams for stage in ds.objects(w, SG.servesLifeStage)}

    def latest_year(indicator):
        years = []
        for obs in ds.subjects(SG.indicator, indicator):
            period = str(ds.value(obs, URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod")))
            short = re.fullmatch(r"(\d\d)\d\d/(\d\d)", period)
            years.append(int(short.group(1) + short.group(2)) if short else int(period[:4]))
        return max(years) if years else None

    return {
        "outcome-without-funded-intervention": outcomes - reached_by_funding,
        "intervention-without-funding": interventions - {ds.value(f, SCHEMA.fundedItem) for f in of(SG.FundingCommitment)},
        "intervention-without-contribution": {i for i in interventions if not list(ds.objects(i, SG.contributesTo))},
        "outcome-without-indicator": {o for o in outcomes if not measured_by(o)},
        "indicator-without-baseline": {i for i in indicators if ds.value(i, SG.hasBaseline) is None},
        "indicator-without-target": {i for i in indicators if ds.value(i, SG.hasTarget) is None},
        "indicator-incomplete": {i for i in indicators if None in (ds.value(i, SG.dataSource), ds.value(i, SG.unit), ds.value(i, SG.polarity))},
        "indicator-measures-nothing": {i for i in indicators if ds.value(i, SG.measures) is None},
        "indicator-data-out-of-date": {i for i in indicators if latest_year(i) and latest_year(i) < datetime.date.today().year - 2},
        "inequality-without-split-indicator": {n for n in about_inequality if not any(ds.value(i, SG.disaggregation) for i in measured_by(n))},
        "workstream-without-outcome": {w for w in workstreams if not {o for o in _closure(ds, w) if o in outcomes and strategy(o) == strategy(w)}},
        "outcome-without-workstream": {o for o in outcomes if not {w for w in workstreams if strategy(w) == strategy(o) and o in _closure(ds, w)}},
        "contribution-without-rationale": {c for c in contributions if ds.value(c, SG.rationale) is None},
        "contribution-without-evidence-or-assumptions": {c for c in contributions if ds.value(c, SG.evidence) is None and ds.value(c, SG.assumption) is None},
        "contribution-cycle": {n for n in outcomes | workstreams if n in _closure(ds, n)},
        "workstream-without-owner": {w for w in workstreams if ds.value(w, SG.owner) is None},
        "outcome-without-owner": {o for o in outcomes if ds.value(o, SG.owner) is None},
        "board-without-named-members": {b for b in boards if not list(ds.subjects(ORG.organization, b))},
        "board-member-without-role": {b for b in boards for m in ds.subjects(ORG.organization, b) if ds.value(m, ORG.role) is None and ds.value(None, SG.owner, ds.value(m, ORG.member)) is None},
        "life-stage-not-served": {s for s, stage in named_stages - served},
        "priority-without-outcome": {p for p in of(SG.StrategicPriority) if ds.value(p, SG.hasTargetOutcome) is None},
        "strategy-without-period": {s for s in of(SG.Strategy) if ds.value(s, DCTERMS.temporal) is None},
        "target-outside-strategy-period": set(),  # the dataset records no targets
        "target-does-not-improve-on-baseline": set(),  # nor any baseline
    }


def test_luton_report_matches_what_the_data_holds_rule_by_rule(ds, luton):
    expected = _expected(ds)
    assert not list(ds.subjects(RDF.type, SG.Target)), "update the oracle for targets"
    for rule in RULE_IDS:
        found = {URIRef(g.focus) for g in luton if g.rule == rule}
        # Structural shapes: the packaged dataset must be well formed.
        assert found == expected.get(rule, set()), rule


def test_luton_report_shows_the_published_strategys_real_gaps(ds, luton):
    """The summary publishes no funding, baselines or targets: those gaps show, for every outcome."""
    outcomes = set(ds.subjects(RDF.type, SG.Outcome))
    by_rule = lambda rule: {URIRef(g.focus) for g in luton if g.rule == rule}
    assert by_rule("outcome-without-funded-intervention") == outcomes and len(outcomes) == 5
    assert {g.severity for g in luton if g.rule == "outcome-without-funded-intervention"} == {"violation"}
    assert by_rule("indicator-without-baseline") == set(ds.subjects(RDF.type, SG.Indicator))
    strategy = str(next(ds.subjects(RDF.type, SG.Strategy)))
    assert {g.strategy for g in luton} == {strategy, ""}
    # Only the programmes that reach no part of the strategy belong to none.
    unlinked = {str(i) for i in ds.subjects(RDF.type, SG.Intervention) if not list(ds.objects(i, SG.contributesTo))}
    assert {g.focus for g in luton if not g.strategy} == unlinked
    for gap in luton:
        assert gap.label == str(ds.value(URIRef(gap.focus), RDFS.label)), gap


# The gaps command ------------------------------------------------------------------------

def test_gaps_json_has_exactly_the_documented_keys(runner, luton):
    result = runner.invoke(main, ["gaps", "--format", "json"])
    records = json.loads(result.output)
    assert {tuple(r) for r in records} == {("rule", "severity", "focus", "label", "message", "fix", "strategy")}
    assert len(records) == len(luton)
    assert result.exit_code == 1  # the packaged dataset has violations


def test_gaps_csv_has_a_header_and_a_row_per_gap(runner, luton):
    import csv
    import io

    result = runner.invoke(main, ["gaps", "--format", "csv", "--fail-on", "none"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == len(luton) and set(rows[0]) == {"rule", "severity", "focus", "label", "message", "fix", "strategy"}


def test_gaps_text_groups_by_rule_for_a_reader(runner, luton):
    result = runner.invoke(main, ["gaps"])
    text = result.output
    assert text.startswith("Gaps in Population and Wellbeing Strategy 2023 to 2028")
    heading = "VIOLATION: Outcome with no funded intervention (5)  [outcome-without-funded-intervention]"
    assert heading in text
    section = text.split(heading)[1].split("\n\n")[0]
    assert "Why it matters:" in section and "How to close it:" in section
    assert section.count("\n  - ") == 5
    assert "https://" not in section  # people, not IRIs


def test_severity_filters_what_is_shown_and_fail_on_sets_the_exit_status(runner, luton, tmp_path):
    result = runner.invoke(main, ["gaps", "--format", "json", "--severity", "warning", "--fail-on", "none"])
    shown = json.loads(result.output)
    assert result.exit_code == 0
    assert {r["severity"] for r in shown} == {"violation", "warning"}
    assert len(shown) == sum(g.severity != "info" for g in luton)
    # A graph whose only gaps are Info passes --fail-on warning, and fails --fail-on info.
    only_info = _read(FIXTURES / "outcome-without-owner" / "fires.ttl", tmp_path)
    kinds = {g.severity for g in find_gaps(open_graph(data=[only_info]))}
    assert "info" in kinds
    worst = min(SEVERITIES.index(k) for k in kinds)
    for fail_on in SEVERITIES:
        result = runner.invoke(main, ["gaps", "--data", str(only_info), "--fail-on", fail_on])
        assert result.exit_code == (1 if SEVERITIES.index(fail_on) >= worst else 0), fail_on


def test_gaps_on_a_malformed_file_exits_2(runner):
    result = runner.invoke(main, ["gaps", "--data", str(DATA / "malformed.ttl")])
    assert result.exit_code == 2 and "malformed.ttl:5:11" in result.output


def test_gaps_on_a_graph_with_no_gap_says_so(runner, tmp_path):
    result = runner.invoke(main, ["gaps", "--data", str(_read(FIXTURES / "sound-strategy.ttl", tmp_path))])
    assert result.exit_code == 0 and result.output.strip() == "No gaps found."


def test_life_stage_labels_come_from_the_code_list(ds, luton):
    for gap in (g for g in luton if g.rule == "life-stage-not-served"):
        stage = re.search(r"life stage '([^']+)'", gap.message).group(1)
        assert Literal(stage, lang="en") in set(ds.objects(None, SKOS.prefLabel))
