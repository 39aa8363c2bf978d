"""The drafter on the shapes of issue 27's invented corpus (examples/draft-corpus, its tune part): sections named by a
listed priority, outcomes in other words, visions, targets as plans state them, tables of targets and dates, goals
with objectives and strategies, and who leads what. Each document here is invented and describes no real place."""

from pathlib import Path

import pytest

from graph.draft import draft
from graph.workbook.change import Change, read_change


def _draft(tmp_path: Path, text: str, name: str = "plan.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return draft(path)


def _labels(rows: dict, sheet: str, column: str) -> list[str]:
    return [r[column] for r in rows.get(sheet, [])]


def _targets(rows: dict) -> list[tuple[str, str, str]]:
    return [(t["kind"], t["value"], t["date"]) for t in rows.get("Targets", [])]


SECTIONS = """# Invented Joint Health and Wellbeing Strategy 2025 to 2030

Test data, invented: a plan of no real place.

## Our vision

Everyone in Ashby Vale lives well for longer.

## Our priorities

The Board has agreed two priorities:

1. Starting Well
2. Ageing Well

## Starting Well

### What we want to see

- fewer children in poverty
- more children ready for school

## Ageing Well

What success will look like by 2030:

- falls admissions fall to 1,800 per 100,000
- more older people living at home

## What people told us

The themes we heard most were:

- waiting times
- the cost of travel
"""


def test_a_heading_in_a_listed_prioritys_words_opens_its_section_and_outcomes_in_other_words_are_its_own(tmp_path):
    drafted = _draft(tmp_path, SECTIONS)
    rows = drafted.rows
    assert _labels(rows, "Priorities", "priority") == ["Starting Well", "Ageing Well"]  # not drafted again, nor the themes
    ids = {r["priority"]: r["id"] for r in rows["Priorities"]}
    assert [(o["outcome"], o["priority"]) for o in rows["Outcomes"]] == [
        ("fewer children in poverty", ids["Starting Well"]), ("more children ready for school", ids["Starting Well"]),
        ("falls admissions fall to 1,800 per 100,000", ids["Ageing Well"]),
        ("more older people living at home", ids["Ageing Well"])]
    assert rows["Strategy"][0]["vision"] == "Everyone in Ashby Vale lives well for longer"
    # The lead-in's date dates the level its item states; the item with no number is no milestone.
    outcome = {o["outcome"]: o["id"] for o in rows["Outcomes"]}["falls admissions fall to 1,800 per 100,000"]
    assert [(t["kind"], t["value"], t["date"], t["for"]) for t in rows["Targets"]] == [("target", "1800", "2030", outcome)]
    report = drafted.report
    assert any(line.startswith("priority: 'Starting Well' again (line 16), by rule priority-section") for line in report)
    assert any("by rule outcomes-words-lead-in (line 25: 'What success will look like by 2030:')" in line for line in report)
    assert any("by rules target-level and target-date-in-lead-in" in line for line in report)


@pytest.mark.parametrize(("text", "vision"), [
    ("## Our Vision\n\nOur vision is that every child grows up safe.\n", "every child grows up safe"),
    ("Our Vision: A safe, connected city.\n", "A safe, connected city"),
    ("## Our vision and values\n\nOur vision is a district where everyone has a home.\n", "a district where everyone has a home"),
    ("Our ambition is a net zero town by 2040: warm homes for all.\n", "a net zero town by 2040: warm homes for all"),
    ("We share the Ashby 2040 Vision with our partners.\n", "Ashby 2040 Vision"),
])
def test_the_vision_is_read_under_its_heading_as_stated_as_named_or_as_the_plans_ambition(tmp_path, text, vision):
    drafted = _draft(tmp_path, f"# Invented Council Plan 2025 to 2029\n\nTest data, invented.\n\n{text}\n"
                               "Our priorities are:\n\n- Homes\n")
    assert drafted.rows["Strategy"][0]["vision"] == vision


TARGETS = """# Invented Council Plan 2025 to 2029

Test data, invented: a plan of no real place.

## Priority 1: Homes

### Outcome: more homes people can afford

We will reduce the share of homes in poor condition to 21% by 2029.

Smoking at the time of delivery will be below 6% by 2029.

We will plant 100,000 trees on public land by 2028.

We will cut car mileage in the borough by 20% by 2030.

We will recruit 40 more foster carers by 2027.

The council will add 1,500 homes let at social rents by FY2029.

We will halve the number of families in bed and breakfast by March 2027.

We will raise recycling to 60% by 2028, and the council will be net zero in its own operations by 2030.

The number of people aged 85 and over is expected to double by 2043.

1.1 Open a housing advice hub by 2026.
"""


def test_targets_are_read_in_the_forms_plans_state_them(tmp_path):
    rows = _draft(tmp_path, TARGETS).rows
    assert _targets(rows) == [
        ("target", "21", "2029"), ("target", "6", "2029"), ("target", "100000", "2028"),
        ("change", "cut by 20%", "2030"), ("change", "40 more", "2027"), ("change", "1500 more", "2029"),
        ("change", "halve", "2027-03-31"),
        ("target", "60", "2028"), ("target", "0", "2030"),  # one sentence, two dates: two targets
        # not the forecast; the code '1.1' is no value, so the hub is a milestone
        ("milestone", "", "2026")]
    quotes = [t["quote"] for t in rows["Targets"]]
    assert quotes[7:9] == ["We will raise recycling to 60% by 2028", "the council will be net zero in its own operations by 2030."]


def test_the_import_reads_a_change_published_as_a_multiple():
    assert read_change("halve") == Change(-50, "%", True)
    assert read_change("Double") == Change(100, "%", True)
    assert read_change("cut by 20%") == Change(-20, "%", True)


TABLES = """# Invented Children and Young People's Plan 2024 to 2027

Test data, invented: a plan of no real place.

| Our priority | Our ambition | Main outcomes |
| --- | --- | --- |
| Safe | "I feel safe at home." | Fewer children need to come into care |

## How we will know

| Measure | FY2023 Baseline | FY2027 Target |
| --- | --- | --- |
| Children who feel safe | 71% | 80% |

| Priority | Measure | Our ambition |
| --- | --- | --- |
| Safe | Children in care per 10,000 | reduce to 70 by 2027 |

| What we will do | Lead | By when |
| --- | --- | --- |
| Open a family hub in every town | Invented County Council | 2026 |
| Train 300 foster carers by 2027 | Invented Fostering Service | 2027 |
"""


def test_tables_of_targets_and_dates_draft_targets_and_only_the_first_column_of_priorities(tmp_path):
    drafted = _draft(tmp_path, TABLES)
    rows = drafted.rows
    assert _labels(rows, "Priorities", "priority") == ["Safe"]  # the children's words beside it are not priorities
    actions = {a["work stream"]: a["id"] for a in rows["Workstreams"]}
    assert [(t["kind"], t["value"], t["date"], t["for"]) for t in rows["Targets"]] == [
        ("target", "80", "2027", ""),  # the cell's value, due by its header's year
        ("target", "70", "2027", ""),  # a column of aims that are targets, not priorities
        ("milestone", "", "2026", actions["Open a family hub in every town"]),  # dated by the 'By when' column
        ("target", "300", "2027", actions["Train 300 foster carers by 2027"])]  # by its own words, not again by the column
    assert rows["Targets"][0]["quote"] == "Children who feel safe | 71% | 80%"
    assert any("column 2 ('Our ambition') of the table at line 5: its priorities are in column 1" in line
               for line in drafted.report)


GOALS = """# City of Invented Springs Strategic Plan FY2025–FY2029

Test data, invented: a plan of no real place.

## Goal 1: Safe Community

### Objective 1.1: Reduce response times

- Strategy 1.1.1: Build a new fire station. Lead: Fire Department
- Strategy 1.1.2: Upgrade the dispatch system, led by the Emergency Communications Center

The City Manager's Office is responsible for coordinating implementation of the Strategic Plan.
"""


def test_goals_objectives_and_strategies_are_priorities_outcomes_and_actions_with_their_leads(tmp_path):
    rows = _draft(tmp_path, GOALS).rows
    strategy = rows["Strategy"][0]
    assert (strategy["start"], strategy["end"]) == ("2025", "2029")
    names = {o["id"]: o["name"] for o in rows["Organisations"]}
    assert names[strategy["led by"]] == "City Manager's Office"
    assert _labels(rows, "Priorities", "priority") == ["Safe Community"]
    assert [(o["outcome"], o["code"]) for o in rows["Outcomes"]] == [("Reduce response times", "Objective 1.1")]
    assert [(a["work stream"], a["code"], names[a["owner"]]) for a in rows["Workstreams"]] == [
        ("Build a new fire station", "1.1.1", "Fire Department"),
        ("Upgrade the dispatch system", "1.1.2", "Emergency Communications Center")]
    assert {(c["from"], c["to"]) for c in rows["Contributions"]} == {(a["id"], rows["Outcomes"][0]["id"]) for a in rows["Workstreams"]}


WALES = """# Invented Well-being Plan 2023 to 2028

Test data, invented: a plan of no real place.

Every public body covered by the Act must work towards the seven well-being goals:

- A prosperous Wales
- A resilient Wales

The objectives will not be met without action on the things that hold our partnership together:

- shared buildings
- shared data

Our well-being objectives are:

- Thriving communities
- A greener county

## Thriving communities

Lead Cabinet Member: Portfolio Holder for Housing. Lead officer: Director of Place.

Policy options:

- 1A Insulate every council home
- 1B Open repair cafes

The Invented Public Services Board owns this plan.
"""


def test_lead_ins_about_the_law_or_far_from_their_words_are_not_the_plans_and_listed_codes_are_codes(tmp_path):
    drafted = _draft(tmp_path, WALES)
    rows = drafted.rows
    assert _labels(rows, "Priorities", "priority") == ["Thriving communities", "A greener county"]
    assert [(a["work stream"], a.get("code")) for a in rows["Workstreams"]] == [
        ("Insulate every council home", "1A"), ("Open repair cafes", "1B")]
    names = _labels(rows, "Organisations", "name")
    assert {"Portfolio Holder for Housing", "Director of Place", "Invented Public Services Board"} <= set(names)
    led = {o["id"]: o["name"] for o in rows["Organisations"]}[rows["Strategy"][0]["led by"]]
    assert led == "Invented Public Services Board"
    assert any("by rule plan-owner" in line for line in drafted.report)


ICS = """# Invented Integrated Care Strategy 2024/25 – 2028/29

Test data, invented: a plan of no real place.

## Our ambitions and shared priorities

### Ambition 1: Longer lives for everyone

- 1a Less harm from tobacco
- 1b Earlier diagnosis

### Ambition 2: Fairer outcomes for every town

- 2a Warm homes

## Our outcomes framework

| Priority | Outcome we want | Our aim |
| --- | --- | --- |
| 1a | Fewer people smoke; Fewer people drink harmfully | Reduce smoking to 8% by 2029 |

## Priority areas

We have agreed two priorities for the next five years:

- Priority 1: Prevent ill health
- Carnbury works: more people in good jobs

### Priority 1: Prevent ill health

Our ambitions by 2028:

- fewer people die early

What success looks like: more people live well at home.

What we will do:

- 1.1 Offer health checks in pharmacies (lead: Invented Cancer Alliance)
- 1.2 Narrow the gap in healthy life expectancy by two years by 2029

## Our ways of working

Partners have agreed to:

- listen first

## Locality plans

Three communities have their own plans, where outcomes are poorest:

- East Carn
"""


def test_an_ics_in_ambitions_shared_priorities_codes_and_tables_drafts_each_at_its_level(tmp_path):
    drafted = _draft(tmp_path, ICS)
    rows = drafted.rows
    strategy = rows["Strategy"][0]
    assert (strategy["start"], strategy["end"]) == ("2024", "2029")
    priorities = {p["priority"]: p for p in rows["Priorities"]}
    # 'Our ambitions and shared priorities': the coded items under an ambition are priorities part of it (levels-named)
    assert {label: (p.get("code"), priorities_label(rows, p.get("part of"))) for label, p in priorities.items()} == {
        "Longer lives for everyone": ("Ambition 1", None), "Less harm from tobacco": ("1a", "Longer lives for everyone"),
        "Earlier diagnosis": ("1b", "Longer lives for everyone"), "Fairer outcomes for every town": ("Ambition 2", None),
        "Warm homes": ("2a", "Fairer outcomes for every town"),
        "Prevent ill health": ("Priority 1", None), "Carnbury works": (None, None)}  # 'Name: what it means'
    outcomes = {o["outcome"]: o for o in rows["Outcomes"]}
    by_id = {p["id"]: label for label, p in priorities.items()}
    # a cell of outcomes set apart by semicolons, each of the priority its code cell names; an ambition in a section
    assert {label: by_id.get(o["priority"]) for label, o in outcomes.items()} == {
        "Fewer people smoke": "Less harm from tobacco", "Fewer people drink harmfully": "Less harm from tobacco",
        "fewer people die early": "Prevent ill health", "more people live well at home": "Prevent ill health"}
    actions = {a["work stream"]: a for a in rows["Workstreams"]}
    assert list(actions) == ["Offer health checks in pharmacies",  # its '(lead: …)' is who leads it
                             "Narrow the gap in healthy life expectancy by two years by 2029"]
    names = {o["id"]: o["name"] for o in rows["Organisations"]}
    assert names[actions["Offer health checks in pharmacies"]["owner"]] == "Invented Cancer Alliance"
    assert ("change", "Narrow by two years", "2029") in _targets(rows)
    assert ("target", "8", "2029") in _targets(rows)
    # neither the ways of working nor the localities are the plan's elements
    assert not {"listen first", "East Carn"} & (set(actions) | set(outcomes) | set(priorities))
    report = drafted.report
    assert any("by rule not-elements-section: 'Our ways of working'" in line for line in report)
    assert any("by rule not-elements-section: 'Locality plans'" in line for line in report)
    assert any("by rule elements-in-section" in line for line in report)


def priorities_label(rows: dict, ident: str | None) -> str | None:
    return next((p["priority"] for p in rows["Priorities"] if p["id"] == ident), None)


THEMES = """# Invented Climate Strategy 2023 to 2030

Test data, invented: a plan of no real place.

## Our themes and objectives

### Theme 1: A net zero council

- 1.1 Cut energy use in council buildings
- 1.2 Decarbonise the fleet

## Action plan

| Code | Project | Objective | Lead Department |
| --- | --- | --- | --- |
| 1.1.1 | Fit heat pumps to the town hall by 2026 | 1.1 | Property Department |

The gap in attainment will be halved by 2030.
"""


def test_themes_and_objectives_and_a_table_that_names_objectives_by_code(tmp_path):
    rows = _draft(tmp_path, THEMES).rows
    assert _labels(rows, "Priorities", "priority") == ["A net zero council"]
    assert [(o["outcome"], o["code"]) for o in rows["Outcomes"]] == [  # levels-named: objectives are outcomes
        ("Cut energy use in council buildings", "1.1"), ("Decarbonise the fleet", "1.2")]
    (action,) = rows["Workstreams"]
    assert (action["work stream"], action["code"]) == ("Fit heat pumps to the town hall by 2026", "1.1.1")
    assert {(c["from"], c["to"]) for c in rows["Contributions"]} == {(action["id"], rows["Outcomes"][0]["id"])}
    names = {o["id"]: o["name"] for o in rows["Organisations"]}
    assert names[action["owner"]] == "Property Department"
    assert ("change", "halved", "2030") in _targets(rows) and ("milestone", "", "2026") in _targets(rows)


SECTIONS_BY_HEADINGS = """# Invented Borough Corporate Strategy 2025/26 to 2027/28

Test data, invented: a plan of no real place.

## Our priority outcomes

### Be healthy

- More children are a healthy weight

## Strategic priority areas

### Homes and Neighbourhoods

#### Increase the supply of homes people can afford

- Fast-track applications for homes below market rents

#### Why this matters

- Rents rose by a fifth in three years

## 6. Priority 1: A prosperous borough

Cabinet Member responsible: Cabinet Member for Growth

Strategic outcome: More residents are in good work.

Our commitments:

- Open a jobs hub in the town centre

### Priority 1.1: Safer town centres

| Objective | What this will mean for residents |
| --- | --- |
| Put a patrol team into each town centre | People feel safer after dark |

## Our supporting strategies

### Priority 2: Homes for all

- Bring empty homes back into use
"""


def test_sections_named_by_their_headings_give_their_lists_and_tables_their_roles(tmp_path):
    drafted = _draft(tmp_path, SECTIONS_BY_HEADINGS)
    rows = drafted.rows
    priorities = {p["priority"]: p for p in rows["Priorities"]}
    assert list(priorities) == ["Be healthy", "Homes and Neighbourhoods", "A prosperous borough", "Safer town centres",
                                "Homes for all"]  # '6.' read past; 'Priority 1.1' dotted; 'Why this matters' none
    assert priorities["Safer town centres"]["part of"] == priorities["A prosperous borough"]["id"]
    by_id = {p["id"]: label for label, p in priorities.items()}
    assert {o["outcome"]: by_id[o["priority"]] for o in rows["Outcomes"]} == {
        "More children are a healthy weight": "Be healthy",  # the section names priority outcomes
        "Increase the supply of homes people can afford": "Homes and Neighbourhoods",  # outcome-subheading
        "More residents are in good work": "A prosperous borough",  # 'Strategic outcome: …'
        "People feel safer after dark": "Safer town centres"}
    assert _labels(rows, "Workstreams", "work stream") == [
        "Fast-track applications for homes below market rents", "Open a jobs hub in the town centre",
        "Put a patrol team into each town centre",  # an 'Objective' column beside outcomes, in a priority's section
        "Bring empty homes back into use"]  # no lead-in, under 'Our supporting strategies'
    assert "Cabinet Member for Growth" in _labels(rows, "Organisations", "name")
    report = drafted.report
    for rule in ("priorities-section", "outcome-subheading", "section-lead-in", "table-objective-action", "outcome-sentence"):
        assert any(f"rule {rule}" in line for line in report), rule


AIMS = """# The Ashby We Want

## Ashby Public Services Board Well-being Plan 2028-33

Test data, invented: a plan of no real place.

## Our core aims

Over the life of this plan we will:

- Build homes local people can afford, with the schools to match
- Keep Ashby moving

### 1. Build homes local people can afford

Over the next five years, partners will:

- bring empty homes back into use

This will mean:

- more families in a secure home

| Deliverable | Year | Delivered through |
| --- | --- | --- |
| A register of empty homes | 2026 | Ashby Housing Service |

## Our ambition for older people

Our priorities under this ambition are:

1.1 Tackle loneliness in later life

1.2 Increase the uptake of vaccination

The difference people will see:

- fewer people feel lonely

## 5. Key areas of focus

### 5.1 Council buildings

- fit heat pumps to the town hall
"""


def test_aims_listed_as_we_will_sections_that_give_their_first_words_and_coded_paragraphs(tmp_path):
    drafted = _draft(tmp_path, AIMS)
    rows = drafted.rows
    strategy = rows["Strategy"][0]
    assert (strategy["title"], strategy["start"], strategy["end"]) == ("The Ashby We Want", "2028", "2033")
    priorities = {p["priority"]: p for p in rows["Priorities"]}
    assert list(priorities) == [
        "Build homes local people can afford, with the schools to match", "Keep Ashby moving",  # aims-we-will
        "Tackle loneliness in later life", "Increase the uptake of vaccination",  # coded paragraphs, each a priority
        "Council buildings"]  # a numbered heading in the section of the areas of focus
    assert priorities["Council buildings"]["code"] == "5.1"
    by_id = {p["id"]: label for label, p in priorities.items()}
    outcomes = {o["outcome"]: by_id.get(o["priority"]) for o in rows["Outcomes"]}
    # '1. Build homes local people can afford' opens the section of the aim it gives the first words of
    assert outcomes["more families in a secure home"] == "Build homes local people can afford, with the schools to match"
    assert "fewer people feel lonely" in outcomes  # 'The difference people will see:'
    actions = {a["work stream"]: a for a in rows["Workstreams"]}
    assert list(actions) == ["bring empty homes back into use", "A register of empty homes", "fit heat pumps to the town hall"]
    names = {o["id"]: o["name"] for o in rows["Organisations"]}
    assert names[actions["A register of empty homes"]["owner"]] == "Ashby Housing Service"  # 'Delivered through'
    report = drafted.report
    for rule in ("aims-we-will", "period-in-cover-heading", "priorities-section"):
        assert any(f"rule {rule}" in line for line in report), rule
