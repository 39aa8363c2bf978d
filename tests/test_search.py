"""Search: a node matches when one of its labels, with one of its descriptions, holds every word."""

from graph.engine import open_graph
from graph.search import search

DATA = """
@prefix sg: <https://w3id.org/strategy-graph/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <http://example.org/search/> .
ex:graph {
  ex:in-label a sg:Outcome ; rdfs:label "Housing plan" .
  ex:across a sg:Outcome ; rdfs:label "Plan" ; dcterms:description "More homes: housing for all" .
  ex:second-description a sg:Outcome ; rdfs:label "Housing" ; dcterms:description "other words", "the plan" .
  ex:one-word a sg:Outcome ; rdfs:label "Housing" .
  ex:neither a sg:Outcome ; rdfs:label "Plan" ; dcterms:description "nothing more" .
  [] a sg:Outcome ; rdfs:label "Housing plan, a blank node" .
  ex:b-copy a sg:Outcome ; rdfs:label "Copy of a housing plan" .
  ex:a-copy a sg:Outcome ; rdfs:label "Copy of a housing plan" .
}
"""


def test_every_word_in_a_label_and_one_of_its_descriptions(tmp_path):
    path = tmp_path / "search.trig"
    path.write_text(DATA, encoding="utf-8")
    found = [item.iri.rsplit("/", 1)[-1] for item in search(open_graph(data=[path]), "PLAN housing")]
    # Not one-word (no "plan"), not neither (no "housing"), not the blank node; by label, and copies alike by IRI.
    assert found == ["a-copy", "b-copy", "second-description", "in-label", "across"]
