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
from dataclasses import dataclass, field
from pathlib import Path

from graph.draft.document import Block, DocumentError, read_document
from graph.draft.rules import BY_ID, count_of, life_course

__all__ = ["Draft", "DraftError", "DocumentError", "draft"]


class DraftError(Exception):
    """Nothing could be drafted from the document; the message says why."""


@dataclass
class Draft:
    """The workbook's rows, sheet by sheet, and the report: one line for each thing recognised, unused or ambiguous."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)


def _slug(text: str, taken: set[str]) -> str:
    """A short id from the first words of a label, unique among ``taken``."""
    words = re.findall(r"[a-z0-9]+", text.lower())[:6]
    base = "-".join(words) or "item"
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    taken.add(ident)
    return ident


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


class _Drafter:
    def __init__(self, blocks: list[Block], source: str, stages: list[str]):
        self.blocks, self.source = blocks, source
        self.life_course = life_course(stages)
        self.draft = Draft({name: [] for name in ("Strategy", "Priorities", "Outcomes", "Workstreams", "Contributions", "Organisations")})
        self.ids: dict[str, set[str]] = {name: set() for name in self.draft.rows}
        self.used: set[int] = set()  # indexes of the blocks drafted from
        self.organisations: dict[str, str] = {}  # name, lower-cased: id

    def say(self, line: str) -> None:
        self.draft.report.append(line)

    def add(self, sheet: str, label_column: str, label: str, quote: str, **cells) -> str:
        ident = _slug(label, self.ids[sheet])
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

    # -- the strategy row

    def strategy(self) -> None:
        paragraphs = [(i, b) for i, b in enumerate(self.blocks) if b.kind in ("paragraph", "heading")]
        named = [(i, s, m) for i, b in paragraphs for s in _sentences(b.text)
                 for m in [BY_ID["title-named-strategy"].pattern.search(s)] if m]
        headings = [(i, b) for i, b in enumerate(self.blocks) if b.kind == "heading"]
        row: dict = {}
        if named:
            i, sentence, match = named[0]
            title, quote, rule = match.group("title"), sentence, "title-named-strategy"
            self.used.add(i)
            if headings and headings[0][1].text != title:
                first = headings[0][1]
                self.say(f"ambiguous: two candidate titles, '{first.text}' (first heading, line {first.where}) and "
                         f"'{title}' (line {self.blocks[i].where}); drafted the second, by rule {rule}: it names a strategy")
                self.used.add(headings[0][0])
        elif headings:
            i, first = headings[0]
            title, quote, rule = first.text, first.text, "title-first-heading"
            self.used.add(i)
        else:
            self.say("not found: a title (no passage names a strategy, and there is no heading); fill in the Strategy sheet's title")
            title, quote, rule = "", "", ""
        if title:
            self.say(f"title: '{title}', by rule {rule}")
            period = BY_ID["period-in-title"].pattern.search(title)
            if period:
                row.update(start=period.group("start"), end=period.group("end"))
                self.say(f"period: {period.group('start')} to {period.group('end')}, by rule period-in-title")
            else:
                self.say("not found: the strategy's period; fill in start and end")
        for i, b in paragraphs:
            for sentence in _sentences(b.text):
                led = BY_ID["led-by"].pattern.search(sentence)
                if led and "led by" not in row:
                    row["led by"] = self.organisation(led.group("organisation"), sentence, "led-by")
                    self.say(f"led by: '{led.group('organisation')}', by rule led-by (line {b.where})")
                    self.used.add(i)
                vision = BY_ID["vision-named"].pattern.search(sentence)
                if vision and "vision" not in row:
                    row["vision"] = vision.group("vision")
                    self.say(f"vision: '{row['vision']}', by rule vision-named (line {b.where})")
                course = self.life_course.search(sentence)
                if course and "life course from" not in row:
                    row["life course from"], row["life course to"] = course.group("start").lower(), course.group("end").lower()
                    self.say(f"life course: {row['life course from']} to {row['life course to']}, by rule life-course (line {b.where})")
        ident = _slug(title or "strategy", self.ids["Strategy"])
        self.draft.rows["Strategy"].insert(0, {"id": ident, "title": title, **row, "source": self.source, "quote": quote})

    # -- the lists and what their lead-ins say they hold

    def body(self) -> None:
        priority: str | None = None  # the priority the outcomes that follow serve
        outcome: tuple[str, str] | None = None  # the outcome (id, label) whose heading the actions that follow are under
        positions = {"Priorities": 0, "Outcomes": 0, "Workstreams": 0}
        i = 0
        while i < len(self.blocks):
            block = self.blocks[i]
            items = self._items_after(i)
            if block.kind == "heading":
                heading = BY_ID["priority-heading"].pattern.match(block.text)
                named = BY_ID["outcome-heading"].pattern.match(block.text)
                if heading:
                    positions["Priorities"] += 1
                    priority = self.add("Priorities", "priority", heading.group("priority"), block.text,
                                        position=positions["Priorities"])
                    outcome = None
                    self.used.add(i)
                    self.say(f"priority: '{heading.group('priority')}', by rule priority-heading (line {block.where})")
                elif named:
                    positions["Outcomes"] += 1
                    label = named.group("outcome")
                    outcome = (self.add("Outcomes", "outcome", label, block.text, priority=priority or "",
                                        position=positions["Outcomes"]), label)
                    self.used.add(i)
                    self.say(f"outcome: '{label}', by rule outcome-heading (line {block.where})")
            if block.kind in ("paragraph", "heading") and (items or block.kind == "paragraph"):
                taken = self._lead_in(i, block, items, priority, outcome, positions)
                if taken is not None:
                    new_priority, consumed = taken
                    priority = new_priority or priority
                    i += 1 + consumed
                    continue
            if block.kind == "item" and i not in self.used:
                run = [block, *self._items_after(i)]
                self.say(f"ambiguous: a list of {len(run)} item(s) at line {block.where} ('{run[0].text[:60]}') has no "
                         "lead-in that says what it holds; not used")
                i += len(run)
                continue
            i += 1

    def _items_after(self, i: int) -> list[Block]:
        found = []
        for block in self.blocks[i + 1:]:
            if block.kind != "item":
                break
            found.append(block)
        return found

    def _lead_in(self, i: int, block: Block, items: list[Block], priority, outcome, positions) -> tuple[str, int] | None:
        """Draft what the lead-in at ``i`` says the blocks after it hold: the last priority drafted ("" if none) and
        how many blocks after it were drafted from; None if no rule applies."""
        text = block.text
        if BY_ID["priorities-lead-in"].pattern.search(text) and not BY_ID["outcomes-lead-in"].pattern.search(text):
            chosen = items or ([self.blocks[i + 1]] if i + 1 < len(self.blocks) and self.blocks[i + 1].kind == "paragraph" else [])
            if not chosen:
                return None
            last = ""
            for item in chosen:
                positions["Priorities"] += 1
                last = self.add("Priorities", "priority", item.text, item.text, position=positions["Priorities"])
                self.say(f"priority: '{item.text[:70]}', by rule priorities-lead-in (line {item.where}, after '{text}')")
            self.used.update(range(i, i + 1 + len(chosen)))
            return last, len(chosen)
        if not items:
            return None
        if BY_ID["outcomes-lead-in"].pattern.search(text):
            counted = BY_ID["outcome-count"].pattern.search(text)
            if counted and count_of(counted.group("count")) != len(items):
                self.say(f"ambiguous: the lead-in at line {block.where} announces {counted.group('count')} outcomes, "
                          f"and its list holds {len(items)}; drafted the {len(items)}")
            if priority is None and self.draft.rows["Priorities"]:
                self.say(f"ambiguous: the outcomes at line {block.where} follow no priority; drafted them with none")
            for item in items:
                positions["Outcomes"] += 1
                self.add("Outcomes", "outcome", item.text, item.text, priority=priority or "", position=positions["Outcomes"])
            self.say(f"outcomes: {len(items)}, by rule outcomes-lead-in (line {block.where}: '{text}')")
            self.used.update(range(i, i + 1 + len(items)))
            return "", len(items)
        if BY_ID["workstreams-lead-in"].pattern.search(text):
            owner = ""
            responsible = BY_ID["responsible-for"].pattern.search(text)
            if responsible:
                owner = self.organisation(responsible.group("organisation"), text, "responsible-for")
                self.say(f"owner of the work streams at line {block.where}: '{responsible.group('organisation')}', "
                         "by rule responsible-for")
            for item in items:
                positions["Workstreams"] += 1
                ident = self.add("Workstreams", "work stream", item.text, item.text, owner=owner, position=positions["Workstreams"])
                if outcome is not None:  # the document lists the action under the outcome, in so many words
                    self.draft.rows["Contributions"].append({
                        "id": f"{ident}--{outcome[0]}", "from": ident, "to": outcome[0],  # as export names a link
                        "rationale": f"listed under '{outcome[1]}' in the document", "source": self.source, "quote": item.text})
            self.say(f"work streams: {len(items)}, by rule workstreams-lead-in (line {block.where}: '{text}')"
                     + (f"; each contributes to '{outcome[1]}', by rule actions-under-outcome" if outcome else ""))
            self.used.update(range(i, i + 1 + len(items)))
            return "", len(items)
        return None

    def unused(self) -> None:
        for i, block in enumerate(self.blocks):
            if block.kind == "heading" and i not in self.used:
                self.say(f"not used: the heading '{block.text}' (line {block.where})")


def draft(path: Path, source: str = "") -> Draft:
    """The draft workbook's rows from the document at ``path``; DocumentError or DraftError if nothing can be drafted."""
    from graph.workbook import choice_lists

    blocks = read_document(path)
    drafter = _Drafter(blocks, source, list(choice_lists()["life-stage"]))
    drafter.strategy()
    drafter.body()
    drafter.unused()
    rows = drafter.draft.rows
    if not (rows["Priorities"] or rows["Outcomes"] or rows["Workstreams"]):
        raise DraftError(f"{path}: no priorities, outcomes or work streams were recognised: no list or heading has "
                         "a lead-in the rules know (see graph/draft/rules.py); nothing was drafted")
    return drafter.draft
