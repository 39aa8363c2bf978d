"""A published document as blocks: headings, paragraphs, list items and tables, in reading order, in its own words.

Each format is read by a well-kept parser (markdown-it-py, BeautifulSoup,
python-docx, pypdf); plain text, and the text pypdf extracts from a PDF, are
read line by line, a line that starts with a bullet or a number being a list
item. What comes out is the same for the same content in any format.
"""

import re
from dataclasses import dataclass
from pathlib import Path

# Each format, and what a block's place is counted in there (for the report).
FORMATS = {".txt": "line", ".text": "line", ".md": "line", ".markdown": "line", ".pdf": "line",
           ".html": "element", ".htm": "element", ".docx": "paragraph"}
# A list item's marker in plain text: a bullet, or a number or letter with a point or bracket.
_MARKER = re.compile(r"^\s*(?:[-*•–—▪◦·]|\(?(?:\d{1,3}|[a-z])[.)])\s+(?=\S)")
# A line this much of the longest line's length or more was wrapped: what follows carries it on.
_WRAPPED = 0.8


class DocumentError(Exception):
    """The document cannot be read, or holds no text; the message says which file and why."""


@dataclass(frozen=True)
class Block:
    """One heading, paragraph, list item or table: its text as published, and where it is.

    ``level`` is a heading's level (1 the highest) or an item's depth (0 for
    an item of a list, 1 for one of a list inside it).
    """

    kind: str  # heading, paragraph, item or table
    text: str
    where: int
    level: int = 0


def read_document(path: Path) -> tuple[list[Block], str]:
    """The blocks of ``path``, by its extension, and what their places count; DocumentError if none can be read."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DocumentError(f"{path}: cannot draft from a {suffix or 'file with no extension'}; "
                            f"expected one of {', '.join(sorted(FORMATS))}")
    try:
        if suffix in (".docx", ".pdf"):
            blocks = (_docx if suffix == ".docx" else _pdf)(path)
        else:
            text = path.read_text(encoding="utf-8-sig")
            blocks = {".md": _markdown, ".markdown": _markdown, ".html": _html, ".htm": _html}.get(suffix, _lines)(text)
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


def _lines(text: str) -> list[Block]:
    """Plain text: a line with a marker is a list item, a short line standing alone a heading, the rest paragraphs.

    A paragraph or an item may be wrapped over several lines: a line carries
    on the one before when that one was wrapped (it runs to near the longest
    line's length and stops mid-sentence) or this one starts in lower case.
    """
    blocks: list[Block] = []
    lines = text.splitlines()
    width = max((len(line.rstrip()) for line in lines), default=0)
    current: list[str] = []  # the lines of the block being read
    kind, start = "", 0

    def close() -> None:
        if current:
            blocks.append(Block(kind, _clean(" ".join(current)), start))
            current.clear()

    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        marker = _MARKER.match(line)
        if not stripped:
            close()
        elif marker:
            close()
            kind, start = "item", number
            current.append(line[marker.end():])
        elif current and (stripped[0].islower() or _wrapped(lines[number - 2], width)):
            current.append(stripped)
        elif _is_heading_line(stripped, number, lines, width):
            close()
            blocks.append(Block("heading", _clean(line), number, 1))
        else:
            close()
            kind, start = "paragraph", number
            current.append(stripped)
    close()
    return blocks


def _wrapped(line: str, width: int) -> bool:
    """Whether ``line`` was broken where the page ran out: near the longest line's length, and not at a sentence's end."""
    line = line.rstrip()
    return len(line) >= _WRAPPED * width and line[-1:] not in (".", ":", "!", "?")


def _is_heading_line(line: str, number: int, lines: list[str], width: int) -> bool:
    """A short line that ends without punctuation and stands alone: the first line, before a blank line or a new sentence."""
    words = line.split()
    if not words or len(words) > 12 or line[-1] in ".,;:!?" or len(line) >= _WRAPPED * width:
        return False
    after = lines[number].strip() if number < len(lines) else ""
    return number == 1 or not after or after[0].isupper() or bool(_MARKER.match(lines[number]))


def _markdown(text: str) -> list[Block]:
    from markdown_it import MarkdownIt

    blocks, pending, depth = [], None, 0
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "heading_open":
            pending = ("heading", int(token.tag[1:]))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open":
            pending = ("item", depth - 1)
        elif token.type == "paragraph_open" and pending is None:
            pending = ("paragraph", 0)
        elif token.type == "table_open":
            blocks.append(Block("table", "a table", token.map[0] + 1 if token.map else 0))
        elif token.type == "inline" and pending is not None:
            line = token.map[0] + 1 if token.map else 0
            blocks.append(Block(pending[0], _clean(_words(token)), line, pending[1]))
            pending = None
    return blocks


def _words(inline) -> str:
    """An inline token's words as a reader sees them: emphasis and link markup gone, line breaks as spaces."""
    return "".join(" " if c.type in ("softbreak", "hardbreak") else c.content for c in inline.children or ()
                   if c.type in ("text", "code_inline", "softbreak", "hardbreak"))


def _html(text: str) -> list[Block]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for hidden in soup(["script", "style", "head", "nav", "header", "footer", "aside"]):
        hidden.decompose()
    for br in soup("br"):
        br.replace_with("\n")
    blocks = []
    for number, element in enumerate(soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table"]), 1):
        if element.find_parent("table") is not None:
            continue  # a table's cells are reported with the table, not drafted from
        if element.name == "table":
            blocks.append(Block("table", "a table", number))
        elif element.name == "li":
            # Its own words, not those of a list inside it, which are items of their own.
            own = "".join(s for s in element.find_all(string=True) if s.find_parent("li") is element)
            blocks.append(Block("item", _clean(own), number, len(element.find_parents(["ul", "ol"])) - 1))
        elif element.name == "p":
            if element.find_parent("li") is None:
                blocks.append(Block("paragraph", _clean(element.get_text()), number))
        else:
            blocks.append(Block("heading", _clean(element.get_text()), number, int(element.name[1])))
    return blocks


def _docx(path: Path) -> list[Block]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise DocumentError(f"{path}: not a Word document (.docx) that can be read: {error}") from None
    blocks = []
    for number, paragraph in enumerate(document.paragraphs, 1):
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        text = paragraph.text
        heading = re.fullmatch(r"(?:Heading (\d)|Title)", style)
        numbering = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        marker = _MARKER.match(text)
        if heading:
            blocks.append(Block("heading", _clean(text), number, int(heading.group(1) or 1)))
        elif style.startswith("List") or numbering is not None:  # a list style, or Word's own numbering
            depth = numbering.ilvl.val if numbering is not None and numbering.ilvl is not None else 0
            blocks.append(Block("item", _clean(text), number, int(depth)))
        elif marker:  # a bullet typed by hand
            blocks.append(Block("item", _clean(text[marker.end():]), number))
        else:
            blocks.append(Block("paragraph", _clean(text), number))
    blocks += [Block("table", "a table", len(document.paragraphs) + n) for n, _ in enumerate(document.tables, 1)]
    return blocks


def _pdf(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise DocumentError(f"{path}: not a PDF that can be read: {error}") from None
    return _lines(text)
