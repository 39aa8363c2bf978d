"""People in several posts (the Posts sheet, W3C ORG) and a partnership that leads (issue 26, items 6 and 7).

Every row here is invented: a community planning partnership, shaped as a Scottish
Local Outcome Improvement Plan's is, led by a chair and a vice chair.
"""

import datetime

import pytest
from rdflib import FOAF, RDF, RDFS, URIRef
from rdflib.namespace import ORG

from graph.engine import in_memory, named_graph, new_graph
from graph.owners import owners, posts
from graph.vocab import SG
from graph.workbook import build_graph, export
from graph.workbook.schema import BY_SHEET, Row
from viewer import close, create_app

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
BASE = "https://w3id.org/strategy-graph/id/invented-loip/"
SOURCE = "https://example.org/invented/loip.pdf"
SHEETS = {
    "Strategy": [{"id": "invented-loip", "title": "Invented Local Outcome Improvement Plan", "start": 2016, "end": 2026,
                  "led by": "partnership", "area": "S12000033"}],
    "Priorities": [{"id": "people", "priority": "People (invented)", "position": 1}],
    "Outcomes": [{"id": "so1", "outcome": "Invented stretch outcome", "owner": "partnership"}],
    "Workstreams": [{"id": "w1", "work stream": "Invented improvement project", "owner": "partnership"}],
    "Organisations": [
        {"id": "partnership", "name": "Invented Community Planning Partnership", "kind": "partnership", "sector": "public sector"},
        {"id": "council", "name": "Invented City Council", "kind": "organisation", "member of": "partnership", "role": "statutory partner"},
        {"id": "police", "name": "Invented Police Service", "kind": "organisation"},
        {"id": "councillor", "name": "Councillor Invented Person", "kind": "person"},
        {"id": "officer", "name": "Chief Superintendent Invented Person", "kind": "person"},
    ],
    "Posts": [
        {"id": "chair", "person": "councillor", "organisation": "partnership", "role": "chair", "source": SOURCE,
         "quote": "The partnership is chaired by Councillor Invented Person (invented)."},
        {"id": "co-leader", "person": "councillor", "organisation": "council", "role": "co-leader of the council"},
        {"id": "vice-chair", "person": "officer", "organisation": "partnership", "role": "vice chair"},
        {"id": "divisional-commander", "person": "officer", "organisation": "police", "role": "divisional commander"},
    ],
}


def _rows(sheets: dict) -> list[Row]:
    return [Row(sheet, number, {k: v for k, v in cells.items() if v not in (None, "")})
            for sheet, entries in sheets.items() for number, cells in enumerate(entries, start=3)]


def _import(sheets: dict):
    staged, graph, problems = build_graph(_rows(sheets), in_memory(new_graph()), "invented.xlsx", NOW)
    return staged, graph, problems


@pytest.fixture(scope="module")
def imported():
    staged, graph, problems = _import(SHEETS)
    assert problems == [], "\n".join(map(str, problems))
    return staged, graph


def _iri(path: str) -> URIRef:
    return URIRef(BASE + path)


def _role(g, post) -> str:
    return str(g.value(g.value(post, ORG.role), RDFS.label))


def test_a_person_holds_several_posts_in_several_organisations_as_w3c_org_posts(imported):
    staged, graph = imported
    g = named_graph(staged, graph)
    councillor, officer = _iri("organisation/councillor"), _iri("organisation/officer")
    assert (councillor, RDF.type, FOAF.Person) in g
    held = {(str(g.value(p, ORG.postIn)).removeprefix(BASE), _role(g, p)) for p in g.objects(councillor, ORG.holds)}
    assert held == {("organisation/partnership", "chair"), ("organisation/council", "co-leader of the council")}
    held = {(str(g.value(p, ORG.postIn)).removeprefix(BASE), _role(g, p)) for p in g.objects(officer, ORG.holds)}
    assert held == {("organisation/partnership", "vice chair"), ("organisation/police", "divisional commander")}
    chair = _iri("post/chair")
    assert (chair, RDF.type, ORG.Post) in g and (chair, ORG.heldBy, councillor) in g
    assert str(g.value(chair, SG.quote)) == "The partnership is chaired by Councillor Invented Person (invented)."


def test_a_partnership_leads_the_strategy_owns_its_work_and_is_sat_on(imported):
    staged, graph = imported
    g = named_graph(staged, graph)
    partnership = _iri("organisation/partnership")
    assert {ORG.OrganizationalCollaboration, ORG.Organization} <= set(g.objects(partnership, RDF.type))
    assert (partnership, RDF.type, SG.Board) not in g
    assert g.value(_iri("strategy"), SG.ledBy) == partnership
    assert g.value(_iri("outcome/so1"), SG.owner) == partnership == g.value(_iri("workstream/w1"), SG.owner)
    # A body sits on a partnership as on a board: by a membership, with its role.
    (membership,) = g.subjects(ORG.member, _iri("organisation/council"))
    assert g.value(membership, ORG.organization) == partnership and _role(g, membership) == "statutory partner"


def test_export_gives_back_every_cell_of_the_posts_and_the_partnership(imported):
    staged, _ = imported
    sheets, unexpressed = export(in_memory(staged))
    assert unexpressed == []
    columns = [c.name for c in BY_SHEET["Posts"].columns if c.name != "iri"]
    assert sorted(({c: r.get(c) for c in columns} for r in sheets["Posts"]), key=lambda r: r["id"]) == \
        sorted(({c: r.get(c) for c in columns} for r in SHEETS["Posts"]), key=lambda r: r["id"])
    kinds = {r["id"]: r["kind"] for r in sheets["Organisations"]}
    assert kinds == {o["id"]: o["kind"] for o in SHEETS["Organisations"]}
    # The person's posts are Posts rows, not a lost second board of the Organisations row.
    assert not any(r.get("member of") for r in sheets["Organisations"] if r["kind"] == "person")


def test_a_post_held_by_something_that_is_not_a_person_is_refused_at_its_cell():
    broken = {**SHEETS, "Posts": [{"id": "chair", "person": "council", "organisation": "partnership", "role": "chair"}]}
    _, _, problems = _import(broken)
    assert [(p.sheet, p.row, p.column) for p in problems] == [("Posts", 3, "person")]
    assert "'council' is not a person" in problems[0].problem and "kind is person" in problems[0].expected


def test_a_post_in_a_person_is_refused_at_its_cell():
    broken = {**SHEETS, "Posts": [{"id": "chair", "person": "councillor", "organisation": "councillor", "role": "chair"}]}
    _, _, problems = _import(broken)
    assert [(p.sheet, p.row, p.column) for p in problems] == [("Posts", 3, "organisation")]
    assert "'councillor' is a person" in problems[0].problem and "board or partnership" in problems[0].expected


def test_a_post_needs_its_person_its_organisation_and_its_role():
    broken = {**SHEETS, "Posts": [{"id": "chair"}]}
    _, _, problems = _import(broken)
    assert sorted((p.sheet, p.row, p.column) for p in problems) == [("Posts", 3, c) for c in ("organisation", "person", "role")]


def test_a_member_of_an_organisation_that_is_neither_board_nor_partnership_is_refused():
    organisations = [dict(o) for o in SHEETS["Organisations"]]
    organisations[2]["member of"] = "council"
    _, _, problems = _import({**SHEETS, "Organisations": organisations})
    assert [(p.sheet, p.row, p.column) for p in problems] == [("Organisations", 5, "member of")]
    assert "'council' is not a board or partnership" in problems[0].problem


def test_the_owners_register_shows_the_partnership_its_posts_and_who_holds_them(imported):
    staged, _ = imported
    found = {o.label: o for o in owners(in_memory(staged))}
    partnership = found["Invented Community Planning Partnership"]
    assert partnership.kind == "partnership"
    assert [(p.role, p.holder.label) for p in partnership.posts] == [
        ("chair", "Councillor Invented Person"), ("vice chair", "Chief Superintendent Invented Person")]
    held = [(p.role, p.organisation.label) for p in posts(in_memory(staged), _iri("organisation/councillor"))]
    # By organisation, then role.
    assert held == [("co-leader of the council", "Invented City Council"), ("chair", "Invented Community Planning Partnership")]


@pytest.fixture(scope="module")
def client(imported, tmp_path_factory):
    staged, _ = imported
    path = tmp_path_factory.mktemp("posts") / "invented.trig"
    staged.serialize(path, format="trig")
    app = create_app({"TESTING": True, "DATA": [path]})
    yield app.test_client()
    close(app)


def test_the_owners_page_and_the_partnership_page_show_the_posts_and_who_holds_them(client):
    page = client.get("/owners").get_data(as_text=True)
    section = page[page.index("Invented Community Planning Partnership</a> <span class=\"kind\">(partnership)</span>"):]
    section = section[:section.index("</section>")]
    assert "chair:" in section and "Councillor Invented Person" in section
    assert "vice chair:" in section and "Chief Superintendent Invented Person" in section
    page = client.get("/resource", query_string={"iri": BASE + "organisation/partnership"}).get_data(as_text=True)
    posts_table = page[page.index('<section class="posts">'):]
    posts_table = posts_table[:posts_table.index("</section>")]
    assert posts_table.index(">chair<") < posts_table.index("Councillor Invented Person") < posts_table.index(">vice chair<") \
        < posts_table.index("Chief Superintendent Invented Person")
    page = client.get("/resource", query_string={"iri": BASE + "organisation/councillor"}).get_data(as_text=True)
    assert ">co-leader of the council<" in page and "Invented City Council" in page
