"""The whole original report as a web page, with one passage highlighted ("查看原文").

Citations point into a document by character offsets (``start``/``end``). A citizen cannot read
offsets, so the source cards link to ``/original?doc=ID&start=S&end=E#passage``: the document's
text, every character escaped, the cited span wrapped in ``<mark id="passage">`` so that the
browser scrolls to it by its own fragment handling (no script). Each document's text is read
once, on first use, from the path the index recorded, and only if it still has the content
hash the index was built from (otherwise the offsets would point at the wrong place).
"""
from __future__ import annotations

import bisect
import html
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from embeddings.cleaning import clean
from embeddings.loaders import DocumentError, load_document
from embeddings.structure import paragraph_spans

ROUTE = "original"

PAGE_CSS = """
body { margin: 0; font-family: system-ui, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
       color: #1f2937; background: #f9fafb; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #e5e7eb; padding: 10px 16px; }
header h1 { margin: 0; font-size: 17px; }
header p { margin: 4px 0 0; font-size: 13px; color: #6b7280; }
main { max-width: 46em; margin: 0 auto; padding: 16px; white-space: pre-wrap; line-height: 1.8; font-size: 16px;
       word-break: break-word; }
mark { background: #fde68a; color: inherit; padding: 2px 0; scroll-margin-top: 40vh; }
"""


@dataclass
class ReportText:
    """One document's original text and where its paragraphs start (original offsets)."""

    doc_id: str
    title: str
    text: str
    paragraph_starts: list[int]

    @classmethod
    def from_text(cls, doc_id: str, title: str, text: str) -> "ReportText":
        """Paragraphs as the indexer sees them (page breaks inside a sentence joined), by original offset."""
        cleaned = clean(text)
        starts = [cleaned.offsets[s] for s, _ in paragraph_spans(cleaned.text) if s < len(cleaned.offsets)]
        return cls(doc_id, title, text, starts)

    def paragraph(self, offset: int) -> int:
        """1-based number of the paragraph holding original character ``offset``."""
        return max(1, bisect.bisect_right(self.paragraph_starts, offset))

    def page_html(self, start: int, end: int) -> str:
        """The whole text as an HTML page, ``[start, end)`` marked and scrolled to."""
        start, end = max(0, min(start, len(self.text))), max(0, min(end, len(self.text)))
        title = html.escape(self.title or self.doc_id)
        body = (html.escape(self.text[:start]) + '<mark id="passage">' + html.escape(self.text[start:end])
                + "</mark>" + html.escape(self.text[end:]))
        where = f"第 {self.paragraph(start)} 段" if end > start else ""
        return ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                f"<title>{title} · 原文</title><style>{PAGE_CSS}</style></head><body>"
                f"<header><h1>{title}</h1><p>报告原文{('，引用段落（' + where + '）以黄色标出') if where else ''}。</p>"
                f"</header><main>{body}</main></body></html>")


class ReportTexts:
    """The original text of every indexed document, loaded lazily and kept (thread-safe)."""

    def __init__(self, documents: dict[str, dict]) -> None:
        self._documents = dict(documents)
        self._texts: dict[str, ReportText | None] = {}
        self._lock = threading.Lock()

    def get(self, doc_id: str) -> ReportText | None:
        """The document's text, or None when it is unknown, unreadable or changed since indexing."""
        if doc_id not in self._documents:
            return None
        with self._lock:
            if doc_id not in self._texts:
                self._texts[doc_id] = self._load(doc_id, self._documents[doc_id])
            return self._texts[doc_id]

    @staticmethod
    def _load(doc_id: str, info: dict) -> ReportText | None:
        path = info.get("path")
        if not path:
            return None
        try:
            doc = load_document(Path(path))
        except (DocumentError, OSError):
            return None
        if info.get("content_hash") and doc.content_hash != info["content_hash"]:
            return None  # edited since it was indexed: the offsets no longer fit
        return ReportText.from_text(doc_id, info.get("title") or doc.title or doc_id, doc.text)

    def paragraph(self, doc_id: str, offset: int) -> int | None:
        """Paragraph number of ``offset`` in ``doc_id``, or None when its text is not available."""
        text = self.get(doc_id)
        return text.paragraph(offset) if text else None


def original_link(doc_id: str, start: int, end: int) -> str:
    """Relative URL of the whole report with ``[start, end)`` highlighted (works under any base path)."""
    return f"{ROUTE}?{urlencode({'doc': doc_id, 'start': start, 'end': end})}#passage"


def create_original_router(texts: ReportTexts) -> APIRouter:
    """``GET /original?doc=&start=&end=``: the report's whole text with the passage highlighted."""
    router = APIRouter()

    @router.get(f"/{ROUTE}", include_in_schema=False)
    def original(doc: str = Query(..., max_length=1000), start: int = Query(0, ge=0),
                 end: int = Query(0, ge=0)) -> Response:
        text = texts.get(doc)
        if text is None:
            return JSONResponse({"error": "no such document, or its text is not available"}, status_code=404)
        if end < start or start > len(text.text):
            return JSONResponse({"error": "start and end must give a span inside the document"}, status_code=400)
        return HTMLResponse(text.page_html(start, end))

    return router
