"""The ontology documents every term, and the data uses only terms it declares."""

from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, URIRef, namespace
from rdflib.namespace import OWL, RDF

from graph import files
from graph.describe import graph_counts
from graph.engine import named_graph
from graph.vocab import REUSED_NAMESPACES, SG

VOCABULARY = ("ontology", "concepts", "alignment")
DATASET = ("strategy", "analysis", "indicators", "programmes")
OUR_IRIS = "https://w3id.org/strategy-graph/"


def _graphs(ds, names):
    by_name = {c.name: c.iri for c in graph_counts(ds)}
    return [named_graph(ds, by_name[name]) for name in names]


def _declared_classes(ds) -> set:
    (ontology,) = _graphs(ds, ["ontology"])
    return set(ontology.subjects(RDF.type, OWL.Class))


def _declared_terms(ds) -> set:
    ontology = Graph()
    for g in _graphs(ds, VOCABULARY):
        ontology += g
    return {s for s in ontology.subjects() if isinstance(s, URIRef)}


def test_every_class_and_property_has_a_label_and_a_definition():
    shapes = Path(files.SHAPES_DIR, "ontology", "documentation.ttl")
    ontology = Graph().parse(files.ONTOLOGY_DIR / "strategy-graph.ttl")
    conforms, _, report = pyshacl.validate(ontology, shacl_graph=Graph().parse(shapes))
    assert conforms, report


def test_documentation_shape_catches_an_undocumented_term():
    shapes = Graph().parse(Path(files.SHAPES_DIR, "ontology", "documentation.ttl"))
    bare = Graph().parse(data=f"<{SG}Orphan> a <{OWL.Class}> .", format="turtle")
    conforms, _, report = pyshacl.validate(bare, shacl_graph=shapes)
    assert not conforms
    assert "no rdfs:label" in report and "no skos:definition" in report


def test_every_resource_has_a_type_the_ontology_declares(ds):
    declared = _declared_classes(ds)
    for graph in _graphs(ds, DATASET):
        for subject in set(graph.subjects()):
            types = set(ds.objects(subject, RDF.type))
            assert types & declared, f"{subject} in {graph.identifier} has no declared type: {types}"


def test_every_predicate_is_declared_or_a_term_of_a_reused_vocabulary(ds):
    declared = _declared_terms(ds)
    for graph in _graphs(ds, DATASET):
        for predicate in set(graph.predicates()):
            if predicate in declared:
                continue
            assert str(predicate).startswith(REUSED_NAMESPACES), predicate
            # rdflib lists the terms of these vocabularies: a typo fails here.
            # (Looked up here: pytest's collection trips over DCAT at module level.)
            listed = [getattr(namespace, n) for n in ("DCAT", "DCTERMS", "FOAF", "ORG", "OWL", "PROV", "QB", "RDF", "RDFS", "SKOS")]
            closed = [ns for ns in listed if str(predicate).startswith(str(ns))]
            assert all(predicate in ns for ns in closed), f"{predicate} is not a term of its vocabulary"


def test_every_term_of_ours_that_the_data_uses_is_defined(ds):
    """No typo'd slug or term: every IRI of this project's namespace that is used resolves."""
    described = {s for s in ds.subjects() if isinstance(s, URIRef)}
    for graph in _graphs(ds, DATASET):
        for _, p, o in graph:
            for term in (p, o):
                if isinstance(term, URIRef) and str(term).startswith(OUR_IRIS):
                    assert term in described, f"{term}, used in {graph.identifier}, is described nowhere"


def test_reused_classes_keep_their_own_vocabulary(ds):
    (ontology,) = _graphs(ds, ["ontology"])
    for cls in _declared_classes(ds):
        if isinstance(cls, BNode):
            continue
        defined_by = ontology.value(cls, URIRef("http://www.w3.org/2000/01/rdf-schema#isDefinedBy"))
        if str(cls).startswith(str(SG)):
            assert str(defined_by) == "https://w3id.org/strategy-graph/def", cls
        else:
            assert str(cls).startswith(str(defined_by)), f"{cls} is said to be defined by {defined_by}"


def test_short_causal_property_is_documented_as_derived_from_the_qualified_one(ds):
    (ontology,) = _graphs(ds, ["ontology"])
    chain = ontology.value(SG.contributesTo, OWL.propertyChainAxiom)
    assert list(ontology.items(chain)) == [SG.qualifiedContribution, SG.contributionTo]
    assert files.input_rules() and files.graph_rules(), "the derivation rules must ship with the ontology"


def test_alignment_maps_to_cids(ds):
    (alignment,) = _graphs(ds, ["alignment"])
    skos = "http://www.w3.org/2004/02/skos/core#"
    cids = "https://ontology.commonapproach.org/cids#"
    assert (SG.Outcome, URIRef(skos + "closeMatch"), URIRef(cids + "Outcome")) in alignment
    assert (SG.Indicator, URIRef(skos + "closeMatch"), URIRef(cids + "Indicator")) in alignment
