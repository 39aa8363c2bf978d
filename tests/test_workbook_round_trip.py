"""The workbook's round trip, on strategies of every shape Hypothesis can think of: import, export, import gives the same graph.

Every strategy here is invented by the generator: several priorities or one,
outcomes serving one or several, chains of outcomes, people on boards and in several posts,
a partnership that leads,
comparators and population groups, amounts typed every way a user types them.
"""

import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings, strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV

from graph.engine import in_memory, named_graph, new_graph
from graph.workbook import build_graph, export, read_workbook, write_template
from graph.workbook.schema import Row

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
_WORDS = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz ,.'()-"), min_size=1, max_size=30).map(
    lambda t: t.strip() or "x").map(lambda t: f"{t} (invented)")
_AMOUNTS = st.sampled_from(["1500000", "£1,500,000", "GBP 1.5m", "250k", "12.50", "€2,000", "3 million EUR"])
_CHANGES = st.sampled_from(["10%", "-42.5%", "25% fewer", "five years longer", "reduced by 42.5%", "a 10% increase", "+3 percentage points"])
_THEMES = ["physical health", "mental wellbeing", "housing", "education"]
_STAGES = ["early years", "working-age adults", "old age"]
_GROUPS = ["whole population", "pupils eligible for free school meals (invented)", "carers (invented)"]
# A council's own terms (Codes sheet): with and without a definition, matching a packaged term closely, broadly or not at all.
_CODES = [{"id": "economy", "list": "theme", "label": "economy (invented)", "definition": "Jobs and businesses (invented)."},
          {"id": "child-poverty", "list": "theme", "label": "child poverty (invented)", "matches": "broad: income and poverty"},
          {"id": "adults", "list": "life-stage", "label": "adults (invented)", "matches": "working-age adults"},
          {"id": "care-experienced", "list": "breakdown", "label": "care experienced (invented)", "definition": "Looked after (invented)."}]
# Codes as councils publish them: some read as numbers by a spreadsheet, which must keep them as typed.
_PUBLISHED_CODES = st.sampled_from([None, "SO2", "1.1", "1.10", "2", "Priority 3", "07", "A.1 (invented)"])
# A work stream's or project's own period: years, days, or only a deadline.
_PERIODS = st.sampled_from([(None, None), (None, 2026), (2024, 2026), ("2024-04-01", "2026-03-31"), (2025, "2027-03-31")])


def _some(draw, items: list, least: int = 0) -> list:
    return draw(st.lists(st.sampled_from(items), min_size=least, max_size=len(items), unique=True)) if items else []


@st.composite
def strategies_of_every_shape(draw) -> dict[str, list[dict]]:
    """One invented strategy as workbook rows."""
    priorities = [f"p{n}" for n in range(draw(st.integers(1, 4)))]
    outcomes = [f"o{n}" for n in range(draw(st.integers(1, 5)))]
    workstreams = [f"w{n}" for n in range(draw(st.integers(0, 4)))]
    interventions = [f"i{n}" for n in range(draw(st.integers(0, 3)))]
    people = [f"person{n}" for n in range(draw(st.integers(0, 2)))]
    organisations = ["board", "council", *(f"org{n}" for n in range(draw(st.integers(0, 2))))]
    owners = organisations + people
    rows: dict[str, list[dict]] = {
        "Strategy": [{"id": "shape", "title": draw(_WORDS), "start": 2024, "end": 2030, "vision": draw(_WORDS), "led by": "board",
                      "area": "E06000099", "life course from": "early years", "life course to": "old age"}],
        # A priority may be part of an earlier one: never of itself, by any chain.
        "Priorities": [{"id": p, "priority": draw(_WORDS), "position": n + 1, "code": draw(_PUBLISHED_CODES),
                        "part of": draw(st.sampled_from([None, *priorities[:n]])),
                        **({"source": "https://example.org/invented/strategy", "quote": draw(_WORDS)} if draw(st.booleans()) else {})}
                       for n, p in enumerate(priorities)],
        "Outcomes": [{"id": o, "outcome": draw(_WORDS), "priority": "; ".join(_some(draw, priorities, 1)), "position": n + 1,
                      "owner": draw(st.sampled_from([None, *owners])), "theme": "; ".join(_some(draw, _THEMES)), "code": draw(_PUBLISHED_CODES),
                      "also worded": "\n".join(draw(st.lists(_WORDS, max_size=3, unique=True)))}
                     for n, o in enumerate(outcomes)],
        "Workstreams": [{"id": w, "work stream": draw(_WORDS), "owner": draw(st.sampled_from([None, *owners])),
                         "serves life stage": "; ".join(_some(draw, _STAGES)), "code": draw(_PUBLISHED_CODES),
                         **dict(zip(("start", "end"), draw(_PERIODS)))} for w in workstreams],
        "Interventions": [{"id": i, "intervention": draw(_WORDS), "owner": draw(st.sampled_from(owners)),
                           "partner": "; ".join(_some(draw, organisations)), "code": draw(_PUBLISHED_CODES),
                           **dict(zip(("start", "end"), draw(_PERIODS))),
                           "part of strategy": draw(st.sampled_from([None, "yes", "no"]))} for i in interventions],
        "Organisations": [{"id": "board", "name": draw(_WORDS), "kind": draw(st.sampled_from(["board", "partnership"]))},
                          {"id": "council", "name": draw(_WORDS), "kind": "organisation", "member of": "board", "role": "chair"},
                          *({"id": o, "name": draw(_WORDS)} for o in organisations[2:]),
                          *({"id": p, "name": draw(_WORDS), "kind": "person", "member of": "board",
                             "role": draw(st.sampled_from([None, "chair", "member"]))} for p in people)],
    }
    # Posts people hold: none, one, or several in several organisations, each with its role.
    rows["Posts"] = [{"id": f"{p}-post{n}", "person": p, "organisation": o, "role": draw(st.sampled_from(["chair", "vice chair", "co-leader"])),
                      **({"source": "https://example.org/invented/strategy", "quote": draw(_WORDS)} if draw(st.booleans()) else {})}
                     for p in people for n, o in enumerate(_some(draw, organisations))]
    contributors, results = workstreams + interventions + outcomes, outcomes + workstreams
    rows["Contributions"] = [
        {"id": f"c{n}", "from": source, "to": target, "rationale": draw(_WORDS), "strength": draw(st.sampled_from(["strong", "moderate", "weak"])),
         "assumptions": "\n".join(draw(st.lists(_WORDS, max_size=2, unique=True)))}
        for n, (source, target) in enumerate(draw(st.lists(st.tuples(st.sampled_from(contributors), st.sampled_from(results)),
                                                           max_size=6, unique=True)))
        if source != target]
    rows["Funding"] = [{"id": f"f{n}", "intervention": i, "funder": "council", "amount": draw(_AMOUNTS), "start": 2025, "end": 2026,
                        "status": "committed"} for n, i in enumerate(_some(draw, interventions))]
    indicators = [f"n{n}" for n in range(draw(st.integers(0, 3)))]
    rows["Indicators"] = [{"id": n, "indicator": draw(_WORDS), "measures": "; ".join(_some(draw, outcomes + workstreams, 1)),
                           "unit": "%", "polarity": "higher is better"} for n in indicators]
    rows["Targets"], rows["Observations"] = [], []
    for n in indicators:
        # One baseline for each area and group: the strategy's own, England's and a group's.
        for k, (area, group) in enumerate(_some(draw, [(None, None), ("E92000001", None), (None, _GROUPS[1])])):
            rows["Targets"].append({"id": f"{n}-b{k}", "indicator": n, "kind": "baseline", "value": draw(st.integers(0, 100)),
                                    "date": "2023/24", "area": area, "population group": group})
        if draw(st.booleans()):
            rows["Targets"].append({"id": f"{n}-t", "indicator": n, "kind": "target", "value": 70, "date": 2029})
        if draw(st.booleans()):
            rows["Targets"].append({"id": f"{n}-c", "indicator": n, "kind": "change", "value": draw(_CHANGES), "date": 2028})
        for k in range(draw(st.integers(0, 2))):
            rows["Observations"].append({"id": f"{n}-v{k}", "indicator": n, "period": f"202{k}/2{k + 1}", "value": draw(st.integers(0, 100)),
                                         "population group": draw(st.sampled_from([None, *_GROUPS]))})
    # Targets of every kind set for an outcome, a work stream or an intervention, with no indicator.
    for k, thing in enumerate(_some(draw, outcomes + workstreams + interventions)):
        kind = draw(st.sampled_from(["target", "change", "milestone"]))
        value = {"target": 90, "change": draw(_CHANGES), "milestone": None}[kind]
        rows["Targets"].append({"id": f"{thing}-t{k}", "for": thing, "kind": kind, "value": value, "date": 2027,
                                "reached": draw(st.sampled_from([None, "yes", "no"])) if kind == "milestone" else None})
    _own_codes(draw, rows)
    return rows


def _own_codes(draw, rows: dict[str, list[dict]]) -> None:
    """Some of the own terms in the Codes sheet, each choice column taking some of its list's beside the packaged ones."""
    rows["Codes"] = [dict(_CODES[n]) for n in _some(draw, list(range(len(_CODES))))]
    own = lambda name: [c["id"] for c in rows["Codes"] if c["list"] == name]
    for sheet, column, name in (("Outcomes", "theme", "theme"), ("Workstreams", "serves life stage", "life-stage")):
        for row in rows[sheet]:
            row[column] = "; ".join(filter(None, [row[column], *_some(draw, own(name))]))
    for row in rows["Indicators"]:
        row["split by"] = draw(st.sampled_from([None, "deprivation", *own("breakdown")]))


def _rows(sheets: dict[str, list[dict]]) -> list[Row]:
    """Rows as read from a workbook: numbered from 3, below the example row, and only the cells with something in."""
    return [Row(sheet, number, {k: v for k, v in cells.items() if v not in (None, "")})
            for sheet, entries in sheets.items() for number, cells in enumerate(entries, start=3)]


def _import(rows: list[Row]) -> Graph:
    """The spreadsheet graph that the rows make, beside the vocabulary alone; fails on any problem."""
    existing = in_memory(new_graph())  # the vocabulary, and nothing else
    staged, graph, problems = build_graph(rows, existing, "generated.xlsx", NOW)
    assert problems == [], "\n".join(map(str, problems))
    result = Graph()
    for s, p, o in named_graph(staged, graph):
        if not (s == graph and p in (PROV.generatedAtTime, DCTERMS.source)):
            result.add((s, p, o))
    return result, staged


def _exported_rows(staged, folder: Path) -> list[Row]:
    """The staged graph exported as a workbook, then read back as a lead's file would be."""
    sheets, unexpressed = export(in_memory(staged))
    assert unexpressed == []
    path = folder / "exported.xlsx"
    write_template(path, sheets)
    return read_workbook(path)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets=strategies_of_every_shape())
def test_import_export_import_gives_back_the_same_graph(sheets, tmp_path_factory):
    first, staged = _import(_rows(sheets))
    second, _ = _import(_exported_rows(staged, tmp_path_factory.mktemp("round-trip")))
    assert isomorphic(first, second)


_NEW_COLUMNS = {"Priorities": ("part of", "code"), "Outcomes": ("code", "also worded"), "Workstreams": ("code", "start", "end"),
                "Interventions": ("code", "start", "end")}


def _cells(value) -> str:
    """A cell as the lead reads it: a year typed as a number and the same year exported as text are one cell; lines in any order."""
    return "\n".join(sorted(str(value).splitlines())) if value not in (None, "") else ""


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets=strategies_of_every_shape())
def test_the_new_columns_come_back_cell_for_cell_and_export_import_export_keeps_every_cell(sheets, tmp_path_factory):
    """Codes, parent priorities, other wordings and periods: what the lead typed is what the exported workbook holds, twice over."""
    folder = tmp_path_factory.mktemp("cells")
    _, staged = _import(_rows(sheets))
    once = _exported_rows(staged, folder)
    _, again = _import(once)
    twice = _exported_rows(again, tmp_path_factory.mktemp("cells-again"))
    assert [(r.sheet, r.cells) for r in once] == [(r.sheet, r.cells) for r in twice]
    exported = {(r.sheet, r.text("id")): r for r in once}
    for sheet, columns in _NEW_COLUMNS.items():
        for typed in sheets[sheet]:
            row = exported[(sheet, typed["id"])]
            for column in columns:
                assert _cells(row.text(column)) == _cells(typed.get(column)), (sheet, typed["id"], column)


SHAPES = {
    "several priorities": lambda sheets: len(sheets["Priorities"]) > 1,
    "an outcome of two priorities": lambda sheets: any(";" in o["priority"] for o in sheets["Outcomes"]),
    "a chain of outcomes": lambda sheets: any(c["from"].startswith("o") for c in sheets["Contributions"]),
    "a person on the board": lambda sheets: any(o.get("kind") == "person" for o in sheets["Organisations"]),
    "a partnership leads": lambda sheets: sheets["Organisations"][0]["kind"] == "partnership",
    "a person in several posts": lambda sheets: any(sum(p["person"] == q["person"] for q in sheets["Posts"]) > 1 for p in sheets["Posts"]),
    "a comparator": lambda sheets: any(t.get("area") == "E92000001" for t in sheets["Targets"]),
    "a population group": lambda sheets: any(o.get("population group") not in (None, "whole population") for o in sheets["Observations"]),
    "a change target": lambda sheets: any(t["kind"] == "change" for t in sheets["Targets"]),
    "a milestone reached": lambda sheets: any(t.get("reached") == "yes" for t in sheets["Targets"]),
    "a target with no indicator": lambda sheets: any(t.get("for") for t in sheets["Targets"]),
    "an amount typed with its currency": lambda sheets: any(not str(f["amount"])[0].isdigit() for f in sheets["Funding"]),
    "an own term in a choice column": lambda sheets: any(c["id"] in str(o["theme"]) for c in sheets["Codes"] for o in sheets["Outcomes"]),
    "an indicator split by an own breakdown": lambda sheets: any(i["split by"] == "care-experienced" for i in sheets["Indicators"]),
    "a priority part of another": lambda sheets: any(p["part of"] for p in sheets["Priorities"]),
    "a code a spreadsheet would read as a number": lambda sheets: any(o["code"] in ("1.10", "07") for o in sheets["Outcomes"]),
    "an outcome worded twice over": lambda sheets: any("\n" in o["also worded"] for o in sheets["Outcomes"]),
    "a project with a deadline": lambda sheets: any(w.get("end") for w in sheets["Workstreams"] + sheets["Interventions"]),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_generator_makes_every_shape_the_round_trip_must_hold(shape):
    """The round trip is only evidence for the shapes the generator makes: Hypothesis must find each one."""
    find(strategies_of_every_shape(), SHAPES[shape], settings=settings(max_examples=500, deadline=None, phases=[Phase.generate],
                                                                        suppress_health_check=list(HealthCheck)))
