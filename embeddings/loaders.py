"""Read report files into plain text, whatever their format and encoding.

Government reports arrive as UTF-8, UTF-8 with BOM, UTF-16 with BOM (Windows Notepad's
"Unicode") or GB18030/GBK text or Markdown, as text
PDFs (page starts kept in ``metadata["pages"]``) and as Word .docx files. Each document also
gets its title, year and issuing body (:mod:`embeddings.metadata`). A file that is binary,
empty, undecodable, scanned or encrypted raises :class:`DocumentError` with a message a user
can act on.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_BINARY_BYTES = 200 * 1024 * 1024  # PDFs and Word files carry images and fonts
TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES
_CONVERT_HINTS = {".doc": "save it as .docx", ".wps": "save it as .docx", ".rtf": "save it as .docx",
                  ".ofd": "export it as PDF", ".odt": "save it as .docx"}
_MD_HEADING_RE = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]", re.M)


class DocumentError(ValueError):
    """A document cannot be read; the message says which file and why."""


@dataclass
class Document:
    """One source document as text, with where it came from."""

    doc_id: str
    source: str
    text: str
    title: str = ""
    metadata: dict = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def bundled_report_path() -> Path:
    """Path of the report shipped inside the package (the default corpus)."""
    return Path(str(resources.files("embeddings") / "data" / "liyang-2025-government-work-report.txt"))


def decode_bytes(data: bytes, source: str = "<bytes>") -> str:
    """Decode report bytes: UTF-16 with a BOM, UTF-8 (with or without BOM), else GB18030; refuse binary data."""
    if not data.strip():
        raise DocumentError(f"{source}: the file is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # a UTF-16 BOM, or binary data that starts like one
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
        if text is not None and not text.strip():
            raise DocumentError(f"{source}: the file is empty")
        if text is not None and _looks_like_text(text) and _mostly_script(text):
            return text.replace("\r\n", "\n").replace("\r", "\n")
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{source}: looks like a binary file, not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text.replace("\r\n", "\n").replace("\r", "\n")
    raise DocumentError(f"{source}: cannot decode as UTF-8 or GB18030 text")


def _mostly_script(text: str) -> bool:
    """Whether nearly all characters are ASCII, CJK ideographs or CJK/full-width punctuation.

    Random bytes behind a UTF-16 BOM decode without error into arbitrary code points, less than
    half of them in these ranges; a report is almost entirely in them.
    """
    sample = text[:20000]
    usual = sum(1 for ch in sample if ch < "\x7f" or "\u3000" <= ch <= "\u303f" or "\u3400" <= ch <= "\u9fff"
                or "\uff00" <= ch <= "\uffef" or "\u2000" <= ch <= "\u206f")
    return usual >= 0.9 * len(sample)


def _looks_like_text(text: str) -> bool:
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad <= max(2, len(text[:20000]) // 1000)


def load_document(path: str | Path, doc_id: str | None = None) -> Document:
    """Load one report (text, Markdown, PDF or .docx) from disk, with its metadata."""
    from embeddings.docx_text import DocxTextError, read_docx
    from embeddings.metadata import MetadataError, describe
    from embeddings.pdf_text import PdfTextError, read_pdf

    p = Path(path)
    if not p.exists():
        raise DocumentError(f"{p}: no such file")
    if p.is_dir():
        raise DocumentError(f"{p}: is a directory, expected a file")
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = f" ({_CONVERT_HINTS[suffix]})" if suffix in _CONVERT_HINTS else ""
        raise DocumentError(f"{p}: unsupported file type {p.suffix or '(none)'}{hint}; "
                            f"expected one of {sorted(SUPPORTED_SUFFIXES)}")
    st = p.stat()
    if not stat.S_ISREG(st.st_mode):  # a FIFO or a device (a link to /dev/zero) would be read for ever
        raise DocumentError(f"{p}: not a regular file")
    size = st.st_size
    limit = MAX_DOCUMENT_BYTES if suffix in TEXT_SUFFIXES | MARKDOWN_SUFFIXES else MAX_BINARY_BYTES
    if size > limit:
        raise DocumentError(f"{p}: {size} bytes is over the {limit} byte limit")
    if size == 0:
        raise DocumentError(f"{p}: the file is empty")
    metadata: dict = {}
    embedded_title = ""
    try:
        if suffix in PDF_SUFFIXES:
            pdf = read_pdf(p)
            text, embedded_title = pdf.text, pdf.title
            metadata.update(format="pdf", pages=pdf.pages, page_count=len(pdf.pages))
            if pdf.empty_pages:
                metadata["pages_without_text"] = pdf.empty_pages
        elif suffix in DOCX_SUFFIXES:
            docx = read_docx(p)
            text, embedded_title = docx.text, docx.title
            metadata["format"] = "docx"
        else:
            text = decode_bytes(_read_at_most(p, limit), str(p))
            if suffix in MARKDOWN_SUFFIXES:
                text = blank_markdown_headings(text)
            metadata["format"] = "markdown" if suffix in MARKDOWN_SUFFIXES else "text"
        if not text.strip():
            raise DocumentError(f"{p}: no text in the file")
        described = describe(text, p, embedded_title)
    except (PdfTextError, DocxTextError, MetadataError) as exc:
        raise DocumentError(f"{p}: {exc}") from None
    except OSError as exc:
        raise DocumentError(f"{p}: cannot read ({exc.strerror or exc})") from None
    title = described.pop("title", "") or p.stem
    return Document(doc_id=doc_id or p.name, source=p.name, text=text, title=title, metadata={**described, **metadata})


def _read_at_most(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, refusing one that grew past ``limit`` since it was checked."""
    with open(path, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise DocumentError(f"{path}: not a regular file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(f"{path}: over the {limit} byte limit")
    return data


def blank_markdown_headings(text: str) -> str:
    """``## 一、…`` → ``   一、…``: heading marks become spaces, so every offset still points into the file."""
    return _MD_HEADING_RE.sub(lambda m: m.group(0).replace("#", " "), text)
