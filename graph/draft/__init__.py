"""From a published strategy to a draft workbook: its skeleton in the document's own words, for a person to check.

The drafter reads the document's structure (graph.draft.document) and applies
the rules of graph.draft.rules: headings, lists, and the lead-ins that say what
a list holds. Every label it drafts is the document's words; each row carries
the passage it came from, and the source address given. Funding, targets,
indicators and anything the rules do not recognise stay empty, for a person
to fill in. The report says what each rule found, what was not used, and
where the document was ambiguous.
"""

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.draft.document import Block, DocumentError, read_document
from graph.draft.rules import BY_ID, count_of, life_course, period_of
from graph.settings import DEFAULTS

__all__ = ["Draft", "DraftError", "DocumentError", "draft"]

_SHEETS = ("Strategy", "Priorities", "Outcomes", "Workstreams", "Contributions", "Organisations")
# How many of a document's first blocks are its cover, where a period may stand on its own line under the title.
_COVER_BLOCKS = 5
# What ends a list item without being part of what it names: "…smoke;", "…housing; and".
_ITEM_END = re.compile(r"(?:[;,.]|;?\s+(?:and|or))\s*$")


class DraftError(Exception):
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


def _label(item: Block) -> str:
    """A list item's label: its words, without the punctuation that joins it to the next item."""
    return _ITEM_END.sub("", item.text).strip() or item.text


class _Drafter:
    def __init__(self, blocks: list[Block], unit: str, source: str, stages: list[str]):
        self.blocks, self.unit, self.source = blocks, unit, source
        self.life_course = life_course(stages)
        self.draft = Draft({name: [] for name in _SHEETS})
        self.ids: set[str] = set()  # the import wants ids unique across the workbook, not only in a sheet
        self.numbered: Counter[str] = Counter()  # an id's first words: the number of the last id made of them
        self.used: set[int] = set()  # indexes of the blocks drafted from
        self.organisations: dict[str, str] = {}  # name, lower-cased: id
        self.outcomes: dict[str, str] = {}  # label, lower-cased: id
        self.outcomes_of: Counter[str] = Counter()  # a priority's id ('' for none): how many outcomes serve it

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
            kind = "board" if name.lower().endswith("board") else "organisation"
            known = self.organisations[name.lower()] = self.add("Organisations", "name", name, quote, kind=kind)
            self.say(f"organisation: '{name}' ({kind}), by rule {rule}")
        return known

    def outcome(self, label: str, quote: str, priority: str | None, position: int, rule: str, block: Block) -> str:
        """The id of the outcome ``label``: drafted, or the one already drafted with that label."""
        known = self.outcomes.get(label.lower())
        if known is not None:
            self.say(f"outcome: '{label}' again ({self.at(block)}): the row already drafted")
            return known
        ident = self.outcomes[label.lower()] = self.add("Outcomes", "outcome", label, quote, priority=priority or "",
                                                         position=position)
        self.outcomes_of[priority or ""] += 1
        if rule:
            self.say(f"outcome: '{label}', by rule {rule} ({self.at(block)})")
        return ident

    # -- the strategy row

    def strategy(self) -> None:
        texts = [(i, b) for i, b in enumerate(self.blocks) if b.kind in ("paragraph", "heading")]
        named = [(i, s, m) for i, b in texts for s in _sentences(b.text)
                 for m in BY_ID["title-named-strategy"].pattern.finditer(s)]
        headings = [(i, b) for i, b in enumerate(self.blocks) if b.kind == "heading"]
        first = headings[0] if headings else None
        row: dict = {}
        if first and BY_ID["title-heading"].pattern.match(first[1].text):
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
            title = quote = BY_ID["title-first-heading"].pattern.match(first[1].text).group("title")
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
        for i, b in texts:
            for sentence in _sentences(b.text):
                led = BY_ID["led-by"].pattern.search(sentence)
                if led and "led by" not in row:
                    row["led by"] = self.organisation(led.group("organisation"), sentence, "led-by")
                    self.say(f"led by: '{led.group('organisation')}', by rule led-by ({self.at(b)})")
                    self.used.add(i)
                vision = BY_ID["vision-named"].pattern.search(sentence)
                if vision and "vision" not in row:
                    row["vision"] = vision.group("vision")
                    self.say(f"vision: '{row['vision']}', by rule vision-named ({self.at(b)})")
                course = self.life_course.search(sentence)
                if course and "life course from" not in row:
                    row["life course from"], row["life course to"] = course.group("start").lower(), course.group("end").lower()
                    self.say(f"life course: {row['life course from']} to {row['life course to']}, by rule life-course ({self.at(b)})")
        ident = self.slug(title or "strategy")
        self.draft.rows["Strategy"].insert(0, {"id": ident, "title": title, **row, "source": self.source, "quote": quote})

    def period(self, title: str, texts: list[tuple[int, Block]], row: dict) -> None:
        """The strategy's start and end: its title's years, else a period on the cover, else in a sentence about it."""
        found = [("period-in-title", None, match) for match in BY_ID["period-in-title"].pattern.finditer(title)]
        found += [("period-on-its-own", b, match) for i, b in texts if i < _COVER_BLOCKS
                  for match in BY_ID["period-on-its-own"].pattern.finditer(b.text)]
        found += [("period-in-sentence", b, match) for _, b in texts for s in _sentences(b.text)
                  for match in BY_ID["period-in-sentence"].pattern.finditer(s)]
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
        self.priority: tuple[str | None, int] = (None, 0)
        self.under: tuple[str, str, int] | None = None
        self.priorities_of_lists = 0
        i = 0
        while i < len(self.blocks):
            block = self.blocks[i]
            items = self._items_after(i)
            if block.kind == "heading":
                self._heading(i, block)
            if block.kind in ("paragraph", "heading"):
                consumed = self._lead_in(i, block, items)
                if consumed is not None:
                    i += 1 + consumed
                    continue
            if block.kind == "item" and i not in self.used:
                run = [block, *self._items_after(i)]
                self.say(f"ambiguous: a list of {len(run)} item(s) at {self.at(block)} ('{run[0].text[:60]}') has no "
                         "lead-in that says what it holds; not used")
                i += len(run)
                continue
            if block.kind == "table":
                self.say(f"not used: a table ({self.at(block)}): the drafter reads headings, paragraphs and lists only")
            i += 1

    def _heading(self, i: int, block: Block) -> None:
        if self.priority[0] is not None and self.priority[1] and block.level <= self.priority[1]:
            self.priority = (None, 0)
        if self.under is not None and block.level <= self.under[2]:
            self.under = None
        heading = BY_ID["priority-heading"].pattern.match(block.text)
        named = BY_ID["outcome-heading"].pattern.match(block.text)
        if heading:
            label = heading.group("priority")
            position = len(self.draft.rows["Priorities"]) + 1
            self.priority = (self.add("Priorities", "priority", label, block.text, position=position), block.level)
            self.used.add(i)
            self.say(f"priority: '{label}', by rule priority-heading ({self.at(block)})")
        elif named:
            label = named.group("outcome")
            position = self.outcomes_of[self.priority[0] or ""] + 1
            self.under = (self.outcome(label, block.text, self.priority[0], position, "outcome-heading", block), label, block.level)
            self.used.add(i)

    def _items_after(self, i: int) -> list[Block]:
        """The items of the list that starts after block ``i`` (its own, not those of lists inside it)."""
        end = i + 1
        while end < len(self.blocks) and self.blocks[end].kind == "item":
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
        kind = next((k for k in ("outcomes", "workstreams", "priorities") if BY_ID[f"{k}-lead-in"].pattern.search(text)), None)
        if kind is None:
            return None
        own = self._own(items)
        if kind == "outcomes":
            if not own:
                self.say(f"ambiguous: the lead-in at {self.at(block)} ('{text}') announces outcomes, and no list follows it")
                return None
            counted = BY_ID["outcome-count"].pattern.search(text)
            if counted and count_of(counted.group("count")) != len(own):
                self.say(f"ambiguous: the lead-in at {self.at(block)} announces {counted.group('count')} outcomes, "
                          f"and its list holds {len(own)}; drafted the {len(own)}")
            if self.priority[0] is None and self.draft.rows["Priorities"]:
                self.say(f"ambiguous: the outcomes at {self.at(block)} follow "
                         + (f"a list of {self.priorities_of_lists} priorities" if self.priorities_of_lists > 1 else "no priority")
                         + "; drafted with none: fill in the priority each serves")
            for n, item in enumerate(own, 1):
                self.outcome(_label(item), item.text, self.priority[0], n, "", item)
            self.say(f"outcomes: {len(own)}, by rule outcomes-lead-in ({self.at(block)}: '{text}')")
            self.used.update(range(i, i + 1 + len(items)))
            return len(items)
        if kind == "workstreams":
            if not own:
                self.say(f"ambiguous: the lead-in at {self.at(block)} ('{text}') announces work streams, and no list follows it")
                return None
            owner = ""
            responsible = BY_ID["responsible-for"].pattern.search(text)
            if responsible:
                owner = self.organisation(responsible.group("organisation"), text, "responsible-for")
                self.say(f"owner of the work streams at {self.at(block)}: '{responsible.group('organisation')}', "
                         "by rule responsible-for")
            for n, item in enumerate(own, 1):
                ident = self.add("Workstreams", "work stream", _label(item), item.text, owner=owner, position=n)
                if self.under is not None:  # the document lists the action under the outcome, in so many words
                    self.draft.rows["Contributions"].append({
                        "id": f"{ident}--{self.under[0]}", "from": ident, "to": self.under[0],  # as export names a link
                        "rationale": f"listed under '{self.under[1]}' in the document", "source": self.source, "quote": item.text})
            self.say(f"work streams: {len(own)}, by rule workstreams-lead-in ({self.at(block)}: '{text}')"
                     + (f"; each contributes to '{self.under[1]}', by rule actions-under-outcome" if self.under else ""))
            self.used.update(range(i, i + 1 + len(items)))
            return len(items)
        else:  # priorities
            after = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
            chosen = own or ([after] if after is not None and after.kind == "paragraph" else [])
            if not chosen:
                self.say(f"ambiguous: the lead-in at {self.at(block)} ('{text}') announces priorities, and nothing follows it")
                return None
            for item in chosen:
                label = _label(item) if item.kind == "item" else item.text
                ident = self.add("Priorities", "priority", label, item.text, position=len(self.draft.rows["Priorities"]) + 1)
                self.say(f"priority: '{label[:70]}', by rule priorities-lead-in ({self.at(item)}, after '{text}')")
            # Outcomes that follow serve this priority; after a list of several, which one is not said.
            self.priority = (ident if len(chosen) == 1 else None, 0)
            self.priorities_of_lists = len(chosen)
            consumed = len(items) if own else 1
            self.used.update(range(i, i + 1 + consumed))
            return consumed

    def unused(self) -> None:
        for i, block in enumerate(self.blocks):
            if block.kind == "heading" and i not in self.used:
                self.say(f"not used: the heading '{block.text}' ({self.at(block)})")


def draft(path: Path, source: str = "", limits: Mapping[str, Any] = DEFAULTS) -> Draft:
    """The draft workbook's rows from the document at ``path``; DocumentError or DraftError if nothing can be drafted.

    ``limits`` holds the settings the document is held to (graph.draft.document.read_document).
    """
    from graph.workbook import choice_lists

    blocks, unit = read_document(path, limits)
    drafter = _Drafter(blocks, unit, source, list(choice_lists()["life-stage"]))
    drafter.strategy()
    drafter.body()
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
