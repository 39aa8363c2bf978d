"""The gaps page a strategy lead reads: a summary first, each fix in the workbook's words, counts that agree with the home page."""

import csv
import io
import re

from bs4 import BeautifulSoup

from graph.engine import packaged_rules
from graph.workbook import SHEETS

# The issue measured the page at 21,888 px on a 390 x 844 phone on 77d82ad: every one of 101 gaps said its label twice,
# in a list of its own, and the two indicator rules alone listed 35 indicators each. Without those repeats, with the
# long lists folded and a summary table added, the page must be at most half that (8,958 px measured when written:
# room for the wording to change, none for the wall to come back).
OLD_HEIGHT = 21_888
# What a strategy lead fills in to close the gaps Luton's report has, as the template's sheets and columns name them.
CLOSED_BY = {
    "outcome-without-owner": ("Outcomes", ["owner"]),
    "intervention-without-funding": ("Funding", ["intervention", "funder", "amount", "status"]),
    "indicator-without-baseline": ("Targets", ["indicator", "kind", "value", "date"]),
    "indicator-without-target": ("Targets", ["indicator", "kind", "value", "date"]),
    "workstream-without-outcome": ("Contributions", ["from", "to", "rationale"]),
    "intervention-without-contribution": ("Contributions", ["from", "to", "rationale"]),
    "contribution-without-evidence-or-assumptions": ("Contributions", ["assumptions", "evidence"]),
    "board-without-named-members": ("Organisations", ["member of", "role"]),
    "inequality-without-split-indicator": ("Indicators", ["split by"]),
    "outcome-without-funded-intervention": ("Funding", ["intervention", "amount", "status"]),
}
_CURIE = re.compile(r"\b(sg|schema|org|dcterms|dcat|sdmx-measure|sdmx-dimension):[A-Za-z]+")


def _soup(client, path: str) -> BeautifulSoup:
    response = client.get(path)
    assert response.status_code == 200, path
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _summary(page: BeautifulSoup) -> dict[str, str]:
    """The summary table: each rule's id (its link's target) and its count as the page words it."""
    rows = page.select("table#by-rule tbody tr")
    return {row.th.a["href"].removeprefix("#"): row.find_all("td")[-1].get_text(" ", strip=True) for row in rows}


def test_each_fix_names_the_sheet_and_column_to_fill_in_and_keeps_the_property(client):
    page = _soup(client, "/gaps")
    sections = {s["id"]: s for s in page.select("section.rule")}
    assert set(CLOSED_BY) <= set(sections)
    for rule, (sheet, columns) in CLOSED_BY.items():
        fix = sections[rule].find("strong", string="How to close it:").parent.get_text(" ", strip=True)
        workbook = re.search(r"In the workbook: (.*?)\.(?: In the graph|$)", fix)
        assert workbook, (rule, fix)
        named = dict(re.findall(r"sheet (\w+), columns? ((?:'[^']+'(?:, | and )?)+)", workbook.group(1)))
        assert sheet in named, (rule, fix)
        assert set(columns) <= set(re.findall(r"'([^']+)'", named[sheet])), (rule, fix)
        # The plain words name no RDF term; the terms stay, apart, for SPARQL.
        plain = fix.split("In the workbook:")[0]
        assert not _CURIE.search(plain), (rule, plain)
        assert _CURIE.search(sections[rule].select_one(".terms").get_text()), rule


def test_every_packaged_gap_rule_says_where_in_the_workbook_to_close_it():
    from graph.workbook.fixes import workbook_fix  # here: the module is new, and the other tests read only pages

    template = {sheet.name: {c.name for c in sheet.columns} for sheet in SHEETS}
    for rule in packaged_rules().values():
        if rule.id.startswith("well-formed") or rule.id == "missing-label":
            continue  # structural: the import refuses such rows, and says so at their cell
        fix = workbook_fix(rule)
        assert fix.cells, rule.id
        for sheet, columns in fix.cells:
            assert set(columns) <= template[sheet], rule.id
        assert not _CURIE.search(fix.text) and fix.terms, rule.id


def test_no_gap_says_its_label_twice(client):
    page = _soup(client, "/gaps")
    items = page.select("section.rule .found li")
    assert len(items) == len(list(csv.DictReader(io.StringIO(client.get("/gaps.csv").data.decode("utf-8-sig")))))  # every gap
    for item in items:
        label = item.a.get_text()
        assert item.get_text().count(label) == 1, item.get_text()


def test_the_counts_of_the_gaps_page_and_the_home_page_agree_and_say_why_they_differ(client):
    gaps, home = _soup(client, "/gaps"), _soup(client, "/")
    counts = _summary(gaps)
    # The case: the home page counted 2 interventions without funding, the gaps page 3, one of work that
    # belongs to no strategy (the Family Hubs programme, from outside it).
    assert counts["intervention-without-funding"] == "3, of which 1 belongs to no strategy"
    headline = {li.a["href"].split("#", 1)[1]: li.get_text(" ", strip=True) for li in home.select(".headline-gaps li") if li.a}
    assert re.search(r": 2 \(the gaps page lists 1 more, of things that belong to no strategy\)$", headline["intervention-without-funding"])
    # Every headline and every summary row agree with each other and with the CSV download, record by record.
    rows = list(csv.DictReader(io.StringIO(client.get("/gaps.csv").data.decode("utf-8-sig"))))
    for rule, said in counts.items():
        of_rule = [r for r in rows if r["rule"] == rule]
        unowned = sum(not r["strategy"] for r in of_rule)
        assert said == (f"{len(of_rule)}, of which {unowned} belong{'s' if unowned == 1 else ''} to no strategy" if unowned else str(len(of_rule)))
        if rule in headline:
            own = int(re.search(r": (\d+)", headline[rule]).group(1))
            more = re.search(r"lists (\d+) more", headline[rule])
            assert own == len(of_rule) - unowned and (int(more.group(1)) if more else 0) == unowned, rule
    assert {r["rule"] for r in rows if r["severity"] != "info" and r["strategy"]} == set(headline)


def test_on_a_phone_the_page_is_far_shorter_and_its_summary_reaches_every_section(browser, luton_server):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(luton_server + "/gaps")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= OLD_HEIGHT / 2, height
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        links = page.locator("table#by-rule tbody th a")
        sections = page.locator("section.rule")
        targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert targets == ["#" + sections.nth(i).get_attribute("id") for i in range(sections.count())] and len(targets) == 10
        for target in targets:
            page.evaluate("window.scrollTo(0, 0)")
            page.click(f'table#by-rule a[href="{target}"]')
            assert page.evaluate("location.hash") == target
            # The section is on screen: at the top, or as near it as the end of the page allows.
            top = page.evaluate(f"document.getElementById('{target[1:]}').getBoundingClientRect().top")
            at_end = page.evaluate("window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1")
            assert -2 < top < 844 and (top < 2 or at_end), (target, top)
    finally:
        page.close()
