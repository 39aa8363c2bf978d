"""Opening, reading and loading the graph: one engine, clear errors, atomic loads."""

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.plugins.sparql.processor import SPARQLProcessor, SPARQLUpdateProcessor

from graph.describe import class_counts, graph_counts
from graph.engine import load as load_into_store, open_graph
from graph.engine.store import GraphSourceError, derive, read_files
from graph.export import export
from graph.formats import BY_NAME
from graph.strategies import strategy_overviews
from graph.vocab import ENGINE_BASE as ENGINE, SG
from strategy_graph.cli import main
from tests.conftest import DATA

EX = "http://example.org/town/"


def _quads(ds) -> set:
    return set(ds.quads((None, None, None, None)))


def _data_quads(ds) -> set:
    """The quads of the vocabulary and the data, without the engine's kept reports."""
    return {q for q in _quads(ds) if not str(q[3]).startswith(ENGINE)}


def test_queries_and_updates_never_fall_back_to_rdflib_engine(monkeypatch, tmp_path):
    """Regression: Dataset.update on a union dataset ran in rdflib's engine, silently."""

    def refuse(*args, **kwargs):
        raise AssertionError("rdflib's own SPARQL engine was used")

    monkeypatch.setattr(SPARQLProcessor, "query", refuse)
    monkeypatch.setattr(SPARQLUpdateProcessor, "update", refuse)
    ds = open_graph()
    assert class_counts(ds) and graph_counts(ds) and strategy_overviews(ds)
    assert export(ds, BY_NAME["ttl"])
    load_into_store(tmp_path / "store", [DATA / "plain-triples.ttl"])
    stored = open_graph(store=tmp_path / "store")
    assert class_counts(stored) and strategy_overviews(stored)
    stored.close()


def test_a_short_link_whose_contribution_is_gone_is_removed():
    ds = open_graph(data=[DATA / "plain-triples.ttl"])
    (contribution,) = ds.objects(URIRef(EX + "ws"), SG.qualifiedContribution)
    ds.remove((URIRef(EX + "ws"), SG.qualifiedContribution, contribution))
    derive(ds)
    assert not list(ds.objects(URIRef(EX + "ws"), SG.contributesTo))


def _graphs_up_to_blank_nodes(ds) -> dict:
    graphs: dict = {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        graphs.setdefault(g, Graph()).add((s, p, o))
    return {g: to_isomorphic(graph) for g, graph in graphs.items()}


def test_loading_the_same_files_twice_changes_nothing(tmp_path):
    """Regression: each load added the vocabulary again, and a second Contribution node."""
    store = tmp_path / "store"
    load_into_store(store, [DATA / "plain-triples.ttl", DATA / "quads.jsonld"])
    first = open_graph(store=store)
    once, count = _graphs_up_to_blank_nodes(first), len(_quads(first))
    first.close()
    load_into_store(store, [DATA / "plain-triples.ttl", DATA / "quads.jsonld"])
    second = open_graph(store=store)
    assert len(_quads(second)) == count
    assert _graphs_up_to_blank_nodes(second) == once
    second.close()


def test_relative_iris_are_refused_with_their_position(tmp_path):
    path = tmp_path / "relative.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b <relative> .\n", encoding="utf-8")
    with pytest.raises(GraphSourceError, match=r"relative\.ttl:2:"):
        read_files([path])


def test_a_remote_json_ld_context_is_not_fetched_and_says_so(tmp_path):
    path = tmp_path / "remote.jsonld"
    path.write_text('{"@context": "https://example.org/context.jsonld", "@id": "http://example.org/a", "name": "x"}', encoding="utf-8")
    with pytest.raises(GraphSourceError, match="remote JSON-LD @context documents are not fetched"):
        read_files([path])


def test_graph_option_must_be_an_absolute_iri(tmp_path):
    # The engine refuses the name in its own words; the command line names the flag.
    with pytest.raises(GraphSourceError, match="'mine': a graph's name must be an absolute IRI"):
        load_into_store(tmp_path / "store", [DATA / "plain-triples.ttl"], URIRef("mine"))
    result = CliRunner().invoke(main, ["load", str(DATA / "plain-triples.ttl"), "--store", str(tmp_path / "store"), "--graph", "mine"])
    assert result.exit_code == 2 and "--graph 'mine': expected an absolute IRI" in result.output
    assert not (tmp_path / "store").exists()


def test_a_users_file_that_declares_an_ontology_is_still_counted(tmp_path):
    path = tmp_path / "from-protege.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix sg: <https://w3id.org/strategy-graph/def#> .\n"
        "<http://example.org/mine> a owl:Ontology .\n<http://example.org/s> a sg:Strategy .\n",
        encoding="utf-8",
    )
    counts = {c.name: c.count for c in class_counts(open_graph(data=[path]))}
    assert counts["Strategy"] == 1


def test_plain_triples_file_goes_into_a_graph_named_by_the_file():
    path = DATA / "plain-triples.ttl"
    ds = read_files([path])
    graphs = {c.iri for c in graph_counts(ds)}
    assert graphs == {URIRef(path.resolve().as_uri())}
    assert (URIRef(EX + "strategy"), RDF.type, SG.Strategy) in ds


def test_data_files_replace_the_packaged_dataset_but_keep_the_vocabulary():
    ds = open_graph(data=[DATA / "plain-triples.ttl", DATA / "quads.jsonld"])
    names = {c.name for c in graph_counts(ds)}
    assert {"ontology", "concepts", "alignment"} <= names
    assert "strategy" not in names
    labels = {str(o) for o in ds.objects(URIRef(EX + "outcome"), RDFS.label)}
    assert labels == {"An invented outcome", "An invented outcome from JSON-LD"}
    assert (URIRef(EX + "outcome"), RDFS.label, None, URIRef("http://example.org/graph/one")) in ds


def test_a_bare_contributes_to_gets_a_contribution_node_without_rationale():
    ds = read_files([DATA / "plain-triples.ttl"])
    (contribution,) = ds.objects(URIRef(EX + "ws"), SG.qualifiedContribution)
    assert ds.value(contribution, SG.contributionTo) == URIRef(EX + "outcome")
    assert ds.value(contribution, SG.rationale) is None


def test_every_contribution_node_yields_its_short_link(ds):
    qualified = {
        (s, o)
        for s, c in ds.subject_objects(SG.qualifiedContribution)
        for o in ds.objects(c, SG.contributionTo)
    }
    assert qualified
    assert set(ds.subject_objects(SG.contributesTo)) == qualified


def test_vocabulary_files_go_into_the_graph_of_their_ontology(ds):
    names = {c.name: str(c.iri) for c in graph_counts(ds)}
    assert names["ontology"] == "https://w3id.org/strategy-graph/def"
    assert names["concepts"] == "https://w3id.org/strategy-graph/def/concepts"


def test_malformed_turtle_names_file_line_and_column():
    with pytest.raises(GraphSourceError) as caught:
        read_files([DATA / "malformed.ttl"])
    assert str(caught.value).startswith(f"{DATA / 'malformed.ttl'}:5:11: invalid ttl:")


@pytest.mark.parametrize(
    "name, content, position",
    [
        ("bad.jsonld", '{"@id": "http://example.org/a",\n "http://example.org/b": }', ":2:"),
        ("bad.rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description>\n</rdf:RDF>', ":3:"),
        ("bad.nt", "<http://example.org/a> <http://example.org/b> .\n", ":1:"),
    ],
)
def test_malformed_files_of_other_formats_name_their_position(tmp_path, name, content, position):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GraphSourceError) as caught:
        read_files([path])
    assert str(caught.value).startswith(f"{path}{position}")


def test_unknown_extension_and_missing_file_are_named(tmp_path):
    with pytest.raises(GraphSourceError, match=r"data\.csv: unknown RDF file extension '\.csv'; expected one of \.ttl"):
        read_files([tmp_path / "data.csv"])
    with pytest.raises(GraphSourceError, match=r"absent.ttl: no such file"):
        read_files([tmp_path / "absent.ttl"])


def test_load_then_open_persistent_store(tmp_path):
    store = tmp_path / "store"
    written = load_into_store(store, [DATA / "plain-triples.ttl"])
    ds = open_graph(store=store)
    try:
        assert len(_data_quads(ds)) == written.statements
        assert (URIRef(EX + "ws"), SG.contributesTo, URIRef(EX + "outcome")) in ds
        assert "ontology" in {c.name for c in graph_counts(ds)}
    finally:
        ds.close()


def test_failed_load_leaves_the_store_exactly_as_it_was(tmp_path):
    store = tmp_path / "store"
    load_into_store(store, [DATA / "plain-triples.ttl"])
    before = open_graph(store=store)
    quads_before = _quads(before)
    before.close()
    with pytest.raises(GraphSourceError):
        # The good file comes first: it must not be half-loaded either.
        load_into_store(store, [DATA / "quads.jsonld", DATA / "malformed.ttl"])
    after = open_graph(store=store)
    assert _quads(after) == quads_before
    after.close()


def test_opening_a_missing_store_says_how_to_make_one(tmp_path):
    with pytest.raises(GraphSourceError, match="no store here"):
        open_graph(store=tmp_path / "absent")
    result = CliRunner().invoke(main, ["stats", "--store", str(tmp_path / "absent")])
    assert result.exit_code == 2 and "no store here; create one with `strategy-graph load" in result.output


def test_data_and_store_together_are_refused(tmp_path):
    with pytest.raises(GraphSourceError, match="either files or a store"):
        open_graph(data=[DATA / "plain-triples.ttl"], store=tmp_path)
    for command in ("stats", "serve"):
        result = CliRunner().invoke(main, [command, "--data", str(DATA / "plain-triples.ttl"), "--store", str(tmp_path)])
        assert result.exit_code == 2 and "either --data files or --store" in result.output, (command, result.output)
