"""Benchmark: the drafter measured against keys written by hand, each document drafted in every format it reads.

Each folder of benchmarks/corpus holds a document (Markdown, laid out as its
pages present it) and key.toml, the answers a careful officer gives
(benchmarks/corpus/README.md). The document is rendered as plain text,
Markdown, HTML, .docx and PDF, each drafted by graph.draft.draft, and the
draft is scored against the key, per family, per split (tune, held-out) and
overall; beside the figures, the plain-text drafts of the same run.

Then the scale figures: a 120-page PDF of invented text (headings, lists and
paragraphs, generated in the run) drafted against the 10 s target, beside
the same text as plain text; and documents of many elements of one shape,
each drafted at half its size as the baseline, whose ratio shows whether
drafting takes time in proportion to a document's size.

    .venv/bin/python benchmarks/draft_corpus.py
    .venv/bin/python benchmarks/draft_corpus.py --corpus DIR --no-scale
"""

import argparse
import re
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.draft import DocumentError, Draft, DraftError, draft  # noqa: E402
from graph.draft.rules import MONTHS  # noqa: E402
from graph.workbook.change import NUMBER_WORDS, PERCENT_WORDS  # noqa: E402

CORPUS = REPO / "benchmarks" / "corpus"
# Documents invented in the layouts of published plans, each family's wording and structure but no real place's
# words: measured apart from the published ones (examples/draft-corpus/README.md).
INVENTED = REPO / "examples" / "draft-corpus"
FORMATS = ("txt", "md", "html", "docx", "pdf")
# The kinds of element a key holds, in the order the tables give them.
KINDS = ("title", "period", "vision", "priority", "outcome", "action", "target", "owner")
# The kinds matched by their words alone; an element of one found under another is in the wrong role.
LABELLED = ("title", "vision", "priority", "outcome", "action", "owner")
SPLITS = ("tune", "held-out")
FAMILIES = ("English joint health and wellbeing strategy", "NHS integrated care strategy",
            "Scottish Local Outcome Improvement Plan", "Welsh well-being plan", "council or corporate plan",
            "climate or net-zero plan", "children and young people's plan", "a plan from outside the UK")
TARGET_KINDS = ("level", "change", "milestone")
# A target's kind as the workbook's Targets sheet names it.
SHEET_KIND = {"target": "level", "change": "change", "milestone": "milestone"}
# What ends a label without being part of its words: trailing punctuation, and a joining "and"/"or" after it.
_END = re.compile(r"(?:[\s.,;:]+|[;,]\s*(?:and|or))+$")
PAGES = 120
SCALE_TARGET_SECONDS = 10.0
_FONTS = Path("/usr/share/fonts/truetype/dejavu")


class KeyFileError(ValueError):
    """A key that cannot be read, or lacks what every key holds; the message names the file and the field."""


def normalise(words: str) -> str:
    """The rule words are matched by: white space runs as one space, no ends, no trailing punctuation or 'and'/'or'.

    Case is kept: 'Health and Wellbeing board' is not 'Health and Wellbeing Board'.
    """
    return _END.sub("", " ".join(words.split()))


def text_of(document: Path) -> str:
    """The document's words, white space as one space: what every key string and drafted label must be found in."""
    return " ".join(document.read_text(encoding="utf-8").split())


# -- keys

def load_key(folder: Path) -> dict:
    """The key of the corpus entry in ``folder``, checked for the fields every key holds; KeyFileError naming what is wrong."""
    path = folder / "key.toml"
    try:
        key = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KeyFileError(f"{path}: cannot be read as TOML: {error}") from None
    # A published document names where it was published; an invented one, the published plans its layout follows.
    addresses = "modelled_on" if key.get("invented") is True else "sources"
    for name, kind in ((addresses, list), ("family", str), ("split", str), ("document", str), ("title", str)):
        if not isinstance(key.get(name), kind) or not key[name]:
            raise KeyFileError(f"{path}: '{name}' is missing or empty; expected {'a list' if kind is list else 'a string'}")
    if not all(isinstance(s, str) and re.match(r"https?://\S+$", s) for s in key[addresses]):
        raise KeyFileError(f"{path}: '{addresses}' must hold http or https addresses")
    if key["family"] not in FAMILIES:
        raise KeyFileError(f"{path}: 'family' is {key['family']!r}; expected one of {'; '.join(FAMILIES)}")
    if key["split"] not in SPLITS:
        raise KeyFileError(f"{path}: 'split' is {key['split']!r}; expected one of {', '.join(SPLITS)}")
    if not (folder / key["document"]).is_file():
        raise KeyFileError(f"{path}: 'document' names {key['document']!r}, which is not a file beside it")
    for n, target in enumerate(key.get("targets", []), 1):
        if target.get("kind") not in TARGET_KINDS:
            raise KeyFileError(f"{path}: targets[{n}] has kind {target.get('kind')!r}; expected one of {', '.join(TARGET_KINDS)}")
    return key


def key_strings(key: dict) -> list[tuple[str, str]]:
    """Each string of the key that is the document's words, with the field it is in: all of them but the bookkeeping."""
    found = [("title", key["title"])]
    found += [(f"period.{f}", key["period"][f]) for f in ("start", "end", "words") if key.get("period", {}).get(f)]
    found += [("vision", key["vision"])] if key.get("vision") else []
    for table, fields in (("priorities", ("label", "part_of", "code")), ("outcomes", ("label", "priority", "code")),
                          ("actions", ("label", "outcome", "owner", "code")),
                          ("targets", ("words", "value", "date", "for")), ("owners", ("name", "words")),
                          ("ambiguous", ("words",))):
        for n, entry in enumerate(key.get(table, []), 1):
            found += [(f"{table}[{n}].{f}", str(entry[f])) for f in fields if entry.get(f)]
    return found


@dataclass(frozen=True)
class Element:
    """One thing a key names or a draft holds: its kind, its words, and what it is linked to (by words)."""

    kind: str
    words: str
    links: tuple[tuple[str, str], ...] = ()  # ("priority", words), ("outcome", words), ("owner", words), ("part_of", …)
    value: str = ""  # a target's value and date, as published
    date: str = ""
    target_kind: str = ""


def key_elements(key: dict) -> list[Element]:
    """The elements of a key."""
    found = [Element("title", key["title"])]
    period = key.get("period", {})
    if period.get("start") and period.get("end"):
        # A financial or academic year that ends a period ends in the next year: '2024/25 – 2028/29' runs to 2029.
        end = str(period["end"])
        found.append(Element("period", f"{str(period['start'])[:4]} to {int(end[:4]) + ('/' in end)}"))
    if key.get("vision"):
        found.append(Element("vision", key["vision"]))
    for kind, table, links in (("priority", "priorities", ("part_of",)), ("outcome", "outcomes", ("priority",)),
                               ("action", "actions", ("outcome", "owner"))):
        found += [Element(kind, e["label"], tuple((link, e[link]) for link in links if e.get(link))) for e in key.get(table, [])]
    found += [Element("target", t["words"], (("for", t["for"]),) if t.get("for") else (), str(t.get("value", "")),
                      str(t.get("date", "")), t["kind"]) for t in key.get("targets", [])]
    found += [Element("owner", o["name"]) for o in key.get("owners", [])]
    return found


def draft_elements(drafted: Draft) -> list[Element]:
    """The elements of a draft, each link given by the words of what it links to."""
    rows = drafted.rows
    label = {r["id"]: r[column] for sheet, column in (("Priorities", "priority"), ("Outcomes", "outcome"),
                                                      ("Workstreams", "work stream"), ("Organisations", "name"))
             for r in rows.get(sheet, [])}
    found = []
    for strategy in rows.get("Strategy", [])[:1]:
        if strategy.get("title"):
            found.append(Element("title", strategy["title"]))
        if strategy.get("start") and strategy.get("end"):
            found.append(Element("period", f"{str(strategy['start'])[:4]} to {str(strategy['end'])[:4]}"))
        if strategy.get("vision"):
            found.append(Element("vision", strategy["vision"]))
    link = lambda row, column, name: ((name, label[row[column]]),) if row.get(column) in label else ()
    found += [Element("priority", r["priority"], link(r, "part of", "part_of")) for r in rows.get("Priorities", [])]
    found += [Element("outcome", r["outcome"], link(r, "priority", "priority")) for r in rows.get("Outcomes", [])]
    serves = defaultdict(list)
    for contribution in rows.get("Contributions", []):
        serves[contribution["from"]].append(contribution["to"])
    for r in rows.get("Workstreams", []):
        outcomes = tuple(("outcome", label[to]) for to in serves[r["id"]] if to in label)
        found.append(Element("action", r["work stream"], outcomes + link(r, "owner", "owner")))
    found += [Element("target", r.get("quote", ""), link(r, "for", "for"), str(r.get("value", "") or ""),
                      str(r.get("date", "") or ""), SHEET_KIND[r["kind"]])
              for r in rows.get("Targets", []) if r.get("kind") in SHEET_KIND]
    found += [Element("owner", r["name"]) for r in rows.get("Organisations", [])]
    return found


# -- scoring

@dataclass
class Score:
    """Counts, summed over drafts: per kind, the key's elements, the draft's, and those matched; roles; links; labels."""

    key: Counter = field(default_factory=Counter)
    drafted: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)  # key elements found under their own kind
    found_anywhere: int = 0  # key elements whose words the draft holds under some kind
    right_role: int = 0  # of those, the ones under the key's kind
    links: int = 0  # links the key gives, of elements matched
    right_links: int = 0
    invented: list[str] = field(default_factory=list)  # drafted labels not in the document's words
    seconds: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # drafts that raised, with the message

    def add(self, other: "Score") -> None:
        for name in ("key", "drafted", "matched"):
            getattr(self, name).update(getattr(other, name))
        for name in ("found_anywhere", "right_role", "links", "right_links"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("invented", "seconds", "failed"):
            getattr(self, name).extend(getattr(other, name))

    def recall(self, kind: str | None = None) -> float | None:
        return _ratio(self.matched[kind] if kind else sum(self.matched.values()),
                      self.key[kind] if kind else sum(self.key.values()))

    def precision(self, kind: str | None = None) -> float | None:
        return _ratio(self.matched[kind] if kind else sum(self.matched.values()),
                      self.drafted[kind] if kind else sum(self.drafted.values()))

    def role_accuracy(self) -> float | None:
        return _ratio(self.right_role, self.found_anywhere)

    def link_accuracy(self) -> float | None:
        return _ratio(self.right_links, self.links)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


_MONTHS = {m.lower(): n for n, m in enumerate(MONTHS, 1)}
_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?|\b(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b")


def _value(words: str) -> tuple:
    """What a target's value says: its number and whether it is a percentage or percentage points ('reduce by 10%',
    'a 10% fall' and '10%' all say 10 per cent); words with no number, as words. A level's value in the workbook is
    a number, its unit the indicator's: so a unit is compared only where both values give one (_same_value)."""
    said = normalise(words).casefold()
    number = _AMOUNT.search(said)
    if number is None:
        return ("words", said)
    amount = number[0].replace(",", "")
    unit = "points" if "percentage point" in said else "%" if any(w in said for w in PERCENT_WORDS) else ""
    return (Decimal(amount) if amount[0].isdigit() else NUMBER_WORDS[amount], unit)


def _same_value(key: str, drafted: str) -> bool:
    wanted, got = _value(key), _value(drafted)
    return wanted[0] == got[0] and (wanted[1] == got[1] or not (wanted[1] and got[1]))


def _date(words: str) -> tuple:
    """What a target's date says: its year (the first of '2025/26'; 'FY2029' is 2029) and month, if it names one
    ('March 2025', or a day such as 2025-03-31, which the workbook takes where a document gives a month)."""
    said = normalise(words).casefold()
    year = re.search(r"(?:19|20)\d\d", said)
    day = re.fullmatch(r"((?:19|20)\d\d)-(\d\d)-\d\d", said)
    month = int(day[2]) if day else next((n for m, n in _MONTHS.items() if re.search(rf"\b{m}\b", said)), None)
    return (year[0], month) if year else ("words", said)


def _target_matches(k: Element, d: Element) -> bool:
    """A drafted target is the key's when its quote holds the key's words and it gives the same value and date."""
    return (normalise(k.words) in " ".join(d.words.split()) and _same_value(k.value, d.value)
            and _date(k.date) == _date(d.date))


def score(key: dict, drafted: Draft | None, text: str) -> Score:
    """How the draft (None: nothing drafted) compares with the key; ``text`` is the document's words (text_of)."""
    wanted, got = key_elements(key), draft_elements(drafted) if drafted is not None else []
    result = Score(Counter(e.kind for e in wanted), Counter(e.kind for e in got))
    kinds_of = defaultdict(set)  # a labelled element's normalised words: the kinds the draft holds them under
    for element in got:
        if element.kind in LABELLED:
            kinds_of[normalise(element.words)].add(element.kind)
    unmatched = list(got)  # each drafted element matches one key element at most
    for element in wanted:
        if element.kind == "target":
            found = [d for d in unmatched if d.kind == "target" and _target_matches(element, d)]
            right = [d for d in found if d.target_kind == element.target_kind]
            result.found_anywhere += bool(found)
            result.right_role += bool(right)
        else:
            words = normalise(element.words)
            found = [d for d in unmatched if d.kind == element.kind and normalise(d.words) == words]
            right = found
            if element.kind in LABELLED and kinds_of[words]:
                result.found_anywhere += 1
                result.right_role += element.kind in kinds_of[words]
        if found:
            chosen = (right or found)[0]
            unmatched.remove(chosen)
            result.matched[element.kind] += 1
            result.links, result.right_links = _links(result.links, result.right_links, element, chosen)
    result.invented = [f"{e.kind}: {e.words!r}" for e in got
                       if e.kind in LABELLED and normalise(e.words) not in text]
    return result


def _links(links: int, right: int, wanted: Element, got: Element) -> tuple[int, int]:
    """Add the key's links of ``wanted`` to the count, and those ``got`` has too (an owner's name whatever its case)."""
    fold = lambda name, words: normalise(words).casefold() if name == "owner" else normalise(words)
    have = {(name, fold(name, words)) for name, words in got.links}
    for name, words in wanted.links:
        links += 1
        right += (name, fold(name, words)) in have
    return links, right


# -- rendering a Markdown document in every format

@dataclass(frozen=True)
class Piece:
    """A heading, paragraph, list item or table of the Markdown source, with what each format needs of it."""

    kind: str
    text: str = ""
    level: int = 0  # a heading's level; an item's depth (0 for an outer list)
    number: int | None = None  # an item's number in an ordered list
    rows: tuple[tuple[str, ...], ...] = ()  # a table's, its header row first


def pieces(markdown: str) -> list[Piece]:
    """The blocks of a Markdown document, tables included, by markdown-it."""
    from markdown_it import MarkdownIt

    found: list[Piece] = []
    lists: list[list] = []  # for each list open: [ordered, next number]
    pending: tuple | None = None
    table: list[list[str]] | None = None
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "heading_open":
            pending = ("heading", int(token.tag[1:]))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append([token.type == "ordered_list_open", int(token.attrs.get("start", 1) or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            ordered, number = lists[-1]
            lists[-1][1] += 1
            pending = ("item", len(lists) - 1, number if ordered else None)
        elif token.type == "paragraph_open" and pending is None and table is None:
            pending = ("paragraph", 0)
        elif token.type == "table_open":
            table = []
        elif token.type == "tr_open":
            table.append([])
        elif token.type == "table_close":
            found.append(Piece("table", rows=tuple(tuple(r) for r in table)))
            table = None
        elif token.type == "inline":
            words = " ".join(token.content.split())
            if table is not None:
                table[-1].append(words)
            elif pending is not None:
                found.append(Piece(pending[0], words, pending[1], pending[2] if len(pending) > 2 else None))
                pending = None
    return found


def render(markdown: str, kind: str, path: Path) -> Path:
    """The Markdown document written as ``kind`` at ``path`` (its suffix added), by the library that writes it."""
    path = path.with_suffix(f".{kind}")
    if kind == "md":
        path.write_text(markdown, encoding="utf-8")
    elif kind == "txt":
        path.write_text(_plain(pieces(markdown)), encoding="utf-8")
    elif kind == "html":
        from markdown_it import MarkdownIt

        body = MarkdownIt("commonmark").enable("table").render(markdown)
        path.write_text(f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>document</title></head>"
                        f"<body>\n{body}</body></html>\n", encoding="utf-8")
    elif kind == "docx":
        _docx(pieces(markdown), path)
    elif kind == "pdf":
        _pdf(pieces(markdown), path)
    else:
        raise ValueError(f"no such format: {kind}; expected one of {', '.join(FORMATS)}")
    return path


def _marker(piece: Piece) -> str:
    return f"{piece.number}. " if piece.number is not None else "- "


def _plain(found: list[Piece]) -> str:
    """Plain text: a heading a line alone, an item a line with its marker, a table a line a row, its cells apart."""
    lines: list[str] = []
    for piece in found:
        if piece.kind == "item":
            lines.append("  " * piece.level + _marker(piece) + piece.text)
            continue
        if lines and lines[-1]:
            lines.append("")
        if piece.kind == "table":
            lines += ["    ".join(row) for row in piece.rows]
        else:
            lines.append(piece.text)
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def _docx(found: list[Piece], path: Path) -> None:
    import docx

    document = docx.Document()
    for piece in found:
        if piece.kind == "heading":
            document.add_heading(piece.text, level=min(piece.level, 9))
        elif piece.kind == "item":
            style = ("List Number" if piece.number is not None else "List Bullet") + (f" {piece.level + 1}" if piece.level else "")
            document.add_paragraph(piece.text, style=style)
        elif piece.kind == "table":
            table = document.add_table(rows=len(piece.rows), cols=max(len(r) for r in piece.rows), style="Table Grid")
            for cells, row in zip(table.rows, piece.rows):
                for cell, words in zip(cells.cells, row):
                    cell.text = words
        else:
            document.add_paragraph(piece.text)
    document.save(str(path))


def _pdf_writer():
    """An A4 PDF writer, with DejaVu Sans where the system has it (any character), else Helvetica (Latin-1)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    if (_FONTS / "DejaVuSans.ttf").exists() and (_FONTS / "DejaVuSans-Bold.ttf").exists():
        pdf.add_font("Body", "", str(_FONTS / "DejaVuSans.ttf"))
        pdf.add_font("Body", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
        return pdf, "Body"
    return pdf, "Helvetica"


def _pdf(found: list[Piece], path: Path, pages: int | None = None) -> list[Piece]:
    """The pieces as an A4 PDF, wrapped as a page wraps them; with ``pages``, no more than that many (the last full).

    Returns the pieces written.
    """
    written = 0
    pdf, font = _pdf_writer()
    pdf.add_page()
    for piece in found:
        if pages is not None and pdf.page_no() >= pages and pdf.get_y() > pdf.h - 60:
            break
        written += 1
        if piece.kind == "heading":
            pdf.set_font(font, "B", max(16 - 2 * piece.level, 10))
            pdf.ln(3)
            pdf.multi_cell(0, 7, piece.text, new_x="LMARGIN", new_y="NEXT")
        elif piece.kind == "table":
            pdf.set_font(font, "", 9)
            with pdf.table() as table:
                for row in piece.rows:
                    cells = table.row()
                    for words in row:
                        cells.cell(words)
        else:
            pdf.set_font(font, "", 10)
            indent = 6 * (piece.level + 1) if piece.kind == "item" else 0
            pdf.set_x(pdf.l_margin + indent)
            words = (_marker(piece) if piece.kind == "item" else "") + piece.text
            pdf.multi_cell(0, 5, words, new_x="LMARGIN", new_y="NEXT")
            if piece.kind == "paragraph":
                pdf.ln(2)
    pdf.output(str(path))
    return found[:written]


# -- the corpus

@dataclass
class Entry:
    slug: str
    key: dict
    document: Path


def corpus(folder: Path) -> list[Entry]:
    """Every entry of the corpus in ``folder``: each sub-folder with a key.toml."""
    return [Entry(sub.name, key, sub / key["document"]) for sub in sorted(folder.iterdir())
            if (sub / "key.toml").is_file() for key in [load_key(sub)]]


def measure(entry: Entry, kind: str, workdir: Path) -> Score:
    """Draft ``entry``'s document rendered as ``kind`` and score it against the key, with the seconds it took."""
    rendered = render(entry.document.read_text(encoding="utf-8"), kind, workdir / f"{entry.slug}-document")
    start = time.perf_counter()
    try:
        drafted, failure = draft(rendered, (entry.key.get("sources") or [""])[0]), ""
    except (DocumentError, DraftError) as error:
        drafted, failure = None, f"{entry.slug} ({kind}): {str(error).split(': ', 1)[-1][:90]}"
    seconds = time.perf_counter() - start
    result = score(entry.key, drafted, text_of(entry.document))
    result.seconds.append(seconds)
    result.failed += [failure] if failure else []
    return result


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table(title: str, scores: dict[str, Score], documents: dict[str, int]) -> None:
    """A table of per-kind recall and precision, then roles, links, invented labels and seconds, one column a group."""
    print(f"\n## {title}\n")
    names = list(scores)
    print("| figure | " + " | ".join(f"{n} ({documents[n]} doc.)" for n in names) + " |")
    print("| --- |" + " --- |" * len(names))
    line = lambda figure, values: print(f"| {figure} | " + " | ".join(values) + " |")
    for kind in KINDS:
        if any(s.key[kind] or s.drafted[kind] for s in scores.values()):
            line(f"{kind}: recall / precision (key, drafted)",
                 [f"{_figure(s.recall(kind))} / {_figure(s.precision(kind))} ({s.key[kind]}, {s.drafted[kind]})"
                  for s in scores.values()])
    line("**all elements: recall / precision**", [f"{_figure(s.recall())} / {_figure(s.precision())}" for s in scores.values()])
    line("role accuracy (right role, of those found in any)",
         [f"{_figure(s.role_accuracy())} ({s.right_role} of {s.found_anywhere})" for s in scores.values()])
    line("links right (priority, outcome, owner, part of)",
         [f"{_figure(s.link_accuracy())} ({s.right_links} of {s.links})" for s in scores.values()])
    line("invented labels (must be 0)", [str(len(s.invented)) for s in scores.values()])
    line("drafts refused (nothing drafted)", [str(len(s.failed)) for s in scores.values()])
    line("seconds per document (mean, max)",
         [f"{sum(s.seconds) / len(s.seconds):.2f}, {max(s.seconds):.2f}" if s.seconds else "–" for s in scores.values()])


def run_corpus(folder: Path) -> dict[str, Score]:
    """Draft every entry in every format; print the tables; return the overall score by format and 'all'."""
    entries = corpus(folder)
    if not entries:
        sys.exit(f"{folder}: no corpus entry (a folder holding key.toml)")
    by: dict[str, dict[str, Score]] = {"family": defaultdict(Score), "split": defaultdict(Score), "format": defaultdict(Score)}
    documents: dict[str, dict[str, int]] = {name: Counter() for name in by}
    overall = Score()
    with tempfile.TemporaryDirectory() as workdir:
        measure(entries[0], "md", Path(workdir))  # imports and compiled patterns out of the way of the seconds
        for entry in entries:
            for name, group in (("family", entry.key["family"]), ("split", entry.key["split"])):
                documents[name][group] += 1
            for kind in FORMATS:
                result = measure(entry, kind, Path(workdir))
                for name, group in (("family", entry.key["family"]), ("split", entry.key["split"]), ("format", kind)):
                    by[name][group].add(result)
                overall.add(result)
    for kind in FORMATS:
        documents["format"][kind] = len(entries)
    print(f"# {folder.relative_to(REPO) if folder.is_relative_to(REPO) else folder}: the drafter against "
          f"{len(entries)} hand-written key(s), each document drafted as {', '.join(FORMATS)}")
    if all(e.key.get("invented") for e in entries):
        print("\nEvery document here is invented, in the layout of published plans of its family: these figures are "
              "not a measure on real plans.")
    print("\nA key element is found when a drafted element of its kind has the same words, once white space runs are "
          "one space and trailing punctuation (. , ; :) and a joining 'and'/'or' are dropped; case is kept. A target "
          "is found when a drafted target's quote holds its words and it gives the same value and date. Counts are "
          "summed over the formats.")
    table("Overall, and by split (held-out: not looked at while writing rules)",
          {"all": overall, **{s: by["split"][s] for s in SPLITS if s in by["split"]}},
          {"all": len(entries), **documents["split"]})
    table("By family", dict(by["family"]), documents["family"])
    table("By format (baseline: plain text, same run)", {k: by["format"][k] for k in FORMATS}, documents["format"])
    for line in overall.invented:
        print(f"invented: {line}")
    for line in overall.failed:
        print(f"refused: {line}")
    return {**by["format"], "all": overall}


# -- scale

_SECTION = """## Priority {n}: Invented priority number {n} for a large plan

Test data, invented: section {n} of a plan of no real place. This paragraph stands for the narrative a published plan
gives under each of its priorities, long enough to wrap over several lines of the page as a council's document does,
with the evidence, the partners and the history of the work set out in ordinary sentences.

Our outcomes for this priority are:

- more residents in area {n} report good health by the end of the plan
- fewer households in area {n} live in fuel poverty each year
- a smaller gap in healthy life expectancy between the wards of area {n}

### How we will get there

We will:

1. open a community hub in district {n} with the voluntary sector
2. train local volunteers in district {n} to offer advice on money and debt
3. publish a yearly report on progress in district {n}

The partners who share this work meet every quarter and report to the board, which reviews the measures above and
agrees any change of course with the residents of the area.
"""


def scale_document() -> str:
    """Markdown of invented text with a plan's structure: a title, then sections of headings, lists and paragraphs."""
    sections = "\n".join(_SECTION.format(n=n) for n in range(1, 400))
    return f"# Ashdown Borough Plan 2025 to 2035\n\nTest data, invented: a plan of no real place, made for the benchmark.\n\n{sections}"


def run_scale() -> None:
    """Draft a 120-page PDF generated in the run; print the seconds against the target, beside the same text as plain text."""
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as workdir:
        pdf = Path(workdir) / "scale.pdf"
        found = _pdf(pieces(scale_document()), pdf, pages=PAGES)
        pages = len(PdfReader(str(pdf)).pages)
        words = sum(len(p.text.split()) for p in found)
        text = Path(workdir) / "scale.txt"
        text.write_text(_plain(found), encoding="utf-8")
        timings = {}
        for name, path in (("pdf", pdf), ("txt", text)):
            start = time.perf_counter()
            drafted = draft(path)
            timings[name] = (time.perf_counter() - start, sum(len(r) for r in drafted.rows.values()))
    print(f"\n## Scale: a PDF of {pages} A4 pages of invented text (headings, lists, paragraphs), generated in the run\n")
    print("| figure | strategy-graph | baseline, same run | target |\n| --- | --- | --- | --- |")
    print(f"| seconds to draft the {pages}-page PDF ({timings['pdf'][1]} rows) | {timings['pdf'][0]:.2f} | "
          f"{timings['txt'][0]:.2f} (the same {words} words, as plain text) | "
          f"< {SCALE_TARGET_SECONDS:.0f} |")


# Documents of many elements of one shape, invented in the run, that once took time out of proportion to their size:
# each is drafted at n and at 2n elements, and the ratio printed (about 2 when the time is in proportion).
def _nested(n: int) -> str:
    return "# Invented Plan 2020 to 2030\n\nTest data, invented.\n\n" + "\n\n".join(
        f"## Ambition {i} – Thing {i}\n\n### Priority {i}: Part {i}\n\nA{i}.1 Do thing {i}" for i in range(1, n + 1))


def _coded_table(n: int) -> str:
    outcomes = "\n".join(f"- SO{i}: Invented outcome {i}" for i in range(n))
    rows = "\n".join(f"| {i}.1 | Do invented thing {i} | SO{i} |" for i in range(n))
    return (f"# Invented Plan 2024 to 2030\n\nTest data, invented.\n\nOur stretch outcomes:\n\n{outcomes}\n\n"
            f"| Code | Project | Stretch outcome |\n| --- | --- | --- |\n{rows}\n")


def _listed_headings(n: int) -> str:
    aims = "\n".join(f"- Build invented homes number {i} where needed" for i in range(n))
    sections = "\n\n".join(f"### {i}. Build invented homes number {i}\n\n- item {i}" for i in range(n))
    return (f"# Invented Plan 2024 to 2030\n\nTest data, invented.\n\n## Our core aims\n\nOver the life of this plan "
            f"we will:\n\n{aims}\n\n{sections}\n")


IN_PROPORTION = (("nested and numbered headings (Ambition > Priority > A1.1)", _nested, 6000),
                 ("table rows naming outcomes by code", _coded_table, 4000),
                 ("headings naming listed aims in fewer words", _listed_headings, 4000))


def run_in_proportion() -> None:
    """Draft each document of IN_PROPORTION at half its size and at its size; print the seconds and their ratio."""
    print("\n## Time in proportion to size: invented documents of many elements, each at half size as the baseline\n")
    print("| figure | strategy-graph | baseline, same run (half the elements) | target |\n| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as workdir:
        for name, document, n in IN_PROPORTION:
            seconds = []
            for size in (n // 2, n):
                path = Path(workdir) / f"{document.__name__}-{size}.md"
                path.write_text(document(size), encoding="utf-8")
                start = time.perf_counter()
                draft(path)
                seconds.append(time.perf_counter() - start)
            print(f"| {n} {name} | {seconds[1]:.2f} s | {seconds[0]:.2f} s ({seconds[1] / seconds[0]:.1f}x for twice "
                  f"the elements) | about 2x |")


def check_keys(folder: Path) -> list[str]:
    """What is wrong with the keys in ``folder``: an unreadable key, or a string in it that is not its document's words."""
    problems = []
    for sub in sorted(p for p in folder.iterdir() if (p / "key.toml").is_file()):
        try:
            key = load_key(sub)
        except KeyFileError as error:
            problems.append(str(error))
            continue
        text = text_of(sub / key["document"])
        problems += [f"{sub / 'key.toml'}: {where} is not the document's words: {words!r}"
                     for where, words in key_strings(key) if " ".join(words.split()) not in text]
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append",
                        help=f"a folder of corpus entries, measured apart; may be given again "
                             f"(default: {CORPUS.relative_to(REPO)} and {INVENTED.relative_to(REPO)})")
    parser.add_argument("--no-scale", action="store_true", help="skip the 120-page PDF and the documents of many elements")
    parser.add_argument("--check-keys", action="store_true",
                        help="only check that every key reads and holds the document's words; exit 1 if not")
    options = parser.parse_args(argv)
    folders = options.corpus or [CORPUS, INVENTED]
    if options.check_keys:
        problems = [problem for folder in folders for problem in check_keys(folder)]
        print("\n".join(problems) or f"every key in {', '.join(map(str, folders))} reads and holds its document's words")
        sys.exit(1 if problems else 0)
    for folder in folders:
        run_corpus(folder)
    if not options.no_scale:
        run_scale()
        run_in_proportion()


if __name__ == "__main__":
    main()
