"""A plan's own structure: priorities published under others, published codes, an outcome's other wordings, and work with its
own period. Entered through the workbook, kept in the graph, and shown on the home page and the resource pages.

Every strategy here is invented (see each label).
"""

import datetime

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS, XSD

from graph.engine import in_memory, new_graph
from graph.vocab import ID_BASE
from graph.workbook import build_graph
from graph.workbook.schema import Row
from viewer import create_app

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
BASE = ID_BASE + "nested-plan/"
# Typed out of the published order, to show that the order comes from the positions.
TYPED = {
    "Strategy": [{"id": "nested-plan", "title": "Nested Plan (invented)", "start": 2017, "end": 2027, "area": "E06000099"}],
    "Priorities": [
        {"id": "place", "priority": "Place (invented)", "position": 3, "code": "Priority 3"},
        {"id": "adults", "priority": "Adults (invented)", "position": 2, "part of": "people", "code": "2b"},
        {"id": "economy", "priority": "Economy (invented)", "position": 1, "code": "Priority 1"},
        {"id": "children", "priority": "Children and young people (invented)", "position": 1, "part of": "people", "code": "2a"},
        {"id": "people", "priority": "People (invented)", "position": 2, "code": "Priority 2"},
    ],
    "Outcomes": [{"id": "living-wage", "outcome": "More people in fair work (invented)", "priority": "economy", "code": "SO2", "owner": "council",
                  "also worded": "90% of working people in Living Wage employment (invented)\nFair work for all (invented)"}],
    "Workstreams": [{"id": "start-ups", "work stream": "More start-up businesses (invented)", "code": "1.1", "start": 2019, "end": 2021,
                     "owner": "council"}],
    "Contributions": [{"id": "c1", "from": "start-ups", "to": "living-wage", "rationale": "New firms employ people (invented)."}],
    "Organisations": [{"id": "council", "name": "Invented Council"}],
    "Interventions": [{"id": "grants", "intervention": "Start-up grants (invented)", "code": "1.1.2", "start": "2020-04-01",
                       "end": "2021-03-31"}],
}


def _rows(sheets: dict[str, list[dict]]) -> list[Row]:
    return [Row(sheet, number, cells) for sheet, entries in sheets.items() for number, cells in enumerate(entries, start=3)]


def _build(sheets: dict[str, list[dict]]):
    return build_graph(_rows(sheets), in_memory(new_graph()), "typed.xlsx", NOW)


def _with(sheet: str, n: int, **cells) -> dict[str, list[dict]]:
    """TYPED with some cells of one row changed."""
    changed = {name: [dict(row) for row in rows] for name, rows in TYPED.items()}
    changed[sheet][n].update(cells)
    return changed


@pytest.fixture(scope="module")
def staged():
    ds, _, problems = _build(TYPED)
    assert problems == [], "\n".join(map(str, problems))
    return ds


def test_a_priority_is_part_of_the_priority_it_is_published_under(staged):
    part_of = {(s, o) for s, o in staged.subject_objects(DCTERMS.isPartOf) if "/priority/" in str(s)}
    assert part_of == {(URIRef(BASE + "priority/children"), URIRef(BASE + "priority/people")),
                       (URIRef(BASE + "priority/adults"), URIRef(BASE + "priority/people"))}


def test_codes_are_kept_as_published_on_priorities_outcomes_work_streams_and_interventions(staged):
    codes = {str(s).removeprefix(BASE): str(o) for s, o in staged.subject_objects(SKOS.notation) if str(s).startswith(BASE)}
    assert codes == {"priority/place": "Priority 3", "priority/adults": "2b", "priority/economy": "Priority 1",
                     "priority/children": "2a", "priority/people": "Priority 2", "outcome/living-wage": "SO2",
                     "workstream/start-ups": "1.1", "intervention/grants": "1.1.2"}


def test_an_outcomes_other_wordings_are_its_alternative_labels(staged):
    outcome = URIRef(BASE + "outcome/living-wage")
    assert set(map(str, staged.objects(outcome, SKOS.altLabel))) == {
        "90% of working people in Living Wage employment (invented)", "Fair work for all (invented)"}
    assert str(staged.value(outcome, SKOS.prefLabel) or "") == ""  # the label stays the rdfs:label it was


@pytest.mark.parametrize("ident, start, end", [
    ("workstream/start-ups", Literal("2019", datatype=XSD.gYear), Literal("2021", datatype=XSD.gYear)),
    ("intervention/grants", Literal(datetime.date(2020, 4, 1), datatype=XSD.date), Literal(datetime.date(2021, 3, 31), datatype=XSD.date)),
])
def test_work_has_its_own_period_stated_as_the_strategys_is(staged, ident, start, end):
    period = staged.value(URIRef(BASE + ident), DCTERMS.temporal)
    assert period is not None
    assert (staged.value(period, DCAT.startDate), staged.value(period, DCAT.endDate)) == (start, end)


def test_a_priority_part_of_itself_by_a_chain_is_refused_at_its_cell():
    _, _, problems = _build(_with("Priorities", 4, **{"part of": "adults"}))  # people under adults, under people
    found = [str(p) for p in problems]
    assert "Priorities row 4, column 'part of': 'people' is, or is part of, this priority; expected the id of another priority, not one under this one" in found
    assert "Priorities row 7, column 'part of': 'adults' is, or is part of, this priority; expected the id of another priority, not one under this one" in found


def test_a_parent_that_is_not_a_priority_is_refused():
    _, _, problems = _build(_with("Priorities", 0, **{"part of": "living-wage"}))
    assert [(p.sheet, p.row, p.column) for p in problems] == [("Priorities", 3, "part of")]
    assert "'living-wage' is a row of Outcomes" in str(problems[0])


def test_work_that_ends_before_it_starts_is_refused():
    _, _, problems = _build(_with("Workstreams", 0, start=2022, end=2021))
    assert [str(p) for p in problems] == ["Workstreams row 3, column 'end': it ends (2021) before it starts (2022); "
                                          "expected an end on or after the start"]


@pytest.fixture(scope="module")
def client(staged, tmp_path_factory):
    path = tmp_path_factory.mktemp("nested") / "nested.trig"
    staged.serialize(path, format="trig")
    app = create_app({"TESTING": True, "DATA": [path]})
    yield app.test_client()
    app.extensions["sparql"].close()


def test_the_home_page_nests_priorities_in_the_published_order_with_their_codes(client):
    page = client.get("/").get_data(as_text=True)
    section = page[page.index("Strategic priorities"):page.index("Target outcomes")]
    words = ["Priority 1", "Economy (invented)", "Priority 2", "People (invented)", "<ul>", "2a", "Children and young people (invented)",
             "2b", "Adults (invented)", "</ul>", "Priority 3", "Place (invented)"]
    places = [section.find(w) for w in words]
    assert -1 not in places and places == sorted(places), dict(zip(words, places))
    assert section.count("<ul>") == 1  # only People holds others
    assert "SO2</span> <a" in page and "1.1</span> <a" in page


def _page(client, ident: str) -> str:
    return client.get("/resource", query_string={"iri": BASE + ident}).get_data(as_text=True)


def test_a_work_streams_page_shows_its_code_and_its_period(client):
    page = _page(client, "workstream/start-ups")
    assert "<td>code</td><td>1.1</td>" in page and ">2019 to 2021</a>" in page


def test_an_interventions_page_shows_its_code_and_its_period(client):
    page = _page(client, "intervention/grants")
    assert "<td>code</td><td>1.1.2</td>" in page and ">2020-04-01 to 2021-03-31</a>" in page


def test_an_outcomes_page_shows_its_code_and_every_wording(client):
    page = _page(client, "outcome/living-wage")
    assert "<td>code</td><td>SO2</td>" in page
    assert "<td>also worded</td><td>90% of working people in Living Wage employment (invented)</td>" in page
    assert "<td>also worded</td><td>Fair work for all (invented)</td>" in page


def test_a_priorities_page_shows_the_priority_it_is_part_of(client):
    page = _page(client, "priority/adults")
    assert "<td>code</td><td>2b</td>" in page
    assert f'<td>part of</td><td><a href="/resource?iri={BASE}priority/people">People (invented)</a></td>' in page


def test_the_theory_of_change_offers_nested_priorities_in_the_published_order_and_codes_its_boxes(client):
    page = client.get("/theory-of-change", query_string={"priority": "all"}).get_data(as_text=True)
    start = page.index('<nav class="priorities"')
    nav = page[start:page.index("</nav>", start)]
    words = ["Priority 1 Economy (invented)", "Priority 2 People (invented)", "2a Children and young people (invented)",
             "2b Adults (invented)", "Priority 3 Place (invented)", "All priorities"]
    places = [nav.find(w) for w in words]
    assert -1 not in places and places == sorted(places), dict(zip(words, places))
    # People holds its two parts, and nothing else holds any.
    assert "Priority 2 People (invented)</a><ul><li>" in nav and "2b Adults (invented)</a></li></ul></li><li>" in nav
    assert nav.count("<ul>") == 2
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert ">SO2 More people in fair work<" in svg and ">1.1.2 Start&#45;up grants<" in svg
    assert svg.count(">Part of: People (invented)<") == 2


def test_the_registers_show_codes_beside_labels(client):
    owners = client.get("/owners").get_data(as_text=True)
    assert f'<span class="code">SO2</span> <a href="/resource?iri={BASE}outcome/living-wage">More people in fair work (invented)</a>' in owners
    assert f'<span class="code">1.1</span> <a href="/resource?iri={BASE}workstream/start-ups">More start-up businesses (invented)</a>' in owners
    links = client.get("/contributions").get_data(as_text=True)
    row = links[links.index("<tbody"):]
    assert f'<td><span class="code">1.1</span> <a href="/resource?iri={BASE}workstream/start-ups">' in row
    assert f'<td><span class="code">SO2</span> <a href="/resource?iri={BASE}outcome/living-wage">' in row
