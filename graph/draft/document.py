"""A published document as blocks: headings, paragraphs, list items and tables, in reading order, in its own words.

Each format is read by a well-kept parser (markdown-it-py, BeautifulSoup,
python-docx, pypdf); plain text, and the text pypdf extracts from a PDF, are
read line by line, a line that starts with a bullet or a number being a list
item. What comes out is the same for the same content in any format.
Each is held to the limits of graph/settings.py that it is given: how much
text, how deep an HTML page nests, what a .docx unpacks to and how many
paragraphs and XML nodes it holds, how large a PDF is, how many pages it has
and how much content pypdf parses from it; pypdf and lxml keep their own
against bombs. Reading takes time in proportion to the document.
"""

import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from graph.archives import ArchiveError, refuse_zip_bomb
from graph.errors import StrategyGraphError
from graph.settings import with_defaults

# Each format, and what a block's place is counted in there (for the report).
FORMATS = {".txt": "line", ".text": "line", ".md": "line", ".markdown": "line", ".pdf": "line",
           ".html": "element", ".htm": "element", ".docx": "paragraph"}
# A list item's marker in plain text: a bullet, or a number or letter with a point or bracket.
_MARKER = re.compile(r"^\s*(?:[-*•–—▪◦·]|\(?(?:\d{1,3}|[a-z])[.)])\s+(?=\S)")
# A heading that starts with its number, after at most three words: "Big Move 1: …", "Priority 2 – …", "3. …".
_NUMBERED_HEADING = re.compile(r"^(?:[A-Z][\w-]*\s+){0,3}(?:\d+(?:\.\d+)*[A-Z]?|[A-Z])\s*[:.–—]\s+\S")
# What stands between a plain-text table's cells: a tab, or this many spaces or more.
_CELL_GAP = 3
_CELL = re.compile(rf"\S+(?: {{1,{_CELL_GAP - 1}}}\S+)*")
# The most words a title may have: the document's first lines, standing alone, or a PDF's heading set apart by its type
# (a heading in plain text: 12).
_TITLE_WORDS = 30
# A line this much of the longest line's length or more was wrapped: what follows carries it on.
_WRAPPED = 0.8
_HEADING_WRAPPED = 0.5  # the same, for a heading's line: its type is larger, so fewer of its characters fill a line
# A PDF's line in a type this many points larger than most of the text's is a heading.
_LARGER = 0.5
# A gap between a PDF's lines this many times their type's usual spacing, or more, ends a paragraph.
_GAP = 1.2
# A type's usual line spacing, at most, as a multiple of its size: for a PDF whose every line is a paragraph.
_LEADING = 1.5
# How far apart, in points, the x-positions of a PDF's pieces of text may be and stand in one table column.
_ALIGNED = 1.0
# The most a PDF's table cell's lines stand apart, as a multiple of their type's size.
_CELL_LEADING = 2.5
# The words in a font's name that say it is bold.
_BOLD = re.compile(r"(?i)bold|black|heavy|semibold|demi")
# WordprocessingML's paragraph, and the element holding a run's text, by lxml's names for them.
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PARAGRAPH, _TEXT = f"{_W}p", f"{_W}t"
# The part of a .docx that gives each other part's content type: by its extension, or by its name.
_CONTENT_TYPES = "[Content_Types].xml"
_DEFAULT = "{http://schemas.openxmlformats.org/package/2006/content-types}Default"
_OVERRIDE = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"
# How much of a .docx part is read at a time.
_CHUNK = 1 << 16
# The HTML elements that are blocks (those inside a table are reported with it, not drafted from).
_HTML_BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table"}


class DocumentError(StrategyGraphError):
    """The document cannot be read, or holds no text; the message says which file and why."""


@dataclass(frozen=True)
class Block:
    """One heading, paragraph, list item or table: its text as published, and where it is.

    ``level`` is a heading's level (1 the highest) or an item's depth (0 for
    an item of a list, 1 for one of a list inside it); ``list`` which list
    an item is of, where the format marks where a list ends (Markdown, HTML;
    0 elsewhere): two lists with nothing between them stay two. A table's ``rows``
    are its cells' words, row by row, the header row first; the parts of a
    cell (its paragraphs, items and lines) stand on lines of their own.
    """

    kind: str  # heading, paragraph, item or table
    text: str
    where: int
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()
    list: int = 0


def read_document(path: Path, limits: Mapping[str, Any] | None = None) -> tuple[list[Block], str]:
    """The blocks of ``path``, by its extension, and what their places count; DocumentError if none can be read.

    ``limits`` holds the settings a document is held to: how much text it
    holds, how deeply an HTML page nests, what a .docx may unpack to, and how
    much of a PDF pypdf works through; the defaults for those not given.
    """
    limits = with_defaults(limits)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DocumentError(f"{path}: cannot draft from a {suffix or 'file with no extension'}; "
                            f"expected one of {', '.join(sorted(FORMATS))}")
    most = limits["draft_max_text_bytes"]
    try:
        if suffix not in (".docx", ".pdf") and path.stat().st_size > most:  # all of such a file is text
            raise _too_much_text(path, most)
        if suffix == ".docx":
            blocks = _docx(path, limits)
        elif suffix == ".pdf":
            blocks = _pdf(path, limits)
        elif suffix in (".html", ".htm"):
            blocks = _html(path.read_text(encoding="utf-8-sig"), path, limits["draft_max_nesting"])
        else:
            text = path.read_text(encoding="utf-8-sig")
            blocks = _markdown(text) if suffix in (".md", ".markdown") else _lines(text, tables=_text_tables(text))
    except UnicodeDecodeError as error:
        raise DocumentError(f"{path}: not UTF-8 text (byte {error.start}): save it as UTF-8") from None
    except OSError as error:
        raise DocumentError(f"{path}: cannot be read ({error.strerror or error})") from None
    blocks = [b for b in blocks if b.text]
    if not blocks:
        raise DocumentError(f"{path}: no text could be read from it" +
                            (" (a scanned PDF holds pictures of pages, not text: run it through OCR first)"
                             if suffix == ".pdf" else ""))
    return blocks, FORMATS[suffix]


def _clean(text: str) -> str:
    """Runs of white space as one space (line breaks inside a paragraph, non-breaking spaces), and no ends."""
    return " ".join(text.split())


def _lines(text: str, headings: list[int] | None = None, breaks: frozenset[int] = frozenset(),
           tables: Mapping[int, tuple[tuple[tuple[str, ...], ...], int]] | None = None) -> list[Block]:
    """Plain text: a line with a marker is a list item, a short line standing alone a heading, the rest paragraphs.

    A paragraph or an item may be wrapped over several lines: a line carries
    on the one before when that one was wrapped (it runs to near the longest
    line's length and stops mid-sentence) or this one starts in lower case.
    With ``headings`` (a PDF whose type sets its headings apart), each line's
    heading level (0: not a heading) is given: a heading's lines are one
    heading, and no other line is taken for one; and the lines ``breaks``
    (by number) begin a block, as a line after a blank one does. ``tables``
    gives, by the number of its first line, each table's rows and how many
    lines it takes: those lines are the table.
    """
    blocks: list[Block] = []
    lines = text.splitlines()
    tables = tables or {}
    in_table = {n for first, (_, count) in tables.items() for n in range(first, first + count)}
    width = max((len(line.rstrip()) for n, line in enumerate(lines)
                 if (not headings or not headings[n]) and n + 1 not in in_table), default=0)
    current: list[str] = []  # the lines of the block being read
    kind, start, level = "", 0, 0

    def close(standing: bool = False) -> None:
        """End the block being read; the first, ``standing`` alone (a blank line or a gap after it), may be the title."""
        if current:
            text = _clean(" ".join(current))
            title = standing and not blocks and headings is None and kind == "paragraph" and _is_title(text)
            blocks.append(Block("heading", text, start, 1) if title else Block(kind, text, start, level))
            current.clear()

    for number, line in enumerate(lines, 1):
        if number in in_table:
            if number in tables:
                close(standing=True)
                blocks.append(Block("table", "a table", number, rows=tables[number][0]))
            continue
        stripped = line.strip()
        marker = _MARKER.match(line)
        given = headings[number - 1] if headings else 0
        if number in breaks:
            close(standing=True)
        if not stripped:
            close(standing=True)
        elif given:
            # a heading's lines, of one style, are one heading, unless a line starts another by its number ('Big Move 1: …')
            # and unless the line before stopped well short of the page's width: a heading set in larger type wraps at
            # about half the width of the text's lines ('Llanwyddog Public Services Board' then 'Local Well-being Plan')
            if not (current and kind == "heading" and level == given and not _NUMBERED_HEADING.match(stripped)
                    and len(lines[number - 2].rstrip()) >= _HEADING_WRAPPED * width):
                close()
                kind, start, level = "heading", number, given
            current.append(stripped)
        elif kind == "heading" and current:
            close()
            kind, start, level = ("item", number, 0) if marker else ("paragraph", number, 0)
            current.append(line[marker.end():] if marker else stripped)
        elif marker:
            close()
            kind, start, level = "item", number, 0
            current.append(line[marker.end():])
        elif current and (stripped[0].islower() or _wrapped(lines[number - 2], width)):
            current.append(stripped)
        elif headings is None and _is_heading_line(stripped, number, lines, width, breaks):
            close()
            blocks.append(Block("heading", _clean(line), number, 1))
        else:
            close()
            kind, start, level = "paragraph", number, 0
            current.append(stripped)
    close(standing=True)
    return blocks


def _text_tables(text: str) -> dict[int, tuple[tuple[tuple[str, ...], ...], int]]:
    """Plain text's tables, by the number of their first line: their rows, and how many lines they take.

    A table is a run of two or more lines, none a list item, each of whose
    cells stand apart by a tab or _CELL_GAP spaces or more, two or more to a
    line; its first line, the header row, says how many columns it has (or
    the next, when the header's first cells are empty). A later row may hold
    fewer cells: the empty ones are placed where its cells start under the
    header's, else by how many gaps as wide as the row's narrowest stand
    before, between and after them (one way or the other, the row must come
    to as many cells as the header's).
    """
    found: dict[int, tuple[tuple[tuple[str, ...], ...], int]] = {}
    lines = text.splitlines()
    split = [_cells(line) for line in lines]
    n = 0
    while n < len(lines):
        header = split[n]
        if header is None:
            n += 1
            continue
        first = tuple(words for _, words in header)
        following = split[n + 1] if n + 1 < len(lines) else None
        full = following if following else header  # the header may leave its first cells empty
        if len(full) > len(header):
            first = _row(header, lines[n], [], len(full)) or first
        starts, widest = [start for start, _ in full], len(first)
        rows, end = [first], n + 1
        while end < len(lines) and (cells := split[end]) is not None and (row := _row(cells, lines[end], starts, widest)):
            rows.append(row)
            end += 1
        if len(rows) > 1:
            found[n + 1] = (tuple(rows), end - n)
        n = end
    return found


def _cells(line: str) -> list[tuple[int, str]] | None:
    """A line's cells, each with the column it starts at, if it holds two or more apart and is not a list item.

    Nor a justified line: its words, none a single space apart, stand two
    spaces apart and more (a table's cells hold words a space apart, or one).
    """
    gaps = {len(gap) for gap in re.findall(r"(?<=\S) +(?=\S)", line)}
    if _MARKER.match(line) or not line.strip() or (2 in gaps and 1 not in gaps):
        return None
    cells = [(match.start(), match.group()) for match in _CELL.finditer(line.rstrip())]
    return cells if len(cells) > 1 else None


def _row(cells: list[tuple[int, str]], line: str, starts: list[int], columns: int) -> tuple[str, ...] | None:
    """A line's cells as a row of a table of ``columns`` whose header's cells start at ``starts``; None if it is not one."""
    if len(cells) == columns:
        return tuple(words for _, words in cells)
    if len(cells) > columns:
        return None
    if all(start in starts for start, _ in cells):  # cells aligned under the header's
        row = [""] * columns
        for start, words in cells:
            row[starts.index(start)] = words
        return tuple(row)
    ends = [start + len(words) for start, words in cells]
    gaps = [cells[0][0]] + [start - end for (start, _), end in zip(cells[1:], ends)]
    gap = min(gaps[1:])
    empty = [round(gaps[0] / gap)] + [round(g / gap) - 1 for g in gaps[1:]]  # the empty cells before each
    after = round((len(line) - ends[-1]) / gap)  # and those after the last, where the spaces that stand for them are kept
    if sum(empty) + len(cells) + after != columns:
        return None
    row = []
    for before, (_, words) in zip(empty, cells):
        row += [""] * before + [words]
    return tuple(row + [""] * after)


def _is_title(text: str) -> bool:
    """Words a document opens with, standing alone, that end without punctuation: its title, however long it runs."""
    return len(text.split()) <= _TITLE_WORDS and text[-1] not in ".,;:!?"


def _wrapped(line: str, width: int) -> bool:
    """Whether ``line`` was broken where the page ran out: near the longest line's length, and not at a sentence's end."""
    line = line.rstrip()
    return len(line) >= _WRAPPED * width and line[-1:] not in (".", ":", "!", "?")


def _is_heading_line(line: str, number: int, lines: list[str], width: int, breaks: frozenset[int]) -> bool:
    """A short line that ends without punctuation and stands alone: the first line, before a blank line or a new sentence."""
    words = line.split()
    after = lines[number].strip() if number < len(lines) else ""
    if not words or line[-1] in ".,;:!?":
        return False
    if len(words) > 12 or len(line) >= _WRAPPED * width:
        return False
    return number == 1 or not after or number + 1 in breaks or after[0].isupper() or bool(_MARKER.match(lines[number]))


def _markdown(text: str) -> list[Block]:
    from markdown_it import MarkdownIt

    blocks: list[Block] = []
    pending, depth, lists = None, 0, 0
    table: list[list[str]] | None = None  # the rows of the table being read
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if table is not None:
            if token.type == "tr_open":
                table.append([])
            elif token.type == "inline":
                table[-1].append(_cell_lines(_words(token, breaks=True)))
            elif token.type == "table_close":
                blocks[-1] = Block("table", "a table", blocks[-1].where, rows=tuple(map(tuple, table)))
                table = None
            continue
        if token.type == "heading_open":
            pending = ("heading", int(token.tag[1:]))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists += depth == 0
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open":
            pending = ("item", depth - 1)
        elif token.type == "paragraph_open" and pending is None:
            pending = ("paragraph", 0)
        elif token.type == "table_open":
            blocks.append(Block("table", "a table", token.map[0] + 1 if token.map else 0))
            table = []
        elif token.type == "inline" and pending is not None:
            line = token.map[0] + 1 if token.map else 0
            blocks.append(Block(pending[0], _clean(_words(token)), line, pending[1], list=lists if pending[0] == "item" else 0))
            pending = None
    return blocks


def _words(inline, breaks: bool = False) -> str:
    """An inline token's words as a reader sees them: emphasis and link markup gone, line breaks as spaces.

    With ``breaks`` (a table's cell, which has no other way to hold several
    lines), an HTML <br> is a new line.
    """
    return "".join(" " if c.type in ("softbreak", "hardbreak") else "\n" if c.type == "html_inline" else c.content
                   for c in inline.children or ()
                   if c.type in ("text", "code_inline", "softbreak", "hardbreak")
                   or (breaks and c.type == "html_inline" and re.fullmatch(r"(?i)<br\s*/?>", c.content)))


def _cell_lines(text: str) -> str:
    """A table cell's words: each of its lines cleaned, the empty ones dropped, one to a line."""
    return "\n".join(line for line in map(_clean, text.splitlines()) if line)


def _html(text: str, path: Path, max_nesting: int) -> list[Block]:
    """HTML, in one pass over its elements: each learns from its parent how deep it is, and what it is inside.

    An item's words are those whose nearest item it is, not those of a list
    inside it, which are items of their own; a paragraph's are all those in
    it but a paragraph's inside it, and a heading's likewise (valid HTML nests
    neither). Each word is read at most three times, so the time taken grows
    with the page, whatever its nesting.
    """
    from bs4 import BeautifulSoup, CData, NavigableString, Tag

    soup = BeautifulSoup(text, "html.parser")
    for hidden in soup(["script", "style", "head", "nav", "header", "footer", "aside"]):
        hidden.decompose()
    for br in soup("br"):
        br.replace_with("\n")
    # What each element's children are inside: how deep, whether in a table, the words of the item, paragraph,
    # heading and table cell they belong to (None: none, or one not drafted), how many lists, and the rows of the
    # table whose rows and cells they are (None: none, or a table inside a table, whose words are its cell's).
    inside: dict[int, tuple[int, bool, list[str] | None, list[str] | None, list[str] | None, int, list[str] | None,
                            list[list[tuple[list[str], int]]] | None]] = {id(soup): (0, False, None, None, None, 0, None, None)}
    drafted: list[tuple[str, list[str], int, int, int]] = []  # kind, words, place, level, list
    outermost = 0  # how many lists not inside a list have begun
    tables: dict[int, list[list[tuple[list[str], int]]]] = {}  # a table's index in drafted: its rows, of (a cell's words, rowspan)
    number = 0
    for node in soup.descendants:
        depth, in_table, item, paragraph, heading, lists, cell, rows = inside[id(node.parent)]
        if not isinstance(node, Tag):
            if type(node) in (NavigableString, CData):  # the strings get_text reads: no comments
                for words in (item, paragraph, heading, cell):
                    if words is not None:
                        words.append(cast(str, node))  # a NavigableString or CData: a str
            continue
        if depth >= max_nesting:
            raise DocumentError(f"{path}: its elements nest more than {max_nesting} deep (setting draft_max_nesting); "
                                "expected an ordinary web page")
        name, kind, level = node.name, None, 0
        if name in _HTML_BLOCKS:
            number += 1
            if in_table:  # a table's cells are read with the table; a paragraph or item of a cell is a line of it
                if cell is not None:
                    cell.append("\n")
            elif name == "table":
                tables[len(drafted)] = []
                drafted.append(("table", ["a table"], number, 0, 0))
            elif name == "li":
                kind, level = "item", lists - 1
            elif name == "p":
                kind = "paragraph" if item is None else None  # a paragraph of an item is the item's
            else:
                kind, level = "heading", int(name[1])
        words = [] if kind else None
        if name in ("ul", "ol") and not lists and not in_table:
            outermost += 1
        if kind and words is not None:  # words is a list exactly when there is a kind
            drafted.append((kind, words, number, level, outermost if kind == "item" else 0))
        if name == "table":
            rows = tables.get(len(drafted) - 1) if not in_table else None
        elif name == "tr" and rows is not None:
            rows.append([])
        elif name in ("td", "th") and rows is not None:
            cell = []
            span = str(node.get("rowspan", "1"))  # a string: rowspan is not one of HTML's multi-valued attributes
            if not rows:
                rows.append([])
            rows[-1].append((cell, int(span) if span.isdigit() else 1))
        inside[id(node)] = (depth + 1, in_table or name == "table", words if name == "li" else item,
                            words if kind == "paragraph" else paragraph, words if kind == "heading" else heading,
                            lists + (name in ("ul", "ol")), cell, rows)
    return [Block(kind, _clean("".join(words)), place, level, _grid(tables[n]) if n in tables else (), list=of)
            for n, (kind, words, place, level, of) in enumerate(drafted)]


def _grid(rows: list[list[tuple[list[str], int]]]) -> tuple[tuple[str, ...], ...]:
    """A table's rows as the reader sees them: a cell that spans several rows (rowspan) stands in each, in its column."""
    grid: list[tuple[str, ...]] = []
    carried: dict[int, tuple[str | list[str], int]] = {}  # a column: the words of the cell spanning into it, and how many more rows it spans
    for row in rows:
        cells, n, column, last = [], 0, 0, max(carried, default=-1)
        while n < len(row) or column <= last:
            if column in carried:
                words, more = carried.pop(column)
            elif n < len(row):
                (words, more), n = row[n], n + 1
            else:
                words, more = "", 1
            if isinstance(words, list):
                words = _cell_lines("".join(words))
            if more > 1:
                carried[column] = (words, more - 1)
            cells.append(words)
            column += 1
        if any(cells):
            grid.append(tuple(cells))
    return tuple(grid)


def _too_much_text(path: Path, most: int) -> DocumentError:
    return DocumentError(f"{path}: holds more than the {most} bytes of text allowed (setting draft_max_text_bytes); "
                         "expected the text of a published strategy")


def _docx(path: Path, limits: Mapping[str, Any]) -> list[Block]:
    """A Word document's paragraphs and tables, once its zip directory, then its XML as it streams, are within ``limits``."""
    import docx

    try:
        refuse_zip_bomb(path, "a Word document (.docx)", limits)
    except ArchiveError as error:
        raise DocumentError(str(error)) from None
    _WordCount(path, limits).read()
    try:
        document = docx.Document(str(path))
        style = _paragraph_style_names(document)
        blocks = [_docx_block(paragraph, number, style(paragraph._p.style))
                  for number, paragraph in enumerate(document.paragraphs, 1)]
        tables = [tuple(tuple(_cell_lines(cell.text) for cell in row.cells) for row in table.rows) for table in document.tables]
    except MemoryError:
        raise  # the machine's limit, not a fault of the file: not to be reported as one that cannot be read
    except Exception as error:  # noqa: BLE001 — python-docx and lxml raise many kinds
        _out_of_memory(error, path)
        raise DocumentError(f"{path}: not a Word document (.docx) that can be read: {error}") from None
    return blocks + [Block("table", "a table", len(blocks) + n, rows=rows) for n, rows in enumerate(tables, 1)]


def _out_of_memory(error: Exception, path: Path) -> None:
    """Raise MemoryError if ``error`` is lxml's word for libxml2 running out of memory: a syntax error, 'unknown error'."""
    from lxml import etree

    if isinstance(error, etree.XMLSyntaxError) and error.code == etree.ErrorTypes.ERR_NO_MEMORY:
        raise MemoryError(f"{path}: lxml ran out of memory reading it") from error


class _WordCount:
    """An lxml parser target: counts the text, paragraphs and XML nodes of a .docx's parts as they stream, building no tree.

    python-docx parses the parts it reads whole, 130 to 250 bytes for each
    node (element, attribute, namespace declaration, piece of text, comment),
    however few bytes the node takes in the file, and makes an object of each
    paragraph: within the zip limits, a file of a megabyte could take
    gigabytes and minutes. Each part it reads, by its content type, is read
    here first and refused as soon as the document passes
    draft_max_text_bytes (the text of w:t elements), draft_max_docx_paragraphs
    or draft_max_docx_nodes: time linear in its size, memory that does not grow.
    """

    def __init__(self, path: Path, limits: Mapping[str, Any]):
        self.path, self.limits = path, limits
        self.text = self.paragraphs = self.nodes = 0
        self.defaults: dict[str, str | None] = {}  # [Content_Types].xml's content type of each extension
        self.overrides: dict[str, str | None] = {}  # and of each part it names
        self.part = ""
        self.in_text = 0  # how many w:t elements are open (one at most, in a valid document)
        self.in_data = False  # lxml may hand one piece of text over in several calls: it is one node

    def read(self) -> None:
        """Read each part python-docx parses; DocumentError past a limit, or at a document type declaration."""
        from docx.opc.part import PartFactory, XmlPart

        parsed = {kind for kind, part in PartFactory.part_type_for.items() if issubclass(part, XmlPart)}
        with zipfile.ZipFile(self.path) as archive:
            names = archive.namelist()
            if _CONTENT_TYPES in names:  # without it, python-docx refuses the file
                self._read(archive, _CONTENT_TYPES)
            for name in names:
                # Relationships, and the parts whose content type is one python-docx parses (not pictures: an SVG's
                # DOCTYPE is harmless there). The type is looked up as python-docx looks it up.
                kind = self.overrides.get(f"/{name}".lower(), self.defaults.get(posixpath.splitext(name)[1][1:].lower()))
                if name.lower().endswith(".rels") or kind in parsed:
                    self._read(archive, name)

    def _read(self, archive: zipfile.ZipFile, name: str) -> None:
        """Stream part ``name`` through lxml, a chunk at a time."""
        from lxml import etree

        self.part, self.in_text, self.in_data = name, 0, False
        # No DTD loaded, no entity resolved, nothing fetched, and lxml's own limits kept (no huge_tree).
        parser = etree.XMLParser(target=self, resolve_entities=False, load_dtd=False, no_network=True)
        with archive.open(name) as stream:
            try:
                while chunk := stream.read(_CHUNK):
                    parser.feed(chunk)
                parser.close()
            except etree.XMLSyntaxError as error:  # python-docx refuses a part that is not XML, with lxml's message
                _out_of_memory(error, self.path)

    def doctype(self, name: str, public_id: str | None, system_id: str | None) -> None:
        """Refuse, which Word never writes: lxml calls this before it reads the entities declared (a billion laughs)."""
        raise DocumentError(f"{self.path}: part {self.part!r} declares a document type (<!DOCTYPE {name}>), which Word "
                            "never writes; expected an ordinary .docx file")

    def start(self, tag: str, attributes: Mapping[str, str], namespaces: Mapping[str, str]) -> None:
        """An element opens, with its attributes and the namespaces it declares."""
        self._count(1 + len(attributes) + len(namespaces))
        if tag == _TEXT:
            self.in_text += 1
        elif tag == _PARAGRAPH:
            self.paragraphs += 1
            most = self.limits["draft_max_docx_paragraphs"]
            if self.paragraphs > most:
                raise DocumentError(f"{self.path}: holds more than the {most} paragraphs allowed (setting "
                                    "draft_max_docx_paragraphs); expected the text of a published strategy")
        elif tag == _DEFAULT:
            self.defaults[attributes.get("Extension", "").lower()] = attributes.get("ContentType")
        elif tag == _OVERRIDE:
            self.overrides[attributes.get("PartName", "").lower()] = attributes.get("ContentType")

    def end(self, tag: str) -> None:
        self.in_data = False
        if tag == _TEXT:
            self.in_text -= 1

    def data(self, data: str) -> None:
        if not self.in_data:
            self._count(1)
            self.in_data = True
        if self.in_text:
            self.text += len(data.encode())
            if self.text > self.limits["draft_max_text_bytes"]:
                raise _too_much_text(self.path, self.limits["draft_max_text_bytes"])

    def comment(self, text: str) -> None:
        self._count(1)

    def pi(self, target: str, data: str | None) -> None:
        self._count(1)

    def close(self) -> None:
        """The end of a part; lxml asks, and there is nothing to give back."""

    def _count(self, nodes: int) -> None:
        """Add ``nodes`` (which end any piece of text being read); past draft_max_docx_nodes, refuse."""
        self.nodes, self.in_data = self.nodes + nodes, False
        if self.nodes > self.limits["draft_max_docx_nodes"]:
            raise DocumentError(f"{self.path}: its XML holds more than the {self.limits['draft_max_docx_nodes']} nodes "
                                "(elements, attributes, pieces of text) allowed (setting draft_max_docx_nodes); "
                                "expected an ordinary .docx file")


def _paragraph_style_names(document) -> Callable[[str | None], str]:
    """The name python-docx gives a paragraph's style (Paragraph.style.name), by the style's id, each found once.

    Paragraph.style looks through every style of the document for the
    default each time, which would make the time taken grow with the number
    of paragraphs times the number of styles. As python-docx does, an id that
    is not a paragraph style's (the first style of that id) means the
    default, the last paragraph style marked as one.
    """
    from docx.enum.style import WD_STYLE_TYPE
    from docx.styles.style import StyleFactory

    first: dict[str, Any] = {}
    default = None
    for style in document.styles.element.style_lst:
        first.setdefault(style.styleId, style)
        if style.type == WD_STYLE_TYPE.PARAGRAPH and style.default:
            default = style

    def name(style) -> str:
        return (StyleFactory(style).name if style is not None else None) or ""

    names, fallback = {i: name(s) for i, s in first.items() if s.type == WD_STYLE_TYPE.PARAGRAPH}, name(default)
    return lambda style_id: names.get(style_id, fallback) if style_id else fallback


def _docx_block(paragraph, number: int, style: str) -> Block:
    """A Word paragraph as a block: a heading by its ``style``, an item by its list style, numbering or typed bullet."""
    text = paragraph.text
    heading = re.fullmatch(r"(?:Heading (\d)|Title)", style)
    numbering = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
    marker = _MARKER.match(text)
    if heading:
        return Block("heading", _clean(text), number, int(heading.group(1) or 1))
    if style.startswith("List") or numbering is not None:  # a list style, or Word's own numbering
        depth = numbering.ilvl.val if numbering is not None and numbering.ilvl is not None else 0
        return Block("item", _clean(text), number, int(depth))
    if marker:  # a bullet typed by hand
        return Block("item", _clean(text[marker.end():]), number)
    return Block("paragraph", _clean(text), number)


def _pdf(path: Path, limits: Mapping[str, Any]) -> list[Block]:
    """A PDF's text, page by page, as pypdf extracts it, until it holds more than draft_max_text_bytes.

    The file, which pypdf reads whole, and what pypdf parses to extract the
    text (see _Drawn) are held to draft_max_pdf_bytes, its pages to
    draft_max_pdf_pages.
    """
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    most, drawn = limits["draft_max_text_bytes"], _Drawn(path, limits["draft_max_pdf_bytes"])
    if path.stat().st_size > drawn.most:
        raise DocumentError(f"{path}: it is {path.stat().st_size} bytes, more than the {drawn.most} allowed "
                            "(setting draft_max_pdf_bytes); expected an ordinary PDF")
    layout, size = _Layout(), 0
    try:
        reader = PdfReader(str(path))
        _count_pages(reader, path, limits["draft_max_pdf_pages"])
        for page in reader.pages:
            drawn.page(page)
            layout.page()
            try:
                page.extract_text(visitor_operand_before=drawn.before, visitor_operand_after=drawn.after,
                                  visitor_text=layout.text)
            except _Stop as stop:
                raise stop.args[0] from None
            size = layout.size
            if size > most:
                break
    except DocumentError:
        raise
    except LimitReachedError as error:  # pypdf's own guards, against decompression bombs among others
        raise DocumentError(f"{path}: pypdf stopped reading it at one of its limits against hostile files ({error}); "
                            "expected an ordinary PDF") from None
    except MemoryError:
        raise  # the machine's limit, not a fault of the file: not to be reported as one that cannot be read
    except Exception as error:  # noqa: BLE001 — pypdf raises many kinds for a malformed file
        raise DocumentError(f"{path}: not a PDF that can be read: {error}") from None
    if size > most:
        raise _too_much_text(path, most)
    text, headings, breaks, tables = layout.read()
    return _lines(text, headings, breaks, tables)


@dataclass
class _Piece:
    """What pypdf draws at once (a call of visitor_text): its words, the page, where it starts, and its type."""

    words: str
    page: int
    x: float
    y: float
    size: float
    bold: bool


@dataclass
class _Cell:
    """The pieces of a PDF's text, one under the other at the same x in one type, that are one cell if in a table."""

    first: int  # the index of its first piece, and of its last
    last: int
    page: int
    x: float
    top: float  # the height of its first line, and of its last
    bottom: float
    type: tuple[float, bool]  # the size of its type, and whether it is bold
    lines: list[str]


@dataclass
class _Line:
    """A line of a PDF's text as pypdf draws it: its words, the page it is on, how high, and in what type."""

    words: str
    page: int
    y: float | None = None
    size: float = 0.0
    bold: bool = False  # most of its words are set in bold
    bolder: int = 0  # how many more of its characters are in bold than not
    table: tuple[tuple[str, ...], ...] = ()  # a table's rows, which this line stands for


class _Layout:
    """A PDF's lines, with their type and place, from what pypdf draws (its visitor_text): where its headings and paragraphs are.

    pypdf's text keeps no blank lines, so that a heading runs into the line
    after it and a paragraph into the next. Here a line set in a larger type
    than most of the text, or bold where most is not, is a heading (its level
    by its type, the largest first), unless it runs longer than a title, or
    is a list item or a sentence in bold; and a gap between lines wider than the type's usual line
    spacing ends a paragraph. A PDF all in one type is read as plain text is.
    A table (see _tables) is one line, which stands for its rows.
    """

    def __init__(self):
        self.pieces: list[_Piece | int] = []  # what pypdf draws, and the number of each page where it begins
        self.pages, self.size = 0, 0

    def page(self) -> None:
        """A new page begins: a new line."""
        self.pages += 1
        self.pieces.append(self.pages)

    def text(self, text: str, cm: list, tm: list, font: Any, size: float) -> None:
        """What pypdf draws: its words, with the matrices that place them and the font and size they are set in."""
        if not text:
            return
        self.size += len(text.encode())
        scale = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
        name = str(font.get("/BaseFont", "")) if hasattr(font, "get") else ""
        self.pieces.append(_Piece(text, self.pages, tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                                  tm[4] * cm[1] + tm[5] * cm[3] + cm[5], round(size * scale, 1), bool(_BOLD.search(name))))

    def _lines(self) -> list[_Line]:
        """The lines pypdf's text breaks into, each with the type and height of its first words; a table as one line."""
        lines: list[_Line] = []
        tables = _tables(self.pieces)
        n = 0
        while n < len(self.pieces):
            piece = self.pieces[n]
            if n in tables:
                rows, n = tables[n]
                page = cast(_Piece, piece).page  # a table begins at a piece of text (_pdf_cells makes no cell of a page's start)
                lines += [_Line("a table", page, table=rows), _Line("", page)]
                continue
            n += 1
            if isinstance(piece, int):
                lines.append(_Line("", piece))
                continue
            for number, part in enumerate(piece.words.split("\n")):
                if number:
                    lines.append(_Line("", piece.page))
                if not part:
                    continue
                line = lines[-1]
                line.words += part
                if part.strip():
                    if line.y is None:
                        line.y, line.size = piece.y, piece.size
                    line.bolder += len(part) if piece.bold else -len(part)
                    line.bold = line.bolder > 0
        return lines

    def read(self) -> tuple[str, list[int] | None, frozenset[int], dict[int, tuple[tuple[tuple[str, ...], ...], int]]]:
        """The text; each line's heading level (None: all one type); the lines a gap sets apart; the tables, by line.

        A gap sets a line apart from the one before; a table stands on a line of its own.
        """
        lines = [line for line in self._lines() if line.words.strip() or line.table]
        tables = {n: (line.table, 1) for n, line in enumerate(lines, 1) if line.table}
        if not lines:
            return "", None, frozenset(), tables
        weight: Counter[tuple[float, bool]] = Counter()
        for line in lines:
            if not line.table:
                weight[line.size, line.bold] += len(line.words)
        if not weight:
            return "\n".join(line.words for line in lines), None, frozenset(), tables
        body_size, body_bold = weight.most_common(1)[0][0]
        spacing: dict[tuple[float, bool], set[float]] = {}  # a type (size, bold): the gaps seen between lines of it
        for before, line in pairwise(lines):
            if (before.page == line.page and before.y is not None and line.y is not None and before.y > line.y
                    and (before.size, before.bold) == (line.size, line.bold)):
                spacing.setdefault((line.size, line.bold), set()).add(round(before.y - line.y, 1))
        # A type's line spacing: the narrowest gap. When all are alike, the text's no wider than a usual leading (no
        # paragraph wraps), and a heading's unknown (a heading's lines, or the headings of sections left empty?).
        usual = {style: min(gaps) if len(gaps) > 1 else min(*gaps, _LEADING * style[0]) if style == (body_size, body_bold)
                 else None for style, gaps in spacing.items()}
        styles = [(line.size, line.bold) if line.size > body_size + _LARGER or (line.bold and not body_bold
                                                                                 and line.size >= body_size - _LARGER)
                  else None for line in lines]
        # Not a heading: a passage in that type longer than a title, or a bold item or sentence in the text's size.
        n = 0
        while n < len(lines):
            end = n + 1
            while end < len(lines) and styles[end] == styles[n] and not self._gap(lines[end - 1], lines[end], usual):
                end += 1
            words = _clean(" ".join(line.words for line in lines[n:end]))
            style = styles[n]
            if style and (len(words.split()) > _TITLE_WORDS or (style[0] <= body_size + _LARGER
                              and (_MARKER.match(words) or not _is_title(words)))):
                styles[n:end] = [None] * (end - n)
            n = end
        ranks: dict[tuple[float, bool] | None, int] = {
            style: rank for rank, style in enumerate(sorted({s for s in styles if s}, key=lambda s: (-s[0], not s[1])), 1)}
        breaks = frozenset(n + 1 for n in range(1, len(lines)) if self._gap(lines[n - 1], lines[n], usual))
        levels = [ranks.get(style, 0) for style in styles] if ranks else None
        return "\n".join(line.words for line in lines), levels, breaks, tables

    @staticmethod
    def _gap(before: _Line, line: _Line, usual: Mapping[tuple[float, bool], float | None]) -> bool:
        """Whether a gap wider than its type's usual line spacing stands between two lines of a page."""
        if before.page != line.page or before.y is None or line.y is None:
            return False
        gap, spacing = before.y - line.y, usual.get((line.size, line.bold))
        return gap <= 0 or (spacing is not None and gap > spacing * _GAP)


def _tables(pieces: list[_Piece | int]) -> dict[int, tuple[tuple[tuple[str, ...], ...], int]]:
    """The tables among what pypdf draws, by the index of the first piece of each: its rows, and the index after its last.

    A table's cell is drawn as pieces one under the other at the same x, a
    line apart (as a paragraph is); its row as cells side by side, from left
    to right, their lines at heights that overlap; a table as two or more
    such rows, one after the other on a page, of two or more cells each,
    whose cells all stand at the same x-positions, its columns (as many as
    its widest row has cells: the words of wrapped or justified text, drawn
    apart, do not line up so). A cell's lines are joined as its words; a
    row's columns with no cell in them are empty. A table that goes on over
    a page, its header row drawn again at the top, is one.
    """
    rows: list[list[_Cell]] = []  # the cells side by side, row by row, in the order drawn; [] where none can go on
    row: list[_Cell] = []
    for cell in _pdf_cells(pieces):
        if (cell and row and row[-1].x < cell.x and cell.page == row[-1].page
                and cell.top >= min(c.bottom for c in row) - cell.type[0] / 2
                and cell.bottom <= max(c.top for c in row) + cell.type[0] / 2):
            row.append(cell)
            continue
        row = [cell] if cell else []
        rows.append(row)
    found: dict[int, tuple[tuple[tuple[str, ...], ...], int]] = {}
    n = 0
    while n < len(rows):
        columns, widest, end = _columns([], rows[n]), len(rows[n]), n + 1
        while widest > 1 and end < len(rows) and len(rows[end]) > 1 and rows[end][0].page == rows[n][0].page:
            wider = _columns(columns, rows[end])
            if len(wider) > max(widest, len(rows[end])):
                break
            columns, widest, end = wider, max(widest, len(rows[end])), end + 1
        if end - n < 2:
            n += 1
            continue
        table = []
        for row in rows[n:end]:
            cells = [""] * len(columns)
            for cell in row:
                cells[min(range(len(columns)), key=lambda c: abs(columns[c] - cell.x))] = _clean(" ".join(cell.lines))
            table.append(tuple(cells))
        first, last = rows[n][0].first, max(cell.last for cell in rows[end - 1]) + 1
        before = next(reversed(found), None)  # a table going on over a page, its header drawn again: one table
        if (before is not None and found[before][0][0] == table[0]
                and all(isinstance(p, int) or not p.words.strip() for p in pieces[found[before][1]:first])):
            found[before] = (found[before][0] + tuple(table[1:]), last)
        else:
            found[first] = (tuple(table), last)
        n = end
    return found


def _columns(columns: list[float], row: list[_Cell]) -> list[float]:
    """The x-positions of ``columns`` and of ``row``'s cells, in order, those within _ALIGNED points of each other as one."""
    found: list[float] = []
    for x in sorted([*columns, *(cell.x for cell in row)]):
        if not found or x - found[-1] > _ALIGNED:
            found.append(x)
    return found


def _pdf_cells(pieces: list[_Piece | int]) -> Iterator[_Cell | None]:
    """The cells pieces of text could be, in the order drawn (see _tables); None where no table can go on across."""
    cell: _Cell | None = None
    for n, piece in enumerate(pieces):
        words = piece.words.strip() if isinstance(piece, _Piece) else "\n"  # a new page: no table goes on across
        if not words:
            continue
        if cell and isinstance(piece, _Piece) and "\n" not in words and abs(piece.x - cell.x) <= _ALIGNED \
                and (piece.size, piece.bold) == cell.type \
                and 0 < cell.bottom - piece.y <= _CELL_LEADING * piece.size:
            cell.lines.append(words)
            cell.last, cell.bottom = n, piece.y
            continue
        if cell:
            yield cell
        # A page begins (an int), or several lines are drawn at once: where each stands is not known.
        if "\n" in words or not isinstance(piece, _Piece):
            cell = None
            yield None
        else:
            cell = _Cell(n, n, piece.page, piece.x, piece.y, piece.y, (piece.size, piece.bold), [words])
    if cell:
        yield cell


def _count_pages(reader, path: Path, most: int) -> None:
    """Refuse a PDF of more than ``most`` pages before a page is read: by what its page tree says, then by what pypdf finds.

    pypdf reads every page in the tree (about 50 µs and 3 KB each) the first
    time it counts them or reads one, so a tree that says it holds more is
    refused unread, and one that says less, which may lie, is walked no
    further than twice ``most`` entries: a tree whose every node groups two
    or more has fewer nodes than pages.
    """
    from pypdf import apply_configuration
    from pypdf.generic import DictionaryObject

    tree = reader.root_object.get("/Pages")
    tree = tree.get_object() if tree is not None else None
    said = tree.get("/Count") if isinstance(tree, DictionaryObject) else None
    said = said.get_object() if said is not None else None
    if isinstance(said, int) and said > most:
        raise _too_many_pages(path, said, most)
    with apply_configuration(page_tree_maximum_entries=2 * most):
        found = len(reader.pages)
    if found > most:
        raise _too_many_pages(path, found, most)


def _too_many_pages(path: Path, pages: int, most: int) -> DocumentError:
    return DocumentError(f"{path}: it has {pages} pages, more than the {most} allowed (setting draft_max_pdf_pages); "
                         "expected an ordinary PDF")


class _Stop(BaseException):
    """What _Drawn.before raised, carried out of pypdf: an Exception there, pypdf would catch around a form and go on."""


class _Drawn:
    """The content pypdf parses to extract a PDF's text, counted before it is parsed, up to ``most`` bytes.

    pypdf parses a page's content each time it reads the page, and a form's
    each time a page draws it, about 8 MB a second; pages may share one
    stream, and a page may draw one form thousands of times, so a PDF of a few
    kilobytes could keep it busy for hours. Each page is counted before pypdf
    reads it, and each form before pypdf draws it: pypdf calls ``before``
    ahead of each operator of a page or form, and ``after`` once it is done.
    """

    def __init__(self, path: Path, most: int):
        self.path, self.most, self.spent = path, most, 0
        self.resources: list = []  # the page's, then those of each form being drawn inside it

    def page(self, page) -> None:
        """Count ``page``'s content: one stream, or an array of them (counted each time it names one)."""
        from pypdf.generic import ArrayObject, StreamObject

        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        for named in contents if isinstance(contents, ArrayObject) else [contents]:
            part = named.get_object() if named is not None else None
            if isinstance(part, StreamObject):
                self._count(part)
        self.resources = [page.get_inherited("/Resources")]

    def before(self, operator: bytes, operands: list, *matrices) -> None:
        """Before pypdf draws a form (operator Do), count its content; past the limit, stop."""
        if operator != b"Do":
            return
        try:
            form = _form(self.resources[-1], operands)
            self.resources.append(form.get_inherited("/Resources") if form is not None else None)
            if form is not None:
                self._count(form)  # pypdf keeps what it unpacked, for its own parsing of the form
        except Exception as error:  # noqa: BLE001 — a form that cannot be unpacked stops it too: pypdf would try again at each draw
            raise _Stop(error) from None

    def after(self, operator: bytes, operands: list, *matrices) -> None:
        """After pypdf has drawn a form, its resources are done with."""
        if operator == b"Do":
            self.resources.pop()

    def _count(self, stream) -> None:
        """Add what ``stream`` unpacks to; past the limit, refuse."""
        self.spent += len(stream.get_data())
        if self.spent > self.most:
            raise DocumentError(f"{self.path}: its pages draw more than the {self.most} bytes of content allowed "
                                "(setting draft_max_pdf_bytes), counting a page's or a form's each time it is drawn; "
                                "expected an ordinary PDF")


def _form(resources, operands: list):
    """The stream the operator Do draws with ``operands`` from ``resources``, if pypdf parses it for text (not an image)."""
    from pypdf.generic import StreamObject

    try:
        drawn = resources.get_object()["/XObject"].get_object()[operands[0]].get_object()
    except (AttributeError, KeyError, IndexError, TypeError):  # it names nothing: pypdf draws nothing either
        return None
    return drawn if isinstance(drawn, StreamObject) and drawn.get("/Subtype") != "/Image" else None
