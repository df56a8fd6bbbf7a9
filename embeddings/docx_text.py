"""Text of a Word (.docx) report: paragraphs and table rows in document order.

Paragraphs are joined with a blank line, as in the plain-text reports; each table row
becomes one paragraph with its cells joined by `` | `` (a merged cell counted once).
Word files have no fixed pages, so no page numbers are recorded.
"""
from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from embeddings.pdf_text import clean_embedded_title

CELL_SEP = " | "
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
"""A .docx whose parts would unpack to more than this is refused before any is read (zip bombs);
python-docx holds every part in memory, and a report's images are already compressed."""


class DocxTextError(ValueError):
    """The file is not a readable .docx; the message says why."""


@dataclass
class DocxText:
    """The document's text and the title from its properties ('' if none)."""

    text: str
    title: str = ""


def read_docx(path: str | Path) -> DocxText:
    """Extract a .docx; old .doc, password-protected or damaged files raise :class:`DocxTextError`."""
    import docx
    from docx.table import Table

    if not zipfile.is_zipfile(path):
        raise DocxTextError("not a .docx file (an old .doc, or password-protected?); save it as .docx and try again")
    try:
        with zipfile.ZipFile(path) as z:  # sizes as declared; zipfile never unpacks more than declared
            unpacked = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocxTextError(f"not a readable .docx (damaged: {type(exc).__name__})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocxTextError(f"its parts unpack to {unpacked} bytes, over the {MAX_UNPACKED_BYTES} byte limit")
    try:
        document = docx.Document(str(path))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(_table_rows(item))
            else:
                blocks.append(item.text)
        title = clean_embedded_title(document.core_properties.title or "")
    except (KeyError, ValueError, AttributeError, TypeError, zipfile.BadZipFile, zlib.error, OSError,
            SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise DocxTextError(f"not a readable .docx (damaged: {type(exc).__name__})") from None
    lines = [b.replace("\r", "\n").replace("\x0b", "\n").strip() for b in blocks]
    return DocxText("\n\n".join(b for b in lines if b), title)


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a horizontally merged cell repeats
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            rows.append(CELL_SEP.join(cells))
    return rows
