"""Gap rules: each fires on its fixture and not once the gap is closed; no rule leaks
between strategies; the Luton report matches what the Luton data holds."""

import datetime
import json
import re
from pathlib import Path

import pytest
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, SKOS

from graph.engine import open_graph
from graph.gaps import SEVERITIES, Gap, as_json, find_gaps, packaged_rules
from graph.vocab import SCHEMA, SG
from strategy_graph.cli import main
from tests.conftest import DATA, read_fixture

FIXTURES = DATA / "gaps"
RULE_IDS = sorted(rule.id for rule in packaged_rules().values())
EX = "http://example.org/"
FUNDED = {URIRef("https://w3id.org/strategy-graph/def/funding-status/" + s) for s in ("committed", "spent")}


def _gaps_of(path: Path, tmp_path: Path):
    return find_gaps(open_graph(data=[read_fixture(path, tmp_path)]))


def test_every_rule_has_a_pair_of_fixtures_and_the_fields_a_report_needs():
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == RULE_IDS
    assert all((FIXTURES / rule / "fires.ttl").is_file() and (FIXTURES / rule / "fixed.ttl").is_file() for rule in RULE_IDS)
    for rule in packaged_rules().values():
        assert rule.name and rule.fix, rule.id
        if not rule.id.startswith(("well-formed", "missing")):
            assert rule.why, f"{rule.id} does not say why it matters"


FIRES = sorted(FIXTURES.glob("*/fires*.ttl"))
FIXED = sorted(FIXTURES.glob("*/fixed*.ttl"))


@pytest.mark.parametrize("fixture", FIRES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rule_fires_on_its_gap(fixture, tmp_path):
    rule = fixture.parent.name
    expected = re.search(r"^# expect: (.*)$", fixture.read_text(encoding="utf-8"), re.MULTILINE).group(1)
    focus = {EX + name.removeprefix("ex:") for name in expected.split()}
    gaps = [g for g in _gaps_of(fixture, tmp_path) if g.rule == rule]
    assert {g.focus for g in gaps} == focus
    for gap in gaps:
        assert gap.message and gap.fix and gap.severity in SEVERITIES
        # The message names the focus node: by its label, or by its IRI if it has none.
        assert (gap.label or f"<{gap.focus}>") in gap.message, gap


@pytest.mark.parametrize("fixture", FIXED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rule_is_silent_once_the_gap_is_closed(fixture, tmp_path):
    assert not [g for g in _gaps_of(fixture, tmp_path) if g.rule == fixture.parent.name]


def test_a_sound_strategy_has_no_gap_at_all(tmp_path):
    assert _gaps_of(FIXTURES / "sound-strategy.ttl", tmp_path) == []


def test_no_rule_credits_one_strategys_work_to_anothers(tmp_path):
    gaps = _gaps_of(FIXTURES / "two-strategies.ttl", tmp_path)
    found = lambda rule: {(g.focus.removeprefix(EX), g.strategy.removeprefix(EX)) for g in gaps if g.rule == rule}
    # A's funded interventions reach B's outcome only through A's work: B stays unfunded.
    assert found("outcome-without-funded-intervention") == {("b/outcome", "b/strategy")}
    # A's work stream links to B's outcome, B's to A's: each outcome lacks its own strategy's work.
    assert found("outcome-without-workstream") == {("b/outcome", "b/strategy")}
    # B's work stream is reported under B, though it links to A's outcome.
    assert found("workstream-without-outcome") == {("b/workstream", "b/strategy")}
    # Both name early years; only A has a work stream that serves them.
    assert found("life-stage-not-served") == {("b/strategy", "b/strategy")}
    # A 2025 target is outside A's period; the shared indicator's is inside B's.
    assert found("target-outside-strategy-period") == {("a/target", "a/strategy")}
    # Owning B's work is no responsibility on A's board.
    assert found("board-member-without-role") == {("a/member", "a/strategy")}
    # Every gap is reported under the strategy its node is part of, where it has one.
    for gap in gaps:
        if gap.focus.startswith((EX + "a/", EX + "b/")) and "strategy" not in gap.focus:
            assert gap.strategy.startswith(gap.focus[: len(EX) + 2]), gap


def test_a_nested_strategys_gaps_are_reported_under_it(tmp_path):
    """Its outcome sits under a child priority the strategy reaches only through its parent: every gap of the child,
    the outcome, the earlier outcome, the work, their indicators and targets is the strategy's."""
    gaps = _gaps_of(FIXTURES / "target-outside-strategy-period" / "fires-shapes.ttl", tmp_path)
    assert {g.focus.removeprefix(EX) for g in gaps} >= {"outcome", "earlier", "work", "project", "nested-indicator",
                                                         "outcome-milestone", "work-target", "project-change", "chain-change"}
    assert {g.strategy for g in gaps} == {EX + "strategy"}


def test_a_change_target_that_asks_for_no_progress_says_so_in_plain_words(tmp_path):
    gaps = _gaps_of(FIXTURES / "target-does-not-improve-on-baseline" / "fires-change.ttl", tmp_path)
    said = {g.focus.removeprefix(EX): g.message for g in gaps if g.rule == "target-does-not-improve-on-baseline"}
    assert said == {
        "employment": "The indicator 'An invented employment rate' has a target of '25% fewer', a fall from its baseline, "
                      "which is no improvement when higher is better.",
        "charged": "The indicator 'An invented count of young people charged' has a target of 'a 10% increase', a rise "
                   "from its baseline, which is no improvement when lower is better.",
        "life": "The indicator 'An invented healthy life expectancy' has a target of '0 years', no change from its baseline, "
                "which is no improvement when higher is better.",
    }


def test_a_change_target_with_no_indicator_is_not_said_to_have_one(tmp_path):
    """Regression: a change target set for an outcome ('for') was told its indicator had no baseline; it has no indicator."""
    gaps = _gaps_of(FIXTURES / "change-target-without-baseline" / "fires.ttl", tmp_path)
    said = {g.focus.removeprefix(EX): g.message for g in gaps if g.rule == "change-target-without-baseline"}
    assert said["outcome-change"] == ("'target for An invented outcome' asks for a change of 10%, but it is measured by "
                                      "no indicator, so it has no baseline to resolve it against.")
    assert said["longer"] == ("'target for An invented healthy life expectancy' asks for a change of five years longer, "
                              "but its indicator has no baseline of its own to resolve it against.")


def test_blank_node_focus_nodes_are_reported_by_a_stable_iri(runner, tmp_path):
    """Regression: a blank-node target made the description query fail and the command crash."""
    path = tmp_path / "blank.ttl"
    path.write_text(
        "@prefix sg: <https://w3id.org/strategy-graph/def#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<http://example.org/i> a sg:Indicator ; rdfs:label "Invented" ; sg:hasTarget [ a sg:Target ; sg:targetValue "five" ] .\n',
        encoding="utf-8",
    )
    result = runner.invoke(main, ["gaps", "--format", "json", "--data", str(path), "--fail-on", "none"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    (malformed,) = [r for r in records if r["rule"] == "well-formed-target"]
    assert malformed["focus"].startswith("https://w3id.org/strategy-graph/.well-known/genid/")
    assert malformed["label"] == "target for Invented" and malformed["message"].startswith("'target for Invented': ")


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


def _period_end_year(label: str) -> int:
    """The year a period label ends in: its last number, two digits taking the century of its first."""
    numbers = re.findall(r"\d+", label)
    last = numbers[-1]
    return int(last) if len(last) == 4 else int(numbers[0][:2] + last)


def _expected(ds) -> dict[str, set]:
    """What each rule should report on the graph, worked out here in Python from the rules' wording."""
    of = lambda cls: set(ds.subjects(RDF.type, cls))
    strategy = lambda node: ds.value(node, DCTERMS.isPartOf)
    value = lambda node, *path: _follow(ds, node, path)
    outcomes, workstreams, interventions = of(SG.Outcome), of(SG.Workstream), of(SG.Intervention)
    indicators, contributions, boards = of(SG.Indicator), of(SG.Contribution), of(SG.Board)
    funded = {
        ds.value(f, SCHEMA.fundedItem) for f in of(SG.FundingCommitment)
        if ds.value(f, SG.fundingStatus) in FUNDED and float(value(f, SCHEMA.amount, SCHEMA.value) or 0) > 0
    }

    def funded_reach(outcome) -> bool:
        for intervention in funded:
            if strategy(intervention) not in (None, strategy(outcome)):
                continue
            for first in ds.objects(intervention, SG.contributesTo):
                if first == outcome or (first in workstreams and strategy(first) == strategy(outcome) and outcome in _closure(ds, first)):
                    return True
        return False

    measured_by = lambda node: set(ds.subjects(SG.measures, node))
    inequality_words = re.compile(r"inequalit|(^|[^a-z])equal|equit|disparit|deprived|deprivation|disadvantaged|narrow(ing)? the gap", re.I)
    about_inequality = {
        n for n in outcomes | workstreams
        if (n, SG.theme, URIRef("https://w3id.org/strategy-graph/def/theme/inequality")) in ds
        or any(inequality_words.search(str(label)) for label in ds.objects(n, RDFS.label))
    }
    stages_spanned = set()
    for s in of(SG.Strategy):
        first, final = ds.value(s, SG.lifeCourseStart), ds.value(s, SG.lifeCourseEnd)
        stages_spanned |= {(s, stage) for stage in (first, final) if stage is not None}
        if first is not None and final is not None:
            low, high = int(ds.value(first, SKOS.notation)), int(ds.value(final, SKOS.notation))
            scheme = ds.value(first, SKOS.inScheme)
            stages_spanned |= {(s, c) for c in ds.subjects(SKOS.inScheme, scheme) if low < int(ds.value(c, SKOS.notation) or -1) < high}
    served = {(strategy(w), stage) for w in workstreams for stage in ds.objects(w, SG.servesLifeStage)}
    sdmx = "http://purl.org/linked-data/sdmx/2009/"

    def latest_year(indicator):
        years = [_period_end_year(str(ds.value(o, URIRef(sdmx + "dimension#refPeriod")))) for o in ds.subjects(SG.indicator, indicator)]
        return max(years) if years else None

    def baseline_complete(indicator) -> bool:
        baseline = ds.value(indicator, SG.hasBaseline)
        return baseline is not None and ds.value(baseline, URIRef(sdmx + "measure#obsValue")) is not None and (
            ds.value(baseline, URIRef(sdmx + "dimension#refPeriod")) or ds.value(baseline, SG.periodEnd)) is not None

    board_strategies = lambda board: set(ds.subjects(SG.ledBy, board)) | {strategy(w) for w in ds.subjects(SG.owner, board)}
    members_without_role = {
        ds.value(m, ORG.member) for board in boards for m in ds.subjects(ORG.organization, board)
        if ds.value(m, ORG.role) is None
        and not {strategy(owned) for owned in ds.subjects(SG.owner, ds.value(m, ORG.member))} & board_strategies(board)
    }
    return {
        "outcome-without-funded-intervention": {o for o in outcomes if not funded_reach(o)},
        "intervention-without-funding": interventions - {ds.value(f, SCHEMA.fundedItem) for f in of(SG.FundingCommitment)},
        "intervention-without-contribution": {i for i in interventions if not list(ds.objects(i, SG.contributesTo))},
        # A milestone set for an outcome measures it too.
        "outcome-without-indicator": {o for o in outcomes if not measured_by(o)
                                      and not any((t, RDF.type, SG.Milestone) in ds for t in ds.subjects(SG.targetOf, o))},
        # Work with a deadline (the end of its own period) that no target is set for and no indicator measures.
        "action-without-measure": {w for w in workstreams | interventions
                                   if _follow(ds, w, (DCTERMS.temporal, DCAT.endDate)) is not None
                                   and not list(ds.subjects(SG.targetOf, w)) and not measured_by(w)},
        "indicator-without-baseline": {i for i in indicators if not baseline_complete(i)},
        "indicator-without-target": {i for i in indicators if value(i, SG.hasTarget, SG.targetValue) is None or value(i, SG.hasTarget, SG.targetDate) is None},
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
        "board-member-without-role": members_without_role,
        "life-stage-not-served": {s for s, stage in stages_spanned - served},
        "priority-without-outcome": {p for p in of(SG.StrategicPriority) if ds.value(p, SG.hasTargetOutcome) is None},
        "strategy-without-period": {s for s in of(SG.Strategy) if ds.value(s, DCTERMS.temporal) is None},
        "target-outside-strategy-period": set(),  # the dataset records no targets
        "target-does-not-improve-on-baseline": set(),  # nor any baseline
        "target-past-due": set(),  # nor any target
        "milestone-past-due": set(),  # nor any milestone
        "change-target-without-baseline": set(),  # nor any change target
    }


def _follow(ds, node, path):
    for predicate in path:
        node = ds.value(node, predicate) if node is not None else None
    return node


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


def test_severity_filters_what_is_shown(runner, luton):
    result = runner.invoke(main, ["gaps", "--format", "json", "--severity", "warning", "--fail-on", "none"])
    shown = json.loads(result.output)
    assert result.exit_code == 0
    assert {r["severity"] for r in shown} == {"violation", "warning"}
    assert len(shown) == sum(g.severity != "info" for g in luton)


@pytest.mark.parametrize("fail_on, status", [("violation", 0), ("warning", 0), ("info", 1), ("none", 0)])
def test_fail_on_sets_the_exit_status(runner, tmp_path, fail_on, status):
    # The sound strategy, less the evidence of one link: one Info gap and nothing worse.
    sound = read_fixture(FIXTURES / "sound-strategy.ttl", tmp_path).read_text(encoding="utf-8")
    only_info = tmp_path / "only-info.ttl"
    only_info.write_text(sound.replace("    sg:evidence ex:evaluation .", "    ."), encoding="utf-8")
    result = runner.invoke(main, ["gaps", "--format", "json", "--data", str(only_info), "--fail-on", fail_on])
    assert [(r["rule"], r["severity"]) for r in json.loads(result.output)] == [("contribution-without-evidence-or-assumptions", "info")]
    assert result.exit_code == status


def test_luton_fails_on_violation_by_default(runner):
    assert runner.invoke(main, ["gaps", "--format", "json"]).exit_code == 1


def test_gaps_on_a_malformed_file_exits_2(runner):
    result = runner.invoke(main, ["gaps", "--data", str(DATA / "malformed.ttl")])
    assert result.exit_code == 2 and "malformed.ttl:5:11" in result.output


def test_gaps_on_a_graph_with_no_gap_says_so(runner, tmp_path):
    result = runner.invoke(main, ["gaps", "--data", str(read_fixture(FIXTURES / "sound-strategy.ttl", tmp_path))])
    assert result.exit_code == 0 and result.output.strip() == "No gaps found."


def test_life_stage_labels_come_from_the_code_list(ds, luton):
    for gap in (g for g in luton if g.rule == "life-stage-not-served"):
        stage = re.search(r"life stage '([^']+)'", gap.message).group(1)
        assert Literal(stage, lang="en") in set(ds.objects(None, SKOS.prefLabel))


def test_the_gaps_about_some_nodes_are_those_of_the_whole_report_on_them(tmp_path):
    """A write's check reads only the reports of the units that hold its rows: the same gaps on them as the whole report."""
    from tests.conftest import copies

    ds = open_graph(data=copies(tmp_path, 2))
    every = find_gaps(ds)
    nodes = {URIRef(g.focus) for g in every if "/copy1/" in g.focus}
    assert nodes
    assert find_gaps(ds, about=nodes) == [g for g in every if URIRef(g.focus) in nodes]
    assert find_gaps(ds, about=[]) == []


def test_the_json_report_is_what_json_dumps_writes(ds):
    """`gaps --format json` writes its report in pieces, without json's pure-Python indenting encoder (1.6 GB and
    several seconds for the 202,500 gaps of 1,500 strategies): the text is the same, character for character."""
    gaps = find_gaps(ds)
    odd = Gap("rule", "info", "http://example.org/x", 'a "quoted"\nlabel, é → ☃', "message\\", "fix\t", "")
    for listed in (gaps, [odd], []):
        assert "".join(as_json(listed)) == json.dumps([g.as_dict() for g in listed], indent=2, ensure_ascii=False)
    assert len(gaps) > 100  # the packaged dataset's, many strings of every kind


def test_a_store_whose_reports_an_earlier_version_kept_is_read_as_it_was_written(tmp_path):
    """Regression: before units-7 a kept report held its gap records whole, as a JSON list; `gaps` on such a store
    stopped with a TypeError until its next write. The same records in that form give the same gaps."""
    import pyoxigraph as ox

    from graph.engine import kept_records
    from graph.engine.reports import RECORDS
    from graph.engine.store import oxigraph
    from tests.conftest import copies

    ds = open_graph(data=copies(tmp_path, 2))
    now, records = find_gaps(ds), list(kept_records(ds))
    store = oxigraph(ds)
    kept = list(store.quads_for_pattern(None, RECORDS, None))
    assert len(kept) == 2 and now
    for n, quad in enumerate(kept):  # every record in the first report's list, none in the second's
        store.remove(quad)
        store.add(ox.Quad(quad.subject, RECORDS, ox.Literal(json.dumps(records if n == 0 else [])), quad.graph_name))
    assert find_gaps(ds) == now
