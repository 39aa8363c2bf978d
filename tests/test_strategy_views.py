"""A view of one strategy reads only the unit of validation that holds it, and a new snapshot keeps what an unchanged unit gave."""

import pytest

from graph import files
from graph.analysis import analyse, within
from graph.contributions import chosen
from graph.diagram import of_strategy
from graph.engine import load
from graph.strategies import strategy_overviews
from tests.conftest import REPO
from viewer import close, create_app
from viewer.data import build

TOWN = "https://w3id.org/strategy-graph/id/example-town/strategy"
EXAMPLES = [REPO / "examples" / "example-town.trig", REPO / "examples" / "example-vale.trig"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("views") / "store"
    load(folder, files.dataset_files() + EXAMPLES)
    return folder


def _same(a, b) -> bool:
    return dict(a.nodes(data=True)) == dict(b.nodes(data=True)) and sorted(a.edges(data=True)) == sorted(b.edges(data=True))


def test_a_view_of_one_strategy_shows_what_the_whole_graph_shows_of_it(store):
    snapshot = build(store)
    assert len(snapshot.strategies) == 3
    g = snapshot.projection
    for strategy in (s.iri for s in snapshot.strategies):
        own = snapshot.projection_for(strategy)
        # Only its unit: no other strategy's things.
        assert {d["strategy"] for _, d in own.nodes(data=True)} <= {strategy, None}
        assert _same(within(own, strategy), within(g, strategy))
        assert snapshot.diagram_of(strategy) == of_strategy(*snapshot.diagram, g, strategy)
        assert chosen(snapshot.contributions_for(strategy), own, strategy) == chosen(snapshot.contributions, g, strategy)
        assert snapshot.analysis_of(strategy) == analyse(snapshot.graph, within(g, strategy))
        assert snapshot.readings(strategy) and snapshot.diagram_of(strategy)[0]


def test_a_new_snapshot_takes_from_the_last_what_its_unchanged_units_gave(store, tmp_path):
    earlier = build(store)
    town = earlier.units[TOWN]
    earlier.diagram_of(TOWN)
    others = {s.iri: s for s in earlier.strategies if s.iri != TOWN}
    for strategy in others:
        earlier.diagram_of(strategy)
    renamed = tmp_path / "renamed.trig"  # a second label, first in code-point order: the one the pages show
    renamed.write_text(f"<https://example.org/graph/renamed> {{ <{TOWN}> <http://www.w3.org/2000/01/rdf-schema#label> \"A renamed town\" }}\n")
    load(store, [renamed])
    later = build(store, earlier)
    assert later.units[TOWN] != town
    assert later.strategies == strategy_overviews(later.graph)
    assert next(s for s in later.strategies if s.iri == TOWN).label == "A renamed town"
    for strategy, overview in others.items():
        assert next(s for s in later.strategies if s.iri == strategy) is overview  # taken, not read again
        assert later.diagram_of(strategy) is earlier.diagram_of(strategy)
    assert later.diagram_of(TOWN) == of_strategy(*later.diagram, later.projection, TOWN)


def test_an_outcome_of_another_strategy_shows_the_whole_diagram(store):
    """The form sent as the strategy changed names an outcome of the last one: the new strategy's diagram is shown whole."""
    app = create_app({"TESTING": True, "STORE": store})
    try:
        snapshot = app.extensions["snapshot"]
        vale = next(s.iri for s in snapshot.strategies if "example-vale" in s.iri)
        outcome = next(b.iri for b in snapshot.diagram_of(vale)[0] if b.kind == "outcome")
        client = app.test_client()
        whole = client.get("/theory-of-change", query_string={"strategy": TOWN})
        asked = client.get("/theory-of-change", query_string={"strategy": TOWN, "outcome": outcome})
        assert whole.status_code == asked.status_code == 200
        assert asked.text == whole.text
    finally:
        close(app)
