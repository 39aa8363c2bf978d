"""The analysis, indicators and programmes layers: every link has a reason, every fact a source."""

import re

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
    for fits, name, fingertips_id, unit, polarity in indicator_rows:
        if name.startswith("(no "):
            continue  # the reference found no indicator: the gap stays a gap
        indicator = by_label[name]
        identifier = indicators.value(indicator, SG.sourceIdentifier)
        # Only a plain number is verified; "unverified" and "(partly verified)" get no ID.
        verified = fingertips_id if re.fullmatch(r"\d+", fingertips_id) else None
        assert (str(identifier) if identifier else None) == verified, name
        assert str(indicators.value(indicator, SG.unit)) == unit, name
        expected = {"higher": "higher-is-better", "lower": "lower-is-better"}.get(polarity.split()[0], "not-rated")
        assert str(indicators.value(indicator, SG.polarity)).endswith("/" + expected), name
        judged = "judged" in polarity
        assert str(indicators.value(indicator, SG.polarityBasis)).endswith("/judged" if judged else "/published"), name
        assert indicators.value(indicator, SG.dataSource) is not None, name
        assert list(indicators.objects(indicator, SG.measures)), name
        assert str(indicators.value(indicator, SG.rationale)).strip(), name
        checked += 1
    assert checked == 34


def test_no_indicator_where_the_reference_found_none(layer, indicator_rows):
    labels = {str(l).lower() for l in layer("indicators").objects(None, RDFS.label)}
    for fits, name, *_ in indicator_rows:
        if name.startswith("(no "):
            assert not any(fits in label for label in labels), fits


def test_observations_are_the_reported_temporary_accommodation_counts_with_their_source(layer):
    indicators = layer("indicators")
    reference = (REFERENCE / "indicators.md").read_text(encoding="utf-8")
    line = next(l for l in reference.splitlines() if l.startswith("- Households in temporary accommodation"))
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
