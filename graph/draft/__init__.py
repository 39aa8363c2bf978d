"""From a published strategy to a draft workbook: its skeleton in the document's own words, for a person to check.

The drafter reads the document's structure (graph.draft.document) and applies
the rules of graph.draft.rules: headings, lists, and the lead-ins that say what
a list holds. Every label it drafts is the document's words; each row carries
the passage it came from, and the source address given. Funding, targets,
indicators and anything the rules do not recognise stay empty, for a person
to fill in. The report says what each rule found, what was not used, and
where the document was ambiguous.
"""

import calendar
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from itertools import islice, pairwise, takewhile
from pathlib import Path
from typing import Any

from graph.draft.document import Block, DocumentError, read_document
from graph.draft.rules import (
    BY_ID,
    CODE,
    HEADER_YEAR,
    LEADING_CODE,
    LONGEST_OUTCOME,
    LONGEST_VISION,
    MONTHS,
    PATTERNS,
    TABLE_ROLES,
    WHEN,
    count_of,
    kind_of,
    life_course,
    owners_in,
    period_of,
)
from graph.errors import StrategyGraphError
from graph.workbook.change import read_change

__all__ = ["DocumentError", "Draft", "DraftError", "draft"]

_SHEETS = ("Strategy", "Priorities", "Outcomes", "Workstreams", "Contributions", "Organisations", "Targets")
# How many of a document's first blocks are its cover, where a period may stand on its own line under the title.
_COVER_BLOCKS = 5
# What ends a list item without being part of what it names: "…smoke;", "…housing; and".
_ITEM_END = re.compile(r"(?:[;,.]|;?\s+(?:and|or))\s*$")
# The level an outcome drafted from a paragraph stands at: any heading after it closes it.
_PARAGRAPH = 99


@dataclass(frozen=True)
class _Element:
    """A priority, outcome or work stream drafted from a heading or a numbered passage: what sits below it may be part of it."""

    level: float  # its heading's level, and its rank there (_Drafter._level); 0 for a list's or a table's; an outcome
    # stated in a paragraph _PARAGRAPH, so that any heading ends it
    role: str  # priority, outcome or action
    id: str
    label: str


class DraftError(StrategyGraphError):
    """Nothing could be drafted from the document; the message says why, and ``report`` what the drafter read."""

    def __init__(self, message: str, report: list[str] | None = None):
        super().__init__(message)
        self.report = report or []


@dataclass
class Draft:
    """The workbook's rows, sheet by sheet, and the report: one line for each thing recognised, unused or ambiguous."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def _own_words(text: str) -> str:
    """An element's words: without who leads it, when that follows them ('…. Lead: …', rule owner-after; '… (lead: …)',
    rule owner-in-brackets)."""
    lead = PATTERNS["owner-after"].search(text)
    closing = [m for m in PATTERNS["owner-in-brackets"].finditer(text) if not text[m.end():].strip(" .;")]
    return text[:lead.start()] if lead else text[:closing[0].start()].rstrip() if closing else text


def _label(item: Block) -> str:
    """A list item's label: its own words, without the punctuation that joins it to the next item."""
    return _ITEM_END.sub("", _own_words(item.text)).strip() or item.text


def _due(match: re.Match) -> str:
    """The date a target is due by, as the import takes it: the year ('2026'), or the last day of a month named."""
    if not match["month"] or "/" in match["date"]:
        return match["date"]
    year, month = int(match["date"]), MONTHS.index(match["month"]) + 1
    return f"{year}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _clauses(sentence: str) -> list[str]:
    """A sentence with several dates cut into a clause each, at the last '; ' or 'and' before each date after the first
    (rule target-clauses: 'raise recycling and reuse to 60% by 2028, and be net zero by 2030' is two)."""
    dates = list(PATTERNS["target-date"].finditer(sentence))
    cuts = [joins[-1] for before, after in pairwise(dates)
            if (joins := list(PATTERNS["target-clauses"].finditer(sentence, before.end(), after.start())))]
    starts, ends = [0, *(cut.end() for cut in cuts)], [*(cut.start() for cut in cuts), len(sentence)]
    return [sentence[start:end] for start, end in zip(starts, ends)]


def _change_value(change: re.Match) -> str:
    """A change rule target-change read, in the document's words as the import reads a change: 'a 10% increase' and
    'halve' as published; 'cut car mileage by 20%' as 'cut by 20%'; '40 additional' and 'add 1,500' as '40 more' and
    '1500 more' (the import reads no thousands' commas)."""
    if change["value"] or change["times"]:
        return change["value"] or change["times"]
    if change["verb"]:
        return f"{change['verb']} by {change['amount'].replace(',', '')}"
    count, more = (change["added"], "more") if change["added"] else (change["count"], change["more"])
    return f"{count.replace(',', '')} {'fewer' if more == 'fewer' else 'more'}"


def _target(sentence: str, undated: str) -> tuple[str, str, str] | None:
    """The kind, value and rule of the target a dated sentence states (``undated``: it without its date); None if none."""
    change = PATTERNS["target-change"].search(sentence)
    if change:
        value = _change_value(change)
        if not isinstance(read_change(value), str):
            return "change", value, "target-change"
    if PATTERNS["target-net-zero"].search(undated):
        return "target", "0", "target-net-zero"
    for rule in ("target-level", "target-value", "target-count"):
        found = PATTERNS[rule].search(undated)
        if found:
            return "target", (found["value"] or found["share"]).replace(",", ""), rule
    if not re.search(r"\d", undated) and not PATTERNS["target-about-the-plan"].search(sentence):
        return "milestone", "", "target-milestone"
    return None


def _unnumbered(block: Block) -> Block:
    """A heading without its section's number ('6. Priority 1: …' is 'Priority 1: …'), when what follows names an
    element by its word (rule section-number); any other block as it is."""
    numbered = PATTERNS["section-number"].match(block.text) if block.kind == "heading" else None
    if numbered and any(PATTERNS[r].match(numbered["rest"]) for r in
                        ("priority-heading", "element-heading", "outcome-heading", "outcome-element-heading")):
        return replace(block, text=numbered["rest"])
    return block


def _most(cells: list[str], test: Callable[[str], object]) -> bool:
    """Whether ``test`` holds for at least half of a column's ``cells`` (none: no)."""
    return bool(cells) and sum(bool(test(c)) for c in cells) * 2 >= len(cells)


def _listed_priority(label: str) -> tuple[str, dict]:
    """A listed priority's words and code: 'Priority 1: X' is X, coded 'Priority 1' (element-heading); 'Priority: X' is X
    (priority-heading); '1A X' is X, coded '1A' (numbered); 'Name: what it means' is its name (priority-name)."""
    element = PATTERNS["element-heading"].match(label)
    if element:
        return element["label"], {"code": element["code"]}
    heading = PATTERNS["priority-heading"].match(label)
    if heading:
        return heading["priority"], {}
    label, code = _code_of(label)
    named = PATTERNS["priority-name"].match(label) if not code else None
    return (named["name"], {}) if named else (label, code)


def _code_of(label: str) -> tuple[str, dict]:
    """A listed element's words and, if it starts with one ('1A Retrofit …', '2.1 …'), its code (rule numbered)."""
    coded = PATTERNS["numbered"].match(label)
    if coded is None or coded["code"].isdigit():  # a bare number in a list's words is its own ('2 in 5 …')
        return label, {}
    return _ITEM_END.sub("", coded["label"]).strip(), {"code": coded["code"]}


class _Drafter:
    def __init__(self, blocks: list[Block], unit: str, source: str, stages: list[str]):
        self.blocks, self.unit, self.source = [_unnumbered(b) for b in blocks], unit, source
        self.life_course = life_course(stages)
        self.draft = Draft({name: [] for name in _SHEETS})
        self.ids: set[str] = set()  # the import wants ids unique across the workbook, not only in a sheet
        self.numbered: Counter[str] = Counter()  # an id's first words: the number of the last id made of them
        self.used: set[int] = set()  # indexes of the blocks drafted from
        self.organisations: dict[str, str] = {}  # name, lower-cased: id
        self.outcomes: dict[str, str] = {}  # label, lower-cased: id
        self.outcomes_of: Counter[str] = Counter()  # a priority's id ('' for none): how many outcomes serve it
        self.children: Counter[str] = Counter()  # a priority's id: how many priorities are part of it
        self.priorities_by: dict[tuple[str, str], dict] = {}  # ('id', its id) and ('label', lower-cased): its row
        self.indexed = 0  # how many Priorities rows priorities_by holds
        self.ranks: dict[str, int] = {}  # an element's word ('ambition'), lower-cased: its rank among a heading level's
        self.open: list[_Element] = []  # the elements drafted from the headings above the block being read, outermost first
        self.numbers: dict[str, _Element] = {}  # a code's number ('1', '1.1', '2A'): the element it is the code of
        self.actions_of: Counter[str] = Counter()  # an element's id ('' for none): how many actions sit under it
        self.drafted_of: dict[int, _Element] = {}  # a block (by id()): the outcome or work stream drafted from it
        self.context: dict[int, _Element | None] = {}  # a block (by id()): the outcome or work stream it sits under
        self.section: dict[int, _Element | None] = {}  # a block (by id()): the priority whose section it is in
        self.rows_by_id: dict[str, dict[str, dict]] = {}  # a sheet: its rows by id, as far as _owned has read them

    def at(self, block: Block) -> str:
        return f"{self.unit} {block.where}"

    def say(self, line: str) -> None:
        self.draft.report.append(line)

    def slug(self, text: str) -> str:
        """A short id from the first words of a label, unique in the workbook."""
        base = "-".join(re.findall(r"[a-z0-9]+", text.lower())[:6]) or "item"
        # The numbers below the last one tried are taken (ids are never freed), so the search goes on from there:
        # a thousand items of the same words cost a thousand tries, not half a million.
        ident, n = base, self.numbered[base] or 1
        while ident in self.ids:
            n += 1
            ident = f"{base}-{n}"
        self.numbered[base] = n
        self.ids.add(ident)
        return ident

    def add(self, sheet: str, label_column: str, label: str, quote: str, **cells) -> str:
        ident = self.slug(label)
        self.draft.rows[sheet].append({"id": ident, label_column: label, **cells, "source": self.source, "quote": quote})
        return ident

    def organisation(self, name: str, quote: str, rule: str) -> str:
        """The id of the organisation called ``name`` (whatever its case), drafted the first time it is named."""
        known = self.organisations.get(name.lower())
        if known is None:
            kind = kind_of(name)
            known = self.organisations[name.lower()] = self.add("Organisations", "name", name, quote, kind=kind)
            self.say(f"organisation: '{name}' ({kind}), by rule {rule}" + (
                f"; '{name}' is a post (rule owner-kind): drafted as a person named by the post as published; the "
                "person's name, and a Posts row with the organisation the post is in, are for you to fill in"
                if kind == "person" else ""))
        return known

    def outcome(self, label: str, quote: str, priority: str | None, position: int, rule: str, block: Block) -> str:
        """The id of the outcome ``label``: drafted, or the one already drafted with that label."""
        known = self.outcomes.get(label.lower())
        if known is not None:
            self.say(f"outcome: '{label}' again ({self.at(block)}): the row already drafted")
            return known
        ident = self.outcomes[label.lower()] = self.add("Outcomes", "outcome", label, quote, priority=priority or "",
                                                         position=position)
        self.drafted_of[id(block)] = _Element(block.level, "outcome", ident, label)
        self.outcome_labels[ident] = label
        self.outcomes_of[priority or ""] += 1
        if rule:
            self.say(f"outcome: '{label}', by rule {rule} ({self.at(block)})")
        return ident

    # -- the strategy row

    def strategy(self) -> None:
        texts = [(i, b) for i, b in enumerate(self.blocks) if b.kind in ("paragraph", "heading")]
        named = [(i, s, m) for i, b in texts for s in _sentences(b.text)
                 for m in PATTERNS["title-named-strategy"].finditer(s)]
        headings = [(i, b) for i, b in enumerate(self.blocks) if b.kind == "heading"]
        first = headings[0] if headings else None
        row: dict = {}
        if first and PATTERNS["title-heading"].match(first[1].text):
            (i, block), rule = first, "title-heading"
            title, quote = first[1].text, first[1].text
        elif named:
            i, quote, match = named[0]
            block, title, rule = self.blocks[i], match.group("title"), "title-named-strategy"
            if first and first[1].text != title:
                self.say(f"ambiguous: two candidate titles, '{first[1].text}' (first heading, {self.at(first[1])}) and "
                         f"'{title}' ({self.at(block)}); drafted the second, by rule {rule}: it names a strategy")
                self.used.add(first[0])
        elif first:
            (i, block), rule = first, "title-first-heading"
            title = quote = PATTERNS["title-first-heading"].match(first[1].text).group("title")
        else:
            i, title, quote, rule = None, "", "", ""
            self.say("not found: a title (no passage names a strategy, and there is no heading); fill in the Strategy sheet's title")
        if title:
            self.used.add(i)
            self.say(f"title: '{title}', by rule {rule} ({self.at(block)})")
            for j, _, match in named:
                if match.group("title") != title:
                    self.say(f"ambiguous: the document also names '{match.group('title')}' ({self.at(self.blocks[j])}); "
                             "not drafted")
        self.period(title, texts, row)
        for rule in ("led-by", "plan-owner"):
            found = ((i, b, s, m) for i, b in texts for s in _sentences(b.text)
                     if (m := (PATTERNS[rule].search if rule == "led-by" else PATTERNS[rule].match)(s)))
            for i, b, sentence, led in found:
                row["led by"] = self.organisation(led.group("organisation"), sentence, rule)
                self.say(f"led by: '{led.group('organisation')}', by rule {rule} ({self.at(b)})")
                self.used.add(i)
                break
            if "led by" in row:
                break
        for _, b in texts:
            for sentence in _sentences(b.text):
                course = self.life_course.search(sentence)
                if course and "life course from" not in row:
                    row["life course from"], row["life course to"] = course.group("start").lower(), course.group("end").lower()
                    self.say(f"life course: {row['life course from']} to {row['life course to']}, by rule life-course ({self.at(b)})")
        self.vision(texts, row)
        ident = self.slug(title or "strategy")
        self.draft.rows["Strategy"].insert(0, {"id": ident, "title": title, **row, "source": self.source, "quote": quote})

    def vision(self, texts: list[tuple[int, Block]], row: dict) -> None:
        """The strategy's vision: under a heading 'Our vision', else stated ('Our vision is …'), else named, else its ambition."""
        for n, (_, block) in enumerate(texts[:-1]):
            after = texts[n + 1][1]
            if block.kind == "heading" and PATTERNS["vision-heading"].match(block.text) and after.kind == "paragraph":
                first = _sentences(after.text)[0]
                stated = PATTERNS["vision-sentence"].match(first)
                words = stated["vision"] if stated else (after.text if len(after.text) <= LONGEST_VISION else first)
                row["vision"] = re.sub(r"\s*\.$", "", words)
                self.say(f"vision: '{row['vision'][:80]}', by rule vision-heading ({self.at(after)}, under '{block.text}')")
                return
        for rule in ("vision-sentence", "vision-named", "vision-ambition"):
            search = PATTERNS[rule].match if rule != "vision-named" else PATTERNS[rule].search
            for _, block in texts:
                found = next((m for sentence in _sentences(block.text) if (m := search(sentence))), None)
                if found:
                    row["vision"] = found["vision"]
                    self.say(f"vision: '{row['vision'][:80]}', by rule {rule} ({self.at(block)})")
                    return

    def period(self, title: str, texts: list[tuple[int, Block]], row: dict) -> None:
        """The strategy's start and end: its title's years, else a period on the cover, else in a sentence about it."""
        found: list[tuple[str, Block | None, re.Match[str]]] = [
            ("period-in-title", None, match) for match in PATTERNS["period-in-title"].finditer(title)]
        found += [("period-on-its-own", b, match) for i, b in texts if i < _COVER_BLOCKS
                  for match in PATTERNS["period-on-its-own"].finditer(b.text)]
        found += [("period-in-cover-heading", b, match) for i, b in texts if i < _COVER_BLOCKS and b.kind == "heading"
                  and b.text != title for match in PATTERNS["period-in-title"].finditer(b.text)]
        found += [("period-in-sentence", b, match) for _, b in texts for s in _sentences(b.text)
                  for match in PATTERNS["period-in-sentence"].finditer(s)]
        periods = [(rule, b, match, years) for rule, b, match in found if (years := period_of(match))]
        if not periods:
            self.say("not found: the strategy's period (neither its title nor a sentence about the plan gives its "
                     "years): fill in start and end, which the import needs")
            return
        words = lambda block, match: (f"the title's words '{match.group(0).strip()}'" if block is None
                                      else f"{self.at(block)}: '{match.group(0).strip()}'")
        rule, block, match, years = periods[0]
        row.update(start=str(years[0]), end=str(years[1]))
        self.say(f"period: {years[0]} to {years[1]}, by rule {rule} ({words(block, match)})")
        reported = {years}
        for rule, block, match, other in periods[1:]:
            if other not in reported:
                reported.add(other)
                self.say(f"ambiguous: another period, {other[0]} to {other[1]}, by rule {rule} ({words(block, match)}); "
                         "not drafted")

    # -- the lists and what their lead-ins say they hold

    def body(self) -> None:
        # The priority the outcomes that follow serve, and the outcome the actions that follow are under,
        # each with the level of the heading that named it (0 when a lead-in did): a heading as high ends them.
        self.priority: tuple[str | None, float] = (None, 0)
        self.under: _Element | None = None  # the outcome the blocks being read are listed under
        self.priorities_of_lists = 0
        self.headings: list[tuple[float, str]] = []  # the headings above the block being read: level, words
        self.listed: dict[str, dict] = {}  # each run of a listed priority's first words (three or more, lower-cased,
        # commas aside): its row, which a heading may name in fewer words
        self.by_code: dict[str, tuple[str, str]] = {}  # a code, lower-cased: the sheet and id of the row drafted with it
        self.coded: dict[str, int] = {}  # a sheet: how many of its rows by_code holds
        self.outcome_labels: dict[str, str] = {}  # an outcome's id: its label
        self.subheaded: set[str] = set()  # outcomes drafted from a plain heading (outcome-subheading): their lists are actions
        i = 0
        while i < len(self.blocks):
            block = self.blocks[i]
            items = self._items_after(i)
            opened = block.kind == "heading" and self._heading(i, block)
            self.context[id(block)] = self._here()
            self.section[id(block)] = self._section()
            # a heading drafted as an element ('Ambition 2: Fairer outcomes for all') is not a lead-in as well
            if block.kind == "paragraph" or (block.kind == "heading" and not opened):
                consumed = self._lead_in(i, block, items)
                if consumed is None and block.kind == "heading":
                    consumed = self._outcome_paragraphs(i, block) or None
                if consumed is not None:
                    self.context.update((id(b), self._here()) for b in self.blocks[i + 1:i + 1 + consumed])
                    i += 1 + consumed
                    continue
            if block.kind == "paragraph" and (self._coded_outcome(i, block, 0) or self._numbered(i, block)
                                              or self._outcome_stated(i, block) or self._we_will(i, block)):
                i += 1
                continue
            if block.kind == "item" and i not in self.used:
                run = [block, *self._items_after(i)]
                self.context.update((id(b), self._here()) for b in run)
                if all(PATTERNS["numbered"].match(b.text) for b in run):  # '- 1.1 …', each item its code
                    drafted = [self._numbered(i + n, b) for n, b in enumerate(run)]  # each, not only up to the first drafted
                    if any(drafted):
                        i += len(run)
                        continue
                if self._section_list(i, run):
                    i += len(run)
                    continue
                self.say(f"ambiguous: a list of {len(run)} item(s) at {self.at(block)} ('{run[0].text[:60]}') has no "
                         "lead-in that says what it holds; not used")
                i += len(run)
                continue
            if block.kind == "table" and block.rows:
                self._table(block)
            elif block.kind == "table":
                self.say(f"not used: a table ({self.at(block)}): the drafter reads headings, paragraphs and lists only")
            i += 1

    def _heading(self, i: int, block: Block) -> bool:
        """Read heading ``block``: the section it opens, and the element it names, if any; whether it opened one."""
        level = self._level(block)
        self._read_heading(i, block, level)
        return bool(self.open) and self.open[-1].level == level  # those above it stand at higher levels

    def _read_heading(self, i: int, block: Block, level: float) -> None:
        self.headings = [h for h in self.headings if h[0] < level] + [(level, block.text)]
        if self.priority[0] is not None and self.priority[1] and level <= self.priority[1]:
            self.priority = (None, 0)
        if self.under is not None and level <= self.under.level:
            self.under = None
        while self.open and self.open[-1].level >= level:
            self.open.pop()
        heading = PATTERNS["priority-heading"].match(block.text)
        named = PATTERNS["outcome-heading"].match(block.text)
        numbered = PATTERNS["numbered"].match(block.text)  # '1.1 Reducing poverty' for the listed 'Reducing poverty'
        words = (heading.group("priority") if heading else numbered["label"] if numbered else block.text).lower().replace(",", " ")
        again = (self._priority("label", (heading.group("priority") if heading else block.text).strip().lower())
                 or (self._priority("label", numbered["label"].strip().lower()) if numbered else None)
                 # a listed priority whose first words the heading gives ('1. Build homes …' for 'Build homes … where needed')
                 or self.listed.get(" ".join(words.split())))
        if again is None and self._coded_outcome(i, block, level):
            return
        if again is not None:  # a plan lists its priorities, then gives each a section under a heading of its words
            coded = PATTERNS["element-heading"].match(block.text) if heading else None
            if coded and "code" not in again:  # "Priority 2: …" gives the code the list did not
                again["code"] = coded["code"]
                self._index_code("Priorities", again)
            self.used.add(i)
            self.priority = (again["id"], level)
            self.open.append(_Element(level, "priority", again["id"], again["priority"]))
            self.say(f"priority: '{again['priority']}' again ({self.at(block)}), by rule priority-section: the heading of "
                     "its section; what follows, to a heading as high, is in it")
            return
        worded = any(PATTERNS[r].match(block.text) for r in ("element-heading", "outcome-element-heading", "outcome-code")) or any(
            PATTERNS[r].search(block.text) for r in ("outcomes-heading-lead-in", "actions-lead-in", "outcomes-words-lead-in"))
        if not (heading or named or again or worded) and (self._in_priorities_section(i, block, level)
                                                          or (not numbered and self._outcome_subheading(i, block, level))):
            return
        if heading:
            label = heading.group("priority")
            position = len(self.draft.rows["Priorities"]) + 1
            coded = PATTERNS["element-heading"].match(block.text)  # "Priority 3: …" has a code, "Priority: …" none
            code = {"code": coded["code"]} if coded else {}
            self.priority = (self.add("Priorities", "priority", label, block.text, position=position, **code), level)
            self.used.add(i)
            self.say(f"priority: '{label}'" + (f" (code '{coded['code']}')" if coded else "")
                     + f", by rule priority-heading ({self.at(block)})")
            self._nest(block, level, self.draft.rows["Priorities"][-1])
        elif named:
            label = named.group("outcome")
            position = self.outcomes_of[self.priority[0] or ""] + 1
            self.under = _Element(level, "outcome", self.outcome(label, block.text, self.priority[0], position,
                                                                 "outcome-heading", block), label)
            self.used.add(i)
            self.open.append(self.under)
        elif not self._element_heading(i, block, level):
            self._numbered(i, block)

    def _items_after(self, i: int) -> list[Block]:
        """The items after block ``i`` of one list: block ``i``'s if it is an item, else the next block's (a list next to it is another)."""
        end = i + 1
        of = self.blocks[i if self.blocks[i].kind == "item" else min(end, len(self.blocks) - 1)].list
        while end < len(self.blocks) and self.blocks[end].kind == "item" and self.blocks[end].list == of:
            end += 1
        return self.blocks[i + 1:end]

    def _own(self, items: list[Block]) -> list[Block]:
        """The items a lead-in's list holds itself; those of lists inside it are reported, not drafted."""
        nested = [b for b in items if b.level > 0]
        if nested:
            self.say(f"not used: {len(nested)} item(s) of lists inside the list at {self.at(items[0])} "
                     f"('{nested[0].text[:60]}')")
        return [b for b in items if b.level == 0]

    def _lead_in(self, i: int, block: Block, items: list[Block]) -> int | None:
        """Draft what the lead-in at ``i`` says the blocks after it hold; how many it drafted from; None if no rule applies."""
        text = block.text
        about = text if PATTERNS["not-elements"].search(text) else next(
            (h for _, h in self.headings[-1:] if PATTERNS["not-elements-section"].match(h)), None)
        if about is not None and (items or text.rstrip().endswith(":")):
            rule: str | None = "not-elements" if about is text else "not-elements-section"
            self.say(f"not used: the list after '{text[:60]}' ({self.at(block)}), by rule {rule}: '{about[:60]}' "
                     "says it holds principles, what people said or places, not the plan's elements")
            self.used.update(range(i, i + 1 + len(items)))
            return len(items)
        kind = next((k for k in ("outcomes", "workstreams", "priorities") if PATTERNS[f"{k}-lead-in"].search(text)), None)
        rule = f"{kind}-lead-in" if kind else None
        own = self._own(items) if kind != "priorities" else [b for b in items if b.level <= 1]  # priorities nest a level
        if (kind == "workstreams" and self.priority[0] is None and not self.open and self.under is None and self.headings
                and PATTERNS["priorities-section"].search(self.headings[-1][1])):  # 'Our core aims' > 'we will:'
            rule, kind = "aims-we-will", "priorities"
        if kind is None:  # the words plans use for their elements and actions other than Luton's, for a list that follows
            heading = ("outcomes-heading-lead-in",) if block.kind == "heading" else ()
            rule = next((r for r in ("elements-lead-in", "actions-lead-in", "outcomes-words-lead-in", *heading)
                         if PATTERNS[r].search(text)), None)
            if rule is None or not own or (block.kind == "paragraph" and not text.rstrip().endswith(":")):
                return None
            kind = {"elements-lead-in": "priorities", "actions-lead-in": "workstreams"}.get(rule, "outcomes")
            if kind == "priorities" and self.priority[1]:  # 'Our ambitions by 2028:' in a priority's section
                rule, kind = "elements-in-section", "outcomes"
        if kind == "outcomes":
            if not own:
                self.say(f"ambiguous: the lead-in at {self.at(block)} ('{text}') announces outcomes, and no list follows it")
                return None
            counted = PATTERNS["outcome-count"].search(text)
            if counted and count_of(counted.group("count")) != len(own):
                self.say(f"ambiguous: the lead-in at {self.at(block)} announces {counted.group('count')} outcomes, "
                          f"and its list holds {len(own)}; drafted the {len(own)}")
            if self.priority[0] is None and self.draft.rows["Priorities"]:
                self.say(f"ambiguous: the outcomes at {self.at(block)} follow "
                         + (f"a list of {self.priorities_of_lists} priorities" if self.priorities_of_lists > 1 else "no priority")
                         + "; drafted with none: fill in the priority each serves")
            for item in own:
                label, code = _code_of(_label(item))
                self._coded(label, code.get("code", ""), item, self.priority[0])
            self.say(f"outcomes: {len(own)}, by rule {rule} ({self.at(block)}: '{text}')")
            self.used.update(range(i, i + 1 + len(items)))
            return len(items)
        if kind == "workstreams":
            if not own:
                self.say(f"ambiguous: the lead-in at {self.at(block)} ('{text}') announces work streams, and no list follows it")
                return None
            owner = ""
            responsible = PATTERNS["responsible-for"].search(text)
            if responsible:
                owner = self.organisation(responsible.group("organisation"), text, "responsible-for")
                self.say(f"owner of the work streams at {self.at(block)}: '{responsible.group('organisation')}', "
                         "by rule responsible-for")
            for n, item in enumerate(own, 1):
                label, code = _code_of(_label(item))
                ident = self.add("Workstreams", "work stream", label, item.text, owner=owner, position=n, **code)
                self.drafted_of[id(item)] = _Element(0, "action", ident, label)
                if self.under is not None:  # the document lists the action under the outcome, in so many words
                    self._contribute(ident, self.under.id, self.under.label, item.text)
            self.say(f"work streams: {len(own)}, by rule {rule} ({self.at(block)}: '{text}')"
                     + (f"; each contributes to '{self.under.label}', by rule actions-under-outcome" if self.under else ""))
            self.used.update(range(i, i + 1 + len(items)))
            return len(items)
        else:  # priorities
            after = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
            # a list's items, and those of the lists inside it (each part of the item it sits under: 'Theme A' > 'A1 …')
            chosen = own or ([after] if after is not None and after.kind == "paragraph" else [])
            if chosen and chosen[0].kind == "paragraph" and PATTERNS["numbered"].match(chosen[0].text):
                # '1.1 …', '1.2 …' as paragraphs, one after another: each a priority
                chosen = list(takewhile(lambda b: b.kind == "paragraph" and PATTERNS["numbered"].match(b.text),
                                        islice(self.blocks, i + 1, None)))
            if not chosen:
                self.say(f"ambiguous: the lead-in at {self.at(block)} ('{text}') announces priorities, and nothing follows it")
                return None
            section = self._section() if self.priority[1] else None  # 'Priority areas:' under 'Objective 1: …'
            outer = None
            for item in chosen:
                label, code = _listed_priority(_label(item) if item.kind == "item" else item.text)
                within = outer if item.level == 1 and outer else section
                part = {"part of": within.id} if within else {}
                ident = self.add("Priorities", "priority", label, item.text, position=len(self.draft.rows["Priorities"]) + 1,
                                 **code, **part)
                said = label.lower().replace(",", " ").split()
                for n in range(3, len(said)):  # each of its first words, three or more, names it
                    self.listed.setdefault(" ".join(said[:n]), self.draft.rows["Priorities"][-1])
                if item.level == 0:
                    outer = _Element(0, "priority", ident, label)
                self.say(f"priority: '{label[:70]}', by rule {rule} ({self.at(item)}, after '{text}')"
                         + (f", part of '{within.label}'" if within else ""))
            # Outcomes that follow serve this priority; after a list of several, which one is not said.
            self.priority = (ident if len(chosen) == 1 else None, 0)
            self.priorities_of_lists = len(chosen)
            consumed = len(items) if own else len(chosen)
            self.used.update(range(i, i + 1 + consumed))
            return consumed

    # -- the elements plans name in other words, their numbering, "We will …", tables, and targets (issue 27)

    def _here(self) -> _Element | None:
        """The outcome (or, failing one, the work stream) the block being read sits under, if any."""
        return self.under or next((e for e in reversed(self.open) if e.role in ("outcome", "action")), None)

    def flat_headings(self) -> None:
        """In a document whose headings have no levels (text, PDF), read a paragraph 'Ambition 1 – …' as a heading.

        Such a line may run as long as the page, which the reader takes for a
        paragraph; its words say it heads what follows.
        """
        if any(b.level != 1 for b in self.blocks if b.kind == "heading"):
            return
        for i, block in enumerate(self.blocks):
            if block.kind == "paragraph" and any(PATTERNS[r].match(block.text) for r in ("element-heading", "outcome-element-heading")):
                self.blocks[i] = replace(block, kind="heading", level=1)
                self.say(f"heading: '{block.text[:60]}' ({self.at(block)}), by rule flat-heading: the document gives its "
                         "headings no levels, and its words name an element")

    def _level(self, block: Block) -> float:
        """A heading's level, and under it, where its words place it among headings of that level.

        A PDF or a text file gives every heading level 1: there, 'Priority 1: …'
        after 'Ambition 1 – …' is under it, as the first word a plan uses for
        its elements ranks above the next ('Priority 2' then closes 'Priority 1'
        only); a heading that starts with a code ranks below all of them.
        """
        for rule, word in (("priority-heading", "priority"), ("outcome-heading", "outcome"),
                           ("element-heading", None), ("outcome-element-heading", None)):
            match = PATTERNS[rule].match(block.text)
            if match:
                first = (word or match["word"]).lower()
                return block.level + self.ranks.setdefault(first, len(self.ranks)) / 100
        numbered = PATTERNS["numbered"].match(block.text)
        return block.level + (0.5 + numbered["code"].count(".") / 100 if numbered else 0)

    def _parent(self, level: float) -> _Element | None:
        """The innermost element drafted from a heading of a higher level than ``level`` (a paragraph's: 0, any)."""
        return next((e for e in reversed(self.open) if not level or e.level < level), None)

    def _nest(self, block: Block, level: float, row: dict, number: str = "") -> None:
        """Open the priority drafted from heading ``block`` (numbered ``number``, if it is); under a priority heading of a
        higher level, it is part of it."""
        parent = self._parent(level)
        if parent is not None and parent.role == "priority":
            row["part of"] = parent.id
            self.children[parent.id] += 1
            row["position"] = self.children[parent.id]
            self.say(f"priority: '{row['priority']}' is part of '{parent.label}', by rule element-heading: its heading "
                     f"({self.at(block)}) sits under that one's, of a higher level")
        element = _Element(level, "priority", row["id"], row["priority"])
        self.open.append(element)
        if number:
            self.numbers[number] = element

    def _element_heading(self, i: int, block: Block, level: float) -> bool:
        """Draft a heading that names a priority or an outcome in the words plans use ('Ambition 2 – …'); whether it did."""
        for rule in ("element-heading", "outcome-element-heading"):
            match = PATTERNS[rule].match(block.text)
            if match:
                break
        else:
            return False
        label, code, said = match["label"], match["code"], match["number"]
        number = str(count_of(said)) if said.isalpha() and len(said) > 1 else said.upper()
        self.used.add(i)
        parent = self._parent(level)
        if (rule == "element-heading" and PATTERNS["objective-under-goal"].match(match["word"])
                and parent is not None and parent.role == "priority"):  # Goal 1 > Objective 1.1 > Strategy 1.1.1
            rule = "objective-under-goal"
        again = self._priority("label", label.lower())
        if rule == "element-heading" and again is not None:  # a plan lists its objectives, then gives each a section
            again.setdefault("code", code)
            self.say(f"priority: '{label}' again ({self.at(block)}), by rule element-heading: the row already drafted")
            element = _Element(level, "priority", again["id"], label)
            self.open.append(element)
            self.numbers[number] = element
            self.priority = (again["id"], level)
            return True
        if rule == "element-heading":
            top = len(self.draft.rows["Priorities"]) - self.children.total()  # those part of none; _nest places one that is
            ident = self.add("Priorities", "priority", label, block.text, position=top + 1, code=code)
            self.say(f"priority: '{label}' (code '{code}'), by rule element-heading ({self.at(block)}: '{match['word']}')")
            self._nest(block, level, self.draft.rows["Priorities"][-1], number)
            self.priority = (ident, level)
            return True
        priority = next((e.id for e in reversed(self.open) if e.role == "priority"), self.priority[0])
        ident = self.outcome(label, block.text, priority, self.outcomes_of[priority or ""] + 1, "", block)
        if self.draft.rows["Outcomes"][-1]["id"] == ident:  # drafted now, not the row drafted before with its first code
            self.draft.rows["Outcomes"][-1]["code"] = code
        self.say(f"outcome: '{label}' (code '{code}'), by rule {rule} "
                 f"({self.at(block)}: '{match['word']}'" + (f", under '{parent.label}')" if rule == "objective-under-goal" else ")"))
        self.under = self.numbers[number] = _Element(level, "outcome", ident, label)
        self.open.append(self.under)
        return True

    def _priority(self, by: str, key: str) -> dict | None:
        """The Priorities row whose ``by`` ('id', or 'label' lower-cased) is ``key``, the first so labelled; each row indexed once."""
        for row in self.draft.rows["Priorities"][self.indexed:]:
            self.priorities_by.setdefault(("label", row["priority"].lower()), row)
            self.priorities_by[("id", row["id"])] = row
        self.indexed = len(self.draft.rows["Priorities"])
        return self.priorities_by.get((by, key))

    def _numbered(self, i: int, block: Block) -> bool:
        """Draft a heading or paragraph that starts with a code ('1.1 …', '2A …') by its place; whether it did."""
        match = PATTERNS["numbered"].match(block.text)
        if match is None or (block.kind != "heading" and match["code"].isdigit()):
            return False
        code = match["code"]
        number = code.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        above = re.sub(r"(?:\.\d+|(?<=\d)[A-Za-z])$", "", number)
        parent = self.numbers.get(above) if above != number else None
        how = f"its number '{number}' is under '{above}'" if parent else "the heading above it"
        level = self._level(block) if block.kind == "heading" else 0
        parent = parent or self._parent(level)
        if parent is None:
            self.say(f"not used: '{block.text[:60]}' ({self.at(block)}) starts with a code ('{code}') and sits under "
                     "nothing drafted, by rule numbered")
            return False
        label = _ITEM_END.sub("", _own_words(match["label"])).strip()
        self.used.add(i)
        lower, named = self._levels_named() if block.kind != "heading" and parent.role == "priority" else (None, "")
        if lower == "outcome":  # 'Our themes and objectives': the coded items under a theme are its outcomes
            ident = self._coded(label, code, block, parent.id)
            element = _Element(level or _PARAGRAPH, "outcome", ident, label)
            self.say(f"outcome: '{label}' (code '{code}'), of '{parent.label}', by rules numbered and levels-named "
                     f"({self.at(block)}: {how}; the section '{named}' names them)")
        elif (block.kind == "heading" and parent.role == "priority") or lower == "priority":
            self.children[parent.id] += 1
            ident = self.add("Priorities", "priority", label, block.text, position=self.children[parent.id], code=code,
                             **{"part of": parent.id})
            element = _Element(level, "priority", ident, label)
            self.say(f"priority: '{label}' (code '{code}'), part of '{parent.label}', by rule numbered ({self.at(block)}: {how})")
        else:
            self.actions_of[parent.id] += 1
            ident = self.add("Workstreams", "work stream", label, block.text, owner="", position=self.actions_of[parent.id],
                             code=code)
            element = _Element(level, "action", ident, label)
            self.drafted_of[id(block)] = element
            if parent.role == "outcome":
                self._contribute(ident, parent.id, parent.label, block.text)
            self.say(f"work stream: '{label}' (code '{code}'), by rule numbered ({self.at(block)}: {how}, "
                     f"{'an' if parent.role[0] in 'aeiou' else 'a'} {parent.role}, '{parent.label}')"
                     + ("; it contributes to that outcome" if parent.role == "outcome" else ""))
        self.numbers[number] = element
        if block.kind == "heading":
            self.open.append(element)
        return True

    def _outcome_stated(self, i: int, block: Block) -> bool:
        """Draft 'What success looks like: …' or 'The long-term outcome we want is …' in a priority's section as its outcome."""
        section = self._section()
        said = [m for sentence in _sentences(block.text) if (m := PATTERNS["outcome-sentence"].match(sentence))]
        if not said or section is None:
            return False
        for match in said:
            label = match["outcome"]
            ident = self._coded(label, "", block, section.id)
            self.under = _Element(_PARAGRAPH, "outcome", ident, label)
            self.say(f"outcome: '{label[:70]}', by rule outcome-sentence ({self.at(block)}, in the section of the priority "
                     f"'{section.label}')")
        self.used.add(i)
        return True

    def _section_list(self, i: int, run: list[Block]) -> bool:
        """Draft a list with no lead-in, in a priority's section, by what a heading above it names (rule section-lead-in):
        actions ('Our Supporting Strategies'), outcomes ('Our priority outcomes'), or the lower of two levels ('Our
        ambitions and priorities': priorities part of it); whether it did."""
        section = self._section()
        if section is None or not (self.priority[1] or self.open):
            return False
        lower = self._levels_named()[0]
        headings = [h for _, h in reversed(self.headings) if not any(
            PATTERNS[r].match(h) for r in ("element-heading", "priority-heading", "outcome-element-heading"))]
        kind, lead = next(((k, h) for h in headings for k, r in (("action", "actions-lead-in"), ("outcome", "outcomes-heading-lead-in"))
                           if PATTERNS[r].search(h)), (lower, "two levels"))
        if kind is None and self.under is not None and self.under.id in self.subheaded:  # its list: its actions
            kind, lead = "action", self.under.label
        if kind is None:
            return False
        for n, item in enumerate(run, 1):
            label, code = _code_of(_label(item))
            if kind == "action":
                ident = self.add("Workstreams", "work stream", label, item.text, owner="", position=n, **code)
                self.drafted_of[id(item)] = _Element(0, "action", ident, label)
                if self.under is not None:
                    self._contribute(ident, self.under.id, self.under.label, item.text)
            elif kind == "outcome":
                self._coded(label, code.get("code", ""), item, section.id)
            else:
                self.children[section.id] += 1
                self.add("Priorities", "priority", label, item.text, position=self.children[section.id], **code,
                         **{"part of": section.id})
        self.say(f"{ {'action': 'work streams', 'outcome': 'outcomes', 'priority': 'priorities'}[kind]}: {len(run)}, by rule "
                 f"section-lead-in ({self.at(run[0])}: no lead-in of its own, in the section of '{section.label}', under "
                 f"'{lead}')")
        self.used.update(range(i, i + len(run)))
        return True

    def _outcome_subheading(self, i: int, block: Block, level: float) -> bool:
        """Draft a short plain heading straight under a priority's heading, with a list under it, as an outcome of that
        priority, its list the outcome's actions ('Homes and Neighbourhoods' > 'Increase the supply of housing')."""
        parent = self.open[-1] if self.open else None
        after = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        if (parent is None or parent.role != "priority" or after is None or after.kind != "item"
                or len(block.text.split()) > 12 or PATTERNS["not-an-element-heading"].search(block.text)):
            return False
        ident = self._coded(block.text, "", block, parent.id)
        self.subheaded.add(ident)
        self.under = _Element(level, "outcome", ident, block.text)
        self.open.append(self.under)
        self.used.add(i)
        self.say(f"outcome: '{block.text}', by rule outcome-subheading ({self.at(block)}, under the priority '{parent.label}')")
        return True

    def _in_priorities_section(self, i: int, block: Block, level: float) -> bool:
        """Draft a short heading with no element's word, in a section whose heading names priorities ('Our priority
        outcomes' > 'Be healthy') and with a list or a table under it, as a priority; whether it did."""
        above = [h for lvl, h in self.headings[:-1] if lvl < level]
        after = self.blocks[i + 1:i + 3]  # its list or table, or a short paragraph and then one, or a lead-in
        listed = bool(after) and (after[0].kind in ("item", "table") or after[0].kind == "heading" or (
            len(after) == 2 and after[0].kind == "paragraph" and len(after[0].text) <= LONGEST_OUTCOME
            and (after[1].kind in ("item", "table") or after[1].text.rstrip().endswith(":"))))
        label, code = _code_of(block.text)  # '5.1 Council buildings' in '5. Key areas of focus'
        if not (above and PATTERNS["priorities-section"].search(above[-1]) and listed
                and len(label.split()) <= 8 and not self.open):
            return False
        ident = self.add("Priorities", "priority", label, block.text, position=len(self.draft.rows["Priorities"]) + 1, **code)
        self.priority = (ident, level)
        self.open.append(_Element(level, "priority", ident, label))
        self.used.add(i)
        self.say(f"priority: '{label}', by rule priorities-section ({self.at(block)}, in the section '{above[-1]}')")
        return True

    def _levels_named(self) -> tuple[str | None, str]:
        """The role a section's heading gives the lower of the two levels it names ('Our themes and objectives':
        outcome; 'Our ambitions and shared priorities': priority), and that heading, if one above the block being read
        names two; else (None, '')."""
        for _, text in self.headings:
            named = PATTERNS["levels-named"].search(text)
            if named:
                return "outcome" if re.match(r"(?i)objective|outcome|aim|result", named["lower"]) else "priority", text
        return None, ""

    def _we_will(self, i: int, block: Block) -> bool:
        """Draft each 'We will …' sentence of paragraph ``block`` under an outcome or priority as an action; whether any was."""
        said = [(s, m) for s in _sentences(block.text) if (m := PATTERNS["we-will"].match(s))]
        if not said:
            return False
        outcome = self.under and (self.under.id, self.under.label)
        latest = self._priority("id", self.priority[0]) if self.priority[0] else None
        parent = outcome or ((latest["id"], latest["priority"]) if latest else None) or next(
            ((e.id, e.label) for e in reversed(self.open) if e.role == "priority"), None)
        if parent is None:
            self.say(f"not used: 'We will' sentence(s) at {self.at(block)} ('{said[0][0][:60]}') sit under no outcome "
                     "or priority, by rule we-will")
            return False
        self.used.add(i)
        for sentence, match in said:
            self.actions_of[parent[0]] += 1
            label = _own_words(match["action"]).strip()  # "…, led by the X Partnership" is who leads it
            ident = self.add("Workstreams", "work stream", label, sentence, owner="", position=self.actions_of[parent[0]])
            if outcome:
                self._contribute(ident, parent[0], parent[1], sentence)
            self.say(f"work stream: '{label}', by rule we-will ({self.at(block)})"
                     + (f"; it contributes to '{parent[1]}', the outcome it sits under" if outcome
                        else f", under the priority '{parent[1]}'"))
        return True

    def _contribute(self, ident: str, to: str, label: str, quote: str) -> None:
        """The document lists the action ``ident`` under the outcome ``to``, in so many words: it contributes to it."""
        self.draft.rows["Contributions"].append({
            "id": f"{ident}--{to}", "from": ident, "to": to,  # as export names a link
            "rationale": f"listed under '{label}' in the document", "source": self.source, "quote": quote})

    def _table(self, block: Block) -> None:
        """Draft a table's rows by what its header row says each column holds: priorities, outcomes, actions, targets."""
        header = block.rows[0]
        roles: list[str | None] = []
        for column, words in enumerate(header):
            filled = [row[column] for row in block.rows[1:] if column < len(row) and row[column].strip()]
            named = next((r for r in TABLE_ROLES if PATTERNS[r].search(words)), None)
            coded = filled and all(CODE.match(c) for c in filled)  # codes: the row's own, or those of what it serves
            rule = ("table-target" if PATTERNS["table-target"].search(words) and _most(filled, re.compile(r"\d").search) else
                    "table-when" if PATTERNS["table-when"].match(words) and _most(filled, WHEN.match) else
                    "table-code" if coded and named not in ("table-priority", "table-outcome") else named
                    or ("table-owner" if PATTERNS["table-owner"].match(words) else None))
            if rule == "table-priority" and "table-priority" in roles:
                self.say(f"not used: column {column + 1} ('{words}') of the table at {self.at(block)}: its priorities "
                         f"are in column {roles.index(rule) + 1}")
                rule = None
            elif rule:
                self.say(f"table at {self.at(block)}: column {column + 1} ('{words}') holds {BY_ID[rule].finds}, by rule {rule}")
            else:
                self.say(f"not used: column {column + 1} ('{words}') of the table at {self.at(block)}: its header names "
                         "nothing the rules know")
            roles.append(rule)
        if {"table-priority", "table-outcome"} <= set(roles) and "table-action" not in roles and self._section() is not None:
            column = roles.index("table-priority")
            if PATTERNS["table-objective-action"].search(header[column]):  # under 'Priority 1.1', beside its outcomes
                roles[column] = "table-action"
                self.say(f"table at {self.at(block)}: column {column + 1} ('{header[column]}') holds work streams, by rule "
                         "table-objective-action: the table sits in a priority's section, beside a column of outcomes")
        if not {"table-priority", "table-outcome", "table-action", "table-target"} & set(roles):
            self.say(f"not used: the table at {self.at(block)}: its header row names no priorities, outcomes, actions "
                     "or targets")
            return
        for n, row in enumerate(block.rows[1:], 2):
            # a cell's lines; in a cell of outcomes, each of several set apart by semicolons ('…; …')
            cells = {rule: [part for cell, r in zip(row, roles) if r == rule for line in cell.splitlines()
                            for part in (re.split(r";\s+", line) if rule == "table-outcome" else [line]) if part.strip()]
                     for rule in (*TABLE_ROLES, "table-when", "table-code")}
            at = f"{self.at(block)}, row {n}"
            priorities: list[str] = []
            coded_outcomes: list[str] = []
            for line in cells["table-priority"]:
                if CODE.match(line):  # '1a': the priority (or, 'Objective' being either, the outcome) drafted with that code
                    sheet, known = self._by_code(line.strip(), at)
                    (priorities if sheet == "Priorities" else coded_outcomes).extend([known] if known else [])
                    continue
                label = _ITEM_END.sub("", line).strip()
                again = self._priority("label", label.lower())  # a cell spanning several rows, or the same words again
                if again is None:
                    self.say(f"priority: '{label}', by rule table-priority ({at})")
                priorities.append(again["id"] if again else self.add("Priorities", "priority", label, line,
                                                                     position=len(self.draft.rows["Priorities"]) + 1))
            # the row's one priority; with no column of priorities, that of the section the table is in
            enclosing = self._section() if "table-priority" not in roles else None
            priority = priorities[0] if len(priorities) == 1 else enclosing.id if enclosing else None
            outcomes = [_Element(0, "outcome", known, self._outcome_label(known)) for known in coded_outcomes]
            for line in cells["table-outcome"]:
                if CODE.match(line):  # 'SO1': the outcome drafted with that code
                    sheet, known = self._by_code(line.strip(), at)
                    outcomes += [_Element(0, "outcome", known, self._outcome_label(known))] if sheet == "Outcomes" else []
                    continue
                label = _ITEM_END.sub("", line).strip()
                ident = self.outcome(label, line, priority, self.outcomes_of[priority or ""] + 1, "", block)
                self.say(f"outcome: '{label}', by rule table-outcome ({at})")
                outcomes.append(_Element(0, "outcome", ident, label))
            one = outcomes[0] if len(outcomes) == 1 else None
            drafted = []  # the row's actions
            # an action's code: in its own words ('1.1 Develop …'), else, the row's one action, in a column of its own
            column_code = {"code": cells["table-code"][0].strip()} if cells["table-code"] and len(cells["table-action"]) == 1 else {}
            for line in cells["table-action"]:
                self.actions_of[priority or ""] += 1
                label, code = _code_of(_ITEM_END.sub("", _own_words(line)).strip())
                code = code or column_code
                ident = self.add("Workstreams", "work stream", label, line, owner="", position=self.actions_of[priority or ""],
                                 **code)
                drafted.append(_Element(0, "action", ident, label))
                if one is not None:
                    self._contribute(ident, one.id, one.label, line)
                self.say(f"work stream: '{label}', by rule table-action ({at})"
                         + (f"; it contributes to '{one.label}', the one outcome of its row" if one else ""))
            if cells["table-action"] and len(outcomes) > 1:
                self.say(f"ambiguous: the actions of {at} sit beside {len(outcomes)} outcomes; which each serves is not "
                         "said: no contribution drafted")
            row_priority = self._priority("id", priority) if priority else None
            section = _Element(0, "priority", priority, row_priority["priority"]) if row_priority else None
            for element, line in zip(drafted, cells["table-action"]):  # "(Lead: …)" in an action's cell
                for said in PATTERNS["owner-in-brackets"].finditer(line):
                    self._owned(element, owners_in(said["owners"]), "owner-in-brackets", said.group(0), at)
            for line in (line for cell, r in zip(row, roles) if r == "table-owner" for line in cell.splitlines() if line.strip()):
                for element in drafted or [one or section]:
                    self._owned(element, owners_in(line), "table-owner", line, at)
            for line in cells["table-measure"]:
                self._targets_in(line, at, one, section=section)
            quote = " | ".join(" ".join(cell.split()) for cell in row)
            for element in drafted:  # an action that states its own target ('Plant 100,000 trees by 2028')
                self._targets_in(element.label, at, element, section=section)
            for column in (c for c, r in enumerate(roles) if r == "table-target" and c < len(row)):
                year = HEADER_YEAR.search(header[column])  # the date of a cell that gives none ('FY2029 Target')
                for line in filter(str.strip, row[column].splitlines()):
                    self._targets_in(line, at, one or (drafted[0] if len(drafted) == 1 else None),
                                     (year["date"], "table-target") if year else None, section, quote)
            when = next((WHEN.match(line) for line in cells["table-when"] if WHEN.match(line)), None)
            for element in drafted if when else ():
                if PATTERNS["target-date"].search(element.label) is None:  # else dated by its own words, above
                    self._targets_in(element.label, at, element, (_due(when), "table-when"), section, quote)

    def _by_code(self, code: str, at: str) -> tuple[str, str | None]:
        """The sheet and id of the priority or outcome drafted with ``code`` (a table's cell that names it so), reported.

        Each row is indexed once, by its code and by the code's last word ('Priority 1.1' as '1.1'), as it is first
        looked up after it was drafted; a priority's code filled in later, when its section's heading gives it, is
        indexed then too (priority-section)."""
        for sheet in ("Priorities", "Outcomes"):
            for row in self.draft.rows[sheet][self.coded.get(sheet, 0):]:
                self._index_code(sheet, row)
            self.coded[sheet] = len(self.draft.rows[sheet])
        found = self.by_code.get(code.lower(), ("", None))
        self.say(f"'{code}' ({at}), by rule table-code: " + (f"the {found[0][:-1].lower().replace('prioritie', 'priority')} "
                 "drafted with that code" if found[1] else "nothing is drafted with that code; not used"))
        return found

    def _index_code(self, sheet: str, row: dict) -> None:
        code = row.get("code", "").lower()
        for key in filter(None, (code, code.rsplit(" ", 1)[-1] if " " in code else "")):
            self.by_code.setdefault(key, (sheet, row["id"]))

    def _outcome_label(self, ident: str) -> str:
        return self.outcome_labels[ident]

    # -- owners and leads as plans state them; outcomes by their code in a priority's section (issue 27)

    def _section(self) -> _Element | None:
        """The priority whose section the block being read is in: the innermost opened by a heading, else the latest."""
        opened = next((e for e in reversed(self.open) if e.role == "priority"), None)
        row = self._priority("id", self.priority[0]) if opened is None and self.priority[0] else None
        return opened or (_Element(0, "priority", row["id"], row["priority"]) if row else None)

    def _coded_outcome(self, i: int, block: Block, level: float) -> bool:
        """Draft a heading or paragraph 'Outcome 2.1 – …' or 'SO3 …' as an outcome of its section's priority; whether it did."""
        match = PATTERNS["outcome-code"].match(block.text)
        if match is None:
            return False
        section, code, label = self._section(), match["code"], _ITEM_END.sub("", match["label"]).strip()
        priority = section.id if section else None
        ident = self._coded(label, code, block, priority)
        self.used.add(i)
        self.say(f"outcome: '{label}' (code '{code}'), by rule outcome-code ({self.at(block)}: "
                 + (f"in the section of the priority '{section.label}')" if section else "in no priority's section: fill in its priority)"))
        element = _Element(level, "outcome", ident, label)
        self.under = _Element(level or _PARAGRAPH, "outcome", ident, label)
        if match["number"]:
            self.numbers[match["number"]] = element
        if block.kind == "heading":
            self.open.append(element)
        return True

    def _coded(self, label: str, code: str, block: Block, priority: str | None) -> str:
        """The outcome ``label`` of ``priority``, drafted with its published ``code`` (if any) when it is new."""
        ident = self.outcome(label, block.text, priority, self.outcomes_of[priority or ""] + 1, "", block)
        if code and self.draft.rows["Outcomes"][-1]["id"] == ident:
            self.draft.rows["Outcomes"][-1].setdefault("code", code)
        return ident

    def _outcome_paragraphs(self, i: int, block: Block) -> int:
        """Draft the paragraphs after a heading 'Our ambition' or 'Main outcomes' in a priority's section as its outcomes."""
        if not PATTERNS["outcome-paragraphs"].match(block.text):
            return 0
        taken = []
        for after in islice(self.blocks, i + 1, None):
            text = after.text.strip()
            if (after.kind not in ("paragraph", "item") or after.level > 0 or len(text) > LONGEST_OUTCOME or text.endswith(":")
                    or PATTERNS["we-will"].match(text) or PATTERNS["target-date"].search(text)):
                break
            taken.append(after)
        section = self._section()
        if not taken or section is None:
            if taken:
                self.say(f"not used: the {len(taken)} passage(s) after the heading '{block.text}' ({self.at(block)}), by "
                         "rule outcome-paragraphs: it sits in no priority's section")
            return 0
        for after in taken:
            coded = PATTERNS["outcome-code"].match(after.text) or PATTERNS["numbered"].match(after.text)
            code = coded["code"] if coded and not coded["code"].isdigit() else ""
            label = _ITEM_END.sub("", coded["label"] if code else after.text).strip()
            ident = self._coded(label, code, after, section.id)
            self.say(f"outcome: '{label}'" + (f" (code '{code}')" if code else "") + f", by rule outcome-paragraphs "
                     f"({self.at(after)}: under the heading '{block.text}', in the section of the priority '{section.label}')")
        self.used.update(range(i, i + 1 + len(taken)))
        if len(taken) == 1:
            self.under = _Element(self._level(block), "outcome", ident, label)
        return len(taken)

    def owners(self) -> None:
        """Draft the owners a plan states beside its elements: lines 'Lead: …', '(Lead: …)', '… led by …', '… is responsible for …'."""
        section, actions = None, {r["quote"]: r for r in self.draft.rows["Workstreams"]}  # a 'We will' sentence: its action
        for block in self.blocks:
            section = self.section.get(id(block), section)
            if block.kind not in ("paragraph", "item"):
                continue
            beside = self.drafted_of.get(id(block)) or self.context.get(id(block)) or section
            # 'Lead Cabinet Member: …. Lead officer: ….': a line a sentence
            lines = [m for sentence in _sentences(block.text) if (m := PATTERNS["owner-line"].match(sentence))]
            # after an element's own words, when the block is the element's (a 'We will' paragraph's are by sentence)
            after = PATTERNS["owner-after"].search(block.text) if not lines and id(block) in self.drafted_of else None
            said: list[tuple] = ([("owner-line", line) for line in lines] if lines else [("owner-after", after)] if after else
                    [("owner-in-brackets", m) for m in PATTERNS["owner-in-brackets"].finditer(block.text)])
            if not said:
                for sentence in _sentences(block.text):
                    for rule in ("owner-led-by", "owner-responsible"):
                        match = PATTERNS[rule].search(sentence)
                        # "This strategy is led by …" is the strategy's (rule led-by), not the element's it sits beside;
                        # so is "It is led by …" before the first element
                        if match and not re.search(r"(?i)\b(?:strategy|plan)\b", sentence[:match.start()]) and not (
                                beside is None and PATTERNS["led-by"].search(sentence)):
                            action = actions.get(sentence)
                            said.append((rule, match, _Element(0, "action", action["id"], action["work stream"])
                                         if action else beside))
            for rule, match, *element in said:
                names = owners_in(match["owners"]) if rule in ("owner-line", "owner-after", "owner-in-brackets") else [match["owners"]]
                self._owned(element[0] if element else beside, names, rule, match.group(0), self.at(block))

    def _owned(self, beside: _Element | None, names: list[str], rule: str, words: str, at: str) -> None:
        """Draft the organisations or posts ``names`` and make the first the owner of ``beside``; report each decision."""
        unnamed = [n for n in names if not n[:1].isupper() and not n[:1].isdigit()]
        if unnamed:
            self.say(f"not used: '{', '.join(unnamed)}' ({at}: '{words}'), by rule {rule}: not a name")
        names = [n for n in names if n not in unnamed]
        strategy = self.draft.rows["Strategy"][0]
        if beside is None and (rule != "owner-line" or strategy.get("led by")):  # "Falls classes are delivered by …"
            self.say(f"not used: '{words}' ({at}), by rule {rule}: it sits beside no element"
                     + (", and the strategy's lead is drafted already" if rule == "owner-line" else ""))
            return
        if not names:
            return
        ids = [self.organisation(n, words, rule) for n in names]
        if len(names) > 1:
            self.say(f"ambiguous: '{words}' ({at}) names {len(names)} owners; a row has one: drafted the first, "
                     f"'{names[0]}', as owner, and each as an organisation")
        if beside is None:  # a line 'Lead: …' before the first element: the strategy's
            strategy["led by"] = ids[0]
            self.say(f"led by: '{names[0]}', by rule {rule} ({at}: '{words}'): it sits beside no element, before the first")
        elif beside.role == "priority":
            self.say(f"owner: '{names[0]}' ({at}: '{words}'), by rule {rule}, sits beside the priority '{beside.label}': "
                     "the Priorities sheet has no owner column, so it is drafted as an organisation only")
        else:
            sheet = "Outcomes" if beside.role == "outcome" else "Workstreams"
            index = self.rows_by_id.setdefault(sheet, {})  # ids are unique: the rows after the last indexed are new
            if beside.id not in index:
                index.update((r["id"], r) for r in self.draft.rows[sheet][len(index):])
            row = index[beside.id]
            what = "outcome" if beside.role == "outcome" else "work stream"
            if row.get("owner") and row["owner"] != ids[0]:
                self.say(f"ambiguous: the {what} '{beside.label}' has two owners stated, the one drafted and "
                         f"'{names[0]}' ({at}: '{words}', rule {rule}); kept the first")
            else:
                row["owner"] = ids[0]
                self.say(f"owner of the {what} '{beside.label}': '{names[0]}', by rule {rule} ({at}: '{words}')")

    def targets(self) -> None:
        """Draft the targets each heading, paragraph and item states, for the outcome or work stream it is or sits under."""
        given = None  # the date a lead-in gives the items of the list after it, and the rule that read it
        section = None
        for block in self.blocks:
            section = self.section.get(id(block), section)
            if block.kind != "item":
                said = PATTERNS["target-date-lead-in"].match(block.text)
                within = PATTERNS["target-date"].search(block.text) if block.text.rstrip().endswith(":") else None
                given = ((_due(said), "target-date-lead-in") if said else
                         (_due(within), "target-date-in-lead-in") if within else None)
                if given:
                    continue
            if block.kind in ("heading", "paragraph", "item"):
                self._targets_in(block.text, self.at(block), self.drafted_of.get(id(block)) or self.context.get(id(block)),
                                 given, section)

    def _targets_in(self, text: str, at: str, of: _Element | None, given: tuple[str, str] | None = None,
                    section: _Element | None = None, quote: str = "") -> None:
        """Draft the targets the sentences of ``text`` state, for ``of``.

        ``given``: the date, and the rule that read it, for a sentence that gives none (a lead-in's, a table column's);
        under a lead-in that is not 'By 2026:' only a level or a change is read, as its items are outcomes.
        ``section``: the priority whose section the text is in, reported for a target of no outcome or work stream,
        as 'for' cannot name a priority. ``quote``: the passage to quote (a table's row), if not the sentence.
        """
        vision = self.draft.rows["Strategy"][0].get("vision") if self.draft.rows["Strategy"] else None
        clauses = [c for s in _sentences(text) for c in _clauses(s)]
        for sentence in clauses:
            if sentence.rstrip().endswith(":") or (vision and vision in sentence):  # a lead-in, or the vision: no target
                continue
            dated = PATTERNS["target-date"].search(sentence)
            if (dated is None and given is None) or PATTERNS["target-forecast"].search(sentence):
                continue
            undated = sentence[:dated.start()] + sentence[dated.end():] if dated else sentence
            read = _target(sentence, LEADING_CODE.sub("", undated))  # '1.1 Support 50 people …': the code is no value
            if read is None or (not dated and given[1] == "target-date-in-lead-in"
                                and read[2] not in ("target-change", "target-level", "target-net-zero")):
                if read is None:
                    self.say(f"ambiguous: '{sentence[:80]}' ({at}) gives a date and no level, change or milestone the "
                             "rules know; not drafted")
                continue
            kind, value, rule = read
            date, by = (_due(dated), "target-date") if dated else given
            self.draft.rows["Targets"].append({
                "id": self.slug(f"target {sentence}"), "kind": kind, "value": value, "date": date,
                "for": of.id if of else "", "source": self.source, "quote": quote or sentence})
            self.say(f"target ({'level' if kind == 'target' else kind}{': ' + repr(value) if value else ''}) by {date}, "
                     f"by rules {rule} and {by} ({at})"
                     + (f", for '{of.label}'" if of else
                        f": it sits under the priority '{section.label}' and no outcome or work stream of it; 'for' names an "
                        "outcome, work stream or intervention, not a priority: fill in 'for' with one of that priority's, or "
                        "'indicator'" if section else ": it sits under no outcome or work stream; fill in 'for' or 'indicator'"))

    def unused(self) -> None:
        for i, block in enumerate(self.blocks):
            if block.kind == "heading" and i not in self.used:
                self.say(f"not used: the heading '{block.text}' ({self.at(block)})")


def draft(path: Path, source: str = "", limits: Mapping[str, Any] | None = None) -> Draft:
    """The draft workbook's rows from the document at ``path``; DocumentError or DraftError if nothing can be drafted.

    ``limits`` holds the settings the document is held to (graph.draft.document.read_document).
    """
    from graph.workbook import choice_lists

    blocks, unit = read_document(path, limits)
    drafter = _Drafter(blocks, unit, source, list(choice_lists()["life-stage"]))
    drafter.strategy()
    drafter.flat_headings()
    drafter.body()
    drafter.owners()
    drafter.targets()
    drafter.unused()
    rows = drafter.draft.rows
    if not (rows["Priorities"] or rows["Outcomes"] or rows["Workstreams"]):
        seen = Counter(block.kind for block in blocks)
        raise DraftError(f"{path}: no priorities, outcomes or work streams were recognised: no list or heading has "
                         "a lead-in the rules know (see graph/draft/rules.py); nothing was drafted. It read "
                         f"{seen['heading']} heading(s), {seen['paragraph']} paragraph(s), {seen['item']} list item(s) "
                         f"and {seen['table']} table(s): the report above lists those not used",
                         drafter.draft.report)
    return drafter.draft
