"""Text of a text PDF, page by page, with paragraphs rebuilt from its lines.

pypdf gives each page as visual lines. A line break is a paragraph break when the next line
is indented (pypdf keeps a first-line indent as leading space), when the line ends short of
the page's full line width, or when a heading follows a finished sentence; otherwise it is a
soft wrap, kept as a single newline that cleaning removes between Chinese characters. Pages
are joined with a blank line and the start offset of each is recorded, so cleaning can
repair a sentence cut by a page break and every passage knows its page. Page-number lines
(``— 3 —``) and running headers or footers repeated on most pages are dropped.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

PAGE_SEP = "\n\n"
SHORT_LINE = 0.8  # a line narrower than this share of a full line ends its paragraph
_PAGE_NUMBER_RE = re.compile(r"^[\s\-—–－·•]*(?:第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                             r"|\d{1,4}(?:\s*/\s*\d{1,4})?)[\s\-—–－·•]*$")
_HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十\d]+[章节部分])")
_TERMINAL = "。！？!?；;：:"
_JUNK_TITLE_RE = re.compile(r"^(?:microsoft\s+\w+\s*-\s*)", re.I)


class PdfTextError(ValueError):
    """The PDF has no usable text layer or cannot be opened; the message says why."""


@dataclass
class PdfText:
    """The rebuilt text, where each page starts in it, and the PDF's own title."""

    text: str
    pages: list[int]
    title: str = ""
    empty_pages: list[int] = field(default_factory=list)  # 1-based pages without text (images?)


def display_width(line: str) -> int:
    """Width in half-width cells: East Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def read_pdf(path: str | Path) -> PdfText:
    """Extract a text PDF; scanned (image-only), encrypted or broken files raise :class:`PdfTextError`."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfTextError("the PDF is encrypted with a password; save an unprotected copy and index that")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
        title = _embedded_title(reader)
    except PdfTextError:
        raise
    except DependencyError as exc:  # AES encryption without the 'cryptography' package
        raise PdfTextError(f"the PDF is encrypted and cannot be opened ({exc})") from None
    except FileNotDecryptedError:
        raise PdfTextError("the PDF is encrypted with a password; save an unprotected copy and index that") from None
    except (PdfReadError, OSError, RecursionError) as exc:
        raise PdfTextError(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # a damaged file can make the parser fail in many ways; skip it, don't crash
        raise PdfTextError(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not raw_pages:
        raise PdfTextError("the PDF has no pages")
    result = assemble(strip_furniture([page_lines(t) for t in raw_pages]))
    result.title = title
    if not result.text.strip():
        raise PdfTextError(f"no text layer in any of its {len(raw_pages)} page(s): it looks scanned (images only); "
                           "run OCR on it first or index a text version")
    if _unreadable_share(result.text) > 0.2:
        raise PdfTextError("its text layer cannot be decoded (fonts without a Unicode map); "
                           "run OCR on it or export it as text")
    return result


def page_lines(raw: str) -> list[str]:
    """The lines of one page as pypdf gives them, page-number lines at either end removed."""
    return _strip_numbers([ln.rstrip() for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")])


def _strip_numbers(lines: list[str]) -> list[str]:
    lines = list(lines)
    while lines and (not lines[-1].strip() or _PAGE_NUMBER_RE.match(lines[-1])):
        lines.pop()
    while lines and (not lines[0].strip() or _PAGE_NUMBER_RE.match(lines[0])):
        lines.pop(0)
    return lines


def strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Page numbers and running headers/footers off every page, in whatever order they were drawn."""
    for _ in range(4):
        stripped = [_strip_numbers(lines) for lines in drop_running_lines(pages)]
        if stripped == pages:
            break
        pages = stripped
    return pages


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove a running header or footer: a first or last line repeated on most pages (digits aside)."""
    if len(pages) < 3:
        return pages

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip())

    for end in (0, -1):
        counts: dict[str, int] = {}
        for lines in pages:
            if lines:
                counts[key(lines[end])] = counts.get(key(lines[end]), 0) + 1
        running = {k for k, n in counts.items() if n >= max(3, len(pages) // 2) and len(k) <= 40}
        trimmed = []
        for lines in pages:
            if lines and key(lines[end]) in running:
                lines = lines[1:] if end == 0 else lines[:-1]
            trimmed.append(lines)
        pages = trimmed
    return pages


def assemble(pages: list[list[str]]) -> PdfText:
    """Join pages of lines into one text with paragraph breaks and page start offsets."""
    widths = sorted(display_width(ln.strip()) for lines in pages for ln in lines if ln.strip())
    full = widths[int(len(widths) * 0.9)] if widths else 0  # a typical full line, robust to outliers
    parts: list[str] = []
    starts: list[int] = []
    empty: list[int] = []
    pos = 0
    for number, lines in enumerate(pages, start=1):
        if number > 1:
            parts.append(PAGE_SEP)
            pos += len(PAGE_SEP)
        starts.append(pos)
        text = _join_lines(lines, full)
        if not text:
            empty.append(number)
        parts.append(text)
        pos += len(text)
    return PdfText("".join(parts), starts, empty_pages=empty)


def _join_lines(lines: list[str], full: int) -> str:
    out: list[str] = []
    prev = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            if out and out[-1] != "\n\n":
                out.append("\n\n")
            prev = ""
            continue
        if out and out[-1] != "\n\n":
            out.append("\n\n" if _breaks(prev, raw, full) else "\n")
        out.append(line)
        prev = line
    return "".join(out).strip()


def _breaks(prev: str, raw_next: str, full: int) -> bool:
    """True when the line break between ``prev`` and ``raw_next`` ends a paragraph."""
    nxt = raw_next.strip()
    if raw_next[:1].isspace():  # first-line indent
        return True
    if full and display_width(prev) < SHORT_LINE * full:
        return True
    return prev[-1:] in _TERMINAL and bool(_HEADING_RE.match(nxt))


def _unreadable_share(text: str) -> float:
    chars = [ch for ch in text if not ch.isspace()]
    bad = sum(1 for ch in chars if ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF or unicodedata.category(ch) == "Cc")
    return bad / len(chars) if chars else 0.0


def _embedded_title(reader) -> str:
    try:
        title = (reader.metadata or {}).get("/Title") or ""
    except Exception:  # damaged info dictionary: the title is optional
        return ""
    return clean_embedded_title(str(title))


def clean_embedded_title(title: str) -> str:
    """A title from file properties, or '' when it is a tool's placeholder rather than a title."""
    title = _JUNK_TITLE_RE.sub("", title.strip())
    title = re.sub(r"\.(?:docx?|wps|pdf|txt)$", "", title, flags=re.I).strip()
    if not any("\u4e00" <= ch <= "\u9fff" for ch in title):  # 'untitled', 'Document1', 'PowerPoint Presentation'
        return ""
    return title[:80]
