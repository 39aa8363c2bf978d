"""`strategy-graph draft` reads a strategy's period in every form its title or a sentence gives it (issue 27, item 3),
and reports what it read when it drafts nothing (item 4).

Every document here is invented. Each expected start and end is worked out by hand from the years the document
writes: a two-digit end takes the century of the start (the next one if it would end before it starts), and a
financial year "2025/26" ends in 2026.
"""

import pytest

from graph.draft import DraftError, draft
from strategy_graph.cli import main

# What every document below holds after its title and its period, so that there is something to draft.
_BODY = "\n\nTest data, invented: this document describes no real place.\n\nWe will:\n\n- open a family hub in every ward\n"


def _document(tmp_path, text: str, name: str = "plan.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _period(drafted) -> tuple[str | None, str | None]:
    (strategy,) = drafted.rows["Strategy"]
    return strategy.get("start"), strategy.get("end")


@pytest.mark.parametrize(("title", "years", "words"), [
    ("Ashdown Children and Young People's Plan 2016-26", ("2016", "2026"), "2016-26"),
    ("Ashdown Local Outcome Improvement Plan 2017–21", ("2017", "2021"), "2017–21"),
    ("Ashdown Well-being Plan 2016-2026", ("2016", "2026"), "2016-2026"),
    ("Ashdown Health and Wellbeing Strategy 2023 to 2028", ("2023", "2028"), "2023 to 2028"),
    ("Ashdown Integrated Care Strategy 2021/22 – 2025/26", ("2021", "2026"), "2021/22 – 2025/26"),
    ("Ashdown Climate Action Plan 2021/22 to 2025/26", ("2021", "2026"), "2021/22 to 2025/26"),
    ("Ashdown Council Plan 2024–2029", ("2024", "2029"), "2024–2029"),  # en dash
    ("Ashdown Council Plan 2024—2029", ("2024", "2029"), "2024—2029"),  # em dash
    ("Ashdown Millennium Plan 1999-04", ("1999", "2004"), "1999-04"),  # the end is in the next century
    ("Ashdown Long Plan 2098-02", ("2098", "2102"), "2098-02"),
    ("Ashdown Schools Plan 2019/20-2022/23", ("2019", "2023"), "2019/20-2022/23"),
])
def test_a_title_gives_the_period_in_any_form(tmp_path, title, years, words):
    drafted = draft(_document(tmp_path, f"# {title}{_BODY}"))
    assert _period(drafted) == years
    assert drafted.rows["Strategy"][0]["title"] == title
    assert f"period: {years[0]} to {years[1]}, by rule period-in-title (the title's words '{words}')" in drafted.report


def test_an_html_title_written_with_an_entity_gives_its_period(tmp_path):
    page = _document(tmp_path, "<h1>Ashdown Integrated Care Strategy 2023&ndash;28</h1><p>Test data, invented.</p>"
                               "<p>We will:</p><ul><li>open a family hub in every ward</li></ul>", "plan.html")
    drafted = draft(page)
    assert _period(drafted) == ("2023", "2028")
    assert "period: 2023 to 2028, by rule period-in-title (the title's words '2023–28')" in drafted.report


@pytest.mark.parametrize(("sentence", "years", "rule", "words"), [
    ("This plan covers the period 2019 to 2024.", ("2019", "2024"), "period-in-sentence",
     "plan covers the period 2019 to 2024"),
    ("Our ten-year plan runs from 2020 until 2030.", ("2020", "2030"), "period-in-sentence",
     "plan runs from 2020 until 2030"),
    ("Our plan sets out what the partners will do over 2023-28.", ("2023", "2028"), "period-in-sentence",
     "plan sets out what the partners will do over 2023-28"),
    ("The strategy is for the years 2021/22 to 2025/26.", ("2021", "2026"), "period-in-sentence",
     "strategy is for the years 2021/22 to 2025/26"),
    ("2021/22 – 2025/26", ("2021", "2026"), "period-on-its-own", "2021/22 – 2025/26"),  # a cover's line under the title
])
def test_when_the_title_gives_no_years_a_sentence_about_the_plan_does(tmp_path, sentence, years, rule, words):
    drafted = draft(_document(tmp_path, f"# Ashdown Together\n\n{sentence}{_BODY}"))
    assert _period(drafted) == years
    assert f"period: {years[0]} to {years[1]}, by rule {rule} (line 3: '{words}')" in drafted.report
    assert not any("its title gives no years" in line for line in drafted.report)


def test_a_statistics_period_is_not_the_strategys(tmp_path):
    statistics = ("In 2019/20, 23% of children in Ashdown were overweight. Life expectancy in 2017-19 was 79 years. "
                  "The plan's area saw obesity rise by 5% over 2015-18. Ashdown's data for 2016-2018 is published.")
    drafted = draft(_document(tmp_path, f"# Ashdown Together\n\n{statistics}{_BODY}"))
    assert _period(drafted) == (None, None)
    assert ("not found: the strategy's period (neither its title nor a sentence about the plan gives its years): "
            "fill in start and end, which the import needs") in drafted.report
    drafted = draft(_document(tmp_path, f"# Ashdown Together\n\n{statistics} This strategy covers 2022 to 2027.{_BODY}"))
    assert _period(drafted) == ("2022", "2027")
    assert not any("2015" in line or "2016" in line or "2017" in line for line in drafted.report)


def test_a_month_is_not_a_period_and_another_period_is_reported_not_drafted(tmp_path):
    # "2016-12" read as a period would be 2016 to 2112: a month, most likely.
    drafted = draft(_document(tmp_path, f"# Ashdown Plan, revised 2016-12{_BODY}"))
    assert _period(drafted) == (None, None)
    drafted = draft(_document(tmp_path, f"# Ashdown Plan 2024-29\n\nThis plan replaces the strategy for 2019-23.{_BODY}"))
    assert _period(drafted) == ("2024", "2029")
    assert ("ambiguous: another period, 2019 to 2023, by rule period-in-sentence (line 3: 'strategy for 2019-23'); "
            "not drafted") in drafted.report


def test_a_draft_from_a_title_ending_2016_26_passes_an_import_dry_run(runner, tmp_path):
    document = _document(tmp_path, "# Ashdown Children and Young People's Plan 2016-26" + _BODY)
    output = tmp_path / "plan.xlsx"
    drafted = runner.invoke(main, ["draft", str(document), "-o", str(output)])
    assert drafted.exit_code == 0, drafted.output
    dry = runner.invoke(main, ["import", str(output), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "period: 2016 to 2026, by rule period-in-title (the title's words '2016-26')" in drafted.stderr


# -- item 4: when nothing is drafted, the report still says what was read

_NOTHING = """<h1>Ashdown Community Plan</h1>
<p>Test data, invented: this document describes no real place.</p>
<h2>Where we are now</h2>
<ul><li>the first thing we found</li><li>the second thing we found</li></ul>
<table><tr><th>Ward</th><th>Families</th></tr><tr><td>North</td><td>120</td></tr></table>
<h2>What happens next</h2>
"""


def test_when_nothing_is_drafted_the_report_lists_the_headings_lists_and_tables_it_saw(runner, tmp_path):
    page = _document(tmp_path, _NOTHING, "nothing.html")
    with pytest.raises(DraftError) as raised:
        draft(page)
    report = raised.value.report
    heading_lines = [line for line in report if line.startswith("not used: the heading")]
    assert [line.split("'")[1] for line in heading_lines] == ["Where we are now", "What happens next"]
    assert any(line.startswith("ambiguous: a list of 2 item(s)") and "'the first thing we found'" in line for line in report)
    assert any(line.startswith("not used: the table at element 6") for line in report)  # its header names nothing the rules know
    assert "title: 'Ashdown Community Plan', by rule title-first-heading (element 1)" in report
    output = tmp_path / "nothing.xlsx"
    result = runner.invoke(main, ["draft", str(page), "-o", str(output)])
    assert result.exit_code == 2 and not output.exists()
    lines = result.stderr.splitlines()
    assert lines[:-1] == report  # the report first, as when something is drafted; then the error
    assert lines[-1].startswith(f"Error: {page}: no priorities, outcomes or work streams were recognised")
    assert "It read 3 heading(s), 1 paragraph(s), 2 list item(s) and 1 table(s)" in lines[-1]
