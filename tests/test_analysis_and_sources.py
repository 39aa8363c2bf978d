"""The analysis, indicators and programmes layers: every link has a reason, every fact a source."""

import re
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS, PROV

from graph.vocab import SG
from tests.conftest import SHARED

PROJECT = URIRef("https://w3id.org/strategy-graph/id/project")
REFERENCE = SHARED / "reference"


def _table_rows(markdown: str) -> list[list[str]]:
    """The body rows of the first markdown table, as stripped cells."""
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


@pytest.fixture(scope="module")
def indicator_rows() -> list[list[str]]:
    return _table_rows((REFERENCE / "indicators.md").read_text(encoding="utf-8"))


def test_every_contribution_has_a_rationale_a_strength_and_the_project_as_author(layer):
    analysis = layer("analysis")
    contributions = set(analysis.subjects(RDF.type, SG.Contribution))
    assert contributions
    for c in contributions:
        assert str(analysis.value(c, SG.rationale)).strip(), c
        assert analysis.value(c, SG.strength) is not None, c
        assert analysis.value(c, PROV.wasAttributedTo) == PROJECT, c
        assert analysis.value(c, SG.contributionTo) is not None, c
        assert len(set(analysis.subjects(SG.qualifiedContribution, c))) == 1, c


def test_links_not_carried_by_wording_name_the_knowledge_they_rest_on(layer):
    analysis = layer("analysis")
    for c in analysis.subjects(RDF.type, SG.Contribution):
        if not str(analysis.value(c, SG.strength)).endswith("/strong"):
            (assumption,) = analysis.objects(c, SG.assumption)
            assert (assumption, RDF.type, SG.Assumption) in analysis
            assert str(analysis.value(assumption, RDFS.label)).strip()
            assert analysis.value(assumption, PROV.wasAttributedTo) == PROJECT


@pytest.mark.parametrize("name", ["strategy", "analysis", "indicators", "programmes"])
def test_every_layer_says_what_it_was_derived_from_and_who_asserted_it(layer, ds, name):
    graph = layer(name)
    (graph_node,) = graph.subjects(DCTERMS.identifier, None)
    assert list(graph.objects(graph_node, PROV.wasDerivedFrom))
    agents = set(graph.objects(graph_node, PROV.wasAttributedTo))
    assert PROJECT in agents
    for attribution in graph.objects(graph_node, PROV.qualifiedAttribution):
        assert graph.value(attribution, PROV.agent) in agents
        assert (graph.value(attribution, PROV.hadRole), RDF.type, PROV.Role) in ds


def test_analysis_layer_is_attributed_to_the_project_as_analyst(layer):
    analysis = layer("analysis")
    (graph_node,) = analysis.subjects(DCTERMS.identifier, None)
    roles = {analysis.value(a, PROV.hadRole) for a in analysis.objects(graph_node, PROV.qualifiedAttribution)}
    assert roles == {SG.analyst}
    assert analysis.value(graph_node, PROV.wasAttributedTo) == PROJECT


def test_contributions_link_only_work_streams_and_interventions_to_outcomes_or_work_streams(ds, layer):
    analysis = layer("analysis")
    for contributor, c in analysis.subject_objects(SG.qualifiedContribution):
        assert set(ds.objects(contributor, RDF.type)) & {SG.Workstream, SG.Intervention}, contributor
        target = analysis.value(c, SG.contributionTo)
        assert set(ds.objects(target, RDF.type)) & {SG.Outcome, SG.Workstream}, target


def test_education_work_streams_are_not_forced_onto_outcomes_that_never_mention_education(ds, layer):
    strategy = layer("strategy")
    outcome_labels = [str(strategy.value(o, RDFS.label)) for o in strategy.subjects(RDF.type, SG.Outcome)]
    assert not any(re.search(r"educat|school|learning", label) for label in outcome_labels)
    for ws in strategy.subjects(RDF.type, SG.Workstream):
        if re.search(r"educat|school|learning", str(strategy.value(ws, RDFS.label))):
            assert not list(ds.objects(ws, SG.contributesTo)), ws


def test_indicator_ids_units_and_polarity_match_the_reference(layer, indicator_rows):
    indicators = layer("indicators")
    by_label = {str(indicators.value(i, RDFS.label)): i for i in indicators.subjects(RDF.type, SG.Indicator)}
    checked = 0
    for _, name, fingertips_id, unit, polarity in indicator_rows:
        if name.startswith("(no "):
            continue  # the reference found no indicator: the gap stays a gap
        # A label is the publisher's name: a remark the reference adds in brackets is kept as a comment.
        remark = re.search(r" \((a proxy[^)]*)\)$", name)
        indicator = by_label[name[:remark.start()] if remark else name]
        if remark:
            assert remark.group(1).lower() in str(indicators.value(indicator, RDFS.comment)).lower(), name
        identifier = indicators.value(indicator, SG.sourceIdentifier)
        # Only a plain number is verified; "unverified" and "(partly verified)" get no ID.
        verified = fingertips_id if re.fullmatch(r"\d+", fingertips_id) else None
        assert (str(identifier) if identifier else None) == verified, name
        assert str(indicators.value(indicator, SG.unit)) == unit, name
        expected = {"higher": "higher-is-better", "lower": "lower-is-better"}.get(polarity.split()[0], "not-rated")
        assert str(indicators.value(indicator, SG.polarity)).endswith("/" + expected), name
        # The source's own polarity is "published" only where its metadata could be read: the ID is verified.
        basis = "judged" if "judged" in polarity else "published" if verified else "unconfirmed"
        assert str(indicators.value(indicator, SG.polarityBasis)).endswith("/" + basis), name
        assert indicators.value(indicator, SG.dataSource) is not None, name
        assert list(indicators.objects(indicator, SG.measures)), name
        assert str(indicators.value(indicator, SG.rationale)).strip(), name
        checked += 1
    assert checked == 34


def test_no_indicator_where_the_reference_found_none(layer, indicator_rows):
    labels = {str(name).lower() for name in layer("indicators").objects(None, RDFS.label)}
    for fits, name, *_ in indicator_rows:
        if name.startswith("(no "):
            assert not any(fits in label for label in labels), fits


def test_observations_are_the_reported_temporary_accommodation_counts_with_their_source(layer):
    indicators = layer("indicators")
    reference = (REFERENCE / "indicators.md").read_text(encoding="utf-8")
    line = next(ln for ln in reference.splitlines() if ln.startswith("- Households in temporary accommodation"))
    source = URIRef(re.search(r"https://\S+", line).group(0))
    reported = {(period, value) for value, period in re.findall(r"(\d+) \((\d{4}/\d{2})\)", line)}
    observations = set(indicators.subjects(RDF.type, SG.Observation))
    period = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod")
    value = URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue")
    found = {(str(indicators.value(o, period)), str(indicators.value(o, value))) for o in observations}
    assert found == reported and len(found) == 3
    assert all(indicators.value(o, DCTERMS.source) == source for o in observations)


def test_the_dataset_invents_no_targets_baselines_funding_or_programme_owners(ds):
    for cls in (SG.Target, SG.FundingCommitment):
        assert not list(ds.subjects(RDF.type, cls)), cls
    assert not list(ds.subject_objects(SG.hasBaseline))
    for intervention in ds.subjects(RDF.type, SG.Intervention):
        assert ds.value(intervention, SG.owner) is None, intervention


def test_programmes_carry_a_source_address_from_the_public_sources(layer):
    programmes = layer("programmes")
    reference = (REFERENCE / "luton-public-sources.md").read_text(encoding="utf-8")
    interventions = set(programmes.subjects(RDF.type, SG.Intervention))
    assert {str(programmes.value(i, RDFS.label)) for i in interventions} == {
        "Monthly MMR vaccination clinics for under-vaccinated children",
        "Family Hubs programme",
        "Healthier Wealthier Families",
    }
    for intervention in interventions:
        assert str(programmes.value(intervention, DCTERMS.source)) in reference, intervention


# The fidelity pass: links a sceptical board member would challenge -------------------------------

LUTON = "https://w3id.org/strategy-graph/id/luton-pws/"


def _contribution(analysis, name: str):
    return URIRef(LUTON + "contribution/" + name)


def test_the_analysis_layer_states_the_one_rule_its_links_follow(layer):
    analysis = layer("analysis")
    (graph_node,) = analysis.subjects(DCTERMS.identifier, None)
    description = str(analysis.value(graph_node, DCTERMS.description))
    assert "One rule decides every link" in description and "judged for the strategy's period, 2023 to 2028" in description


@pytest.mark.parametrize("name", ["children-healthy-weight--healthy-life-expectancy", "screening-detection--healthy-life-expectancy"])
def test_links_whose_effect_comes_after_the_period_are_weak_and_say_so(layer, name):
    analysis = layer("analysis")
    c = _contribution(analysis, name)
    assert str(analysis.value(c, SG.strength)).endswith("/weak")
    assert "after 2028" in str(analysis.value(c, SG.rationale))


def test_fuel_poverty_link_answers_both_objections(layer):
    analysis = layer("analysis")
    rationale = str(analysis.value(_contribution(analysis, "fuel-pensioner-poverty--financially-sustainable-families"), SG.rationale))
    assert "'families'" in rationale and "housing outcome" in rationale


def test_links_of_like_wording_are_made_alike(ds):
    reaches = lambda name: {str(o).rsplit("/", 1)[-1] for o in ds.objects(URIRef(LUTON + name), SG.contributesTo)}
    assert reaches("workstream/remain-at-home-old-age") == {"good-quality-secure-housing"}
    assert reaches("intervention/healthier-wealthier-families") == {"financially-sustainable-families", "healthy-life-expectancy"}
    assert reaches("intervention/family-hubs") == set()  # its name and sources name no outcome's change


def test_programmes_outside_the_strategy_make_no_weak_point_headline(ds):
    from graph.analysis import analyse
    result = analyse(ds)
    outside = {str(i) for i in ds.subjects(RDF.type, SG.Intervention) if ds.value(i, DCTERMS.isPartOf) is None}
    assert LUTON + "intervention/mmr-vaccination-clinics" in outside
    assert not any(s["single"]["iri"] in outside for s in result["single_points_of_failure"])
    assert not any(c["cut_by"]["iri"] in outside for c in result["cut_points"])
    shown = {(w["outcome"]["iri"].rsplit("/", 1)[-1], i["iri"]) for w in result["outside_work"] for i in w["interventions"]}
    assert ("healthy-life-expectancy", LUTON + "intervention/mmr-vaccination-clinics") in shown


def test_the_source_document_has_the_councils_address_from_the_reference(layer):
    strategy = layer("strategy")
    page = strategy.value(URIRef(LUTON + "document"), URIRef("http://xmlns.com/foaf/0.1/page"))
    reference = (REFERENCE / "luton-public-sources.md").read_text(encoding="utf-8")
    (line,) = [ln for ln in reference.splitlines() if ln.endswith(" " + str(page))]
    assert "with the five target outcomes of the summary" in line


def test_the_readme_counts_what_the_analysis_layer_holds(ds):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    (row,) = [ln for ln in readme.splitlines() if ln.startswith("| `analysis` |")]
    kinds = lambda x: "work stream" if (x, RDF.type, SG.Workstream) in ds else "programme" if (x, RDF.type, SG.Intervention) in ds else "outcome"
    links = [(kinds(x), kinds(ds.value(c, SG.contributionTo))) for x, c in ds.subject_objects(SG.qualifiedContribution)]
    unlinked_ws = sum(1 for w in ds.subjects(RDF.type, SG.Workstream) if ds.value(w, SG.contributesTo) is None)
    unlinked_programmes = sum(1 for i in ds.subjects(RDF.type, SG.Intervention) if ds.value(i, SG.contributesTo) is None)
    assert f"{len(links)} contributions: " in row
    assert f"{links.count(('work stream', 'outcome'))} from work streams to outcomes" in row
    assert f"{links.count(('programme', 'outcome'))} from a programme to outcomes" in row
    assert f"{links.count(('programme', 'work stream'))} from a programme to a work stream" in row
    assert f"{unlinked_ws} work streams and {unlinked_programmes} programme stay unlinked" in row
