"""Zip-based inputs (an .xlsx workbook to import, a .docx document to draft), judged before any library opens them."""

import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graph.errors import StrategyGraphError

# A part this small cannot exhaust memory, whatever its ratio (a sheet of one repeated value compresses well).
_RATIO_FROM_BYTES = 1_000_000


class ArchiveError(StrategyGraphError):
    """The file is not a zip archive, or would unpack to more than the settings allow; the message names the file."""


def refuse_zip_bomb(path: Path, kind: str, limits: Mapping[str, Any]) -> None:
    """Refuse ``path`` if its zip directory says it unpacks to more than ``limits`` allow; ``kind`` names what it should be.

    Python's zipfile, which openpyxl and python-docx read parts with, stops
    reading a part at the size its directory declares, so a lying directory
    cannot unpack more than is judged here.
    """
    limit, ratio = limits["zip_max_unpacked_bytes"], limits["zip_max_compression_ratio"]
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveError(f"{path}: cannot read as {kind}: {error}") from error
    expected = f"expected an ordinary {path.suffix.lower()} file"
    total = sum(part.file_size for part in parts)
    if total > limit:
        raise ArchiveError(f"{path}: it unpacks to {total} bytes, more than the {limit} allowed "
                           f"(setting zip_max_unpacked_bytes); {expected}")
    for part in parts:
        if part.file_size > _RATIO_FROM_BYTES and part.file_size > ratio * max(part.compress_size, 1):
            raise ArchiveError(f"{path}: part {part.filename!r} unpacks {part.file_size // max(part.compress_size, 1)} "
                               f"times its size, more than the {ratio} allowed (setting zip_max_compression_ratio); "
                               f"{expected}, not a zip bomb")
