"""Every target in the document's words, with its progress judged for its kind, beside what it is for: on the home page,
the theory of change (its boxes, its list and the PDF) and the owners register; and a priority published under another
drawn as nested in the diagram (issue 26, Views).

Expectations come from the invented examples' CSV sheets (examples/example-vale, examples/example-town), read here with
the csv module, not from the program.
"""

import csv
import html
import io
import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from tests.conftest import REPO
from viewer import close, create_app

SVG = {"s": "http://www.w3.org/2000/svg"}
POLARITY = {"higher is better": 1, "lower is better": -1}


def _sheet(example: str, name: str) -> list[dict]:
    with open(REPO / "examples" / example / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", html.unescape(re.sub(r"<[^>]+>", " ", text))).split())


def _number(text: str) -> str:
    return "%g" % float(text)


def _expected(example: str) -> list[dict]:
    """Each target of the example's Targets sheet: the label of what it is shown beside (its `for`, else what its
    indicator measures), the words it must be shown in, and how its progress must end."""
    labels = {r["id"]: r["outcome"] for r in _sheet(example, "Outcomes")} | {r["id"]: r["work stream"] for r in _sheet(example, "Workstreams")}
    indicators = {r["id"]: r for r in _sheet(example, "Indicators")}
    rows = _sheet(example, "Targets")
    own = lambda r: not r.get("area") and not r.get("population group")  # the whole area's, not a comparator's or a group's
    found = []
    for row in rows:
        if row["kind"] == "baseline":
            continue
        indicator = indicators.get(row["indicator"])
        if not (row["for"] or (indicator or {}).get("measures")):
            continue  # an indicator that measures nothing is in no strategy: only its own page shows its targets
        beside = labels[row["for"] or indicator["measures"]]
        quote = row.get("quote", "")
        values = sorted((o["period"], float(o["value"])) for o in _sheet(example, "Observations")
                        if o["indicator"] == row["indicator"] and own(o))
        baselines = [float(r["value"]) for r in rows if r["kind"] == "baseline" and r["indicator"] == row["indicator"] and own(r)]
        words = [quote] if quote else []
        if row["kind"] == "milestone":
            words.append(quote)
            ends = {"yes": "reached", "no": "not reached"}.get(row["reached"], "not recorded as reached or not")
        elif row.get("population group"):
            words.append(f"for {row['population group']}")
            ends = f"not judged: the values recorded here are for the whole population, not {row['population group']}"
        elif row["kind"] == "change":
            words.append(row["value"])
            (amount,) = re.findall(r"\d+(?:\.\d+)?", row["value"])
            sign = -1 if re.search(r"fewer|decrease|reduc|lower", row["value"]) else 1
            if not baselines:
                ends = "cannot be resolved: the indicator has no baseline of its own"
            else:
                (baseline,) = baselines
                level = baseline * (1 + sign * float(amount) / 100) if "%" in row["value"] else baseline + sign * float(amount)
                words.append(f"{level:g} {indicator['unit']}")
                ends = "no value recorded yet" if not values else \
                    ("met" if (values[-1][1] - level) * sign >= 0 else "not yet met")
        else:
            words.append(f"{_number(row['value'])} {indicator['unit']}" if indicator else _number(row["value"]))
            if indicator is None:
                ends = "no value to judge it by"
            elif not values:
                ends = "no value recorded yet"
            else:
                ends = "met" if (values[-1][1] - float(row["value"])) * POLARITY[indicator["polarity"]] >= 0 else "not yet met"
        found.append({"id": row["id"], "kind": row["kind"], "beside": beside, "words": words, "due": row["date"], "ends": ends,
                      "indicator": indicator["indicator"] if indicator else ""})
    return found


@pytest.fixture(scope="module", params=["example-vale", "example-town"])
def example(request):
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / f"{request.param}.trig"]})
    yield request.param, app.test_client()
    close(app)


def _beside(page: str, label: str) -> list[str]:
    """The targets a page lists beside the item labelled ``label`` (its <ul class="targets">), each in words."""
    after = page.split(f">{html.escape(label)}</a>", 1)[1]
    if re.match(r'(?s)(.*?)(<ul class="targets">|</li>|<li>)', after).group(2) != '<ul class="targets">':
        return []
    return [_words(item) for item in after.split('<ul class="targets">', 1)[1].split("</ul>", 1)[0].split("<li>")[1:]]


def _check(shown: list[str], target: dict, named: bool = True) -> None:
    """One of ``shown`` is ``target``: its kind, its indicator (unless listed beside it: not ``named``), its words and quote,
    its date, and its progress as judged."""
    kind = {"target": "Level", "change": "Change", "milestone": "Milestone"}[target["kind"]]
    matches = [s for s in shown if s.startswith(kind) and all(w in s for w in target["words"]) and f"by {target['due']}" in s
               and (not named or target["indicator"] in s)]
    assert len(matches) == 1, (target, shown)
    assert matches[0].endswith(f"Progress: {target['ends']}.") or re.search(rf"[;:] {re.escape(target['ends'])}\.$", matches[0]), (target, matches[0])


def test_the_home_page_shows_every_target_beside_what_it_is_for(example):
    name, client = example
    page = client.get("/").get_data(as_text=True)
    expected = _expected(name)
    assert {t["kind"] for t in expected} == {"target", "change", "milestone"}
    for target in expected:
        _check(_beside(page, target["beside"]), target)


def test_the_owners_register_shows_each_things_targets_beside_it(example):
    name, client = example
    page = client.get("/owners").get_data(as_text=True)
    owned = {r["outcome"]: r["owner"] for r in _sheet(name, "Outcomes")} | {r["work stream"]: r["owner"] for r in _sheet(name, "Workstreams")}
    checked = 0
    for target in _expected(name):
        if owned.get(target["beside"]):
            _check(_beside(page, target["beside"]), target)
            checked += 1
    assert checked >= 2


def _boxes(svg: bytes) -> dict[str, str]:
    """Each box of a drawn diagram by its class, and its text in words, first line first."""
    root = ET.fromstring(svg)
    return {_words(" ".join(t.text or "" for t in g.iterfind(".//s:text", SVG))): g.get("class")
            for g in root.iterfind(".//s:g[@class]", SVG) if g.get("class").startswith("node")}


def test_the_diagrams_boxes_its_list_and_its_pdf_show_each_target_with_its_verdict(example):
    name, client = example
    boxes = _boxes(client.get("/theory-of-change.svg").data)
    listed = client.get("/theory-of-change?priority=all").get_data(as_text=True).split("<h2>The same chain as a list</h2>", 1)[1]
    pages = [_words(page.extract_text()) for page in PdfReader(io.BytesIO(client.get("/theory-of-change.pdf").data)).pages]
    verdicts = {"reached": "reached", "not reached": "not reached", "met": "met", "not yet met": "not yet met",
                "no value recorded yet": "no value yet"}
    for target in _expected(name):
        verdict = verdicts.get(target["ends"], "not recorded" if target["ends"].startswith("not recorded") else "not judged")
        (box,) = [words for words in boxes if re.match(rf"(\S+ )?{re.escape(target['beside'])}", words)]
        line = f"by {target['due']}"
        # In the box: its words, the source's own words where it has them, by when, and the verdict.
        assert all(w in box for w in target["words"][:2]) and line in box and f"— {verdict}" in box, (target, box)
        _check(_beside(listed, target["indicator"] or target["beside"]), target, named=False)
        # On a page after the map (a chain's, or the unlinked work's) that holds its box.
        assert any(all(w in p for w in target["words"][:2]) and f"— {verdict}" in p for p in pages[1:] if target["beside"] in p), target


def test_a_priority_published_under_another_is_drawn_under_it_in_the_published_order():
    rows = sorted(_sheet("example-vale", "Priorities"), key=lambda r: float(r["position"]))
    label = {r["id"]: r["priority"] for r in rows}
    (child,) = [r for r in rows if r["part of"]]
    app = create_app({"TESTING": True, "DATA": [REPO / "examples" / "example-vale.trig"]})
    try:
        client = app.test_client()
        root = ET.fromstring(client.get("/theory-of-change.svg").data)
        where = {}
        for g in root.iterfind(".//s:g[@class]", SVG):
            if g.get("class").startswith("node priority"):
                texts = g.findall(".//s:text", SVG)
                xs = [float(x) for x in re.findall(r"(-?[\d.]+),-?[\d.]+", g.find(".//s:path", SVG).get("d"))]
                where[_words(" ".join(t.text or "" for t in texts))] = ((min(xs) + max(xs)) / 2, float(texts[0].get("y")))
        at = {r["id"]: next(xy for words, xy in where.items() if re.match(rf"(\S+ )*{re.escape(r['priority'])}", words)) for r in rows}
        # The part stands before the whole it is part of, an arrow from it to it; the top priorities in one column, in the published order.
        assert at[child["id"]][0] < at[child["part of"]][0]
        arrows = {a.get("{http://www.w3.org/1999/xlink}title") for a in root.iterfind(".//s:g[@class='edge part_of']//s:a", SVG)}
        assert html.escape(f"The priority {label[child['id']]} is published under {label[child['part of']]}", quote=False) in \
            {html.escape(a, quote=False) for a in arrows}
        tops = [r["id"] for r in rows if not r["part of"]]
        assert max(at[t][0] for t in tops) - min(at[t][0] for t in tops) < 1 and sorted(tops, key=lambda t: at[t][1]) == tops
        # The list under the diagram puts it under the one it is part of.
        listed = client.get("/theory-of-change?priority=all").get_data(as_text=True).split("<h2>The same chain as a list</h2>", 1)[1]
        parent = listed.split(f">{html.escape(label[child['part of']])}</a>", 1)[1]
        assert "Priority: <a" in parent and html.escape(label[child["id"]]) in parent.split("Priority: <a", 1)[1].split("</a>", 1)[0]
    finally:
        close(app)
