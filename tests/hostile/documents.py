"""Hostile documents for `strategy-graph draft` (issue 24, findings 8, 9, 10 and 13): each generator writes one into ``folder``.

The payloads are streamed to disk in chunks, never held whole in memory: a
zip bomb's part goes through zipfile's streaming writer, a PDF's content
stream through a zlib compressor.
"""

import base64
import io
import zipfile
import zlib
from pathlib import Path
from random import Random

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CHUNK = 1 << 20
# What every drafted document opens with: a title with years, and a lead-in the rules know.
_TITLE = "Ashdown Health Strategy 2024 to 2026"
_LEAD_IN = "Our outcomes:"


def _word_parts(styles: int = 0) -> dict[str, bytes]:
    """The parts of the empty document python-docx writes, but its body: styles, numbering, relationships.

    ``styles`` more paragraph styles, none of them used, come after its own.
    """
    import docx

    empty = io.BytesIO()
    docx.Document().save(empty)
    with zipfile.ZipFile(empty) as archive:
        parts = {part.filename: archive.read(part) for part in archive.infolist() if part.filename != "word/document.xml"}
    more = b"".join(b'<w:style w:type="paragraph" w:styleId="More%d"><w:name w:val="More %d"/></w:style>' % (n, n)
                    for n in range(styles))
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(b"</w:styles>", more + b"</w:styles>")
    return parts


def _paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _payload(unpacked_bytes: int, repeated: bytes):
    """``repeated`` over and over, ``unpacked_bytes`` of it (to a whole ``repeated``), a megabyte at a time."""
    times, per = unpacked_bytes // len(repeated), max(_CHUNK // len(repeated), 1)
    for start in range(0, times, per):
        yield repeated * min(per, times - start)


def docx_zip_bomb(folder: Path, unpacked_bytes: int = 1 << 30, repeated: bytes = b"<w:p/>", name: str = "bomb.docx",
                  noise_bytes: int = 0, styles: int = 0) -> Path:
    """A .docx whose body holds ``unpacked_bytes`` of empty paragraphs (or of ``repeated``): a thousandth of that on disk.

    Each paragraph is an element that python-docx, and lxml under it, would
    hold in memory, each many times its six bytes. ``noise_bytes`` of text
    that does not compress (base64 of random bytes), in one paragraph before
    them, keep the part's compression ratio as low as wanted. ``styles``
    paragraph styles are added to python-docx's own.
    """
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in _word_parts(styles).items():
            archive.writestr(part, data)
        with archive.open("word/document.xml", "w", force_zip64=True) as body:
            body.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_W}"><w:body>'
                       f"{_paragraph(_TITLE)}{_paragraph(_LEAD_IN)}".encode())
            if noise_bytes:
                body.write(b"<w:p><w:r><w:t>")
                for chunk in _noise(noise_bytes):
                    body.write(chunk)
                body.write(b"</w:t></w:r></w:p>")
            for chunk in _payload(unpacked_bytes, repeated):
                body.write(chunk)
            body.write(b"</w:body></w:document>")
    return path


def _noise(size: int):
    """``size`` bytes (to a whole four) of base64 of random bytes, the same each time, a megabyte at a time."""
    random, per = Random(24), _CHUNK // 4 * 3  # three random bytes make four of base64
    for start in range(0, size // 4 * 3, per):
        yield base64.b64encode(random.randbytes(min(per, size // 4 * 3 - start)))


def docx_entity_amplification(folder: Path) -> Path:
    """A .docx whose document.xml declares the "billion laughs": ten levels of ten references each, under 1 kB."""
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE w:document [\n' + "\n".join(entities)
           + f'\n]>\n<w:document xmlns:w="{_W}"><w:body>{_paragraph(_TITLE)}{_paragraph("&lol9;")}</w:body></w:document>')
    path = folder / "laughs.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in _word_parts().items():
            archive.writestr(part, data)
        archive.writestr("word/document.xml", xml)
    return path


def docx_declared_entities(folder: Path, entities: int) -> Path:
    """A .docx whose document.xml declares ``entities`` entities, none used: lxml would hold each, some 300 bytes."""
    path = folder / "declared.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in _word_parts().items():
            archive.writestr(part, data)
        with archive.open("word/document.xml", "w", force_zip64=True) as body:
            body.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE w:document [\n')
            for start in range(0, entities, 100_000):
                body.write(b"".join(b'<!ENTITY e%d "x">' % n for n in range(start, min(start + 100_000, entities))))
            body.write(f']>\n<w:document xmlns:w="{_W}"><w:body>{_paragraph(_TITLE)}</w:body></w:document>'.encode())
    return path


def _deflated(opening: bytes, unpacked_bytes: int, repeated: bytes, closing: bytes) -> bytes:
    """A content stream, compressed: ``opening``, ``unpacked_bytes`` of ``repeated``, and ``closing`` (a thousandth of it)."""
    compressor = zlib.compressobj(9)
    stream = [compressor.compress(opening)] + [compressor.compress(chunk) for chunk in _payload(unpacked_bytes, repeated)]
    return b"".join(stream) + compressor.compress(closing) + compressor.flush()


def _stream(dictionary: bytes, data: bytes) -> bytes:
    """A stream object: its ``dictionary``'s entries and its length, then ``data``."""
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def _write_pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF of ``objects``, numbered from 1 (the catalog), with its cross-reference table."""
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    path.write_bytes(bytes(pdf))
    return path


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(contents: int, resources: bytes = b"") -> bytes:
    """A page that shows the content stream numbered ``contents`` in the font F1 (object 5), with ``resources`` besides."""
    return (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 5 0 R >> "
            b"%s>> >>" % (contents, resources))


def pdf_decompression_bomb(folder: Path, unpacked_bytes: int = 100_000_000, repeated: bytes = b" ", pages: int = 1) -> Path:
    """A PDF whose content stream shows the title, then inflates to ``unpacked_bytes`` of spaces (or ``repeated``).

    ``repeated`` is said inside the page's text object: ``b"T* (words) Tj "`` shows a line of words.
    Each of its ``pages`` (one unless said) shows that one stream: a few bytes a page.
    """
    content = _deflated(b"BT /F1 12 Tf 14 TL 72 712 Td (" + _TITLE.encode() + b") Tj\n", unpacked_bytes, repeated, b"\nET\n")
    kids = b" ".join(b"%d 0 R" % number for number in [3, *range(6, pages + 5)])
    return _write_pdf(folder / "bomb.pdf", [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _page(4),
        _stream(b"/Filter /FlateDecode", content),
        _FONT,
        *[_page(4)] * (pages - 1),
    ])


def pdf_form_drawn(folder: Path, times: int, unpacked_bytes: int) -> Path:
    """A one-page PDF: the title and a lead-in, then one form drawn ``times``; the form shows '- open a hub', then spaces.

    Each time a page draws a form, pypdf parses the form's content again: ``unpacked_bytes`` of it.
    """
    page = (b"BT /F1 12 Tf 14 TL 72 712 Td (%s) Tj T* (Across the borough of Ashdown, this year we will:) Tj ET\n"
            % _TITLE.encode() + b"/X Do\n" * times)
    form = _deflated(b"BT /F1 12 Tf 72 600 Td (- open a hub) Tj\n", unpacked_bytes, b" ", b"\nET\n")
    return _write_pdf(folder / "form.pdf", [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        _page(4, b"/XObject << /X 6 0 R >> "),
        _stream(b"", page),
        _FONT,
        _stream(b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
                b"/Filter /FlateDecode", form),
    ])


def pdf_many_pages(folder: Path, nodes: int, per_node: int, said: int | None = None) -> Path:
    """A PDF of ``nodes`` times ``per_node`` empty pages, in a page tree of two levels that names one page again and again.

    The root's kids are ``nodes`` references to one node, whose kids are
    ``per_node`` references to one page: pypdf counts a page each time the
    tree names it, so the file is a few kilobytes. The root says it holds
    ``said`` pages: as many as it does, unless told otherwise.
    """
    pages = nodes * per_node
    return _write_pdf(folder / f"pages-{pages}.pdf", [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join([b"3 0 R"] * nodes), pages if said is None else said),
        b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count %d >>" % (b" ".join([b"4 0 R"] * per_node), per_node),
        b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] >>",
    ])


def nested_html_lists(folder: Path, levels: int) -> Path:
    """An HTML page whose list of outcomes holds a list in its item, ``levels`` deep."""
    path = folder / f"nested-{levels}.html"
    path.write_text(f"<h1>{_TITLE}</h1><p>{_LEAD_IN}</p>" + "<ul><li>more healthy years" * levels + "</li></ul>" * levels,
                    encoding="utf-8")
    return path


def long_paragraph(folder: Path, paragraph: str) -> Path:
    """Plain text: a title, ``paragraph`` (a hostile one is one long sentence), and 'We will:' over one work stream."""
    path = folder / "long-paragraph.txt"
    path.write_text(f"{_TITLE}\n\n{paragraph}\n\nWe will:\n- open a hub\n", encoding="utf-8")
    return path


def many_list_items(folder: Path, items: int) -> Path:
    """Plain text: a title, 'We will:', and ``items`` work streams of the same words, so that each id needs a number."""
    path = folder / f"items-{items}.txt"
    with path.open("w", encoding="utf-8") as text:
        text.write(f"{_TITLE}\n\nWe will:\n")
        for start in range(0, items, 10_000):
            text.write("- open a hub\n" * min(10_000, items - start))
    return path
