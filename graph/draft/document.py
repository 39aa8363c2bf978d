"""A published document as blocks: headings, paragraphs and list items, in reading order, each word as published.

Each format is read by a well-kept parser (markdown-it-py, BeautifulSoup,
python-docx, pypdf); plain text, and the text pypdf extracts from a PDF, are
read line by line, a line that starts with a bullet or a number being a list
item. What comes out is the same for the same content in any format.
"""

import re
from dataclasses import dataclass
from pathlib import Path

FORMATS = {".txt": "plain text", ".text": "plain text", ".md": "Markdown", ".markdown": "Markdown",
           ".html": "HTML", ".htm": "HTML", ".docx": "Word", ".pdf": "PDF"}
# A list item's marker in plain text: a bullet, or a number or letter with a point or bracket.
_MARKER = re.compile(r"^\s*(?:[-*•–—▪◦·]|\(?(?:\d{1,3}|[a-z])[.)])\s+(?=\S)")
_NUMBERED = re.compile(r"^\s*\(?(?:\d{1,3}|[a-z])[.)]")


class DocumentError(Exception):
    """The document cannot be read, or holds no text; the message says which file and why."""


@dataclass(frozen=True)
class Block:
    """One heading, paragraph or list item: its text as published, and where it is (line or paragraph number)."""

    kind: str  # heading, paragraph or item
    text: str
    where: int
    level: int = 0  # a heading's level (1 the highest); for an item, 1 if numbered else 0

    @property
    def numbered(self) -> bool:
        return self.kind == "item" and self.level == 1


def read_document(path: Path) -> list[Block]:
    """The blocks of ``path``, by its extension; DocumentError if it cannot be read or holds no text."""
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
    return blocks


def _clean(text: str) -> str:
    """Runs of white space as one space (line breaks inside a paragraph, non-breaking spaces), and no ends."""
    return " ".join(text.split())


def _lines(text: str) -> list[Block]:
    """Plain text: a line with a marker is a list item, a short line standing alone a heading, the rest paragraphs.

    A paragraph may be one line or wrapped over several: a line joins the one
    before when that one ends mid-sentence or this one starts in lower case.
    A line in lower case after a list item carries the item on.
    """
    blocks: list[Block] = []
    lines = text.splitlines()
    current: list[str] = []  # the lines of the block being read
    kind, start, level = "", 0, 0

    def close() -> None:
        if current:
            blocks.append(Block(kind, _clean(" ".join(current)), start, level))
            current.clear()

    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        marker = _MARKER.match(line)
        if not stripped:
            close()
        elif marker:
            close()
            kind, start, level = "item", number, 1 if _NUMBERED.match(line) else 0
            current.append(line[marker.end():])
        elif current and (stripped[0].islower() or kind == "paragraph" and current[-1].rstrip()[-1] not in ".:;!?"):
            current.append(stripped)
        elif _is_heading_line(line, number, lines):
            close()
            blocks.append(Block("heading", _clean(line), number, 1))
        else:
            close()
            kind, start, level = "paragraph", number, 0
            current.append(stripped)
    close()
    return blocks


def _is_heading_line(line: str, number: int, lines: list[str]) -> bool:
    """A short line that ends without punctuation and stands alone: the first line, or one with a blank line after it."""
    words = line.split()
    if not words or len(words) > 12 or line.rstrip()[-1] in ".,;:!?":
        return False
    after = lines[number] if number < len(lines) else ""
    return number == 1 or not after.strip()


def _markdown(text: str) -> list[Block]:
    from markdown_it import MarkdownIt

    blocks, pending, numbered = [], None, []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "heading_open":
            pending = ("heading", int(token.tag[1:]))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            numbered.append(token.type == "ordered_list_open")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            numbered.pop()
        elif token.type == "list_item_open":
            pending = ("item", 1 if numbered and numbered[-1] else 0)
        elif token.type == "paragraph_open" and pending is None:
            pending = ("paragraph", 0)
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
    for hidden in soup(["script", "style", "head", "nav", "footer"]):
        hidden.decompose()
    blocks = []
    for number, element in enumerate(soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li"]), 1):
        if element.name == "li":
            blocks.append(Block("item", _clean(element.get_text()), number, 1 if element.find_parent("ol") else 0))
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
        text = _clean(paragraph.text)
        heading = re.fullmatch(r"(?:Heading (\d)|Title)", style)
        # A list paragraph: a list style, or numbering of its own (Word's "numPr").
        listed = style.startswith("List") or paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
        if heading:
            blocks.append(Block("heading", text, number, int(heading.group(1) or 1)))
        elif listed:
            blocks.append(Block("item", text, number, 1 if "Number" in style else 0))
        else:
            blocks.append(Block("paragraph", text, number))
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
