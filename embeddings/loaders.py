"""Read report files into plain text, whatever their encoding.

Government reports arrive as UTF-8, UTF-8 with BOM or GB18030/GBK text; a file that is
binary, empty or undecodable raises :class:`DocumentError` with a message a user can act on.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUPPORTED_SUFFIXES = set(TEXT_SUFFIXES)


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
    """Decode report bytes: UTF-8 (with or without BOM), else GB18030; refuse binary data."""
    if not data.strip():
        raise DocumentError(f"{source}: the file is empty")
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


def _looks_like_text(text: str) -> bool:
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad <= max(2, len(text[:20000]) // 1000)


def load_document(path: str | Path, doc_id: str | None = None) -> Document:
    """Load one text/Markdown report from disk."""
    p = Path(path)
    if not p.exists():
        raise DocumentError(f"{p}: no such file")
    if p.is_dir():
        raise DocumentError(f"{p}: is a directory, expected a file")
    if p.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{p}: unsupported file type {p.suffix or '(none)'}; expected one of {sorted(SUPPORTED_SUFFIXES)}")
    size = p.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{p}: {size} bytes is over the {MAX_DOCUMENT_BYTES} byte limit")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{p}: cannot read ({exc.strerror})") from None
    text = decode_bytes(data, str(p))
    return Document(doc_id=doc_id or p.name, source=p.name, text=text, title=_guess_title(text, p))


def _guess_title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().strip("#").strip()
        if line:
            return line[:60]
    return path.stem
