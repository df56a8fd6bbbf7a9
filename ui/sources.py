"""Answers and their sources as safe HTML: every piece of text escaped, the quoted sentence marked.

Nothing here trusts its input: questions come from users and passages from documents, so both
go through :func:`html.escape` before any tag of ours is added around them.
"""
from __future__ import annotations

import html
import re

from qa.pipeline import Answer, Citation
from ui.original import ReportTexts, original_link

MARKER_RE = re.compile(r"(?<!\^)\[(\d+)\]")  # [2] cites passage 2; ^[2] is a footnote inside quoted text
ENGLISH_PREFIX = "According to the report: "
PIECE_SEPARATOR = "；"


def text_html(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept, braces as entities (never read as a template)."""
    escaped = html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def quoted_pieces(answer: str) -> dict[int, list[str]]:
    """Rank → the pieces of ``answer`` quoted from that passage (the text before each ``[rank]``)."""
    pieces: dict[int, list[str]] = {}
    previous = 0
    for m in MARKER_RE.finditer(answer):
        piece = answer[previous:m.start()]
        if piece.startswith(PIECE_SEPARATOR):
            piece = piece[len(PIECE_SEPARATOR):]
        if piece.startswith(ENGLISH_PREFIX):
            piece = piece[len(ENGLISH_PREFIX):]
        piece = piece.strip()
        if piece:
            pieces.setdefault(int(m.group(1)), []).append(piece)
        previous = m.end()
    return pieces


def highlight(text: str, pieces: list[str]) -> str:
    """``text`` escaped, with each of ``pieces`` found in it wrapped in ``<mark>``."""
    spans: list[tuple[int, int]] = []
    for piece in pieces:
        at = text.find(piece)
        if at >= 0:
            spans.append((at, at + len(piece)))
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, cursor = [], 0
    for s, e in merged:
        out.append(text_html(text[cursor:s]))
        out.append(f"<mark>{text_html(text[s:e])}</mark>")
        cursor = e
    out.append(text_html(text[cursor:]))
    return "".join(out)


def answer_html(answer: Answer) -> str:
    """The answer text escaped, its citation markers ``[n]`` kept visible and styled."""
    titles = {c.rank: c.section for c in answer.citations}

    def marker(m: re.Match) -> str:
        rank = int(m.group(1))
        title = text_html(titles.get(rank, "")).replace("<br>", " ")
        return f'<span class="rqa-cite" title="{title}">[{rank}]</span>'

    body = MARKER_RE.sub(marker, text_html(answer.answer))
    css = "rqa-answer rqa-declined" if answer.declined else "rqa-answer"
    return f'<div class="{css}">{body}</div>'


SECTION_SEPARATOR = " › "
NOTE_NUMBER_RE = re.compile(r"^\s*\d+\s*[.、．]\s*")  # "15.长幼随学：…" → "长幼随学：…"
MORE_LABEL = "更多相关段落"
ORIGINAL_LABEL = "查看原文"


def position(c: Citation, texts: ReportTexts | None = None) -> str:
    """Where a passage sits, in words a reader knows: page for a PDF, else paragraph number."""
    if c.page:
        return f"第 {c.page} 页"
    number = texts.paragraph(c.doc_id, c.start) if texts is not None else None
    return f"第 {number} 段" if number else ""


def note_html(note: dict) -> str:
    """A glossary note, folded under its term: "名词解释：长幼随学" opens to the definition
    (without the glossary's list number, which means nothing outside the report)."""
    text = NOTE_NUMBER_RE.sub("", str(note.get("text", "")), count=1)
    term = str(note.get("term") or "").strip()
    if term and text.startswith(term):
        text = text[len(term):].lstrip("：:　 ")
    label = f"名词解释：{term}" if term else "名词解释"
    return (f'<details class="rqa-note"><summary>{text_html(label)}</summary>'
            f'<div class="rqa-note-text">{text_html(text)}</div></details>')


def citation_html(c: Citation, cited: bool, pieces: list[str], texts: ReportTexts | None = None) -> str:
    """One passage card for a reader: report title, chapter path, page or paragraph, the text with
    the quoted sentence marked, glossary notes and a link to the passage in the whole report.
    Offsets and scores stay in the API."""
    title = f'<span class="rqa-report">《{text_html(c.title or c.source or c.doc_id)}》</span>'
    section = text_html(SECTION_SEPARATOR.join((c.section or "开头").split(" > ")))
    where = position(c, texts)
    foot = [f'<span class="rqa-where">{text_html(where)}</span>'] if where else []
    if texts is not None and texts.get(c.doc_id) is not None:
        link = text_html(original_link(c.doc_id, c.start, c.end))
        foot.append(f'<a class="rqa-original" href="{link}" target="_blank" rel="noopener">{ORIGINAL_LABEL}</a>')
    notes = "".join(note_html(n) for n in c.notes)
    return (f'<div class="rqa-source{" rqa-cited" if cited else ""}" data-rank="{c.rank}">'
            f'<div class="rqa-head"><span class="rqa-rank">[{c.rank}]</span> {title}</div>'
            f'<div class="rqa-section">{section}</div>'
            f'<div class="rqa-text">{_shown(c, pieces if cited else [])}</div>'
            f'{notes}<div class="rqa-pos">{" · ".join(foot)}</div></div>')


def _shown(c: Citation, pieces: list[str]) -> str:
    """A passage's text with the quoted pieces marked; the end of the passage before and the start
    of the one after, shown around it for context, muted."""
    cut = len(c.text) - c.after_chars
    before, own, after = c.text[:c.before_chars], c.text[c.before_chars:cut], c.text[cut:]
    return _muted(before) + highlight(own, pieces) + _muted(after)


def _muted(text: str) -> str:
    return f'<span class="rqa-context">{text_html(text)}</span>' if text else ""


def sources_html(answer: Answer, texts: ReportTexts | None = None) -> str:
    """The cited passages, then the other retrieved ones folded under "更多相关段落"."""
    if not answer.citations:
        return '<div class="rqa-sources"><p class="rqa-empty">没有检索到相关段落。</p></div>'
    pieces = quoted_pieces(answer.answer)
    cited = [c for c in answer.citations if c.rank in answer.cited]
    others = [c for c in answer.citations if c.rank not in answer.cited]
    cards = "".join(citation_html(c, True, pieces.get(c.rank, []), texts) for c in cited)
    if others:
        more = "".join(citation_html(c, False, [], texts) for c in others)
        cards += (f'<details class="rqa-more"><summary>{MORE_LABEL}（{len(others)}）</summary>'
                  f'{more}</details>')
    return f'<div class="rqa-sources">{cards}</div>'


def panel_html(question: str, answer: Answer, texts: ReportTexts | None = None) -> str:
    """The side panel for the latest answer: the question it answers, then its sources."""
    return (f'<div class="rqa-panel"><div class="rqa-panel-q">问题：{text_html(question)}</div>'
            f'{sources_html(answer, texts)}</div>')


EMPTY_PANEL = ('<div class="rqa-panel"><p class="rqa-empty">提问后，这里显示答案引用的报告原文、'
               '所在章节和段落；引用的句子以黄色标出，点“查看原文”可在整篇报告中看到它。</p></div>')
