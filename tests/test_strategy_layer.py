"""The strategy layer holds exactly what the published summary states, quoted."""

import re

import pytest
from rdflib import RDF, RDFS, BNode, URIRef
from rdflib.namespace import DCTERMS, PROV

from graph.vocab import SG


def _list_after(text: str, heading: str) -> list[str]:
    """The '- ' lines that follow a heading line of the source, verbatim."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    items = []
    for line in lines[start + 1:]:
        if not line.startswith("- "):
            break
        items.append(line[2:])
    return items


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _labels_of(graph, cls) -> list[str]:
    return sorted(str(graph.value(s, RDFS.label)) for s in graph.subjects(RDF.type, cls))


def test_every_target_outcome_line_is_an_outcome_labelled_verbatim(layer, source_text):
    lines = _list_after(source_text, "For this priority there are five target outcomes")
    assert len(lines) == 5
    assert _labels_of(layer("strategy"), SG.Outcome) == sorted(lines)


def test_every_work_stream_line_is_a_workstream_labelled_verbatim(layer, source_text):
    lines = _list_after(source_text, "The Health and Wellbeing board have responsibility for the following work streams")
    assert len(lines) == 22
    assert _labels_of(layer("strategy"), SG.Workstream) == sorted(lines)


def test_one_priority_labelled_with_the_line_that_follows_the_vision(layer, source_text):
    lines = source_text.splitlines()
    after_vision = lines[lines.index("The Luton 2040 vision includes the following strategic priority:") + 1]
    assert _labels_of(layer("strategy"), SG.StrategicPriority) == [after_vision]


def test_priority_has_the_five_outcomes_and_the_board_owns_the_22_work_streams(layer):
    strategy = layer("strategy")
    (priority,) = strategy.subjects(RDF.type, SG.StrategicPriority)
    assert set(strategy.objects(priority, SG.hasTargetOutcome)) == set(strategy.subjects(RDF.type, SG.Outcome))
    (board,) = strategy.subjects(RDF.type, SG.Board)
    assert str(strategy.value(board, RDFS.label)) == "Health and Wellbeing Board"
    owned = {ws for ws in strategy.subjects(RDF.type, SG.Workstream) if strategy.value(ws, SG.owner) == board}
    assert len(owned) == 22
    (plan,) = strategy.subjects(RDF.type, SG.Strategy)
    assert strategy.value(plan, SG.ledBy) == board  # "driven by": it leads, the source names no accountability


def test_board_sectors_life_course_and_quality_of_life_areas(layer, ds):
    strategy = layer("strategy")
    (board,) = strategy.subjects(RDF.type, SG.Board)
    sectors = {str(ds.value(s, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))) for s in strategy.objects(board, SG.representedSector)}
    assert sectors == {"public sector", "health and social care", "emergency services"}
    (plan,) = strategy.subjects(RDF.type, SG.Strategy)
    assert str(strategy.value(plan, SG.lifeCourseStart)).endswith("/life-stage/early-years")
    assert str(strategy.value(plan, SG.lifeCourseEnd)).endswith("/life-stage/old-age")
    areas = {str(strategy.value(a, RDFS.label)) for a in strategy.objects(plan, SG.focusArea)}
    assert areas == {"access to decent and affordable housing", "quality education", "ensuring our community is safe and cohesive"}


def test_strategy_period_is_2023_to_2028(layer, source_text):
    strategy = layer("strategy")
    (plan,) = strategy.subjects(RDF.type, SG.Strategy)
    period = strategy.value(plan, DCTERMS.temporal)
    dcat = "http://www.w3.org/ns/dcat#"
    assert (str(strategy.value(period, URIRef(dcat + "startDate"))), str(strategy.value(period, URIRef(dcat + "endDate")))) == ("2023", "2028")
    assert "Strategy 2023 to 2028" in source_text


def test_every_resource_cites_the_document_and_quotes_it_verbatim(layer, source_text):
    strategy = layer("strategy")
    (graph_node,) = strategy.subjects(DCTERMS.identifier, None)
    document = strategy.value(graph_node, PROV.wasDerivedFrom)
    text = _normalise(source_text)
    subjects = {s for s in strategy.subjects() if not isinstance(s, BNode)} - {graph_node, document}
    assert len(subjects) > 28
    for subject in subjects:
        assert strategy.value(subject, DCTERMS.source) == document, subject
        quotes = list(strategy.objects(subject, SG.quote))
        assert quotes, f"{subject} quotes nothing"
        for quote in quotes:
            assert _normalise(quote) in text, f"{subject}: {quote!r} is not in the source"


def test_labels_in_the_strategy_layer_are_all_in_the_source(layer, source_text):
    text = _normalise(source_text)
    for subject, label in layer("strategy").subject_objects(RDFS.label):
        if re.match(r"Strategy layer", label):
            continue  # the graph's own title, not a statement of the document
        assert _normalise(label) in text, f"{subject}: label {label!r} is not quoted from the source"


@pytest.mark.parametrize("cls", [SG.Intervention, SG.FundingCommitment, SG.Target, SG.Indicator])
def test_strategy_layer_states_no_means_or_measures_the_summary_does_not_name(layer, cls):
    assert not list(layer("strategy").subjects(RDF.type, cls))
